"""Learn the Lennard-Jones liquid with a Behler-Parrinello neural-network potential, then run MD with it.

1. Generate ``md-lj-forces`` (108-atom LJ liquid snapshots, truncated at 2.5 sigma, reduced units).
2. Train a :class:`~molecular.forces.neural.BehlerParrinello` model by energy + force matching.
3. Report the held-out force RMSE relative to the force RMS, save the model (HDF5) and reload it.
4. Run NVE with the learned potential and with LJ itself at the same time step; report energy
   drift/fluctuation per atom and the largest RDF difference.

Run: ``python examples/molecular/nn_potential_lj.py [outdir] [--quick]`` (a few minutes; ``--quick``
uses a smaller data set and shorter training for a smoke run).
"""

import sys
import time
from pathlib import Path

import numpy as np

import datasets
from molecular import ForceField, LennardJones, MDSimulation, VelocityVerlet
from molecular.analysis.rdf import rdf
from molecular.forces.neural import BehlerParrinello, NeuralPotential, SymmetryFunctions, force_rmse, train_energy_force
from molecular.system import Box, System

# ---- parameters (LJ reduced units)
CUTOFF = 2.5
DATA = {"n_atoms": 108, "cutoff": CUTOFF, "density_min": 0.7, "density_max": 0.85, "temperature_min": 0.9,
        "temperature_max": 1.4}
N_TRAIN, N_TEST = 24, 8
HIDDEN = (24, 24)
ADAM_STEPS, LBFGS_STEPS, LR = 300, 300, 1e-2
DT, NVE_STEPS = 0.005, 2000


def make_model(seed=0):
    sf = SymmetryFunctions.default(CUTOFF, n_radial=18, n_angular=2, r_min=0.8, kind="G5")
    # repulsive core (the LJ r^-12 wall, zero beyond 0.88 sigma: no training pair is that close) keeps MD pairs
    # from collapsing where the network never saw data
    core = {"sigma": 1.0, "epsilon": 4.0, "r_on": 0.70, "r_off": 0.88}
    return BehlerParrinello(CUTOFF, radial=sf.radial, angular=sf.angular, kind="G5", hidden=HIDDEN, seed=seed,
                            core=core)


def load_data(n_train=N_TRAIN, n_test=N_TEST, seed=11):
    n = n_train + n_test
    datasets.generate("md-lj-forces", n=n, seed=seed, params=DATA, workers=1, progress=False)
    data = datasets.load("md-lj-forces", n=n, seed=seed, params=DATA).arrays()
    return {k: v[:n_train] for k, v in data.items()}, {k: v[n_train:] for k, v in data.items()}


def train(train_set, test_set, adam_steps=ADAM_STEPS, lbfgs_steps=LBFGS_STEPS):
    model = make_model()
    t0 = time.perf_counter()
    out = train_energy_force(model, train_set, steps=adam_steps, lr=LR, lbfgs_steps=lbfgs_steps)
    wall = time.perf_counter() - t0
    rms = float(np.sqrt(np.mean(test_set["forces"] ** 2)))
    err = force_rmse(model, test_set)
    print(f"training: {adam_steps} Adam + {lbfgs_steps} L-BFGS steps in {wall:.0f} s; train force RMSE "
          f"{out['force_rmse']:.4f}, energy RMSE {out['energy_rmse_per_atom']:.4f}/atom")
    print(f"held-out force RMSE {err:.4f} = {100 * err / rms:.2f}% of the force RMS {rms:.3f}")
    return model, err / rms


def nve(forces, positions, box, velocities, steps=NVE_STEPS, dt=DT):
    """Velocity-Verlet NVE from the given state; returns per-atom total-energy trace and frames."""
    system = System(positions.copy(), box=Box(box), velocities=velocities.copy())
    ff = ForceField([forces], skin=0.3)
    sim = MDSimulation(system, ff, VelocityVerlet(kB=1.0), dt=dt)
    energies, frames = [], []
    t0 = time.perf_counter()
    for _ in range(steps // 20):
        energies.append((ff.compute(system).energy + system.kinetic_energy()) / system.n_atoms)
        frames.append(system.box.wrap(system.positions))
        sim.run(steps=20, progress=False)
    wall = time.perf_counter() - t0
    e = np.array(energies)
    t = np.arange(e.size) * 20 * dt
    return e - e[0], np.array(frames), t, system.n_atoms * steps / wall


def main(outdir="nn_potential_lj_out", *flags):
    quick = "--quick" in flags
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    train_set, test_set = load_data(*((8, 4) if quick else (N_TRAIN, N_TEST)))
    model, rel = train(train_set, test_set, *((150, 50) if quick else (ADAM_STEPS, LBFGS_STEPS)))
    model.save(out / "bp_lj.h5", attrs={"held_out_force_rmse_relative": rel})
    model = BehlerParrinello.load(out / "bp_lj.h5")

    # NVE from a held-out configuration with velocities at its temperature (same start for both potentials)
    rng = np.random.default_rng(0)
    x, box, temp = test_set["positions"][0], test_set["box"][0], float(test_set["temperature"][0])
    v = rng.standard_normal(x.shape) * np.sqrt(temp)
    v -= v.mean(axis=0)
    steps = 400 if quick else NVE_STEPS
    results = {}
    for name, force in [("LJ", LennardJones(1.0, 1.0, cutoff=CUTOFF, mode="truncated")),
                        ("NN", NeuralPotential(model))]:
        e, frames, t, rate = nve(force, x, box, v, steps=steps)
        drift = np.polyfit(t, e, 1)[0] * t[-1]
        results[name] = frames
        print(f"NVE {name}: dt={DT}, {steps} steps: energy fluctuation {np.std(e):.2e}/atom, drift {drift:+.2e}/atom,"
              f" {rate:.0f} atom-steps/s")
    half = len(results["LJ"]) // 2
    r, g_lj = rdf(results["LJ"][half:], box, r_max=2.4, bins=60)
    _, g_nn = rdf(results["NN"][half:], box, r_max=2.4, bins=60)
    print(f"RDF max |g_NN - g_LJ| = {np.abs(g_nn - g_lj).max():.3f} (second half of the runs, one trajectory each)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*args[:1], *[a for a in sys.argv[1:] if a.startswith("--")])
