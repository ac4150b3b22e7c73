"""SPC/E water at 300 K and 1 bar (NPT): density and first O-O RDF peak against the published SPC/E values.

Published SPC/E with the long-range dispersion correction: density 0.994-1.000 g/cm^3 and first O-O
g(r) peak at 0.273-0.277 nm (Berendsen et al., J. Phys. Chem. 91, 6269 (1987); Vega and de Miguel,
J. Chem. Phys. 126, 154707 (2007): 0.994 g/cm^3 at 298 K; Mark and Nilsson, J. Phys. Chem. A 105,
9954 (2001)). Set-up: rigid SPC/E (SETTLE), PME (relative accuracy 5e-4), Lennard-Jones truncated
at the cutoff with the analytic dispersion correction to energy and pressure, Langevin (g-BAOAB,
1/ps) with a Monte Carlo barostat (every 25 steps, molecule centres scaled), dt = 2 fs.

The density error bar is the block-average standard error (10 blocks); the RDF peak is located by
a parabola through the histogram maximum and its neighbours, with the spread over 5 blocks.
The pressure from the virial (forces + constraint forces + dispersion correction) is printed as a
consistency check (it should average to the barostat's 1 bar within its large error).

Run: ``NUMBA_NUM_THREADS=1 python benchmarks/md_water_validation.py [--waters 216] [--replicas 2] [--equil 6]
[--prod 40]`` (about 50 min on two loaded cores; 2 x 40 ps gives a density standard error near 0.003 g/cm^3).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from molecular.analysis import block_average  # noqa: E402
from molecular.integrators import LangevinBAOAB, MonteCarloBarostat  # noqa: E402
from molecular.neighbors import NeighborList  # noqa: E402
from molecular.simulation import MDSimulation  # noqa: E402
from molecular.system import Box, System  # noqa: E402
from molecular.thermo import kinetic_tensor  # noqa: E402
from molecular.units import BAR  # noqa: E402
from molecular.water import SPCE, solvate, water_constraints, water_forcefield  # noqa: E402

G_CM3 = 602.21407621  # amu/nm^3 per g/cm^3
PUBLISHED_DENSITY = (0.994, 1.000)
PUBLISHED_PEAK = (0.273, 0.277)


def mass_density(system):
    return system.masses.sum() / system.volume / G_CM3


def oo_histogram(frames, boxes, r_max, bins):
    """Accumulated O-O pair histogram and ideal-gas normalisation over frames."""
    edges = np.linspace(0.0, r_max, bins + 1)
    hist = np.zeros(bins)
    ideal = 0.0
    nl = NeighborList(cutoff=r_max, skin=0.0)
    for x, h in zip(frames, boxes):
        nl.invalidate()
        _, _, r = nl.pairs(System(x, box=Box(h)))
        hist += np.histogram(r, bins=edges)[0]
        n = len(x)
        ideal += n * (n - 1) / 2 / Box(h).volume
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    return 0.5 * (edges[1:] + edges[:-1]), hist / (ideal * shell)


def peak_position(r, g):
    """First-peak position, nm: vertex of the parabola through the maximum of g and its two neighbours."""
    k = int(np.argmax(g))
    y0, y1, y2 = g[k - 1], g[k], g[k + 1]
    dr = r[1] - r[0]
    return r[k] + 0.5 * dr * (y0 - y2) / (y0 - 2 * y1 + y2), g[k]


def run_replica(waters, cutoff, equil, prod, seed):
    """One NPT trajectory: returns densities, temperatures, pressures, potential energies and O frames."""
    t0 = time.time()
    dt, sample = 0.002, 50  # ps, steps between samples (0.1 ps)
    v0 = waters * (15.9994 + 2 * 1.008) / (0.997 * G_CM3)
    system = solvate([v0 ** (1 / 3)] * 3, SPCE, n_waters=waters, seed=seed)
    ff = water_forcefield(system, SPCE, cutoff=cutoff, tolerance=5e-4, tail_correction=True, skin=0.1)
    system.set_velocities(300.0, seed=seed + 1)
    # relax the random start: strong friction and a short step, NVT
    relax = LangevinBAOAB(300.0, friction=20.0, seed=seed + 2, constraints=water_constraints(system))
    MDSimulation(system, ff, relax, dt=0.001).run(steps=600, progress=False)
    integ = LangevinBAOAB(300.0, friction=1.0, seed=seed + 3, constraints=water_constraints(system))
    baro = MonteCarloBarostat(1.0 * BAR, 300.0, frequency=25, seed=seed + 4)
    sim = MDSimulation(system, ff, integ, dt=dt, barostat=baro)
    sim.run(steps=int(round(equil / dt)), progress=False)
    print(f"# seed {seed}: relaxed + {equil} ps NPT in {time.time() - t0:.0f} s, density {mass_density(system):.4f}",
          flush=True)
    oxy = np.flatnonzero(np.asarray(system.topology.names) == "OW")
    out = {k: [] for k in ("density", "temperature", "pressure", "energy", "frames", "boxes")}
    t1 = time.time()
    n = int(round(prod / dt)) // sample
    for k in range(n):
        sim.run(steps=sample, progress=False)
        out["density"].append(mass_density(system))
        out["temperature"].append(sim.state("temperature")["temperature"])
        res = ff.compute(system, virial=True)
        w = res.virial + integ.constraint_virial  # exact constraint forces at this state
        out["pressure"].append(np.trace(kinetic_tensor(system.masses, system.velocities) + w)
                               / (3 * system.volume) / BAR)
        out["energy"].append(res.energy / waters)
        out["frames"].append(system.positions[oxy].copy())
        out["boxes"].append(system.box.h.copy())
        if (k + 1) % 50 == 0:
            d = np.array(out["density"])
            print(f"  seed {seed} {(k + 1) * sample * dt:6.1f} ps: density {d.mean():.4f}, "
                  f"T {np.mean(out['temperature']):.1f} K, P {np.mean(out['pressure']):.0f} bar, "
                  f"{1e3 * (time.time() - t1) / ((k + 1) * sample):.1f} ms/step", flush=True)
    out["acceptance"] = baro.acceptance
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--waters", type=int, default=216)
    ap.add_argument("--cutoff", type=float, default=0.9)
    ap.add_argument("--equil", type=float, default=6.0, help="NPT equilibration per replica, ps")
    ap.add_argument("--prod", type=float, default=40.0, help="NPT production per replica, ps")
    ap.add_argument("--replicas", type=int, default=2, help="independent trajectories run in parallel")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    t0 = time.time()
    print(f"# {args.waters} SPC/E waters x {args.replicas} replicas, cutoff {args.cutoff} nm, PME 5e-4, LJ dispersion "
          f"correction, Langevin 1/ps + MC barostat, dt 2 fs, {args.equil} + {args.prod} ps each", flush=True)
    jobs = [(args.waters, args.cutoff, args.equil, args.prod, args.seed + 10 * r) for r in range(args.replicas)]
    if args.replicas > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(args.replicas) as pool:
            runs = pool.starmap(run_replica, jobs)
    else:
        runs = [run_replica(*jobs[0])]
    # block averages per replica (10 blocks each), then the mean of the independent replica means
    stats = {}
    for q in ("density", "temperature", "pressure", "energy"):
        per = [block_average(np.array(r[q]), n_blocks=10) for r in runs]
        m = np.mean([p[0] for p in per])
        e = np.sqrt(np.sum([p[1] ** 2 for p in per])) / len(per)
        stats[q] = (m, e)
    frames = [f for r in runs for f in r["frames"]]
    boxes = [b for r in runs for b in r["boxes"]]
    r_max = min(0.8, 0.499 * min(np.diag(b).min() for b in boxes))
    bins = int(round(r_max / 0.002))
    r, g = oo_histogram(frames, boxes, r_max=r_max, bins=bins)
    peak, gmax = peak_position(r, g)
    nb = 5
    size = len(frames) // nb
    peaks = [peak_position(*oo_histogram(frames[b * size:(b + 1) * size], boxes[b * size:(b + 1) * size], r_max,
                                         bins))[0] for b in range(nb)]
    peak_err = np.std(peaks, ddof=1) / np.sqrt(nb)
    rho, rho_err = stats["density"]
    per_rep = ", ".join(f"{np.mean(x['density']):.4f}" for x in runs)
    print(f"per-replica densities: {per_rep} g/cm^3; "
          f"MC acceptance {np.mean([x['acceptance'] for x in runs]):.2f}")
    print(f"temperature {stats['temperature'][0]:.2f} +- {stats['temperature'][1]:.2f} K (kinetic, full-step BAOAB "
          f"velocities); virial pressure {stats['pressure'][0]:.0f} +- {stats['pressure'][1]:.0f} bar (target 1); "
          f"potential energy {stats['energy'][0]:.2f} +- {stats['energy'][1]:.2f} kJ/mol per water")
    print(f"first O-O peak: g = {gmax:.3f} at r = {peak:.4f} +- {peak_err:.4f} nm "
          f"(published SPC/E {PUBLISHED_PEAK[0]}-{PUBLISHED_PEAK[1]} nm)")
    print(f"wall time {time.time() - t0:.0f} s ({args.replicas} x {args.prod} ps production)")
    ok_rho = abs(rho - np.clip(rho, *PUBLISHED_DENSITY)) < 2 * rho_err  # in the published range within 2 s.e.
    ok_peak = PUBLISHED_PEAK[0] <= peak <= PUBLISHED_PEAK[1]
    print(f"SPC/E density at 300 K, 1 bar: {rho:.4f} +- {rho_err:.4f} g/cm^3 (published {PUBLISHED_DENSITY[0]}-"
          f"{PUBLISHED_DENSITY[1]}) {'PASS' if ok_rho and ok_peak else 'CHECK'}")
    return 0 if ok_rho and ok_peak else 1


if __name__ == "__main__":
    sys.exit(main())
