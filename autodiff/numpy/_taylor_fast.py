"""_taylor_fast.py: numba fast paths of the elementwise Taylor rules (jets on plain float64 arrays).

When a jet runs at the bottom of the trace stack (no enclosing transformation), primal and series are
plain arrays and the O(K^2) recurrences run in the blocked kernels of ``autodiff._series_kernels``,
with the coefficients of one value kept as rows of one (K+1, N) array so that consecutive operations
reuse it without copies. Under an enclosing transformation the differentiable rules of
``_elementwise`` are used instead (``autodiff.taylor.FAST_KERNELS = False`` forces them everywhere).
"""

from __future__ import annotations

import numpy as onp

from ..taylor import def_taylor
from ._base import Tracer, raw, zero
from ._elementwise import (
    add_p,
    cos_p,
    cosh_p,
    div_p,
    exp_p,
    log_p,
    mul_p,
    neg_p,
    pow_p,
    sin_p,
    sinh_p,
    sub_p,
    tanh_p,
)


def _plain(v):
    return v is zero or (not isinstance(v, Tracer) and onp.result_type(v) == onp.float64)


def _stack(x, terms):
    """Coefficients [x, t_1..t_K] as one (K+1, N) array; rows of one earlier kernel output are reused."""
    xa = onp.asarray(x)
    n = xa.size
    base = xa.base
    if (base is not None and type(base) is onp.ndarray and base.ndim == 2 and base.shape == (len(terms) + 1, n)
            and base.flags.c_contiguous and base.dtype == onp.float64):
        addr = base.ctypes.data
        step = n * 8
        ok = xa.__array_interface__["data"][0] == addr
        if ok:
            for k, t in enumerate(terms, 1):
                if t is zero or getattr(t, "base", None) is not base or \
                        t.__array_interface__["data"][0] != addr + k * step:
                    ok = False
                    break
        if ok:
            return base
    X = onp.empty((len(terms) + 1, n))
    X[0] = xa.ravel()
    for k, t in enumerate(terms, 1):
        if t is zero:
            X[k] = 0.0
        else:
            X[k] = onp.broadcast_to(t, xa.shape).ravel()
    return X


def _unstack(Y, shape):
    return [Y[k].reshape(shape) for k in range(1, Y.shape[0])]


def _split(Y, shape):
    """(primal, terms) views of a stacked (K+1, N) coefficient array."""
    return Y[0].reshape(shape), [Y[k].reshape(shape) for k in range(1, Y.shape[0])]


def _all_plain(*xs):
    for x in xs:
        if not _plain(x):
            return False
    return True


def _fast_unary(prim, kern, pick=None):
    from .. import _series_kernels as _sk  # noqa: F401 - compiled lazily on first use
    from .. import taylor as _taylor

    slow = prim.taylor

    def rule(order, primals, series, **params):
        x = primals[0]
        s = series[0]
        if s is not None and _taylor.FAST_KERNELS and _plain(x) and _all_plain(*s):
            Y = kern(_stack(x, s))
            if pick is not None:
                Y = Y[pick]
            return _split(Y, onp.shape(x))
        return slow(order, primals, series, **params)

    def_taylor(prim, rule)


def _install_fast_rules():
    from .. import _series_kernels as sk
    from .. import taylor as _taylor

    _fast_unary(exp_p, sk.exp)
    _fast_unary(log_p, sk.log)
    _fast_unary(sin_p, sk.sincos, 0)
    _fast_unary(cos_p, sk.sincos, 1)
    _fast_unary(sinh_p, sk.sinhcosh, 0)
    _fast_unary(cosh_p, sk.sinhcosh, 1)
    _fast_unary(tanh_p, sk.tanh)

    fast_tanh = tanh_p.taylor

    def tanh_rule(order, primals, series):
        # order <= 2 under another transformation: one fused primitive (see _fused.tanh_taylor2)
        x = primals[0]
        s = series[0]
        if s is not None and order <= 2 and not (_plain(x) and _all_plain(*s)):
            from ._fused import tanh_taylor2_p

            x1 = s[0] if s[0] is not zero else onp.zeros_like(raw(x))
            x2 = s[1] if order == 2 and s[1] is not zero else onp.zeros_like(raw(x))
            y0, y1, y2 = tanh_taylor2_p.bind(x, x1, x2)
            return y0, ([y1, y2] if order == 2 else [y1])
        return fast_tanh(order, primals, series)

    def_taylor(tanh_p, tanh_rule)

    slow_mul = mul_p.taylor

    def mul_rule(order, primals, series):
        x, y = primals
        sx, sy = series
        if (sx is not None and sy is not None and _taylor.FAST_KERNELS and onp.shape(x) == onp.shape(y)
                and _plain(x) and _plain(y) and all(_plain(t) for t in sx) and all(_plain(t) for t in sy)):
            if x is y and sx is sy:
                Z = sk.square(_stack(x, sx))
            else:
                Z = sk.mul(_stack(x, sx), _stack(y, sy))
            return _split(Z, onp.shape(x))
        if _taylor.FAST_KERNELS and _plain(x) and _plain(y):
            # one side constant: scale the whole stacked series at once
            if sy is None and _all_plain(*sx) and (onp.ndim(y) == 0 or onp.shape(y) == onp.shape(x)):
                return _split(_stack(x, sx) * onp.reshape(y, (1, -1) if onp.ndim(y) else ()), onp.shape(x))
            if sx is None and _all_plain(*sy) and (onp.ndim(x) == 0 or onp.shape(x) == onp.shape(y)):
                return _split(_stack(y, sy) * onp.reshape(x, (1, -1) if onp.ndim(x) else ()), onp.shape(y))
        return slow_mul(order, primals, series)

    def_taylor(mul_p, mul_rule)

    slow_div = div_p.taylor

    def div_rule(order, primals, series):
        x, y = primals
        sx, sy = series
        if (sy is not None and _taylor.FAST_KERNELS and onp.shape(x) == onp.shape(y) and _plain(x)
                and _plain(y) and all(_plain(t) for t in sy) and (sx is None or all(_plain(t) for t in sx))):
            Z = sk.div(_stack(x, sx if sx is not None else [zero] * order), _stack(y, sy))
            return _split(Z, onp.shape(x))
        return slow_div(order, primals, series)

    def_taylor(div_p, div_rule)

    slow_pow = pow_p.taylor

    def pow_rule(order, primals, series):
        x, y = primals
        sx, sy = series
        if (sy is None and sx is not None and _taylor.FAST_KERNELS and not isinstance(y, Tracer)
                and onp.ndim(y) == 0 and _plain(x) and all(_plain(t) for t in sx)):
            a = float(y)
            X = _stack(x, sx)
            if a == 2.0:
                Z = sk.square(X)
            elif a.is_integer() and 0 <= a <= 16:
                return slow_pow(order, primals, series)
            else:
                Z = sk.powc(X, onp.power(X[0], a), a)
            return _split(Z, onp.shape(x))
        return slow_pow(order, primals, series)

    def_taylor(pow_p, pow_rule)


    def linear_rule(prim, slow, sign):
        def rule(order, primals, series):
            x, y = primals
            sx, sy = series
            if (_taylor.FAST_KERNELS and onp.shape(x) == onp.shape(y) and _plain(x) and _plain(y)
                    and (sx is None or _all_plain(*sx)) and (sy is None or _all_plain(*sy))):
                if sx is not None and sy is not None:
                    Z = _stack(x, sx) + _stack(y, sy) if sign > 0 else _stack(x, sx) - _stack(y, sy)
                elif sx is not None:
                    Z = _stack(x, sx).copy()
                    Z[0] = prim.bind(x, y).ravel()
                else:
                    Z = _stack(y, sy) * sign
                    Z[0] = prim.bind(x, y).ravel()
                return _split(Z, onp.shape(x))
            return slow(order, primals, series)

        def_taylor(prim, rule)

    linear_rule(add_p, add_p.taylor, 1.0)
    linear_rule(sub_p, sub_p.taylor, -1.0)

    slow_neg = neg_p.taylor

    def neg_rule(order, primals, series):
        x = primals[0]
        s = series[0]
        if _taylor.FAST_KERNELS and s is not None and _plain(x) and _all_plain(*s):
            return _split(-_stack(x, s), onp.shape(x))
        return slow_neg(order, primals, series)

    def_taylor(neg_p, neg_rule)


_install_fast_rules()
