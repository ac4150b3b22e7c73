"""Tests of the public vmap (vs explicit Python loops), its composition with grad/jacfwd/jacrev, the
lazy (scaled / scattered) batched tangents behind jacfwd and hessian, and jacfwd/jacrev with pytree
outputs and has_aux."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp

RNG = onp.random.default_rng(7)


def _loop(f, in_axes, args, out_axis=0):
    """Reference: call f on every slice and stack (the definition of vmap)."""
    n = next(onp.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    outs = []
    for i in range(n):
        outs.append(f(*[a if ax is None else onp.take(a, i, axis=ax) for a, ax in zip(args, in_axes)]))
    return onp.stack([onp.asarray(o) for o in outs], axis=out_axis)


FUNCS = [
    ("elementwise", lambda x, y: anp.sin(x) * anp.exp(-y) + anp.tanh(x * y) / (1.0 + y ** 2), (0, 0)),
    ("matvec", lambda a, v: a @ v, (0, None)),
    ("vecmat", lambda v, a: anp.tanh(v @ a), (0, None)),
    ("reductions", lambda x, y: anp.sum(x ** 2, axis=0) + anp.max(y) * anp.mean(x), (1, 0)),
    ("slicing", lambda x, y: anp.concatenate([x[1:] * 2.0 - x[:-1], y[::2]]), (0, 0)),
    ("shapes", lambda x, y: anp.reshape(anp.transpose(anp.outer(x, y)), (-1,))[::3], (0, None)),
    ("where", lambda x, y: anp.where(x > y, x * y, -x), (0, 0)),
    ("einsum", lambda x, y: anp.einsum("i,i->", x, y) * x, (-1, 0)),
    ("index_add", lambda x, y: anp.index_add(x, onp.array([0, 2, 0]), y[:3] * 3.0), (0, 0)),
]


@pytest.mark.parametrize("name,f,in_axes", FUNCS, ids=[c[0] for c in FUNCS])
def test_vmap_matches_python_loop(name, f, in_axes):
    x = RNG.normal(size=(4, 5))
    y = RNG.normal(size=(4, 5)) if in_axes[1] is not None else RNG.normal(size=(5,))
    if name == "matvec":
        x, y = RNG.normal(size=(4, 3, 5)), RNG.normal(size=5)
    if name == "vecmat":
        y = RNG.normal(size=(5, 3))
    if name == "shapes":
        y = RNG.normal(size=3)
    if name == "reductions":
        y = RNG.normal(size=(5, 3))
    if name == "einsum":
        y = RNG.normal(size=(5, 4))
    got = ad.vmap(f, in_axes=in_axes)(x, y)
    ref = _loop(f, [a % x.ndim if a is not None else None for a in in_axes], [x, y])  # loop reference
    onp.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13)


def test_vmap_pytrees_in_and_out_axes():
    params = {"w": RNG.normal(size=(3, 6)), "b": RNG.normal(size=3)}
    xs = RNG.normal(size=(6, 5))  # batch on axis 1

    def f(p, x):
        h = p["w"] @ x + p["b"]
        return {"h": h, "s": anp.sum(h ** 2)}, [p["b"] * 2.0]

    out, const = ad.vmap(f, in_axes=({"w": None, "b": None}, 1), out_axes=({"h": 1, "s": 0}, None))(params, xs)
    for i in range(5):  # loop reference
        ref, _ = f(params, xs[:, i])
        onp.testing.assert_allclose(out["h"][:, i], ref["h"], rtol=1e-14)
        onp.testing.assert_allclose(out["s"][i], ref["s"], rtol=1e-14)
    onp.testing.assert_allclose(const[0], params["b"] * 2.0, rtol=0)


def test_per_example_gradients_and_nesting():
    w = RNG.normal(size=4)
    xs, ys = RNG.normal(size=(6, 4)), RNG.normal(size=6)

    def loss(w, x, y):
        return (anp.tanh(x @ w) - y) ** 2

    got = ad.vmap(ad.grad(loss), in_axes=(None, 0, 0))(w, xs, ys)
    ref = onp.stack([ad.grad(loss)(w, x, y) for x, y in zip(xs, ys)])  # loop of grad
    onp.testing.assert_allclose(got, ref, rtol=1e-13)
    # analytic: d/dw (tanh(x.w) - y)^2 = 2 (tanh - y) (1 - tanh^2) x
    t = onp.tanh(xs @ w)
    onp.testing.assert_allclose(got, (2 * (t - ys) * (1 - t ** 2))[:, None] * xs, rtol=1e-12)
    # grad of a vmapped sum equals the sum of per-example gradients
    g = ad.grad(lambda w: anp.sum(ad.vmap(loss, in_axes=(None, 0, 0))(w, xs, ys)))(w)
    onp.testing.assert_allclose(g, ref.sum(0), rtol=1e-12)
    # vmap of jacfwd / jacrev / hessian vs loops
    f = lambda x: anp.sin(x) * anp.sum(x ** 3)  # noqa: E731
    for tr in (ad.jacfwd, ad.jacrev, lambda h: ad.hessian(lambda z: anp.sum(h(z)))):
        got = ad.vmap(tr(f))(xs)
        ref = onp.stack([tr(f)(x) for x in xs])
        onp.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
    # vmap inside jacfwd: Jacobian of a batched map is block diagonal
    J = ad.jacfwd(lambda z: ad.vmap(anp.sin)(z))(xs[:2])
    onp.testing.assert_allclose(J.reshape(8, 8), onp.diag(onp.cos(xs[:2]).ravel()), atol=1e-15)


def test_vmap_errors():
    x = onp.ones((3, 2))
    with pytest.raises(ValueError, match="different sizes"):
        ad.vmap(lambda a, b: a + b)(x, onp.ones((4, 2)))
    with pytest.raises(ValueError, match="entries"):
        ad.vmap(lambda a, b: a + b, in_axes=(0,))(x, x)
    with pytest.raises(ValueError, match="out of range"):
        ad.vmap(lambda a: a, in_axes=2)(x)
    with pytest.raises(ValueError, match="depends on the mapped"):
        ad.vmap(lambda a: a * 2.0, out_axes=None)(x)
    with pytest.raises(ValueError, match="no argument is mapped"):
        ad.vmap(lambda a: a, in_axes=None)(x)
    with pytest.raises(ValueError, match="keys"):
        ad.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": x})


def test_jac_pytree_outputs_and_has_aux():
    x = RNG.normal(size=3)
    y = RNG.normal(size=2)

    def f(x, y):
        return {"p": x * y[0], "q": [anp.sum(x ** 2) * y]}, anp.cos(x)

    for jac in (ad.jacfwd, ad.jacrev):
        (J, aux) = jac(f, argnums=(0, 1), has_aux=True)(x, y)
        onp.testing.assert_allclose(aux, onp.cos(x), rtol=0)
        # analytic Jacobian blocks
        onp.testing.assert_allclose(J["p"][0], y[0] * onp.eye(3), rtol=1e-15)
        onp.testing.assert_allclose(J["p"][1], onp.stack([x, onp.zeros(3)], axis=1), rtol=1e-15)
        onp.testing.assert_allclose(J["q"][0][0], onp.outer(y, 2 * x), rtol=1e-14)
        onp.testing.assert_allclose(J["q"][0][1], onp.sum(x ** 2) * onp.eye(2), rtol=1e-14)
        # pytree argument, single argnum
        Jd = jac(lambda p: p["a"] * anp.sum(p["b"]))({"a": x, "b": y})
        onp.testing.assert_allclose(Jd["a"], onp.sum(y) * onp.eye(3), rtol=1e-15)
        onp.testing.assert_allclose(Jd["b"], onp.outer(x, onp.ones(2)), rtol=1e-15)


def _rosen(x):
    return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@pytest.mark.parametrize("dtype,rtol", [(onp.float64, 1e-13), (onp.float32, 2e-5)])
def test_lazy_batched_tangents_hessian(dtype, rtol):
    # scaled tangents (products by primal factors), fused sums and the scattered transposes of the
    # overlapping slices x[1:], x[:-1], x[2:] all meet in this Hessian
    x = RNG.uniform(-1, 1, 12).astype(dtype)

    def f(x):
        return _rosen(x) + anp.sum(x[2:] * x[:-2] * 0.5) - anp.sum(-(x[::2] ** 3))

    H = ad.hessian(f)(x)
    assert H.dtype == dtype
    xd = x.astype(onp.float64)
    n = x.size
    ref = onp.zeros((n, n))  # analytic Hessian
    i = onp.arange(n - 1)
    ref[i, i] += 1200 * xd[:-1] ** 2 - 400 * xd[1:] + 2
    ref[i + 1, i + 1] += 200
    ref[i, i + 1] += -400 * xd[:-1]
    ref[i + 1, i] += -400 * xd[:-1]
    j = onp.arange(n - 2)
    ref[j, j + 2] += 0.5
    ref[j + 2, j] += 0.5
    k = onp.arange(0, n, 2)
    ref[k, k] += 6 * xd[k]
    onp.testing.assert_allclose(H, ref, rtol=rtol, atol=rtol * 1e3)
    # jacfwd of a gradient equals jacrev of it (independent batched reverse path)
    onp.testing.assert_allclose(ad.jacrev(ad.grad(f))(x), H, rtol=rtol, atol=rtol * 1e3)


def test_vmap_piecewise_functions_and_their_derivatives():
    # comparisons, where, maximum (relu), sign, floor_divide map over the batch; their derivative
    # choices are made per example (reference: loops of grad)
    w = RNG.normal(size=4)
    xs = RNG.normal(size=(5, 4))

    def f(w, x):
        h = anp.maximum(x * w, 0.0) + anp.where(x > w, anp.sin(x * w), x ** 2 * w) + anp.abs(w - x)
        return anp.sum(h * anp.sign(x) + anp.floor_divide(x, 0.5) * w)

    got = ad.vmap(ad.grad(f), in_axes=(None, 0))(w, xs)
    ref = onp.stack([ad.grad(f)(w, x) for x in xs])
    onp.testing.assert_allclose(got, ref, rtol=1e-13)
    onp.testing.assert_allclose(ad.vmap(f, in_axes=(None, 0))(w, xs), [f(w, x) for x in xs], rtol=1e-13)
    assert ad.vmap(lambda x: anp.zeros(anp.shape(x)) + x)(xs).shape == xs.shape  # per-example shape
    with pytest.raises(ad.UnsupportedOperationError, match="argmax"):
        ad.vmap(lambda x: anp.argmax(x))(xs)


def test_vmap_like_constructors_have_the_per_example_shape():
    # reference: the unbatched function applied example by example. zeros_like/ones_like/full_like of a
    # batched value are per-example constants (they once took the batched raw shape and broadcast wrongly)
    xs = RNG.normal(size=(3, 4)).astype(onp.float32)

    def f(x):
        return anp.sum(anp.zeros_like(x) + 2.0 * anp.ones_like(x) * x + anp.full_like(x, 0.5)) + anp.sum(x * x)

    onp.testing.assert_allclose(ad.vmap(f)(xs), [f(x) for x in xs], rtol=1e-6)
    onp.testing.assert_allclose(ad.vmap(ad.grad(f))(xs), 2.0 + 2.0 * xs, rtol=1e-6)
    assert ad.vmap(lambda x: anp.zeros_like(x))(xs).shape == xs.shape
    assert anp.zeros_like(xs[0]).dtype == onp.float32
