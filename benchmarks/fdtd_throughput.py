"""FDTD throughput: million cell-updates per second (3D), float32/float64, 1 and 2 threads, vs the
machine's memory-bandwidth roofline measured in the same run (STREAM-style triad).

Cases (issue 9): (a) vacuum 256^3 with PEC walls (no PML); (b) 128^3 interior with a dielectric
sphere and a 10-cell CPML on every face (148^3 cells updated). The issue's roofline is
``bandwidth / bytes_per_cell`` with 72 bytes per cell update in float32 (144 in float64): a Yee step
done as two sweeps (H, then E) reads and writes each field once per half step. The simulation's
one-sweep step (``FDTDSimulation`` class docstring) moves each field once per full step, at least
48 bytes (96) per cell, so it can exceed that roofline; the script prints both the fraction of the
issue's roofline and the fraction of the bandwidth the one-sweep step actually uses (its own 48/96-
byte model of the fields, plus case (b)'s CPML memories, read and written once). Both paths (one sweep / two
sweeps) are timed, interleaved, on the same simulation; the simulation takes the one sweep in both
cases (``_kernels.leapfrog`` for (a), ``_kernels.leapfrog_cpml`` for (b)).
Where ``fdtd`` (flaport) or ``gprMax`` are importable, the same grids run there too, each peer run
followed by a run of ours on the same grid, and the ratio of the two medians is printed; otherwise
they are skipped.

Run: python benchmarks/fdtd_throughput.py [--small] [--peers-only]   (--small: 128^3 / 64^3 for a quick look)
Figures are medians and bests of interleaved repeats (round robin over threads and paths), each
set against the same statistic of STREAM (whose own convention is the best rate); on a shared
machine they are noisy, and the per-CPU-second rates show what the code does when it has the cores.
A probe of in-cache arithmetic on 1 and 2 threads shows how far two threads can scale at all: where
the two CPUs are hyperthreads of one core, compute-bound code gains little from the second.
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

BYTES_PER_CELL = {np.float32: 72, np.float64: 144}  # the two-sweep roofline
ONE_SWEEP_BYTES = {np.float32: 48, np.float64: 96}  # 6 reads + 6 writes per cell and full step


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
    """STREAM triad bandwidth, bytes/s, as ``(best, median)`` of ``repeats`` timings: 3 arrays of ``n``
    values move 3 n itemsize bytes (STREAM's own convention: write-allocate traffic not counted)."""
    numba.set_num_threads(nthreads)
    a, b, c = (np.full(n, 1.0, dtype) for _ in range(3))
    _triad(a, b, c, dtype(0.5))
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _triad(a, b, c, dtype(0.5))
        rates.append(3 * n * np.dtype(dtype).itemsize / (time.perf_counter() - t0))
    return max(rates), statistics.median(rates)


@njit(cache=True, parallel=True)
def _axpy_in_cache(x, y, reps):
    for t in prange(x.shape[0]):
        for _ in range(reps):
            for k in range(x.shape[1]):
                x[t, k] = 0.999 * x[t, k] + 0.001 * y[t, k]


def compute_scaling(repeats=5, reps=400_000):
    """Aggregate 2-thread / 1-thread throughput of vectorised arithmetic on L1-resident data (each
    thread updates its own 2048 doubles ``reps`` times), best of ``repeats``: the compute-bound
    ceiling of a 2-thread speedup: 2.0 for two idle cores, well below that where the two CPUs are
    hyperthreads of one core (they share its vector units) or a core is shared with another tenant."""
    x, y = np.ones((2, 2048)), np.ones((2, 2048))
    best = {}
    for t in (1, 2):
        numba.set_num_threads(t)
        _axpy_in_cache(x[:t], y[:t], 1)
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            _axpy_in_cache(x[:t], y[:t], reps)
            times.append(time.perf_counter() - t0)
        best[t] = t / min(times)
    return best[2] / best[1]


def cpml_bytes_per_cell(sim):
    """Bytes per cell and step that the CPML memories of ``sim`` move (each psi value read and
    written once); 0 without CPML."""
    return 2 * sum(p.nbytes for s in sim._slabs for p in s.psi.values()) / sim.grid.ncells


def build(case, dtype, n_vacuum, n_sphere):
    if case == "a":
        grid = Grid((n_vacuum,) * 3, spacing=1e-3, dtype=dtype)
        return FDTDSimulation(grid)  # PEC walls, no PML
    n = n_sphere + 20
    d = 1e-3
    grid = Grid((n,) * 3, spacing=d, dtype=dtype)
    sphere = Sphere((n * d / 2,) * 3, 0.3 * n_sphere * d, Material(eps=4.0))
    return FDTDSimulation(grid, geometry=[sphere], boundaries=CPML(10))


def seed(sim):
    """``sim`` with a unit Ez at the centre (the fields' contents do not change the cost)."""
    sim.fields.E[2][tuple(n // 2 for n in sim.grid.shape)] = 1.0
    return sim


def interleaved(sim, steps, repeats, threads=(1, 2), paths=("one-sweep", "two-sweep")):
    """``{(threads, path): (median Mcells/s wall, median per CPU-second, best wall)}`` of round-robin
    timings.

    ``path``: "one-sweep" (``_kernels.leapfrog*``), "two-sweep" (separate H and E sweeps) or "auto"
    (whatever the simulation picks). Each timing is ``steps`` bare steps (``_step_impl``, without the
    engine's guard scans).
    """
    seed(sim)
    lf_call = sim._lf_call

    def use(path):
        sim._lf_call = lf_call if path in ("one-sweep", "auto") else None

    for t in threads:  # warm-up (compilation is cached across runs)
        numba.set_num_threads(t)
        for path in paths:
            use(path)
            sim._step_impl(2)
    wall, cpu = {}, {}
    for _ in range(repeats):
        for t in threads:
            numba.set_num_threads(t)
            for path in paths:
                use(path)
                t0, c0 = time.perf_counter(), time.process_time()
                sim._step_impl(steps)
                t1, c1 = time.perf_counter(), time.process_time()
                wall.setdefault((t, path), []).append(sim.grid.ncells * steps / (t1 - t0) / 1e6)
                cpu.setdefault((t, path), []).append(sim.grid.ncells * steps / (c1 - c0) / 1e6)
    sim._lf_call = lf_call
    return {k: (statistics.median(wall[k]), statistics.median(cpu[k]), max(wall[k])) for k in wall}


def peer_fdtd(case, n, steps, dtype="float64"):
    """flaport/fdtd (numpy backend in ``dtype``) on the grid of ``case`` (``n`` cells per axis; case
    b: a sphere of eps 4 and radius 0.3 (n - 20) cells in a 10-cell PML on every face); Mcells/s."""
    try:
        import fdtd
    except ImportError:
        return None
    fdtd.set_backend(f"numpy.{dtype}")
    grid = fdtd.Grid(shape=(n, n, n), grid_spacing=1e-3)
    if case == "b":
        for sl in (slice(0, 10), slice(-10, None)):  # fdtd accepts only these border slices
            grid[sl, :, :] = fdtd.PML()
            grid[:, sl, :] = fdtd.PML()
            grid[:, :, sl] = fdtd.PML()
        r = 0.3 * (n - 20)
        lo, hi = int(n / 2 - r) - 1, int(n / 2 + r) + 2
        x = np.arange(lo, hi) + 0.5 - n / 2
        inside = x[:, None, None] ** 2 + x[None, :, None] ** 2 + x[None, None, :] ** 2 <= r * r
        grid[lo:hi, lo:hi, lo:hi] = fdtd.Object(permittivity=np.where(inside, 4.0, 1.0))
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


def ours_now(sim, steps, threads):
    """Our simulation's rate on the path it takes (Mcells/s, median of 3 timings), taken right next
    to a peer's run."""
    return interleaved(sim, steps, 3, (threads,), ("auto",))[(threads, "auto")][0]


def peers(args, label, n_vac, n_sph):
    """Peer ratios side by side: each peer run is followed by a run of ours on the same grid, and
    the ratio is that of the two medians (the machine's load drifts over minutes)."""
    n_b = n_sph + 20
    sizes = {"a": n_vac, "b": n_b}
    for dt in ("float64", "float32"):
        sim = build("b", dt, n_vac, n_sph)
        theirs, ours = [], {1: [], 2: []}
        for _ in range(args.peer_repeats):
            peer = peer_fdtd("b", n_b, 3, dt)
            if peer is None:
                break
            theirs.append(peer)
            for t in (1, 2):
                ours[t].append(ours_now(sim, args.steps, t))
        del sim
        if not theirs:
            print("fdtd (flaport) not importable: peer comparison skipped")
            break
        g = statistics.median(theirs)
        for t in (1, 2):
            o = statistics.median(ours[t])
            print(f"fdtd {label['b']} ({n_b}^3 cells, numpy {dt}, PML 10, 1 thread): {g:.1f} Mcells/s "
                  f"(median of {len(theirs)}); ours {t} thread(s) {dt} {o:.0f} = {o / g:.0f}x", flush=True)
    for case in ("a", "b"):
        sim = build(case, np.float32, n_vac, n_sph)
        for t in (1, 2):
            theirs, ours = [], []
            for _ in range(args.peer_repeats):
                g = peer_gprmax(case, sizes[case], t, steps=40 if case == "a" else 100)
                if g is None:
                    break
                theirs.append(g)
                ours.append(ours_now(sim, args.steps, t))
            if not theirs:
                print(f"gprMax not available: {label[case]} skipped")
                return
            g, o = statistics.median(theirs), statistics.median(ours)
            print(f"gprMax {label[case]} single, {t} thread(s): {g:.1f} Mcells/s (median of {len(theirs)}); "
                  f"ours float32 alongside {o:.0f} = {o / g:.1f}x ({load()})", flush=True)
        del sim


def load():
    """1-minute load average and CPU count (the machine is shared: figures scale with it)."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="128^3 vacuum and 64^3 sphere case")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-peers", action="store_true", help="skip fdtd and gprMax")
    ap.add_argument("--peer-repeats", type=int, default=3, help="peer runs per case and thread count")
    ap.add_argument("--peers-only", action="store_true", help="only the side-by-side peer comparisons")
    args = ap.parse_args()
    n_vac, n_sph = (128, 64) if args.small else (256, 128)
    label = {"a": f"(a) vacuum {n_vac}^3, PEC", "b": f"(b) sphere {n_sph}^3 + CPML 10"}
    if args.peers_only:
        peers(args, label, n_vac, n_sph)
        return
    print(f"numba {numba.__version__}, threading layer {numba.config.THREADING_LAYER}, "
          f"up to {numba.config.NUMBA_NUM_THREADS} threads; medians of {args.repeats} interleaved x {args.steps} steps")
    for t in (1, 2):
        print(f"set_num_threads({t}): {threads_used(t)} distinct worker thread(s) ran a prange loop")
    print(load())
    bw = {t: stream_triad(t) for t in (1, 2)}  # (best, median)
    for t, (b, m) in bw.items():
        print(f"STREAM triad, {t} thread(s): best {b / 1e9:.1f} GB/s, median {m / 1e9:.1f} GB/s")
    print(f"STREAM 2-thread / 1-thread bandwidth: {bw[2][0] / bw[1][0]:.2f}x best, {bw[2][1] / bw[1][1]:.2f}x "
          "median (the memory-bound ceiling of any 2-thread speedup on this machine)")
    print(f"in-cache arithmetic 2-thread / 1-thread: {compute_scaling():.2f}x (the compute-bound ceiling)")
    res, default, psi = {}, {}, {}  # default: the path the simulation takes; psi: CPML bytes per cell
    for case in ("a", "b"):
        for dtype in (np.float32, np.float64):
            sim = build(case, dtype, n_vac, n_sph)
            default[case] = "one-sweep" if sim._one_sweep() else "two-sweep"
            psi[(case, np.dtype(dtype).name)] = cpml_bytes_per_cell(sim)
            paths = ("one-sweep", "two-sweep") if sim._one_sweep() else ("two-sweep",)
            for (t, path), v in interleaved(sim, args.steps, args.repeats, (1, 2), paths).items():
                res[(case, np.dtype(dtype).name, t, path)] = v
            print(f"  case {case} {np.dtype(dtype).name} done ({load()})", flush=True)
            del sim
    print("\nRoofline = STREAM / (72 B float32, 144 B float64). 'median' divides our median by STREAM's median, "
          "'best' our best by STREAM's best (STREAM's own convention);\n'of bw' is the bandwidth the one-sweep "
          "step moves at its best (48/96 B of fields per cell plus the CPML memories) over STREAM's best.")
    print(f"{'case':30s} {'dtype':8s} {'thr':>3s} {'path':10s} {'Mcells/s':>9s} {'best':>6s} "
          f"{'of roofline':>11s} {'(best)':>6s} {'of bw':>6s} {'per CPU-s':>9s}")
    for (case, dt, t, path), (r, rc, rb) in res.items():
        roof_best, roof_med = (b / BYTES_PER_CELL[np.dtype(dt).type] / 1e6 for b in bw[t])
        moved = ONE_SWEEP_BYTES[np.dtype(dt).type] + psi[(case, dt)]
        used = rb * 1e6 * moved / bw[t][0] if path == "one-sweep" else float("nan")
        print(f"{label[case]:30s} {dt:8s} {t:3d} {path:10s} {r:9.0f} {rb:6.0f} {r / roof_med:11.2f} "
              f"{rb / roof_best:6.2f} {used:6.2f} {rc:9.0f}")
    for case in ("a", "b"):
        for dt in ("float32", "float64"):
            one, two = res[(case, dt, 1, default[case])], res[(case, dt, 2, default[case])]
            old = res[(case, dt, 1, "two-sweep")][0]
            print(f"{label[case]} {dt} ({default[case]}): 2-thread speedup {two[0] / one[0]:.2f}x median, "
                  f"{two[2] / one[2]:.2f}x best; vs two-sweep (1 thread) {one[0] / old:.2f}x")
    if not args.no_peers:
        peers(args, label, n_vac, n_sph)
    print(load())
    best = max(v[0] for k, v in res.items() if k[0] == "a")
    print(f"FIGURE: best vacuum throughput {best:.0f} Mcells/s")


if __name__ == "__main__":
    main()
