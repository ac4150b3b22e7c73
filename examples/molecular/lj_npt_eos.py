"""One LJ equation-of-state point: NPT (Langevin + Monte Carlo barostat) density at given T*, P*,
then an NVT run at that density whose pressure must match P* within error.

Run: ``python examples/molecular/lj_npt_eos.py [outdir]`` (reduced units, about 30 s).
"""

import sys
from pathlib import Path

from molecular import LangevinBAOAB, LennardJones, MDSimulation, MonteCarloBarostat, lattice
from molecular.analysis import block_average
from molecular.reporters import ThermoReporter

# ---- parameters (reduced units; full LJ via tail corrections)
TEMPERATURE, PRESSURE = 1.5, 1.0
CELLS, CUTOFF, DT = 4, 2.5, 0.005
EQUILIBRATION, PRODUCTION = 4000, 10000


def main(outdir="lj_npt_eos_out"):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    system = lattice("fcc", CELLS, density=0.6).set_velocities(TEMPERATURE, seed=1, kB=1.0)
    lj = LennardJones(cutoff=CUTOFF, tail_correction=True)
    sim = MDSimulation(system, lj, LangevinBAOAB(TEMPERATURE, friction=1.0, seed=2, kB=1.0), dt=DT,
                       barostat=MonteCarloBarostat(PRESSURE, TEMPERATURE, frequency=10, seed=3, kB=1.0))
    sim.run(steps=EQUILIBRATION, progress=False)
    rep = ThermoReporter(20, h5=out / "npt_thermo.h5", quantities=("density", "pressure", "potential_energy"))
    sim.run(steps=PRODUCTION, reporters=[rep], progress=True)
    rho, rho_err = block_average(rep.data["density"])
    print(f"NPT T*={TEMPERATURE} P*={PRESSURE}: rho* = {rho:.4f} +- {rho_err:.4f} "
          f"(barostat acceptance {sim.barostat.acceptance:.2f})")
    # NVT at the NPT density: the virial pressure must come back to P*
    scale = (system.density / rho) ** (1 / 3)
    system.positions *= scale
    system.box.h = system.box.h * scale
    nvt = MDSimulation(system, lj, LangevinBAOAB(TEMPERATURE, friction=1.0, seed=4, kB=1.0), dt=DT)
    nvt.run(steps=EQUILIBRATION // 2, progress=False)
    rep2 = ThermoReporter(20, quantities=("pressure",))
    nvt.run(steps=PRODUCTION, reporters=[rep2], progress=True)
    p, p_err = block_average(rep2.data["pressure"])
    print(f"NVT at rho*={rho:.4f}: P* = {p:.4f} +- {p_err:.4f} (target {PRESSURE})")


if __name__ == "__main__":
    main(*sys.argv[1:])
