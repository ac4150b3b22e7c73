"""Figures of merit of the FDTD dataset generators: accuracy against closed forms and throughput (one core).

``fdtd-multilayer-spectra``: max |R - R_tmm|, |T - T_tmm|, |R + T - 1| and |r - r_tmm| over N samples at the
default parameters, against the transfer-matrix method (:func:`datasets.references.multilayer_rt`).
``fdtd-scatterer-fields``: relative L2 error of the free-space field against the Hankel line-source field.
Last line: samples per second of each generator on one core.
Run: ``python benchmarks/datasets_fdtd.py [N]`` (about 1 s per multilayer sample on one loaded core).
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scipy.constants import c, mu_0  # noqa: E402
from scipy.special import hankel1  # noqa: E402

from datasets import references, registry  # noqa: E402
from datasets.generate import sample_rng  # noqa: E402
from datasets.generators.fdtd_scatterer import scatterer_fields  # noqa: E402


def multilayer(n):
    spec = registry.get("fdtd-multilayer-spectra")
    p = spec.resolve({})
    lam = spec.make_coords(p)["wavelength"]
    spec(sample_rng(0, 0), p, 0)  # compile the kernels outside the timing
    err = np.zeros((n, 4))
    t0 = time.perf_counter()
    for i in range(n):
        s = spec(sample_rng(0, i), p, i)
        R, T, r, _ = references.multilayer_rt(s["index"], s["thickness"], lam)
        err[i] = [
            np.abs(s["R"] - R).max(),
            np.abs(s["T"] - T).max(),
            np.abs(s["R"] + s["T"] - 1).max(),
            np.abs(s["r"] - r).max(),
        ]
    rate = n / (time.perf_counter() - t0)
    worst = err.max(axis=0)
    print(
        f"multilayer ({n} samples, defaults): max |R - R_tmm| = {worst[0]:.4f}, max |T - T_tmm| = {worst[1]:.4f}, "
        f"max |R + T - 1| = {worst[2]:.1e}, max |r - r_tmm| = {worst[3]:.4f}; median |R - R_tmm| = "
        f"{np.median(err[:, 0]):.4f}"
    )
    return rate


def scatterer(n):
    spec = registry.get("fdtd-scatterer-fields")
    p = spec.resolve({})
    ez = scatterer_fields([], p)["Ez"]
    d = p["spacing"]
    x, y = np.arange(p["nx"]) * d, np.arange(p["ny"]) * d
    xs, ys = round(p["source_x"] * (p["nx"] - 1)) * d, round(p["source_y"] * (p["ny"] - 1)) * d
    r = np.hypot(x[:, None] - xs, y[None, :] - ys)
    far = r > 5 * d
    for k, f in enumerate(np.linspace(p["frequency_min"], p["frequency_max"], p["n_freqs"])):
        w = 2 * np.pi * f
        exact = -(w * mu_0 / 4) * hankel1(0, w / c * r[far])
        err = np.linalg.norm(ez[k][far] - exact) / np.linalg.norm(exact)
        print(f"scatterer free space at {f / 1e9:.2f} GHz: relative L2 error vs -(w mu0/4) H0(kr) = {err:.4f}")
    t0 = time.perf_counter()
    for i in range(n):
        spec(sample_rng(0, i), p, i)
    return n / (time.perf_counter() - t0)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rate_ml = multilayer(n)
    rate_sc = scatterer(max(2, n // 4))
    print(
        f"throughput on one core: fdtd-multilayer-spectra {rate_ml:.2f} samples/s, "
        f"fdtd-scatterer-fields {rate_sc:.2f} samples/s"
    )


if __name__ == "__main__":
    main()
