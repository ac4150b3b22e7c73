"""LJ NVE energy conservation with velocity Verlet for three time steps (error ~ dt^2).

Run: ``python examples/molecular/lj_nve_energy.py [outdir]`` (reduced units, about 20 s).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from molecular import LennardJones, MDSimulation, VelocityVerlet, lattice  # noqa: E402
from molecular.reporters import ThermoReporter  # noqa: E402

# ---- parameters (reduced units)
CELLS, DENSITY, T_START = 5, 0.8, 2.0  # 500 atoms, liquid at T* ~ 1 after melting
CUTOFF, MODE = 2.5, "shifted-force"
TIME_STEPS = (0.002, 0.005, 0.01)
DURATION = 20.0  # tau


def main(outdir="lj_nve_energy_out"):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 3.5), constrained_layout=True)
    for dt in TIME_STEPS:
        system = lattice("fcc", CELLS, density=DENSITY).set_velocities(T_START, seed=3, kB=1.0)
        sim = MDSimulation(system, LennardJones(cutoff=CUTOFF, mode=MODE), VelocityVerlet(kB=1.0), dt=dt)
        sim.run(until=2.0, progress=False)  # melt
        rep = ThermoReporter(max(1, int(0.05 / dt)), quantities=("total_energy", "temperature"))
        sim.run(steps=int(DURATION / dt), reporters=[rep], progress=False)
        d = rep.data
        e = (d["total_energy"] - d["total_energy"][0]) / system.n_atoms
        drift = np.polyfit(d["time"], e, 1)[0] * DURATION
        print(f"dt={dt}: energy fluctuation {np.std(e):.2e}/atom, drift {drift:+.2e}/atom over {DURATION} tau,"
              f" T* = {d['temperature'].mean():.3f}")
        ax.plot(d["time"], e, label=f"dt*={dt}")
    ax.set_xlabel(r"time ($\tau$)")
    ax.set_ylabel(r"$(E - E_0)/N$ ($\epsilon$)")
    ax.legend()
    fig.savefig(out / "nve_energy.png", dpi=120)
    print(f"wrote {out / 'nve_energy.png'}")


if __name__ == "__main__":
    main(*sys.argv[1:])
