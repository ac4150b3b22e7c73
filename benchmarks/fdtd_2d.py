"""2D FDTD throughput: a TM grid updated as "both" polarisations (six components) vs "TM" only (three).

Case: ``n x n`` cells (default 2048^2), vacuum, a 10-cell CPML on all four faces, a point dipole on
Ez; float32 and float64; 1 and 2 numba threads. Figures are million cell-updates per second,
medians of interleaved repeats (round robin over dtype x threads x polarisation), each repeat
``steps`` bare steps (``FDTDSimulation._step_impl``: no engine guard scans). ``--dielectric`` adds a
dielectric disc (full coefficient arrays). The cost of the polarisation guard (the zero test of the
skipped arrays at the start of every ``run``) is printed as the time of one check in steps.

Where ``fdtd`` (flaport, numpy backend, float64) is importable, the same 2D grid (``(n, n, 1)``,
PML 10 on the four faces) is timed too and printed side by side.

Run: python benchmarks/fdtd_2d.py [--n 2048] [--steps 10] [--repeats 5] [--dielectric] [--no-peers]
"""

import argparse
import os
import statistics
import time

import numba
import numpy as np

import mindscience  # noqa: F401  (selects the non-spinning threading layer)
from electromagnetics.fdtd import CPML, FDTDSimulation, Grid, Material, PointDipole, Ricker, Source, Sphere


def build(n, dtype, polarization, dielectric):
    d = 1e-3
    geo = [Sphere((n * d / 2, n * d / 2), 0.2 * n * d, Material(eps=4.0))] if dielectric else []
    src = Source(PointDipole((n * d / 3, n * d / 2)), Ricker(3e8 / (20 * d)), "Ez")
    sim = FDTDSimulation(Grid((n, n), spacing=d, dtype=dtype), geometry=geo, sources=[src],
                         boundaries=CPML(10), polarization=polarization)
    sim.fields.E[2][n // 2, n // 2, 0] = 1.0  # nonzero fields: no denormal or all-zero shortcuts
    return sim


def interleaved(sims, steps, repeats, threads):
    """``{(key, threads): median Mcells/s}`` over round-robin repeats of ``steps`` bare steps."""
    for t in threads:  # warm-up: compilation (cached across runs) and first touch
        numba.set_num_threads(t)
        for sim in sims.values():
            sim._step_impl(2)
    rates = {}
    for _ in range(repeats):
        for t in threads:
            numba.set_num_threads(t)
            for key, sim in sims.items():
                t0 = time.perf_counter()
                sim._step_impl(steps)
                dt = time.perf_counter() - t0
                rates.setdefault((key, t), []).append(sim.grid.ncells * steps / dt / 1e6)
    return {k: statistics.median(v) for k, v in rates.items()}


def guard_cost(sim, steps):
    """Seconds of one polarisation check vs seconds of one step (1 thread), medians of 5."""
    numba.set_num_threads(1)
    check, step = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        sim._update_polarization()
        check.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sim._step_impl(steps)
        step.append((time.perf_counter() - t0) / steps)
    return statistics.median(check), statistics.median(step)


def peer_fdtd(n, steps):
    """flaport/fdtd, numpy backend (float64), 2D grid (n, n, 1) with a 10-cell PML on x and y; Mcells/s."""
    try:
        import fdtd
    except ImportError:
        return None
    fdtd.set_backend("numpy")
    grid = fdtd.Grid(shape=(n, n, 1), grid_spacing=1e-3)
    for sl in (slice(0, 10), slice(-10, None)):  # fdtd accepts only these border slices
        grid[sl, :, :] = fdtd.PML()
        grid[:, sl, :] = fdtd.PML()
    grid[n // 3, n // 2, 0] = fdtd.PointSource(period=20)
    grid.run(1, progress_bar=False)
    t0 = time.perf_counter()
    grid.run(steps, progress_bar=False)
    return n * n * steps / (time.perf_counter() - t0) / 1e6


def load():
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2048, help="cells per axis")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--dielectric", action="store_true", help="add a dielectric disc (full coefficient arrays)")
    ap.add_argument("--no-peers", action="store_true", help="skip fdtd (flaport)")
    args = ap.parse_args()
    threads = (1, 2) if numba.config.NUMBA_NUM_THREADS >= 2 else (1,)
    print(f"numba {numba.__version__}, threading layer {numba.config.THREADING_LAYER}; {args.n}^2 cells, CPML 10, "
          f"{'dielectric disc' if args.dielectric else 'vacuum'}; medians of {args.repeats} interleaved x "
          f"{args.steps} steps; {load()}", flush=True)
    sims = {}
    for dtype in (np.float32, np.float64):
        for pol in ("both", "TM"):
            sims[(np.dtype(dtype).name, pol)] = build(args.n, dtype, pol, args.dielectric)
    res = interleaved(sims, args.steps, args.repeats, threads)
    print(f"({load()} after the timings)")
    print(f"\n{'dtype':8s} {'thr':>3s} {'both':>9s} {'TM':>9s} {'TM/both':>8s}   Mcells/s")
    for dt in ("float32", "float64"):
        for t in threads:
            b, m = res[((dt, "both"), t)], res[((dt, "TM"), t)]
            print(f"{dt:8s} {t:3d} {b:9.0f} {m:9.0f} {m / b:8.2f}")
    for dt in ("float32", "float64"):
        if len(threads) == 2:
            print(f"{dt} TM 2-thread speedup: {res[((dt, 'TM'), 2)] / res[((dt, 'TM'), 1)]:.2f}x")
    for dt in ("float32", "float64"):
        c, s = guard_cost(sims[(dt, "TM")], args.steps)
        print(f"{dt} polarisation check at the start of run(): {c * 1e3:.2f} ms = {c / s:.2f} step(s) (1 thread)")
    for sim in sims.values():  # the runs stayed single-polarisation where asked (guard did not switch)
        assert sim.active_polarization == sim.polarization
    if not args.no_peers:
        peer = peer_fdtd(args.n, 2)
        if peer is None:
            print("fdtd (flaport) not importable: peer comparison skipped")
        else:
            for dt in ("float64", "float32"):
                ours = res[((dt, "TM"), 1)]
                print(f"fdtd (flaport) 2D {args.n}^2, numpy float64, PML 10: {peer:.2f} Mcells/s; ours TM 1 thread "
                      f"{dt} {ours:.0f} = {ours / peer:.0f}x ({load()})")


if __name__ == "__main__":
    main()
