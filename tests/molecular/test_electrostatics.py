"""Electrostatics: Madelung constant of rock salt, Ewald vs PME, splitting-parameter independence,
finite-difference forces and virial, exclusions/1-4 pairs vs a numpy double loop, clear errors."""

import math

import numpy as np
import pytest
import scipy.special

from mindscience.errors import InputError
from molecular.forces.base import ForceField
from molecular.forces.coulomb import ONE_4PI_EPS0, CutoffCoulomb, ReactionField
from molecular.forces.ewald import ChargedSystemError, Ewald
from molecular.forces.pme import PME, bspline_moduli, pme_grid_size
from molecular.system import Box, System

#: Madelung constant of the NaCl (rock-salt) structure referred to the nearest-neighbour distance;
#: 1.747564594633... (Y. Sakamoto, J. Chem. Phys. 28, 164 (1958); D. Borwein, J. M. Borwein,
#: K. F. Taylor, J. Math. Phys. 26, 2999 (1985)); the issue quotes 1.747565.
MADELUNG_NACL = 1.747564594633182
NACL_A = 0.5628  # nm, rock-salt lattice constant of NaCl


def nacl_crystal(nc=3, a=NACL_A):
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
    cells = np.stack(np.meshgrid(*[np.arange(nc)] * 3, indexing="ij"), -1).reshape(-1, 3)
    na = (cells[:, None, :] + base[None]).reshape(-1, 3)
    cl = na + [0.5, 0, 0]
    pos = np.concatenate([na, cl]) * a
    q = np.concatenate([np.ones(len(na)), -np.ones(len(cl))])
    return System(pos, box=[nc * a] * 3, charges=q)


def random_neutral(n=24, box=2.0, seed=1, triclinic=False, dmin=0.15):
    rng = np.random.default_rng(seed)
    h = np.diag([box, box * 1.1, box * 0.95])
    if triclinic:
        h[1, 0] = 0.3 * box
        h[2, 0] = -0.2 * box
        h[2, 1] = 0.25 * box
    pos = []
    b = Box(h)
    while len(pos) < n:
        p = rng.random(3) @ h
        if all(np.linalg.norm(b.minimum_image(p - o)) > dmin for o in pos):
            pos.append(p)
    q = rng.uniform(-1, 1, n)
    q -= q.mean()
    return System(np.array(pos), box=Box(h), charges=q)


def _energy(force, system, virial=False, skin=0.0):
    return ForceField(force, skin=skin).compute(system, virial=virial)


def _fd_forces(force, system, atoms, h=1e-5):
    out = np.empty((len(atoms), 3))
    for n, i in enumerate(atoms):
        for k in range(3):
            x0 = system.positions[i, k]
            system.positions[i, k] = x0 + h
            ep = _energy(force, system).energy
            system.positions[i, k] = x0 - h
            em = _energy(force, system).energy
            system.positions[i, k] = x0
            out[n, k] = -(ep - em) / (2 * h)
    return out


def _fd_virial_diag(force, system, eps=1e-6):
    """``W_aa = -dE/d eps_aa`` for the deformation ``x -> x (1 + eps_aa e_a e_a)`` of box and coordinates."""
    out = np.empty(3)
    h0, x0 = system.box.h.copy(), system.positions.copy()
    for a in range(3):
        es = []
        for sgn in (1, -1):
            d = np.eye(3)
            d[a, a] += sgn * eps
            system.box = Box(h0 @ d)
            system.positions = x0 @ d
            es.append(_energy(force, system).energy)
        out[a] = -(es[0] - es[1]) / (2 * eps)
    system.box, system.positions = Box(h0), x0
    return out


def test_coulomb_constant_matches_openmm():
    # reference: OpenMM ONE_4PI_EPS0 = 138.935456 (older CODATA) / 138.935458 (CODATA 2018), kJ/mol nm/e^2
    assert ONE_4PI_EPS0 == pytest.approx(138.935458, rel=1e-8)


@pytest.mark.parametrize("method", ["ewald", "pme"])
def test_nacl_madelung(method):
    # reference: Madelung constant of rock salt, E = -N/2 ke M / r0 with r0 = a/2 (Sakamoto 1958)
    s = nacl_crystal(3)
    if method == "ewald":
        force = Ewald(cutoff=0.8, tolerance=1e-10)
    else:
        force = PME(cutoff=0.8, tolerance=1e-7, order=5)
    e = _energy(force, s).energy
    exact = -s.n_atoms / 2 * ONE_4PI_EPS0 * MADELUNG_NACL / (NACL_A / 2)
    print(f"\nMADELUNG {method}: E = {e:.10f} kJ/mol, exact {exact:.10f}, relative error {e / exact - 1:.3e}")
    assert abs(e / exact - 1) < 1e-6
    m = -e / (s.n_atoms / 2 * ONE_4PI_EPS0 / (NACL_A / 2))
    assert m == pytest.approx(1.747565, abs=1e-6 * 1.747565 + 5e-7)  # the rounded constant
    # perfect crystal: every force vanishes by symmetry
    assert np.max(np.abs(_energy(force, s).forces)) < 1e-6


@pytest.mark.parametrize("tol", [5e-4, 1e-5])
def test_pme_agrees_with_ewald_to_requested_accuracy(tol):
    # reference: Ewald at tolerance 1e-12 (converged); PME error measured as OpenMM defines it (relative RMS force)
    s = random_neutral(30, seed=3)
    ref = _energy(Ewald(cutoff=0.9, tolerance=1e-12), s, virial=True)
    pme = _energy(PME(cutoff=0.9, tolerance=tol), s, virial=True)
    ferr = np.sqrt(np.mean((pme.forces - ref.forces) ** 2)) / np.sqrt(np.mean(ref.forces**2))
    print(f"\nEWALD-PME tol={tol:g}: rel RMS force error {ferr:.3e}, |dE| = {abs(pme.energy - ref.energy):.3e} kJ/mol "
          f"(rel {abs(pme.energy / ref.energy - 1):.3e}), max |dW|/max|W| "
          f"{np.max(np.abs(pme.virial - ref.virial)) / np.max(np.abs(ref.virial)):.3e}")
    assert ferr < tol
    assert abs(pme.energy - ref.energy) < tol * np.abs(ref.forces).mean() * 1.0  # energy error below tol x |F| nm
    # the virial (an energy-like sum over k) carries a few times the force error
    assert np.max(np.abs(pme.virial - ref.virial)) < 10 * tol * np.max(np.abs(ref.virial))


def test_ewald_and_pme_triclinic_agree():
    # reference: Ewald (explicit k-sum) in a sheared cell
    s = random_neutral(20, seed=5, triclinic=True)
    rc = 0.45 * s.box.widths.min()
    ref = _energy(Ewald(cutoff=rc, tolerance=1e-12), s)
    pme = _energy(PME(cutoff=rc, tolerance=1e-6, order=6), s)
    assert abs(pme.energy - ref.energy) < 1e-6 * np.abs(ref.forces).mean()
    assert np.max(np.abs(pme.forces - ref.forces)) < 1e-5 * np.max(np.abs(ref.forces))


def test_energy_independent_of_splitting_parameter():
    # reference: the Ewald sum is independent of alpha when both sums are converged
    # (alpha rc >= 5: the real-space sum is converged to erfc(5) ~ 1e-12; kmax/grid converge the k-sum)
    s = random_neutral(20, seed=7)
    es = [_energy(Ewald(cutoff=0.94, alpha=a, kmax=28), s).energy for a in (5.5, 6.0, 6.5)]
    print(f"\nALPHA Ewald spread {(max(es) - min(es)) / abs(es[0]):.3e}", end=" ")
    assert max(es) - min(es) < 1e-10 * abs(es[0])
    ep = [_energy(PME(cutoff=0.94, alpha=a, grid=128, order=6), s).energy for a in (5.5, 6.0, 6.5)]
    print(f"PME spread {(max(ep) - min(ep)) / abs(es[0]):.3e} (relative)")
    assert max(ep) - min(ep) < 1e-7 * abs(es[0])


@pytest.mark.parametrize("method", ["ewald", "pme"])
def test_forces_equal_minus_fd_gradient(method):
    # reference: central finite differences of the same energy (h = 1e-5 nm)
    s = random_neutral(16, seed=11)
    ex = [[0, 1], [2, 3]]
    p14 = [[4, 5]]
    if method == "ewald":
        force = Ewald(cutoff=0.9, tolerance=1e-6, exclusions=ex, pairs14=p14)
    else:
        force = PME(cutoff=0.9, tolerance=1e-4, order=5, exclusions=ex, pairs14=p14)
    res = _energy(force, s)
    atoms = [0, 4, 9]
    fd = _fd_forces(force, s, atoms)
    print(f"\nFD-FORCE {method}: max |F - F_fd| / max |F_fd| = "
          f"{np.max(np.abs(res.forces[atoms] - fd)) / np.max(np.abs(fd)):.3e}")
    assert np.max(np.abs(res.forces[atoms] - fd)) < 1e-6 * np.max(np.abs(fd))
    if method == "ewald":  # Ewald conserves momentum exactly; smooth PME only to its accuracy
        assert np.max(np.abs(res.forces.sum(axis=0))) < 1e-9 * np.max(np.abs(res.forces))


@pytest.mark.parametrize("method", ["ewald", "pme"])
def test_virial_equals_fd_volume_derivative(method):
    # reference: -dE/d eps_aa of the energy with box and coordinates scaled together
    s = random_neutral(16, seed=13)
    s.charges[0] += 0.5  # charged: exercises the neutralising background's virial too
    if method == "ewald":
        force = Ewald(cutoff=0.9, tolerance=1e-6, exclusions=[[0, 1]], pairs14=[[2, 3]], neutralize=True)
    else:
        force = PME(cutoff=0.9, tolerance=1e-4, exclusions=[[0, 1]], pairs14=[[2, 3]], neutralize=True)
    w = _energy(force, s, virial=True).virial
    fd = _fd_virial_diag(force, s)
    print(f"\nFD-VIRIAL {method}: max |W_aa - W_fd| / max |W_fd| = "
          f"{np.max(np.abs(np.diag(w) - fd)) / np.max(np.abs(fd)):.3e}")
    assert np.max(np.abs(np.diag(w) - fd)) < 1e-6 * np.max(np.abs(fd))
    # pressure: P_virial = tr(W) / 3V equals -dE/dV
    v = s.volume
    ep = [_energy(force, System(s.positions * f, box=s.box.h * f, charges=s.charges)).energy
          for f in (1 + 1e-6, 1 - 1e-6)]
    dedv = (ep[0] - ep[1]) / (v * ((1 + 1e-6) ** 3 - (1 - 1e-6) ** 3))
    assert np.trace(w) / (3 * v) == pytest.approx(-dedv, rel=1e-6)


def _numpy_ewald(s, alpha, kmax, rc, pairs=(), scales=()):
    """Plain numpy Ewald: double loop (minimum image) in real space, explicit k-sum, self term, and
    listed pairs replaced by scale x plain Coulomb."""
    x, q, h = s.positions, s.charges, s.box.h
    ke = ONE_4PI_EPS0
    special = {(min(i, j), max(i, j)): sc for (i, j), sc in zip(pairs, scales)}
    e = 0.0
    f = np.zeros_like(x)
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            d = s.box.minimum_image(x[i] - x[j])
            r = np.linalg.norm(d)
            sc = special.get((i, j))
            if sc is None:
                if r < rc:
                    u = math.erfc(alpha * r) / r
                    g = (u + 2 * alpha / math.sqrt(math.pi) * math.exp(-(alpha * r) ** 2)) / r**2
                else:
                    continue
            else:  # erfc part excluded, and the erf part included by the k-sum removed
                u = sc / r - math.erf(alpha * r) / r
                g = sc / r**3 - (math.erf(alpha * r) / r - 2 * alpha / math.sqrt(math.pi)
                                 * math.exp(-(alpha * r) ** 2)) / r**2
            e += ke * q[i] * q[j] * u
            f[i] += ke * q[i] * q[j] * g * d
            f[j] -= ke * q[i] * q[j] * g * d
    rng = np.arange(-kmax, kmax + 1)
    nvec = np.stack(np.meshgrid(rng, rng, rng, indexing="ij"), -1).reshape(-1, 3)
    nvec = nvec[np.any(nvec != 0, axis=1)]
    k = 2 * np.pi * nvec @ np.linalg.inv(h).T
    k2 = (k**2).sum(1)
    sk = (q[None, :] * np.exp(1j * k @ x.T)).sum(1)
    e += ke * 2 * np.pi / s.volume * np.sum(np.exp(-k2 / (4 * alpha**2)) / k2 * np.abs(sk) ** 2)
    e -= ke * alpha / math.sqrt(math.pi) * np.sum(q**2)
    return e, f


def test_ewald_exclusions_and_14_match_numpy_double_loop():
    # reference: plain numpy Ewald with the same exclusions and 1-4 scale (double loop + explicit k-sum)
    s = random_neutral(14, seed=17)
    ex = [[0, 1], [1, 2], [0, 2], [5, 9]]
    p14 = [[0, 3], [6, 7]]
    alpha, kmax = 5.5, 16  # alpha rc = 5: real- and reciprocal-space sums converged to ~1e-12
    force = Ewald(cutoff=0.9, alpha=alpha, kmax=kmax, exclusions=ex, pairs14=p14, scale14=0.5)
    res = _energy(force, s)
    pairs = ex + p14
    scales = [0.0] * len(ex) + [0.5] * len(p14)
    e_ref, f_real = _numpy_ewald(s, alpha, kmax, 0.9, pairs, scales)
    assert res.energy == pytest.approx(e_ref, rel=1e-10)
    # the excluded-pair correction relative to no exclusions is exactly sum (s - 1) ke q q / r
    plain = _energy(Ewald(cutoff=0.9, alpha=alpha, kmax=kmax), s).energy
    corr = sum((sc - 1) * ONE_4PI_EPS0 * s.charges[i] * s.charges[j]
               / np.linalg.norm(s.box.minimum_image(s.positions[i] - s.positions[j]))
               for (i, j), sc in zip(pairs, scales))
    assert res.energy - plain == pytest.approx(corr, rel=1e-9)


def test_per_pair_14_scales_match_numpy_double_loop():
    # reference: the same numpy Ewald double loop with one scale per 1-4 pair (AMBER's per-dihedral SCEE);
    # a pair that is both excluded and 1-4 stays excluded, a repeated 1-4 pair counts once
    s = random_neutral(14, seed=17)
    ex = [[0, 1], [1, 2], [0, 2], [5, 9]]
    p14 = [[0, 3], [6, 7], [2, 0], [3, 0]]
    alpha, kmax = 5.5, 16
    force = Ewald(cutoff=0.9, alpha=alpha, kmax=kmax, exclusions=ex, pairs14=p14, scale14=[0.5, 1 / 1.2, 0.5, 0.5])
    e_ref, _ = _numpy_ewald(s, alpha, kmax, 0.9, ex + [[0, 3], [6, 7]], [0.0] * len(ex) + [0.5, 1 / 1.2])
    assert _energy(force, s).energy == pytest.approx(e_ref, rel=1e-10)
    with pytest.raises(InputError, match=r"scale14\[1\] = 1.5"):
        Ewald(cutoff=0.9, pairs14=[[0, 3], [6, 7]], scale14=[0.5, 1.5])
    with pytest.raises(InputError, match="one value per 1-4 pair"):
        PME(cutoff=0.9, pairs14=[[0, 3], [6, 7]], scale14=[0.5])


@pytest.mark.parametrize("kind", ["cutoff", "shifted", "reaction-field"])
@pytest.mark.parametrize("periodic", [True, False])
def test_cutoff_and_reaction_field_match_numpy_double_loop(kind, periodic):
    # reference: plain numpy double loop over pairs (minimum image) with the same exclusions and 1-4 scale
    s = random_neutral(20, seed=19)
    if not periodic:
        s = System(s.positions, box=None, charges=s.charges)
    rc = 0.9
    ex = [[0, 1], [1, 2]]
    p14 = [[0, 3], [4, 8]]
    sc14 = 1 / 1.2
    if kind == "reaction-field":
        force = ReactionField(rc, epsilon_rf=78.5, exclusions=ex, pairs14=p14, scale14=sc14)
        krf = (78.5 - 1) / ((2 * 78.5 + 1) * rc**3)
        crf = 1 / rc + krf * rc**2
    else:
        force = CutoffCoulomb(rc, shifted=kind == "shifted", exclusions=ex, pairs14=p14, scale14=sc14)
        krf, crf = 0.0, (1 / rc if kind == "shifted" else 0.0)
    res = _energy(force, s, virial=True, skin=0.2)
    special = {tuple(p): 0.0 for p in ex} | {tuple(p): sc14 for p in p14}
    x, q = s.positions, s.charges
    e, f, w = 0.0, np.zeros_like(x), np.zeros((3, 3))
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            d = x[i] - x[j]
            if periodic:
                d = s.box.minimum_image(d)
            r = np.linalg.norm(d)
            qq = ONE_4PI_EPS0 * q[i] * q[j]
            if (i, j) in special:
                u, g = special[(i, j)] / r, special[(i, j)] / r**3
            elif r < rc:
                u, g = 1 / r + krf * r**2 - crf, 1 / r**3 - 2 * krf
            else:
                continue
            e += qq * u
            f[i] += qq * g * d
            f[j] -= qq * g * d
            w += qq * g * np.outer(d, d)
    assert res.energy == pytest.approx(e, rel=1e-12)
    assert np.max(np.abs(res.forces - f)) < 1e-11 * np.max(np.abs(f))
    assert np.max(np.abs(res.virial - w)) < 1e-11 * np.max(np.abs(w))


def test_reaction_field_conductor_limit_and_fd():
    # reference: k_rf = 1/(2 rc^3) for eps_rf = inf (GROMACS manual); FD gradient of the energy
    rf = ReactionField(1.0, epsilon_rf=math.inf)
    assert rf.k_rf == pytest.approx(0.5) and rf.c_rf == pytest.approx(1.5)
    s = random_neutral(12, seed=23)
    force = ReactionField(0.9, exclusions=[[0, 1]], pairs14=[[2, 3]])
    res = _energy(force, s)
    fd = _fd_forces(force, s, [0, 2, 5])
    assert np.max(np.abs(res.forces[[0, 2, 5]] - fd)) < 1e-6 * np.max(np.abs(fd))


def test_charged_system_background():
    # reference: with the neutralising background the Ewald energy of a charged system is alpha-independent
    s = random_neutral(12, seed=29)
    s.charges[0] += 1.0
    with pytest.raises(ChargedSystemError, match="net charge"):
        _energy(Ewald(cutoff=0.9), s)
    with pytest.raises(ChargedSystemError, match="neutralize=True"):
        _energy(PME(cutoff=0.9), s)
    es = [_energy(Ewald(cutoff=0.94, alpha=a, kmax=28, neutralize=True), s).energy for a in (5.5, 6.0, 6.5)]
    assert max(es) - min(es) < 1e-10 * abs(es[0])
    ep = _energy(PME(cutoff=0.9, tolerance=1e-6, neutralize=True), s).energy
    assert ep == pytest.approx(es[0], rel=1e-5)


def test_pme_parameters_follow_openmm():
    # reference: OpenMM NonbondedForce docs: alpha = sqrt(-ln(2 delta))/rc, n = ceil(2 alpha L / (3 delta^(1/5)))
    p = PME(cutoff=1.0, tolerance=5e-4)
    assert p.alpha == pytest.approx(math.sqrt(-math.log(1e-3)))
    assert pme_grid_size(3.0, p.alpha, 5e-4) >= math.ceil(2 * p.alpha * 3.0 / (3 * 5e-4**0.2))
    # B-spline moduli: |b(m)|^2 for order 4 at m = 0 is 1 (sum of M_4 at integers is 1)
    assert bspline_moduli(16, 4)[0] == pytest.approx(1.0)
    assert np.all(np.isfinite(bspline_moduli(15, 5))) and np.all(np.isfinite(bspline_moduli(16, 5)))
    # the real-space pair term at the cutoff is erfc(alpha rc) ~ 2 delta / sqrt(pi ln(1/2delta)) << delta
    assert scipy.special.erfc(p.alpha * 1.0) < 5e-4


def test_clear_errors():
    s = random_neutral(6, seed=31)
    with pytest.raises(InputError, match=r"tolerance=0\.7 is out of range"):
        PME(tolerance=0.7)
    with pytest.raises(InputError, match="order=7 is out of range"):
        PME(order=7)
    with pytest.raises(InputError, match=r"grid\[0\]=4 is out of range"):
        PME(grid=4)
    with pytest.raises(InputError, match="epsilon_rf"):
        ReactionField(1.0, epsilon_rf=0.5)
    with pytest.raises(InputError, match="scale14"):
        Ewald(scale14=1.5)
    with pytest.raises(InputError, match="pairs an atom with itself"):
        Ewald(exclusions=[[1, 1]])
    with pytest.raises(InputError, match="outside the system"):
        _energy(CutoffCoulomb(0.9, exclusions=[[0, 99]]), s)
    iso = System(s.positions, box=None, charges=s.charges)
    with pytest.raises(InputError, match="needs a periodic box"):
        _energy(Ewald(cutoff=0.9), iso)


@pytest.mark.parametrize("method", ["pme", "reaction-field"])
def test_fused_lj_coulomb_pass_equals_separate_forces(method):
    # reference: each force on its own (exact erfc / pair function over the full list, validated above
    # against numpy double loops); the fused pass uses a degree-23 polynomial in r^2 for erf(alpha r)/r
    from molecular.forces.pair import LennardJones

    s = random_neutral(60, box=2.6, seed=23, dmin=0.2)
    s.types = np.arange(60) % 2
    ex = [[0, 1], [2, 3], [4, 5]]
    lj = LennardJones(epsilon=[0.65, 0.2], sigma=[0.32, 0.25], cutoff=1.0, tail_correction=True)
    coul = (PME(cutoff=1.0, tolerance=5e-4, exclusions=ex) if method == "pme"
            else ReactionField(1.0, epsilon_rf=78.5, exclusions=ex))
    ff = ForceField([lj, coul], skin=0.2)
    assert ff._fusion() == (0, 1)
    res = ff.compute(s, virial=True)
    e_lj, f_lj, w_lj = lj.compute(s, ff.neighbors, True)
    e_c, f_c, w_c = coul.compute(s, ff.neighbors, True)
    assert res.terms["LennardJones"] == pytest.approx(e_lj, rel=1e-12)
    assert res.terms[coul.name] == pytest.approx(e_c, rel=1e-12)
    f = f_lj + f_c
    assert np.max(np.abs(res.forces - f)) < 1e-11 * np.max(np.abs(f))
    assert np.max(np.abs(res.virial - (w_lj + w_c))) < 1e-11 * np.max(np.abs(w_lj + w_c))
