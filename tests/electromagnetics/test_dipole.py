"""Hertzian dipole in free space: E(t) at a point vs the closed-form time-domain dipole field."""

import numpy as np
from scipy.constants import c, epsilon_0

from electromagnetics.fdtd import CPML, CustomWaveform, FDTDSimulation, Grid, PointDipole, Probe, Source

DX = 1e-3
TAU = 15 * DX / c        # Gaussian width of the dipole moment: ~20 cells per wavelength at 4/tau
T0 = 6 * TAU
IL = 1e-6                # peak current-moment scale, A m
TOL = 0.02               # max |E - E_exact| / max |E_exact| (issue; gprMax reports ~1 %)


def moment(t):
    """Dipole moment p(t) = IL * tau * exp(-((t - t0)/tau)^2 / 2) (C m); the current is I l = dp/dt."""
    s = (t - T0) / TAU
    return IL * TAU * np.exp(-0.5 * s * s)


def current(t):
    s = (t - T0) / TAU
    return -s * np.exp(-0.5 * s * s)   # times IL: the amplitude of the Source


def dipole_field(r_vec, t):
    """Closed-form E of a z-directed point dipole (Jackson, Classical Electrodynamics, eq. 9.18 in the
    time domain): E = [3 rh (rh.p) - p](p/r^3 + p'/(c r^2)) + rh x (rh x p'')/(c^2 r), all over 4 pi eps0,
    with p and its derivatives at the retarded time t - r/c."""
    r = np.linalg.norm(r_vec)
    rh = r_vec / r
    tr = t - r / c
    s = (tr - T0) / TAU
    g = IL * TAU * np.exp(-0.5 * s * s)
    p, p1, p2 = g, g * (-s / TAU), g * (s * s - 1) / TAU**2
    z = np.array([0.0, 0.0, 1.0])
    near = (3 * rh[:, None] * rh[2] - z[:, None])
    far = (rh[:, None] * rh[2] - z[:, None])
    E = near * (p / r**3 + p1 / (c * r**2)) + far * p2 / (c**2 * r)
    return E / (4 * np.pi * epsilon_0)


def test_hertzian_dipole_field_matches_closed_form():
    n = 56
    grid = Grid((n, n, n), spacing=DX)
    center = (28 * DX, 28 * DX, 28.5 * DX)                       # an Ez node
    src = Source(PointDipole(center), CustomWaveform(current, end_time=2 * T0), "Ez", amplitude=IL)
    # two observation points 14 cells away: in the equatorial plane and at 45 degrees elevation
    pts = [(42 * DX, 28 * DX, 28.5 * DX), (38 * DX, 28 * DX, 38.5 * DX)]
    probes = [Probe("Ez", p) for p in pts]
    sim = FDTDSimulation(grid, sources=[src], boundaries=CPML(10), monitors=probes)
    sim.run(until=T0 + 14 * DX / c * 1.5 + 6 * TAU, progress=False)
    for p, probe in zip(pts, probes):
        r_vec = np.array(p) - np.array(center)
        exact = dipole_field(r_vec, probe.times)[2]
        err = np.abs(probe.values - exact).max() / np.abs(exact).max()
        print(f"VALIDATION Hertzian dipole at {p} m: max |E - E_exact| {err:.4f} of the peak")
        assert err < TOL, f"point {p}: max error {err:.4f} of the peak"
