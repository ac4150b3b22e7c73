"""Clear errors: integer inputs, mismatched tangents, numpy functions without a primitive, and the
documented zero derivative at non-differentiable points."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp
from autodiff.core import UnsupportedOperationError


def test_grad_wrt_integer_array_is_rejected():
    with pytest.raises(ad.NonDifferentiableInputError, match="dtype int64"):
        ad.grad(lambda x: anp.sum(x * 1.0))(onp.array([1, 2, 3]))
    with pytest.raises(ad.NonDifferentiableInputError, match="float"):
        ad.jvp(anp.sin, (onp.array([1, 2]),), (onp.array([1.0, 1.0]),))


def test_tangent_shape_mismatch():
    with pytest.raises(ValueError, match=r"tangent 0 has shape \(2,\) but its primal has shape \(3,\)"):
        ad.jvp(anp.sin, (onp.ones(3),), (onp.ones(2),))


def test_tangent_dtype_mismatch():
    with pytest.raises(TypeError, match="dtype float32 but its primal has dtype float64"):
        ad.jvp(anp.sin, (onp.ones(3),), (onp.ones(3, dtype=onp.float32),))


def test_numpy_function_without_primitive_is_named():
    # numpy.linalg.eigvals has no autodiff primitive: the error names it instead of dropping the derivative
    with pytest.raises(UnsupportedOperationError, match="eigvals"):
        ad.grad(lambda a: onp.sum(onp.linalg.eigvals(a)).real)(onp.eye(2))
    with pytest.raises(UnsupportedOperationError, match="numpy.frexp"):
        ad.grad(lambda x: onp.frexp(x)[0])(1.0)
    with pytest.raises(TypeError, match="drops its derivative"):
        ad.grad(lambda x: float(x) * 2.0)(1.0)


def test_plain_numpy_ufunc_on_tracer_dispatches_to_primitive():
    # numpy's own sin on a traced value uses the registered primitive (derivative cos, analytic)
    assert abs(float(ad.grad(lambda x: onp.sin(x))(0.4)) - onp.cos(0.4)) < 1e-15


def test_missing_rule_names_primitive_and_mode():
    from autodiff.extend import Primitive

    p = Primitive("no_rules_here")
    p.impl = onp.sin
    with pytest.raises(NotImplementedError, match="'no_rules_here'.*forward"):
        ad.jvp(p.bind, (1.0,), (1.0,))
    with pytest.raises(NotImplementedError, match="'no_rules_here'.*reverse"):
        ad.grad(p.bind)(1.0)
    with pytest.raises(NotImplementedError, match="'no_rules_here'.*Taylor"):
        ad.jet(p.bind, (1.0,), ([1.0],))


def test_grad_of_non_scalar_output():
    with pytest.raises(ValueError, match=r"scalar \(shape \(\)\), got shape \(3,\)"):
        ad.grad(anp.sin)(onp.ones(3))


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match="argnums=2 is out of range"):
        ad.grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)


def test_derivative_order_validation():
    with pytest.raises(ValueError, match="order=-1"):
        ad.derivative(anp.sin, order=-1)


@pytest.mark.parametrize("f", [anp.floor, anp.sign, anp.round, anp.ceil])
def test_piecewise_constant_functions_have_zero_derivative(f):
    # documented: floor, sign, round, ceil have zero derivative (analytic, away from jumps)
    x = onp.array([0.3, -1.7, 2.2])
    onp.testing.assert_array_equal(ad.grad(lambda z: anp.sum(f(z) * z))(x), f(x))
    assert int(anp.argmax(x)) == 2


def test_item_assignment_error_suggests_at():
    def f(x):
        x[0] = 1.0
        return anp.sum(x)

    with pytest.raises(TypeError, match=r"\.at\[idx\]"):
        ad.grad(f)(onp.ones(3))


def test_check_grads_detects_a_wrong_rule():
    # a primitive with a deliberately wrong derivative must be caught by check_grads
    from autodiff.extend import Primitive, defjvp, defvjp
    from autodiff.testing import check_grads

    p = Primitive("wrong_sin")
    p.impl = onp.sin
    defjvp(p, lambda t, ans, x: t * anp.sin(x))
    defvjp(p, lambda g, ans, x: g * anp.sin(x))
    with pytest.raises(AssertionError, match="finite differences"):
        check_grads(p.bind, (onp.array([0.3, 0.5]),), order=1, modes=("fwd",))
    with pytest.raises(AssertionError, match="finite differences"):
        check_grads(p.bind, (onp.array([0.3, 0.5]),), order=1, modes=("rev",))


def test_plain_numpy_functions_with_a_primitive_dispatch():
    # numpy.linalg.solve / numpy.sum on traced values use the registered primitives: d/db sum(A^-1 b) =
    # A^-T 1 (analytic)
    A = onp.array([[3.0, 1.0], [0.5, 2.0]])
    g = ad.grad(lambda b: onp.sum(onp.linalg.solve(A, b)))(onp.array([1.0, 2.0]))
    onp.testing.assert_allclose(g, onp.linalg.solve(A.T, onp.ones(2)), rtol=1e-14)
