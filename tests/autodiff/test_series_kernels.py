"""The numba Taylor kernels against short numpy references (Cauchy products by numpy.convolve, and
the differentiable rules with the fast path switched off)."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp
from autodiff import _series_kernels as sk
from autodiff.numpy import _fused

K1 = 6
N = 700  # more than one block of points


def test_mul_and_div_kernels_match_numpy_convolution(rng):
    X = rng.standard_normal((K1, N))
    Y = rng.standard_normal((K1, N))
    Y[0] = 3.0 + onp.abs(Y[0])  # well-conditioned division
    Z = sk.mul(X, Y)
    for n in (0, 311, N - 1):
        onp.testing.assert_allclose(Z[:, n], onp.convolve(X[:, n], Y[:, n])[:K1], rtol=1e-13, atol=1e-13)
    # division is the inverse of the product: (Z / Y) == X
    onp.testing.assert_allclose(sk.div(Z, Y), X, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("name,fn,lo,hi", [
    ("exp", anp.exp, -1, 1), ("log", anp.log, 0.5, 2), ("sin", anp.sin, -2, 2), ("cos", anp.cos, -2, 2),
    ("sinh", anp.sinh, -1, 1), ("cosh", anp.cosh, -1, 1), ("tanh", anp.tanh, -2, 2),
    ("pow", lambda x: x ** 2.5, 0.5, 2),
])
def test_unary_kernels_match_differentiable_rules(name, fn, lo, hi, rng, monkeypatch):
    x = rng.uniform(lo, hi, N)
    series = [rng.standard_normal(N) for _ in range(K1 - 1)]
    fast = ad.jet(fn, (x,), (series,))
    monkeypatch.setattr(ad.taylor, "FAST_KERNELS", False)
    slow = ad.jet(fn, (x,), (series,))
    onp.testing.assert_allclose(fast[0], slow[0], rtol=1e-14)
    for a, b in zip(fast[1], slow[1]):
        onp.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_fused_tanh_taylor2_matches_formula(rng):
    x0, x1, x2 = rng.uniform(-3, 3, (3, N))
    y0, y1, y2 = _fused.tanh_taylor2(x0, x1, x2)
    t = onp.tanh(x0)
    onp.testing.assert_allclose(y0, t, rtol=1e-14, atol=1e-15)
    onp.testing.assert_allclose(y1, (1 - t * t) * x1, rtol=1e-13, atol=1e-15)
    onp.testing.assert_allclose(y2, (1 - t * t) * x2 - t * (1 - t * t) * x1 * x1, rtol=1e-12, atol=1e-14)
