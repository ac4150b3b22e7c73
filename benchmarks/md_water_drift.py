"""NVE energy drift of rigid SPC/E water (SETTLE) with PME at dt = 2 fs: ours and OpenMM side by side.

Same system and start for both: SPC/E waters from ``molecular.water.solvate``, equilibrated with our
constrained Langevin integrator at 300 K; then NVE with velocity Verlet + SETTLE (ours:
``ConstrainedVelocityVerlet``; OpenMM: ``VerletIntegrator`` with rigid-water constraints, which it
solves by SETTLE), PME at relative accuracy 5e-4 with the same cutoff, Lennard-Jones truncated at the
cutoff (OpenMM's NonbondedForce default) and no dispersion correction (a constant at fixed volume).
The drift is the least-squares slope of the total energy over the run, in kJ/mol per molecule per
ns; the fluctuation is the RMS deviation about that line. OpenMM runs on its Reference platform
(double precision) and, where present, its CPU platform (mixed precision), one thread.

Run: ``NUMBA_NUM_THREADS=1 python benchmarks/md_water_drift.py [--waters 64] [--ps 20]``
"""

import argparse
import os
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OPENMM_CPU_THREADS", "1")

import numpy as np  # noqa: E402

from molecular.analysis import block_average  # noqa: E402
from molecular.integrators import ConstrainedVelocityVerlet, LangevinBAOAB  # noqa: E402
from molecular.simulation import MDSimulation  # noqa: E402
from molecular.water import SPCE, solvate, water_constraints, water_forcefield, water_indices  # noqa: E402

G_CM3 = 602.21407621


def drift(t_ps, energy, n_molecules):
    """``(slope, its standard error, rms about the line)`` of ``energy`` (kJ/mol) sampled at ``t_ps``.

    Slope and error in kJ/mol per molecule per ns; the error accounts for the correlation of the
    fluctuations (effective sample count from a 10-block average of the residuals); rms in kJ/mol.
    """
    a, b = np.polyfit(t_ps, energy, 1)
    res = energy - (a * t_ps + b)
    rms = float(np.sqrt(np.mean(res**2)))
    _, se_mean = block_average(res, n_blocks=10)
    n_eff = max(2.0, min(len(res), rms**2 / max(se_mean**2, 1e-300)))
    span = t_ps[-1] - t_ps[0]
    se = rms * np.sqrt(12.0 / n_eff) / span
    return a * 1000.0 / n_molecules, se * 1000.0 / n_molecules, rms


def run_ours(system, ff, dt, n_steps, every):
    integ = ConstrainedVelocityVerlet(water_constraints(system, SPCE))
    sim = MDSimulation(system, ff, integ, dt=dt)
    e, t = [], []
    t0 = time.time()
    for k in range(n_steps // every + 1):
        if k:
            sim.run(steps=every, progress=False)
        e.append(integ.result.energy + system.kinetic_energy())
        t.append(k * every * dt)
    return np.array(t), np.array(e), time.time() - t0


def run_openmm(system, cutoff, dt, n_steps, every, platform):
    import openmm as mm
    from openmm import unit as u

    omm = mm.System()
    for m in system.masses:
        omm.addParticle(float(m))
    omm.setDefaultPeriodicBoxVectors(*[mm.Vec3(*row) for row in system.box.h])
    nb = mm.NonbondedForce()
    nb.setNonbondedMethod(mm.NonbondedForce.PME)
    nb.setCutoffDistance(cutoff)
    nb.setEwaldErrorTolerance(5e-4)
    nb.setUseDispersionCorrection(False)
    for i in range(system.n_atoms):
        oxygen = system.type_names[system.types[i]] == "OW"
        nb.addParticle(float(system.charges[i]), SPCE.sigma_o if oxygen else 0.1, SPCE.epsilon_o if oxygen else 0.0)
    for o, h1, h2 in water_indices(system):
        for a, b in ((o, h1), (o, h2), (h1, h2)):
            nb.addException(int(a), int(b), 0.0, 1.0, 0.0)
        omm.addConstraint(int(o), int(h1), SPCE.d_oh)
        omm.addConstraint(int(o), int(h2), SPCE.d_oh)
        omm.addConstraint(int(h1), int(h2), SPCE.d_hh)
    omm.addForce(nb)
    integ = mm.VerletIntegrator(dt)
    plat = mm.Platform.getPlatformByName(platform)
    props = {"Threads": "1"} if platform == "CPU" else {}
    ctx = mm.Context(omm, integ, plat, props)
    ctx.setPositions(system.positions)
    ctx.setVelocities(system.velocities)
    e, t = [], []
    t0 = time.time()
    for k in range(n_steps // every + 1):
        if k:
            integ.step(every)
        st = ctx.getState(getEnergy=True)
        e.append(st.getPotentialEnergy().value_in_unit(u.kilojoule_per_mole)
                 + st.getKineticEnergy().value_in_unit(u.kilojoule_per_mole))
        t.append(k * every * dt)
    return np.array(t), np.array(e), time.time() - t0, integ.getConstraintTolerance()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--waters", type=int, default=64)
    ap.add_argument("--cutoff", type=float, default=0.6)
    ap.add_argument("--ps", type=float, default=20.0, help="NVE length, ps")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)
    dt, every = 0.002, 10
    n_steps = int(round(args.ps / dt))
    v0 = args.waters * (15.9994 + 2 * 1.008) / (0.997 * G_CM3)
    system = solvate([v0 ** (1 / 3)] * 3, SPCE, n_waters=args.waters, seed=args.seed)
    ff = water_forcefield(system, SPCE, cutoff=args.cutoff, tolerance=5e-4, tail_correction=False, skin=0.1)
    system.set_velocities(300.0, seed=args.seed + 1)
    cons = water_constraints(system, SPCE)
    MDSimulation(system, ff, LangevinBAOAB(300.0, 20.0, seed=args.seed + 2, constraints=cons), dt=0.001).run(
        steps=500, progress=False)
    MDSimulation(system, ff, LangevinBAOAB(300.0, 5.0, seed=args.seed + 3, constraints=cons), dt=dt).run(
        steps=1000, progress=False)
    start = system.copy()
    print(os.popen("uptime").read().strip())
    print(f"# {args.waters} rigid SPC/E waters, PME 5e-4, cutoff {args.cutoff} nm, dt = 2 fs, NVE {args.ps} ps, "
          f"start at {2 * start.kinetic_energy() / ((6 * args.waters - 3) * 0.0083144626):.0f} K")
    rows = []
    t, e, wall = run_ours(system, ff, dt, n_steps, every)
    rows.append(("mindscience (float64, SETTLE)", *drift(t, e, args.waters), wall))
    try:
        import openmm  # noqa: F401
    except ImportError:
        print("openmm not importable: OpenMM rows skipped")
    else:
        import openmm as mm

        names = [mm.Platform.getPlatform(i).getName() for i in range(mm.Platform.getNumPlatforms())]
        for plat in ("Reference", "CPU"):
            if plat not in names:
                continue
            t, e, wall, tol = run_openmm(start.copy(), args.cutoff, dt, n_steps, every, plat)
            rows.append((f"OpenMM {openmm.__version__} {plat} (constraint tol {tol:g})", *drift(t, e, args.waters),
                         wall))
    print(f"{'integrator':48s} {'drift kJ/mol/molecule/ns':>28s} {'rms fluct. kJ/mol':>18s} {'wall s':>8s}")
    for name, slope, err, rms, wall in rows:
        print(f"{name:48s} {slope:+14.4f} +- {err:<10.4f} {rms:18.4f} {wall:8.1f}")
    print(os.popen("uptime").read().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
