"""r-RESPA multiple time stepping: energy error against the outer step (the resonance limit) and cost.

System: 108 LJ dimers (216 atoms, reduced units), harmonic bonds ``k = 50000, r0 = 1`` (fast level,
period ``T_fast = 2 pi / sqrt(2 k) = 0.0199``, stiff so that the LJ forces stay well resolved at
``dt = T_fast / 2``), shifted LJ ``rc = 2.5`` with the bonded pairs excluded (slow level), T* ~ 1.
For each outer step ``dt`` (as a fraction of ``T_fast``) the inner step is kept near ``T_fast / 40``
and the run covers the same simulated time; printed: the drift (slope of ``E(t)``, times the run
length) and the maximum deviation of ``E`` per atom. The drift stays small up
to ``dt ~ T_fast / 3`` and jumps by orders of magnitude at ``dt = T_fast / 2`` (the linear
resonance of the impulse method), documented in :class:`molecular.integrators.respa.RESPA`.

Then the cost: velocity Verlet at the inner step against RESPA with ratio 4 (same energy accuracy
for the bonds, a quarter of the LJ evaluations), medians of interleaved repeats.

Run: ``NUMBA_NUM_THREADS=1 python benchmarks/md_respa.py`` (about two minutes).
"""

import os
import time

import numpy as np

from molecular import MDSimulation, System, VelocityVerlet, lattice
from molecular.forces import HarmonicBond, LennardJones, LJExceptions
from molecular.integrators.respa import RESPA
from molecular.reporters import ThermoReporter

K_BOND = 50000.0
T_FAST = 2 * np.pi / np.sqrt(2 * K_BOND)


def dimer_fluid(cells=3, density=0.3, bond=1.0, seed=1, min_distance=1.0):
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


def make(kind, dt, ratio=1):
    s, bonds = dimer_fluid()
    lj = LennardJones(cutoff=2.5, mode="shifted")
    fs = [HarmonicBond(bonds, k=K_BOND, r0=1.0), lj, LJExceptions(lj, exclusions=bonds)]
    integ = VelocityVerlet(kB=1.0) if kind == "verlet" else RESPA([fs[0], fs[1:]], ratios=ratio, kB=1.0)
    return MDSimulation(s, fs, integ, dt=dt)


def energy_error(sim, time_total, n_points=200):
    steps = max(n_points, int(round(time_total / sim.dt)))
    rep = ThermoReporter(max(1, steps // n_points), quantities=("conserved_energy",))
    sim.run(steps=steps, reporters=[rep], progress=False)
    t, e = np.asarray(rep.data["time"]), np.asarray(rep.data["conserved_energy"])
    n = sim.system.n_atoms
    drift = abs(np.polyfit(t, e, 1)[0]) * (t[-1] - t[0]) / n
    return drift, np.abs(e - e[0]).max() / n


def main():
    print(f"load: {os.getloadavg()}")
    print(f"T_fast = {T_FAST:.4f} (bond period); run length 2.0 reduced time units; inner step ~ T_fast/40")
    print(f"{'dt/T_fast':>10} {'dt':>8} {'ratio':>6} {'drift/atom':>12} {'max|dE|/atom':>13}")
    for frac in (0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        dt = frac * T_FAST
        ratio = max(1, int(round(40 * frac)))
        try:
            drift, dev = energy_error(make("respa", dt, ratio), 2.0)
        except Exception as exc:  # a resonant run may diverge
            drift = dev = float("inf")
            print(f"  ({type(exc).__name__}: {exc})")
        print(f"{frac:10.2f} {dt:8.4f} {ratio:6d} {drift:12.2e} {dev:13.2e}")
    inner = T_FAST / 40
    print(f"\nvelocity Verlet at dt = T_fast/40 = {inner:.4f} vs RESPA(dt = T_fast/10, ratio 4), 1.0 time unit")
    for kind, dt, ratio in (("verlet", inner, 1), ("respa", 4 * inner, 4), ("verlet", 4 * inner, 1)):
        drift, dev = energy_error(make(kind, dt, ratio), 1.0)
        print(f"  {kind:7s} dt={dt:.4f}: drift/atom {drift:.2e}, max|dE|/atom {dev:.2e}")
    times = {"verlet": [], "respa": []}
    steps_time = 0.5
    for _ in range(3):
        for kind, dt, ratio in (("verlet", inner, 1), ("respa", 4 * inner, 4)):
            sim = make(kind, dt, ratio)
            sim.run(steps=20, progress=False)
            t0 = time.perf_counter()
            sim.run(steps=int(round(steps_time / dt)), progress=False)
            times[kind].append(time.perf_counter() - t0)
    tv, tr = np.median(times["verlet"]), np.median(times["respa"])
    print(f"  wall time for {steps_time} time units (median of 3): verlet {tv:.2f} s, respa {tr:.2f} s, "
          f"speed-up {tv / tr:.2f}x; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
