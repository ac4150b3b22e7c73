"""testing.py: check_grads, a finite-difference checker of JVPs and VJPs to any order, shipped for users.

The method is autograd's and JAX's: a random direction ``v``, a central difference
``(f(x + eps v) - f(x - eps v)) / (2 eps)`` compared with the JVP, an inner-product test
``<u, J v> = <J^T u, v>`` for the VJP, and recursion through the jvp/vjp functions themselves for
higher orders. Step and tolerances come from a table keyed by dtype.
"""

from __future__ import annotations

import numpy as onp

from .core import raw
from .transforms import jvp, vjp
from .tree import tree_flatten, tree_map

__all__ = ["check_grads", "check_jvp", "check_vjp", "numerical_jvp", "DEFAULT_EPS", "DEFAULT_TOL"]

#: finite-difference step by dtype (JAX's table)
DEFAULT_EPS = {onp.dtype(onp.float32): 1e-2, onp.dtype(onp.float64): 1e-4}
#: relative/absolute tolerance of the comparison by dtype
DEFAULT_TOL = {onp.dtype(onp.float32): 2e-2, onp.dtype(onp.float64): 1e-5}


def _dtype(args):
    leaves = tree_flatten(list(args))[0]
    dts = [onp.result_type(raw(x)) for x in leaves]
    return onp.dtype(onp.float32) if dts and all(d == onp.float32 for d in dts) else onp.dtype(onp.float64)


def _rand_like(x, rng):
    a = raw(x)
    return rng.standard_normal(onp.shape(a)).astype(onp.result_type(a, onp.float32))


def _inner(a, b):
    la = tree_flatten(a)[0]
    lb = tree_flatten(b)[0]
    return float(sum(onp.sum(onp.real(onp.asarray(raw(x), dtype=complex) * raw(y))) for x, y in zip(la, lb)))


def _axpy(a, x, y):
    return tree_map(lambda u, v: raw(v) + a * raw(u), list(x), list(y))


def numerical_jvp(f, primals, tangents, eps):
    """Central-difference JVP ``(f(x + eps v) - f(x - eps v)) / (2 eps)`` (pytree in and out)."""
    fp = f(*_axpy(eps, tangents, primals))
    fm = f(*_axpy(-eps, tangents, primals))
    return tree_map(lambda a, b: (onp.asarray(raw(a)) - onp.asarray(raw(b))) / (2 * eps), fp, fm)


def _close(exact, numeric, tol, what):
    le = [onp.asarray(raw(x)) for x in tree_flatten(exact)[0]]
    ln = [onp.asarray(raw(x)) for x in tree_flatten(numeric)[0]]
    for a, b in zip(le, ln):
        if onp.shape(a) != onp.shape(b):
            raise AssertionError(f"{what}: shape {onp.shape(a)} (autodiff) vs {onp.shape(b)} (finite differences)")
        if not onp.allclose(a, b, rtol=tol, atol=tol, equal_nan=False):
            err = onp.max(onp.abs(a - b))
            raise AssertionError(f"{what}: autodiff and finite differences differ (max abs error {err:.3e}, "
                                 f"tolerance {tol:g})\nautodiff: {a}\nnumeric: {b}")


def check_jvp(f, args, eps=None, atol=None, rng=None):
    """Assert that ``jvp(f)`` matches central differences along a random direction."""
    rng = onp.random.default_rng(0) if rng is None else rng
    dt = _dtype(args)
    eps = DEFAULT_EPS[dt] if eps is None else eps
    tol = DEFAULT_TOL[dt] if atol is None else atol
    v = tree_map(lambda x: _rand_like(x, rng), list(args))
    _, t = jvp(f, tuple(args), tuple(v))
    _close(t, numerical_jvp(f, args, v, eps), tol, f"check_jvp({getattr(f, '__name__', 'f')})")


def check_vjp(f, args, eps=None, atol=None, rng=None):
    """Assert ``<u, J v>`` (central differences) equals ``<J^T u, v>`` (VJP) for random ``u, v``."""
    rng = onp.random.default_rng(1) if rng is None else rng
    dt = _dtype(args)
    eps = DEFAULT_EPS[dt] if eps is None else eps
    tol = DEFAULT_TOL[dt] if atol is None else atol
    out, fn = vjp(f, *args)
    u = tree_map(lambda x: _rand_like(x, rng), out)
    v = tree_map(lambda x: _rand_like(x, rng), list(args))
    ct = fn(u)
    exact = _inner(list(ct), v)
    numeric = _inner(u, numerical_jvp(f, args, v, eps))
    scale = max(1.0, abs(numeric))
    if not abs(exact - numeric) <= tol * scale:
        raise AssertionError(f"check_vjp({getattr(f, '__name__', 'f')}): <J^T u, v> = {exact!r} (vjp) but "
                             f"<u, J v> = {numeric!r} (finite differences); tolerance {tol:g}")


def check_grads(f, args, order=2, modes=("fwd", "rev"), eps=None, atol=None, rtol=None, rng=None):
    """Check derivatives of ``f`` at ``args`` against finite differences, recursively to ``order``.

    Parameters
    ----------
    f : callable
        Function of ``len(args)`` pytree arguments (real floats) returning a pytree of real arrays.
    args : tuple
        The point.
    order : int
        Highest derivative order checked (>= 1): order k checks the (k-1)-th order jvp/vjp functions.
    modes : sequence of {"fwd", "rev"}
        Which modes to check.
    eps, atol, rtol : float, optional
        Override the dtype table (:data:`DEFAULT_EPS`, :data:`DEFAULT_TOL`); ``rtol`` is an alias of
        ``atol`` (comparisons are relative to ``max(1, |value|)``).
    rng : numpy.random.Generator, optional

    Raises
    ------
    AssertionError
        With the two values, the error and the tolerance.

    Examples
    --------
    >>> import numpy as onp, autodiff.numpy as anp
    >>> from autodiff.testing import check_grads
    >>> check_grads(anp.sin, (onp.array([0.1, 0.7]),), order=3)
    """
    for m in modes:
        if m not in ("fwd", "rev"):
            raise ValueError(f"check_grads: mode {m!r} is not supported; allowed: 'fwd', 'rev'")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: order={order!r} must be an integer >= 1")
    rng = onp.random.default_rng(0) if rng is None else rng
    args = tuple(args)
    tol = atol if atol is not None else rtol
    if "fwd" in modes:
        check_jvp(f, args, eps, tol, rng)
        if order > 1:
            v = tree_map(lambda x: _rand_like(x, rng), list(args))

            def f_jvp(*a):
                return jvp(f, a, tuple(v))[1]

            check_grads(f_jvp, args, order - 1, modes, eps, atol, rtol, rng)
    if "rev" in modes:
        check_vjp(f, args, eps, tol, rng)
        if order > 1:
            out = f(*args)
            u = tree_map(lambda x: _rand_like(x, rng), out)

            def f_vjp(*a):
                return list(vjp(f, *a)[1](u))

            check_grads(f_vjp, args, order - 1, modes, eps, atol, rtol, rng)

