"""3D PEC rectangular cavity: resonances by harmonic inversion of a ring-down vs
f = c/2 sqrt((m/a)^2 + (n/b)^2 + (p/c)^2).

Run: python examples/electromagnetics/pec_cavity.py [OUTDIR] [--quick]   (about 5 s)
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import QUICK, out_dir, save_png  # noqa: E402
from scipy.constants import c  # noqa: E402

from electromagnetics.fdtd import FDTDSimulation, Grid, ModulatedGaussian, PointDipole, Probe, Source  # noqa: E402
from electromagnetics.fdtd.postprocess import harmonic_inversion  # noqa: E402
from mindscience.io import save  # noqa: E402

A, B, C = 1.0, 0.8, 0.6          # cavity edges, m
CELLS_PER_A = 10 if QUICK else 30

out = out_dir("pec_cavity")
d = A / CELLS_PER_A
grid = Grid((CELLS_PER_A, round(B / d), round(C / d)), spacing=d)
wf = ModulatedGaussian(310e6, 70e6)
sources = [Source(PointDipole((0.37 * A, 0.29 * B, 0.23 * C)), wf, comp) for comp in ("Ex", "Ey", "Ez")]
probes = [Probe(comp, (0.71 * A, 0.63 * B, 0.58 * C)) for comp in ("Ex", "Ey", "Ez")]
sim = FDTDSimulation(grid, sources=sources, monitors=probes)      # default boundaries: PEC walls
sim.run(until=wf.end_time, progress=False)
n0 = sim.step_count
sim.run(steps=600 if QUICK else 3000, progress=False)
ring = sum(p.values[n0:] for p in probes)
res = harmonic_inversion(ring[::2], 2 * sim.dt, 150e6, 450e6, rel_threshold=1e-7)
f_fdtd = np.array([r.frequency for r in res])

modes = {}
for m in range(4):
    for n in range(4):
        for p in range(4):
            if (m > 0) + (n > 0) + (p > 0) >= 2:
                f = c / 2 * np.sqrt((m / A) ** 2 + (n / B) ** 2 + (p / C) ** 2)
                modes.setdefault(round(f), (f, (m, n, p)))   # TE/TM pairs share a frequency
exact = sorted(v for v in modes.values() if v[0] < 450e6)
f_exact = np.array([f for f, _ in exact])
print(" mode (m,n,p)  analytic (MHz)   FDTD (MHz)   rel. error")
for (f, mnp), g in zip(exact, f_fdtd):
    print(f" {mnp!s:12s} {f / 1e6:12.3f} {g / 1e6:12.3f}   {g / f - 1:+.2e}")

save(out / "pec_cavity.h5", {"ringdown": ring, "dt": sim.dt, "f_fdtd": f_fdtd, "f_exact": f_exact},
     units={"dt": "s", "f_fdtd": "Hz", "f_exact": "Hz"}, parameters={"edges_m": [A, B, C], "dx_m": d})
spec = np.abs(np.fft.rfft(ring * np.hanning(ring.size), 16 * ring.size))
freq = np.fft.rfftfreq(16 * ring.size, sim.dt)
fig, ax = plt.subplots(figsize=(6.5, 4))
sel = freq < 450e6
ax.semilogy(freq[sel] / 1e6, spec[sel] / spec[sel].max(), label="FDTD ring-down spectrum")
for f in f_exact:
    ax.axvline(f / 1e6, color="k", ls=":", lw=0.8)
ax.set_xlabel("frequency (MHz)")
ax.set_ylabel("|FFT| (normalised)")
ax.set_title("PEC cavity 1 x 0.8 x 0.6 m: dotted = analytic modes")
ax.legend()
fig.tight_layout()
save_png(fig, out / "pec_cavity.png")
