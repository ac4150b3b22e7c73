"""FDTD throughput: million cell-updates per second (3D), float32/float64, 1 and 2 threads, vs the
machine's memory-bandwidth roofline measured in the same run (STREAM-style triad).

Cases (issue 9): (a) vacuum 256^3 with PEC walls (no PML); (b) 128^3 interior with a dielectric
sphere and a 10-cell CPML on every face (148^3 cells updated). A standard Yee step moves at least
72 bytes per cell update in float32 (144 in float64): 6 field reads + 6 field writes + 6 neighbour
reads that miss cache in the worst case... we use the issue's figure, so the roofline is
``bandwidth / bytes_per_cell``. Where ``fdtd`` (flaport) or ``gprMax`` are importable, the same
grids run there too and the ratios are printed; otherwise they are skipped.

Run: python benchmarks/fdtd_throughput.py [--small]   (--small: 128^3 / 64^3 for a quick look)
Figures are medians of repeated timings; on a shared machine they are noisy.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np
from numba import njit, prange

import mindscience  # noqa: F401  (selects the non-spinning threading layer)
from electromagnetics.fdtd import CPML, FDTDSimulation, Grid, Material, Sphere

BYTES_PER_CELL = {np.float32: 72, np.float64: 144}


@njit(cache=True, parallel=True)
def _triad(a, b, c, s):
    for i in prange(a.size):
        a[i] = b[i] + s * c[i]


@njit(cache=True, parallel=True)
def _thread_ids(out):
    for i in prange(out.size):
        out[i] = numba.get_thread_id()


def threads_used(nthreads):
    """Distinct numba worker threads that actually ran a prange loop after ``set_num_threads``."""
    numba.set_num_threads(nthreads)
    ids = np.full(64 * nthreads, -1, np.int64)
    _thread_ids(ids)
    return len(set(ids.tolist()))


def stream_triad(nthreads, dtype=np.float64, n=40_000_000, repeats=7):
    """Best-of STREAM triad bandwidth (bytes/s): 3 arrays of ``n`` values move 3 n itemsize bytes."""
    numba.set_num_threads(nthreads)
    a, b, c = (np.full(n, 1.0, dtype) for _ in range(3))
    _triad(a, b, c, dtype(0.5))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _triad(a, b, c, dtype(0.5))
        times.append(time.perf_counter() - t0)
    return 3 * n * np.dtype(dtype).itemsize / min(times)


def build(case, dtype, n_vacuum, n_sphere):
    if case == "a":
        grid = Grid((n_vacuum,) * 3, spacing=1e-3, dtype=dtype)
        return FDTDSimulation(grid)  # PEC walls, no PML
    n = n_sphere + 20
    d = 1e-3
    grid = Grid((n,) * 3, spacing=d, dtype=dtype)
    sphere = Sphere((n * d / 2,) * 3, 0.3 * n_sphere * d, Material(eps=4.0))
    return FDTDSimulation(grid, geometry=[sphere], boundaries=CPML(10))


def mcells(sim, steps, repeats, cpu=False):
    """Median Mcells/s of wall-clock time (``cpu=True``: per CPU-second of this process, which on a
    shared machine shows what the code does when it has the cores; equal to wall time when idle)."""
    sim.fields.E[2][tuple(s // 2 for s in sim.grid.shape)] = 1.0
    sim.run(steps=2, progress=False)   # warm-up (compilation is cached across runs)
    rates, cpu_rates = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        sim._step_impl(steps)           # the bare update loop, without the engine's guard scans
        t1, c1 = time.perf_counter(), time.process_time()
        rates.append(sim.grid.ncells * steps / (t1 - t0) / 1e6)
        cpu_rates.append(sim.grid.ncells * steps / (c1 - c0) / 1e6)
    return (statistics.median(rates), statistics.median(cpu_rates)) if cpu else statistics.median(rates)


def peer_fdtd(n, steps):
    """flaport/fdtd on the same vacuum grid (numpy backend, float64)."""
    try:
        import fdtd
    except ImportError:
        return None
    fdtd.set_backend("numpy")
    grid = fdtd.Grid(shape=(n, n, n), grid_spacing=1e-3)
    grid.run(1, progress_bar=False)
    t0 = time.perf_counter()
    grid.run(steps, progress_bar=False)
    return n**3 * steps / (time.perf_counter() - t0) / 1e6


GPRMAX_INPUT = {
    "a": """#title: vacuum
#domain: {L} {L} {L}
#dx_dy_dz: 0.001 0.001 0.001
#time_window: {T}
#pml_cells: 0
#waveform: ricker 1 10e9 w
#hertzian_dipole: z {h} {h} {h} w
""",
    "b": """#title: sphere and pml
#domain: {L} {L} {L}
#dx_dy_dz: 0.001 0.001 0.001
#time_window: {T}
#pml_cells: 10
#material: 4 0 1 0 diel
#sphere: {h} {h} {h} {r} diel
#waveform: ricker 1 10e9 w
#hertzian_dipole: z 0.03 0.03 0.03 w
""",
}


def peer_gprmax(case, n, threads, steps=100):
    """gprMax (single precision, OpenMP) on the same grid, in a subprocess; Mcells/s of its solver loop."""
    try:
        import gprMax  # noqa: F401
    except ImportError:
        return None
    L = n * 1e-3
    T = steps * 0.999 * 1e-3 / (3e8 * 3**0.5)
    text = GPRMAX_INPUT[case].format(L=L, T=T, h=L / 2, r=0.3 * (n - 20) * 1e-3)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"case_{case}.in")
        with open(path, "w") as fh:
            fh.write(text)
        code = ("from gprMax.gprMax import run; "
                f"run(inputfile={path!r}, cpu_precision='single', hide_progress_bars=True)")
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=900)
    log = out.stdout + out.stderr
    its = re.search(r"\((\d+) iterations\)", log)
    # gprMax logs its solver time with humanize, e.g. "Time taken: 1 minute and 5.0123 seconds"
    took = re.search(r"Time taken: (?:(\d+) minutes? and )?([0-9.]+) seconds?", log)
    if its is None or took is None or out.returncode != 0:
        return None
    seconds = 60 * int(took.group(1) or 0) + float(took.group(2))
    return n**3 * int(its.group(1)) / seconds / 1e6


def load():
    """1-minute load average and CPU count (the machine is shared: figures scale with it)."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="128^3 vacuum and 64^3 sphere case")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    n_vac, n_sph = (128, 64) if args.small else (256, 128)
    print(f"numba {numba.__version__}, threading layer {numba.config.THREADING_LAYER}, "
          f"up to {numba.config.NUMBA_NUM_THREADS} threads; medians of {args.repeats} x {args.steps} steps")
    for t in (1, 2):
        print(f"set_num_threads({t}): {threads_used(t)} distinct worker thread(s) ran a prange loop")
    print(load())
    bw = {t: stream_triad(t) for t in (1, 2)}
    for t, b in bw.items():
        print(f"STREAM triad, {t} thread(s): {b / 1e9:.1f} GB/s")
    print(f"STREAM 2-thread / 1-thread bandwidth: {bw[2] / bw[1]:.2f}x (the memory-bound ceiling of any 2-thread "
          "speedup on this machine)")
    rows = []
    cpu_rate = {}
    for case in ("a", "b"):
        for dtype in (np.float32, np.float64):
            sim = build(case, dtype, n_vac, n_sph)
            for t in (1, 2):
                numba.set_num_threads(t)
                r, rc = mcells(sim, args.steps, args.repeats, cpu=True)
                roof = bw[t] / BYTES_PER_CELL[dtype] / 1e6
                rows.append((case, np.dtype(dtype).name, t, r, r / roof))
                cpu_rate[(case, np.dtype(dtype).name, t)] = rc
                print(f"  {case} {np.dtype(dtype).name} {t} thread(s): {r:.0f} Mcells/s wall, {rc:.0f} per CPU-s "
                      f"({load()})", flush=True)
            del sim
    label = {"a": f"(a) vacuum {n_vac}^3, PEC", "b": f"(b) sphere {n_sph}^3 + CPML 10"}
    print(f"\n{'case':32s} {'dtype':8s} {'threads':>7s} {'Mcells/s':>10s} {'of roofline':>12s} {'per CPU-s':>10s}")
    for case, dt, t, r, frac in rows:
        print(f"{label[case]:32s} {dt:8s} {t:7d} {r:10.0f} {frac:12.2f} {cpu_rate[(case, dt, t)]:10.0f}")
    for case in ("a", "b"):
        for dt in ("float32", "float64"):
            one = next(r for c, d, t, r, _ in rows if (c, d, t) == (case, dt, 1))
            two = next(r for c, d, t, r, _ in rows if (c, d, t) == (case, dt, 2))
            print(f"2-thread speedup {label[case]} {dt}: {two / one:.2f}x")
    n_peer = 64 if args.small else 100
    peer = peer_fdtd(n_peer, 3)
    if peer is None:
        print("fdtd (flaport) not importable: peer comparison skipped")
    else:
        numba.set_num_threads(1)
        ours = mcells(build("a", np.float64, n_peer, n_sph), args.steps, args.repeats)
        print(f"fdtd {n_peer}^3 vacuum (numpy, float64): {peer:.1f} Mcells/s; ours 1 thread float64 "
              f"{ours:.0f} Mcells/s = {ours / peer:.0f}x")
    sizes = {"a": n_vac, "b": n_sph + 20}
    for case in ("a", "b"):
        for t in (1, 2):
            g = peer_gprmax(case, sizes[case], t)
            if g is None:
                print(f"gprMax not available: {label[case]} skipped")
                break
            ours = next(r for c, d, tt, r, _ in rows if (c, d, tt) == (case, "float32", t))
            print(f"gprMax {label[case]} single, {t} thread(s): {g:.1f} Mcells/s; ours float32 {ours:.0f} "
                  f"= {ours / g:.1f}x")
    print(load())
    best = max(r for c, d, t, r, _ in rows if c == "a")
    print(f"FIGURE: best vacuum throughput {best:.0f} Mcells/s")


if __name__ == "__main__":
    main()
