"""Oblique incidence on layered media: a Bloch-phased current sheet (fixed k_parallel) in a Bloch-periodic
cell with CPML on the normal faces, so the angle sweeps with frequency, theta(f) = asin(k_par c/(2 pi f)).

References: Fresnel's formulas (half-space) and Airy's formula (slab), written out below in closed form
(Born & Wolf, Principles of Optics, 7th ed., secs. 1.5.2 and 1.6.4); Brewster's angle atan(n2/n1)
(ibid. sec. 1.5.3); energy conservation R + T = 1 for lossless media. The library's transfer-matrix
routine is checked against the same closed forms.
"""

import math

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import (
    CPML,
    Bloch,
    FDTDSimulation,
    FluxMonitor,
    Grid,
    Material,
    ModulatedGaussian,
    Periodic,
    PlaneCurrent,
    Slab,
    Source,
)
from electromagnetics.fdtd.postprocess import incidence_angle, k_parallel, reflection_transmission, transfer_matrix
from mindscience.errors import InputError

N2 = 2.0
F0 = 1e10
PPW = 20                                  # cells per wavelength in the n = 2 medium at the top of the band
D = c / (1.3 * F0) / N2 / PPW             # cell, m
FREQS = np.linspace(0.8, 1.25, 19) * F0
THETA0 = math.radians(35)                 # angle at F0: 45.8 deg at the bottom of the band, 27.3 at the top
R_TOL_HALF = 0.01                         # issue: max |R - R_exact| 0.01 - 0.02 at ~20 cells/wavelength
R_TOL_SLAB = 0.02
ENERGY_TOL = 5e-3                         # issue: R + T = 1 within 0.5 %
NY, L = 170, 20                           # cells along y, CPML thickness
Y_SRC, Y_REF, Y_IF, Y_TR = 28, 40, 80, 130   # source, reflection monitor, interface, transmission monitor
SLAB_CELLS = 20

# polarization -> E component of the sheet in the 2D (xy) grid; the plane of incidence is xy
COMPONENT = {"s": "Ez", "p": "Ex"}


def _fresnel_r(kpar, f, pol, n1=1.0, n2=N2):
    """Amplitude reflection coefficient of the interface n1 | n2 (Fresnel) and the normal wavevectors."""
    k0 = 2 * np.pi * f / c
    k1 = np.sqrt((n1 * k0) ** 2 - kpar**2 + 0j)
    k2 = np.sqrt((n2 * k0) ** 2 - kpar**2 + 0j)
    if pol == "s":
        return (k1 - k2) / (k1 + k2), k2
    return (n2**2 * k1 - n1**2 * k2) / (n2**2 * k1 + n1**2 * k2), k2


def _airy_R(kpar, f, pol, thickness):
    """Reflectance of a lossless slab n2 in n1 (Airy): r (1 - e^{2i k2 d}) / (1 - r^2 e^{2i k2 d})."""
    r, k2 = _fresnel_r(kpar, f, pol)
    ph = np.exp(2j * k2 * thickness)
    return np.abs(r * (1 - ph) / (1 - r**2 * ph)) ** 2


def _run(pol, kpar, geometry, wf, sub_eps=1.0, freqs=FREQS):
    fr, ft = FluxMonitor("y", Y_REF * D, freqs), FluxMonitor("y", Y_TR * D, freqs)
    bnd = {"x": Bloch(kpar), "y-": CPML(L), "y+": CPML(L, eps_r=sub_eps)}
    src = Source(PlaneCurrent("y", Y_SRC * D, k=(kpar, 0.0)), wf, COMPONENT[pol])
    # one cell along x (Meep's layout): the Bloch wrap carries the phase exp(i k_par dx); this also checks that
    # the bulk kernels keep a full coefficient array whose x extent is 1 (they once took it for a uniform one)
    sim = FDTDSimulation(Grid((1, NY), spacing=D), geometry=geometry, sources=[src], boundaries=bnd,
                         monitors=[fr, ft])
    sim.run(until=wf.end_time + 1200 * D / c, progress=False)
    return fr, ft


@pytest.fixture(scope="module", params=["s", "p"])
def oblique_runs(request):
    pol = request.param
    kpar = k_parallel(F0, THETA0)
    wf = ModulatedGaussian(F0, 0.15 * F0)   # spectrum far above the cut-off k_par c/2pi = 0.57 F0
    glass = Material(eps=N2**2)
    vac = _run(pol, kpar, [], wf)
    half = _run(pol, kpar, [Slab("y", Y_IF * D, (NY + 1) * D, glass)], wf, sub_eps=N2**2)
    slab = _run(pol, kpar, [Slab("y", Y_IF * D, (Y_IF + SLAB_CELLS) * D, glass)], wf)
    return pol, kpar, vac, half, slab


def test_half_space_matches_fresnel(oblique_runs):
    pol, kpar, vac, half, _ = oblique_runs
    R, T = reflection_transmission(half[0], half[1], vac[0], vac[1])
    R_exact = np.abs(_fresnel_r(kpar, FREQS, pol)[0]) ** 2
    theta = np.degrees(incidence_angle(FREQS, kpar))
    err = np.abs(R - R_exact).max()
    print(f"VALIDATION oblique half-space, {pol}: max |R - R_Fresnel| {err:.4f}")
    assert theta.max() > 45 and theta.min() < 28          # the band really sweeps the angle
    assert err <= R_TOL_HALF, f"{pol}: max |R - R_Fresnel| = {err:.4f}"
    assert np.abs(R + T - 1).max() <= ENERGY_TOL


def test_slab_matches_airy(oblique_runs):
    pol, kpar, vac, _, slab = oblique_runs
    R, T = reflection_transmission(slab[0], slab[1], vac[0], vac[1])
    R_exact = _airy_R(kpar, FREQS, pol, SLAB_CELLS * D)
    err = np.abs(R - R_exact).max()
    print(f"VALIDATION oblique slab, {pol}: max |R - R_Airy| {err:.4f}")
    assert R_exact.max() - R_exact.min() > 0.1            # the band spans a Fabry-Perot fringe
    assert err <= R_TOL_SLAB, f"{pol}: max |R - R_Airy| = {err:.4f}"
    assert np.abs(R + T - 1).max() <= ENERGY_TOL


def test_brewster_angle_p_reflection_vanishes():
    # p-polarised reflection vanishes at tan(theta_B) = n2/n1 (63.4 deg for n = 2); k_par puts theta_B at F0
    theta_b = math.atan(N2)
    kpar = k_parallel(F0, theta_b)
    wf = ModulatedGaussian(1.1 * F0, 0.1 * F0)   # cut-off at 0.89 F0: keep the pulse above it
    freqs = np.linspace(0.95, 1.25, 13) * F0
    glass = Material(eps=N2**2)
    vac = _run("p", kpar, [], wf, freqs=freqs)
    half = _run("p", kpar, [Slab("y", Y_IF * D, (NY + 1) * D, glass)], wf, sub_eps=N2**2, freqs=freqs)
    R, _ = reflection_transmission(half[0], half[1], vac[0], vac[1])
    R_exact = np.abs(_fresnel_r(kpar, freqs, "p")[0]) ** 2
    assert np.abs(R - R_exact).max() <= R_TOL_HALF
    i0 = int(np.argmin(np.abs(freqs - F0)))
    print(f"VALIDATION Brewster angle: p reflectance {R[i0]:.1e}")
    assert R[i0] < 1e-4                      # the zero itself (Fresnel: 0; s-polarised: 0.36)
    assert int(np.argmin(R)) == i0


def test_oblique_3d_half_space_matches_fresnel():
    # the same in 3D: Bloch on x (k_par), periodic y, CPML on z; s-polarised sheet current along y
    kpar = k_parallel(F0, THETA0)
    wf = ModulatedGaussian(F0, 0.15 * F0)
    runs = []
    for sub in (False, True):
        geo = [Slab("z", Y_IF * D, (NY + 1) * D, Material(eps=N2**2))] if sub else []
        fr, ft = FluxMonitor("z", Y_REF * D, FREQS), FluxMonitor("z", Y_TR * D, FREQS)
        bnd = {"x": Bloch(kpar), "y": Periodic(), "z-": CPML(L), "z+": CPML(L, eps_r=N2**2 if sub else 1.0)}
        src = Source(PlaneCurrent("z", Y_SRC * D, k=(kpar, 0.0, 0.0)), wf, "Ey")
        sim = FDTDSimulation(Grid((2, 2, NY), spacing=D), geometry=geo, sources=[src], boundaries=bnd,
                             monitors=[fr, ft])
        sim.run(until=wf.end_time + 1200 * D / c, progress=False)
        runs.append((fr, ft))
    R, T = reflection_transmission(runs[1][0], runs[1][1], runs[0][0], runs[0][1])
    R_exact = np.abs(_fresnel_r(kpar, FREQS, "s")[0]) ** 2
    assert np.abs(R - R_exact).max() <= R_TOL_HALF
    assert np.abs(R + T - 1).max() <= ENERGY_TOL


@pytest.mark.parametrize("pol", ["s", "p"])
def test_transfer_matrix_reproduces_fresnel_and_airy(pol):
    kpar = k_parallel(F0, THETA0)
    R, T = transfer_matrix(FREQS, kpar, [1.0, N2], polarization=pol)
    np.testing.assert_allclose(R, np.abs(_fresnel_r(kpar, FREQS, pol)[0]) ** 2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(R + T, 1.0, rtol=1e-12)
    R, T = transfer_matrix(FREQS, kpar, [1.0, N2, 1.0], [SLAB_CELLS * D], polarization=pol)
    np.testing.assert_allclose(R, _airy_R(kpar, FREQS, pol, SLAB_CELLS * D), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(R + T, 1.0, rtol=1e-12)
    # an absorbing layer: R + T < 1
    R, T = transfer_matrix(FREQS, kpar, [1.0, 2.0 + 0.1j, 1.5], [SLAB_CELLS * D], polarization=pol)
    assert np.all(R + T < 1)


def test_transfer_matrix_normal_incidence_matches_dataset_reference():
    # an independent implementation: the characteristic-matrix routine of datasets.references (Born & Wolf)
    from datasets.references import multilayer_rt

    n = [1.5 + 0.02j, 2.3, 1.2 + 0.3j]
    d = [0.004, 0.007, 0.002]
    R_ref, T_ref = multilayer_rt(n, d, c / FREQS, n_in=1.0, n_out=1.45)[:2]
    for pol in ("s", "p"):
        R, T = transfer_matrix(FREQS, 0.0, [1.0, *n, 1.45], d, polarization=pol)
        np.testing.assert_allclose(R, R_ref, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(T, T_ref, rtol=1e-10, atol=1e-14)


def test_incidence_angle_and_k_parallel():
    kpar = k_parallel(F0, THETA0)
    assert incidence_angle([F0], kpar)[0] == pytest.approx(THETA0, rel=1e-12)
    # Snell: the same k_par in n = 2 gives sin(theta2) = sin(theta1)/2
    assert math.sin(incidence_angle([F0], kpar, n=N2)[0]) == pytest.approx(math.sin(THETA0) / N2, rel=1e-12)
    assert np.isnan(incidence_angle([0.5 * F0], kpar)[0])          # below the cut-off: evanescent


def test_oblique_input_errors():
    with pytest.raises(InputError, match="PlaneCurrent.k"):
        PlaneCurrent("y", 0.01, k=(1.0, 2.0, 3.0, 4.0))
    with pytest.raises(InputError, match="angle"):
        k_parallel(F0, math.pi / 2)
    with pytest.raises(InputError, match="polarization"):
        transfer_matrix(FREQS, 0.0, [1.0, 2.0], polarization="x")
    with pytest.raises(InputError, match="evanescent"):
        transfer_matrix([0.5 * F0], k_parallel(F0, THETA0), [1.0, 2.0])
    # a Bloch-phased sheet in a simulation with real fields (no Bloch k) is refused
    src = Source(PlaneCurrent("y", Y_SRC * D, k=(100.0, 0.0)), ModulatedGaussian(F0, 0.15 * F0), "Ez")
    sim = FDTDSimulation(Grid((2, NY), spacing=D), sources=[src], boundaries={"x": Periodic(), "y": CPML(L)})
    with pytest.raises(InputError, match="complex fields"):
        sim.run(steps=5, progress=False)
