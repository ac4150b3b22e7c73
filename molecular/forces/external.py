"""External (one-body) forces: a harmonic trap tying atoms to anchor points."""

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.forces.base import Force


class HarmonicTrap(Force):
    """Harmonic restraint ``U = sum_i k/2 |x_i - x0_i|^2`` (no neighbour list; no periodic wrap).

    Exact reference system for thermostat tests: each coordinate is an independent oscillator of
    angular frequency ``sqrt(k/m)``.

    Parameters
    ----------
    k : float
        Spring constant, kJ/mol/nm^2.
    anchors : array_like (N, 3), nm
        Rest positions.

    Examples
    --------
    >>> trap = HarmonicTrap(100.0, np.zeros((4, 3)))
    """

    name = "trap"

    def __init__(self, k, anchors):
        self.k = check_range("k", float(k), 0.0, None)
        self.anchors = np.array(anchors, dtype=np.float64)
        if self.anchors.ndim != 2 or self.anchors.shape[1] != 3:
            raise InputError(f"anchors has shape {self.anchors.shape}; allowed: (N, 3) nm")

    def setup(self, system):
        if self.anchors.shape[0] != system.n_atoms:
            raise InputError(f"anchors has {self.anchors.shape[0]} rows; allowed: {system.n_atoms} (one per atom)")

    def compute(self, system, neighbors, virial=False):
        d = system.positions - self.anchors
        f = -self.k * d
        w = np.einsum("ia,ib->ab", system.positions, f) if virial else None
        return 0.5 * self.k * float(np.sum(d * d)), f, w
