"""Initializers (variance), losses and activations (values vs numpy/scipy, gradients via check_grads)."""

import math

import numpy as np
import pytest
import scipy.special

from autodiff.testing import check_grads
from mindscience.errors import InputError
from mindscience.nn import activations, init, losses

N_SAMPLES = (400, 500)  # 2e5 weights: the sample variance has relative standard error sqrt(2/2e5) ~ 3e-3
VAR_RTOL = 0.02  # ~6 standard errors


@pytest.mark.parametrize(("name", "variance"), [
    # reference: the variance formulas of each paper, fan_in = 400, fan_out = 500
    ("glorot_uniform", 2 / 900), ("glorot_normal", 2 / 900), ("he_uniform", 2 / 400), ("he_normal", 2 / 400),
    ("lecun_uniform", 1 / 400), ("lecun_normal", 1 / 400), ("siren", 2 / (400 * 30**2)),
])
def test_initializer_variance(name, variance, rng):
    w = init.get_initializer(name)(rng, N_SAMPLES)
    assert w.shape == N_SAMPLES
    assert w.var() == pytest.approx(variance, rel=VAR_RTOL)
    assert abs(w.mean()) < 6 * math.sqrt(variance / w.size)


def test_siren_first_layer_bound(rng):
    # reference: Sitzmann et al. (2020): first layer U(-1/fan_in, 1/fan_in)
    w = init.siren_uniform(rng, (4, 1000), first=True)
    assert np.abs(w).max() <= 0.25
    assert np.abs(w).max() > 0.24


def test_initializer_errors(rng):
    with pytest.raises(InputError, match="init='orthogonal' is not an initializer"):
        init.get_initializer("orthogonal")
    with pytest.raises(InputError, match=r"shape=\(0, 3\)"):
        init.he_normal(rng, (0, 3))


def test_loss_values_by_hand():
    p, t = np.array([1.0, 2.0, 4.0]), np.array([1.0, 0.0, 2.0])
    assert float(losses.mse(p, t)) == pytest.approx(8 / 3, rel=1e-15)
    assert float(losses.relative_l2(p, t)) == pytest.approx(math.sqrt(8 / 5), rel=1e-15)
    # reference: Huber with delta = 1: d = (0, 2, 2) -> (0 + 1.5 + 1.5) / 3
    assert float(losses.huber(p, t, delta=1.0)) == pytest.approx(1.0, rel=1e-15)
    # within delta the Huber loss is half the squared error
    assert float(losses.huber(np.array([0.3]), delta=1.0)) == pytest.approx(0.045, rel=1e-15)


@pytest.mark.parametrize("loss", [losses.mse, losses.relative_l2, lambda p, t: losses.huber(p, t, delta=0.7)])
def test_loss_gradients(loss, rng):
    p, t = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    check_grads(loss, (p, t), order=2, modes=("fwd", "rev"))


def test_loss_shape_mismatch():
    with pytest.raises(InputError, match=r"pred has shape \(3,\) but target has shape \(2,\)"):
        losses.mse(np.ones(3), np.ones(2))


X = np.linspace(-3.0, 3.0, 13)


@pytest.mark.parametrize(("name", "reference"), [
    # references: numpy / scipy implementations of the same functions
    ("tanh", np.tanh), ("sin", np.sin), ("sigmoid", scipy.special.expit),
    ("silu", lambda x: x * scipy.special.expit(x)), ("softplus", lambda x: np.log1p(np.exp(x))),
    ("gelu", lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))),
    ("relu", lambda x: np.maximum(x, 0.0)), ("identity", lambda x: x),
])
def test_activation_values(name, reference):
    np.testing.assert_allclose(activations.get_activation(name)(X), reference(X), rtol=1e-14, atol=1e-15)


def test_gelu_tanh_form_close_to_exact_erf_gelu():
    # reference: exact GELU x Phi(x) via scipy.special.erf; the tanh form is accurate to ~1e-3 (Hendrycks & Gimpel)
    exact = 0.5 * X * (1 + scipy.special.erf(X / math.sqrt(2)))
    np.testing.assert_allclose(activations.gelu(X), exact, atol=1e-3)


@pytest.mark.parametrize("name", ["tanh", "sin", "gelu", "silu", "softplus", "sigmoid"])
def test_activation_gradients_to_third_order(name, rng):
    check_grads(activations.get_activation(name), (rng.normal(size=7),), order=3, modes=("fwd", "rev"))


def test_adaptive_activation_gradient_in_slope(rng):
    x = rng.uniform(-0.3, 0.3, size=6)  # keeps 10 a x in the smooth range where finite differences are accurate
    check_grads(lambda a, x: activations.adaptive("tanh", a, 10.0)(x), (np.array(0.13), x), order=2)
    # reference: d^2/da^2 tanh(n a x) = -2 (n x)^2 tanh(n a x) sech^2(n a x)
    import autodiff as ad

    t = np.tanh(1.3 * x)
    h = ad.grad(ad.grad(lambda a: ad.numpy.sum(activations.adaptive("tanh", a, 10.0)(x))))(0.13)
    assert float(h) == pytest.approx(np.sum(-2 * (10 * x) ** 2 * t * (1 - t**2)), rel=1e-12)
    # reference: at a = 1/n the adaptive activation equals the base activation
    np.testing.assert_allclose(activations.adaptive("sin", 0.2, 5.0)(x), np.sin(x), rtol=1e-15)
    with pytest.raises(InputError, match=r"n=0.5 is out of range"):
        activations.adaptive("tanh", 1.0, 0.5)
    with pytest.raises(InputError, match="activation='elu' is not known"):
        activations.get_activation("elu")
