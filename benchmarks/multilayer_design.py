"""Surrogate-in-the-loop multilayer design on FDTD data: validation error of the surrogate, the design and
its verification by the dataset generator's FDTD and by transfer matrices.

Generates (or reuses from the cache) ``fdtd-multilayer-spectra`` with ``--n`` samples, trains the MLP
surrogate (:mod:`electromagnetics.surrogates.multilayer`; ``--features stack``: the normalised characteristic
matrix of the stack, ``stack-norm``: that and the log of its norm, ``phase``: per-layer cos/sin of the phase
thickness) on the train split with ``--steps`` Adam steps (cosine-decayed from ``--lr``) and ``--lbfgs``
full-batch L-BFGS iterations, reports its error on the val and test splits next to the transfer-matrix
result's own deviation from the FDTD data (the floor for a surrogate of the continuum physics), designs a
reflector for ``R >= --target`` over ``--band`` (nm) and verifies it. The last line says whether the verified
design meets the target within the surrogate's validation error (``min_band R_FDTD >= target - p95_val``) and
whether the surrogate's in-band error on the design is within its validation p95 and max.

    python benchmarks/multilayer_design.py [--n 1000] [--workers 2] [--steps 4000] [--batch 2048] [--lr 1e-2]
        [--features stack-norm|stack|phase] [--lbfgs 0] [--starts 12]
"""

# ruff: noqa: E402
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import time

import numpy as np
from scipy.constants import c as C0

import datasets
from datasets.references import multilayer_rt
from electromagnetics.surrogates.multilayer import (
    design_reflector,
    from_dataset_params,
    load_training_data,
    verify_design,
)

NAME = "fdtd-multilayer-spectra"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="dataset samples (generated if missing)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--widths", type=int, nargs="+", default=[64, 64])
    ap.add_argument("--features", choices=["stack", "stack-norm", "phase"], default="stack-norm")
    ap.add_argument("--lbfgs", type=int, default=0, help="full-batch L-BFGS iterations after Adam")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--band", type=float, nargs=2, default=[550.0, 650.0], help="nm")
    ap.add_argument("--target", type=float, default=0.9)
    ap.add_argument("--starts", type=int, default=12)
    a = ap.parse_args(argv)
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average)")
    t0 = time.perf_counter()
    path = datasets.generate(NAME, n=a.n, workers=a.workers, progress=False)
    print(f"dataset {path.name}: ready in {time.perf_counter() - t0:.1f} s")
    split = {s: load_training_data(datasets.load(NAME, s, n=a.n)) for s in ("train", "val", "test")}
    tr = split["train"]
    sur = from_dataset_params(tr["params"], tr["frequencies"], widths=a.widths, features=a.features)
    t0 = time.perf_counter()
    sur.fit(tr["index"], tr["thickness"], tr["R"], steps=a.steps, batch=a.batch, lr=a.lr, seed=a.seed,
            progress=False, lbfgs_steps=a.lbfgs)
    t_train = time.perf_counter() - t0
    test = sur.validate(split["test"]["index"], split["test"]["thickness"], split["test"]["R"])
    val = sur.validate(split["val"]["index"], split["val"]["thickness"], split["val"]["R"])
    print(f"surrogate {a.features} features, {a.widths}, {len(tr['R'])} train spectra, {a.steps} Adam steps x "
          f"{a.batch} (lr {a.lr:g}, cosine) + {a.lbfgs} L-BFGS: {t_train:.1f} s")
    for name, v in (("val", val), ("test", test)):
        d = split[name]
        tmm = np.array([multilayer_rt(n_, d_, C0 / tr["frequencies"])[0] for n_, d_ in zip(d["index"], d["thickness"])])
        e = np.abs(tmm - d["R"])
        base = np.sqrt(np.mean((d["R"] - tr["R"].mean(axis=0)) ** 2))
        print(f"  {name:>4} ({v['n']} spectra): RMSE {v['rmse']:.4f}  p95 {v['p95']:.4f}  max {v['max_abs']:.4f}"
              f"   [transfer matrix vs FDTD: RMSE {np.sqrt(np.mean(e**2)):.4f} p95 {np.percentile(e, 95):.4f}; "
              f"mean train spectrum: RMSE {base:.4f}]")
    t0 = time.perf_counter()
    band = (a.band[0] * 1e-9, a.band[1] * 1e-9)
    des = design_reflector(sur, band, n_starts=a.starts, seed=a.seed)
    t_design = time.perf_counter() - t0
    t0 = time.perf_counter()
    ver = verify_design(des["index"], des["thickness"], sur.frequencies, tr["params"])
    t_verify = time.perf_counter() - t0
    m = des["mask"]
    pred = sur.predict(des["index"][None], ver["thickness"][None])[0]
    best_data = max(float(s["R"][:, m].min(axis=1).max()) for s in split.values())
    print(f"design ({t_design:.1f} s, {a.starts} starts): n = {np.round(des['index'], 3)}, "
          f"d = {np.round(ver['thickness'] * 1e9, 1)} nm ({ver['cells']} cells)")
    print(f"band {a.band[0]:.0f}-{a.band[1]:.0f} nm min R: surrogate {pred[m].min():.4f}, "
          f"FDTD {ver['R_fdtd'][m].min():.4f}, transfer matrix {ver['R_tmm'][m].min():.4f} "
          f"(verification {t_verify:.1f} s); best stack in the dataset {best_data:.4f}")
    print(f"max |R_FDTD - R_surrogate| in band {np.abs(ver['R_fdtd'] - pred)[m].max():.4f}, "
          f"max |R_FDTD - R_TMM| {np.abs(ver['R_fdtd'] - ver['R_tmm']).max():.4f}")
    err = np.abs(ver["R_fdtd"] - pred)[m].max()
    print(f"design's in-band surrogate error {err:.4f} within the validation p95 {val['p95']:.4f}: "
          f"{bool(err <= val['p95'])}; within the validation max {val['max_abs']:.4f}: {bool(err <= val['max_abs'])}")
    ok = ver["R_fdtd"][m].min() >= a.target - val["p95"]
    print(f"verified design meets R >= {a.target} within the validation error (p95 {val['p95']:.4f}): {ok}; "
          f"strictly: {bool(ver['R_fdtd'][m].min() >= a.target)}")


if __name__ == "__main__":
    main()
