"""Learn the Lennard-Jones liquid with a SchNet message-passing potential, then run MD with it.

1. Generate ``md-lj-forces`` (108-atom LJ liquid snapshots, truncated at 2.5 sigma, reduced units).
2. Train a :class:`~molecular.forces.schnet.SchNet` model (continuous-filter convolutions) by energy +
   force matching on mini-batches.
3. Report the held-out force RMSE relative to the force RMS before and after training, save the
   model (HDF5 with its hyperparameters) and reload it.
4. Run a short NVE trajectory with the reloaded model as a Force and report the energy drift.

Run: ``python examples/molecular/schnet_lj.py [outdir] [--full]``. The default is a small, fast
demonstration (under a minute: one interaction block, 8 training snapshots, 150 Adam steps and 80
L-BFGS iterations; held-out force error about 6 % of the force RMS); ``--full`` trains for 1000
L-BFGS iterations and holds out 8 snapshots, the configuration of ``benchmarks/schnet_fit.py`` (below 1 %
of the force RMS; tens of minutes).
"""

import sys
import time
from pathlib import Path

import numpy as np

import datasets
from mindscience.io import hdf5
from molecular import ForceField, MDSimulation, VelocityVerlet
from molecular.forces.schnet import SchNet, SchNetPotential, force_rmse, train_schnet
from molecular.system import Box, System

# ---- parameters (LJ reduced units)
CUTOFF = 2.5
DATA = {"n_atoms": 108, "cutoff": CUTOFF, "density_min": 0.7, "density_max": 0.85, "temperature_min": 0.9,
        "temperature_max": 1.4}
SMALL = {"n_train": 8, "n_test": 4, "features": 32, "rbf": 24, "interactions": 1, "steps": 150, "batch": 2,
         "lbfgs": 80}
FULL = {"n_train": 8, "n_test": 8, "features": 32, "rbf": 24, "interactions": 1, "steps": 200, "batch": 2,
        "lbfgs": 1000}
LR, DT, NVE_STEPS = 5e-3, 0.005, 100


def main(outdir="schnet_lj_out", *flags):
    cfg = FULL if "--full" in flags else SMALL
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    n = cfg["n_train"] + cfg["n_test"]
    datasets.generate("md-lj-forces", n=n, seed=11, params=DATA, workers=1, progress=False)
    data = datasets.load("md-lj-forces", n=n, seed=11, params=DATA).arrays()
    train = {k: v[: cfg["n_train"]] for k, v in data.items()}
    test = {k: v[cfg["n_train"]:] for k, v in data.items()}
    rms = float(np.sqrt(np.mean(test["forces"] ** 2)))

    model = SchNet(CUTOFF, n_features=cfg["features"], n_rbf=cfg["rbf"], n_interactions=cfg["interactions"])
    t0 = time.perf_counter()
    hist = train_schnet(model, train, steps=cfg["steps"], lr=LR, batch_size=cfg["batch"], lbfgs_steps=cfg["lbfgs"])
    untrained = SchNet(**model.hyperparameters())
    untrained.state, untrained.params["bias"] = model.state, model.params["bias"]
    before, after = force_rmse(untrained, test) / rms, force_rmse(model, test) / rms
    print(f"trained {cfg['steps']} Adam steps (batches of {cfg['batch']} configurations) + {cfg['lbfgs']} L-BFGS in "
          f"{time.perf_counter() - t0:.0f} s; loss {hist['loss'][0]:.3f} -> {np.mean(hist['loss'][-5:]):.3f}")
    print(f"held-out force RMSE: untrained {100 * before:.1f}%, trained {100 * after:.1f}% of the force RMS {rms:.2f}")

    model.save(out / "schnet_lj.h5", attrs={"held_out_force_rmse_relative": after})
    model = SchNet.load(out / "schnet_lj.h5")
    ff = ForceField([SchNetPotential(model)], skin=0.3)
    rng = np.random.default_rng(0)
    x = test["positions"][0]
    system = System(x, box=Box(test["box"][0]),
                    velocities=rng.standard_normal(x.shape) * np.sqrt(float(test["temperature"][0])))
    system.velocities = system.velocities - system.velocities.mean(axis=0)
    sim = MDSimulation(system, ff, VelocityVerlet(kB=1.0), dt=DT)
    energies = []
    t0 = time.perf_counter()
    for _ in range(NVE_STEPS // 10):
        energies.append((ff.compute(system).energy + system.kinetic_energy()) / system.n_atoms)
        sim.run(steps=10, progress=False)
    rate = system.n_atoms * NVE_STEPS / (time.perf_counter() - t0)
    energies = np.array(energies) - energies[0]
    print(f"NVE with SchNet: dt={DT}, {NVE_STEPS} steps, N={system.n_atoms}: max |E(t) - E(0)| = "
          f"{np.abs(energies).max():.2e}/atom, {rate:.0f} atom-steps/s")
    hdf5.save(out / "schnet_lj_results.h5", {"loss": np.array(hist["loss"]), "nve_energy_per_atom": energies,
                                              "force_rmse_relative": np.array([before, after])},
              parameters={**cfg, "lr": LR, "dt": DT})
    return before, after


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*args[:1], *[a for a in sys.argv[1:] if a.startswith("--")])
