"""The field arrays of a Yee grid: E and H, three components each, shape (nx, ny, nz)."""

import numpy as np

from electromagnetics.fdtd.grid import component_axis


class Fields:
    """E (V/m, at step n) and H (A/m, at step n - 1/2) on the staggered grid.

    Attributes
    ----------
    E, H : list of 3 ndarray, shape (nx, ny, nz)
        Components x, y, z (staggered positions: :mod:`electromagnetics.fdtd.grid`).
    """

    def __init__(self, shape, dtype):
        self.E = [np.zeros(shape, dtype) for _ in range(3)]
        self.H = [np.zeros(shape, dtype) for _ in range(3)]

    def __getitem__(self, component):
        kind, axis = component_axis(component)
        return (self.E if kind == "E" else self.H)[axis]

    def as_dict(self):
        names = ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz")
        return dict(zip(names, self.E + self.H))
