"""Surrogate in the loop at tiny size: train on transfer-matrix spectra, design a reflector, verify it with the
dataset generator's FDTD and the transfer-matrix reference (datasets.references.multilayer_rt)."""

import numpy as np
import pytest
from scipy.constants import c as C0

import autodiff as ad
from datasets.references import multilayer_rt
from electromagnetics.surrogates.multilayer import (
    MultilayerSurrogate,
    band_mask,
    characteristic_matrix,
    design_reflector,
    verify_design,
)
from mindscience.errors import InputError

PARAMS = {"n_layers": 2, "n_freqs": 16}  # dataset parameters of the tiny problem (other keys: the defaults)
BAND = (550e-9, 650e-9)
FDTD_VS_TMM = 0.02  # the generator's documented accuracy against transfer matrices (max |R - R_tmm| 0.005)


def _data(n, seed):
    import datasets

    p = datasets.get("fdtd-multilayer-spectra").resolve(PARAMS)
    f = np.linspace(C0 / p["wavelength_max"], C0 / p["wavelength_min"], p["n_freqs"])
    rng = np.random.default_rng(seed)
    index = rng.uniform(p["index_min"], p["index_max"], (n, 2))
    thick = rng.uniform(p["thickness_min"], p["thickness_max"], (n, 2))
    R = np.array([multilayer_rt(a, b, C0 / f)[0] for a, b in zip(index, thick)])
    return index, thick, R, f, p


@pytest.fixture(scope="module")
def trained():
    index, thick, R, f, p = _data(400, 0)
    sur = MultilayerSurrogate(2, f, (p["index_min"], p["index_max"]), (p["thickness_min"], p["thickness_max"]),
                              widths=(32, 32))
    sur.fit(index, thick, R, steps=1200, batch=512, lr=1e-2, progress=False)
    vi, vt, vR, _, _ = _data(100, 1)
    sur.validate(vi, vt, vR)
    return sur, R, vR


def test_characteristic_matrix_gives_transfer_matrix_reflectance():
    # reference: datasets.references.multilayer_rt (independent transfer-matrix code); the surrogate's
    # features are the normalised (A, B, C, D) of this matrix, and R is a function of them alone
    rng = np.random.default_rng(3)
    n, d = rng.uniform(1.3, 3.5, (6, 4)), rng.uniform(20e-9, 150e-9, (6, 4))
    lam = np.linspace(400e-9, 800e-9, 9)
    A, B, C, D = characteristic_matrix(n, (n * d)[:, None, :] * (2 * np.pi / lam)[None, :, None])
    R_ref = np.array([multilayer_rt(a, b, lam)[0] for a, b in zip(n, d)])
    assert np.allclose(((A - D) ** 2 + (B - C) ** 2) / ((A + D) ** 2 + (B + C) ** 2), R_ref, atol=1e-12)
    assert np.allclose(A * D + B * C, 1.0, atol=1e-12)  # unimodular (lossless, reciprocal)


def test_surrogate_learns_held_out_spectra(trained):
    sur, R, vR = trained
    # reference: held-out transfer-matrix spectra. The best constant predictor (mean training spectrum) has
    # RMSE 0.19 here; with the default characteristic-matrix features ("stack-norm") 1200 Adam steps reach
    # 0.011 ("stack": 0.014; per-layer "phase" features, 600 steps: 0.056), so 0.03 (the target for
    # the 4-layer FDTD data) has a margin of ~2.5x
    baseline = np.sqrt(np.mean((vR - R.mean(axis=0)) ** 2))
    assert sur.validation["rmse"] < 0.03 < 0.2 * baseline
    assert sur.validation["p95"] <= sur.validation["max_abs"]


def test_gradient_through_network_matches_finite_differences(trained):
    sur, _, _ = trained
    z = np.array([0.1, -0.3, 0.5, 0.2])
    f = lambda z: ad.numpy.sum(sur.apply(sur.params, ad.numpy.reshape(z, (1, -1))))  # noqa: E731
    g = ad.grad(f)(z)
    h = 1e-6
    fd = np.array([(float(f(z + h * e)) - float(f(z - h * e))) / (2 * h) for e in np.eye(4)])  # central differences
    assert np.allclose(g, fd, rtol=1e-5, atol=1e-8)


def test_design_verified_by_fdtd_within_validation_error(trained):
    sur, R, _ = trained
    des = design_reflector(sur, BAND, n_starts=3, seed=0)
    lo, hi = sur.bounds
    x = np.r_[des["index"], des["thickness"]]
    assert np.all(x >= lo - 1e-12) and np.all(x <= hi + 1e-12)  # bounds of the dataset's parameter box
    ver = verify_design(des["index"], des["thickness"], sur.frequencies, PARAMS)
    m = des["mask"]
    # the FDTD run of the generator and the transfer-matrix reference agree on the designed stack
    assert np.max(np.abs(ver["R_fdtd"] - ver["R_tmm"])) < FDTD_VS_TMM
    # the verified stack meets the surrogate's promise within its validation error
    pred = sur.predict(des["index"][None], ver["thickness"][None])[0]
    assert ver["R_fdtd"][m].min() >= pred[m].min() - sur.validation["p95"]
    # and it is a better reflector in the band than a typical random stack of the training data
    assert ver["R_fdtd"][m].min() > np.median(R[:, m].min(axis=1))


def test_bad_input():
    f = np.linspace(3.75e14, 7.5e14, 8)
    with pytest.raises(InputError, match="n_layers"):
        MultilayerSurrogate(0, f, (1.3, 3.5), (2e-8, 1.5e-7))
    with pytest.raises(InputError, match="index_range"):
        MultilayerSurrogate(2, f, (3.5, 1.3), (2e-8, 1.5e-7))
    with pytest.raises(InputError, match="features"):
        MultilayerSurrogate(2, f, (1.3, 3.5), (2e-8, 1.5e-7), features="raw")
    sur = MultilayerSurrogate(2, f, (1.3, 3.5), (2e-8, 1.5e-7), widths=(4,))
    with pytest.raises(InputError, match="lbfgs_steps"):
        sur.fit(np.ones((1, 2)) * 2, np.ones((1, 2)) * 5e-8, np.zeros((1, 8)), lbfgs_steps=-1)
    with pytest.raises(InputError, match="not trained"):
        sur.predict(np.ones((1, 2)) * 2, np.ones((1, 2)) * 5e-8)
    with pytest.raises(InputError, match="band"):
        band_mask(f, (1e-9, 2e-9))
