"""Dielectric slab (n = 2) at oblique incidence, s and p polarisation: R/T spectra against the
transfer-matrix (Airy) result, the way Meep computes them.

A current sheet with the Bloch phase exp(i k_par x) sits in a Bloch-periodic cell (one cell wide
along x) with CPML on the y faces. The parallel wavevector k_par is fixed, so a broadband pulse
sweeps the angle with frequency: theta(f) = asin(k_par c / (2 pi f)), 35 deg at the centre
frequency. Flux monitors and a normalisation run (no slab) give R and T.

Run: python examples/electromagnetics/oblique_slab.py [OUTDIR] [--quick]   (about 10 s)
"""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import QUICK, out_dir, save_png  # noqa: E402
from scipy.constants import c  # noqa: E402

from electromagnetics.fdtd import (  # noqa: E402
    CPML,
    Bloch,
    FDTDSimulation,
    FluxMonitor,
    Grid,
    Material,
    ModulatedGaussian,
    PlaneCurrent,
    Slab,
    Source,
)
from electromagnetics.fdtd.postprocess import (  # noqa: E402
    incidence_angle,
    k_parallel,
    reflection_transmission,
    transfer_matrix,
)
from mindscience.io import save  # noqa: E402

N_SLAB = 2.0
F0 = 10e9                                 # Hz, centre frequency
THETA0 = math.radians(35)                 # angle at F0
PPW = 12 if QUICK else 20                 # cells per wavelength in the slab at the top of the band
DX = c / (1.3 * F0) / N_SLAB / PPW
FREQS = np.linspace(0.8, 1.25, 19 if QUICK else 60) * F0
THICKNESS = 0.01                          # m (rounded to whole cells below)
CPML_CELLS = 20
Y_SRC, Y_REF, Y_SLAB = CPML_CELLS + 8, CPML_CELLS + 20, CPML_CELLS + 60   # cells
D_CELLS = max(1, round(THICKNESS / DX))
NY = Y_SLAB + D_CELLS + 50 + CPML_CELLS
Y_TR = Y_SLAB + D_CELLS + 25

out = out_dir("oblique_slab")
kpar = k_parallel(F0, THETA0)
wf = ModulatedGaussian(F0, 0.15 * F0)     # spectrum well above the cut-off k_par c / 2 pi = 0.57 F0
results = {}
for pol, comp in (("s", "Ez"), ("p", "Ex")):   # plane of incidence xy: s has E along z, p has H along z
    mons = []
    for with_slab in (False, True):
        geo = [Slab("y", Y_SLAB * DX, (Y_SLAB + D_CELLS) * DX, Material(eps=N_SLAB**2))] if with_slab else []
        fr, ft = FluxMonitor("y", Y_REF * DX, FREQS), FluxMonitor("y", Y_TR * DX, FREQS)
        sim = FDTDSimulation(Grid((1, NY), spacing=DX), geometry=geo,
                             sources=[Source(PlaneCurrent("y", Y_SRC * DX, k=(kpar, 0.0)), wf, comp)],
                             boundaries={"x": Bloch(kpar), "y": CPML(CPML_CELLS)}, monitors=[fr, ft])
        sim.run(until=wf.end_time + 1200 * DX / c, progress=False)
        mons.append((fr, ft))
    R, T = reflection_transmission(mons[1][0], mons[1][1], mons[0][0], mons[0][1])
    R_tm, T_tm = transfer_matrix(FREQS, kpar, [1.0, N_SLAB, 1.0], [D_CELLS * DX], polarization=pol)
    results[pol] = (R, T, R_tm, T_tm)
    print(f"{pol}: max |R - R_TMM| = {np.abs(R - R_tm).max():.4f}, max |R + T - 1| = {np.abs(R + T - 1).max():.1e}")

theta = np.degrees(incidence_angle(FREQS, kpar))
data = {"frequency": FREQS, "angle": theta}
for pol, (R, T, R_tm, T_tm) in results.items():
    data.update({f"R_{pol}": R, f"T_{pol}": T, f"R_{pol}_tmm": R_tm, f"T_{pol}_tmm": T_tm})
save(out / "oblique_slab.h5", data, units={"frequency": "Hz", "angle": "deg"},
     parameters={"n": N_SLAB, "thickness_m": D_CELLS * DX, "dx_m": DX, "k_parallel_rad_per_m": kpar,
                 "angle_at_f0_deg": math.degrees(THETA0)})

fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, (pol, (R, T, R_tm, T_tm)) in zip(axes, results.items()):
    ax.plot(FREQS / 1e9, R_tm, "k-", lw=1, label="R transfer matrix")
    ax.plot(FREQS / 1e9, T_tm, "k--", lw=1, label="T transfer matrix")
    ax.plot(FREQS / 1e9, R, "o", ms=3, label="R FDTD")
    ax.plot(FREQS / 1e9, T, "s", ms=3, label="T FDTD")
    ax.set_title(f"{pol}-polarised, n = {N_SLAB:g} slab, {D_CELLS * DX * 1e3:.1f} mm")
    ax.set_xlabel("frequency (GHz)")
    top = ax.secondary_xaxis("top", functions=(
        lambda f: np.degrees(np.arcsin(np.clip(kpar * c / (2 * np.pi * np.maximum(f, 1e-9) * 1e9), -1, 1))),
        lambda a: kpar * c / (2 * np.pi * np.sin(np.radians(np.clip(a, 1e-3, 90)))) / 1e9))
    top.set_xlabel("angle of incidence (deg)")
axes[0].legend(fontsize=8)
fig.tight_layout()
save_png(fig, out / "oblique_slab.png")
