"""Integrators (template-method base), thermostats, barostats, constraints and multiple time stepping."""

from molecular.integrators.barostats import MonteCarloBarostat
from molecular.integrators.base import Integrator
from molecular.integrators.constraints import (
    ConstrainedVelocityVerlet,
    ConstraintError,
    Settle,
    ShakeRattle,
    constraint_virial,
)
from molecular.integrators.langevin import Brownian, LangevinBAOAB
from molecular.integrators.nose_hoover import NoseHooverChain
from molecular.integrators.npt import AnisotropicLangevinPiston, ConstrainedLangevinPiston, LangevinPiston
from molecular.integrators.respa import RESPA
from molecular.integrators.thermostats import Berendsen, Bussi
from molecular.integrators.verlet import VelocityVerlet

INTEGRATORS = {
    "verlet": VelocityVerlet,
    "langevin": LangevinBAOAB,
    "nose-hoover": NoseHooverChain,
    "bussi": Bussi,
    "berendsen": Berendsen,
    "brownian": Brownian,
    "langevin-piston": LangevinPiston,
    "langevin-piston-aniso": AnisotropicLangevinPiston,
}

__all__ = ["INTEGRATORS", "RESPA", "AnisotropicLangevinPiston", "Berendsen", "Brownian", "Bussi",
           "ConstrainedLangevinPiston", "ConstrainedVelocityVerlet", "ConstraintError", "Integrator",
           "LangevinBAOAB", "LangevinPiston", "MonteCarloBarostat", "NoseHooverChain", "Settle", "ShakeRattle",
           "VelocityVerlet", "constraint_virial"]
