"""The md-lj-forces generator: labels are the LJ energies/forces of the stored configurations."""

import numpy as np
import pytest

import datasets
from mindscience.errors import InputError

SMALL = {"n_atoms": 32, "cutoff": 1.5, "equilibration_steps": 60, "density_max": 0.8}


def _lj_double_loop(x, box, rc):
    # Independent reference: plain numpy all-pairs minimum-image LJ, truncated at rc (eps = sigma = 1).
    d = x[:, None, :] - x[None, :, :]
    d -= box * np.round(d / box)
    r2 = np.sum(d * d, axis=-1)
    np.fill_diagonal(r2, np.inf)
    inside = r2 < rc * rc
    inv6 = np.where(inside, 1.0 / r2**3, 0.0)
    energy = 0.5 * np.sum(4.0 * (inv6 * inv6 - inv6))
    fscal = np.where(inside, 24.0 * (2.0 * inv6 * inv6 - inv6) / r2, 0.0)
    forces = np.sum(fscal[:, :, None] * d, axis=1)
    virial = 0.5 * np.einsum("ij,ija,ijb->ab", fscal, d, d)
    return energy, forces, virial


def test_samples_are_labelled_with_exact_lj_forces(tmp_path, monkeypatch):
    monkeypatch.setenv("MINDSCIENCE_DATA", str(tmp_path))
    datasets.generate("md-lj-forces", n=3, seed=5, params=SMALL, workers=1)
    data = datasets.load("md-lj-forces", n=3, seed=5, params=SMALL).arrays()
    assert data["positions"].shape == (3, 32, 3)
    for i in range(3):
        box = data["box"][i]
        np.testing.assert_allclose(box, (32 / data["density"][i]) ** (1 / 3), rtol=1e-12)
        assert np.all((data["positions"][i] >= 0) & (data["positions"][i] < box))
        e, f, w = _lj_double_loop(data["positions"][i], box, SMALL["cutoff"])
        np.testing.assert_allclose(data["energy"][i], e, rtol=1e-10)
        np.testing.assert_allclose(data["forces"][i], f, rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(data["virial"][i], w, rtol=1e-9, atol=1e-9)
        # a melted liquid, not the starting crystal: net force zero, configuration disordered
        np.testing.assert_allclose(data["forces"][i].sum(axis=0), 0.0, atol=1e-9)
        assert 0.8 <= data["temperature"][i] <= 1.6 and 0.6 <= data["density"][i] <= 0.8


def test_bad_parameters_are_named():
    with pytest.raises(InputError, match="n_atoms=30 must be 4 k"):
        datasets.generate("md-lj-forces", n=1, seed=0, params={"n_atoms": 30})
    with pytest.raises(InputError, match="cutoff"):
        datasets.generate("md-lj-forces", n=1, seed=0, params={"n_atoms": 32, "cutoff": 2.5})
