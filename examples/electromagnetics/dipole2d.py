"""Dipole radiating in 2D (TM, Ez) next to a dielectric rod: field snapshots to HDF5 and a field image.

Run: python examples/electromagnetics/dipole2d.py [OUTDIR] [--quick]   (about 5 s on 2 cores; --quick: 3x coarser)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import QUICK, out_dir, save_png  # noqa: E402
from scipy.constants import c  # noqa: E402

from electromagnetics.fdtd import (  # noqa: E402
    CPML,
    Cylinder,
    FDTDSimulation,
    Grid,
    Material,
    ModulatedGaussian,
    PointDipole,
    Snapshots,
    Source,
)
from electromagnetics.fdtd.postprocess import plot_field  # noqa: E402

# ---- parameters (SI units)
DX = 3e-3 if QUICK else 1e-3   # cell size, m
SHAPE = (80, 67) if QUICK else (240, 200)  # cells (0.24 m x 0.2 m)
F0 = c / (20 * DX)        # centre frequency, Hz (20 cells per wavelength)
ROD = dict(center=(0.15, 0.10), radius=0.02, eps=4.0)
SOURCE_AT = (0.06, 0.10)  # m

out = out_dir("dipole2d")
grid = Grid(SHAPE, spacing=DX)
rod = Cylinder(ROD["center"], ROD["radius"], np.inf, Material(eps=ROD["eps"]))
wf = ModulatedGaussian(F0, F0 / 4)
snaps = Snapshots(["Ez"], interval=100, path=out / "dipole2d_snapshots.h5", stride=2)
sim = FDTDSimulation(grid, geometry=[rod], sources=[Source(PointDipole(SOURCE_AT), wf, "Ez", amplitude=1e-6)],
                     boundaries=CPML(12), monitors=[snaps])
sim.run(until=wf.end_time + 0.2 / c)

fig, ax = plt.subplots(figsize=(6.5, 5))
im = plot_field(sim, "Ez", ax=ax)
ax.add_patch(plt.Circle(ROD["center"], ROD["radius"], fill=False, color="k", lw=0.8))
fig.colorbar(im, ax=ax, label="Ez (V/m)")
fig.tight_layout()
save_png(fig, out / "dipole2d.png")
print(f"wrote {out / 'dipole2d_snapshots.h5'} ({len(snaps.times)} snapshots) and {out / 'dipole2d.png'}")
