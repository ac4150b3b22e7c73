"""Derivatives through an unrolled 2D TM FDTD run with CPML walls: peak memory and time of reverse
mode with and without checkpointing, and of forward mode.

For several run lengths n, the gradient of the flux through a line with respect to the permittivity
of a design box (``electromagnetics.differentiable.TMDesign.value_and_grad``) is taken with the full
tape (``checkpoint=None``, one state per step kept) and with sqrt(n) segment checkpointing
(``checkpoint="sqrt"``); the forward-mode directional derivative (``value_and_jvp``, one tangent-linear
run, no tape) is timed alongside. Peak memory is measured with ``tracemalloc`` (numpy buffers included)
and reported in MB and in units of one state (3 nx ny float64 fields plus the CPML memories); time is
the median of ``--repeats`` runs, the modes interleaved. The last column compares each mode's
directional derivative along a random direction with the fully taped gradient's.

    python benchmarks/fdtd_diff_memory.py [--n 100 200 400 800 1600] [--size 100] [--repeats 3]
"""

# ruff: noqa: E402
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import statistics
import time
import tracemalloc

import numpy as np
from scipy.constants import c as C0

from electromagnetics.differentiable import FluxLine, TMDesign
from electromagnetics.fdtd import CPML, Grid, ModulatedGaussian, Periodic, PlaneCurrent, Source


def problem(size, n_steps):
    dx = 1e-3
    g = Grid((size, size), spacing=dx)
    f0 = C0 / (20 * dx)
    src = Source(PlaneCurrent("x", 0.2 * size * dx), ModulatedGaussian(f0, 0.25 * f0), "Ez")
    return TMDesign(g, (0.35 * size * dx, 0.25 * size * dx), (0.5 * size * dx, 0.75 * size * dx), [src],
                    FluxLine(0.75 * size * dx), n_steps, boundaries={"x": CPML(10), "y": Periodic()})


def measure(prob, eps, mode, direction):
    """(seconds, peak bytes, directional derivative along ``direction``) of one derivative evaluation."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    t = time.perf_counter()
    if mode == "jvp":
        slope = prob.value_and_jvp(eps, direction)[1]
    else:
        slope = float(np.sum(prob.value_and_grad(eps, checkpoint=mode)[1] * direction))
    dt = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return dt, peak, slope


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100, 200, 400, 800, 1600])
    ap.add_argument("--size", type=int, default=100, help="grid cells per side")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average); grid {a.size} x {a.size}, float64")
    print(f"{'steps':>6} {'mode':>6} {'time s':>8} {'peak MB':>9} {'peak/state':>11} {'rel. slope diff':>16}")
    rows = []
    modes = (None, "sqrt", "jvp")
    for n in a.n:
        prob = problem(a.size, n)
        state_mb = (3 * a.size * a.size + prob.n_psi) * 8 / 1e6
        eps = np.full(prob.design_shape, 2.0)
        direction = np.random.default_rng(0).standard_normal(prob.design_shape)
        prob.value_and_grad(eps, checkpoint="sqrt")  # warm-up (numba cache, checkpoint primitive)
        prob.value_and_jvp(eps, direction)
        res = {m: [] for m in modes}
        for _ in range(a.repeats):
            for mode in modes:
                res[mode].append(measure(prob, eps, mode, direction))
        s_ref = res[None][0][2]
        for mode in modes:
            t = statistics.median(r[0] for r in res[mode])
            peak = max(r[1] for r in res[mode]) / 1e6
            ds = abs(res[mode][0][2] - s_ref) / abs(s_ref)
            rows.append((n, mode, t, peak))
            print(f"{n:>6} {str(mode):>6} {t:>8.3f} {peak:>9.1f} {peak / state_mb:>11.1f} {ds:>16.1e}")
    full, ck, fwd = (r for r in rows if r[0] == a.n[-1])
    print(f"at {a.n[-1]} steps: checkpointing cuts peak memory {full[3] / ck[3]:.1f}x for {ck[2] / full[2]:.2f}x "
          f"the time; one forward-mode derivative takes {fwd[2] / full[2]:.2f}x the time of a gradient and "
          f"{fwd[3] / full[3]:.3f}x its memory")


if __name__ == "__main__":
    main()
