"""Liquid argon in real units (nm, ps, amu, kJ/mol, K): 864 atoms at 94.4 K and 1.374 g/cm^3
(Rahman 1964), Bussi thermostat, pressure in bar and the diffusion coefficient from the MSD.

Run: ``python examples/molecular/argon_real_units.py [outdir]`` (about 30 s).
"""

import sys
from pathlib import Path

import scipy.constants as sc

from molecular import ARGON, BAR, Bussi, LennardJones, MDSimulation, VelocityVerlet, lattice
from molecular.analysis import block_average, diffusion_coefficient, msd
from molecular.reporters import H5MDReporter, ThermoReporter

# ---- parameters (real units)
TEMPERATURE = 94.4  # K
DENSITY_G_CM3 = 1.374
CELLS = 6  # 864 atoms
DT = 0.005  # ps (~ 0.0023 tau)
CUTOFF = 2.5 * ARGON.sigma  # nm


def main(outdir="argon_out"):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    number_density = DENSITY_G_CM3 / (ARGON.mass / sc.N_A) / 1e21  # atoms per nm^3 (1 cm^3 = 1e21 nm^3)
    system = lattice("fcc", CELLS, density=number_density, masses=ARGON.mass)
    system.set_velocities(TEMPERATURE, seed=1)
    lj = LennardJones(ARGON.epsilon, ARGON.sigma, cutoff=CUTOFF, mode="shifted-force")
    sim = MDSimulation(system, lj, Bussi(TEMPERATURE, tau=0.5, seed=2), dt=DT)
    sim.run(until=10.0, progress=False)  # ps
    # production in NVE so that the dynamics (diffusion) is unperturbed
    nve = MDSimulation(system, lj, VelocityVerlet(), dt=DT)
    thermo = ThermoReporter(20, h5=out / "thermo.h5")
    nve.run(until=10.0, reporters=[thermo, H5MDReporter(out / "traj.h5", 20)], progress=True)
    d = thermo.data
    t, te = block_average(d["temperature"])
    p, pe = block_average(d["pressure"] / BAR)
    lag, m = msd(out / "traj.h5")
    D = diffusion_coefficient(lag, m)
    print(f"argon: <T> = {t:.1f} +- {te:.1f} K, <P> = {p:.0f} +- {pe:.0f} bar, "
          f"D = {D * 1e-18 / 1e-12 * 1e4:.2e} cm^2/s (Rahman 1964: 2.43e-5 cm^2/s at 94.4 K)")


if __name__ == "__main__":
    main(*sys.argv[1:])
