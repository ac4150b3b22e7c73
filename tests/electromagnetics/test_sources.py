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
from mindscience.errors import InputError

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


# ----------------------------------------------------------------------------- oblique TFSF
LEAK_OBLIQUE = 5e-3   # measured 1.6e-3 (TM) / 1.7e-3 (TE) at 30 degrees, 20 cells per wavelength
PLANE_WAVE_TOL = 0.02  # TF field vs the analytic plane wave, relative to the incident peak


def _oblique_run(angle_deg, pol, steps=520, shape=(90, 80)):
    th = np.radians(angle_deg)
    k = (np.cos(th), np.sin(th))
    e = "Ez" if pol == "TM" else (-np.sin(th), np.cos(th))
    comp = "Ez" if pol == "TM" else "Ex"
    wf = ModulatedGaussian(c / (20 * DX), c / (60 * DX))
    pw = TFSF((0.02, 0.02), (0.07, 0.06), wf, k, e)
    inside = Probe(comp, (0.045, 0.04))
    # scattered-field probes one to two cells outside each face of the box (where leakage is largest)
    outside = [Probe(comp, p) for p in ((0.018, 0.04), (0.072, 0.04), (0.045, 0.018), (0.045, 0.062),
                                        (0.0175, 0.0175), (0.0725, 0.0625))]
    sim = FDTDSimulation(Grid(shape, spacing=DX), sources=[pw], boundaries=CPML(8), monitors=[inside, *outside])
    sim.run(steps=steps, progress=False)
    return pw, inside, outside, comp


@pytest.mark.parametrize("pol", ["TM", "TE"])
def test_oblique_tfsf_2d_leakage_and_analytic_plane_wave(pol):
    pw, inside, outside, comp = _oblique_run(30.0, pol)
    # reference: the continuous plane wave E(r, t) = e f(t - k.(r - origin)/c) (closed form); the grid's
    # numerical dispersion at 20 cells per wavelength shifts it by much less than PLANE_WAVE_TOL
    r = np.array([0.045, 0.04, 0.0])
    r[:2] = [pw.grid.coords(comp)[a][pw.grid.nearest_index(comp, (0.045, 0.04))[a]] for a in range(2)]
    analytic = pw.e_vec["xyz".index(comp[1])] * pw.waveform(inside.times - pw.k_vec @ (r - pw.origin) / c)
    peak = np.abs(analytic).max()
    assert np.abs(inside.values - analytic).max() < PLANE_WAVE_TOL * peak
    leak = max(np.abs(p.values).max() for p in outside)
    assert leak < LEAK_OBLIQUE * peak, f"leakage {leak / peak:.2e} of the incident peak"


def test_oblique_tfsf_45_degrees_is_exact():
    # on a square grid the Yee dispersion along the diagonal equals that of a 1D grid with cell dx/sqrt(2)
    # at every frequency (closed form), so the matched aux grid is exact and the box leaks only round-off
    pw, inside, outside, _ = _oblique_run(45.0, "TM", steps=300)
    assert pw.aux_spacing == pytest.approx(DX / np.sqrt(2), rel=1e-10)
    peak = np.abs(inside.values).max()
    assert peak > 0.5
    assert max(np.abs(p.values).max() for p in outside) < 1e-10 * peak


def test_oblique_tfsf_3d_leaks_little():
    g = Grid((34, 32, 30), spacing=DX)
    k = np.array([1.0, 0.6, 0.4]) / np.linalg.norm([1.0, 0.6, 0.4])
    e = np.cross(k, [0.0, 0.0, 1.0])
    wf = ModulatedGaussian(c / (12 * DX), c / (36 * DX))
    pw = TFSF((0.009, 0.009, 0.008), (0.025, 0.023, 0.022), wf, k, e)
    inside = Probe("Ey", (0.017, 0.016, 0.015))
    outside = [Probe("Ey", p) for p in ((0.007, 0.016, 0.015), (0.027, 0.016, 0.015), (0.017, 0.016, 0.006))]
    sim = FDTDSimulation(g, sources=[pw], boundaries=CPML(5), monitors=[inside, *outside])
    sim.run(steps=160, progress=False)
    peak = np.abs(inside.values).max()
    assert peak > 0.3 * abs(e[1])
    assert max(np.abs(p.values).max() for p in outside) < 3 * LEAK_OBLIQUE * peak  # 12 cells per wavelength


def test_oblique_tfsf_rejects_bad_polarization():
    wf = ModulatedGaussian(1e10, 3e9)
    with pytest.raises(InputError, match="perpendicular"):
        TFSF((0.01, 0.01), (0.02, 0.02), wf, (1.0, 1.0), (1.0, 0.0))
    with pytest.raises(InputError, match="frequency"):
        TFSF((0.01, 0.01), (0.02, 0.02), GaussianPulse(1e-11), (1.0, 1.0), "Ez")
