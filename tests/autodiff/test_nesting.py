"""Nesting of transformations in every mix, and perturbation confusion (Siskind & Pearlmutter).

References: analytic derivatives written out in each test.
"""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp

TOL = 1e-12


@pytest.mark.parametrize("outer", ["grad", "jvp", "jet"])
@pytest.mark.parametrize("inner", ["grad", "jvp", "jet"])
def test_perturbation_confusion_classic(outer, inner):
    # d/dx [ x * d/dy (x + y) ]  = d/dx [x * 1] = 1 for every x, y (analytic)
    def d(mode, f):
        if mode == "grad":
            return ad.grad(f)
        if mode == "jvp":
            return lambda z: ad.jvp(f, (z,), (onp.ones_like(z),))[1]
        return lambda z: ad.jet(f, (z,), ([onp.ones_like(z)],))[1][0]

    for x, y in [(0.3, -1.2), (2.0, 5.0), (-4.0, 0.0)]:
        def h(xx, y=y):
            return xx * d(inner, lambda yy: xx + yy)(onp.asarray(y))

        assert abs(float(d(outer, h)(onp.asarray(x))) - 1.0) < TOL


def test_closure_capturing_outer_variable():
    # f(x) = d/dy [x * y^2] at y = x = 2 x^2 ;  f'(x) = 4 x  (analytic)
    def f(x):
        return ad.grad(lambda y: x * y ** 2)(x)

    for x in [0.5, -1.5, 3.0]:
        assert abs(float(ad.grad(f)(x)) - 4 * x) < TOL
        assert abs(float(ad.jvp(f, (onp.asarray(x),), (onp.asarray(1.0),))[1]) - 4 * x) < TOL


def test_nested_same_function_distinct_levels():
    # g(x) = d/dx [ x * d/dx(x^3) ] = d/dx [3 x^3] = 9 x^2 (analytic); the inner derivative is taken at
    # the same variable, which a tagless implementation confuses.
    def g(x):
        return ad.grad(lambda u: u * ad.grad(lambda v: v ** 3)(u))(x)

    assert abs(float(g(2.0)) - 36.0) < TOL
    assert abs(float(ad.grad(g)(2.0)) - 36.0) < TOL  # d/dx 9x^2 = 18 x


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_grad_to_depth_n(n):
    # d^n/dx^n sin(x) = sin(x + n pi / 2) (analytic)
    f = anp.sin
    for _ in range(n):
        f = ad.grad(f)
    x = 0.7
    assert abs(float(f(x)) - onp.sin(x + n * onp.pi / 2)) < 1e-10


def _fvec(x):
    return anp.stack([anp.sin(x[0]) * x[1] ** 2, anp.exp(x[0] * x[1]), x[0] ** 3 - anp.tanh(x[1])])


def _hess_analytic(x):
    a, b = x
    H0 = onp.array([[-onp.sin(a) * b ** 2, 2 * b * onp.cos(a)], [2 * b * onp.cos(a), 2 * onp.sin(a)]])
    e = onp.exp(a * b)
    H1 = onp.array([[b * b * e, e + a * b * e], [e + a * b * e, a * a * e]])
    t = onp.tanh(b)
    H2 = onp.array([[6 * a, 0.0], [0.0, 2 * t * (1 - t ** 2)]])
    return onp.stack([H0, H1, H2])


@pytest.mark.parametrize("combo", ["fwdrev", "revfwd", "fwdfwd", "revrev"])
def test_second_jacobians_all_mixes(combo):
    x = onp.array([0.4, -0.9])
    outer = ad.jacfwd if combo[:3] == "fwd" else ad.jacrev
    inner = ad.jacfwd if combo[3:] == "fwd" else ad.jacrev
    H = outer(inner(_fvec))(x)
    onp.testing.assert_allclose(H, _hess_analytic(x), rtol=1e-12, atol=1e-12)


def test_jvp_of_vjp_and_vjp_of_jvp():
    # f(x) = sum(sin(x) * x); H = diag(2 cos x - x sin x) (analytic)
    def f(x):
        return anp.sum(anp.sin(x) * x)

    x = onp.array([0.1, 0.5, -1.0])
    v = onp.array([1.0, -2.0, 0.5])
    Hv = onp.diag(2 * onp.cos(x) - x * onp.sin(x)) @ v

    def g(z):
        return ad.vjp(f, z)[1](onp.ones(()))[0]

    onp.testing.assert_allclose(ad.jvp(g, (x,), (v,))[1], Hv, rtol=TOL)

    def k(z):
        return ad.jvp(f, (z,), (v,))[1]

    onp.testing.assert_allclose(ad.vjp(k, x)[1](onp.ones(()))[0], Hv, rtol=TOL)
    onp.testing.assert_allclose(ad.hvp(f, (x,), (v,)), Hv, rtol=TOL)


def test_grad_of_jet_laplacian():
    # u(x, w) = sum(tanh(w * x)) ; Laplacian in x: sum(-2 w^2 t (1 - t^2)) with t = tanh(w x);
    # its gradient in w by reverse mode over Taylor mode, against central differences of the analytic form
    x = onp.array([0.3, -0.2, 0.8])

    def lap(w):
        tot = 0.0
        for i in range(3):
            e = onp.zeros(3)
            e[i] = 1.0
            _, (d1, d2) = ad.jet(lambda z: anp.sum(anp.tanh(w * z)), (x,), ([e, onp.zeros(3)],))
            tot = tot + d2
        return tot

    def lap_exact(w):
        t = onp.tanh(w * x)
        return onp.sum(-2 * w ** 2 * t * (1 - t ** 2))

    w = 0.9
    assert abs(float(lap(w)) - lap_exact(w)) < 1e-12
    eps = 1e-6
    fd = (lap_exact(w + eps) - lap_exact(w - eps)) / (2 * eps)
    assert abs(float(ad.grad(lap)(w)) - fd) < 1e-7


def test_pytree_arguments_and_argnums():
    # grad of a dict-parameterised function: d/dW sum(W x + b)^2 (analytic: 2 r x^T, 2 r)
    params = {"W": onp.array([[1.0, 2.0], [0.5, -1.0]]), "b": onp.array([0.1, 0.2])}
    x = onp.array([0.3, -0.7])

    def loss(p, x):
        r = p["W"] @ x + p["b"]
        return anp.sum(r ** 2)

    g = ad.grad(loss)(params, x)
    r = params["W"] @ x + params["b"]
    onp.testing.assert_allclose(g["W"], 2 * onp.outer(r, x), rtol=TOL)
    onp.testing.assert_allclose(g["b"], 2 * r, rtol=TOL)
    gp, gx = ad.grad(loss, argnums=(0, 1))(params, x)
    onp.testing.assert_allclose(gx, 2 * params["W"].T @ r, rtol=TOL)
    (val, aux), g2 = ad.value_and_grad(lambda p, x: (loss(p, x), "aux"), has_aux=True)(params, x)
    assert aux == "aux" and abs(float(val) - onp.sum(r ** 2)) < TOL


def test_linearize_matches_jvp():
    # linearize gives f(x) and the same J v as jvp (independent: analytic derivative cos(x) * v)
    x = onp.array([0.2, 1.1])
    y, f_jvp = ad.linearize(anp.sin, x)
    onp.testing.assert_allclose(y, onp.sin(x))
    onp.testing.assert_allclose(f_jvp(onp.array([1.0, 2.0])), onp.cos(x) * onp.array([1.0, 2.0]), rtol=TOL)


def test_aux_outputs_are_plain_values():
    # aux leaves computed from the differentiated input come back as values (not tape boxes)
    (val, aux), g = ad.value_and_grad(lambda x: (anp.sum(x ** 2), {"x2": x ** 2}), has_aux=True)(onp.ones(2))
    assert type(aux["x2"]) is onp.ndarray
    onp.testing.assert_array_equal(g, [2.0, 2.0])
    out, fn, aux2 = ad.vjp(lambda x: (x * 3.0, x + 1.0), onp.ones(2), has_aux=True)
    assert type(aux2) is onp.ndarray and onp.all(aux2 == 2.0)


def test_pinn_laplacian_gradient_taylor_vs_nested_reverse(rng):
    # loss(params) = mean(lap u); lap by a Taylor jet (fused tanh rule under reverse mode) vs by nested
    # reverse mode (grad of grad, an independent path); parameter gradients must agree
    X = rng.uniform(-1, 1, (6, 2))
    params = [rng.standard_normal((2, 5)), rng.standard_normal(5), rng.standard_normal((5, 5)),
              rng.standard_normal(5), rng.standard_normal((5, 1)), rng.standard_normal(1)]

    def u(p, x):
        h = x
        for i in range(0, 4, 2):
            h = anp.tanh(h @ p[i] + p[i + 1])
        return (h @ p[4] + p[5])[..., 0]

    def loss_taylor(p):
        lap = 0.0
        for d in range(2):
            e = onp.zeros_like(X)
            e[:, d] = 1.0
            lap = lap + ad.jet(lambda z: u(p, z), (X,), ([e, onp.zeros_like(X)],))[1][1]
        return anp.mean(lap ** 2)

    def loss_nested(p):
        lap = 0.0
        for n in range(X.shape[0]):
            H = ad.hessian(lambda z: u(p, z))(X[n])
            lap = lap + (H[0, 0] + H[1, 1]) ** 2
        return lap / X.shape[0]

    assert abs(float(loss_taylor(params)) - float(loss_nested(params))) < 1e-12
    for a, b in zip(ad.grad(loss_taylor)(params), ad.grad(loss_nested)(params)):
        onp.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
