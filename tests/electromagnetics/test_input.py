"""Bad input raises a clear InputError (naming parameter, value and allowed range) before any step."""

import numpy as np
import pytest

from electromagnetics.fdtd import (
    CPML,
    Box,
    FDTDSimulation,
    FluxMonitor,
    GaussianPulse,
    Grid,
    Material,
    PointDipole,
    Probe,
    Source,
)
from mindscience.errors import InputError


@pytest.mark.parametrize(("shape", "limit"), [((10,), "1"), ((10, 10), "0.707107"), ((10, 10, 10), "0.57735")])
def test_courant_above_limit(shape, limit):
    with pytest.raises(InputError, match=rf"courant=(0\.9|1\.01) is out of range.*<= {limit}"):
        Grid(shape, spacing=1e-3, courant=0.9 if len(shape) > 1 else 1.01)


def test_courant_limit_accepted_and_dt():
    g = Grid((10, 10), spacing=1e-3, courant=0.5)
    assert g.dt == pytest.approx(0.5 * 1e-3 / 299792458.0, rel=1e-12)


def test_bad_shape_spacing_dtype():
    with pytest.raises(InputError, match="shape"):
        Grid((10, 0), spacing=1e-3)
    with pytest.raises(InputError, match=r"spacing\[x\]"):
        Grid((10,), spacing=-1.0)
    with pytest.raises(InputError, match="dtype"):
        Grid((10,), spacing=1.0, dtype=np.int32)


def test_source_outside_domain():
    g = Grid((20, 20), spacing=1e-3)
    src = Source(PointDipole((0.025, 0.01)), GaussianPulse(1e-11), "Ez")
    msg = r"PointDipole.position\[x\]=0.025 is outside the domain; allowed: \[0, 0.02\]"
    with pytest.raises(InputError, match=msg):
        FDTDSimulation(g, sources=[src])


@pytest.mark.parametrize("monitor", [Probe("Ez", (0.01, 0.03)), FluxMonitor("x", 0.05, [1e9])])
def test_monitor_outside_domain(monitor):
    g = Grid((20, 20), spacing=1e-3)
    with pytest.raises(InputError, match="outside the domain"):
        FDTDSimulation(g, monitors=[monitor])


def test_monitor_outside_domain_given_to_run_fails_before_stepping():
    g = Grid((20, 20), spacing=1e-3)
    sim = FDTDSimulation(g)
    with pytest.raises(InputError, match="outside the domain"):
        sim.run(steps=5, reporters=[Probe("Ez", (-0.001, 0.01))], progress=False)
    assert sim.step_count == 0


def test_pml_thicker_than_domain():
    g = Grid((30, 30), spacing=1e-3)
    with pytest.raises(InputError, match=r"CPML.thickness=20 .* too thick for 30 cells .* allowed: <= 15"):
        FDTDSimulation(g, boundaries=CPML(20))


def test_negative_permittivity_without_dispersion():
    with pytest.raises(InputError, match=r"Material.eps=-2.0 is out of range; allowed: \(0, inf\)"):
        Box(center=(0.01, 0.01), size=(0.005, 0.005), material=Material(eps=-2.0))


def test_unknown_component_and_boundary_key():
    with pytest.raises(InputError, match="component='Ew'"):
        Probe("Ew", (0.0, 0.0))
    g = Grid((10, 10), spacing=1e-3)
    with pytest.raises(InputError, match="axis z is unused in a 2D grid"):
        FDTDSimulation(g, boundaries={"z": CPML(2)})
    with pytest.raises(InputError, match="boundaries key 'w'"):
        FDTDSimulation(g, boundaries={"w": CPML(2)})
