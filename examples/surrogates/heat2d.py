"""Heat equation 2D PINN: u_t = alpha (u_xx + u_yy) on [0,1]^2 x [0,1], u = 0 on the boundary,
u(x, y, 0) = sin(pi x) sin(pi y).

Reference: the analytic solution exp(-2 pi^2 alpha t) sin(pi x) sin(pi y) (``datasets.references.heat2d_modes``).

    python examples/surrogates/heat2d.py [--adam 1500] [--lbfgs 1000]
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

from datasets.references import heat2d_modes
from mindscience.nn import MLP, Adam
from mindscience.pinn import PDE, DirichletBC, InitialCondition, Problem, Rectangle, SpaceTime, TimeDomain, Trainer

PARAMS = {"alpha": 0.1, "widths": [3, 32, 32, 32, 1], "n_interior": 1024, "n_boundary": 256, "n_initial": 256,
          "weights": 10.0, "adam": 1500, "lr": 2e-3, "lbfgs": 1000, "seed": 0}


def build(p):
    x, y, t = sp.symbols("x y t")
    u = sp.Function("u")
    pde = PDE(sp.diff(u(x, y, t), t) - p["alpha"] * (sp.diff(u(x, y, t), x, 2) + sp.diff(u(x, y, t), y, 2)),
              (x, y, t), [u])
    dom = SpaceTime(Rectangle([0, 0], [1, 1]), TimeDomain(0.0, 1.0))
    conds = [DirichletBC(dom, 0.0, n=p["n_boundary"], method="sobol", weight=p["weights"]),
             InitialCondition(dom, lambda z: np.sin(np.pi * z[:, 0]) * np.sin(np.pi * z[:, 1]), n=p["n_initial"],
                              method="sobol", weight=p["weights"])]
    return Problem(pde, dom, MLP(p["widths"]), conds, n_interior=p["n_interior"])


def run(progress=False, **overrides):
    """Train; return ``{"rel_l2", "seconds", "trainer"}`` (error on a 41 x 41 x 11 grid)."""
    p = {**PARAMS, **overrides}
    problem = build(p)
    trainer = Trainer(problem, Adam(p["lr"]), seed=p["seed"])
    t0 = time.perf_counter()
    trainer.train(p["adam"], lbfgs=p["lbfgs"], progress=progress)
    seconds = time.perf_counter() - t0
    xs, ts = np.linspace(0, 1, 41), np.linspace(0, 1, 11)
    ref = heat2d_modes(xs, xs, ts, [[1, 1]], [1.0], p["alpha"])  # (nt, ny, nx)
    T, Y, X = np.meshgrid(ts, xs, xs, indexing="ij")
    pts = np.column_stack([X.ravel(), Y.ravel(), T.ravel()])
    return {"rel_l2": trainer.relative_l2(pts, ref.ravel()), "seconds": seconds, "trainer": trainer}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--adam", type=int, default=PARAMS["adam"])
    ap.add_argument("--lbfgs", type=int, default=PARAMS["lbfgs"])
    a = ap.parse_args(argv)
    out = run(progress=True, adam=a.adam, lbfgs=a.lbfgs)
    print(f"heat 2D: relative L2 error {out['rel_l2']:.2e} in {out['seconds']:.1f} s")


if __name__ == "__main__":
    main()
