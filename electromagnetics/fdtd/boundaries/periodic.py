"""Periodic and Bloch-periodic boundaries."""

import cmath

from electromagnetics.fdtd.boundaries.base import Boundary
from mindscience.errors import InputError


class Periodic(Boundary):
    """Fields repeat with the domain length along the axis (set on both faces)."""

    paired = True

    def wrap(self, grid, axis, high):
        return 1.0


class Bloch(Boundary):
    """Bloch-periodic: ``F(x + L) = F(x) exp(i k L)`` along the axis (set on both faces).

    A nonzero ``k`` makes the fields complex (the simulation switches to complex dtype); ``k = 0``
    is plain periodic (real fields). With a Bloch-phased current sheet
    (``PlaneCurrent(..., k=...)``, the same ``k``) and CPML on the normal faces it gives oblique
    plane waves of fixed parallel wavevector (Meep's ``k_point``), e.g. for R/T of layered media
    (``examples/electromagnetics/oblique_slab.py``).

    Parameters
    ----------
    k : float
        Bloch wavevector component along the axis, rad/m.
    """

    paired = True

    def __init__(self, k):
        k = float(k)
        if k != k or abs(k) == float("inf"):
            raise InputError(f"Bloch.k={k!r} must be finite (rad/m)")
        self.k = k

    def wrap(self, grid, axis, high):
        if self.k == 0:  # plain periodic: keep the fields real
            return 1.0
        L = grid.size[axis]
        return cmath.exp((1j if high else -1j) * self.k * L)
