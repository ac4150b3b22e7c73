"""_reductions.py: reduction and scan primitives with their rules, and reductions built from them."""

from __future__ import annotations

import numpy as onp

from ..taylor import def_comp, def_taylor
from ._base import (
    Primitive,
    defjvp,
    deflinear,
    defvjp,
    normalize_axis,
    ops,
    raw,
    shape_of,
    zero,
)

__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "var", "std", "cumsum", "cumprod",
           "logsumexp", "average", "nansum"]


def _kd_shape(shape, axis):
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _expand_back(g, x, axis, keepdims):
    """Broadcast a reduced cotangent ``g`` back to the shape of ``x``."""
    xs = shape_of(x)
    if not keepdims:
        g = ops.reshape(g, _kd_shape(xs, axis))
    return ops.broadcast_to(g, xs)


sum_p = Primitive("sum")
sum_p.impl = lambda x, axis, keepdims: onp.sum(x, axis=axis, keepdims=keepdims)
deflinear(sum_p, lambda g, ans, x, axis, keepdims: _expand_back(g, x, axis, keepdims))


def sum(x, axis=None, keepdims=False):  # noqa: A001 - numpy name
    """Sum over ``axis`` (all axes when None).

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> ad.grad(lambda x: anp.sum(x ** 2))(onp.array([1.0, 2.0]))
    array([2., 4.])
    """
    axis = normalize_axis(axis, len(shape_of(x)))
    return sum_p.bind(x, axis=axis, keepdims=bool(keepdims))


def nansum(x, axis=None, keepdims=False):
    """Sum treating NaN as zero."""
    return sum(ops.where(onp.isnan(raw(x)), 0.0, x), axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``."""
    ax = normalize_axis(axis, len(shape_of(x)))
    n = int(onp.prod([shape_of(x)[a] for a in ax])) if ax else 1
    return ops.multiply(sum(x, ax, keepdims), 1.0 / n)


def average(x, axis=None, weights=None):
    """Weighted average over ``axis``."""
    if weights is None:
        return mean(x, axis)
    return ops.divide(sum(ops.multiply(x, weights), axis), sum(ops.broadcast_to(weights, shape_of(x)), axis))


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance over ``axis`` with ``ddof`` delta degrees of freedom."""
    ax = normalize_axis(axis, len(shape_of(x)))
    n = int(onp.prod([shape_of(x)[a] for a in ax])) if ax else 1
    d = ops.subtract(x, mean(x, ax, keepdims=True))
    return ops.multiply(sum(ops.multiply(d, d), ax, keepdims), 1.0 / (n - ddof))


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation over ``axis``."""
    return ops.sqrt(var(x, axis, ddof, keepdims))


def _make_extremum(name, impl):
    p = Primitive(name)
    p.impl = lambda x, axis, keepdims: impl(x, axis=axis, keepdims=keepdims)

    def weights(x, ans, axis, keepdims):
        # ties share the derivative equally (a symmetric subgradient)
        a = raw(ans)
        if not keepdims:
            a = onp.reshape(a, _kd_shape(shape_of(x), axis))
        m = (raw(x) == a).astype(float)
        return m / onp.sum(m, axis=axis, keepdims=True)

    defjvp(p, lambda t, ans, x, axis, keepdims: ops.sum(ops.multiply(t, weights(x, ans, axis, keepdims)),
                                                       axis=axis, keepdims=keepdims))
    defvjp(p, lambda g, ans, x, axis, keepdims: ops.multiply(_expand_back(g, x, axis, keepdims),
                                                             weights(x, ans, axis, keepdims)))

    def taylor(order, primals, series, axis, keepdims):
        x = primals[0]
        ans = p.bind(x, axis=axis, keepdims=keepdims)
        if series[0] is None:
            return ans, None
        w = weights(x, ans, axis, keepdims)
        return ans, [zero if t is zero else ops.sum(ops.multiply(t, w), axis=axis, keepdims=keepdims)
                     for t in series[0]]

    def_taylor(p, taylor)
    return p


amax_p = _make_extremum("amax", onp.max)
amin_p = _make_extremum("amin", onp.min)


def max(x, axis=None, keepdims=False):  # noqa: A001 - numpy name
    """Maximum over ``axis``; ties share the derivative equally."""
    return amax_p.bind(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


def min(x, axis=None, keepdims=False):  # noqa: A001 - numpy name
    """Minimum over ``axis``; ties share the derivative equally."""
    return amin_p.bind(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


amax = max
amin = min

prod_p = Primitive("prod")
prod_p.impl = lambda x, axis, keepdims: onp.prod(x, axis=axis, keepdims=keepdims)


def _ans_kd(ans, x, axis, keepdims):
    return ans if keepdims else ops.reshape(ans, _kd_shape(shape_of(x), axis))


defjvp(prod_p, lambda t, ans, x, axis, keepdims: ops.sum(
    ops.multiply(t, ops.divide(_ans_kd(ans, x, axis, keepdims), x)), axis=axis, keepdims=keepdims))
defvjp(prod_p, lambda g, ans, x, axis, keepdims: ops.multiply(
    _expand_back(g, x, axis, keepdims), ops.divide(_ans_kd(ans, x, axis, keepdims), x)))


def _prod_taylor(order, primals, series, axis, keepdims):
    # product of the factors' series, via the moved-to-front reduction axis (repeated Cauchy products)
    from ..taylor import jet_normalized

    x = primals[0]
    ans = prod_p.bind(x, axis=axis, keepdims=keepdims)
    if series[0] is None:
        return ans, None

    def f(z):
        z = ops.moveaxis(z, axis, tuple(range(len(axis))))
        z = ops.reshape(z, (-1,) + shape_of(z)[len(axis):])
        acc = z[0]
        for i in range(1, shape_of(z)[0]):
            acc = ops.multiply(acc, z[i])
        if keepdims:
            acc = ops.reshape(acc, _kd_shape(shape_of(x), axis))
        return [acc]

    _, souts = jet_normalized(f, [x], [series[0]], order)
    return ans, souts[0]


def_taylor(prod_p, _prod_taylor)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``. Derivative rule ``ans / x``: valid where ``x != 0``."""
    return prod_p.bind(x, axis=normalize_axis(axis, len(shape_of(x))), keepdims=bool(keepdims))


cumsum_p = Primitive("cumsum")
cumsum_p.impl = lambda x, axis: onp.cumsum(x, axis=axis)


def _rev_cumsum(g, axis):
    return ops.flip(ops.cumsum(ops.flip(g, axis), axis), axis)


deflinear(cumsum_p, lambda g, ans, x, axis: _rev_cumsum(g, axis))


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (flattened when None)."""
    if axis is None:
        x = ops.ravel(x)
        axis = 0
    return cumsum_p.bind(x, axis=axis % len(shape_of(x)))


cumprod_p = Primitive("cumprod")
cumprod_p.impl = lambda x, axis: onp.cumprod(x, axis=axis)
defjvp(cumprod_p, lambda t, ans, x, axis: ops.multiply(ans, ops.cumsum(ops.divide(t, x), axis)))
defvjp(cumprod_p, lambda g, ans, x, axis: ops.divide(_rev_cumsum(ops.multiply(g, ans), axis), x))


def _cumprod_comp(x, axis):
    # sequential products along the axis (O(n) operations; used for Taylor mode only)
    n = shape_of(x)[axis]
    nd = len(shape_of(x))

    def at(i):
        idx = [slice(None)] * nd
        idx[axis] = slice(i, i + 1)
        return ops.getitem(x, tuple(idx))

    parts = [at(0)]
    for i in range(1, n):
        parts.append(ops.multiply(parts[-1], at(i)))
    return ops.concatenate(parts, axis=axis)


def_comp(cumprod_p, _cumprod_comp)


def cumprod(x, axis=None):
    """Cumulative product along ``axis``. Derivative rule divides by ``x``: valid where ``x != 0``."""
    if axis is None:
        x = ops.ravel(x)
        axis = 0
    return cumprod_p.bind(x, axis=axis % len(shape_of(x)))


def logsumexp(x, axis=None, keepdims=False, b=None):
    """``log(sum(b * exp(x)))`` over ``axis``, computed stably (shift by the max, a constant)."""
    ax = normalize_axis(axis, len(shape_of(x)))
    m = onp.max(raw(x), axis=ax, keepdims=True)
    m = onp.where(onp.isfinite(m), m, 0.0)
    e = ops.exp(ops.subtract(x, m))
    if b is not None:
        e = ops.multiply(e, b)
    out = ops.add(ops.log(sum(e, ax, keepdims=True)), m)
    return out if keepdims else ops.reshape(out, tuple(n for i, n in enumerate(shape_of(out)) if i not in ax))
