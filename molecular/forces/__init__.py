"""Forces: the Force protocol, ForceField (sum with a shared neighbour list) and pair potentials."""

from molecular.forces.base import Force, ForceField, ForceResult
from molecular.forces.external import HarmonicTrap
from molecular.forces.pair import (
    WCA,
    Buckingham,
    CustomPair,
    LennardJones,
    Morse,
    PairForce,
    TabulatedPair,
)

__all__ = ["WCA", "Buckingham", "CustomPair", "Force", "ForceField", "ForceResult", "HarmonicTrap",
           "LennardJones", "Morse", "PairForce", "TabulatedPair"]
