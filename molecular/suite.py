"""Registration of the molecular-dynamics suite with the mindscience core (entry point)."""

from mindscience.plugins import Suite
from molecular import __version__

SUITE = Suite(
    name="molecular",
    version=__version__,
    description="Molecular dynamics: Lennard-Jones fluids, integrators, thermostats, H5MD trajectories",
)
