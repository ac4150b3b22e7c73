"""Burgers 1D PINN: u_t + u u_x = nu u_xx on [-1, 1] x [0, 1], nu = 0.01/pi, u(x, 0) = -sin(pi x), u(+-1, t) = 0.

Reference: the in-repo Cole-Hopf solution ``datasets.references.burgers_cole_hopf`` (Gauss-Hermite quadrature)
on a 256 x 100 grid as in Raissi et al. (2019), who report a relative L2 error of 6.7e-4 with L-BFGS;
PINNacle's vanilla PINN reports 1.45e-2.

    python examples/surrogates/burgers1d.py [--adam 3000] [--lbfgs 3000]
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

from datasets.references import burgers_cole_hopf
from mindscience.nn import MLP, Adam
from mindscience.pinn import PDE, DirichletBC, InitialCondition, Interval, Problem, SpaceTime, TimeDomain, Trainer

# Measured at this budget: relative L2 2.3e-3 against the Cole-Hopf reference (about 230 s of CPU time).
PARAMS = {"nu": 0.01 / np.pi, "widths": [2, 32, 32, 32, 32, 1], "n_interior": 2048, "n_boundary": 200,
          "n_initial": 256, "weights": 10.0, "adam": 3000, "lr": 1e-3, "lbfgs": 3000, "rar_every": 1000, "seed": 0}


def build(p):
    x, t = sp.symbols("x t")
    u = sp.Function("u")
    pde = PDE(sp.diff(u(x, t), t) + u(x, t) * sp.diff(u(x, t), x) - p["nu"] * sp.diff(u(x, t), x, 2), (x, t), [u])
    dom = SpaceTime(Interval(-1.0, 1.0), TimeDomain(0.0, 1.0))
    conds = [DirichletBC(dom, 0.0, n=p["n_boundary"], method="sobol", weight=p["weights"]),
             InitialCondition(dom, lambda z: -np.sin(np.pi * z[:, 0]), n=p["n_initial"], method="sobol",
                              weight=p["weights"])]
    return Problem(pde, dom, MLP(p["widths"]), conds, n_interior=p["n_interior"])


def run(progress=False, **overrides):
    """Train; return ``{"rel_l2", "seconds", "trainer"}`` against the Cole-Hopf reference."""
    p = {**PARAMS, **overrides}
    trainer = Trainer(build(p), Adam(p["lr"]), seed=p["seed"])
    t0 = time.perf_counter()
    trainer.train(p["adam"], lbfgs=p["lbfgs"], progress=progress, rar_every=p["rar_every"] or None)
    seconds = time.perf_counter() - t0
    xs, ts = np.linspace(-1, 1, 256), np.linspace(0, 0.99, 100)
    ref = burgers_cole_hopf(xs, ts, nu=p["nu"])  # (nt, nx)
    T, X = np.meshgrid(ts, xs, indexing="ij")
    pts = np.column_stack([X.ravel(), T.ravel()])
    return {"rel_l2": trainer.relative_l2(pts, ref.ravel()), "seconds": seconds, "trainer": trainer}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--adam", type=int, default=PARAMS["adam"])
    ap.add_argument("--lbfgs", type=int, default=PARAMS["lbfgs"])
    a = ap.parse_args(argv)
    out = run(progress=True, adam=a.adam, lbfgs=a.lbfgs)
    print(f"Burgers 1D: relative L2 error {out['rel_l2']:.2e} in {out['seconds']:.1f} s")


if __name__ == "__main__":
    main()
