"""The FDTD dataset generators: multilayer spectra vs transfer matrices, scatterer fields vs closed forms."""

import numpy as np
import pytest
from scipy.constants import c, mu_0
from scipy.special import h1vp, hankel1, jv, jvp

import datasets
from datasets import references
from datasets.generators.fdtd_multilayer import multilayer_fdtd
from datasets.generators.fdtd_scatterer import scatterer_fields
from mindscience.errors import InputError

# ----- fdtd-multilayer-spectra -----
ML_SMALL = {"n_layers": 3, "n_freqs": 24}
R_TOL = 0.01  # max |R - R_tmm|, |T - T_tmm| at the defaults: 40 cells per wavelength, dispersion-corrected
# (measured max 0.005 over 40 samples, see the module docstring of datasets.generators.fdtd_multilayer)
SUM_TOL = 0.005  # |R + T - 1| for lossless layers (0.5 %)
AMP_TOL = 0.02  # max |r - r_tmm|, |t - t_tmm|: the complex S-parameters carry the residual phase error too


def test_multilayer_spectra_match_transfer_matrix(tmp_path, monkeypatch):
    # Reference: transfer-matrix method, datasets.references.multilayer_rt (Born & Wolf sec. 1.6).
    monkeypatch.setenv("MINDSCIENCE_DATA", str(tmp_path))
    datasets.generate("fdtd-multilayer-spectra", n=3, seed=11, params=ML_SMALL, workers=1)
    ds = datasets.load("fdtd-multilayer-spectra", n=3, seed=11, params=ML_SMALL)
    data, lam = ds.arrays(), ds.coords["wavelength"]
    assert data["R"].shape == (3, 24) and data["r"].dtype == np.complex128 and data["thickness"].shape == (3, 3)
    np.testing.assert_allclose(ds.coords["frequency"] * lam, c, rtol=1e-12)
    dx = 400e-9 / (40.0 * 3.5)
    swing = 0.0
    for i in range(3):
        n, d = data["index"][i], data["thickness"][i]
        assert np.all((n >= 1.3) & (n <= 3.5))
        np.testing.assert_allclose(d / dx, np.round(d / dx), atol=1e-9)  # whole cells
        R, T, r, t = references.multilayer_rt(n, d, lam)
        assert np.abs(data["R"][i] - R).max() <= R_TOL, (
            f"sample {i}: max |R - R_tmm| = {np.abs(data['R'][i] - R).max()}"
        )
        assert np.abs(data["T"][i] - T).max() <= R_TOL, (
            f"sample {i}: max |T - T_tmm| = {np.abs(data['T'][i] - T).max()}"
        )
        assert np.abs(data["R"][i] + data["T"][i] - 1).max() <= SUM_TOL
        assert np.abs(data["r"][i] - r).max() <= AMP_TOL, (
            f"sample {i}: max |r - r_tmm| = {np.abs(data['r'][i] - r).max()}"
        )
        assert np.abs(data["t"][i] - t).max() <= AMP_TOL, (
            f"sample {i}: max |t - t_tmm| = {np.abs(data['t'][i] - t).max()}"
        )
        swing = max(swing, R.max() - R.min())
    assert swing > 0.2  # the spectra have real interference structure, not a flat line


def test_multilayer_error_is_second_order_and_the_dispersion_correction_reduces_it():
    # Reference: transfer matrices; the plain Yee scheme's dispersion error falls as dx^2, so doubling
    # the resolution must cut the deviation by about 4 (at least 2.5 here); the dispersion-matched
    # indices (the dataset's default) must do better still at the same resolution.
    n, d = np.array([3.4, 1.45, 2.6]), np.array([120e-9, 90e-9, 150e-9])
    lam = np.linspace(400e-9, 800e-9, 16)
    err = []
    for ppw in (20, 40):
        dx = 400e-9 / (ppw * 3.5)
        cells = np.round(d / dx).astype(int)
        out = multilayer_fdtd(n, cells, dx, c / lam)
        R = references.multilayer_rt(n, cells * dx, lam)[0]
        err.append(np.abs(out["R"] - R).max())
    corrected = multilayer_fdtd(n, cells, dx, c / lam, dispersion_correction=True)
    err_corrected = np.abs(corrected["R"] - R).max()
    assert err[1] <= R_TOL
    assert err[0] / err[1] >= 2.5, f"errors {err} at 20 and 40 cells per wavelength"
    assert err_corrected <= 0.5 * err[1], f"corrected {err_corrected:.4f} vs plain {err[1]:.4f} at 40 cells"


def test_multilayer_bad_parameters_are_named():
    with pytest.raises(InputError, match="index_max"):
        datasets.generate("fdtd-multilayer-spectra", n=1, seed=0, params={"index_min": 2.0, "index_max": 1.5})
    with pytest.raises(InputError, match="thickness_max"):
        datasets.generate(
            "fdtd-multilayer-spectra", n=1, seed=0, params={"thickness_min": 10e-9, "thickness_max": 11e-9}
        )
    with pytest.raises(InputError, match="cells_per_wavelength"):
        datasets.generate("fdtd-multilayer-spectra", n=1, seed=0, params={"cells_per_wavelength": 5.0})
    with pytest.raises(InputError, match="dispersion_correction"):
        datasets.generate("fdtd-multilayer-spectra", n=1, seed=0, params={"dispersion_correction": 1})


# ----- fdtd-scatterer-fields -----
SC_SMALL = {"nx": 48, "ny": 40, "n_freqs": 2, "n_shapes": 2, "radius_max": 8e-3}
HANKEL_TOL = 0.005  # relative L2 beyond 5 cells from the source, 40 cells per vacuum wavelength (measured 0.1-0.3 %)
SERIES_TOL = 0.03  # relative L2 of the scattered field, 20 cells per wavelength in the cylinder (measured 0.5-1.1 %)


def _line_source_field(p, x, y):
    """Closed-form 2D free-space field of a 1 A line current, Ez = -(w mu0/4) H0^(1)(k r), exp(-i w t)."""
    xs = round(p["source_x"] * (p["nx"] - 1)) * p["spacing"]
    ys = round(p["source_y"] * (p["ny"] - 1)) * p["spacing"]
    r = np.hypot(x[:, None] - xs, y[None, :] - ys)
    f = np.linspace(p["frequency_min"], p["frequency_max"], p["n_freqs"])
    w = 2 * np.pi * f[:, None, None]
    return -(w * mu_0 / 4) * hankel1(0, w / c * np.maximum(r, 1e-12)), r


def test_scatterer_fields_are_deterministic_and_describe_their_objects(tmp_path, monkeypatch):
    arrays = []
    for run in ("a", "b"):
        monkeypatch.setenv("MINDSCIENCE_DATA", str(tmp_path / run))
        datasets.generate("fdtd-scatterer-fields", n=2, seed=3, params=SC_SMALL, workers=1)
        ds = datasets.load("fdtd-scatterer-fields", n=2, seed=3, params=SC_SMALL)
        arrays.append((ds.arrays(), ds.coords))
    (a, ca), (b, cb) = arrays
    for key in a:
        assert a[key].tobytes() == b[key].tobytes(), key  # same seed, same bytes
    assert a["Ez"].shape == (2, 2, 48, 40) and a["Ez"].dtype == np.complex128
    assert ca["Ez_incident"].shape == (2, 48, 40) and ca["Ez_incident"].tobytes() == cb["Ez_incident"].tobytes()
    assert not np.array_equal(a["Ez"][0], a["Ez"][1])  # two different samples
    x, y = ca["x"], ca["y"]
    for i in range(2):
        eps = a["eps"][i]
        assert 1.0 <= eps.min() and eps.max() <= 4.0 + 1e-12
        inside_any = np.zeros_like(eps, bool)
        for cx, cy, rad, _, _ in a["shape_params"][i]:
            inside_any |= np.hypot(x[:, None] - cx, y[None, :] - cy) <= rad + 1.5e-3
        # the last object is painted over the others; its centre cell lies wholly inside it (every kind
        # holds the disc of half its circumscribed radius, and radius_min / 2 exceeds a cell's diagonal)
        cx, cy, _, _, e = a["shape_params"][i][-1]
        assert eps[np.argmin(np.abs(x - cx)), np.argmin(np.abs(y - cy))] == pytest.approx(e, rel=1e-12)
        np.testing.assert_array_equal(eps[~inside_any], 1.0)  # vacuum away from every object
        assert np.any(eps > 1.0)
        # the objects scatter: the total field differs from the free-space one
        scat = a["Ez"][i] - ca["Ez_incident"]
        assert np.linalg.norm(scat) > 0.02 * np.linalg.norm(ca["Ez_incident"])


def test_scatterer_free_space_field_is_the_hankel_line_source(tmp_path, monkeypatch):
    # Reference: closed-form 2D Green's function, Ez = -(omega mu0 / 4) H0^(1)(k r) (exp(-i omega t));
    # H0^(2) in the exp(+j omega t) convention. Grid: 40 cells per vacuum wavelength at 7.5 GHz.
    monkeypatch.setenv("MINDSCIENCE_DATA", str(tmp_path))
    params = dict(SC_SMALL, n_shapes=0)
    datasets.generate("fdtd-scatterer-fields", n=1, seed=0, params=params, workers=1)
    ds = datasets.load("fdtd-scatterer-fields", n=1, seed=0, params=params)
    p = datasets.registry.get("fdtd-scatterer-fields").resolve(params)
    ez = ds.arrays()["Ez"][0]
    np.testing.assert_array_equal(ez, ds.coords["Ez_incident"])
    exact, r = _line_source_field(p, ds.coords["x"], ds.coords["y"])
    far = r > 5 * p["spacing"]  # the source cell itself is singular
    for k in range(p["n_freqs"]):
        err = np.linalg.norm(ez[k][far] - exact[k][far]) / np.linalg.norm(exact[k][far])
        assert err < HANKEL_TOL, f"frequency {k}: relative L2 error {err:.4f} vs the Hankel line-source field"


def _cylinder_series(p, center, radius, eps, x, y, n_terms=25):
    """Scattered Ez of a dielectric cylinder lit by a 1 A line source: the separation-of-variables (Mie)
    series, Ez_s = -(w mu0/4) sum_n c_n H_n(k rho') H_n(k rho) exp(i n (phi - phi')) (Balanis, Advanced
    Engineering Electromagnetics, sec. 11.5, in the exp(-i w t) convention); valid outside the cylinder,
    where the terms fall off like (radius^2 / (rho rho'))^|n| (inside, rho is clipped to the radius)."""
    xs = round(p["source_x"] * (p["nx"] - 1)) * p["spacing"]
    ys = round(p["source_y"] * (p["ny"] - 1)) * p["spacing"]
    rho_s, phi_s = np.hypot(xs - center[0], ys - center[1]), np.arctan2(ys - center[1], xs - center[0])
    rho = np.maximum(np.hypot(x[:, None] - center[0], y[None, :] - center[1]), radius)
    phi = np.arctan2(y[None, :] - center[1], x[:, None] - center[0])
    f = np.linspace(p["frequency_min"], p["frequency_max"], p["n_freqs"])
    out = np.zeros((f.size,) + rho.shape, complex)
    for i, fi in enumerate(f):
        w = 2 * np.pi * fi
        k, k1 = w / c, w / c * np.sqrt(eps)
        ka, k1a = k * radius, k1 * radius
        for n in range(-n_terms, n_terms + 1):
            cn = (k1 * jvp(n, k1a) * jv(n, ka) - k * jv(n, k1a) * jvp(n, ka)) / (
                k * jv(n, k1a) * h1vp(n, ka) - k1 * jvp(n, k1a) * hankel1(n, ka)
            )
            out[i] += cn * hankel1(n, k * rho_s) * hankel1(n, k * rho) * np.exp(1j * n * (phi - phi_s))
        out[i] *= -(w * mu_0 / 4)
    return out, rho


def test_scatterer_dielectric_cylinder_matches_the_series_solution():
    # Reference: the exact series solution for a line source and a dielectric circular cylinder.
    p = datasets.registry.get("fdtd-scatterer-fields").resolve(dict(SC_SMALL, n_shapes=0))
    center, radius, eps = np.array([0.030, 0.021]), 8e-3, 4.0
    x, y = np.arange(p["nx"]) * p["spacing"], np.arange(p["ny"]) * p["spacing"]
    total = scatterer_fields([("disc", center, radius, 0.0, eps, None)], p)["Ez"]
    incident = scatterer_fields([], p)["Ez"]
    exact, rho = _cylinder_series(p, center, radius, eps, x, y)
    assert (
        np.abs(exact - _cylinder_series(p, center, radius, eps, x, y, n_terms=20)[0]).max() < 1e-8 * np.abs(exact).max()
    )
    outside = rho > radius + 2 * p["spacing"]
    for k in range(p["n_freqs"]):
        s, e = (total - incident)[k][outside], exact[k][outside]
        err = np.linalg.norm(s - e) / np.linalg.norm(e)
        assert err < SERIES_TOL, f"frequency {k}: relative L2 error of the scattered field {err:.4f}"


def test_scatterer_bad_parameters_are_named():
    with pytest.raises(InputError, match="radius_max"):
        datasets.generate("fdtd-scatterer-fields", n=1, seed=0, params={"radius_max": 0.05})
    with pytest.raises(InputError, match="cells per wavelength"):
        datasets.generate("fdtd-scatterer-fields", n=1, seed=0, params={"eps_max": 60.0})
