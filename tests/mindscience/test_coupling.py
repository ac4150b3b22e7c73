"""mindscience.coupling: the NeuralTerm protocol, its input gradient and HDF5 round trip (toy terms)."""

import numpy as np
import pytest

import autodiff.numpy as anp
from mindscience.coupling import NeuralTerm, check_neural_term, energy_and_gradient, load_term, save_term
from mindscience.errors import InputError


class QuadraticTerm:
    """E = 0.5 sum_i k (x_i - x0)^2 with k a parameter and x0 a fixed state; analytic gradient k (x - x0)."""

    def __init__(self, width=3, k0=2.0):
        self.width = width
        self.k0 = k0
        self.params = {"k": np.full(width, float(k0))}
        self.state = {"x0": np.zeros(width)}

    def energy(self, params, x, context):
        return 0.5 * anp.sum(params["k"] * (x - self.state["x0"]) ** 2) * context

    def hyperparameters(self):
        return {"width": self.width, "k0": self.k0}


def test_protocol_and_gradient(rng):
    term = check_neural_term(QuadraticTerm())
    assert isinstance(term, NeuralTerm)
    term.params["k"] = rng.uniform(1.0, 2.0, 3)
    x = rng.standard_normal(3)
    e, g = energy_and_gradient(term, x, 2.0)
    # reference: the analytic energy and gradient
    np.testing.assert_allclose(e, np.sum(term.params["k"] * x**2), rtol=1e-14)
    np.testing.assert_allclose(g, 2.0 * term.params["k"] * x, rtol=1e-14)


def test_save_load_round_trip(rng, tmp_path):
    term = QuadraticTerm(width=4, k0=1.5)
    term.params["k"] = rng.uniform(1.0, 2.0, 4)
    term.state["x0"] = rng.standard_normal(4)
    save_term(tmp_path / "t.h5", term, attrs={"note": "toy"})
    back = load_term(tmp_path / "t.h5", QuadraticTerm)
    x = rng.standard_normal(4)
    # reference: the saved term's own energy, bit for bit
    assert energy_and_gradient(back, x, 1.0)[0] == energy_and_gradient(term, x, 1.0)[0]
    assert back.hyperparameters() == term.hyperparameters()


def test_bad_terms_are_named(tmp_path):
    with pytest.raises(InputError, match="missing"):
        check_neural_term(object())
    bad = QuadraticTerm()
    bad.params = {"k": np.arange(3)}
    with pytest.raises(InputError, match="float"):
        check_neural_term(bad)
    from mindscience.io import hdf5

    hdf5.save(tmp_path / "other.h5", {"a": np.zeros(2)})
    with pytest.raises(InputError, match="not a NeuralTerm file"):
        load_term(tmp_path / "other.h5", QuadraticTerm)
