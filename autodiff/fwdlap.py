"""fwdlap.py: value, first and pure second derivatives along every input coordinate in one forward pass.

For a pointwise function of a batch of points (a PINN network on collocation points) the D coordinate
directions share one primal: a :class:`Diag2Tracer` holds one stacked array ``S`` of shape
``(2D+1,) + shape`` - the value, the D first derivatives and the D pure second derivatives - plus a
pending offset on the value row (a bias, folded into the next operation). A dense layer is then one
matrix product of all ``2D+1`` rows at once (one BLAS call, one tape node under reverse mode) and tanh is
one fused primitive (:func:`autodiff.numpy._fused.tanh_d2`); the jet-per-direction alternative
evaluates the primal ``D`` times. This is the "forward Laplacian" of Li et al. (2023), keeping the
diagonal per direction instead of only its sum.

Rules are written with differentiable operations, so the result is differentiated again in reverse mode
(parameter gradients of PINN losses). Operations without a rule here raise
:class:`~autodiff.core.UnsupportedOperationError`; :func:`pointwise_derivatives2` callers such as
:func:`autodiff.laplacian` then fall back to Taylor mode (``jet``).
"""

from __future__ import annotations

import numpy as onp

from .core import Trace, Tracer, UnsupportedOperationError, ops, primitives, raw, zero
from .core import shape as _shape

__all__ = ["Diag2Trace", "Diag2Tracer", "pointwise_derivatives2"]


class Diag2Tracer(Tracer):
    """Stacked rows ``S = [value, d/dx_1.., d2/dx_1^2..]`` (shape ``(2D+1,) + shape``) and ``off``, an
    offset (None or a constant broadcastable to ``shape``) still to be added to the value row."""

    __slots__ = ("S", "off", "_p")

    def __init__(self, trace, S, off=None):
        self._trace = trace
        self.S = S
        self.off = off
        self._p = None

    def _primal_value(self):
        if self._p is None:
            v = raw(self.S)[0]
            self._p = v if self.off is None else v + raw(self.off)
        return self._p

    def _shape(self):
        return tuple(_shape(self.S)[1:])

    def stacked(self):
        """``S`` with the offset added to the value row."""
        if self.off is None:
            return self.S
        return ops.add(self.S, _lift_const(self.off, self._trace.nd, _shape(self.S)[1:]))


def _lift_const(c, nd, shape):
    """A constant as a bundle: ``[c, 0, ..., 0]`` of shape ``(2nd+1,) + broadcast shape``."""
    cs = _shape(c)
    n = max(len(cs), len(shape))
    c = ops.reshape(c, (1,) + (1,) * (n - len(cs)) + tuple(cs))
    mask = onp.zeros((2 * nd + 1,) + (1,) * n, dtype=onp.result_type(raw(c)))
    mask[0] = 1
    return ops.multiply(c, mask)


def _unsupported(prim):
    return UnsupportedOperationError(f"pointwise_derivatives2: no forward-Laplacian rule for primitive "
                                     f"'{prim.name}'")


class Diag2Trace(Trace):
    """Interpreter propagating the stacked value / first / pure second derivative rows."""

    __slots__ = ("nd",)

    def __init__(self, nd):
        super().__init__()
        self.nd = nd

    def process(self, prim, args, params):
        mine = [isinstance(a, Diag2Tracer) and a._trace is self for a in args]
        rule = _rules.get(prim.name)
        if rule is None:
            raise _unsupported(prim)
        return rule(self, prim, args, mine, params)


# ----- helpers -------------------------------------------------------------------------------------


def _rows(trace, x):
    """(value, first (D,...), second (D,...)) of a tracer, offset applied."""
    S = x.stacked()
    nd = trace.nd
    return ops.getitem(S, (0,)), ops.getitem(S, (slice(1, 1 + nd),)), ops.getitem(S, (slice(1 + nd, None),))


def _assemble(v, g, h):
    return ops.concatenate([ops.expand_dims(v, 0), g, h], axis=0)


def _rank_align(S, ex_shape, nd_target):
    """Insert axes after the stacking axis so the example rank is ``nd_target`` (numpy broadcasting)."""
    r = len(ex_shape)
    if r >= nd_target:
        return S
    return ops.reshape(S, (_shape(S)[0],) + (1,) * (nd_target - r) + tuple(ex_shape))


def _const_for_stack(c, ex_rank):
    """A constant broadcasting against stacked arrays: its rank must not exceed the example rank."""
    return c if len(_shape(c)) <= ex_rank else None


# ----- rules ---------------------------------------------------------------------------------------


def _add_sub(sign):
    def rule(trace, prim, args, mine, params):
        x, y = args
        if mine[0] and mine[1]:
            sx, sy = x.stacked(), y.stacked()
            n = max(len(x.shape), len(y.shape))
            sx, sy = _rank_align(sx, x.shape, n), _rank_align(sy, y.shape, n)
            return Diag2Tracer(trace, ops.add(sx, sy) if sign > 0 else ops.subtract(sx, sy))
        t, c = (x, y) if mine[0] else (y, x)
        if onp.broadcast_shapes(tuple(t.shape), tuple(_shape(c))) != tuple(t.shape):
            # the constant enlarges the shape: add it to the value row now
            n = max(len(t.shape), len(_shape(c)))
            st = _rank_align(t.stacked(), t.shape, n)
            lc = _lift_const(c, trace.nd, t.shape)
            if sign > 0:
                return Diag2Tracer(trace, ops.add(st, lc))
            return Diag2Tracer(trace, ops.subtract(st, lc) if mine[0] else ops.subtract(lc, st))
        if mine[0]:  # t +- c
            cc = c if sign > 0 else ops.negative(c)
            return Diag2Tracer(trace, t.S, cc if t.off is None else ops.add(t.off, cc))
        # c - t  (or c + t)
        if sign > 0:
            return Diag2Tracer(trace, t.S, c if t.off is None else ops.add(t.off, c))
        off = c if t.off is None else ops.subtract(c, t.off)
        return Diag2Tracer(trace, ops.negative(t.S), off)

    return rule


def _neg(trace, prim, args, mine, params):
    (x,) = args
    return Diag2Tracer(trace, ops.negative(x.S), None if x.off is None else ops.negative(x.off))


def _scale(trace, t, c, div=False):
    c2 = _const_for_stack(c, len(t.shape))
    if c2 is None:
        S = _rank_align(t.S, t.shape, len(_shape(c)))
    else:
        S = t.S
    op = ops.divide if div else ops.multiply
    return Diag2Tracer(trace, op(S, c), None if t.off is None else op(t.off, c))


def _mul(trace, prim, args, mine, params):
    x, y = args
    if not (mine[0] and mine[1]):
        t, c = (x, y) if mine[0] else (y, x)
        return _scale(trace, t, c)
    xv, xg, xh = _rows(trace, x)
    yv, yg, yh = _rows(trace, y)
    v = ops.multiply(xv, yv)
    g = ops.add(ops.multiply(xg, yv), ops.multiply(xv, yg))
    h = ops.add(ops.add(ops.multiply(xh, yv), ops.multiply(xv, yh)), ops.multiply(2.0, ops.multiply(xg, yg)))
    return Diag2Tracer(trace, _assemble(v, g, h))


def _div(trace, prim, args, mine, params):
    x, y = args
    if mine[0] and not mine[1]:
        return _scale(trace, x, y, div=True)
    inv = _unary_generic(trace, primitives["power"], [y, -1.0], [True, False], {})
    if mine[0]:
        return _mul(trace, prim, [x, inv], [True, True], params)
    return _scale(trace, inv, x)


def _matmul(trace, prim, args, mine, params):
    x, w = args
    if mine[0] and mine[1]:
        xv, xg, xh = _rows(trace, x)
        wv, wg, wh = _rows(trace, w)
        v = ops.matmul(xv, wv)
        g = ops.add(ops.matmul(xg, wv), ops.matmul(xv, wg))
        h = ops.add(ops.add(ops.matmul(xh, wv), ops.matmul(xv, wh)), ops.multiply(2.0, ops.matmul(xg, wg)))
        return Diag2Tracer(trace, _assemble(v, g, h))
    if mine[0]:
        xs, ws = x.shape, _shape(w)
        if len(ws) > 2 and len(ws) > len(xs):
            raise _unsupported(prim)
        if len(xs) == 2 and len(ws) == 2:
            # all 2D+1 rows in one matrix product (one BLAS call, one tape node)
            k = _shape(x.S)[0]
            S = ops.reshape(ops.matmul(ops.reshape(x.S, (k * xs[0], xs[1])), w), (k, xs[0], ws[1]))
        else:
            S = ops.matmul(x.S, w)
        if x.off is None:
            return Diag2Tracer(trace, S)
        if len(_shape(x.off)) >= 1:  # (rows + off) @ w = rows @ w + off @ w
            return Diag2Tracer(trace, S, ops.matmul(x.off, w))
        return Diag2Tracer(trace, ops.matmul(x.stacked(), w))
    # constant @ tracer: numpy broadcasting over the stacking axis
    c, t = x, w
    if len(t.shape) < 2 or len(_shape(c)) > len(t.shape):
        raise _unsupported(prim)
    return Diag2Tracer(trace, ops.matmul(c, t.stacked()))


def _tanh(trace, prim, args, mine, params):
    from .numpy._fused import tanh_d2

    (x,) = args
    off = x.off if x.off is not None else onp.zeros((), dtype=onp.result_type(raw(x.S)))
    return Diag2Tracer(trace, tanh_d2(x.S, off, trace.nd))


def _unary_generic(trace, prim, args, mine, params):
    """Elementwise f of one traced argument: f', f''/2 from the primitive's order-2 Taylor rule."""
    ti = [i for i, m in enumerate(mine) if m]
    if len(ti) != 1 or prim.taylor is None:
        raise _unsupported(prim)
    i = ti[0]
    v, g, h = _rows(trace, args[i])
    primals = list(args)
    primals[i] = v
    series = [None] * len(args)
    series[i] = [onp.ones(_shape(v), dtype=onp.result_type(raw(v))), zero]
    y0, (c1, c2) = prim.taylor(2, primals, series, **params)
    if c1 is zero:
        gy = ops.multiply(g, 0.0)
        hy = ops.multiply(h, 0.0) if c2 is zero else ops.multiply(ops.multiply(2.0, c2), ops.multiply(g, g))
    else:
        gy = ops.multiply(c1, g)
        hy = ops.multiply(c1, h)
        if c2 is not zero:
            hy = ops.add(hy, ops.multiply(ops.multiply(2.0, c2), ops.multiply(g, g)))
    return Diag2Tracer(trace, _assemble(y0, gy, hy))


def _shift_axis(axis, ndim):
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, int):
        return axis % ndim + 1 if ndim else 1
    return tuple(a % ndim + 1 for a in axis)


def _sum(trace, prim, args, mine, params):
    (x,) = args
    p = dict(params)
    p["axis"] = _shift_axis(p.get("axis"), len(x.shape))
    return Diag2Tracer(trace, prim.bind(x.stacked(), **p))


def _reshape(trace, prim, args, mine, params):
    (x,) = args
    k = _shape(x.S)[0]
    return Diag2Tracer(trace, prim.bind(x.stacked(), shape=(k,) + tuple(params["shape"])))


def _transpose(trace, prim, args, mine, params):
    (x,) = args
    return Diag2Tracer(trace, prim.bind(x.stacked(), axes=(0,) + tuple(a + 1 for a in params["axes"])))


def _getitem(trace, prim, args, mine, params):
    (x,) = args
    from .batching import _advanced_split

    idx = params["idx"]
    if any(isinstance(i, type(Ellipsis)) for i in idx) or _advanced_split(idx):
        raise _unsupported(prim)
    return Diag2Tracer(trace, prim.bind(x.stacked(), idx=(slice(None),) + tuple(idx)))


def _broadcast_to(trace, prim, args, mine, params):
    (x,) = args
    shape = tuple(params["shape"])
    S = _rank_align(x.stacked(), x.shape, len(shape))
    return Diag2Tracer(trace, prim.bind(S, shape=(_shape(S)[0],) + shape))


def _concatenate(trace, prim, args, mine, params):
    parts = [a.stacked() if m else _lift_const(a, trace.nd, _shape(a)) for a, m in zip(args, mine)]
    return Diag2Tracer(trace, prim.bind(*parts, axis=params["axis"] + 1))


def _astype(trace, prim, args, mine, params):
    (x,) = args
    return Diag2Tracer(trace, prim.bind(x.stacked(), **params))


_ELEMENTWISE_UNARY = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "sin", "cos", "tan",
                      "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "abs", "power",
                      "erf", "erfc", "expit", "maximum", "minimum", "tanh_taylor2"]

_rules = {
    "add": _add_sub(1), "subtract": _add_sub(-1), "negative": _neg, "multiply": _mul, "divide": _div,
    "matmul": _matmul, "tanh": _tanh, "sum": _sum, "reshape": _reshape, "transpose": _transpose,
    "getitem": _getitem, "broadcast_to": _broadcast_to, "concatenate": _concatenate, "astype": _astype,
}
for _n in _ELEMENTWISE_UNARY:
    _rules[_n] = _unary_generic
_rules.pop("tanh_taylor2")


def pointwise_derivatives2(f, x):
    """Value, first derivatives and pure second derivatives of a pointwise function, in one pass.

    Parameters
    ----------
    f : callable
        ``f(x) -> u`` with ``x`` of shape (N, D); row ``i`` of ``u`` depends only on row ``i`` of ``x``
        (a network applied to points). ``u`` has shape (N,) or (N, M).
    x : array, shape (N, D)

    Returns
    -------
    u : array
        ``f(x)``.
    grads : array, shape (D,) + u.shape
        ``du/dx_d``.
    second : array, shape (D,) + u.shape
        ``d2u/dx_d^2`` (the Laplacian is their sum over the first axis).

    Raises
    ------
    UnsupportedOperationError
        When ``f`` uses an operation without a forward-Laplacian rule (use :func:`autodiff.jet` then).

    Examples
    --------
    >>> import numpy as onp, autodiff.numpy as anp
    >>> from autodiff.fwdlap import pointwise_derivatives2
    >>> u, g, h = pointwise_derivatives2(lambda x: anp.sum(x ** 3, axis=1), onp.ones((2, 2)))
    >>> h[:, 0]
    array([6., 6.])
    """
    s = _shape(x)
    if len(s) != 2:
        raise ValueError(f"pointwise_derivatives2: points must have shape (N, D), got shape {s}")
    n, d = s
    dt = onp.result_type(raw(x))
    if not onp.issubdtype(dt, onp.floating):
        dt = onp.dtype(onp.float64)
    seed = onp.zeros((2 * d + 1, n, d), dtype=dt)
    for k in range(d):
        seed[1 + k, :, k] = 1.0
    if isinstance(x, Tracer):
        S = ops.add(seed, _lift_const(x, d, s))
    else:
        seed[0] = x
        S = seed
    trace = Diag2Trace(d)
    out = f(Diag2Tracer(trace, S))
    if not (isinstance(out, Diag2Tracer) and out._trace is trace):
        z = ops.multiply(out, 0.0)
        zs = ops.broadcast_to(z, (d,) + _shape(out))
        return out, zs, zs
    S = out.S
    v = ops.getitem(S, (0,))
    if out.off is not None:
        v = ops.add(v, out.off)
    return v, ops.getitem(S, (slice(1, 1 + d),)), ops.getitem(S, (slice(1 + d, None),))
