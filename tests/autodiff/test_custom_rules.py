"""custom_jvp, custom_vjp and checkpoint (references: analytic derivatives, the un-customised path)."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp
from autodiff.testing import check_grads


@ad.custom_jvp
def log1pexp(x):
    return anp.log1p(anp.exp(x))


@log1pexp.defjvp
def _log1pexp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return log1pexp(x), t * anp.special.expit(x)


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
def test_custom_jvp_is_used_in_all_modes():
    # naive rule overflows at x = 1000 (nan); the custom rule gives expit(1000) = 1 (analytic)
    assert float(ad.grad(log1pexp)(1000.0)) == 1.0
    assert float(ad.jvp(log1pexp, (onp.asarray(1000.0),), (onp.asarray(1.0),))[1]) == 1.0
    x = onp.array([-1.0, 0.3, 2.0])
    # second derivative: expit' = expit (1 - expit) (analytic), via the rule's own differentiable ops
    s = 1 / (1 + onp.exp(-x))
    h = ad.grad(lambda z: anp.sum(ad.grad(lambda w: anp.sum(log1pexp(w)))(z)))(x)
    onp.testing.assert_allclose(h, s * (1 - s), rtol=1e-13)
    check_grads(log1pexp, (x,), order=2)


@ad.custom_vjp
def clip_gradient(x):
    return x


clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (anp.clip(g, -1.0, 1.0),))


def test_custom_vjp_rule_used_in_reverse_mode():
    # reverse mode uses the clipped cotangent (5 -> 1); forward mode differentiates the function (5)
    assert float(ad.grad(lambda x: 5.0 * clip_gradient(x))(0.0)) == 1.0
    assert float(ad.jvp(lambda x: 5.0 * clip_gradient(x), (onp.asarray(0.0),), (onp.asarray(1.0),))[1]) == 5.0


@ad.custom_vjp
def implicit_sqrt(a):
    """Newton iterations for y^2 = a; derivative by implicit differentiation dy/da = 1 / (2 y)."""
    y = anp.ones_like(a)
    for _ in range(30):
        y = 0.5 * (y + a / y)
    return y


implicit_sqrt.defvjp(lambda a: (implicit_sqrt(a), implicit_sqrt(a)), lambda y, g: (g / (2.0 * y),))


def test_custom_vjp_implicit_differentiation():
    a = onp.array([0.5, 2.0, 9.0])
    onp.testing.assert_allclose(ad.grad(lambda z: anp.sum(implicit_sqrt(z)))(a), 0.5 / onp.sqrt(a), rtol=1e-14)
    # second order through the (differentiable) backward rule: d2/da2 sqrt(a) = -a^(-3/2) / 4 (analytic)
    h = ad.grad(lambda z: anp.sum(ad.grad(lambda w: anp.sum(implicit_sqrt(w)))(z)))(a)
    onp.testing.assert_allclose(h, -0.25 * a ** -1.5, rtol=1e-12)


def test_checkpoint_matches_uncheckpointed_and_recomputes():
    calls = {"n": 0}

    def step(x, w):
        calls["n"] += 1
        return anp.tanh(x * w + 0.1)

    cstep = ad.checkpoint(step)

    def unrolled(w, fn):
        x = onp.linspace(-1, 1, 4)
        for _ in range(5):
            x = fn(x, w)
        return anp.sum(x ** 2)

    w = onp.asarray(0.8)
    g_ref = ad.grad(lambda w: unrolled(w, step))(w)
    calls["n"] = 0
    g = ad.grad(lambda w: unrolled(w, cstep))(w)
    onp.testing.assert_allclose(g, g_ref, rtol=1e-14)
    assert calls["n"] >= 10  # 5 forward + 5 recomputed in the backward pass
    # second order through checkpoint, against the plain path
    h_ref = ad.grad(ad.grad(lambda w: unrolled(w, step)))(w)
    h = ad.grad(ad.grad(lambda w: unrolled(w, cstep)))(w)
    onp.testing.assert_allclose(h, h_ref, rtol=1e-12)
    # forward and Taylor modes through checkpoint
    t = ad.jvp(lambda w: unrolled(w, cstep), (w,), (onp.asarray(1.0),))[1]
    onp.testing.assert_allclose(t, g_ref, rtol=1e-13)
    d2 = ad.jet(lambda w: unrolled(w, cstep), (w,), ([1.0, 0.0],))[1][1]
    onp.testing.assert_allclose(d2, h_ref, rtol=1e-11)


@ad.custom_jvp
def scaled_product(x, y):
    return x * y * 2.0


scaled_product.defjvps(lambda tx, ans, x, y: 2.0 * tx * y, lambda ty, ans, x, y: 2.0 * x * ty)


def test_custom_jvp_defjvps_per_argument_rules():
    # d/dx, d/dy of 2xy: 2y, 2x (analytic), in both modes and to second order
    gx, gy = ad.grad(scaled_product, argnums=(0, 1))(1.5, -0.5)
    assert float(gx) == -1.0 and float(gy) == 3.0
    check_grads(scaled_product, (onp.array([0.3, 0.7]), onp.array([1.1, -0.2])), order=2)
