"""Forces: the Force protocol, ForceField (sum with a shared neighbour list), pair potentials,
electrostatics (cutoff, reaction field, Ewald, PME) and bonded terms."""

from molecular.forces.base import Force, ForceField, ForceResult
from molecular.forces.bonded import (
    BondedForce,
    HarmonicAngle,
    HarmonicBond,
    HarmonicImproper,
    LJExceptions,
    MorseBond,
    PeriodicTorsion,
    RBTorsion,
    UreyBradleyAngle,
    exclusions_from_bonds,
)
from molecular.forces.coulomb import ONE_4PI_EPS0, CutoffCoulomb, ReactionField
from molecular.forces.ewald import ChargedSystemError, Ewald
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
from molecular.forces.pme import PME

__all__ = ["ONE_4PI_EPS0", "PME", "WCA", "BondedForce", "Buckingham", "ChargedSystemError", "CustomPair",
           "CutoffCoulomb", "Ewald", "Force", "ForceField", "ForceResult", "HarmonicAngle", "HarmonicBond",
           "HarmonicImproper", "HarmonicTrap", "LJExceptions", "LennardJones", "Morse", "MorseBond", "PairForce",
           "PeriodicTorsion", "RBTorsion", "ReactionField", "TabulatedPair", "UreyBradleyAngle",
           "exclusions_from_bonds"]
