"""The same derivatives as jax to 1e-12 in float64 (reference: jax, an optional peer; skipped when absent)."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy
TOL = 1e-12


def _pair(name):
    funcs = {
        "composite": (lambda m, x: m.sin(x) * m.exp(-x ** 2 / 3) + m.tanh(x)),
        "softmax_ce": (lambda m, x: -m.sum(x * m.log(m.exp(x) / m.sum(m.exp(x))))),
        "matmul_tanh": (lambda m, x: m.sum(m.tanh(m.outer(x, x) @ x) ** 2)),
        "logdet": (lambda m, x: m.linalg.slogdet(m.outer(x, x) + 3 * m.eye(x.shape[0]))[1]),
        "arctan2_hypot": (lambda m, x: m.sum(m.arctan2(x, 1.5 + x ** 2) * m.sqrt(x ** 2 + 1.0))),
    }
    f = funcs[name]
    return (lambda x: anp.sum(f(anp, x))), (lambda x: jnp.sum(f(jnp, x)))


@pytest.mark.parametrize("name", ["composite", "softmax_ce", "matmul_tanh", "logdet", "arctan2_hypot"])
def test_gradient_and_hessian_match_jax(name, rng):
    f, fj = _pair(name)
    x = rng.uniform(-1, 1, size=4)
    onp.testing.assert_allclose(ad.grad(f)(x), onp.asarray(jax.grad(fj)(jnp.asarray(x))), rtol=TOL, atol=TOL)
    onp.testing.assert_allclose(ad.hessian(f)(x), onp.asarray(jax.hessian(fj)(jnp.asarray(x))), rtol=TOL,
                                atol=TOL)


def test_jet_matches_jax_jet(rng):
    from jax.experimental.jet import jet as jjet

    x = rng.uniform(-1, 1, size=5)
    series = [onp.ones(5)] + [onp.zeros(5)] * 5
    _, ours = ad.jet(lambda z: anp.sin(z) * anp.exp(-z ** 2 / 3) + anp.tanh(z), (x,), (series,))
    _, theirs = jjet(lambda z: jnp.sin(z) * jnp.exp(-z ** 2 / 3) + jnp.tanh(z), (jnp.asarray(x),),
                     ([jnp.asarray(s) for s in series],))
    for a, b in zip(ours, theirs):
        onp.testing.assert_allclose(a, onp.asarray(b), rtol=TOL, atol=TOL)
