"""The fused Lennard-Jones + real-space Coulomb pass: polynomial real-space function against scipy's erfc, the
half list with ghost images against a brute-force pair search, the fused pass against the separate exact
forces (all Coulomb kinds, both LJ modes, triclinic box) and its independence of the thread count."""

import math

import numba
import numpy as np
import pytest
import scipy.special

from molecular.forces import _elec_kernels as EK
from molecular.forces.base import ForceField
from molecular.forces.coulomb import CutoffCoulomb, ReactionField
from molecular.forces.ewald import alpha_from_tolerance
from molecular.forces.pair import LennardJones
from molecular.forces.pme import PME
from molecular.neighbors import NeighborList
from molecular.system import Box, System


def _random_system(n, h, seed, dmin=0.12):
    """``n`` atoms at least ``dmin`` apart (minimum image) in box ``h``, neutral random charges, 2 types."""
    rng = np.random.default_rng(seed)
    box = Box(np.asarray(h, dtype=np.float64))
    pos = []
    while len(pos) < n:
        p = rng.random(3) @ box.h
        if not pos or np.min(np.linalg.norm(box.minimum_image(np.array(pos) - p), axis=1)) > dmin:
            pos.append(p)
    q = rng.uniform(-1, 1, n)
    q -= q.mean()
    s = System(np.array(pos), box=box, charges=q)
    s.types = np.arange(n) % 2
    return s


@pytest.mark.parametrize("tolerance", [5e-4, 1e-5, 1e-6])
def test_real_space_polynomial_matches_erfc(tolerance):
    # reference: scipy.special.erfc, u = erfc(a r)/r and g = -(du/dr)/r = (u + 2a/sqrt(pi) exp(-a^2 r^2)) / r^2
    rc = 1.0
    alpha = alpha_from_tolerance(rc, tolerance)
    cu, cg, ta, tb, err = EK.real_space_poly(EK.EWALD, 0.0, 0.0, alpha, rc)
    r = np.linspace(0.05, rc, 2001)
    t = ta * r * r + tb
    u = 1.0 / r + np.polynomial.polynomial.polyval(t, cu)
    g = 1.0 / r**3 + np.polynomial.polynomial.polyval(t, cg)
    u_ref = scipy.special.erfc(alpha * r) / r
    g_ref = (u_ref + 2.0 * alpha / math.sqrt(math.pi) * np.exp(-(alpha * r) ** 2)) / r**2
    assert err < 1e-14 * alpha  # accepted for the fused pass (else the exact path is used)
    assert np.max(np.abs(u - u_ref)) < 2e-14 * alpha  # absolute, against u(r) up to 20 nm^-1
    # force: the derivative of the fit errs by about degree^2 times the energy error (absolute, nm^-3); relative
    # to g it stays far below the 1e-6 the issue allows, also near rc where g is smallest
    assert np.max(np.abs(g - g_ref)) < 1e-11
    assert np.max(np.abs(g - g_ref) / np.abs(g_ref)) < 1e-6


def test_large_splitting_parameter_uses_the_exact_path():
    # reference: the separate exact forces; at tolerance 1e-8 (alpha rc = 4.2) the fixed-degree polynomial
    # would err by ~5e-13, so the fused pass declines and the forces run on their own
    s = _random_system(40, np.eye(3) * 2.2, seed=2, dmin=0.15)
    pme = PME(cutoff=1.0, tolerance=1e-8, grid=12)
    ff = ForceField([LennardJones(epsilon=[0.65, 0.2], sigma=[0.32, 0.25], cutoff=1.0), pme], skin=0.1)
    assert pme._real_poly() is None
    assert ff._fused_pairs(s, False) == {}
    e_c = pme.compute(s, ff.neighbors)[0]
    assert ff.compute(s).terms["PME"] == pytest.approx(e_c, rel=1e-14)


def test_half_list_holds_every_pair_once():
    # reference: brute-force search over all pairs and the 27 images in a triclinic box
    h = np.array([[2.3, 0.0, 0.0], [0.5, 2.4, 0.0], [-0.3, 0.4, 2.35]])
    s = _random_system(150, h, seed=5)
    nl = NeighborList(cutoff=0.9, skin=0.15)
    hl = nl.half_sorted_data(s)
    n = s.n_atoms
    got = []
    for i in range(n):
        for j in hl.hnbr[i, : hl.hn[i]]:
            if j < n:
                d = hl.xs[j] - hl.xs[i]
            else:
                g = j - n
                d = hl.xs[hl.gsrc[g]] + hl.shifts[hl.gcode[g]] - hl.xs[i]
                j = hl.gsrc[g]
            got.append((min(hl.perm[i], hl.perm[j]), max(hl.perm[i], hl.perm[j]), round(float(np.linalg.norm(d)), 9)))
    shifts = np.stack(np.meshgrid(*[np.arange(-1, 2)] * 3, indexing="ij"), -1).reshape(-1, 3) @ h
    x = s.positions
    ref = []
    for i in range(n):
        for j in range(i + 1, n):
            r = np.linalg.norm(x[j] - x[i] + shifts, axis=1)
            ref += [(i, j, round(float(v), 9)) for v in r[r < nl.rlist]]
    assert sorted(got) == sorted(ref)
    assert len(got) == len(set(got))


@pytest.mark.parametrize("coulomb,lj_mode", [("pme", "truncated"), ("cutoff", "shifted"), ("rf", "truncated")])
def test_fused_pass_equals_separate_exact_forces(coulomb, lj_mode):
    # reference: each force on its own over the full list (exact erfc / pair function, validated in
    # test_electrostatics against numpy double loops); a triclinic box with image pairs and excluded pairs
    h = np.array([[2.4, 0.0, 0.0], [0.4, 2.3, 0.0], [-0.2, 0.3, 2.5]])
    s = _random_system(120, h, seed=11, dmin=0.15)
    ex = [[0, 1], [2, 3], [4, 5]]
    lj = LennardJones(epsilon=[0.65, 0.2], sigma=[0.32, 0.25], cutoff=1.0, mode=lj_mode)
    coul = {"pme": lambda: PME(cutoff=1.0, tolerance=5e-4, exclusions=ex),
            "cutoff": lambda: CutoffCoulomb(1.0, shifted=True, exclusions=ex),
            "rf": lambda: ReactionField(1.0, epsilon_rf=78.5, exclusions=ex)}[coulomb]()
    ff = ForceField([lj, coul], skin=0.2)
    assert ff._fusion() == (0, 1)
    res = ff.compute(s, virial=True)
    assert ff._fused_pairs(s, False)  # the fused pass ran
    e_lj, f_lj, w_lj = lj.compute(s, ff.neighbors, True)
    e_c, f_c, w_c = coul.compute(s, ff.neighbors, True)
    assert res.terms["LennardJones"] == pytest.approx(e_lj, rel=1e-12)
    assert res.terms[coul.name] == pytest.approx(e_c, rel=1e-12)
    f = f_lj + f_c
    assert np.max(np.abs(res.forces - f)) < 1e-11 * np.max(np.abs(f))
    assert np.max(np.abs(res.virial - (w_lj + w_c))) < 1e-11 * np.max(np.abs(w_lj + w_c))


def test_fused_pass_does_not_depend_on_thread_count():
    # reference: the same pass on one thread; the row blocks and the order of the block sums are fixed
    # by the list, so the results are bit-identical (4000+ atoms: the parallel kernels run)
    box, k = 3.6, 16  # 4096 atoms on a jittered lattice (spacing 0.225 nm, jitter +-0.05 nm)
    rng = np.random.default_rng(3)
    grid = np.stack(np.meshgrid(*[np.arange(k)] * 3, indexing="ij"), -1).reshape(-1, 3)
    q = rng.uniform(-1, 1, k**3)
    s = System((grid + 0.5) * box / k + rng.uniform(-0.05, 0.05, (k**3, 3)), box=[box] * 3, charges=q - q.mean())
    s.types = np.arange(k**3) % 2
    ff = ForceField([LennardJones(epsilon=[0.5, 0.1], sigma=[0.2, 0.15], cutoff=0.6),
                     PME(cutoff=0.6, tolerance=5e-4)], skin=0.1)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = ff.compute(s, virial=True)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        ff.neighbors.invalidate()  # rebuilt on two threads too
        two = ff.compute(s, virial=True)
    finally:
        numba.set_num_threads(threads)
    assert one.energy == two.energy
    assert np.array_equal(one.forces, two.forces)
    assert np.array_equal(one.virial, two.virial)


def test_fused_pass_without_box():
    # reference: the separate exact forces, for an open (non-periodic) cluster with reaction field
    s = _random_system(80, np.eye(3) * 2.0, seed=4, dmin=0.15)
    s = System(s.positions, charges=s.charges)
    s.types = np.arange(80) % 2
    lj = LennardJones(epsilon=[0.65, 0.2], sigma=[0.32, 0.25], cutoff=1.0)
    coul = ReactionField(1.0, exclusions=[[0, 1]])
    ff = ForceField([lj, coul], skin=0.2)
    res = ff.compute(s, virial=True)
    assert ff._fused_pairs(s, False)
    e_lj, f_lj, w_lj = lj.compute(s, ff.neighbors, True)
    e_c, f_c, w_c = coul.compute(s, ff.neighbors, True)
    assert res.terms["LennardJones"] == pytest.approx(e_lj, rel=1e-12)
    assert res.terms[coul.name] == pytest.approx(e_c, rel=1e-12)
    assert np.max(np.abs(res.forces - f_lj - f_c)) < 1e-11 * np.max(np.abs(f_lj + f_c))
    assert np.max(np.abs(res.virial - w_lj - w_c)) < 1e-11 * np.max(np.abs(w_lj + w_c))
