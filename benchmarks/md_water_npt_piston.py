"""SPC/E water at 300 K and 1 bar with the constrained Langevin piston: density against the published SPC/E value.

Published SPC/E with the long-range dispersion correction: density 0.994-1.000 g/cm^3 (Berendsen et al.,
J. Phys. Chem. 91, 6269 (1987); Vega and de Miguel, J. Chem. Phys. 126, 154707 (2007): 0.994 g/cm^3 at
298 K; Mark and Nilsson, J. Phys. Chem. A 105, 9954 (2001)). Set-up as ``benchmarks/md_water_validation.py``
(rigid SPC/E with SETTLE, PME relative accuracy 5e-4, Lennard-Jones truncated at the cutoff with the analytic
dispersion correction to energy and pressure, dt = 2 fs) but NPT by
:class:`~molecular.integrators.npt.ConstrainedLangevinPiston` (molecule centres scaled by the MTK piston,
driven by the molecular pressure; Langevin 1/ps on the atoms, piston period 2 ps, piston friction 0.5/ps).
``--barostat mc`` runs the same system with Langevin + the Monte Carlo barostat (every 25 steps) instead,
for a side-by-side comparison.

The density error bar is the block-average standard error (10 blocks). The virial pressure (forces + exact
constraint forces + dispersion correction) must average to the 1 bar target within its error; the kinetic
temperature (3N - C degrees of freedom) to 300 K. Running means are printed every 5 ps, so a run stopped
early still gives a figure.

Run: ``nice -n 10 env NUMBA_NUM_THREADS=1 python benchmarks/md_water_npt_piston.py [--waters 216]
[--equil 6] [--prod 40] [--barostat piston|mc]`` (about 1 h on one loaded core for 40 ps).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from molecular.analysis import block_average  # noqa: E402
from molecular.integrators import LangevinBAOAB, MonteCarloBarostat  # noqa: E402
from molecular.integrators.npt import ConstrainedLangevinPiston  # noqa: E402
from molecular.simulation import MDSimulation  # noqa: E402
from molecular.units import BAR  # noqa: E402
from molecular.water import SPCE, solvate, water_constraints, water_forcefield  # noqa: E402

G_CM3 = 602.21407621  # amu/nm^3 per g/cm^3
PUBLISHED_DENSITY = (0.994, 1.000)
TEMPERATURE, PRESSURE = 300.0, 1.0  # K, bar


def build(waters, cutoff, seed):
    """Relaxed random SPC/E box (NVT, strong friction) and its force field."""
    v0 = waters * (15.9994 + 2 * 1.008) / (0.997 * G_CM3)
    system = solvate([v0 ** (1 / 3)] * 3, SPCE, n_waters=waters, seed=seed)
    ff = water_forcefield(system, SPCE, cutoff=cutoff, tolerance=5e-4, tail_correction=True, skin=0.1)
    system.set_velocities(TEMPERATURE, seed=seed + 1)
    relax = LangevinBAOAB(TEMPERATURE, friction=20.0, seed=seed + 2, constraints=water_constraints(system))
    MDSimulation(system, ff, relax, dt=0.001).run(steps=600, progress=False)
    return system, ff


def npt_simulation(system, ff, barostat, seed, dt):
    if barostat == "piston":
        integ = ConstrainedLangevinPiston(TEMPERATURE, PRESSURE * BAR, friction=1.0, piston_period=2.0,
                                          constraints=water_constraints(system), seed=seed + 3)
        return MDSimulation(system, ff, integ, dt=dt)
    integ = LangevinBAOAB(TEMPERATURE, friction=1.0, seed=seed + 3, constraints=water_constraints(system))
    baro = MonteCarloBarostat(PRESSURE * BAR, TEMPERATURE, frequency=25, seed=seed + 4)
    return MDSimulation(system, ff, integ, dt=dt, barostat=baro)


def summary(series):
    return {k: block_average(np.array(v), n_blocks=10) for k, v in series.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--waters", type=int, default=216)
    ap.add_argument("--cutoff", type=float, default=0.9)
    ap.add_argument("--equil", type=float, default=6.0, help="NPT equilibration, ps")
    ap.add_argument("--prod", type=float, default=40.0, help="NPT production, ps")
    ap.add_argument("--barostat", choices=("piston", "mc"), default="piston")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    dt, sample = 0.002, 50  # ps, steps between samples (0.1 ps)
    t0 = time.time()
    print(f"# {args.waters} SPC/E waters, cutoff {args.cutoff} nm, PME 5e-4, LJ dispersion correction, "
          f"{args.barostat} barostat, {TEMPERATURE:g} K, {PRESSURE:g} bar, dt {dt * 1e3:g} fs, "
          f"{args.equil} + {args.prod} ps", flush=True)
    system, ff = build(args.waters, args.cutoff, args.seed)
    sim = npt_simulation(system, ff, args.barostat, args.seed, dt)
    sim.run(steps=int(round(args.equil / dt)), progress=False)
    mass = system.masses.sum()
    print(f"# relaxed + {args.equil} ps NPT in {time.time() - t0:.0f} s, density {mass / system.volume / G_CM3:.4f}",
          flush=True)
    series = {"density": [], "temperature": [], "pressure": []}
    t1 = time.time()
    n = int(round(args.prod / dt)) // sample
    for k in range(n):
        sim.run(steps=sample, progress=False)
        st = sim.state("volume", "temperature", "pressure")
        series["density"].append(mass / st["volume"] / G_CM3)
        series["temperature"].append(st["temperature"])
        series["pressure"].append(st["pressure"] / BAR)
        if (k + 1) % 50 == 0:
            s = summary(series)
            print(f"  {(k + 1) * sample * dt:6.1f} ps: density {s['density'][0]:.4f} +- {s['density'][1]:.4f}, "
                  f"T {s['temperature'][0]:.1f} +- {s['temperature'][1]:.1f} K, "
                  f"P {s['pressure'][0]:.0f} +- {s['pressure'][1]:.0f} bar, "
                  f"{1e3 * (time.time() - t1) / ((k + 1) * sample):.1f} ms/step", flush=True)
    s = summary(series)
    rho, rho_err = s["density"]
    print(f"temperature {s['temperature'][0]:.2f} +- {s['temperature'][1]:.2f} K (3N - C degrees of freedom); "
          f"virial pressure {s['pressure'][0]:.1f} +- {s['pressure'][1]:.1f} bar (target {PRESSURE:g})")
    print(f"wall time {time.time() - t0:.0f} s ({args.prod} ps production)")
    ok = abs(rho - np.clip(rho, *PUBLISHED_DENSITY)) < 2 * rho_err  # in the published range within 2 s.e.
    print(f"SPC/E density at 300 K, 1 bar ({args.barostat}): {rho:.4f} +- {rho_err:.4f} g/cm^3 "
          f"(published {PUBLISHED_DENSITY[0]}-{PUBLISHED_DENSITY[1]}) {'PASS' if ok else 'CHECK'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
