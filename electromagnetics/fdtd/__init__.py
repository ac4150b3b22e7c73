"""FDTD: Yee grids in 1D/2D/3D with numba kernels, CPML, dispersive media, sources and monitors.

Typical use::

    from electromagnetics.fdtd import *
    grid = Grid((200, 200), spacing=1e-3)
    sim = FDTDSimulation(grid, geometry=[Sphere((0.1, 0.1), 0.02, Material(eps=4))],
                         sources=[Source(PointDipole((0.05, 0.1)), Ricker(5e9), "Ez")],
                         boundaries=CPML(10), monitors=[Probe("Ez", (0.15, 0.1))])
    sim.run(until=2e-9)
"""

from electromagnetics.fdtd.boundaries import CPML, PEC, PMC, Bloch, Periodic
from electromagnetics.fdtd.geometry import (
    Box,
    Cylinder,
    FunctionShape,
    PolygonPrism,
    Shape,
    Slab,
    Sphere,
    VoxelShape,
    rasterize,
)
from electromagnetics.fdtd.grid import Grid
from electromagnetics.fdtd.materials import (
    VACUUM,
    DebyePole,
    DrudePole,
    LorentzPole,
    Material,
    get_material,
)
from electromagnetics.fdtd.monitors import DFTFields, EnergyMonitor, FieldDecay, FluxMonitor, Probe, Snapshots
from electromagnetics.fdtd.near2far import Near2Far
from electromagnetics.fdtd.simulation import FDTDSimulation
from electromagnetics.fdtd.sources import (
    TFSF,
    ContinuousWave,
    CurrentRegion,
    CustomWaveform,
    GaussianPulse,
    ModulatedGaussian,
    PlaneCurrent,
    PointDipole,
    Ricker,
    Source,
)
from electromagnetics.fdtd.stability import max_stable_courant

__all__ = [
    "CPML", "PEC", "PMC", "VACUUM", "Bloch", "Box", "ContinuousWave", "CurrentRegion", "CustomWaveform",
    "Cylinder", "DFTFields", "DebyePole", "DrudePole", "EnergyMonitor", "FDTDSimulation", "FieldDecay",
    "FluxMonitor", "FunctionShape", "GaussianPulse", "Grid", "LorentzPole", "Material", "ModulatedGaussian", "Near2Far",
    "Periodic", "PlaneCurrent", "PointDipole", "PolygonPrism", "Probe", "Ricker", "Shape", "Slab", "Snapshots",
    "Source", "Sphere", "TFSF", "VoxelShape", "get_material", "max_stable_courant", "rasterize",
]
