"""Derivatives of a multilayer stack's FDTD transmittance against the transfer-matrix method, vs grid spacing.

A 1D run (``electromagnetics.differentiable.TMDesign`` on a 1D grid, CPML walls) sends a modulated
Gaussian pulse through three dielectric layers (30 mm in all); the transmittance at several frequencies
is ``T(f) = |DFT of Ez behind the stack|^2 / |DFT without the stack|^2``. Its Jacobian with respect to the
three layer permittivities is taken by forward mode (``autodiff.jacfwd``: few inputs, many outputs) and
by reverse mode (``autodiff.jacrev``) and compared with the exact transfer-matrix derivative (central
differences of the analytic characteristic-matrix transmittance). The difference is the FDTD
discretisation error and must fall as dx^2; the last line prints the observed order.

    python benchmarks/fdtd_diff_1d_tmm.py [--cells-per-mm 2 4 8]
"""

# ruff: noqa: E402
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import math
import time

import numpy as np
from scipy.constants import c as C0

import autodiff as ad
import autodiff.numpy as anp
from electromagnetics.differentiable import TMDesign
from electromagnetics.fdtd import CPML, Grid, ModulatedGaussian, PointDipole, Source

EPS_LAYERS = np.array([2.0, 3.0, 1.5])
FRACTIONS = (0.3, 0.3, 0.4)     # of the 30 mm stack
F0 = C0 / 30e-3                 # Hz, pulse centre (lambda0 = 30 mm)
FREQS = np.linspace(0.7, 1.3, 7) * F0


class Trace:
    """Per-step term: Ez at one node."""

    def __init__(self, x):
        self.x = x

    def bind(self, grid):
        self.i = grid.nearest_index("Ez", (self.x,))[0]
        return self

    def __call__(self, u_prev, u_next):
        return u_prev[0, self.i, 0]


def tmm_transmittance(eps_layers, thickness, f):
    """Transfer-matrix transmittance of a lossless stack in vacuum at normal incidence (Born & Wolf 1.6)."""
    k0 = 2 * np.pi * f / C0
    m = np.eye(2, dtype=complex)
    for e, d in zip(eps_layers, thickness):
        n = np.sqrt(e)
        ph = n * k0 * d
        m = m @ np.array([[np.cos(ph), -1j * np.sin(ph) / n], [-1j * n * np.sin(ph), np.cos(ph)]])
    return abs(2 / (m[0, 0] + m[0, 1] + m[1, 0] + m[1, 1])) ** 2


def setup(cells_per_mm):
    dx = 1e-3 / cells_per_mm
    nl = int(round(30e-3 / dx))
    n_steps = 800 * cells_per_mm
    g = Grid((int(round(0.12 / dx)),), spacing=dx)
    src = Source(PointDipole((0.015,)), ModulatedGaussian(F0, 0.4 * F0), "Ez")
    prob = TMDesign(g, (0.05,), (0.05 + (nl - 1) * dx,), [src], Trace(0.095), n_steps,
                    boundaries=CPML(5 * cells_per_mm))
    edges = np.round(np.cumsum((0,) + FRACTIONS) * nl).astype(int)
    masks = np.zeros((3, nl))
    for k in range(3):
        masks[k, edges[k]:edges[k + 1]] = 1.0
    t = np.arange(n_steps) * g.dt
    cos, sin = np.cos(2 * np.pi * FREQS[:, None] * t), np.sin(2 * np.pi * FREQS[:, None] * t)
    inc = np.asarray(prob.signal(np.ones(nl)))
    inc_power = (cos @ inc) ** 2 + (sin @ inc) ** 2

    def transmittance(e3):
        s = prob.signal(1.0 + anp.sum((e3[:, None] - 1.0) * masks, axis=0))
        re, im = anp.matmul(cos, s), anp.matmul(sin, s)
        return (re * re + im * im) / inc_power

    return transmittance, np.diff(edges) * dx, n_steps


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells-per-mm", type=int, nargs="+", default=[2, 4, 8])
    a = ap.parse_args(argv)
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average); layers eps {EPS_LAYERS.tolist()}, "
          f"{len(FREQS)} frequencies in [0.7, 1.3] f0")
    print(f"{'dx mm':>7} {'steps':>6} {'jacfwd s':>9} {'jacrev s':>9} {'|fwd-rev|/|J|':>14} {'|J-J_tmm|/|J_tmm|':>18}")
    errs = []
    h = 1e-5
    for cpm in a.cells_per_mm:
        transmittance, d, n_steps = setup(cpm)
        t0 = time.perf_counter()
        jf = np.asarray(ad.jacfwd(transmittance)(EPS_LAYERS))
        t1 = time.perf_counter()
        jr = np.asarray(ad.jacrev(transmittance)(EPS_LAYERS))
        t2 = time.perf_counter()
        jt = np.stack([[(tmm_transmittance(EPS_LAYERS + h * e, d, f) - tmm_transmittance(EPS_LAYERS - h * e, d, f))
                        / (2 * h) for e in np.eye(3)] for f in FREQS])
        err = np.max(np.abs(jf - jt)) / np.max(np.abs(jt))
        errs.append(err)
        print(f"{1 / cpm:>7.3f} {n_steps:>6} {t1 - t0:>9.2f} {t2 - t1:>9.2f} "
              f"{np.max(np.abs(jf - jr)) / np.max(np.abs(jf)):>14.1e} {err:>18.2e}")
    if len(errs) > 1:
        order = math.log(errs[-2] / errs[-1]) / math.log(a.cells_per_mm[-1] / a.cells_per_mm[-2])
        print(f"observed order of the FDTD-vs-TMM derivative error: {order:.2f} (expected 2)")


if __name__ == "__main__":
    main()
