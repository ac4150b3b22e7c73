"""Inverse problem: identify the diffusion coefficient D in -(D u')' = f on [0, 1] from 20 noisy observations.

Truth: D = 0.7, u = sin(pi x) + 0.5 sin(3 pi x), f = D pi^2 (sin(pi x) + 4.5 sin(3 pi x)), u(0) = u(1) = 0.
The PINN learns u and D together (D starts at 1.5); reported: relative error of D and relative L2 of u.

    python examples/surrogates/inverse_diffusion.py [--noise 0.01]
"""

# ruff: noqa: E402  (BLAS threads are pinned before numpy is imported)
import os

# one BLAS thread: on shared cores a multi-threaded BLAS made small PINN matmuls ~10x slower (measured)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import time

import numpy as np
import sympy as sp

from mindscience.nn import MLP, Adam
from mindscience.pinn import PDE, DirichletBC, Interval, PointData, Problem, Trainer

PARAMS = {"D_true": 0.7, "D_init": 1.5, "n_data": 20, "noise": 0.01, "widths": [1, 32, 32, 1], "n_interior": 256,
          "adam": 2000, "lr": 2e-3, "lbfgs": 1000, "seed": 0}


def exact(x):
    return np.sin(np.pi * x) + 0.5 * np.sin(3 * np.pi * x)


def build(p):
    x, D = sp.symbols("x D")
    u = sp.Function("u")
    f = p["D_true"] * sp.pi**2 * (sp.sin(sp.pi * x) + 4.5 * sp.sin(3 * sp.pi * x))
    pde = PDE(D * sp.diff(u(x), x, 2) + f, (x,), [u], trainable={D: p["D_init"]})
    rng = np.random.default_rng(p["seed"])
    xd = rng.uniform(0, 1, p["n_data"])[:, None]
    yd = exact(xd[:, 0]) + p["noise"] * rng.standard_normal(p["n_data"])
    dom = Interval(0.0, 1.0)
    conds = [PointData(xd, yd, weight=10.0, name="data"), DirichletBC(dom, 0.0, n=2, weight=10.0)]
    return Problem(pde, dom, MLP(p["widths"]), conds, n_interior=p["n_interior"])


def run(progress=False, **overrides):
    """Train; return ``{"rel_l2", "D", "D_rel_error", "seconds", "trainer"}``."""
    p = {**PARAMS, **overrides}
    trainer = Trainer(build(p), Adam(p["lr"]), seed=p["seed"])
    t0 = time.perf_counter()
    trainer.train(p["adam"], lbfgs=p["lbfgs"], progress=progress)
    seconds = time.perf_counter() - t0
    xs = np.linspace(0, 1, 201)[:, None]
    D = trainer.coefficients["D"]
    return {"rel_l2": trainer.relative_l2(xs, exact(xs[:, 0])), "D": D,
            "D_rel_error": abs(D - p["D_true"]) / p["D_true"], "seconds": seconds, "trainer": trainer}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--noise", type=float, default=PARAMS["noise"])
    a = ap.parse_args(argv)
    out = run(progress=True, noise=a.noise)
    print(f"inverse diffusion: D = {out['D']:.4f} (true {PARAMS['D_true']}, rel. error {out['D_rel_error']:.2e}); "
          f"u relative L2 {out['rel_l2']:.2e}; {out['seconds']:.1f} s")


if __name__ == "__main__":
    main()
