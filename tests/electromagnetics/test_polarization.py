"""2D (and 1D) grids that update one polarisation (TM: Ez, Hx, Hy; TE: Hz, Ex, Ey) against the run of all six.

Reference throughout: on a 2D Yee grid the two polarisations decouple exactly (Taflove & Hagness,
Computational Electrodynamics, 3rd ed., sec. 3.3), so a run that updates both components sets, from
sources of one polarisation, gives zeros in the other and the single-polarisation fields. The
single-polarisation kernels do the same arithmetic on the same operands, hence bit-identical results.
"""

import math

import numpy as np
import pytest
from scipy.constants import c as C0

from electromagnetics.fdtd import (
    CPML,
    TFSF,
    Bloch,
    DrudePole,
    FDTDSimulation,
    Grid,
    Material,
    ModulatedGaussian,
    Periodic,
    PlaneCurrent,
    PointDipole,
    Probe,
    Ricker,
    Slab,
    Source,
    Sphere,
)
from electromagnetics.fdtd._kernels_2d import COMPONENTS
from mindscience.errors import InputError

SHAPE = (36, 30)
D = 1e-3
F0 = C0 / (10 * D)  # 10 cells per wavelength at the centre frequency
STEPS = 80
ALL = ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz")


def _sources(pol, k=None):
    """One point dipole and one plane current of polarisation ``pol`` (TM: Ez and Hx; TE: Hz and Ey)."""
    a, b = ("Ez", "Hx") if pol == "TM" else ("Hz", "Ey")
    return [Source(PointDipole((0.012, 0.013)), Ricker(F0), a),
            Source(PlaneCurrent("x", 0.009, k=k), Ricker(F0), b, amplitude=0.3)]


def _cpml_dielectric(pol, polarization):
    """CPML on all faces, a lossy dielectric cylinder and a Drude disc (full coefficient arrays, ADE poles)."""
    g = Grid(SHAPE, spacing=D)
    geo = [Sphere((0.022, 0.016), 0.006, Material(eps=3.0, sigma=0.05)),
           Sphere((0.010, 0.022), 0.003, Material(eps=1.5, poles=(DrudePole(2 * math.pi * F0, 1e9),)))]
    return FDTDSimulation(g, geometry=geo, sources=_sources(pol), boundaries=CPML(5), polarization=polarization)


def _bloch(pol, polarization):
    """Bloch-periodic along y (complex fields) with CPML on x, and a dielectric disc."""
    g = Grid(SHAPE, spacing=D)
    k = 0.3 * 2 * math.pi * F0 / C0
    return FDTDSimulation(g, geometry=[Sphere((0.022, 0.016), 0.006, Material(eps=2.5))],
                          sources=_sources(pol, k=(0.0, k)), boundaries={"x": CPML(5), "y": Bloch(k)},
                          polarization=polarization)


def _periodic(pol, polarization):
    g = Grid(SHAPE, spacing=D)
    return FDTDSimulation(g, geometry=[Sphere((0.022, 0.016), 0.006, Material(eps=2.5))],
                          sources=_sources(pol), boundaries={"x": Periodic(), "y": Periodic()},
                          polarization=polarization)


def _line(pol, polarization):
    """1D: CPML at both ends, a lossy dielectric layer and a Drude layer; TM = Ez/Hy, TE = Ey/Hz."""
    g = Grid((120,), spacing=D)
    a, b = ("Ez", "Hy") if pol == "TM" else ("Ey", "Hz")
    geo = [Slab("x", 0.07, 0.08, Material(eps=3.0, sigma=0.05)),
           Slab("x", 0.09, 0.095, Material(eps=1.5, poles=(DrudePole(2 * math.pi * F0, 1e9),)))]
    srcs = [Source(PointDipole((0.04,)), Ricker(F0), a), Source(PointDipole((0.05,)), Ricker(F0), b, amplitude=300.0)]
    return FDTDSimulation(g, geometry=geo, sources=srcs, boundaries=CPML(10), polarization=polarization)


def _assert_same_run(ref, sim, pol):
    """``sim`` (single polarisation) against ``ref`` (both): active fields bit-identical, others exactly 0."""
    for comp in ALL:
        if comp in COMPONENTS[pol] and not (sim.grid.ndim == 1 and comp in ("Hx", "Ex")):
            assert np.abs(ref.fields[comp]).max() > 0, comp  # the check is not vacuous
            np.testing.assert_array_equal(sim.fields[comp], ref.fields[comp], err_msg=comp)
        else:
            # decoupling: "both" leaves them zero too (in 1D also the longitudinal Hx/Ex, never driven)
            assert not np.any(sim.fields[comp]), comp
            assert not np.any(ref.fields[comp]), comp


@pytest.mark.parametrize("pol", ["TM", "TE"])
@pytest.mark.parametrize("setup", [_cpml_dielectric, _bloch, _periodic, _line])
def test_single_polarization_equals_both(pol, setup):
    ref = setup(pol, "both")
    auto, explicit = setup(pol, "auto"), setup(pol, pol)
    assert ref.active_polarization == "both"
    assert auto.active_polarization == pol and explicit.active_polarization == pol
    probe = Probe(COMPONENTS["TE" if pol == "TM" else "TM"][0], (0.02, 0.02)[:ref.grid.ndim])
    for sim in (ref, auto):
        sim.run(steps=STEPS, progress=False)
    explicit.run(steps=STEPS, reporters=[probe], progress=False)
    _assert_same_run(ref, auto, pol)
    _assert_same_run(ref, explicit, pol)
    # a monitor of a skipped component reads zeros (the physics: that polarisation is not excited)
    assert len(probe.values) == STEPS + 1 and not np.any(probe.values)
    # the energy uses the polarisation's own H update for H^{n+1/2}: same quadratic form
    assert auto.electromagnetic_energy() == ref.electromagnetic_energy() > 0


def _tfsf(polarization, e):
    g = Grid((40, 40), spacing=D)
    pw = TFSF((0.01, 0.01), (0.03, 0.03), ModulatedGaussian(F0, F0 / 2), "+x", e)
    return FDTDSimulation(g, geometry=[Sphere((0.02, 0.02), 0.004, Material(eps=3.0))], sources=[pw],
                          boundaries=CPML(5), polarization=polarization)


@pytest.mark.parametrize(("e", "pol"), [("Ez", "TM"), ("Ey", "TE")])
def test_tfsf_plane_wave_polarization(e, pol):
    ref, sim = _tfsf("both", e), _tfsf("auto", e)
    assert sim.active_polarization == pol  # inferred from the incident E direction
    ref.run(steps=STEPS, progress=False)
    sim.run(steps=STEPS, progress=False)
    _assert_same_run(ref, sim, pol)


@pytest.mark.parametrize(("comps", "expected"), [
    (("Ez",), "TM"), (("Hx",), "TM"), (("Hy",), "TM"), (("Hx", "Ez"), "TM"),
    (("Hz",), "TE"), (("Ex",), "TE"), (("Ey", "Hz"), "TE"),
    (("Ez", "Hz"), "both"), ((), "TM"),
])
def test_auto_inference_from_sources(comps, expected):
    # TM = {Ez, Hx, Hy}, TE = {Hz, Ex, Ey} (Taflove & Hagness sec. 3.3); no source: all zero, either is exact
    srcs = [Source(PointDipole((0.01, 0.01)), Ricker(F0), c) for c in comps]
    assert FDTDSimulation(Grid(SHAPE, spacing=D), sources=srcs).active_polarization == expected


def test_auto_inference_from_oblique_plane_wave():
    g = Grid((40, 40), spacing=D)
    k = (math.cos(0.5), math.sin(0.5))
    wave = ModulatedGaussian(F0, F0 / 2)
    in_plane = (-math.sin(0.5), math.cos(0.5))
    cases = {"TM": "Ez", "TE": in_plane, "both": (-math.sin(0.5), math.cos(0.5), 1.0)}
    for expected, e in cases.items():
        pw = TFSF((0.01, 0.01), (0.03, 0.03), wave, k, e)
        assert FDTDSimulation(g, sources=[pw], boundaries=CPML(5)).active_polarization == expected


@pytest.mark.parametrize(("polarization", "comp"), [("TM", "Hz"), ("TM", "Ey"), ("TE", "Ez"), ("TE", "Hy")])
def test_explicit_polarization_rejects_other_sources(polarization, comp):
    srcs = [Source(PointDipole((0.01, 0.01)), Ricker(F0), comp)]
    with pytest.raises(InputError, match=f"polarization='{polarization}'.*Source on {comp}"):
        FDTDSimulation(Grid(SHAPE, spacing=D), sources=srcs, polarization=polarization)


def test_explicit_polarization_rejects_other_plane_wave():
    pw = TFSF((0.01, 0.01), (0.03, 0.03), ModulatedGaussian(F0, F0 / 2), "+x", "Ez")
    with pytest.raises(InputError, match="polarization='TE'.*TFSF"):
        FDTDSimulation(Grid((40, 40), spacing=D), sources=[pw], boundaries=CPML(5), polarization="TE")


def test_tm_te_not_on_3d_grids():
    g = Grid((8, 8, 8), spacing=D)
    for bad in ("TM", "TE"):
        with pytest.raises(InputError, match=f"polarization='{bad}' is not allowed for a 3D grid"):
            FDTDSimulation(g, polarization=bad)
    assert FDTDSimulation(g, polarization="auto").active_polarization == "both"
    with pytest.raises(InputError, match="polarization='tm'"):
        FDTDSimulation(Grid((8, 8), spacing=D), polarization="tm")


def _hand_set_hz(sim):
    x, y = np.meshgrid(np.arange(SHAPE[0]), np.arange(SHAPE[1]), indexing="ij")
    sim.fields["Hz"][:, :, 0] = np.exp(-((x - 18) ** 2 + (y - 15) ** 2) / 8.0)


def test_hand_set_fields_of_the_skipped_polarization():
    # auto: a TM source and a TE initial condition -> both are updated (same as the "both" run)
    ref, sim = _cpml_dielectric("TM", "both"), _cpml_dielectric("TM", "auto")
    assert sim.active_polarization == "TM"
    for s in (ref, sim):
        _hand_set_hz(s)
        s.run(steps=STEPS, progress=False)
    assert sim.active_polarization == "both"
    for comp in ALL:
        assert np.abs(ref.fields[comp]).max() > 0, comp
        np.testing.assert_array_equal(sim.fields[comp], ref.fields[comp], err_msg=comp)
    # explicit TM: the TE initial condition would be ignored -> clear error naming the component
    tm = _cpml_dielectric("TM", "TM")
    _hand_set_hz(tm)
    with pytest.raises(InputError, match="polarization='TM' but Hz"):
        tm.run(steps=1, progress=False)
    with pytest.raises(InputError, match="Hz"):
        tm.step()
    assert tm.step_count == 0


def test_restored_checkpoint_of_the_other_polarization(tmp_path):
    # a TE run checkpointed mid-way (fields and CPML memories nonzero) restored into a TM-source simulation
    te = _cpml_dielectric("TE", "both")
    te.run(steps=30, progress=False)
    path = tmp_path / "te.h5"
    te.checkpoint(path)
    ref, sim = _cpml_dielectric("TM", "both"), _cpml_dielectric("TM", "auto")
    for s in (ref, sim):
        s.restore(path)
        s.run(steps=40, progress=False)
    assert sim.active_polarization == "both"
    for comp in ALL:
        np.testing.assert_array_equal(sim.fields[comp], ref.fields[comp], err_msg=comp)
    tm = _cpml_dielectric("TM", "TM")
    tm.restore(path)
    with pytest.raises(InputError, match="polarization='TM'.*TE"):
        tm.run(steps=1, progress=False)


def test_nonzero_cpml_memory_alone_is_detected():
    # psi of the skipped polarisation (e.g. from a checkpoint) feeds back into its fields: not ignorable
    sim = _cpml_dielectric("TM", "auto")
    slab = sim._slabs[0]
    name = slab.psi_names("TE")[0]
    slab.psi[name][...] = 1e-3
    sim.run(steps=1, progress=False)
    assert sim.active_polarization == "both"
    assert np.any(sim.fields["Hz"]) or np.any(sim.fields["Ex"]) or np.any(sim.fields["Ey"])
