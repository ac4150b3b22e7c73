"""Integrators (template-method base), thermostats and barostats."""

from molecular.integrators.barostats import MonteCarloBarostat
from molecular.integrators.base import Integrator
from molecular.integrators.constraints import ConstrainedVelocityVerlet, ConstraintError, Settle, ShakeRattle
from molecular.integrators.langevin import Brownian, LangevinBAOAB
from molecular.integrators.nose_hoover import NoseHooverChain
from molecular.integrators.npt import LangevinPiston
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
}

__all__ = ["INTEGRATORS", "Berendsen", "Brownian", "Bussi", "ConstrainedVelocityVerlet", "ConstraintError",
           "Integrator", "LangevinBAOAB", "LangevinPiston", "MonteCarloBarostat", "NoseHooverChain", "Settle",
           "ShakeRattle", "VelocityVerlet"]
