"""mindscience: the core engine that the electromagnetics, molecular and dataset suites plug into.

It provides the run loop shared by every solver (:mod:`mindscience.engine`), HDF5 and TOML I/O
(:mod:`mindscience.io`), suite discovery (:mod:`mindscience.plugins`) and the ``mindscience`` command.
"""

from mindscience._numba_setup import configure_threading
from mindscience.errors import ConfigError, InputError, SimulationDiverged

__version__ = "0.1.0"

configure_threading()

__all__ = ["__version__", "ConfigError", "InputError", "SimulationDiverged", "configure_threading"]
