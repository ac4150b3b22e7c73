"""LJ liquid in the NVT ensemble (Nose-Hoover chain) and its radial distribution function.

Run: ``python examples/molecular/lj_nvt_rdf.py [outdir]`` (reduced units, about 10 s).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from molecular import LennardJones, MDSimulation, NoseHooverChain, lattice  # noqa: E402
from molecular.analysis import block_average, rdf  # noqa: E402
from molecular.reporters import H5MDReporter, ThermoReporter  # noqa: E402

# ---- parameters (LJ reduced units: epsilon = sigma = m = kB = 1)
CELLS, DENSITY, TEMPERATURE = 5, 0.8442, 0.722  # 500 atoms near the triple point
CUTOFF, DT, TAU = 2.5, 0.005, 0.5
EQUILIBRATION, PRODUCTION, SAMPLE = 2000, 4000, 50


def main(outdir="lj_nvt_rdf_out"):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    system = lattice("fcc", CELLS, density=DENSITY).set_velocities(TEMPERATURE, seed=1, kB=1.0)
    sim = MDSimulation(system, LennardJones(cutoff=CUTOFF, mode="shifted-force"),
                       NoseHooverChain(TEMPERATURE, tau=TAU, kB=1.0), dt=DT)
    sim.run(steps=EQUILIBRATION, progress=False)
    thermo = ThermoReporter(SAMPLE, h5=out / "thermo.h5")
    sim.run(steps=PRODUCTION, reporters=[thermo, H5MDReporter(out / "traj.h5", SAMPLE)], progress=True)
    t, terr = block_average(thermo.data["temperature"])
    print(f"<T*> = {t:.4f} +- {terr:.4f} (target {TEMPERATURE})")
    r, g = rdf(out / "traj.h5", bins=150)
    fig, ax = plt.subplots(figsize=(5, 3.5), constrained_layout=True)
    ax.plot(r, g)
    ax.axhline(1, color="0.6", lw=0.8)
    ax.set_xlabel(r"$r/\sigma$")
    ax.set_ylabel("g(r)")
    ax.set_title(f"LJ liquid, T*={TEMPERATURE}, rho*={DENSITY}")
    fig.savefig(out / "rdf.png", dpi=120)
    print(f"first peak g = {g.max():.3f} at r = {r[g.argmax()]:.3f}; wrote {out / 'rdf.png'}")


if __name__ == "__main__":
    main(*sys.argv[1:])
