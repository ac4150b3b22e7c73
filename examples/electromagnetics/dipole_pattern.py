"""Radiation pattern of a z-directed Hertzian dipole in 3D via the near-to-far-field transform,
compared with the closed-form sin^2(theta) pattern.

Run: python examples/electromagnetics/dipole_pattern.py [OUTDIR] [--quick]   (about 10 s)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import QUICK, out_dir, save_png  # noqa: E402
from scipy.constants import c  # noqa: E402

from electromagnetics.fdtd import CPML, FDTDSimulation, Grid, ModulatedGaussian, Near2Far, PointDipole, Source  # noqa: E402
from mindscience.io import save  # noqa: E402

DX = 1e-3
N = 32 if QUICK else 48
F0 = c / (20 * DX)

out = out_dir("dipole_pattern")
grid = Grid((N, N, N), spacing=DX)
wf = ModulatedGaussian(F0, F0 / 4)
n2f = Near2Far((12 * DX,) * 3, ((N - 12) * DX,) * 3, [F0])
sim = FDTDSimulation(grid, sources=[Source(PointDipole((N / 2 * DX, N / 2 * DX, (N / 2 + 0.5) * DX)), wf, "Ez", 1e-6)],
                     boundaries=CPML(8), monitors=n2f.monitors)
sim.run(until=wf.end_time + 2 * N * DX / c, progress=False)

theta = np.linspace(0, np.pi, 91)
e_t, e_p = n2f.far_field(theta, 0.0)
pattern = (np.abs(e_t[0]) ** 2 + np.abs(e_p[0]) ** 2)
pattern /= pattern.max()
print(f"max |pattern - sin^2(theta)| = {np.abs(pattern - np.sin(theta) ** 2).max():.4f}; "
      f"far-field power / box flux = {n2f.radiated_power()[0] / n2f.box_flux()[0]:.4f}")
save(out / "dipole_pattern.h5", {"theta": theta, "pattern": pattern}, units={"theta": "rad"},
     parameters={"frequency_Hz": F0, "dx_m": DX, "cells": N})
fig = plt.figure(figsize=(5, 5))
ax = fig.add_subplot(projection="polar")
ax.plot(theta, pattern, label="FDTD + near-to-far")
ax.plot(theta, np.sin(theta) ** 2, "k--", lw=1, label="sin^2(theta)")
ax.set_theta_zero_location("N")
ax.legend(loc="lower right")
save_png(fig, out / "dipole_pattern.png")
