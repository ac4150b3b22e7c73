"""Analysis: RDF of an ideal gas and a crystal, MSD/diffusion of random walks, VACF, block averages."""

import numpy as np
import pytest

from molecular import Box, LennardJones, MDSimulation, NoseHooverChain, lattice
from molecular.analysis import block_analysis, block_average, diffusion_coefficient, msd, rdf, vacf
from molecular.reporters import H5MDReporter


def test_rdf_ideal_gas_is_one(rng):
    # analytic: uncorrelated uniform points have g(r) = 1 (Poisson counting error per bin)
    frames = rng.random((20, 500, 3)) * 5.0
    r, g = rdf(frames, Box([5.0, 5.0, 5.0]), r_max=2.5, bins=10)
    counts = 20 * 500 * 499 / 2 / 125 * 4 / 3 * np.pi * np.diff(np.linspace(0, 2.5, 11) ** 3)
    assert np.all(np.abs(g[2:] - 1) < 5 / np.sqrt(counts[2:]))


def test_rdf_fcc_first_shell_count():
    # analytic: fcc has 12 nearest neighbours at a/sqrt(2); integral of rho g 4 pi r^2 dr = 12
    s = lattice("fcc", 4, lattice_constant=1.6)
    r, g = rdf(s.positions, s.box, r_max=1.3, bins=130)
    dr = r[1] - r[0]
    shell = (r > 1.0) & (r < 1.2)
    n = s.density * np.sum(g[shell] * 4 * np.pi * r[shell] ** 2) * dr
    assert n == pytest.approx(12, rel=1e-2)  # histogram bin-centre quadrature
    assert r[np.argmax(g)] == pytest.approx(1.6 / np.sqrt(2), abs=dr)


def test_rdf_between_types():
    s = lattice("bcc", 4, lattice_constant=1.0, types=np.tile([0, 1], 64))
    # bcc corner-centre pairs (types 0-1) sit at sqrt(3)/2; like pairs at 1.0
    r, g01 = rdf(s.positions, s.box, r_max=1.2, bins=120, types=s.types, pair=(0, 1))
    r, g00 = rdf(s.positions, s.box, r_max=1.2, bins=120, types=s.types, pair=(0, 0))
    assert r[np.argmax(g01)] == pytest.approx(np.sqrt(3) / 2, abs=0.011)
    assert r[np.argmax(g00)] == pytest.approx(1.0, abs=0.011)


def test_msd_random_walk_diffusion(rng):
    # analytic: Gaussian random walk with step variance s^2 per coordinate: MSD = 3 s^2 t, D = s^2/2
    steps = rng.normal(0, 0.1, (400, 300, 3))
    x = np.cumsum(steps, axis=0)
    t = np.arange(400) * 1.0
    lag, m = msd(x, t, max_lag=100)
    assert m[50] == pytest.approx(3 * 0.01 * 50, rel=0.05)
    assert diffusion_coefficient(lag, m) == pytest.approx(0.005, rel=0.05)


def test_vacf_ornstein_uhlenbeck(rng):
    # analytic: an OU process v' = -v/tau + noise has C(t) = C(0) exp(-t/tau)
    tau, dt, n = 5.0, 0.1, 4000
    a = np.exp(-dt / tau)
    v = np.empty((n, 200, 3))
    v[0] = rng.standard_normal((200, 3))
    for k in range(1, n):
        v[k] = a * v[k - 1] + np.sqrt(1 - a * a) * rng.standard_normal((200, 3))
    t, c = vacf(v, np.arange(n) * dt, max_lag=60)
    assert c[0] == pytest.approx(3.0, rel=0.02)
    assert c[50] / c[0] == pytest.approx(np.exp(-5.0 / tau), abs=0.02)


def test_block_average_of_correlated_series(rng):
    # reference: an AR(1) series with known integrated correlation time; exact SEM sqrt(var (1+a)/(1-a) / n)
    a, n = 0.9, 200_000
    x = np.empty(n)
    x[0] = 0
    e = rng.standard_normal(n) * np.sqrt(1 - a * a)
    for k in range(1, n):
        x[k] = a * x[k - 1] + e[k]
    m, err = block_average(x, n_blocks=50)
    exact = np.sqrt((1 + a) / (1 - a) / n)
    assert err == pytest.approx(exact, rel=0.35)  # the error of an error estimate with 50 blocks ~ 10 %
    sizes, errs = block_analysis(x)
    assert errs[0] < 0.5 * errs[-4]  # naive (block 1) error underestimates


def test_analysis_reads_our_h5md(tmp_path):
    s = lattice("fcc", 3, density=0.8).set_velocities(1.0, seed=3, kB=1.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.0, mode="shifted-force"), NoseHooverChain(1.0, 0.5, kB=1.0), dt=0.005)
    sim.run(steps=200, reporters=[H5MDReporter(tmp_path / "t.h5", 10, velocities=True)], progress=False)
    r1, g1 = rdf(tmp_path / "t.h5", bins=40)
    from molecular.io import read_h5md

    d = read_h5md(tmp_path / "t.h5")
    r2, g2 = rdf(d["positions"], d["box"], bins=40)
    assert np.array_equal(g1, g2)
    lag, m = msd(tmp_path / "t.h5")
    assert np.allclose(lag, d["time"][: len(lag)] - d["time"][0])
    t, c = vacf(tmp_path / "t.h5")
    assert c[0] == pytest.approx(np.mean(np.sum(d["velocities"] ** 2, axis=-1)), rel=1e-12)


def test_plots_draw_the_given_data():
    import matplotlib

    matplotlib.use("Agg")
    from molecular.analysis import plot_msd, plot_rdf, plot_thermo, plot_vacf

    r = np.linspace(0.5, 2.0, 16)
    ax = plot_rdf(r, r**2)
    assert np.array_equal(ax.lines[0].get_ydata(), r**2)
    ax = plot_msd(r, 6 * 0.1 * r, D=0.1)
    assert np.allclose(ax.lines[1].get_ydata(), ax.lines[0].get_ydata())  # Einstein line through the data
    ax = plot_vacf(r, np.exp(-r))
    assert ax.lines[0].get_ydata()[0] == 1.0
    axes = plot_thermo({"time": r, "temperature": r, "pressure": -r}, quantities=("temperature", "pressure"))
    assert np.array_equal(axes[1].lines[0].get_ydata(), -r)
