"""CPML reflection at normal and 45-degree incidence, against a reference run in a larger domain."""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import CPML, PEC, FDTDSimulation, Grid, PointDipole, Probe, Ricker, Source

DX = 1e-3
L = 10               # CPML thickness in cells (issue)
LIMIT_DB = -40.0     # reflected amplitude relative to the incident pulse (issue)
STEPS = 300          # 210 cells of travel at the default Courant number 0.7


def _record(pad, boundary):
    """2D TM run; interior coordinates are measured from the inner face of the small domain's PML."""
    n = 80 + 2 * L + 2 * pad
    off = (pad + L) * DX
    src = (55 * DX + off, 40 * DX + off)            # 25 cells from the right PML
    probes = [Probe("Ez", (75 * DX + off, 40 * DX + off)),          # normal incidence, 5 cells from it
              Probe("Ez", (75 * DX + off, 70 * DX + off))]          # image path hits the wall at 45 degrees
    sim = FDTDSimulation(Grid((n, n), spacing=DX),
                         sources=[Source(PointDipole(src), Ricker(c / (20 * DX)), "Ez")],
                         boundaries=boundary, monitors=probes)
    sim.run(steps=STEPS, progress=False)
    return [p.values for p in probes]


@pytest.fixture(scope="module")
def reference():
    # 100 extra cells per side: its own boundary echoes arrive after STEPS (255 > 210 cells of travel)
    return _record(100, CPML(L))


def _reflection_db(test, ref):
    return [20 * np.log10(np.abs(a - b).max() / np.abs(b).max()) for a, b in zip(test, ref)]


def test_cpml_reflection_below_minus_40_db(reference):
    normal, oblique = _reflection_db(_record(0, CPML(L)), reference)
    print(f"VALIDATION CPML {L} cells: reflection {normal:.1f} dB at normal incidence, {oblique:.1f} dB at 45 degrees")
    assert normal < LIMIT_DB, f"normal incidence: {normal:.1f} dB"
    assert oblique < LIMIT_DB, f"45 degrees: {oblique:.1f} dB"


def test_reflection_measurement_sees_a_wall(reference):
    # control: the same measurement with PEC walls must show an order-one echo (the test can fail)
    normal, oblique = _reflection_db(_record(0, PEC()), reference)
    assert normal > -10 and oblique > -10
