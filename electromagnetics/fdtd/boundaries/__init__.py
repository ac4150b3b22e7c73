"""Boundaries of the Yee grid: PEC, PMC, periodic, Bloch-periodic and CPML, given per face."""

from electromagnetics.fdtd.boundaries.base import Boundary, resolve_boundaries
from electromagnetics.fdtd.boundaries.pec import PEC, PMC
from electromagnetics.fdtd.boundaries.periodic import Bloch, Periodic
from electromagnetics.fdtd.boundaries.pml import CPML

__all__ = ["PEC", "PMC", "Bloch", "Boundary", "CPML", "Periodic", "resolve_boundaries"]
