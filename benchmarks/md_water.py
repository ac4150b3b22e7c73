"""SPC/E water with PME: ns/day of ``molecular`` at 1 and 2 threads, against OpenMM's CPU platform.

The system: about 3000 rigid SPC/E waters at 0.997 g/cm3 from :func:`molecular.water.solvate`
(random orientations, no overlaps), relaxed by a short MD with velocity rescaling at small time steps.
The timed run: PME at relative accuracy 5e-4 (grid and
splitting parameter chosen as OpenMM does), 1.0 nm cutoff for Coulomb and Lennard-Jones (with the
long-range dispersion correction), SETTLE, velocity Verlet, dt = 2 fs, float64 throughout, Verlet
skin 0.1 nm (rebuilt when an atom has moved half of it). OpenMM
(CPU platform, its default mixed single precision, ``ewaldErrorTolerance`` 5e-4, rigid water) runs
the same configuration in the same script, interleaved with ours, when it is importable. Medians over
``--repeats`` runs (at 1 thread also by process CPU time, which waits for a loaded CPU do not inflate);
``--split`` prints where our time goes (the fused LJ + real-space Coulomb pair
pass, excluded-pair corrections and tail, reciprocal space, neighbour list, constraints, integrator
and the rest).

Run: ``python benchmarks/md_water.py [--waters 3000] [--steps 50] [--repeats 3] [--split] [--no-peers]``
"""

import argparse
import math
import os
import time

import numba
import numpy as np

import mindscience  # noqa: F401  (selects the non-spinning threading layer)
from molecular import MDSimulation
from molecular.forces.pme import PME
from molecular.integrators.constraints import ConstrainedVelocityVerlet
from molecular.units import KB
from molecular.water import SPCE, solvate, water_constraints, water_forcefield

MASS_O, MASS_H = 15.9994, 1.008
AVOGADRO = 6.02214076e23


def water_box(n_waters, density=0.997, seed=7):
    """``n_waters`` SPC/E molecules at ``density`` g/cm3 in a cubic box (:func:`molecular.water.solvate`)."""
    volume = n_waters * (MASS_O + 2 * MASS_H) / AVOGADRO / density * 1e21  # nm^3
    return solvate([volume ** (1.0 / 3.0)] * 3, SPCE, n_waters=n_waters, seed=seed)


def make_simulation(system, dt=0.002, skin=0.1):
    """Our SPC/E force field (LJ with dispersion correction + PME, water exclusions) with SETTLE."""
    ff = water_forcefield(system, SPCE, cutoff=1.0, electrostatics="pme", tolerance=5e-4, tail_correction=True,
                          skin=skin)
    integ = ConstrainedVelocityVerlet(water_constraints(system, SPCE))
    return MDSimulation(system, ff, integ, dt=dt, overlap_threshold=0.05)


def relax(system, temperature=300.0):
    """Short MD with the velocities rescaled to ``temperature`` every step, at growing time steps."""
    system.set_velocities(temperature, seed=11)
    for dt, steps in ((0.0002, 40), (0.0005, 40), (0.001, 40), (0.002, 30)):
        sim = make_simulation(system, dt=dt)
        for _ in range(steps):
            sim.run(steps=1, progress=False)
            ke = system.kinetic_energy()
            ndof = 6 * (system.n_atoms // 3) - 3
            system.velocities *= math.sqrt(0.5 * ndof * KB * temperature / ke)
    return system


def _timed(obj, name, acc, key=None):
    fn = getattr(obj, name)
    key = key or name

    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t

    setattr(obj, name, wrapper)


def ours(system, steps, threads, split=None, cpu=None):
    """ns/day of our run from ``system`` (copied); with ``split`` a dict, fill it with the time split; with
    ``cpu`` a list, append the ns/day by process CPU time (robust to other load on one thread)."""
    numba.set_num_threads(threads)
    s = system.copy()
    sim = make_simulation(s)
    sim.run(steps=2, progress=False)  # compile / warm caches
    acc = {}
    if split is not None:
        lj, pme = sim.forcefield.forces
        nl = sim.forcefield.neighbors
        for meth in ("_ensure_full", "_ensure_sorted", "_ensure_half"):
            _timed(nl, meth, acc, "neighbour list")
        _timed(sim.forcefield, "_fused_pairs", acc, "LJ + real-space pairs")
        _timed(lj, "compute", acc, "exclusions + tail")
        _timed(pme, "_real_and_pairs", acc, "exclusions + tail")
        _timed(pme, "_reciprocal", acc, "reciprocal (PME)")
        for c in sim.integrator.constraints:
            _timed(c, "apply_positions", acc, "constraints (SETTLE)")
            _timed(c, "apply_velocities", acc, "constraints (SETTLE)")
    t0 = time.perf_counter()
    c0 = time.process_time()
    sim.run(steps=steps, progress=False)
    wall = time.perf_counter() - t0
    if cpu is not None:
        cpu.append(steps * 0.002 * 1e-3 * 86400.0 / (time.process_time() - c0))
    if split is not None:
        # the list is built inside the fused pair pass (or the first force asking for it): take it out
        first = "LJ + real-space pairs" if "LJ + real-space pairs" in acc else "exclusions + tail"
        acc[first] = acc.get(first, 0.0) - acc.get("neighbour list", 0.0)
        acc["integrator + rest"] = wall - sum(acc.values())
        split.update(acc)
        split["total"] = wall
    return steps * 0.002 * 1e-3 * 86400.0 / wall


def openmm_run(system, steps, threads, cpu=None):
    import openmm
    from openmm import unit

    n_w = system.n_atoms // 3
    omm = openmm.System()
    nb = openmm.NonbondedForce()
    nb.setNonbondedMethod(openmm.NonbondedForce.PME)
    nb.setCutoffDistance(1.0)
    nb.setEwaldErrorTolerance(5e-4)
    nb.setUseDispersionCorrection(True)
    for _ in range(n_w):
        o = omm.addParticle(MASS_O)
        h1 = omm.addParticle(MASS_H)
        h2 = omm.addParticle(MASS_H)
        nb.addParticle(SPCE.q_o, SPCE.sigma_o, SPCE.epsilon_o)
        nb.addParticle(SPCE.q_h, 0.1, 0.0)
        nb.addParticle(SPCE.q_h, 0.1, 0.0)
        for a, b in ((o, h1), (o, h2), (h1, h2)):
            nb.addException(a, b, 0.0, 0.1, 0.0)
        omm.addConstraint(o, h1, SPCE.d_oh)
        omm.addConstraint(o, h2, SPCE.d_oh)
        omm.addConstraint(h1, h2, SPCE.d_hh)
    omm.addForce(nb)
    h = system.box.h
    omm.setDefaultPeriodicBoxVectors(*(openmm.Vec3(*h[a]) for a in range(3)))
    integ = openmm.VerletIntegrator(0.002 * unit.picoseconds)
    ctx = openmm.Context(omm, integ, openmm.Platform.getPlatformByName("CPU"), {"Threads": str(threads)})
    ctx.setPositions(system.positions)
    ctx.setVelocities(system.velocities)
    integ.step(2)
    ctx.getState(getEnergy=True)
    t0 = time.perf_counter()
    c0 = time.process_time()
    integ.step(steps)
    ctx.getState(getEnergy=True)  # wait for the work to finish
    if cpu is not None:
        cpu.append(steps * 0.002 * 1e-3 * 86400.0 / (time.process_time() - c0))
    return steps * 0.002 * 1e-3 * 86400.0 / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--waters", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--split", action="store_true", help="print where our time goes")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    try:
        if args.no_peers:
            raise ImportError
        import openmm  # noqa: F401

        have_openmm = True
    except ImportError:
        have_openmm = False
    print(f"numba {numba.__version__}, threading layer {numba.config.THREADING_LAYER}; "
          f"openmm: {'yes' if have_openmm else 'no'}; {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    system = relax(water_box(args.waters))
    pme = PME(cutoff=1.0, tolerance=5e-4)
    pme.setup(system)
    print(f"{args.waters} SPC/E waters ({system.n_atoms} atoms), box {system.box.h[0, 0]:.3f} nm, "
          f"PME alpha {pme.alpha:.4f}/nm grid {pme.grid}, relaxed in {time.perf_counter() - t0:.0f} s", flush=True)
    table = {}
    for threads in (1, 2):
        runs = {"molecular": [], "openmm": []}
        cpu = {"molecular": [], "openmm": []}
        for _ in range(args.repeats):  # interleaved so that load changes hit both codes alike
            runs["molecular"].append(ours(system, args.steps, threads, cpu=cpu["molecular"]))
            if have_openmm:
                runs["openmm"].append(openmm_run(system, args.steps, threads, cpu=cpu["openmm"]))
        for k, v in runs.items():
            if v:
                table[(k, threads)] = float(np.median(v))
                print(f"  {threads} thread(s), {k:9s}: {np.median(v):7.3f} ns/day (runs "
                      f"{', '.join(f'{x:.3f}' for x in v)})", flush=True)
        if threads == 1:  # by process CPU time: what each code costs, less the waits for a loaded CPU
            for k, v in cpu.items():
                if v:
                    table[(k + " cpu", 1)] = float(np.median(v))
                    print(f"  1 thread,    {k:9s}: {np.median(v):7.3f} ns/day of CPU time (runs "
                          f"{', '.join(f'{x:.3f}' for x in v)})", flush=True)
    if args.split:
        for threads in (1, 2):
            sp = {}
            rate = ours(system, args.steps, threads, split=sp)
            total = sp.pop("total")
            print(f"  time split, {threads} thread(s) ({rate:.3f} ns/day, {1e3 * total / args.steps:.1f} ms/step): "
                  + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in sp.items()), flush=True)
    for threads in (1, 2):
        line = f"molecular {threads} thread(s): {table[('molecular', threads)]:.3f} ns/day"
        if ("openmm", threads) in table:
            line += f"; {table[('molecular', threads)] / table[('openmm', threads)]:.2f}x OpenMM CPU"
        if threads == 1 and ("openmm cpu", 1) in table:
            line += (f" ({table[('molecular cpu', 1)] / table[('openmm cpu', 1)]:.2f}x by CPU time, "
                     f"{table[('molecular cpu', 1)]:.3f} vs {table[('openmm cpu', 1)]:.3f} ns/day)")
        print(line)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
