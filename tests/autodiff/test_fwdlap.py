"""Tests of the forward-Laplacian pass (autodiff.pointwise_derivatives2), its fused tanh primitive and the
vectorised float64 tanh. References: Taylor mode (jet, one direction at a time), analytic derivatives,
numpy's tanh."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp
from autodiff.numpy._fastmath import tanh_f64

RNG = onp.random.default_rng(11)
W1, B1 = RNG.normal(size=(3, 8)), RNG.normal(size=8)
W2, B2 = RNG.normal(size=(8, 2)), RNG.normal(size=2)
C6 = RNG.normal(size=(6, 4))  # a per-point constant that enlarges the shape by broadcasting

FUNCS = [
    ("mlp_tanh", lambda x: anp.tanh(anp.tanh(x @ W1 + B1) @ W2 + B2)),
    ("mlp_sin_scaled", lambda x: anp.sin(2.0 * (x @ W1) - B1) @ W2 / 3.0),
    ("products", lambda x: x[:, :1] * x[:, 1:2] ** 3 - anp.exp(-x[:, 2:]) * x[:, :1]),
    ("quotient", lambda x: anp.sum(x, axis=1) / (2.0 + x[:, 0] ** 2)),
    ("concat_reshape", lambda x: anp.reshape(anp.concatenate([anp.log1p(x ** 2), 1.0 - x.T.T], axis=1), (-1, 3, 2))),
    ("broadcast_consts", lambda x: anp.tanh(x[:, 1:2] - C6) * (C6 - x[:, :1] ** 2) + anp.sin(x[:, 2:] + C6)),
    ("const_matmul", lambda x: anp.transpose(W2.T @ anp.transpose(anp.sqrt((x @ W1 @ W1.T) ** 2 + 1.0) @ W1))),
]


def _jet_reference(f, x):
    u = f(x)
    grads, second = [], []
    for d in range(x.shape[1]):
        e = onp.zeros_like(x)
        e[:, d] = 1.0
        _, (g, h) = ad.jet(f, (x,), ([e, onp.zeros_like(e)],))
        grads.append(g)
        second.append(h)
    return u, onp.stack(grads), onp.stack(second)


@pytest.mark.parametrize("name,f", FUNCS, ids=[c[0] for c in FUNCS])
def test_matches_taylor_mode(name, f):
    x = RNG.uniform(-1, 1, (6, 3))
    u, g, h = ad.pointwise_derivatives2(f, x)
    ru, rg, rh = _jet_reference(f, x)  # reference: one jet per direction
    onp.testing.assert_allclose(u, ru, rtol=1e-13, atol=1e-13)
    onp.testing.assert_allclose(g, rg, rtol=1e-12, atol=1e-12)
    onp.testing.assert_allclose(h, rh, rtol=1e-11, atol=1e-11)


def test_analytic_and_float32():
    x = RNG.uniform(-1, 1, (5, 2))
    f = lambda z: anp.sin(z[:, 0]) * anp.exp(z[:, 1])  # noqa: E731
    u, g, h = ad.pointwise_derivatives2(f, x)
    s, e = onp.sin(x[:, 0]), onp.exp(x[:, 1])
    onp.testing.assert_allclose(h[0], -s * e, rtol=1e-14)  # analytic d2/dx2
    onp.testing.assert_allclose(h[1], s * e, rtol=1e-14)  # analytic d2/dy2
    onp.testing.assert_allclose(g[0], onp.cos(x[:, 0]) * e, rtol=1e-14)
    x32 = x.astype(onp.float32)
    u32, g32, h32 = ad.pointwise_derivatives2(lambda z: anp.tanh(anp.tanh(z @ W1[:2].astype(onp.float32)
                                                                          + B1.astype(onp.float32))
                                                                  @ W2.astype(onp.float32)), x32)
    assert u32.dtype == g32.dtype == h32.dtype == onp.float32
    ref = _jet_reference(lambda z: anp.tanh(anp.tanh(z @ W1[:2] + B1) @ W2), x)
    onp.testing.assert_allclose(h32, ref[2], rtol=2e-5, atol=2e-5)


def test_parameter_gradient_through_the_laplacian():
    # the PINN use: reverse mode over the forward Laplacian equals reverse mode over the jet path and
    # central differences
    x = RNG.uniform(-1, 1, (7, 3))

    def net(p, z):
        return anp.tanh(z @ p["W"] + p["b"]) @ W2

    def loss(p, use_fwdlap):
        if use_fwdlap:
            _, _, h = ad.pointwise_derivatives2(lambda z: net(p, z), x)
            lap = anp.sum(h, axis=0)
        else:
            lap = sum(_jet_reference(lambda z: net(p, z), x)[2][d] for d in range(3))
        return anp.sum(lap ** 2)

    p = {"W": W1.copy(), "b": B1.copy()}
    ga = ad.grad(lambda q: loss(q, True))(p)
    gb = ad.grad(lambda q: loss(q, False))(p)
    for k in p:
        onp.testing.assert_allclose(ga[k], gb[k], rtol=1e-11, atol=1e-11)
    eps = 1e-6
    dp = {"W": onp.zeros_like(W1), "b": onp.zeros_like(B1)}
    dp["b"][3] = eps
    fd = (loss({"W": W1, "b": B1 + dp["b"]}, True) - loss({"W": W1, "b": B1 - dp["b"]}, True)) / (2 * eps)
    onp.testing.assert_allclose(ga["b"][3], fd, rtol=1e-6)


def test_unsupported_operation_falls_back_in_laplacian():
    f = lambda z: anp.sum(anp.arctan2(z, 1.0 + z ** 2), axis=1)  # noqa: E731 - arctan2 of two traced values
    x = RNG.uniform(-1, 1, (4, 2))
    with pytest.raises(ad.UnsupportedOperationError, match="arctan2"):
        ad.pointwise_derivatives2(f, x)
    lap = ad.laplacian(f)(x)
    ref = _jet_reference(f, x)[2].sum(0)  # the jet path
    onp.testing.assert_allclose(lap, ref, rtol=1e-12, atol=1e-12)


def test_fast_tanh_matches_numpy():
    xs = onp.concatenate([RNG.normal(size=20000) * s for s in (1e-9, 1e-3, 0.2, 1.0, 5.0, 40.0)]
                         + [onp.array([0.0, -0.0, 22.0, -21.99, 1e300, onp.inf, -onp.inf, 5e-324])])
    got = tanh_f64(xs)
    ref = onp.tanh(xs)  # reference: numpy (libm)
    ulp = onp.abs(got - ref) / onp.spacing(onp.abs(ref))
    assert ulp.max() <= 3.0
    assert onp.array_equal(onp.signbit(got), onp.signbit(ref))
    assert onp.isnan(tanh_f64(onp.array([onp.nan, 1.0])))[0]
