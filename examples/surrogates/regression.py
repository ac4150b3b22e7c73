"""Data-driven counterpart: a supervised MLP surrogate of f(x, y) = sin(pi x) cos(pi y) + 0.5 x y^2 from samples.

Trains with Adam (cosine schedule) and then L-BFGS on 1024 Sobol samples and reports the relative L2 error
on a held-out 101 x 101 grid (reference: the function itself).

    python examples/surrogates/regression.py [--steps 1000] [--lbfgs 2000]
"""

# ruff: noqa: E402  (BLAS threads are pinned before numpy is imported)
import os

# one BLAS thread: on shared cores a multi-threaded BLAS made small PINN matmuls ~10x slower (measured)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import time

import numpy as np

from mindscience.nn import MLP, Adam, Training, cosine_decay, mse, relative_l2
from mindscience.pinn import Rectangle, grid

PARAMS = {"widths": [2, 64, 64, 1], "activation": "tanh", "n_train": 1024, "steps": 1000, "lr": 5e-3, "lbfgs": 2000,
          "seed": 0}


def target(p):
    return np.sin(np.pi * p[:, 0]) * np.cos(np.pi * p[:, 1]) + 0.5 * p[:, 0] * p[:, 1] ** 2


def run(progress=False, **overrides):
    """Train; return ``{"rel_l2", "seconds", "training"}``."""
    p = {**PARAMS, **overrides}
    dom = Rectangle([-1, -1], [1, 1])
    x = dom.sample_interior(p["n_train"], "sobol", seed=p["seed"])
    y = target(x)[:, None]
    net = MLP(p["widths"], activation=p["activation"])

    def loss(params):
        value = mse(net.apply(params, x), y)
        return value, {"mse": value}

    training = Training(loss, net.init(np.random.default_rng(p["seed"])), Adam(cosine_decay(p["lr"], p["steps"])))
    t0 = time.perf_counter()
    training.run(p["steps"], progress=progress)
    if p["lbfgs"]:
        training.lbfgs(p["lbfgs"], progress=progress)
    seconds = time.perf_counter() - t0
    pts, _ = grid(dom.bbox, 101)
    err = float(relative_l2(np.asarray(net.apply(training.params, pts))[:, 0], target(pts)))
    return {"rel_l2": err, "seconds": seconds, "training": training}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=PARAMS["steps"])
    ap.add_argument("--lbfgs", type=int, default=PARAMS["lbfgs"])
    a = ap.parse_args(argv)
    out = run(progress=True, steps=a.steps, lbfgs=a.lbfgs)
    print(f"supervised regression: held-out relative L2 error {out['rel_l2']:.2e} in {out['seconds']:.1f} s")


if __name__ == "__main__":
    main()
