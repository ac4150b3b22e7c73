"""derivatives.py: derivative backends that evaluate a :class:`~mindscience.pinn.pde.DerivativePlan` with autodiff.

A backend is a callable ``backend(fn, x, plan) -> {alpha: array (N, n_out)}``. Input derivatives are
taken in forward mode, so the whole computation stays differentiable in reverse mode with respect to
the network parameters that ``fn`` closes over:

* :func:`taylor_backend` (default): when the plan needs only first and pure second derivatives (Poisson,
  heat, Helmholtz, Burgers, ...), one forward-Laplacian pass (:func:`autodiff.pointwise_derivatives2`:
  the value, every ``d/dx_i`` and ``d^2/dx_i^2`` with the primal shared by all directions); otherwise, or
  when the network uses an operation without a forward-Laplacian rule, one Taylor-mode pass
  (``autodiff.jet``) per axis gives every pure derivative ``d^k/dx_i^k`` up to the highest order
  needed, and one nested forward pass per maximal mixed multi-index gives it and every mixed index
  below it.
* :func:`nested_forward_backend`: nested ``jvp`` for everything (forward-over-forward), the slower
  independent path used to check the Taylor backend.
"""

import numpy as onp

import autodiff as ad

__all__ = ["taylor_backend", "nested_forward_backend", "nested_forward"]


def _unit_tangent(x, axis):
    t = onp.zeros(onp.shape(x), dtype=getattr(x, "dtype", onp.float64))  # x may be a tracer in nested passes
    t[:, axis] = 1.0
    return t


def nested_forward(fn, x, axes):
    """All derivatives of ``fn`` along every subset of ``axes``, by nested forward mode.

    Parameters
    ----------
    fn : callable
        ``fn(x) -> array (N, m)``.
    x : ndarray, shape (N, d)
    axes : sequence of int
        Axis of each nesting level (repeat an axis for a higher derivative along it).

    Returns
    -------
    dict
        ``{alpha: array (N, m)}`` for the multi-index ``alpha`` of every subset of ``axes``.
    """
    axes = list(axes)
    values = _nested_list(fn, x, axes)
    k = len(axes)
    out = {}
    for i, v in enumerate(values):
        alpha = [0] * x.shape[1]
        for p in range(k):
            if (i >> (k - 1 - p)) & 1:
                alpha[axes[p]] += 1
        out.setdefault(tuple(alpha), v)
    return out


def _nested_list(fn, x, axes):
    if not axes:
        return [fn(x)]
    rest = axes[1:]
    primal, tangent = ad.jvp(lambda z: tuple(_nested_list(fn, z, rest)), (x,), (_unit_tangent(x, axes[0]),))
    return list(primal) + list(tangent)


def _axes_of(alpha):
    return [i for i, k in enumerate(alpha) for _ in range(k)]


def taylor_backend(fn, x, plan):
    """Evaluate ``plan`` with Taylor mode for pure derivatives and nested forward mode for mixed ones.

    Parameters
    ----------
    fn : callable
        ``fn(x) -> array (N, m)``.
    x : ndarray, shape (N, d)
    plan : DerivativePlan

    Returns
    -------
    dict
        ``{alpha: array (N, m)}`` for every ``alpha`` in ``plan.alphas``.
    """
    zero = (0,) * plan.dim
    if not plan.mixed and all(order <= 2 for order in plan.pure.values()):
        try:
            u, grads, second = ad.pointwise_derivatives2(fn, x)
        except ad.UnsupportedOperationError:
            pass
        else:
            out = {zero: u}
            for axis in range(plan.dim):
                alpha = [0] * plan.dim
                alpha[axis] = 1
                out[tuple(alpha)] = grads[axis]
                alpha[axis] = 2
                out[tuple(alpha)] = second[axis]
            return {a: out[a] for a in plan.alphas}
    out = {}
    for axis, order in plan.pure.items():
        e = _unit_tangent(x, axis)
        series = [e] + [onp.zeros_like(e) for _ in range(order - 1)]
        primal, terms = ad.jet(fn, (x,), (series,))
        out.setdefault(zero, primal)
        for k, term in enumerate(terms, start=1):
            alpha = [0] * plan.dim
            alpha[axis] = k
            out[tuple(alpha)] = term
    for alpha in plan.mixed:
        for a, v in nested_forward(fn, x, _axes_of(alpha)).items():
            out.setdefault(a, v)
    if zero not in out:
        out[zero] = fn(x)
    return {a: out[a] for a in plan.alphas}


def nested_forward_backend(fn, x, plan):
    """Evaluate ``plan`` with nested forward mode only (one pass per maximal multi-index).

    Same signature and result as :func:`taylor_backend`; slower for high orders, used as the
    independent path in tests.
    """
    maximal = [a for a in plan.alphas
               if not any(b != a and all(p <= q for p, q in zip(a, b)) for b in plan.alphas)]
    out = {}
    for alpha in maximal:
        for a, v in nested_forward(fn, x, _axes_of(alpha)).items():
            out.setdefault(a, v)
    return {a: out[a] for a in plan.alphas}
