"""Validation figures of the molecular suite's integrators (the numbers the tests assert, printed).

NVE velocity Verlet on an LJ liquid (N = 500, rho* = 0.8, T* ~ 1, dt* = 0.005, shifted-force
rc = 2.5): energy drift per atom over 1e4 steps and the dt^2 scaling of the energy fluctuations;
Nose-Hoover-chain conserved-quantity drift; kinetic-energy mean and variance under Langevin,
NHC and Bussi versus the canonical values ndof kT/2 and ndof (kT)^2/2 (block-averaged errors).

Run: ``python benchmarks/md_validation.py`` (a few minutes).
"""

import numpy as np

from molecular import Bussi, LangevinBAOAB, LennardJones, MDSimulation, NoseHooverChain, VelocityVerlet, lattice
from molecular.analysis import block_average
from molecular.reporters import ThermoReporter


def series(sim, steps, every, name):
    rep = ThermoReporter(every, quantities=(name,))
    sim.run(steps=steps, reporters=[rep], progress=False)
    return rep.data["time"], rep.data[name]


def drift(t, e, n):
    return abs(np.polyfit(t, e, 1)[0]) * (t[-1] - t[0]) / n


def main():
    s = lattice("fcc", 5, density=0.8).set_velocities(2.0, seed=11, kB=1.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.5, mode="shifted-force"), VelocityVerlet(kB=1.0), dt=0.005)
    sim.run(steps=500, progress=False)
    t, e = series(sim, 10_000, 50, "total_energy")
    _, temp = series(sim, 1000, 50, "temperature")
    print(f"NVE N=500 dt*=0.005, 1e4 steps: drift {drift(t, e, 500):.2e} per atom (limit 1e-4), "
          f"fluctuation (ptp) {np.ptp(e) / 500:.2e} per atom, T* = {temp.mean():.3f}")
    rms = {}
    for dt in (0.004, 0.002):
        s = lattice("fcc", 3, density=0.8).set_velocities(1.5, seed=3, kB=1.0)
        sim = MDSimulation(s, LennardJones(cutoff=2.0, mode="switched", switch_distance=1.6),
                           VelocityVerlet(kB=1.0), dt=dt)
        sim.run(steps=int(round(0.2 / dt)), progress=False)
        rms[dt] = np.std(series(sim, int(round(0.6 / dt)), int(round(0.004 / dt)), "total_energy")[1])
    print(f"energy fluctuation ratio rms(dt=0.004)/rms(dt=0.002) = {rms[0.004] / rms[0.002]:.2f} (dt^2: 4)")
    s = lattice("fcc", 4, density=0.8).set_velocities(2.0, seed=11, kB=1.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.5, mode="shifted-force"), NoseHooverChain(1.0, tau=0.5, kB=1.0),
                       dt=0.005)
    sim.run(steps=500, progress=False)
    t, e = series(sim, 10_000, 50, "conserved_energy")
    print(f"NHC N=256 1e4 steps: conserved-quantity drift {drift(t, e, 256):.2e} per atom (limit 1e-4)")
    T = 1.5
    for name in ("langevin", "nhc", "bussi"):
        s = lattice("fcc", (2, 2, 4), density=0.8).set_velocities(T, seed=2, kB=1.0)
        integ = {"langevin": LangevinBAOAB(T, friction=2.0, seed=4, kB=1.0),
                 "nhc": NoseHooverChain(T, tau=0.2, kB=1.0),
                 "bussi": Bussi(T, tau=0.1, seed=4, kB=1.0)}[name]
        sim = MDSimulation(s, LennardJones(cutoff=1.7, mode="shifted-force"), integ, dt=0.005)
        sim.run(steps=1000, progress=False)
        _, k = series(sim, 40_000, 10, "kinetic_energy")
        mref, vref = 0.5 * integ.ndof * T, 0.5 * integ.ndof * T**2
        m, me = block_average(k, 20)
        v, ve = block_average((k - mref) ** 2, 20)
        print(f"{name:8s} N=64: <K> = {m:.3f} +- {me:.3f} (canonical {mref:.3f}); var K = {v:.2f} +- {ve:.2f} "
              f"(canonical {vref:.2f})")


if __name__ == "__main__":
    main()
