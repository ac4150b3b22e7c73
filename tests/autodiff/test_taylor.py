"""Taylor mode: jet against nested jvp to order 6 (reference: the slower nested forward path), and
derivative() to order 8 against sympy (reference: sympy.diff)."""

import numpy as onp
import pytest
import sympy as sp

import autodiff as ad
import autodiff.numpy as anp

JET_ORDER = 6
RTOL = 1e-9


def _mlp(x):
    W1 = onp.array([[0.5, -0.3], [0.8, 0.2], [-0.6, 0.9]])
    W2 = onp.array([[0.7, -0.4, 0.3]])
    return anp.sum(W2 @ anp.tanh(W1 @ x + 0.1))


COMPOSITES = {
    "sin_gauss_tanh": lambda x: anp.sin(x) * anp.exp(-x ** 2 / 3) + anp.tanh(x),
    "rational_log": lambda x: anp.log(1 + x ** 2) / (2 + anp.cos(x)),
    "sqrt_atan_pow": lambda x: anp.sqrt(1 + x ** 2) * anp.arctan(x) + x ** 2.5,
    "softplus_erf": lambda x: anp.special.softplus(x) - anp.special.erf(x / 2) * anp.special.expit(x),
    "reduction_shape": lambda x: anp.sum(anp.reshape(anp.outer(x, x), (-1,))[::2] * anp.cos(x[0])),
    "matmul_mlp": _mlp,
    "logsumexp": lambda x: anp.logsumexp(anp.stack([x, 2 * x, -x])),
}


@pytest.mark.parametrize("fast", [True, False], ids=["numba-kernels", "differentiable-rules"])
@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_jet_matches_nested_jvp_to_order_6(name, fast, rng, taylor_ref, monkeypatch):
    monkeypatch.setattr(ad.taylor, "FAST_KERNELS", fast)
    f = COMPOSITES[name]
    x = rng.uniform(0.2, 1.0, size=2)
    v = rng.standard_normal(2)
    # a non-trivial input curve: second coefficient too
    w = rng.standard_normal(2)
    series = [v, w] + [onp.zeros(2)] * (JET_ORDER - 2)
    _, out = ad.jet(f, (x,), (series,))

    # reference for a curve x(t) = x + v t + w t^2 / 2: compose with the curve and use nested jvp in t
    def g(t):
        return f(x + t * v + 0.5 * t ** 2 * w)

    ref = taylor_ref(g, [onp.zeros(())], [onp.ones(())], JET_ORDER)
    for k in range(JET_ORDER):
        onp.testing.assert_allclose(out[k], ref[k], rtol=RTOL, atol=RTOL * 10)


def test_derivative_orders_1_to_8_match_sympy():
    t = sp.symbols("t")
    expr = sp.sin(t) * sp.exp(-t ** 2 / 3) + sp.tanh(t)

    def f(x):
        return anp.sin(x) * anp.exp(-x ** 2 / 3) + anp.tanh(x)

    xs = onp.linspace(-2.0, 2.0, 7)
    allk = ad.derivative(f, order=8, all_orders=True)(xs)
    for k in range(1, 9):
        exact = onp.array([float(sp.diff(expr, t, k).subs(t, float(x)).evalf(30)) for x in xs])
        single = ad.derivative(f, order=k)(xs)
        onp.testing.assert_allclose(single, exact, rtol=1e-10, atol=1e-10)
        onp.testing.assert_allclose(allk[k], exact, rtol=1e-10, atol=1e-10)


def test_derivative_cost_grows_polynomially():
    # number of primitive applications for order k (counted), asserting O(k^2) growth: the ratio of
    # counts for order 8 and 4 stays near (8/4)^2 = 4, far below the 2^4 = 16 of nested forward mode.
    from autodiff import core

    counts = {}
    orig = core.Primitive.bind

    def counting_bind(self, *args, **params):
        counts["n"] = counts.get("n", 0) + 1
        return orig(self, *args, **params)

    f = COMPOSITES["sin_gauss_tanh"]
    res = {}
    core.Primitive.bind = counting_bind
    try:
        for k in (4, 8):
            counts["n"] = 0
            ad.derivative(f, order=k)(onp.linspace(0, 1, 5))
            res[k] = counts["n"]
    finally:
        core.Primitive.bind = orig
    assert res[8] / res[4] < 5.0, res


def test_derivative_of_elementwise_numba_free_function_shape():
    # d^3/dx^3 exp(2x) = 8 exp(2x) (analytic), and the output has the input's shape
    xs = onp.linspace(-1, 1, 12).reshape(3, 4)
    onp.testing.assert_allclose(ad.derivative(lambda x: anp.exp(2 * x), order=3)(xs), 8 * onp.exp(2 * xs),
                                rtol=1e-13)


def test_jet_convention_matches_jax_docs():
    # jet of sin along x(t) = x0 + t: derivatives sin', sin'', sin''' (analytic)
    x0 = 0.3
    y, (d1, d2, d3) = ad.jet(anp.sin, (x0,), ([1.0, 0.0, 0.0],))
    onp.testing.assert_allclose([y, d1, d2, d3], [onp.sin(x0), onp.cos(x0), -onp.sin(x0), -onp.cos(x0)],
                                rtol=1e-14)


def test_laplacian_matches_trace_of_hessian_and_nests_under_grad(rng):
    # reference: trace of the dense Hessian of each point's value (nested forward-over-reverse)
    W = rng.standard_normal((3, 4))
    v = rng.standard_normal(4)

    def u(x, w=W):
        return anp.tanh(x @ w) @ v

    x = rng.uniform(-1, 1, (5, 3))
    lap = ad.laplacian(u)(x)
    ref = [onp.trace(ad.hessian(lambda p: u(p[None, :])[0])(x[i])) for i in range(5)]
    onp.testing.assert_allclose(lap, ref, rtol=1e-12, atol=1e-12)
    val, lap2 = ad.laplacian(u, return_value=True)(x)
    onp.testing.assert_allclose(val, u(x), rtol=1e-14)
    # d/dW of sum(lap): against central differences of the Hessian-trace reference
    g = ad.grad(lambda w: anp.sum(ad.laplacian(lambda z: u(z, w))(x)))(W)
    eps = 1e-6
    E = onp.zeros_like(W)
    E[1, 2] = eps

    def ref_sum(w):
        return sum(onp.trace(ad.hessian(lambda p: u(p[None, :], w)[0])(x[i])) for i in range(5))

    assert abs(g[1, 2] - (ref_sum(W + E) - ref_sum(W - E)) / (2 * eps)) < 1e-6


def test_fused_tanh_jet_keeps_float32():
    # Reference: the same jet in float64; float32 input must stay float32 (PINN training in single precision).
    x = onp.linspace(-2, 2, 7, dtype=onp.float32)
    y, s = ad.jet(anp.tanh, (x,), ((onp.ones_like(x), onp.zeros_like(x)),))
    y64, s64 = ad.jet(anp.tanh, (x.astype(onp.float64),), ((onp.ones(7), onp.zeros(7)),))
    assert onp.asarray(y).dtype == onp.float32 and all(onp.asarray(t).dtype == onp.float32 for t in s)
    onp.testing.assert_allclose(onp.asarray(s[1]), s64[1], rtol=1e-5, atol=1e-6)

    def second(w):
        return anp.sum(ad.jet(anp.tanh, (w * x,), ((x, onp.zeros_like(x)),))[1][1])

    g32 = ad.grad(second)(onp.float32(0.7))
    assert onp.asarray(g32).dtype == onp.float32
    onp.testing.assert_allclose(g32, ad.grad(second)(0.7), rtol=1e-5)
