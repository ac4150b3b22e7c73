"""The ``md-lj-forces`` dataset: Lennard-Jones liquid configurations with energies, forces and virials.

Each sample is an independent short Langevin run of the molecular suite (reduced units, epsilon =
sigma = m = kB = 1) at a state point drawn from the sample's generator: an fcc crystal at density
``rho`` is melted and equilibrated at temperature ``T``; the final configuration is labelled with
the plain truncated LJ potential's energy, forces and virial (no tail correction, so the labels are
exactly what a short-ranged neural potential can learn).
"""

import numpy as np

from datasets.extend import Field, check_range, register_dataset
from mindscience.errors import InputError


def _validate(p):
    cells = round((p["n_atoms"] / 4) ** (1 / 3))
    if 4 * cells**3 != p["n_atoms"]:
        raise InputError(f"n_atoms={p['n_atoms']} must be 4 k^3 (an fcc crystal of k^3 cells): 32, 108, 256, 500, ...")
    check_range("temperature_min", p["temperature_min"], 0.0, low_open=True)
    check_range("temperature_max", p["temperature_max"], p["temperature_min"])
    check_range("density_min", p["density_min"], 0.0, low_open=True)
    check_range("density_max", p["density_max"], p["density_min"])
    box_min = (p["n_atoms"] / p["density_max"]) ** (1 / 3)
    check_range("cutoff", p["cutoff"], 1.0, 0.5 * box_min)  # minimum image at the densest state point
    check_range("equilibration_steps", p["equilibration_steps"], 1)
    check_range("dt", p["dt"], 0.0, 0.01, low_open=True)


@register_dataset(
    "md-lj-forces",
    description="Lennard-Jones liquid snapshots (reduced units) with energies, forces and virials from our MD",
    fields=(
        Field("positions", ("n_atoms", 3), "sigma", "wrapped positions in [0, L)"),
        Field("forces", ("n_atoms", 3), "epsilon/sigma", "LJ forces, truncated at the cutoff"),
        Field("energy", (), "epsilon", "potential energy of the configuration"),
        Field("virial", (3, 3), "epsilon", "W = sum_pairs r_ij (x) f_ij"),
        Field("box", (3,), "sigma", "orthorhombic box edges"),
        Field("temperature", (), "epsilon/kB", "thermostat temperature of the run"),
        Field("density", (), "sigma^-3", "number density"),
    ),
    parameters={
        "n_atoms": 256,
        "temperature_min": 0.8,
        "temperature_max": 1.6,
        "density_min": 0.6,
        "density_max": 0.9,
        "cutoff": 2.5,
        "equilibration_steps": 400,
        "dt": 0.005,
    },
    validate=_validate,
    citation="Lennard-Jones fluid; reference thermodynamics: NIST Standard Reference Simulation Website",
    default_n=200,
    version=1,
)
def md_lj_forces(rng, params, index):
    """One equilibrated LJ configuration at a random state point (see module docstring)."""
    from molecular import ForceField, LangevinBAOAB, LennardJones, MDSimulation, lattice

    temperature = rng.uniform(params["temperature_min"], params["temperature_max"])
    density = rng.uniform(params["density_min"], params["density_max"])
    cells = round((params["n_atoms"] / 4) ** (1 / 3))
    seed_velocities, seed_thermostat = (int(s) for s in rng.integers(0, 2**63 - 1, size=2))
    system = lattice("fcc", cells, density=density).set_velocities(temperature, seed=seed_velocities, kB=1.0)
    forces = ForceField([LennardJones(epsilon=1.0, sigma=1.0, cutoff=params["cutoff"], mode="truncated")], skin=0.3)
    integrator = LangevinBAOAB(temperature, friction=2.0, seed=seed_thermostat, kB=1.0)
    sim = MDSimulation(system, forces, integrator, dt=params["dt"])
    sim.run(steps=params["equilibration_steps"], progress=False)
    result = forces.compute(system, virial=True)
    return {
        "positions": system.box.wrap(system.positions),
        "forces": result.forces,
        "energy": result.energy,
        "virial": result.virial,
        "box": np.diag(system.box.h).copy(),
        "temperature": temperature,
        "density": density,
    }
