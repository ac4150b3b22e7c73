"""Dispersive media: Drude half-space reflectance vs Fresnel with the Drude eps(omega); ADE
coefficients reproduce each pole's susceptibility; the materials library matches its source."""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import (
    CPML,
    DebyePole,
    DrudePole,
    FDTDSimulation,
    FluxMonitor,
    Grid,
    LorentzPole,
    Material,
    ModulatedGaussian,
    PlaneCurrent,
    Slab,
    Source,
    get_material,
)
from electromagnetics.fdtd.materials import EV
from electromagnetics.fdtd.postprocess import reflection_transmission

DRUDE_TOL = 0.02  # max |R - R_Fresnel| over the band (issue)


def test_drude_half_space_reflectance_vs_fresnel():
    metal = get_material("Au-Drude")          # Drude part of Rakic et al. (1998): wp = sqrt(0.76) 9.03 eV
    dx = 2.5e-9                               # 10 cells per skin depth c/wp ~ 25 nm
    n = 700
    freqs = np.linspace(250e12, 500e12, 26)   # 600 - 1200 nm
    wf = ModulatedGaussian(375e12, 60e12)
    runs = []
    for with_metal in (False, True):
        grid = Grid((n,), spacing=dx, courant=0.5)
        # metal fills x > 450.5 dx: 250 cells = 25 skin depths, so nothing reaches the far CPML
        geo = [Slab("x", 450.5 * dx, n * dx, metal)] if with_metal else []
        fr = FluxMonitor("x", 300 * dx, freqs)
        sim = FDTDSimulation(grid, geometry=geo, sources=[Source(PlaneCurrent("x", 200 * dx), wf, "Ez")],
                             boundaries=CPML(20), monitors=[fr])
        sim.run(until=wf.end_time + 1000 * dx / c, progress=False)
        runs.append(fr)
    R, _ = reflection_transmission(runs[1], runs[1], runs[0])
    eps = metal.epsilon(freqs)
    R_exact = np.abs((1 - np.sqrt(eps)) / (1 + np.sqrt(eps))) ** 2   # Fresnel, normal incidence
    err = np.abs(R - R_exact).max()
    print(f"VALIDATION Drude half-space: max |R - R_Fresnel| {err:.1e}")
    assert err <= DRUDE_TOL, f"max |R - R_Fresnel| = {err:.4f}"
    assert R_exact.min() > 0.9 and R.min() > 0.85  # a metal mirror, not a transparent slab


@pytest.mark.parametrize("pole", [DrudePole(1e15, 1e13), LorentzPole(2.0, 3e15, 1e14), DebyePole(70.0, 8e-12)])
def test_ade_recursion_reproduces_susceptibility(pole):
    # drive the discrete recursion with E^n = exp(-i w n dt): the steady response P^n = X E^n must
    # equal eps0 chi(w) (the pole's closed form) up to O((w dt)^2)
    from scipy.constants import epsilon_0

    w = 2e14 if not isinstance(pole, DebyePole) else 2e10
    dt = 1e-18 if not isinstance(pole, DebyePole) else 1e-14
    z = np.exp(-1j * w * dt)                  # one step of exp(-i w t)
    if pole.implicit:                         # P+ = q P + k (E+ + E):  X z = q X + k (z + 1)
        q, k = pole.ade_coefficients(dt)
        X = k * (z + 1) / (z - q)
    else:                                     # P+ = c1 P + c2 P- + c3 E:  X z = c1 X + c2 X/z + c3
        c1, c2, c3 = pole.ade_coefficients(dt)
        X = c3 / (z - c1 - c2 / z)
    chi = pole.susceptibility(w)
    assert abs(X / epsilon_0 - chi) / abs(chi) < 1e-3


def test_materials_library_values():
    # Rakic et al., Appl. Opt. 37, 5271 (1998), Table 1 (Au): eps(1.5 eV) from the published LD model
    au = get_material("Au")
    w = 1.5  # eV
    wp, f0, g0 = 9.03, 0.760, 0.053
    osc = [(0.024, 0.241, 0.415), (0.010, 0.345, 0.830), (0.071, 0.870, 2.969), (0.601, 2.494, 4.304),
           (4.384, 2.214, 13.32)]
    eps = 1 - f0 * wp**2 / (w * (w + 1j * g0)) + sum(f * wp**2 / (wj**2 - w**2 - 1j * w * gj) for f, gj, wj in osc)
    np.testing.assert_allclose(au.epsilon(w * EV / (2 * np.pi)), eps, rtol=1e-10)
    water = get_material("water")              # Kaatze (1989): static 78.36, optical 5.2
    assert water.epsilon(1e3).real == pytest.approx(78.36, rel=1e-6)
    assert water.epsilon(1e15).real == pytest.approx(5.2, rel=1e-3)


def test_negative_permittivity_needs_a_dispersive_model():
    with pytest.raises(ValueError, match=r"Material.eps=-5.*DrudePole"):
        Material(eps=-5.0)


def test_slab_material_is_rasterized_with_fill_fractions():
    # a Slab face half-way between two E nodes gives that node's dual cell a 0.5 fill fraction
    grid = Grid((20,), spacing=1.0)
    sim = FDTDSimulation(grid, geometry=[Slab("x", 5.0, 12.0, Material(eps=3.0))])
    eps_y = sim.materials.eps[1, :, 0, 0]
    np.testing.assert_allclose(eps_y[[4, 5, 6, 12, 13]], [1.0, 2.0, 3.0, 2.0, 1.0])


def _slab_rt(material, d_cells, freqs, dx=1e-3, n=700, courant=0.5):
    """1D slab R, T from flux monitors with a normalisation run (faces between E nodes)."""
    wf = ModulatedGaussian(freqs.mean(), (freqs[-1] - freqs[0]) / 4)
    runs = []
    for with_slab in (False, True):
        geo = [Slab("x", 300.5 * dx, (300.5 + d_cells) * dx, material)] if with_slab else []
        fr, ft = FluxMonitor("x", 200 * dx, freqs), FluxMonitor("x", (n - 100) * dx, freqs)
        sim = FDTDSimulation(Grid((n,), spacing=dx, courant=courant), geometry=geo,
                             sources=[Source(PlaneCurrent("x", 100 * dx), wf, "Ez")], boundaries=CPML(20),
                             monitors=[fr, ft])
        sim.run(until_decayed=("Ez", ((n - 100) * dx,), 1e-7), progress=False)
        runs.append((fr, ft))
    return reflection_transmission(runs[1][0], runs[1][1], runs[0][0], runs[0][1])


def _airy(eps, mu, d, f):
    """Closed-form R, T of a slab (complex eps, mu) in vacuum at normal incidence (Born & Wolf 7.6/13.4)."""
    n = np.sqrt(eps * mu)
    n = np.where(n.imag < 0, -n, n)
    z = np.sqrt(mu / eps)                     # relative wave impedance
    r12 = (z - 1) / (z + 1)
    ph = np.exp(1j * n * 2 * np.pi * f / c * d)
    r = r12 * (1 - ph**2) / (1 - r12**2 * ph**2)
    t = (1 - r12**2) * ph / (1 - r12**2 * ph**2)
    return np.abs(r) ** 2, np.abs(t) ** 2


@pytest.mark.parametrize("material", [
    Material(eps=2.0, sigma=0.05),                                      # electric loss
    Material(eps=2.0, mu=1.5, sigma_m=0.05 * 376.73),                    # magnetic loss
    Material(eps=1.5, poles=(LorentzPole(1.5, 2 * np.pi * 12e9, 2 * np.pi * 1e9),)),  # Lorentz ADE
], ids=["sigma", "sigma_m", "lorentz"])
def test_lossy_and_dispersive_slabs_vs_airy(material):
    # 20+ cells per wavelength in the medium over the band; tolerance as for the dielectric slab
    freqs = np.linspace(4e9, 7e9, 21)
    d_cells = 12
    R, T = _slab_rt(material, d_cells, freqs)
    eps = material.epsilon(freqs)
    mu = material.mu + 1j * material.sigma_m / (2 * np.pi * freqs * 4e-7 * np.pi) if material.sigma_m else material.mu
    Ra, Ta = _airy(eps, mu, d_cells * 1e-3, freqs)
    assert np.abs(R - Ra).max() < 0.01, f"max |R - R_Airy| = {np.abs(R - Ra).max():.4f}"
    assert np.abs(T - Ta).max() < 0.01, f"max |T - T_Airy| = {np.abs(T - Ta).max():.4f}"


def test_debye_slab_vs_airy():
    # Debye pole with the trapezoidal (second-order) coupling, against the closed form
    material = Material(eps=2.0, poles=(DebyePole(3.0, 1 / (2 * np.pi * 8e9)),))
    freqs = np.linspace(4e9, 7e9, 11)
    Ra, Ta = _airy(material.epsilon(freqs), 1.0, 12e-3, freqs)
    R, T = _slab_rt(material, 12, freqs)
    assert np.abs(R - Ra).max() < 0.01, f"max |R - R_Airy| = {np.abs(R - Ra).max():.4f}"
    assert np.abs(T - Ta).max() < 0.01, f"max |T - T_Airy| = {np.abs(T - Ta).max():.4f}"
