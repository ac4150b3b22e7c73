"""Mixed partial derivatives up to order 4 of random expressions, in every mode mix, against sympy's
exact derivatives (reference: sympy.diff, evaluated in high precision)."""

import mpmath
import numpy as onp
import pytest
import sympy as sp

import autodiff as ad
import autodiff.numpy as anp

REL_TOL = 1e-10
N_EXPRESSIONS = 12

_UNARY = [
    (sp.sin, anp.sin), (sp.cos, anp.cos), (sp.exp, anp.exp), (sp.tanh, anp.tanh), (sp.atan, anp.arctan),
    (lambda e: sp.log(1 + e ** 2), lambda e: anp.log(1 + e ** 2)),
    (lambda e: sp.sqrt(1 + e ** 2), lambda e: anp.sqrt(1 + e ** 2)),
    (lambda e: 1 / (1 + sp.exp(-e)), anp.special.expit), (sp.erf, anp.special.erf), (sp.sinh, anp.sinh),
]
_BINARY = [
    (lambda a, b: a + b, lambda a, b: a + b), (lambda a, b: a - b, lambda a, b: a - b),
    (lambda a, b: a * b, lambda a, b: a * b), (lambda a, b: a / (2 + b ** 2), lambda a, b: a / (2 + b ** 2)),
    (lambda a, b: sp.atan2(a, 2 + b ** 2), lambda a, b: anp.arctan2(a, 2 + b ** 2)),
]


def random_expression(rng, depth, syms):
    """A random expression built from the elementwise primitives, as (sympy expr, autodiff function)."""
    if depth == 0 or rng.random() < 0.2:
        i = int(rng.integers(len(syms)))
        c = float(rng.choice([0.5, 1.0, 1.5, -0.7]))
        return c * syms[i], (lambda *a, i=i, c=c: c * a[i])
    if rng.random() < 0.45:
        s, f = _UNARY[int(rng.integers(len(_UNARY)))]
        e, g = random_expression(rng, depth - 1, syms)
        return s(e), (lambda *a, f=f, g=g: f(g(*a)))
    s, f = _BINARY[int(rng.integers(len(_BINARY)))]
    e1, g1 = random_expression(rng, depth - 1, syms)
    e2, g2 = random_expression(rng, depth - 1, syms)
    return s(e1, e2), (lambda *a, f=f, g1=g1, g2=g2: f(g1(*a), g2(*a)))


def d_by(mode, f, i):
    """Partial derivative in argument i of a scalar function of three scalars, by one mode."""
    if mode == "rev":
        return ad.grad(f, argnums=i)

    def sub(a, v):
        return a[:i] + (v,) + a[i + 1:]

    if mode == "fwd":
        return lambda *a: ad.jvp(lambda v: f(*sub(a, v)), (a[i],), (onp.ones(()),))[1]
    return lambda *a: ad.jet(lambda v: f(*sub(a, v)), (a[i],), ([onp.ones(())],))[1][0]


@pytest.mark.parametrize("seed", range(N_EXPRESSIONS))
def test_mixed_partials_match_sympy(seed):
    rng = onp.random.default_rng(seed)
    syms = sp.symbols("x y z")
    expr, fun = random_expression(rng, 4, syms)
    point = tuple(onp.asarray(v) for v in rng.uniform(-1.0, 1.0, size=3))
    for order in (1, 2, 3, 4):
        idx = [int(i) for i in rng.integers(0, 3, size=order)]
        modes = [str(m) for m in rng.choice(["rev", "fwd", "jet"], size=order)]
        f = fun
        for i, m in zip(idx, modes):
            f = d_by(m, f, i)
        got = float(f(*point))
        with mpmath.workdps(30):
            exact = float(sp.lambdify(syms, sp.diff(expr, *[syms[i] for i in idx]), "mpmath")(
                *[mpmath.mpf(float(v)) for v in point]))
        assert abs(got - exact) <= REL_TOL * max(1.0, abs(exact)), (expr, idx, modes, got, exact)
