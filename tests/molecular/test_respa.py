"""r-RESPA multiple time stepping: equivalence with velocity Verlet, energy conservation, resonance, restarts."""

import numpy as np
import pytest

from mindscience.errors import InputError
from molecular import MDSimulation, MonteCarloBarostat, System, VelocityVerlet, lattice
from molecular.forces import HarmonicBond, HarmonicTrap, LennardJones, LJExceptions
from molecular.integrators.respa import RESPA

K_BOND = 2000.0  # reduced units: dimer reduced mass 1/2, so omega = sqrt(2 k) = 63.2, period 0.0993
RATIO_ONE_ATOL = 1e-10  # nm: round-off (kicks summed force by force) amplified over 200 steps
RESPA4_MAX_DEV = 2e-3  # max |E(t) - E(0)| per atom over 400 outer steps of 0.004 (measured 8e-4)


def dimer_fluid(cells=2, density=0.3, bond=1.0, seed=1, min_distance=1.0):
    """LJ dimers (harmonic bond r0 = 1 sigma) at fcc molecule sites, random orientations, no close contacts."""
    c = lattice("fcc", cells, density=density)
    box = c.box.h[0, 0]
    rng = np.random.default_rng(seed)
    placed = []
    for x0 in c.positions:
        for _ in range(1000):
            u = rng.standard_normal(3)
            u /= np.linalg.norm(u)
            pair = np.array([x0 - 0.5 * bond * u, x0 + 0.5 * bond * u])
            if not placed:
                break
            d = pair[:, None] - np.array(placed)[None]
            d -= box * np.round(d / box)
            if np.linalg.norm(d, axis=-1).min() > min_distance:
                break
        placed.extend(pair)
    n = len(c.positions)
    bonds = np.stack([2 * np.arange(n), 2 * np.arange(n) + 1], 1)
    s = System(np.array(placed), masses=1.0, box=c.box.h.copy())
    return s.set_velocities(1.0, seed=3, kB=1.0), bonds


def _forces(bonds):
    lj = LennardJones(cutoff=2.2, mode="shifted")
    return [HarmonicBond(bonds, k=K_BOND, r0=1.0), lj, LJExceptions(lj, exclusions=bonds)]


def _run(make_integrator, dt, steps, report=False):
    s, bonds = dimer_fluid()
    fs = _forces(bonds)
    sim = MDSimulation(s, fs, make_integrator(fs), dt=dt)
    energies = []
    for _ in range(steps if report else 1):
        sim.run(steps=1 if report else steps, progress=False)
        energies.append(sim.state("conserved_energy")["conserved_energy"])
    return sim, np.array(energies)


def test_ratio_one_equals_velocity_verlet():
    # reference: velocity Verlet with the same forces; r-RESPA with all ratios 1 is the same map
    vv, _ = _run(lambda fs: VelocityVerlet(kB=1.0), 0.002, 200)
    r1, _ = _run(lambda fs: RESPA([fs[0], fs[1:]], ratios=1, kB=1.0), 0.002, 200)
    np.testing.assert_allclose(r1.system.positions, vv.system.positions, rtol=0, atol=RATIO_ONE_ATOL)
    np.testing.assert_allclose(r1.system.velocities, vv.system.velocities, rtol=0, atol=100 * RATIO_ONE_ATOL)
    single, _ = _run(lambda fs: RESPA([fs], ratios=[], kB=1.0), 0.002, 200)
    np.testing.assert_allclose(single.system.positions, vv.system.positions, rtol=0, atol=RATIO_ONE_ATOL)


def test_ratio_four_conserves_energy_on_bonded_fluid():
    # reference: the exact dynamics conserve K + U; bound stated in RESPA4_MAX_DEV, and RESPA must beat
    # velocity Verlet at the same outer step (whose bond vibration is resolved with only 25 steps/period)
    dt = 0.004
    sim, e = _run(lambda fs: RESPA([fs[0], fs[1:]], ratios=4, kB=1.0), dt, 400, report=True)
    n = sim.system.n_atoms
    dev = np.abs(e - e[0]).max() / n
    _, e_vv = _run(lambda fs: VelocityVerlet(kB=1.0), dt, 400, report=True)
    dev_vv = np.abs(e_vv - e_vv[0]).max() / n
    assert dev < RESPA4_MAX_DEV, dev
    assert dev < 0.5 * dev_vv, (dev, dev_vv)


def test_ratio_one_with_monte_carlo_barostat_equals_velocity_verlet():
    # reference: velocity Verlet + the same Monte Carlo barostat (same seed); accepted volume moves replace
    # the forces, so RESPA must recompute its per-level forces before the next step
    runs = []
    for make in (lambda fs: VelocityVerlet(kB=1.0), lambda fs: RESPA([fs[0], fs[1:]], ratios=1, kB=1.0)):
        s, bonds = dimer_fluid()
        fs = _forces(bonds)
        baro = MonteCarloBarostat(0.5, 1.0, frequency=5, seed=4, kB=1.0)
        sim = MDSimulation(s, fs, make(fs), dt=0.002, barostat=baro)
        sim.run(steps=100, progress=False)
        runs.append((sim, baro.accepted))
    (vv, acc_vv), (r1, acc_r1) = runs
    assert acc_vv == acc_r1 > 0
    np.testing.assert_allclose(r1.system.box.h, vv.system.box.h, rtol=1e-12)
    np.testing.assert_allclose(r1.system.positions, vv.system.positions, rtol=0, atol=RATIO_ONE_ATOL)


def _traps_atom(k_levels, x0=(0.3, 0.0, 0.0)):
    s = System([x0], masses=1.0)
    return s, [HarmonicTrap(k, np.zeros((1, 3))) for k in k_levels]


def _trap_energy_growth(dt, ratio, steps=400):
    # one atom in a stiff (fast) and a soft (slow) harmonic trap; max |E - E0| / E0
    s, (fast, slow) = _traps_atom([400.0, 4.0])
    integ = RESPA([fast, slow], ratios=ratio, kB=1.0)
    sim = MDSimulation(s, [fast, slow], integ, dt=dt)
    e0 = sim.state("total_energy")["total_energy"]
    dev = 0.0
    for _ in range(steps):
        sim.run(steps=1, progress=False)
        dev = max(dev, abs(sim.state("total_energy")["total_energy"] - e0) / e0)
    return dev


def test_resonance_at_half_the_fast_period():
    # reference: the impulse method's linear stability analysis (Schlick et al. 1998): the slow
    # impulses every dt resonate with the fast oscillator when omega_fast dt = pi (dt = T_fast / 2);
    # the inner step is kept at T_fast / 40 in both runs
    period = 2 * np.pi / np.sqrt(400.0)  # of the fast trap alone, which the inner steps integrate
    safe = _trap_energy_growth(0.3 * period, ratio=12)
    resonant = _trap_energy_growth(0.5 * period, ratio=20)
    assert safe < 0.05, safe
    assert resonant > 1.0, resonant  # energy at least doubled: exponential growth


def test_three_levels_conserve_energy():
    # reference: exact conservation of K + U for three traps (periods 0.063, 0.63, 6.3); 3 levels with
    # ratios (4, 4) keep each level's step below a tenth of its period; error O(dt^2) < 1e-3 relative
    s, traps = _traps_atom([1e4, 100.0, 1.0], x0=(0.1, 0.05, 0.0))
    s.velocities[:] = [[0.0, 1.0, 0.5]]
    sim = MDSimulation(s, traps, RESPA([[t] for t in traps], ratios=[4, 4], kB=1.0), dt=0.02)
    e0 = sim.state("total_energy")["total_energy"]
    dev = 0.0
    for _ in range(300):
        sim.run(steps=1, progress=False)
        dev = max(dev, abs(sim.state("total_energy")["total_energy"] - e0) / e0)
    assert dev < 1e-2, dev


def test_checkpoint_restart_is_bit_identical(tmp_path):
    # reference: the uninterrupted run; the restart recomputes each level's forces from the same state
    def make():
        s, bonds = dimer_fluid()
        fs = _forces(bonds)
        return MDSimulation(s, fs, RESPA([fs[0], fs[1:]], ratios=4, kB=1.0), dt=0.004)

    sim = make()
    sim.run(steps=37, progress=False)
    sim.checkpoint(tmp_path / "respa.h5")
    sim.run(steps=41, progress=False)
    other = make()
    other.restore(tmp_path / "respa.h5")
    other.run(steps=41, progress=False)
    assert np.array_equal(other.system.positions, sim.system.positions)
    assert np.array_equal(other.system.velocities, sim.system.velocities)
    assert sim.state("conserved_energy") == other.state("conserved_energy")


def test_bad_groups_raise_input_error():
    s, bonds = dimer_fluid()
    fs = _forces(bonds)
    with pytest.raises(InputError, match="ratios"):
        RESPA([fs[0], fs[1:]], ratios=0)
    with pytest.raises(InputError, match="ratios has 2 entries"):
        RESPA([fs[0], fs[1:]], ratios=[2, 2])
    with pytest.raises(InputError, match="in no level"):
        MDSimulation(s, fs, RESPA([fs[0], fs[1]], ratios=2, kB=1.0), dt=0.004)
    with pytest.raises(InputError, match="exactly one level"):
        MDSimulation(s, fs, RESPA([fs, fs[0]], ratios=2, kB=1.0), dt=0.004)
