"""molecular: the molecular-dynamics suite of mindscience (numba kernels, OpenMM/GROMACS units)."""

__version__ = "0.1.0"
