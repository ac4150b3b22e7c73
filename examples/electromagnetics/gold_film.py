"""Gold film (Drude model of Rakic et al. 1998) at normal incidence in the near infrared:
R and T from flux monitors vs the closed-form thin-film (Airy) result with the Drude eps(omega).

Run: python examples/electromagnetics/gold_film.py [OUTDIR] [--quick]   (about 10 s)
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
    ModulatedGaussian,
    PlaneCurrent,
    Slab,
    Source,
    get_material,
)
from electromagnetics.fdtd.postprocess import reflection_transmission  # noqa: E402
from mindscience.io import save  # noqa: E402

DX = 4e-9 if QUICK else 1e-9       # m (skin depth ~ 25 cells; 6 with --quick)
FILM = 20e-9                       # film thickness, m
NX = 1400
FREQS = np.linspace(200e12, 400e12, 20 if QUICK else 60)   # 0.75 - 1.5 um

out = out_dir("gold_film")
gold = get_material("Au-Drude")
wf = ModulatedGaussian(300e12, 60e12)
mons = []
for with_film in (False, True):
    geo = [Slab("x", 700.5 * DX, 700.5 * DX + FILM, gold)] if with_film else []
    fr, ft = FluxMonitor("x", 400 * DX, FREQS), FluxMonitor("x", 1100 * DX, FREQS)
    sim = FDTDSimulation(Grid((NX,), spacing=DX, courant=0.5), geometry=geo,
                         sources=[Source(PlaneCurrent("x", 300 * DX), wf, "Ez")], boundaries=CPML(30),
                         monitors=[fr, ft])
    sim.run(until_decayed=("Ez", (1100 * DX,), 1e-4 if QUICK else 1e-6), progress=False)
    mons.append((fr, ft))
R, T = reflection_transmission(mons[1][0], mons[1][1], mons[0][0], mons[0][1])

# closed form: Airy formula for an absorbing film in vacuum, n = sqrt(eps_Drude)
n = gold.refractive_index(FREQS)
k0 = 2 * np.pi * FREQS / c
r12 = (1 - n) / (1 + n)
t12, t21 = 2 / (1 + n), 2 * n / (1 + n)
ph = np.exp(1j * n * k0 * FILM)
r = (r12 - r12 * ph**2) / (1 - r12**2 * ph**2)
t = t12 * t21 * ph / (1 - r12**2 * ph**2)
R_a, T_a = np.abs(r) ** 2, np.abs(t) ** 2
print(f"max |R - R_Airy| = {np.abs(R - R_a).max():.4f}, max |T - T_Airy| = {np.abs(T - T_a).max():.4f}")

save(out / "gold_film.h5", {"frequency": FREQS, "R": R, "T": T, "R_airy": R_a, "T_airy": T_a},
     units={"frequency": "Hz"}, parameters={"film_m": FILM, "dx_m": DX, "material": "Au-Drude (Rakic 1998)"})
lam = c / FREQS * 1e9
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(lam, R, label="R (FDTD)")
ax.plot(lam, T, label="T (FDTD)")
ax.plot(lam, 1 - R - T, label="A (FDTD)")
ax.plot(lam, R_a, "k--", lw=1, label="closed form")
ax.plot(lam, T_a, "k--", lw=1)
ax.set_xlabel("wavelength (nm)")
ax.set_title(f"{FILM * 1e9:.0f} nm gold film (Drude)")
ax.legend()
fig.tight_layout()
save_png(fig, out / "gold_film.png")
