"""Layers: shapes, formulas against plain numpy, and gradients (check_grads) in inputs and parameters."""

import math

import numpy as np
import pytest

from autodiff.testing import check_grads
from mindscience.errors import InputError
from mindscience.nn.layers import MLP, SIREN, Dense, FourierFeatures, ResidualMLP, Sequential

NETS = {
    "dense": lambda: Dense(3, 2),
    "mlp": lambda: MLP([3, 8, 8, 2], activation=["tanh", "sin"]),
    "mlp_adaptive": lambda: MLP([3, 6, 2], activation="gelu", adaptive_slope=10.0),
    "residual": lambda: ResidualMLP(3, 2, width=6, depth=2, activation="silu"),
    "siren": lambda: SIREN([3, 8, 2], w0=3.0, w0_hidden=1.0),
    # small frequency scales keep the finite-difference reference of check_grads accurate
    "fourier_mlp": lambda: Sequential([FourierFeatures(3, 4, scales=[0.1, 0.3], seed=1), MLP([16, 8, 2])]),
}


@pytest.mark.parametrize("name", sorted(NETS))
def test_layer_gradients_in_parameters_and_inputs(name, rng):
    net = NETS[name]()
    params = net.init(rng)
    x = rng.uniform(-1, 1, size=(4, 3))
    assert net.apply(params, x).shape == (4, 2)
    check_grads(lambda p: net.apply(p, x), (params,), order=2, modes=("fwd", "rev"))
    check_grads(lambda x: net.apply(params, x), (x,), order=2, modes=("fwd", "rev"))


def test_mlp_matches_plain_numpy(rng):
    # reference: the MLP written out with numpy
    net = MLP([2, 5, 4, 1], activation="tanh")
    p = net.init(rng)
    x = rng.normal(size=(7, 2))
    L = p["layers"]
    h = np.tanh(x @ L[0]["W"] + L[0]["b"])
    h = np.tanh(h @ L[1]["W"] + L[1]["b"])
    np.testing.assert_allclose(net.apply(p, x), h @ L[2]["W"] + L[2]["b"], rtol=1e-14)


def test_adaptive_mlp_starts_as_plain_mlp(rng):
    # reference: Jagtap et al. (2020): with a = 1/n the adaptive network equals the plain one
    plain = MLP([2, 5, 1], activation="tanh")
    adap = MLP([2, 5, 1], activation="tanh", adaptive_slope=10.0)
    p = adap.init(rng)
    np.testing.assert_allclose(p["slopes"], 0.1)
    x = rng.normal(size=(3, 2))
    np.testing.assert_allclose(adap.apply(p, x), plain.apply({"layers": p["layers"]}, x), rtol=1e-14)


def test_fourier_features_formula():
    ff = FourierFeatures(2, 3, scales=[1.0, 10.0], seed=4)
    x = np.array([[0.1, -0.2], [0.3, 0.5]])
    z = 2 * math.pi * x @ ff.B
    # reference: Tancik et al. (2020), gamma(x) = [cos(2 pi B x), sin(2 pi B x)]
    np.testing.assert_allclose(ff.apply({}, x), np.concatenate([np.cos(z), np.sin(z)], axis=1), rtol=1e-12)
    assert ff.B.shape == (2, 6)
    # the second block was drawn with a 10x larger standard deviation
    assert np.abs(ff.B[:, 3:]).mean() > 3 * np.abs(ff.B[:, :3]).mean()


def test_siren_first_layer_is_sine_of_w0(rng):
    net = SIREN([1, 4, 1], w0=30.0)
    p = net.init(rng)
    x = np.array([[0.25]])
    h = np.sin(30.0 * (x @ p["layers"][0]["W"] + p["layers"][0]["b"]))
    np.testing.assert_allclose(net.apply(p, x), h @ p["layers"][1]["W"] + p["layers"][1]["b"], rtol=1e-14)


def test_dtype_float32(rng):
    net = MLP([2, 4, 1], dtype=np.float32)
    p = net.init(rng)
    assert p["layers"][0]["W"].dtype == np.float32


@pytest.mark.parametrize(("make", "match"), [
    (lambda: MLP([2]), "needs at least an input and an output"),
    (lambda: MLP([2, 0, 1]), r"widths\[i\]=0 must be an integer >= 1"),
    (lambda: MLP([2, 4, 4, 1], activation=["tanh"]), "activation has 1 entries but there are 2 hidden layers"),
    (lambda: MLP([2, 4, 1], adaptive_slope=0.5), r"adaptive_slope=0.5 is out of range"),
    (lambda: FourierFeatures(2, 4, scales=[-1.0]), r"scales entry -1.0 is out of range"),
    (lambda: Sequential([Dense(2, 3), Dense(4, 1)]), "Dense gives 3 features but Dense expects 4"),
    (lambda: SIREN([1, 4, 1], w0=0.0), r"w0=0.0 is out of range"),
])
def test_bad_layer_arguments(make, match):
    with pytest.raises(InputError, match=match):
        make()
