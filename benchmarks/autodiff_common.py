"""autodiff_common.py: shared helpers of the autodiff benchmarks (1-thread pinning, timing, peers, table).

Import this module first: it pins BLAS/OpenMP/XLA/torch to one thread before numpy loads.
"""

import gc
import os
import sys
import time

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
           "VECLIB_MAXIMUM_THREADS"):
    os.environ[_v] = "1"
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _keep_freed_memory():
    """Ask glibc to keep large freed blocks (no mmap/munmap per array): every framework measured in this
    process allocates through malloc, so all of them benefit alike and page-fault noise goes away."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 31)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


_keep_freed_memory()

import numpy as onp  # noqa: E402


def interleaved_ms(fns, repeat=9, warmup=2):
    """Median wall time (ms) of each callable in ``fns`` (label -> callable or None), measured in
    interleaved rounds (one call of each per round), so that load changes on a shared machine affect
    every contender alike and the ratios stay meaningful. None entries (absent peers) stay None."""
    live = {k: f for k, f in fns.items() if f is not None}
    # objects created by the imports (numpy, jax, torch, ...) are moved out of the cyclic collector's
    # reach, as a long-running service would do; this is process-wide, so fair to every contender
    gc.collect()
    gc.freeze()
    for f in live.values():
        for _ in range(warmup):
            f()
    times = {k: [] for k in live}
    names = list(live)
    for r in range(repeat):
        # rotate the order every round: a contender running on background threads (XLA) may still
        # occupy a core when the next one starts, so no contender always follows the same one
        for k in names[r % len(names):] + names[:r % len(names)]:
            t = time.perf_counter()
            live[k]()
            times[k].append(time.perf_counter() - t)
    return {k: (1e3 * float(onp.median(times[k])) if k in live else None) for k in fns}


def try_import(name):
    """The module, or None when the peer is not installed (its rows are skipped)."""
    try:
        mod = __import__(name)
    except Exception:  # noqa: BLE001 - any import failure means "peer absent"
        return None
    if name == "torch":
        mod.set_num_threads(1)
        mod.set_default_dtype(mod.float64)
    if name == "jax":
        mod.config.update("jax_enable_x64", True)
    return mod


def print_table(title, rows, ours_key):
    """rows: dict label -> ms (None = skipped). Prints each figure and its ratio to ours."""
    print(f"\n{title}")
    ours = rows[ours_key]
    width = max(len(k) for k in rows)
    for k, v in rows.items():
        if v is None:
            print(f"  {k:<{width}}  skipped (not installed)")
        else:
            print(f"  {k:<{width}}  {v:10.3f} ms   ours/this = {ours / v:6.2f}x")
