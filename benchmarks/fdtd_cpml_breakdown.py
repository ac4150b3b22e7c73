"""Where a CPML step spends its time: ``_kernels.leapfrog_cpml`` with the CPML layers of each axis
switched on or off, against the vacuum one-sweep kernel on the same grid.

Case (b) of ``fdtd_throughput.py`` (``build``: a 128^3 interior with an eps = 4 sphere and a
10-cell CPML on every face, 148^3 cells), plus the same grid in vacuum with PEC walls (its case (a)
builder). Switching an axis off sets its layer-index array to -1, so the kernel skips that axis's
corrections and everything else stays the same. The differences between the rows are the cost of
each part: the z layers (innermost axis, short scalar loops), the x and y layers (whole planes and
lines, vectorised) and the bulk.

Run: python benchmarks/fdtd_cpml_breakdown.py [--dtype float32] [--threads 1] [--repeats 9]
Prints the median and the minimum milliseconds per step of each configuration; the repeats are
interleaved (round robin) so that drifts of the machine's load hit every row alike.
"""

import argparse
import statistics
import time

import numba
import numpy as np
from fdtd_throughput import build, seed  # the cases (a) and (b), defined once

import mindscience  # noqa: F401  (selects the non-spinning threading layer)
from electromagnetics.fdtd._kernels import leapfrog_cpml

POSX = leapfrog_cpml.py_func.__code__.co_varnames.index("posx")  # posx, posy, posz follow in that order


def with_layers(args, axes):
    """``leapfrog_cpml`` arguments with the CPML layers of the axes not in ``axes`` switched off."""
    args = list(args)
    for a in range(3):
        if a not in axes:
            args[POSX + a] = np.full_like(args[POSX + a], -1)
    return tuple(args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=148, help="cells per axis (case (b): 148)")
    ap.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--steps", type=int, default=5, help="steps per timing")
    args = ap.parse_args()
    vac = seed(build("a", args.dtype, args.n, args.n - 20))
    sph = seed(build("b", args.dtype, args.n, args.n - 20))
    f, a = sph._lf_call
    cases = {
        "vacuum, vacuum kernel (leapfrog)": vac._lf_call,
        "sphere, CPML kernel, no layers": (f, with_layers(a, ())),
        "sphere, CPML kernel, x+y layers": (f, with_layers(a, (0, 1))),
        "sphere, CPML kernel, z layers": (f, with_layers(a, (2,))),
        "sphere, CPML kernel, all layers": (f, a),
    }
    numba.set_num_threads(args.threads)
    for kernel, kargs in cases.values():  # compile / warm up
        kernel(*kargs, args.threads)
    ms = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, (kernel, kargs) in cases.items():
            t0 = time.perf_counter()
            for _ in range(args.steps):
                kernel(*kargs, args.threads)
            ms[name].append((time.perf_counter() - t0) / args.steps * 1e3)
    print(f"{args.n}^3 {args.dtype}, {args.threads} thread(s), medians of {args.repeats} x {args.steps} steps")
    for name, v in ms.items():
        print(f"{name:36s} {statistics.median(v):7.2f} ms/step (min {min(v):6.2f})")
    base = statistics.median(ms["sphere, CPML kernel, no layers"])
    for part in ("x+y layers", "z layers", "all layers"):
        extra = statistics.median(ms[f"sphere, CPML kernel, {part}"]) - base
        print(f"cost of {part}: {extra:+.2f} ms/step (medians)")


if __name__ == "__main__":
    main()
