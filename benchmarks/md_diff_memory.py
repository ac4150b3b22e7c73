"""Memory and time of the gradient through an unrolled MD run, with and without gradient checkpointing.

System: 108-atom LJ liquid start (fcc, rho* = 0.8, T* = 1, shifted-force rc = 2.5, dt* = 0.005). For each
run length ``n`` the gradient of the mean pressure with respect to (epsilon, sigma) is computed by
:func:`molecular.differentiable.unrolled_lj` without checkpointing (the tape keeps every step: memory
``O(n)``) and with ``checkpoint_every = round(sqrt(n))`` (memory ``O(sqrt(n))``, one extra forward pass).
Each measurement runs in a fresh subprocess: peak RSS growth during the gradient (``VmHWM`` after a
reset through ``/proc/self/clear_refs``, minus the RSS before; includes numba-allocated kernel outputs),
the tracemalloc peak (numpy allocations only) in a separate process, and the wall time (median of
repeats, interleaved). The two gradients are compared (they agree to round-off).

Run: ``NUMBA_NUM_THREADS=1 python benchmarks/md_diff_memory.py`` (a couple of minutes).
"""

import json
import math
import os
import subprocess
import sys
import time

import numpy as np

LENGTHS = (100, 400, 1600)
REPEATS = 3


def _status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def measure(n_steps, k, mode):
    """Run in a subprocess: one gradient; returns a dict of figures."""
    import tracemalloc

    import autodiff as ad
    from molecular import lattice
    from molecular.differentiable import unrolled_lj

    s = lattice("fcc", 3, density=0.8).set_velocities(1.0, seed=1, kB=1.0)
    box = np.diag(s.box.h).copy()

    def f(p):
        return unrolled_lj(p, s.positions, s.velocities, box, cutoff=2.5, dt=0.005, n_steps=n_steps,
                           observables=("pressure",), checkpoint_every=k)[0]

    p = np.array([1.0, 1.0])
    ad.grad(lambda q: unrolled_lj(q, s.positions, s.velocities, box, cutoff=2.5, n_steps=3,
                                  observables=("pressure",), checkpoint_every=None if k is None else 2)[0])(p)
    out = {}
    if mode == "rss":
        rss0 = _status("VmRSS")
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
            out["hwm_reset"] = True
        except OSError:
            out["hwm_reset"] = False
        t0 = time.perf_counter()
        g = ad.grad(f)(p)
        out["time"] = time.perf_counter() - t0
        out["rss_growth"] = _status("VmHWM") - rss0
        out["grad"] = g.tolist()
    else:
        tracemalloc.start()
        ad.grad(f)(p)
        out["tracemalloc_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return out


def run_child(n_steps, k, mode):
    cmd = [sys.executable, __file__, "--child", str(n_steps), "none" if k is None else str(k), mode]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    print(f"load: {os.getloadavg()}")
    print(f"{'steps':>6} {'k':>5} {'peak RSS growth':>16} {'tracemalloc peak':>17} {'grad time (s)':>14}")
    rows = []
    for n in LENGTHS:
        k_opt = int(round(math.sqrt(n)))
        figs = {None: {"time": [], "rss": []}, k_opt: {"time": [], "rss": []}}
        grads = {}
        for _ in range(REPEATS):
            for k in (None, k_opt):
                r = run_child(n, k, "rss")
                figs[k]["time"].append(r["time"])
                figs[k]["rss"].append(r["rss_growth"])
                grads[k] = np.array(r["grad"])
        for k in (None, k_opt):
            tm = run_child(n, k, "tracemalloc")["tracemalloc_peak"]
            rss = np.median(figs[k]["rss"]) / 2**20
            t = np.median(figs[k]["time"])
            rows.append((n, k, rss, tm / 2**20, t))
            print(f"{n:6d} {str(k):>5} {rss:13.1f} MiB {tm / 2**20:14.2f} MiB {t:14.3f}")
        rel = np.max(np.abs(grads[k_opt] - grads[None]) / np.abs(grads[None]))
        print(f"        gradient (d<P>/d eps, d<P>/d sigma) = {grads[None]}, checkpointed differs by {rel:.1e} (rel)")
    print(f"load: {os.getloadavg()}")
    last = [r for r in rows if r[0] == LENGTHS[-1]]
    print(f"{LENGTHS[-1]} steps: tracemalloc peak {last[0][3]:.1f} MiB -> {last[1][3]:.1f} MiB with checkpointing "
          f"({last[0][3] / last[1][3]:.0f}x less), time x{last[1][4] / last[0][4]:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        n, k, mode = int(sys.argv[2]), (None if sys.argv[3] == "none" else int(sys.argv[3])), sys.argv[4]
        print(json.dumps(measure(n, k, mode)))
    else:
        main()
