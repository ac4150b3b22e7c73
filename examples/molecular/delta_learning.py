"""Delta-learning: WCA repulsion (classical) + a Behler-Parrinello correction learned from LJ data.

The target is the Lennard-Jones liquid (``md-lj-forces``: 108 atoms, truncated at 2.5 sigma, reduced
units). The base model is the purely repulsive WCA potential, which misses the attraction entirely.
A neural correction is trained on the residual labels (LJ minus WCA, :func:`delta_targets`) and summed
with the base as Forces: ``ForceField([WCA(), NeuralPotential(correction)])``. For comparison a network
of the same size is trained directly on the LJ labels with the same optimiser budget.

Printed: held-out force RMSE of the base alone, of the direct network and of the hybrid, relative to
the force RMS; then energy conservation of a short NVE run with the hybrid. Written to the output
directory: the correction (``delta_correction.h5``, reloadable with ``BehlerParrinello.load``) and the
figures (``delta_learning.h5``).

Run: ``python examples/molecular/delta_learning.py [outdir] [--quick]`` (well under a minute).
"""

import sys
import time
from pathlib import Path

import numpy as np

import datasets
from mindscience.io import hdf5
from molecular import WCA, ForceField, MDSimulation, VelocityVerlet
from molecular.forces.neural import (
    BehlerParrinello,
    NeuralPotential,
    SymmetryFunctions,
    delta_targets,
    force_rmse,
    train_energy_force,
)
from molecular.system import Box, System

# ---- parameters (LJ reduced units)
CUTOFF = 2.5
DATA = {"n_atoms": 108, "cutoff": CUTOFF, "density_min": 0.7, "density_max": 0.85, "temperature_min": 0.9,
        "temperature_max": 1.4}
N_TRAIN, N_TEST = 12, 6
HIDDEN = (16, 16)
ADAM_STEPS, LBFGS_STEPS, LR = 150, 100, 1e-2
DT, NVE_STEPS = 0.005, 400


def make_model(seed=0):
    sf = SymmetryFunctions.default(CUTOFF, n_radial=12, n_angular=2, r_min=0.8, kind="G5")
    return BehlerParrinello(CUTOFF, radial=sf.radial, angular=sf.angular, kind="G5", hidden=HIDDEN, seed=seed)


def main(outdir="delta_learning_out", *flags):
    quick = "--quick" in flags
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    n_train, n_test = (4, 2) if quick else (N_TRAIN, N_TEST)
    adam, lbfgs = (30, 10) if quick else (ADAM_STEPS, LBFGS_STEPS)
    n = n_train + n_test
    datasets.generate("md-lj-forces", n=n, seed=5, params=DATA, workers=1, progress=False)
    data = datasets.load("md-lj-forces", n=n, seed=5, params=DATA).arrays()
    train = {k: v[:n_train] for k, v in data.items()}
    test = {k: v[n_train:] for k, v in data.items()}
    rms = float(np.sqrt(np.mean(test["forces"] ** 2)))

    base = WCA()
    t0 = time.perf_counter()
    correction = make_model()
    train_energy_force(correction, delta_targets(train, base), steps=adam, lr=LR, lbfgs_steps=lbfgs)
    direct = make_model()
    train_energy_force(direct, train, steps=adam, lr=LR, lbfgs_steps=lbfgs)
    print(f"trained correction and direct network ({adam} Adam + {lbfgs} L-BFGS steps each) in "
          f"{time.perf_counter() - t0:.0f} s")

    held_out = delta_targets(test, base)
    rel = {"base (WCA)": float(np.sqrt(np.mean((held_out["base_forces"] - test["forces"]) ** 2))) / rms,
           "direct network": force_rmse(direct, test) / rms,
           "hybrid WCA + correction": force_rmse(correction, held_out) / rms}
    for name, value in rel.items():
        print(f"held-out force RMSE, {name:24s}: {100 * value:6.2f}% of the force RMS {rms:.2f}")

    correction.save(out / "delta_correction.h5", attrs={"base": "WCA(epsilon=1, sigma=1)"})
    correction = BehlerParrinello.load(out / "delta_correction.h5")
    hybrid = ForceField([base, NeuralPotential(correction)], skin=0.3)
    rng = np.random.default_rng(0)
    system = System(test["positions"][0], box=Box(test["box"][0]),
                    velocities=rng.standard_normal(test["positions"][0].shape) * np.sqrt(test["temperature"][0]))
    system.velocities = system.velocities - system.velocities.mean(axis=0)
    sim = MDSimulation(system, hybrid, VelocityVerlet(kB=1.0), dt=DT)
    steps = 100 if quick else NVE_STEPS
    energies = []
    for _ in range(steps // 20):
        res = hybrid.compute(system)
        energies.append((res.energy + system.kinetic_energy()) / system.n_atoms)
        sim.run(steps=20, progress=False)
    energies = np.array(energies) - energies[0]
    print(f"NVE with the hybrid: dt={DT}, {steps} steps, N={system.n_atoms}: max |E(t) - E(0)| = "
          f"{np.abs(energies).max():.2e}/atom")
    hdf5.save(out / "delta_learning.h5", {"relative_force_rmse": {k.split()[0]: v for k, v in rel.items()},
                                          "nve_energy_per_atom": energies},
              parameters={"n_train": n_train, "n_test": n_test, "adam_steps": adam, "lbfgs_steps": lbfgs,
                          "hidden": list(HIDDEN), "dt": DT})
    return rel


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(*args[:1], *[a for a in sys.argv[1:] if a.startswith("--")])
