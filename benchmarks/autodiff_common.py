"""autodiff_common.py: shared helpers of the autodiff benchmarks (1-thread pinning, timing, peers, table).

Import this module first: it pins BLAS/OpenMP/XLA/torch to one thread before numpy loads.
"""

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


def median_ms(fn, repeat=7, warmup=2, min_time=0.0):
    """Median wall time of ``fn()`` in milliseconds over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return 1e3 * float(onp.median(ts))


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
