"""Integrators: NVE drift and dt^2 scaling, time reversibility, canonical kinetic-energy
distributions (Langevin, NHC, Bussi), NHC conserved quantity, Brownian diffusion, MC barostat."""

import numpy as np
import pytest

from molecular import (
    Berendsen,
    Brownian,
    Bussi,
    ForceField,
    HarmonicTrap,
    LangevinBAOAB,
    LangevinPiston,
    LennardJones,
    MDSimulation,
    MonteCarloBarostat,
    NoseHooverChain,
    System,
    VelocityVerlet,
    lattice,
)
from molecular.analysis import block_average

DRIFT_TOL = 1e-4  # issue 4: |energy drift| per atom over 1e4 steps (reduced units)


def lj_liquid(cells=5, density=0.8, temperature=2.0, seed=11):
    """fcc start melted by hot velocities; N = 4 cells^3."""
    s = lattice("fcc", cells, density=density)
    return s.set_velocities(temperature, seed=seed, kB=1.0)


def drift_per_atom(t, e, n):
    slope = np.polyfit(t, e, 1)[0]
    return abs(slope) * (t[-1] - t[0]) / n


def run_energies(sim, steps, every, name="total_energy"):
    out = []
    sim.run(steps=steps, reporters=[_Collect(every, name, out)], progress=False)
    arr = np.array(out)
    return arr[:, 0], arr[:, 1]


class _Collect:
    def __init__(self, every, name, out):
        self.every, self.name, self.out = every, name, out

    def next_report(self, sim):
        from mindscience.engine import ReportRequest

        return ReportRequest((-sim.step_count) % self.every or (0 if not self.out or self.out[-1][2]
                                                                 != sim.step_count else self.every),
                             frozenset([self.name]))

    def report(self, sim, state):
        self.out.append((state["time"], state[self.name], state["step"]))


@pytest.mark.slow
def test_nve_energy_drift_lj500():
    # issue 4 validation: N = 500, rho* = 0.8, T* ~ 1, dt* = 0.005, shifted-force rc = 2.5, 1e4 steps
    s = lj_liquid(5, 0.8, 2.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.5, mode="shifted-force"), VelocityVerlet(kB=1.0), dt=0.005)
    sim.run(steps=500, progress=False)  # melt
    t, e = run_energies(sim, 10_000, 50)
    e = e[:, None][:, 0]
    assert drift_per_atom(t, e, 500) < DRIFT_TOL
    assert np.ptp(e) / 500 < 1e-3  # fluctuations O(dt^2) stay small
    assert 0.7 < sim.state("temperature")["temperature"] < 1.4  # the liquid state point T* ~ 1


def test_verlet_energy_error_is_second_order():
    # analytic: velocity Verlet energy fluctuations scale as dt^2 (ratio 4 for dt -> dt/2)
    rms = []
    for dt in (0.004, 0.002):
        s = lj_liquid(3, 0.8, 1.5, seed=3)
        sim = MDSimulation(s, LennardJones(cutoff=2.0, mode="switched", switch_distance=1.6),
                           VelocityVerlet(kB=1.0), dt=dt)
        sim.run(steps=int(round(0.2 / dt)), progress=False)
        _, e = run_energies(sim, int(round(0.6 / dt)), int(round(0.004 / dt)))
        rms.append(np.std(e))
    assert 3.2 < rms[0] / rms[1] < 4.8


@pytest.mark.parametrize("make", [lambda: VelocityVerlet(kB=1.0),
                                  lambda: NoseHooverChain(1.0, tau=0.2, kB=1.0)], ids=["verlet", "nhc"])
def test_time_reversibility(make):
    # reference: exact reversibility of the symmetric splittings (ASE test_nose_hoover_chain)
    s = lj_liquid(3, 0.8, 1.5, seed=5)
    integ = make()
    sim = MDSimulation(s, LennardJones(cutoff=2.0, mode="shifted-force"), integ, dt=0.004)
    sim.run(steps=50, progress=False)
    x0, v0 = s.positions.copy(), s.velocities.copy()
    sim.run(steps=100, progress=False)
    s.velocities *= -1
    if isinstance(integ, NoseHooverChain):
        integ.vxi *= -1
    sim.run(steps=100, progress=False)
    assert np.max(np.abs(s.positions - x0)) < 1e-9
    assert np.max(np.abs(s.velocities + v0)) < 1e-9


@pytest.mark.slow
def test_nose_hoover_conserved_quantity_drift():
    # issue 4 validation: NHC conserved quantity drifts < 1e-4 per atom over 1e4 steps
    s = lj_liquid(4, 0.8, 2.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.5, mode="shifted-force"),
                       NoseHooverChain(1.0, tau=0.5, kB=1.0), dt=0.005)
    sim.run(steps=500, progress=False)
    t, e = run_energies(sim, 10_000, 50, "conserved_energy")
    assert drift_per_atom(t, e, s.n_atoms) < DRIFT_TOL


@pytest.mark.parametrize("name", ["langevin", "nhc", "bussi"])
def test_canonical_kinetic_energy_distribution(name):
    # analytic: in the canonical ensemble K is Gamma-distributed with mean ndof kT/2 and
    # variance ndof (kT)^2 / 2; error bars from block averages (Flyvbjerg-Petersen)
    T = 1.5
    s = lattice("fcc", (2, 2, 4), density=0.8).set_velocities(T, seed=2, kB=1.0)
    integ = {"langevin": LangevinBAOAB(T, friction=2.0, seed=4, kB=1.0),
             "nhc": NoseHooverChain(T, tau=0.2, kB=1.0),
             "bussi": Bussi(T, tau=0.1, seed=4, kB=1.0)}[name]
    sim = MDSimulation(s, LennardJones(cutoff=1.7, mode="shifted-force"), integ, dt=0.005)
    sim.run(steps=1000, progress=False)
    _, k = run_energies(sim, 12_000, 10, "kinetic_energy")
    ndof = integ.ndof
    mean_ref, var_ref = 0.5 * ndof * T, 0.5 * ndof * T**2
    m, m_err = block_average(k, n_blocks=20)
    v, v_err = block_average((k - mean_ref) ** 2, n_blocks=20)
    assert abs(m - mean_ref) < 4 * m_err + 1e-3 * mean_ref, (m, m_err, mean_ref)
    assert abs(v - var_ref) < 4 * v_err + 0.02 * var_ref, (v, v_err, var_ref)


def test_langevin_harmonic_positions_boltzmann():
    # analytic: independent oscillators k x^2/2: <x^2> = kT/k per coordinate; BAOAB samples
    # harmonic positions exactly for any dt
    n, kspring, T = 400, 50.0, 2.0
    s = System(np.zeros((n, 3)), masses=1.0, box=None)
    sim = MDSimulation(s, HarmonicTrap(kspring, np.zeros((n, 3))), LangevinBAOAB(T, 5.0, seed=1, kB=1.0), dt=0.05)
    sim.run(steps=200, progress=False)
    x2 = []
    for _ in range(200):
        sim.run(steps=5, progress=False)
        x2.append(np.mean(s.positions**2))
    m, err = block_average(np.array(x2), n_blocks=10)
    assert abs(m - T / kspring) < 4 * err + 0.005 * T / kspring


def test_brownian_free_diffusion():
    # analytic: free Brownian motion, MSD = 6 D t with D = kT / (m gamma)
    n, T, gamma, dt, steps = 2000, 1.5, 4.0, 0.01, 100
    s = System(np.zeros((n, 3)), masses=2.0, box=None)
    sim = MDSimulation(s, HarmonicTrap(0.0, np.zeros((n, 3))), Brownian(T, gamma, seed=3, kB=1.0), dt=dt)
    sim.run(steps=steps, progress=False)
    msd = np.mean(np.sum(s.positions**2, axis=1))
    expected = 6 * T / (2.0 * gamma) * dt * steps
    # the mean of n chi-square(3) variables: relative standard error sqrt(2/(3n))
    assert abs(msd / expected - 1) < 4 * np.sqrt(2 / (3 * n))


def test_berendsen_reaches_target_temperature():
    # reference: weak coupling relaxes T to the target with time constant tau
    s = lj_liquid(3, 0.8, 3.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.0, mode="shifted-force"), Berendsen(1.0, tau=0.05, kB=1.0), dt=0.004)
    sim.run(steps=1500, progress=False)
    _, T = run_energies(sim, 500, 5, "temperature")
    assert abs(T.mean() - 1.0) < 0.03


@pytest.mark.parametrize("anisotropic", [False, True])
def test_mc_barostat_ideal_gas_volume(anisotropic):
    # analytic: for an ideal gas in the NPT ensemble p(V) ~ V^N exp(-PV/kT), so <V> = (N+1) kT / P
    # (the anisotropic barostat scales one axis per move and samples the same volume distribution)
    n, T, P = 20, 1.0, 0.5
    rng = np.random.default_rng(0)
    s = System(rng.random((n, 3)) * 5.0, box=[5.0, 5.0, 5.0])
    trap = HarmonicTrap(0.0, np.zeros((n, 3)))
    sim = MDSimulation(s, ForceField(trap), VelocityVerlet(kB=1.0), dt=1e-6,
                       barostat=MonteCarloBarostat(P, T, frequency=1, max_volume_change=0.2, seed=1, kB=1.0,
                                                   anisotropic=anisotropic))
    vols = []
    for _ in range(400):
        sim.run(steps=50, progress=False)
        vols.append(s.volume)
    m, err = block_average(np.array(vols[40:]), n_blocks=12)
    assert abs(m - (n + 1) * T / P) < 4 * err + 0.01 * m, (m, err)
    lengths = np.diag(s.box.h)
    assert np.count_nonzero(s.box.h - np.diag(lengths)) == 0
    assert (np.ptp(lengths) > 1e-3) == anisotropic


def test_langevin_piston_holds_pressure_and_matches_mc_density():
    # reference: in the MTK isobaric ensemble the virial pressure averages to the target P; the
    # density agrees with the Monte Carlo barostat's at the same (T, P) within the block errors
    T, P = 1.5, 1.0
    out = {}
    for kind in ("piston", "mc"):
        s = lattice("fcc", 3, density=0.6).set_velocities(T, seed=1, kB=1.0)
        lj = LennardJones(cutoff=2.2, mode="shifted-force")
        if kind == "piston":
            sim = MDSimulation(s, lj, LangevinPiston(T, P, 1.0, piston_period=1.0, seed=3, kB=1.0), dt=0.005)
        else:
            sim = MDSimulation(s, lj, LangevinBAOAB(T, 1.0, seed=3, kB=1.0), dt=0.005,
                               barostat=MonteCarloBarostat(P, T, 10, seed=4, kB=1.0))
        sim.run(steps=600, progress=False)
        _, rho = run_energies(sim, 3000, 10, "density")
        out[kind] = block_average(rho, n_blocks=10)
        if kind == "piston":
            sim_p = sim
    p_mean, p_err = block_average(run_energies(sim_p, 2000, 10, "pressure")[1], n_blocks=10)
    assert abs(p_mean - P) < 4 * p_err + 0.02, (p_mean, p_err)
    (a, ea), (b, eb) = out["piston"], out["mc"]
    assert abs(a - b) < 4 * np.hypot(ea, eb) + 0.005, out
