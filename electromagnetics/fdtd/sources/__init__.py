"""Sources: where (placement) and when (waveform) kept apart, plus TFSF plane-wave injection."""

from electromagnetics.fdtd.sources.base import CurrentRegion, Placement, PlaneCurrent, PointDipole, Source
from electromagnetics.fdtd.sources.tfsf import TFSF
from electromagnetics.fdtd.sources.waveforms import (
    ContinuousWave,
    CustomWaveform,
    GaussianPulse,
    ModulatedGaussian,
    Ricker,
    Waveform,
)

__all__ = ["ContinuousWave", "CurrentRegion", "CustomWaveform", "GaussianPulse", "ModulatedGaussian", "Placement",
           "PlaneCurrent", "PointDipole", "Ricker", "Source", "TFSF", "Waveform"]
