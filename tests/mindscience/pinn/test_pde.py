"""The sympy PDE front end: derivative plan, compiled residuals vs analytic residuals and hand-written autodiff."""

import numpy as np
import pytest
import sympy as sp

import autodiff as ad
import autodiff.numpy as anp
from mindscience.errors import InputError
from mindscience.nn.layers import MLP
from mindscience.pinn.derivatives import nested_forward, nested_forward_backend, taylor_backend
from mindscience.pinn.pde import PDE, DerivativePlan, derivative_name, multi_indices, sympy_function_backend

x, y, t = sp.symbols("x y t")
u, v, k = sp.Function("u"), sp.Function("v"), sp.Function("k")
nu = sp.Symbol("nu")
RESIDUAL_ATOL = 1e-10  # the tolerance for compiled vs analytic residuals


def _points(rng, n=40, d=2):
    return rng.uniform(-1, 1, size=(n, d))


def test_plan_shares_derivatives_between_equations():
    pde = PDE([sp.diff(u(x, y), x, 2) + sp.diff(v(x, y), x, y), sp.diff(u(x, y), x, 2) * sp.diff(v(x, y), y)],
              (x, y), [u, v])
    assert pde.plan.alphas == ((0, 0), (0, 1), (2, 0), (1, 1))
    assert pde.plan.pure == {0: 2, 1: 1}
    assert pde.plan.mixed == ((1, 1),)
    assert [derivative_name(a, pde.coords) for a in pde.plan.alphas] == ["", "y", "xx", "xy"]


def test_plan_keeps_only_maximal_mixed_indices():
    plan = DerivativePlan.from_alphas(3, [(1, 1, 0), (2, 1, 0), (1, 1, 1), (0, 0, 3)])
    assert plan.mixed == ((1, 1, 1), (2, 1, 0))
    assert plan.pure == {2: 3}
    assert plan.max_order == 3
    assert len(multi_indices(2, 2)) == 6


def test_compiled_residual_equals_analytic_residual_of_known_functions(rng):
    # A nonlinear system with a trainable coefficient, a sympy field and a callable field.
    eqs = [sp.Eq(sp.diff(u(x, y), x, 2) + nu * sp.diff(u(x, y), y, 2) + u(x, y) * sp.diff(v(x, y), x, y),
                 k(x, y) * sp.sin(x)),
           sp.diff(v(x, y), x) + u(x, y) ** 2 - sp.Symbol("q")]
    pde = PDE(eqs, (x, y), [u, v], trainable={nu: 0.5}, fields={k: 1 + x**2 * y, "q": lambda X: np.cos(X[:, 1])})
    ue, ve = sp.sin(x) * sp.exp(y), x**2 * y + sp.cos(x * y)
    X = _points(rng)
    # reference: the residual expression with the known functions substituted, differentiated by sympy
    ref = []
    for e in eqs:
        e = e.lhs - e.rhs if isinstance(e, sp.Equality) else e
        e = e.subs({k(x, y): 1 + x**2 * y, nu: 1.7}).subs({u(x, y): ue, v(x, y): ve}).doit()
        ref.append(sp.lambdify((x, y, sp.Symbol("q")), e)(X[:, 0], X[:, 1], np.cos(X[:, 1])))

    def fn(z):
        return anp.stack([anp.sin(z[:, 0]) * anp.exp(z[:, 1]), z[:, 0] ** 2 * z[:, 1] + anp.cos(z[:, 0] * z[:, 1])],
                         axis=1)

    for backend in (taylor_backend, nested_forward_backend, sympy_function_backend([ue, ve], (x, y))):
        got = pde.residual(fn, X, backend, trainable={"nu": 1.7}, namespace=anp)
        for g, r in zip(got, ref):
            np.testing.assert_allclose(np.asarray(g), r, rtol=0, atol=RESIDUAL_ATOL)


def test_compiled_residual_of_network_equals_hand_written_autodiff(rng):
    # reference: the heat-equation residual u_t - nu (u_xx + u_yy) written with nested autodiff.jvp by hand
    net = MLP([3, 8, 8, 1], activation="tanh")
    params = net.init(rng)
    X = rng.uniform(-1, 1, size=(16, 3))
    pde = PDE(sp.diff(u(x, y, t), t) - nu * (sp.diff(u(x, y, t), x, 2) + sp.diff(u(x, y, t), y, 2)), (x, y, t), [u],
              trainable={nu: 0.3})

    def f(z):
        return net.apply(params, z)

    def e(i):
        out = np.zeros_like(X)
        out[:, i] = 1.0
        return out

    def second(i):
        return ad.jvp(lambda z: ad.jvp(f, (z,), (e(i),))[1], (X,), (e(i),))[1][:, 0]

    u_t = ad.jvp(f, (X,), (e(2),))[1][:, 0]
    hand = u_t - 0.3 * (second(0) + second(1))
    got = pde.residual(f, X, taylor_backend, namespace=anp)[0]
    np.testing.assert_allclose(np.asarray(got), hand, rtol=0, atol=1e-12)


def test_nested_forward_gives_all_sub_derivatives(rng):
    # reference: closed-form derivatives of f = sin(x) y^2
    X = _points(rng, 10)
    out = nested_forward(lambda z: (anp.sin(z[:, 0]) * z[:, 1] ** 2)[:, None], X, [0, 1, 1])
    s, c, yy = np.sin(X[:, 0]), np.cos(X[:, 0]), X[:, 1]
    expected = {(0, 0): s * yy**2, (1, 0): c * yy**2, (0, 1): 2 * s * yy, (1, 1): 2 * c * yy, (0, 2): 2 * s,
                (1, 2): 2 * c}
    assert set(out) == set(expected)
    for a, val in expected.items():
        np.testing.assert_allclose(np.asarray(out[a])[:, 0], val, rtol=1e-13, atol=1e-14)


def test_high_order_pure_derivatives_by_taylor_mode(rng):
    # reference: d^k/dx^k sin(2x) = 2^k sin(2x + k pi / 2)
    X = _points(rng, 10, 1)
    plan = DerivativePlan.from_alphas(1, [(k,) for k in range(1, 7)])
    out = taylor_backend(lambda z: anp.sin(2 * z), X, plan)
    for kk in range(7):
        np.testing.assert_allclose(np.asarray(out[(kk,)])[:, 0], 2**kk * np.sin(2 * X[:, 0] + kk * np.pi / 2),
                                   rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("make", "match"), [
    (lambda: PDE(sp.diff(u(x, y), x) + v(x, y), (x, y), [u]), r"references v\(x, y\), which is not among the network"),
    (lambda: PDE(sp.diff(u(x, y), x) - sp.Symbol("c"), (x, y), [u]), r"uses symbols \['c'\]"),
    (lambda: PDE(sp.diff(u(x, y), x), (x,), [u]), r"uses u\(x, y\), but the unknown is u\(x\)"),
    (lambda: PDE(sp.diff(u(x, y), x), (x,), [u(x, y)]), "must depend on distinct coordinates"),
    (lambda: PDE(sp.diff(k(x, y), x) + u(x, y), (x, y), [u], fields={k: lambda X: X[:, 0]}),
     "give the field as a sympy expression"),
    (lambda: PDE([], (x, y), [u]), "equations is empty"),
    (lambda: PDE(u(x, y), ("x", "y"), [u]), "must be a non-empty sequence of sympy Symbols"),
    (lambda: PDE(u(x, y), (x, y), [u, u]), "repeated functions"),
    (lambda: PDE([u(x, y), u(x, y) - 1], (x, y), [u], names=["a"]), "must give 2 distinct names"),
])
def test_bad_pde_raises_clear_errors(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_unknown_trainable_name_raises():
    pde = PDE(sp.diff(u(x), x) - nu, (x,), [u], trainable={nu: 1.0})
    with pytest.raises(InputError, match=r"trainable coefficient 'mu' is not in the PDE; known: \['nu'\]"):
        pde.trainable_values({"mu": 2.0})


def test_residual_gradient_with_respect_to_parameters_and_coefficient(rng):
    # reverse mode over the Taylor-mode residual: compare with central differences of the loss
    net = MLP([2, 6, 1], activation="tanh")
    params = net.init(rng)
    X = _points(rng, 12)
    pde = PDE(sp.diff(u(x, y), x, 2) + nu * sp.diff(u(x, y), y, 2) - sp.sin(x), (x, y), [u], trainable={nu: 1.0})

    def loss(p, c):
        r = pde.residual(lambda z: net.apply(p, z), X, taylor_backend, trainable={"nu": c}, namespace=anp)[0]
        return anp.mean(r * r)

    g = ad.grad(loss, argnums=1)(params, 0.8)
    h = 1e-6
    fd = (float(loss(params, 0.8 + h)) - float(loss(params, 0.8 - h))) / (2 * h)
    assert float(g) == pytest.approx(fd, rel=1e-6)
    from autodiff.testing import check_grads

    check_grads(lambda p: loss(p, 0.8), (params,), order=1, modes=("rev",))
