"""Sources: TFSF leaks nothing and carries the incident wave; a current sheet radiates E = -eta0 K/2;
waveforms have their documented shapes."""

import numpy as np
import pytest
from scipy.constants import c, epsilon_0, mu_0

from electromagnetics.fdtd import (
    CPML,
    TFSF,
    ContinuousWave,
    CurrentRegion,
    Cylinder,
    FDTDSimulation,
    GaussianPulse,
    Grid,
    Material,
    ModulatedGaussian,
    PlaneCurrent,
    PointDipole,
    Probe,
    Ricker,
    Source,
)

DX = 1e-3
LEAK_TOL = 1e-12   # TFSF with an on-axis 1D auxiliary grid cancels to round-off


@pytest.mark.parametrize(("direction", "pol"), [("+x", "Ez"), ("-y", "Ez"), ("+x", "Ey"), ("-x", "Ey")])
def test_tfsf_box_leaks_nothing_in_vacuum(direction, pol):
    g = Grid((80, 70), spacing=DX)
    wf = ModulatedGaussian(c / (20 * DX), c / (60 * DX))
    pw = TFSF((0.02, 0.02), (0.06, 0.05), wf, direction, pol)
    inside = Probe(pol, (0.04, 0.035))
    outside = [Probe(pol, p) for p in ((0.01, 0.035), (0.04, 0.01), (0.07, 0.06))]
    sim = FDTDSimulation(g, sources=[pw], boundaries=CPML(8), monitors=[inside, *outside])
    sim.run(steps=600, progress=False)
    peak = np.abs(inside.values).max()
    assert peak > 0.5                     # the incident pulse (amplitude 1 V/m) passed the probe
    for p in outside:
        assert np.abs(p.values).max() < LEAK_TOL * peak


def test_tfsf_3d_with_scatterer_gives_scattered_field_outside():
    g = Grid((36, 30, 30), spacing=DX)
    wf = ModulatedGaussian(c / (15 * DX), c / (45 * DX))
    box = ((0.008, 0.008, 0.008), (0.028, 0.022, 0.022))
    outside = Probe("Ez", (0.004, 0.015, 0.015))
    empty = FDTDSimulation(g, sources=[TFSF(*box, wf, "+x", "Ez")], boundaries=CPML(4), monitors=[outside])
    empty.run(steps=250, progress=False)
    assert np.abs(outside.values).max() < LEAK_TOL
    back = Probe("Ez", (0.004, 0.015, 0.015))
    rod = Cylinder((0.018, 0.015, 0.015), 0.004, 0.01, Material(eps=6.0), axis="z")
    sim = FDTDSimulation(g, geometry=[rod], sources=[TFSF(*box, wf, "+x", "Ez")], boundaries=CPML(4),
                         monitors=[back])
    sim.run(steps=250, progress=False)
    assert np.abs(back.values).max() > 1e-3   # back-scattered field from the dielectric rod


def test_current_sheet_radiates_half_eta_k():
    # an infinite sheet of surface current K radiates plane waves E = -eta0 K / 2 on both sides
    # (closed form, e.g. Balanis, Advanced Engineering Electromagnetics, sec. 7.2)
    g = Grid((400,), spacing=DX, courant=0.5)
    wf = GaussianPulse(width=30 * DX / c)
    K = 2.0
    right = Probe("Ez", (0.3,))
    left = Probe("Ez", (0.1,))
    sim = FDTDSimulation(g, sources=[Source(PlaneCurrent("x", 0.2), wf, "Ez", amplitude=K)],
                         boundaries=CPML(20), monitors=[left, right])
    sim.run(until=wf.end_time + 0.1 / c, progress=False)
    eta0 = np.sqrt(mu_0 / epsilon_0)
    for p in (left, right):
        delayed = -eta0 * K / 2 * wf(p.times - 0.1 / c)
        assert np.abs(p.values - delayed).max() < 2e-3 * eta0 * K / 2


def test_waveform_shapes():
    g = GaussianPulse(width=1e-12)
    assert g(g.delay) == 1.0 and g(g.delay + 1e-12) == pytest.approx(np.exp(-0.5))
    m = ModulatedGaussian(1e12, 2e11)
    t = np.linspace(0, m.end_time, 20001)
    assert abs(np.trapezoid(m(t), t)) < 1e-6 * np.trapezoid(np.abs(m(t)), t)   # no DC
    r = Ricker(1e9)
    assert r(r.delay) == 1.0 and r(r.delay + 1 / (np.pi * 1e9)) == pytest.approx(-np.exp(-1))
    cw = ContinuousWave(1e9, ramp=5e-9)
    assert cw(0.0) == 0.0 and cw(6.25e-9) == pytest.approx(1.0)


def test_current_region_one_layer_equals_plane_current():
    # a CurrentRegion one node thick with J = K/dx is the same source as PlaneCurrent with K
    g = Grid((200,), spacing=DX, courant=0.5)
    wf = GaussianPulse(width=20 * DX / c)
    out = []
    for src in (Source(PlaneCurrent("x", 0.1), wf, "Ez", amplitude=3.0),
                Source(CurrentRegion((0.1,), (0.1,)), wf, "Ez", amplitude=3.0 / DX)):
        p = Probe("Ez", (0.15,))
        FDTDSimulation(g, sources=[src], boundaries=CPML(10), monitors=[p]).run(steps=300, progress=False)
        out.append(p.values)
    np.testing.assert_array_equal(out[0], out[1])
    assert np.abs(out[0]).max() > 100


def test_float32_run_agrees_with_float64():
    # same 2D scattering run in both precisions: agreement to float32 round-off accumulation
    res = []
    for dtype in (np.float64, np.float32):
        g = Grid((60, 50), spacing=DX, dtype=dtype)
        p = Probe("Ez", (0.045, 0.03))
        sim = FDTDSimulation(g, geometry=[Cylinder((0.03, 0.025), 0.006, np.inf, Material(eps=5.0, sigma=0.5))],
                             sources=[Source(PointDipole((0.012, 0.025)), Ricker(c / (20 * DX)), "Ez")],
                             boundaries=CPML(8), monitors=[p])
        sim.run(steps=300, progress=False)
        assert sim.fields["Ez"].dtype == dtype
        res.append(p.values)
    assert np.abs(res[0] - res[1]).max() < 1e-4 * np.abs(res[0]).max()
