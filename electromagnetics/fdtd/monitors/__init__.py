"""Monitors: read-only engine reporters that record probes, snapshots, DFT fields, flux and energy."""

from electromagnetics.fdtd.monitors.base import Monitor
from electromagnetics.fdtd.monitors.dft import DFTFields, FluxMonitor
from electromagnetics.fdtd.monitors.energy import polarization_energy, stored_energy
from electromagnetics.fdtd.monitors.point import EnergyMonitor, FieldDecay, Probe, Snapshots

__all__ = ["DFTFields", "EnergyMonitor", "FieldDecay", "FluxMonitor", "Monitor", "Probe", "Snapshots",
           "polarization_energy", "stored_energy"]
