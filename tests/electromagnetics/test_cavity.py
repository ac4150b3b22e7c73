"""Closed cavities: PEC resonances vs the analytic modes, second-order convergence, the Yee
dispersion relation, and conservation of the discrete energy."""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import (
    EnergyMonitor,
    FDTDSimulation,
    Grid,
    ModulatedGaussian,
    Periodic,
    PointDipole,
    Probe,
    Source,
)
from electromagnetics.fdtd.postprocess import harmonic_inversion

A, B, C = 1.0, 0.8, 0.6          # cavity edges, m
MODE_TOL = 0.005                 # lowest five within 0.5 % (issue)
YEE_TOL = 1e-6                   # extracted vs exact discrete (Yee) frequencies


def analytic_modes(n=5):
    """f = c/2 sqrt((m/a)^2 + (n/b)^2 + (p/c)^2) with at most one zero index (TE/TM_mnp of a PEC box)."""
    f = set()
    for m in range(5):
        for k in range(5):
            for p in range(5):
                if (m > 0) + (k > 0) + (p > 0) >= 2:
                    f.add(round(c / 2 * np.sqrt((m / A) ** 2 + (k / B) ** 2 + (p / C) ** 2), 3))
    return np.array(sorted(f)[:n]), sorted(f)


def yee_mode_frequency(m, k, p, d, dt):
    """Exact frequency of the (m, k, p) mode on the Yee grid: the discrete dispersion relation
    sin^2(w dt/2)/(c dt)^2 = sum_i sin^2(k_i d/2)/d^2 with k_i = index * pi / edge (Taflove & Hagness, eq. 4.12)."""
    s = sum(np.sin(q * np.pi / L * d / 2) ** 2 for q, L in zip((m, k, p), (A, B, C))) / d**2
    return 2 / dt * np.arcsin(c * dt * np.sqrt(s)) / (2 * np.pi)


def cavity_frequencies(n_a):
    d = A / n_a
    grid = Grid((n_a, round(B / d), round(C / d)), spacing=d)
    wf = ModulatedGaussian(310e6, 70e6)      # covers the five lowest modes, negligible above 2 f5
    src = [Source(PointDipole((0.37 * A, 0.29 * B, 0.23 * C)), wf, comp) for comp in ("Ex", "Ey", "Ez")]
    probes = [Probe(comp, (0.71 * A, 0.63 * B, 0.58 * C)) for comp in ("Ex", "Ey", "Ez")]
    sim = FDTDSimulation(grid, sources=src, monitors=probes)        # default walls: PEC
    sim.run(until=wf.end_time, progress=False)
    n0 = sim.step_count
    sim.run(steps=2000, progress=False)
    ring = sum(p.values[n0:] for p in probes)
    dec = max(1, int(0.5 / (sim.dt * 4 * 450e6)))
    res = harmonic_inversion(ring[::dec], sim.dt * dec, 150e6, 450e6, rel_threshold=1e-7)
    return np.array([r.frequency for r in res]), grid


@pytest.fixture(scope="module")
def spectra():
    return {n: cavity_frequencies(n) for n in (10, 15, 20)}


def test_pec_cavity_lowest_five_modes(spectra):
    fa, _ = analytic_modes()
    f, _ = spectra[20]
    err = np.abs(f[:5] - fa) / fa
    print(f"VALIDATION PEC cavity (20 cells on the long edge): five lowest modes off by {np.round(err, 5)}")
    assert err.max() < MODE_TOL, f"relative errors {err}"


def test_pec_cavity_second_order_convergence(spectra):
    fa, _ = analytic_modes()
    hs = np.array([A / n for n in (10, 15, 20)])
    errs = np.array([np.abs(spectra[n][0][:5] - fa) / fa for n in (10, 15, 20)])  # (3 resolutions, 5 modes)
    for mode in range(5):
        slope = np.polyfit(np.log(hs), np.log(errs[:, mode]), 1)[0]
        print(f"VALIDATION PEC cavity mode {mode}: convergence order {slope:.3f}")
        assert 1.8 < slope < 2.2, f"mode {mode}: convergence order {slope:.2f}"


def test_cavity_modes_follow_yee_dispersion(spectra):
    # at the coarse resolution the modes sit 0.1-0.6 % below the continuum values; the discrete
    # dispersion relation must predict them to 1e-6
    f, grid = spectra[10]
    _, all_modes = analytic_modes()
    idx = []
    for m in range(4):
        for k in range(4):
            for p in range(4):
                if (m > 0) + (k > 0) + (p > 0) >= 2:
                    idx.append((c / 2 * np.sqrt((m / A) ** 2 + (k / B) ** 2 + (p / C) ** 2), (m, k, p)))
    idx = sorted(idx)[:5]
    f_yee = np.array([yee_mode_frequency(*mkp, grid.spacing[0], grid.dt) for _, mkp in idx])
    f_cont = np.array([fc for fc, _ in idx])
    err = np.abs(f[:5] - f_yee).max() / f_yee.max()
    print(f"VALIDATION cavity modes vs the Yee relation: {err:.1e} relative")
    assert err < YEE_TOL
    assert np.abs(f_yee - f_cont).max() / f_cont.max() > 100 * YEE_TOL  # the check discriminates


def test_plane_wave_dispersion_in_periodic_2d_box():
    # a standing plane wave cos(k.r) with k = 2 pi (3, 2)/L in a periodic box oscillates at the
    # frequency of the Yee dispersion relation (not c|k|), at 8-13 cells per wavelength
    n, d = 40, 1e-3
    grid = Grid((n, n), spacing=d, courant=0.6)
    sim = FDTDSimulation(grid, boundaries=Periodic())
    x, y, _ = grid.coords("Ez")
    kx, ky = 2 * np.pi * 3 / (n * d), 2 * np.pi * 2 / (n * d)
    sim.fields["Ez"][:, :, 0] = np.cos(kx * x[:, None] + ky * y[None, :])
    probe = Probe("Ez", (0.013, 0.007))
    sim.run(steps=400, reporters=[probe], progress=False)
    res = harmonic_inversion(probe.values, sim.dt, rel_threshold=1e-9)
    f_num = max(res, key=lambda r: abs(r.amplitude)).frequency
    s = (np.sin(kx * d / 2) ** 2 + np.sin(ky * d / 2) ** 2) / d**2
    f_yee = 2 / sim.dt * np.arcsin(c * sim.dt * np.sqrt(s)) / (2 * np.pi)
    f_cont = c * np.hypot(kx, ky) / (2 * np.pi)
    err, gap = abs(f_num - f_yee) / f_yee, abs(f_yee - f_cont) / f_cont
    print(f"VALIDATION plane wave vs the Yee relation: {err:.1e} relative (continuum differs by {gap:.1e})")
    assert err < YEE_TOL
    assert gap > 1e-3


def test_energy_conserved_in_closed_lossless_cavity(rng):
    # Yee's discrete energy 1/2 (eps E^n.E^n + mu H^{n-1/2}.H^{n+1/2}) is an exact invariant of
    # the leapfrog with PEC walls (Taflove & Hagness, sec. 4.7): constant to 1e-6 over 1e4 steps
    grid = Grid((10, 8, 6), spacing=0.01)
    sim = FDTDSimulation(grid)
    for arr in sim.fields.E + sim.fields.H:
        arr[...] = rng.standard_normal(arr.shape)
    sim.step(1)  # the PEC walls zero the random tangential E on the low faces once
    mon = EnergyMonitor(interval=100)
    sim.run(steps=10_000, reporters=[mon], progress=False)
    w = mon.energy
    assert w.size == 100 and w[0] > 0  # steps 100, 200, ..., 10000
    drift = np.abs(w / w[0] - 1).max()
    print(f"VALIDATION lossless cavity energy, 1e4 steps: max |W/W0 - 1| {drift:.1e}")
    assert drift < 1e-6
