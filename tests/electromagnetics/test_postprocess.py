"""Post-processing: near-to-far transform (dipole pattern, power balance), harmonic inversion."""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import CPML, FDTDSimulation, Grid, ModulatedGaussian, Near2Far, PointDipole, Source
from electromagnetics.fdtd.postprocess import harmonic_inversion

DX = 1e-3
F0 = c / (20 * DX)


def test_near_to_far_3d_dipole_pattern_and_power():
    g = Grid((44, 44, 44), spacing=DX)
    wf = ModulatedGaussian(F0, F0 / 4)
    n2f = Near2Far((12 * DX,) * 3, (32 * DX,) * 3, [F0])
    sim = FDTDSimulation(g, sources=[Source(PointDipole((22 * DX, 22 * DX, 22.5 * DX)), wf, "Ez", 1e-6)],
                         boundaries=CPML(8), monitors=n2f.monitors)
    sim.run(until=wf.end_time + 60 * DX / c, progress=False)
    theta = np.linspace(0.05, np.pi - 0.05, 37)
    e_t, e_p = n2f.far_field(theta, 0.3)
    pattern = np.abs(e_t[0]) ** 2 / np.max(np.abs(e_t[0]) ** 2)
    # a short z-dipole radiates |E|^2 ~ sin^2(theta) with no E_phi (closed form)
    assert np.abs(pattern - np.sin(theta) ** 2).max() < 0.01
    assert np.abs(e_p).max() < 0.01 * np.abs(e_t).max()
    # energy balance: far-zone power equals the flux through the transform box
    assert n2f.radiated_power()[0] == pytest.approx(n2f.box_flux()[0], rel=0.02)


def test_near_to_far_2d_line_source_is_isotropic():
    g = Grid((80, 80), spacing=DX)
    wf = ModulatedGaussian(F0, F0 / 4)
    n2f = Near2Far((20 * DX, 20 * DX), (60 * DX, 60 * DX), [F0])
    sim = FDTDSimulation(g, sources=[Source(PointDipole((40 * DX, 40 * DX)), wf, "Ez")],
                         boundaries=CPML(10), monitors=n2f.monitors)
    sim.run(until=wf.end_time + 100 * DX / c, progress=False)
    phi = np.linspace(0, 2 * np.pi, 25)
    e_t, _ = n2f.far_field(np.pi / 2, phi)
    amp = np.abs(e_t[0])
    assert amp.min() / amp.max() > 0.98       # a line current radiates the same in every direction
    assert n2f.radiated_power()[0] == pytest.approx(n2f.box_flux()[0], rel=0.02)


def test_harmonic_inversion_recovers_frequencies_and_q(rng):
    # synthetic ring-down with known modes (the closed form is the signal itself) plus 1e-9 noise
    dt = 1e-11
    t = np.arange(800) * dt
    modes = [(1.0e9, 2e7, 1.0), (1.3e9, 5e6, 0.5), (1.34e9, 1e6, 0.3)]
    y = sum(a * np.exp(-g * t) * np.cos(2 * np.pi * f * t + 0.3) for f, g, a in modes)
    y = y + 1e-9 * rng.standard_normal(t.size)
    res = harmonic_inversion(y, dt, fmin=0.5e9, fmax=2e9, rel_threshold=1e-6)
    assert len(res) == 3
    for r, (f, g, a) in zip(res, modes):
        assert r.frequency == pytest.approx(f, rel=1e-6)
        assert r.decay_rate == pytest.approx(g, rel=1e-3)
        assert r.Q == pytest.approx(np.pi * f / g, rel=1e-3)
        assert abs(r.amplitude) * 2 == pytest.approx(a, rel=1e-3)
