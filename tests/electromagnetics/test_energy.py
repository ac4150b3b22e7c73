"""Energy of dispersive media: fields plus ADE polarization energy is conserved by lossless Drude and
Lorentz media in a closed PEC cavity and decreases monotonically with Debye relaxation.

Reference for every check: the discrete Poynting theorem of the Yee + ADE scheme (module docstring of
electromagnetics.fdtd.monitors.energy): in a source-free closed cavity the change of the field
energy is minus the work E . dP done on the polarization, which the pole's stored energy takes up
exactly (lossless poles) or partly dissipates (Debye: a1 |dP|^2 >= 0).
"""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import (
    VACUUM,
    CustomWaveform,
    DebyePole,
    DrudePole,
    EnergyMonitor,
    FDTDSimulation,
    Grid,
    LorentzPole,
    Material,
    PointDipole,
    Source,
    Sphere,
)
from electromagnetics.fdtd.monitors import polarization_energy, stored_energy

DX = 1e-3
CONSERVE_TOL = 1e-6        # issue: relative drift of the total energy over many steps (float64)
W0 = 2 * np.pi * c / (15 * DX)   # pole frequency: 15 cells per vacuum wavelength
T_SRC = 40 * DX / c


def _pulse():
    # compact support: exactly zero after T_SRC, so no energy enters once the record starts; zero
    # time integral (d/ds sin^4(pi s) / 4 pi), so no static charge is left in the cavity
    def f(t):
        s = np.clip(np.asarray(t, dtype=float) / T_SRC, 0.0, 1.0)
        return np.sin(np.pi * s) ** 3 * np.cos(np.pi * s)
    return CustomWaveform(f, end_time=T_SRC)


def _excited(shape, background=VACUUM, geometry=(), monitors=()):
    pos = tuple(0.3 * n * DX for n in shape)
    wf = _pulse()
    sim = FDTDSimulation(Grid(shape, spacing=DX), geometry=geometry, background=background,
                         sources=[Source(PointDipole(pos), wf, "Ez"), Source(PointDipole(pos), wf, "Ex")],
                         monitors=monitors)   # default boundaries: PEC walls (closed cavity)
    sim.run(until=T_SRC + DX / c, progress=False)
    return sim


def test_lossless_lorentz_cavity_conserves_field_plus_polarization_energy():
    mon = EnergyMonitor(interval=10)
    sim = _excited((24, 20), background=Material(eps=1.5, poles=(LorentzPole(2.0, W0, 0.0),)))
    sim.run(steps=2000, reporters=[mon], progress=False)
    w = mon.energy
    w = w[mon.times > T_SRC]
    assert w.size > 150
    np.testing.assert_allclose(mon.energy, mon.field_energy + mon.polarization_energy, rtol=0, atol=0)
    drift = np.ptp(w) / w[0]
    assert drift < CONSERVE_TOL, f"total energy drift {drift:.2e}"
    # the polarization holds a large share, so the field energy alone is far from conserved
    assert mon.polarization_energy.max() > 0.2 * w[0]
    assert np.ptp(mon.field_energy[mon.times > T_SRC]) > 1e3 * CONSERVE_TOL * w[0]


def test_lossless_drude_and_lorentz_sphere_3d_conserves_energy():
    # partly filled cut cells (fill fractions 0 < w < 1) and two poles on the same nodes
    metal = Material(eps=2.0, poles=(LorentzPole(2.0, W0, 0.0), DrudePole(0.5 * W0, 0.0)))
    sim = _excited((12, 12, 12), geometry=[Sphere((0.006, 0.006, 0.006), 0.004, metal)])
    w = []
    for _ in range(80):
        w.append(sum(stored_energy(sim)))
        sim.step(10)
    w = np.asarray(w)
    assert np.ptp(w) / w[0] < CONSERVE_TOL, f"total energy drift {np.ptp(w) / w[0]:.2e}"
    assert polarization_energy(sim) > 0


def test_drude_energy_is_kinetic_and_conserved():
    sim = _excited((24, 20), background=Material(eps=1.0, poles=(DrudePole(W0, 0.0),)))
    w = []
    for _ in range(120):
        w.append(stored_energy(sim))
        sim.step(10)
    w = np.asarray(w)
    tot = w.sum(axis=1)
    assert np.ptp(tot) / tot[0] < CONSERVE_TOL
    # a large share sits in the kinetic energy of the free-electron current |dP/dt|^2/(2 eps0 wp^2)
    assert w[:, 1].max() > 0.2 * tot[0]


def test_debye_relaxation_only_dissipates():
    sim = _excited((24, 20), background=Material(eps=1.5, poles=(DebyePole(3.0, 5 * DX / c),)))
    w = []
    mon = EnergyMonitor(interval=1)
    sim.run(steps=600, reporters=[mon], progress=False)
    w = mon.energy
    # monotone step by step (trapezoidal Debye: dissipation a1 |P^{n+1} - P^n|^2 / dt >= 0) and decaying
    assert np.all(np.diff(w) <= 1e-13 * w[0])
    assert w[-1] < 0.9 * w[0]


def test_polarization_energy_is_additive_over_regions_and_zero_without_poles():
    sim = _excited((24, 20), background=Material(eps=1.5, poles=(LorentzPole(2.0, W0, 0.0),)))
    sim.step(37)
    whole = polarization_energy(sim)
    left = polarization_energy(sim, (slice(0, 11), slice(None), slice(None)))
    right = polarization_energy(sim, (slice(11, 24), slice(None), slice(None)))
    assert whole > 0
    assert left + right == pytest.approx(whole, rel=1e-12)   # a sum over nodes
    assert polarization_energy(_excited((10, 10))) == 0.0
