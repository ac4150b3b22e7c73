"""molecular: the molecular-dynamics suite of mindscience (numba kernels, OpenMM/GROMACS units).

Units: nm, ps, amu, kJ/mol, K, e; Lennard-Jones reduced units with ``kB=1`` (see :mod:`molecular.units`).

Examples
--------
>>> from molecular import LennardJones, NoseHooverChain, MDSimulation, lattice
>>> system = lattice("fcc", 4, density=0.8).set_velocities(1.0, seed=1, kB=1.0)
>>> sim = MDSimulation(system, LennardJones(cutoff=2.5), NoseHooverChain(1.0, tau=0.5, kB=1.0), dt=0.005)
"""

__version__ = "0.1.0"

from molecular.builders import lattice, random_packing  # noqa: E402
from molecular.forces import (  # noqa: E402
    WCA,
    Buckingham,
    CustomPair,
    Force,
    ForceField,
    ForceResult,
    HarmonicTrap,
    LennardJones,
    Morse,
    TabulatedPair,
)
from molecular.integrators import (  # noqa: E402
    RESPA,
    AnisotropicLangevinPiston,
    Berendsen,
    Brownian,
    Bussi,
    ConstrainedLangevinPiston,
    Integrator,
    LangevinBAOAB,
    LangevinPiston,
    MonteCarloBarostat,
    NoseHooverChain,
    VelocityVerlet,
)
from molecular.ions import ion_parameters  # noqa: E402
from molecular.neighbors import NeighborList  # noqa: E402
from molecular.simulation import MDSimulation  # noqa: E402
from molecular.system import Box, System  # noqa: E402
from molecular.topology import Topology  # noqa: E402
from molecular.units import ARGON, BAR, KB, LJUnits  # noqa: E402
from molecular.virtual_sites import VirtualSiteForceField  # noqa: E402
from molecular.water import SPCE, TIP3P, TIP4PEW, add_ions, solvate, water_constraints, water_forcefield  # noqa: E402

__all__ = ["ARGON", "BAR", "KB", "RESPA", "SPCE", "TIP3P", "TIP4PEW", "WCA", "AnisotropicLangevinPiston",
           "ConstrainedLangevinPiston",
           "Berendsen", "Box", "Brownian", "Buckingham", "Bussi", "CustomPair", "Force", "ForceField", "ForceResult",
           "HarmonicTrap", "Integrator", "LJUnits", "LangevinBAOAB", "LangevinPiston", "LennardJones", "MDSimulation",
           "MonteCarloBarostat", "Morse", "NeighborList", "NoseHooverChain", "System", "TabulatedPair", "Topology",
           "VelocityVerlet", "VirtualSiteForceField", "add_ions", "ion_parameters", "lattice", "random_packing",
           "solvate", "water_constraints", "water_forcefield"]
