"""Dielectric slab (n = 3.5) at normal incidence: R/T spectra from flux monitors with a normalisation
run, against the closed-form Fabry-Perot (Airy) result.

Run: python examples/electromagnetics/slab_spectrum.py [OUTDIR] [--quick]   (about 5 s)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import QUICK, out_dir, save_png  # noqa: E402
from scipy.constants import c  # noqa: E402

from electromagnetics.fdtd import (  # noqa: E402
    CPML,
    FDTDSimulation,
    FluxMonitor,
    Grid,
    Material,
    ModulatedGaussian,
    PlaneCurrent,
    Slab,
    Source,
)
from electromagnetics.fdtd.postprocess import reflection_transmission  # noqa: E402
from mindscience.io import save  # noqa: E402

N_SLAB = 3.5
DX = 1e-3                         # m
D_CELLS = 12                      # slab thickness, cells
PPW = 10 if QUICK else 20         # cells per wavelength in the slab at the top of the band
FMAX = c / (PPW * N_SLAB * DX)
FREQS = np.linspace(FMAX / 2, FMAX, 40 if QUICK else 200)
NX = 700

out = out_dir("slab_spectrum")
wf = ModulatedGaussian(FREQS.mean(), (FREQS[-1] - FREQS[0]) / 4)
mons = []
for with_slab in (False, True):
    geo = [Slab("x", 300.5 * DX, (300.5 + D_CELLS) * DX, Material(eps=N_SLAB**2))] if with_slab else []
    fr, ft = FluxMonitor("x", 200 * DX, FREQS), FluxMonitor("x", (NX - 100) * DX, FREQS)
    sim = FDTDSimulation(Grid((NX,), spacing=DX, courant=0.5), geometry=geo,
                         sources=[Source(PlaneCurrent("x", 100 * DX), wf, "Ez")], boundaries=CPML(20),
                         monitors=[fr, ft])
    sim.run(until_decayed=("Ez", ((NX - 100) * DX,), 1e-4 if QUICK else 1e-6), progress=False)
    mons.append((fr, ft))
R, T = reflection_transmission(mons[1][0], mons[1][1], mons[0][0], mons[0][1])

k0 = 2 * np.pi * FREQS / c
r12 = (1 - N_SLAB) / (1 + N_SLAB)
ph = np.exp(2j * N_SLAB * k0 * D_CELLS * DX)
R_fp = np.abs((r12 - r12 * ph) / (1 - r12**2 * ph)) ** 2      # Airy formula
print(f"max |R - R_FabryPerot| = {np.abs(R - R_fp).max():.4f}, max |R + T - 1| = {np.abs(R + T - 1).max():.2e}")

save(out / "slab_spectrum.h5", {"frequency": FREQS, "R": R, "T": T, "R_fabry_perot": R_fp},
     units={"frequency": "Hz"}, parameters={"n": N_SLAB, "thickness_m": D_CELLS * DX, "dx_m": DX})
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(FREQS / 1e9, R, label="R (FDTD)")
ax.plot(FREQS / 1e9, T, label="T (FDTD)")
ax.plot(FREQS / 1e9, R_fp, "k--", lw=1, label="R Fabry-Perot")
ax.plot(FREQS / 1e9, 1 - R_fp, "k:", lw=1, label="T Fabry-Perot")
ax.set_xlabel("frequency (GHz)")
ax.legend()
fig.tight_layout()
save_png(fig, out / "slab_spectrum.png")
