"""electromagnetics: the FDTD suite of mindscience (Yee grids in 1D/2D/3D, numba kernels)."""

__version__ = "0.1.0"
