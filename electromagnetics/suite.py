"""Registration of the electromagnetics suite with the mindscience core (entry point)."""

from electromagnetics import __version__
from mindscience.plugins import Suite

SUITE = Suite(
    name="electromagnetics",
    version=__version__,
    description="FDTD electromagnetics: 1D/2D/3D Yee grids, CPML, dispersive media, monitors",
)
