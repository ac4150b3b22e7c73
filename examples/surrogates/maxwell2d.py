"""Maxwell 2D (TE) PINN: a Gaussian source in a PEC square with zero initial fields, compared with our FDTD.

MindElec's flagship time-domain problem (relative L2 errors 2.3-3.6 % per component vs FDTD in its README),
in normalised units (lengths in L, time in L/c, eps = mu = 1; see
``electromagnetics.surrogates.maxwell_pinn``): domain [-1, 1]^2 x [0, T], source
J = A exp(-r^2 / 2 s^2) exp(-(t - t0)^2 / 2 tau^2) in the Hz equation, PEC walls. The PINN (MLP with a hard
zero-initial-field / PEC ansatz, Adam then L-BFGS) is compared with the FDTD solution (200 x 200 cells,
sampled with the Yee staggering) on a 65 x 65 grid at 5 times; writes ``maxwell2d.h5`` (fields, errors, loss
history) and ``maxwell2d_<component>.png`` (PINN | FDTD | error at 3 times) into OUTDIR.

Measured (seed 0, default ``PARAMS``: MLP 3-48-48-48-3 tanh, 2048 Sobol collocation points, 1000 Adam steps
with the learning rate decaying 5e-3 -> 5e-4, then 2000 L-BFGS iterations): relative L2 vs FDTD Ex 2.92 %,
Ey 3.39 %, Hz 3.07 % (reproduced exactly by ``benchmarks/pinn_maxwell.py``); training 227 s wall on a shared
2-core machine, one BLAS thread (1008 s wall under heavy load; about 180-190 s of CPU either way).
A smaller budget (3-32-32-32-3, 1024 points, 1500 Adam + 3000 L-BFGS) gave 3.40 / 3.95 / 3.37 %
(908 s wall under heavy load, 140 s CPU).

    python examples/surrogates/maxwell2d.py [--adam 1000] [--lbfgs 2000] [--out OUTDIR]
"""

# ruff: noqa: E402  (BLAS threads are pinned before numpy is imported)
import os

# one BLAS thread: on shared cores a multi-threaded BLAS made small PINN matmuls ~10x slower (measured)
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import time
from pathlib import Path

import numpy as np

from electromagnetics.surrogates import (
    COMPONENTS,
    TESpec,
    build_problem,
    evaluation_points,
    fdtd_reference,
    relative_l2_errors,
)
from mindscience.nn import Adam
from mindscience.nn.optim import exponential_decay
from mindscience.pinn import Trainer

PARAMS = {
    # problem (normalised units)
    "t_end": 1.0, "center": (0.0, 0.0), "width": 0.15, "duration": 0.12, "delay": 0.4, "amplitude": 10.0,
    # network and training
    "widths": [48, 48, 48], "n_interior": 2048, "adam": 1000, "lr": 5e-3, "lbfgs": 2000, "seed": 0,
    # reference and evaluation
    "fdtd_cells": 200, "n_eval": 65, "eval_times": [0.2, 0.4, 0.6, 0.8, 1.0], "plot_times": [0.4, 0.7, 1.0],
}


def spec_of(p):
    return TESpec(t_end=p["t_end"], center=p["center"], width=p["width"], duration=p["duration"],
                  delay=p["delay"], amplitude=p["amplitude"])


def run(progress=False, out=None, **overrides):
    """Train with ``PARAMS`` (updated by ``overrides``) and compare with the FDTD.

    Returns
    -------
    dict
        ``"errors"`` ({component: relative L2}), ``"rel_l2"`` (the largest of them), ``"seconds"`` (training
        wall time), ``"fdtd_seconds"``, ``"trainer"``, and the written paths under ``"files"`` when ``out``.
    """
    p = {**PARAMS, **overrides}
    spec = spec_of(p)
    problem = build_problem(spec, widths=p["widths"], n_interior=p["n_interior"])
    trainer = Trainer(problem, Adam(exponential_decay(p["lr"], 0.1, max(p["adam"], 1))), seed=p["seed"])
    t0 = time.perf_counter()
    trainer.train(p["adam"], lbfgs=p["lbfgs"], progress=progress)
    seconds = time.perf_counter() - t0

    pts, (xs, _) = evaluation_points(spec, p["n_eval"], p["eval_times"])
    t0 = time.perf_counter()
    ref = fdtd_reference(spec, pts, cells=p["fdtd_cells"])
    fdtd_seconds = time.perf_counter() - t0
    pred = trainer.predict(pts)
    errors = relative_l2_errors(pred, ref)
    result = {"errors": errors, "rel_l2": max(errors.values()), "seconds": seconds, "fdtd_seconds": fdtd_seconds,
              "trainer": trainer}
    if out is not None:
        result["files"] = write_outputs(Path(out), p, spec, trainer, xs, pts, pred, ref, errors)
    return result


def write_outputs(out, p, spec, trainer, xs, pts, pred, ref, errors):
    """HDF5 with the fields on the evaluation grid and PNGs of PINN | FDTD | error at ``plot_times``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mindscience.io.hdf5 import save

    out.mkdir(parents=True, exist_ok=True)
    nt, n = len(p["eval_times"]), len(xs)
    shape = (nt, n, n)  # (time, x, y)
    hist = {k: np.asarray(v, dtype=float) for k, v in trainer.history.items()}
    data = {"x": xs, "y": xs, "t": np.asarray(p["eval_times"], dtype=float),
            "pinn": {c: pred[:, k].reshape(shape) for k, c in enumerate(COMPONENTS)},
            "fdtd": {c: ref[:, k].reshape(shape) for k, c in enumerate(COMPONENTS)},
            "relative_l2": dict(errors), "loss_history": hist}
    units = {"x": "L", "y": "L", "t": "L/c", **{f"{s}/{c}": "normalised (E0; E0/eta0 for H)"
                                                  for s in ("pinn", "fdtd") for c in COMPONENTS}}
    h5 = out / "maxwell2d.h5"
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()}
    save(h5, data, parameters={**params, "spec": spec.parameters()}, units=units)
    pngs = []
    # plot times not on the evaluation grid are evaluated here (FDTD again on the plot grid)
    tp = np.asarray(p["plot_times"], dtype=float)
    ppts, _ = evaluation_points(spec, n, tp)
    pp, rr = trainer.predict(ppts), fdtd_reference(spec, ppts, cells=p["fdtd_cells"])
    ext = (-1, 1, -1, 1)
    for k, c in enumerate(COMPONENTS):
        P, R = pp[:, k].reshape(len(tp), n, n), rr[:, k].reshape(len(tp), n, n)
        vmax = float(np.max(np.abs(R))) or 1.0
        fig, axes = plt.subplots(len(tp), 3, figsize=(10, 3.1 * len(tp)), squeeze=False)
        for i, t in enumerate(tp):
            for j, (img, title, cmap, lim) in enumerate(
                    [(P[i], "PINN", "RdBu_r", vmax), (R[i], "FDTD", "RdBu_r", vmax),
                     (P[i] - R[i], "PINN - FDTD", "RdBu_r", float(np.max(np.abs(P[i] - R[i]))) or 1.0)]):
                ax = axes[i, j]
                im = ax.imshow(img.T, origin="lower", extent=ext, cmap=cmap, vmin=-lim, vmax=lim)
                ax.set_title(f"{c} {title}, t = {t:g} L/c", fontsize=9)
                ax.set_xlabel("x / L")
                ax.set_ylabel("y / L")
                fig.colorbar(im, ax=ax, fraction=0.046)
        fig.suptitle(f"{c}: relative L2 error vs FDTD {errors[c]:.2%} (all evaluation times)")
        fig.tight_layout()
        path = out / f"maxwell2d_{c}.png"
        tmp = path.with_name("." + path.name + ".tmp.png")
        fig.savefig(tmp, dpi=90)
        plt.close(fig)
        tmp.replace(path)
        pngs.append(path)
    return [h5, *pngs]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--adam", type=int, default=PARAMS["adam"])
    ap.add_argument("--lbfgs", type=int, default=PARAMS["lbfgs"])
    ap.add_argument("--out", default="surrogate_examples_out/maxwell2d", help="output folder (HDF5 + PNG)")
    a = ap.parse_args(argv)
    res = run(progress=True, out=a.out, adam=a.adam, lbfgs=a.lbfgs)
    errs = ", ".join(f"{c} {e:.2%}" for c, e in res["errors"].items())
    print(f"Maxwell 2D TE: relative L2 vs FDTD {errs}; training {res['seconds']:.1f} s, "
          f"FDTD {res['fdtd_seconds']:.1f} s")
    for f in res.get("files", []):
        print(f"wrote {f}")


if __name__ == "__main__":
    main()
