"""The run loop written once: Simulation base, reporters, checkpoints, divergence guard."""

from mindscience.engine.checkpoint import pack_rng, unpack_rng
from mindscience.engine.reporters import (
    Checkpointer,
    IntervalReporter,
    Recorder,
    ReportRequest,
    at_end,
    at_every,
    stop_when,
)
from mindscience.engine.simulation import Simulation
from mindscience.errors import SimulationDiverged

__all__ = [
    "Checkpointer",
    "IntervalReporter",
    "Recorder",
    "ReportRequest",
    "Simulation",
    "SimulationDiverged",
    "at_end",
    "at_every",
    "pack_rng",
    "stop_when",
    "unpack_rng",
]
