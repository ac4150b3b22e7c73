"""Pair forces: numpy double loop, finite differences, Newton's third law, FD virial, tail terms."""

import math

import numpy as np
import pytest
from md_helpers import lj_double_loop, perturbed_fcc
from numba import njit

from mindscience.errors import InputError
from molecular import (
    WCA,
    Box,
    Buckingham,
    CustomPair,
    ForceField,
    LennardJones,
    Morse,
    System,
    TabulatedPair,
)
from molecular.forces import _kernels as K

DOUBLE_LOOP_TOL = 1e-10  # issue 4: energy, forces, virial equal a plain numpy double loop to 1e-10
FD_TOL = 1e-6  # relative: central differences with h = 1e-5 have O(h^2) ~ 1e-10 truncation error


def _fd_forces(ff, system, atoms, h=1e-5):
    out = []
    for i in atoms:
        for k in range(3):
            x0 = system.positions[i, k]
            system.positions[i, k] = x0 + h
            ep = ff.compute(system).energy
            system.positions[i, k] = x0 - h
            em = ff.compute(system).energy
            system.positions[i, k] = x0
            out.append(-(ep - em) / (2 * h))
    return np.array(out).reshape(len(atoms), 3)


@pytest.mark.parametrize("mode", ["truncated", "shifted"])
def test_lj_equals_numpy_double_loop(mode):
    # reference: plain numpy double loop over pairs and the 27 nearest images (conftest)
    s = perturbed_fcc(3, density=0.8)
    rc = 0.5 * s.box.widths.min() * 0.99
    ff = ForceField(LennardJones(1.0, 1.0, cutoff=rc, mode=mode), skin=0.3)
    res = ff.compute(s, virial=True)
    e, f, w = lj_double_loop(s.positions, s.box.h, rc, shift=mode == "shifted")
    assert abs(res.energy - e) < DOUBLE_LOOP_TOL * abs(e)
    assert np.max(np.abs(res.forces - f)) < DOUBLE_LOOP_TOL * np.max(np.abs(f))
    assert np.max(np.abs(res.virial - w)) < DOUBLE_LOOP_TOL * np.max(np.abs(w))


def test_lj_triclinic_equals_double_loop():
    # reference: numpy double loop with explicit images in a sheared (triclinic) cell
    s = perturbed_fcc(4, density=0.8)
    h = s.box.h.copy()
    h[1, 0] = 0.3 * h[0, 0]
    h[2, 0] = -0.2 * h[0, 0]
    h[2, 1] = 0.25 * h[1, 1]
    frac = s.positions @ np.linalg.inv(s.box.h)
    s.positions = frac @ h
    s.box = Box(h)
    rc = 0.45 * s.box.widths.min()
    res = ForceField(LennardJones(cutoff=rc), skin=0.2).compute(s, virial=True)
    e, f, w = lj_double_loop(s.positions, h, rc)
    assert abs(res.energy - e) < DOUBLE_LOOP_TOL * abs(e)
    assert np.max(np.abs(res.forces - f)) < DOUBLE_LOOP_TOL * np.max(np.abs(f))
    assert np.max(np.abs(res.virial - w)) < DOUBLE_LOOP_TOL * np.max(np.abs(w))


def test_lj_two_atoms_analytic_minimum():
    # analytic: LJ minimum -epsilon at r = 2^(1/6) sigma with zero force (ASE test_lj)
    s = System([[0, 0, 0], [2 ** (1 / 6) * 0.34, 0, 0]], box=None)
    res = ForceField(LennardJones(0.99774, 0.34, cutoff=1.0)).compute(s)
    assert res.energy == pytest.approx(-0.99774, rel=1e-13)
    assert np.max(np.abs(res.forces)) < 1e-12


@pytest.mark.parametrize("force", [
    LennardJones(1.0, 1.0, cutoff=2.2, mode="shifted-force"),
    LennardJones([1.0, 0.5], [1.0, 0.8], cutoff=2.2, mode="switched", switch_distance=1.8),
    LennardJones([1.0, 0.5], [1.0, 0.8], cutoff=2.2, mixing="geometric", tail_correction=True),
    LennardJones([1.0, 0.5], [1.0, 0.8], cutoff=2.2, mode="force-switched", switch_distance=1.6),
    WCA([1.0, 0.7], [1.0, 1.1]),
    Morse(D=1.0, a=2.0, r0=1.1, cutoff=2.2, mode="shifted-force"),
    Buckingham(A=1000.0, rho=0.1, C=1.0, cutoff=2.2, mode="switched", switch_distance=1.7),
], ids=["lj-sf", "lj-switch-2types", "lj-geometric-tail", "lj-force-switch", "wca", "morse", "buckingham"])
def test_forces_are_minus_fd_gradient_and_newton3(force):
    # reference: central finite differences of the energy; Newton's third law (sum of forces = 0)
    s = perturbed_fcc(3, density=0.75, types=np.arange(108) % 2)
    ff = ForceField(force, skin=0.25)
    f = ff.compute(s).forces
    fd = _fd_forces(ff, s, [0, 17, 53])
    assert np.max(np.abs(f[[0, 17, 53]] - fd)) < FD_TOL * max(1.0, np.max(np.abs(fd)))
    assert np.max(np.abs(f.sum(axis=0))) < 1e-10 * np.max(np.abs(f))


def test_virial_is_minus_fd_volume_derivative():
    # reference: P_virial = -dU/dV at fixed scaled coordinates (central difference in V), and
    # W_xx = -L_x dU/dL_x for a stretch along x only (anisotropic); continuous (shifted-force) LJ
    s = perturbed_fcc(3, density=0.8, types=np.arange(108) % 2)
    ff = ForceField(LennardJones([1.0, 0.6], [1.0, 0.9], cutoff=2.0, mode="shifted-force"), skin=0.3)
    w = ff.compute(s, virial=True).virial
    v0 = s.volume

    def energy_scaled(lam):
        t = s.copy()
        t.positions = t.positions * lam
        t.box = Box(s.box.h * lam[None, :])
        return ff.compute(t).energy

    eps = 1e-6
    iso = np.full(3, (1 + eps) ** (1 / 3)), np.full(3, (1 - eps) ** (1 / 3))
    dudv = (energy_scaled(iso[0]) - energy_scaled(iso[1])) / (2 * eps * v0)
    assert np.trace(w) / (3 * v0) == pytest.approx(-dudv, rel=1e-6)
    for k in range(3):
        lp, lm = np.ones(3), np.ones(3)
        lp[k], lm[k] = 1 + eps, 1 - eps
        assert w[k, k] == pytest.approx(-(energy_scaled(lp) - energy_scaled(lm)) / (2 * eps), rel=1e-6)


def test_tail_pressure_is_volume_derivative_plus_impulsive_term():
    # analytic identity (integration by parts): P_tail = -dE_tail/dV + (2 pi / 3) rho^2 rc^3 u(rc)
    s = perturbed_fcc(3, density=0.8)
    rc = 2.0
    lj = LennardJones(cutoff=rc, tail_correction=True)
    e0, p0 = lj.energy_correction(s)
    v0 = s.volume
    t = s.copy()
    t.box = Box(s.box.h * (1 + 1e-6) ** (1 / 3))
    e1, _ = lj.energy_correction(t)
    rho = s.n_atoms / v0
    u_rc = 4 * (rc**-12 - rc**-6)
    assert p0 == pytest.approx(-(e1 - e0) / (1e-6 * v0) + 2 * math.pi / 3 * rho**2 * rc**3 * u_rc, rel=1e-5)


def test_lj_tail_corrections_match_nist_formula():
    # reference: NIST SRSW tail formulas (shared/references/lj-nist-srsw.md), rho = 0.8, rc = 3
    s = perturbed_fcc(5, density=0.8, amplitude=0.0)
    rc = 3.0
    lj = LennardJones(cutoff=rc, tail_correction=True)
    e, p = lj.energy_correction(s)
    rho = 0.8
    assert e / s.n_atoms == pytest.approx(8 / 3 * math.pi * rho * (rc**-9 / 3 - rc**-3), rel=1e-12)
    assert p == pytest.approx(16 / 3 * math.pi * rho**2 * (2 / 3 * rc**-9 - rc**-3), rel=1e-12)


def test_mixing_rules():
    # analytic: Lorentz-Berthelot and geometric combination of (eps, sigma) = (1, 1) and (0.25, 2)
    lb = LennardJones([1.0, 0.25], [1.0, 2.0], cutoff=3.0)
    ge = LennardJones([1.0, 0.25], [1.0, 2.0], cutoff=3.0, mixing="geometric")
    assert lb.pair_sigma[0, 1] == 1.5 and lb.pair_epsilon[0, 1] == 0.5
    assert ge.pair_sigma[0, 1] == pytest.approx(math.sqrt(2)) and ge.pair_epsilon[0, 1] == 0.5
    # pair energy of types 0-1 at r = 2 with LB: 4*0.5*((1.5/2)^12 - (1.5/2)^6)
    assert lb.pair_energy(2.0, 0, 1)[0] == pytest.approx(2 * (0.75**12 - 0.75**6), rel=1e-14)


def test_cutoff_modes_are_continuous():
    # analytic: shifted, shifted-force and switched energies vanish at rc; shifted-force and switched
    # forces vanish at rc (checked by the energy slope just inside rc)
    rc = 2.5
    for mode in ("shifted", "shifted-force", "switched"):
        lj = LennardJones(cutoff=rc, mode=mode, switch_distance=2.0 if mode == "switched" else None)
        assert abs(lj.pair_energy(rc - 1e-9)[0]) < 1e-8
        if mode != "shifted":
            slope = (lj.pair_energy(rc - 1e-6)[0] - lj.pair_energy(rc - 2e-6)[0]) / 1e-6
            assert abs(slope) < 1e-5
    assert LennardJones(cutoff=rc).pair_energy(rc - 1e-9)[0] == pytest.approx(4 * (rc**-12 - rc**-6), rel=1e-6)


def test_force_switch_gromacs():
    # analytic (GROMACS manual, force switch): below rs the energy is plain LJ minus a constant and the
    # force is plain LJ; at rc energy and force vanish; in between the force is minus the energy slope
    rc, rs = 2.5, 2.0
    fs = LennardJones(cutoff=rc, mode="force-switched", switch_distance=rs)
    plain = LennardJones(cutoff=rc)
    r = np.array([1.0, 1.3, 1.9])
    diff = fs.pair_energy(r) - plain.pair_energy(r)
    assert np.ptp(diff) < 1e-12 and diff[0] != 0
    assert abs(fs.pair_energy(rc - 1e-9)[0]) < 1e-12
    h = 1e-6
    slope_rc = (fs.pair_energy(rc - h)[0] - fs.pair_energy(rc - 2 * h)[0]) / h
    assert abs(slope_rc) < 1e-8
    with pytest.raises(InputError, match="LennardJones only"):
        Morse(1.0, 1.0, 1.0, cutoff=2.0, mode="force-switched", switch_distance=1.5)


def test_tabulated_and_custom_reproduce_lj():
    # reference: the analytic LJ force field on the same configuration (table: O(dr^4) Hermite error)
    s = perturbed_fcc(3, density=0.8)
    rc = 2.0
    ref = ForceField(LennardJones(cutoff=rc, mode="shifted")).compute(s, virial=True)
    r = np.linspace(0.7, rc, 4000)
    tab = TabulatedPair(r, 4 * (r**-12 - r**-6), 4 * (-12 * r**-13 + 6 * r**-7), mode="shifted")
    res = ForceField(tab).compute(s, virial=True)
    assert res.energy == pytest.approx(ref.energy, rel=1e-9)
    assert np.max(np.abs(res.forces - ref.forces)) < 1e-7 * np.max(np.abs(ref.forces))

    @njit
    def lj_fn(r, p):
        sr6 = (p[1] / r) ** 6
        return 4 * p[0] * (sr6 * sr6 - sr6), 4 * p[0] * (-12 * sr6 * sr6 + 6 * sr6) / r

    cus = ForceField(CustomPair(lj_fn, [1.0, 1.0], cutoff=rc, mode="shifted")).compute(s, virial=True)
    assert cus.energy == pytest.approx(ref.energy, rel=1e-12)
    assert np.max(np.abs(cus.forces - ref.forces)) < 1e-10 * np.max(np.abs(ref.forces))
    assert np.max(np.abs(cus.virial - ref.virial)) < 1e-10 * np.max(np.abs(ref.virial))


def test_several_forces_sum():
    # reference: energies and forces of a sum equal the sum of separately computed terms
    s = perturbed_fcc(3, density=0.8)
    a, b = LennardJones(cutoff=2.0, name="lj"), Morse(0.3, 1.5, 1.2, cutoff=2.4, name="morse")
    ra = ForceField(a).compute(s)
    rb = ForceField(b).compute(s)
    rab = ForceField([a, b]).compute(s)
    assert rab.energy == pytest.approx(ra.energy + rb.energy, rel=1e-13)
    assert np.max(np.abs(rab.forces - ra.forces - rb.forces)) < 1e-12
    assert set(rab.terms) == {"lj", "morse"}


def test_kernel_pair_functions_against_numpy():
    # reference: closed forms of Morse and Buckingham and their derivatives written in numpy
    r = np.array([0.9, 1.3, 2.0])
    tab = np.zeros((1, 2))
    for kind, p, u_ref, du_ref in [
        (K.MORSE, (1.2, 2.0, 1.1), lambda r: 1.2 * (np.exp(-4 * (r - 1.1)) - 2 * np.exp(-2 * (r - 1.1))),
         lambda r: 1.2 * (-4 * np.exp(-4 * (r - 1.1)) + 4 * np.exp(-2 * (r - 1.1)))),
        (K.BUCKINGHAM, (500.0, 0.2, 2.0), lambda r: 500 * np.exp(-r / 0.2) - 2 / r**6,
         lambda r: -2500 * np.exp(-r / 0.2) + 12 / r**7),
    ]:
        for ri in r:
            u, g = K.pair_function(kind, ri * ri, *p, 0.0, tab, tab)
            assert u == pytest.approx(u_ref(ri), rel=1e-13)
            assert -g * ri == pytest.approx(du_ref(ri), rel=1e-12)


def test_bad_input_raises():
    with pytest.raises(InputError, match="mode"):
        LennardJones(cutoff=2.5, mode="cut")
    with pytest.raises(InputError, match="switch_distance"):
        LennardJones(cutoff=2.5, mode="switched", switch_distance=3.0)
    with pytest.raises(InputError, match="sigma"):
        LennardJones(1.0, -1.0, cutoff=2.5)
    s = perturbed_fcc(3, density=0.8)
    with pytest.raises(InputError, match="half the smallest box width"):
        ForceField(LennardJones(cutoff=3.0)).compute(s)
    with pytest.raises(InputError, match="atom types"):
        ForceField(LennardJones([1.0, 1.0], [1.0, 1.0], cutoff=2.0)).compute(perturbed_fcc(3, types=np.arange(108) % 3))


def test_lj_sorted_path_thread_count_independent():
    # reference: the same run at 1 and 2 numba threads must give bit-identical trajectories (fixed row
    # blocks, no atomics); N > PARALLEL_MIN_ATOMS so that the parallel kernels run
    import numba

    from molecular import MDSimulation, VelocityVerlet, lattice

    out = []
    for t in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(t)
        s = lattice("fcc", 10, density=0.8442).set_velocities(1.44, seed=5, kB=1.0)
        sim = MDSimulation(s, LennardJones(cutoff=2.5), VelocityVerlet(kB=1.0), dt=0.005, skin=0.3)
        sim.run(steps=12, progress=False)
        out.append((s.positions.copy(), sim.forcefield.compute(s, virial=True)))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(out[0][0], out[1][0])
    assert out[0][1].energy == out[1][1].energy and np.array_equal(out[0][1].virial, out[1][1].virial)
