"""datasets: registry, HDF5 store and generators that run mindscience's own solvers."""

__version__ = "0.1.0"
