"""_fused.py: fused primitives for the hot path of Taylor-mode PINN losses (with all their rules).

``tanh_taylor2`` maps the order-2 normalised Taylor coefficients ``(x0, x1, x2)`` of the input of tanh
to those of the output in one primitive::

    y0 = tanh(x0),  g = 1 - y0^2,  y1 = g x1,  y2 = g x2 - y0 y1 x1

Under reverse mode it is one tape node whose VJP is one fused numba kernel (on plain arrays) instead of
a dozen recorded elementwise operations; its JVP and VJP are also written with differentiable
operations, so it nests like every other primitive.
"""

from __future__ import annotations

import numpy as onp
from numba import njit

from ._base import Primitive, Tracer, defjvp_rule, defvjp_rule, ops, shape_of, zero

__all__ = ["tanh_taylor2"]


@njit(cache=True, fastmath=True)
def _tanh2_series_kernel(t, x1, x2, y1, y2):
    # given t = tanh(x0): the order-1 and order-2 coefficients (a loop LLVM vectorises)
    for i in range(t.size):
        g = 1.0 - t[i] * t[i]
        a = g * x1[i]
        y1[i] = a
        y2[i] = g * x2[i] - t[i] * a * x1[i]


@njit(cache=True, fastmath=True)
def _tanh2_vjp_kernel(y0, x1, x2, g0, g1, g2, r0, r1, r2):
    for i in range(y0.size):
        t = y0[i]
        g = 1.0 - t * t
        u = x1[i]
        c = -2.0 * t * g
        r0[i] = g0[i] * g + g1[i] * c * u + g2[i] * (c * x2[i] - g * (g - 2.0 * t * t) * u * u)
        r1[i] = g1[i] * g + g2[i] * c * u
        r2[i] = g2[i] * g


def _plain_float_dtype(*xs):
    """The common float32/float64 dtype of untraced ``xs``, else None (take the differentiable path)."""
    if any(isinstance(x, Tracer) for x in xs):
        return None
    dt = onp.result_type(*xs)
    return dt if dt in (onp.float32, onp.float64) else None


def _impl(x0, x1, x2):
    shape = onp.broadcast_shapes(onp.shape(x0), onp.shape(x1), onp.shape(x2))
    dt = _plain_float_dtype(x0, x1, x2) or onp.float64  # float32 in, float32 out
    a0, a1, a2 = (onp.ascontiguousarray(onp.broadcast_to(onp.asarray(v, dtype=dt), shape)).ravel()
                  for v in (x0, x1, x2))
    # numpy's SIMD tanh in float32; in float64 numpy calls scalar libm here, the vectorised kernel is 2x faster
    if dt == onp.float64:
        from ._fastmath import tanh_f64

        y0 = tanh_f64(a0)
    else:
        y0 = onp.tanh(a0)
    y1, y2 = onp.empty_like(a0), onp.empty_like(a0)
    _tanh2_series_kernel(y0, a1, a2, y1, y2)
    return y0.reshape(shape), y1.reshape(shape), y2.reshape(shape)


tanh_taylor2_p = Primitive("tanh_taylor2", multiple_results=True)
tanh_taylor2_p.impl = _impl


def _partials(y0, x1, x2):
    """The Jacobian entries of (y0, y1, y2) w.r.t. (x0, x1, x2), in differentiable operations."""
    g = ops.subtract(1.0, ops.multiply(y0, y0))
    c = ops.multiply(-2.0, ops.multiply(y0, g))
    d20 = ops.subtract(ops.multiply(c, x2),
                       ops.multiply(ops.multiply(g, ops.subtract(g, ops.multiply(2.0, ops.multiply(y0, y0)))),
                                    ops.multiply(x1, x1)))
    return g, ops.multiply(c, x1), d20


def _jvp(primals, tangents):
    x0, x1, x2 = primals
    t0, t1, t2 = tangents
    y0, y1, y2 = tanh_taylor2_p.bind(x0, x1, x2)
    g, c1, d20 = _partials(y0, x1, x2)

    def lin(*pairs):
        acc = zero
        for coef, t in pairs:
            if t is not zero:
                term = ops.multiply(coef, t)
                acc = term if acc is zero else ops.add(acc, term)
        return acc

    return (y0, y1, y2), (lin((g, t0)), lin((c1, t0), (g, t1)), lin((d20, t0), (c1, t1), (g, t2)))


def _vjp(g, ans, args, params, which):
    y0 = ans[0]
    x0, x1, x2 = args
    g0, g1, g2 = g
    dt = _plain_float_dtype(y0, x1, x2, g0, g1, g2)
    if dt is not None:
        shape = onp.shape(y0)
        flat = [onp.ascontiguousarray(onp.broadcast_to(onp.asarray(v, dtype=dt), shape)).ravel()
                for v in (y0, x1, x2, g0, g1, g2)]
        r = [onp.empty(flat[0].size, dtype=dt) for _ in range(3)]
        _tanh2_vjp_kernel(*flat, *r)
        res = [v.reshape(shape) for v in r]
    else:
        gg, c1, d20 = _partials(y0, x1, x2)
        res = [ops.add(ops.add(ops.multiply(g0, gg), ops.multiply(g1, c1)), ops.multiply(g2, d20)),
               ops.add(ops.multiply(g1, gg), ops.multiply(g2, c1)),
               ops.multiply(g2, gg)]
    from ._base import unbroadcast

    return [unbroadcast(res[i], shape_of(args[i])) for i in which]


defjvp_rule(tanh_taylor2_p, _jvp)
defvjp_rule(tanh_taylor2_p, _vjp)


def _comp(x0, x1, x2):
    y0 = ops.tanh(x0)
    g = ops.subtract(1.0, ops.multiply(y0, y0))
    y1 = ops.multiply(g, x1)
    return y0, y1, ops.subtract(ops.multiply(g, x2), ops.multiply(ops.multiply(y0, y1), x1))


def _taylor(order, primals, series):
    from ..taylor import jet_normalized

    outs = tanh_taylor2_p.bind(*primals)
    _, souts = jet_normalized(lambda *a: list(_comp(*a)), primals, series, order)
    return outs, souts


tanh_taylor2_p.taylor = _taylor


def tanh_taylor2(x0, x1, x2):
    """Order-2 normalised Taylor coefficients of ``tanh`` along a curve with coefficients (x0, x1, x2).

    Returns
    -------
    (y0, y1, y2) : tuple of ndarray
        Same (broadcast) shape as the inputs.
    """
    return tanh_taylor2_p.bind(x0, x1, x2)


# ----- tanh on a stacked "value, D first derivatives, D pure second derivatives" bundle -------------------
#
# S has shape (2D+1, ...): S[0] the value z (plus a pending offset ``off`` broadcast to it), S[1:D+1] the
# derivatives dz/dx_d and S[D+1:] the second derivatives d2z/dx_d2 along D input directions. Then, with
# t = tanh(z), g = 1 - t^2 = tanh', h = -2 t g = tanh'':
#     out[0] = t,   out[1+d] = g S[1+d],   out[1+D+d] = g S[1+D+d] + h S[1+d]^2
# (the forward-Laplacian rule of Li et al. 2023 with the diagonal kept per direction). One tape node under
# reverse mode, a numba kernel each way on plain arrays, differentiable rules otherwise.


@njit(cache=True, fastmath=True)
def _tanh_d2_kernel(t, s, nd, out, one, two):
    # t: (P,) tanh of the value row; s, out: (2*nd+1, P); contiguous inner loops (LLVM vectorises them)
    p = t.size
    for i in range(p):
        out[0, i] = t[i]
    for d in range(nd):
        a = s[1 + d]
        b = s[1 + nd + d]
        o1 = out[1 + d]
        o2 = out[1 + nd + d]
        for i in range(p):
            tv = t[i]
            g = one - tv * tv
            h = -two * tv * g
            ai = a[i]
            o1[i] = g * ai
            o2[i] = g * b[i] + h * ai * ai


@njit(cache=True, fastmath=True)
def _tanh_d2_vjp_kernel(t, s, c, nd, ds, one, two):
    p = t.size
    dz = ds[0]
    c0 = c[0]
    for i in range(p):
        tv = t[i]
        dz[i] = (one - tv * tv) * c0[i]
    for d in range(nd):
        a = s[1 + d]
        b = s[1 + nd + d]
        c1 = c[1 + d]
        c2 = c[1 + nd + d]
        d1 = ds[1 + d]
        d2 = ds[1 + nd + d]
        for i in range(p):
            tv = t[i]
            g = one - tv * tv
            h = -two * tv * g
            hp = -two * g * (g - two * tv * tv)
            ai = a[i]
            ci = c2[i]
            d2[i] = g * ci
            d1[i] = g * c1[i] + two * h * ai * ci
            dz[i] += h * ai * c1[i] + (h * b[i] + hp * ai * ai) * ci


def _as2(x, k):
    """(k, P) C-contiguous view of a stacked array."""
    return onp.ascontiguousarray(x).reshape(k, -1)


def _tanh_d2_comp(s, off, nd):
    """The rule in differentiable operations (reference and nested path)."""
    z = ops.add(ops.getitem(s, (0,)), off) if off is not None else ops.getitem(s, (0,))
    t = ops.tanh(z)
    g = ops.subtract(1.0, ops.multiply(t, t))
    h = ops.multiply(-2.0, ops.multiply(t, g))
    a = ops.getitem(s, (slice(1, 1 + nd),))
    b = ops.getitem(s, (slice(1 + nd, 1 + 2 * nd),))
    return ops.concatenate([ops.expand_dims(t, 0), ops.multiply(g, a),
                            ops.add(ops.multiply(g, b), ops.multiply(h, ops.multiply(a, a)))], axis=0)


def _tanh_d2_impl(s, off, nd):
    dt = onp.dtype(_plain_float_dtype(s, off) or onp.float64)
    s = onp.asarray(s, dtype=dt)
    z = s[0] + onp.asarray(off, dtype=dt)
    if z.shape != s.shape[1:]:
        z = onp.array(onp.broadcast_to(z, s.shape[1:]))
    if dt == onp.float64:
        from ._fastmath import tanh_f64

        t = tanh_f64(z, out=z)
    else:
        t = onp.tanh(z, out=z)
    k = 2 * nd + 1
    out = onp.empty(s.shape, dtype=dt)
    # the constants carry the dtype, so float32 stays float32 inside the kernel
    _tanh_d2_kernel(onp.ascontiguousarray(t).reshape(-1), _as2(s, k), nd, out.reshape(k, -1), dt.type(1), dt.type(2))
    return out


tanh_d2_p = Primitive("tanh_d2")
tanh_d2_p.impl = _tanh_d2_impl


def _tanh_d2_jvp(primals, tangents, nd):
    from ..forward import jvp_flat

    s, off = primals
    ans = tanh_d2_p.bind(s, off, nd=nd)
    _, (tout,) = jvp_flat(lambda a, b: [_tanh_d2_comp(a, b, nd)], [s, off], list(tangents))
    return ans, tout


def _tanh_d2_vjp(g, ans, args, params, which):
    from ._base import unbroadcast

    s, off = args
    nd = params["nd"]
    dt = _plain_float_dtype(s, off, g, ans)
    if dt is not None:
        k = 2 * nd + 1
        s = onp.asarray(s, dtype=dt)
        ds = onp.empty(s.shape, dtype=dt)
        a2 = _as2(ans, k)
        _tanh_d2_vjp_kernel(a2[0], _as2(s, k), _as2(g, k), nd, ds.reshape(k, -1), dt.type(1), dt.type(2))
        res = [ds, ds[0]]
    else:
        from ..reverse import vjp_flat

        _, fn = vjp_flat(lambda a, b: [_tanh_d2_comp(a, b, nd)], [s, off])
        res = fn([g])
        if res[0] is None:
            res[0] = ops.zeros_like(s)
        if res[1] is None:
            res[1] = ops.zeros_like(off)
    out = []
    for i in which:
        out.append(res[0] if i == 0 else unbroadcast(res[1], shape_of(off)))
    return out


defjvp_rule(tanh_d2_p, _tanh_d2_jvp)
defvjp_rule(tanh_d2_p, _tanh_d2_vjp)


def tanh_d2(s, off, nd):
    """tanh of a stacked (value, D first derivatives, D pure second derivatives) bundle.

    Parameters
    ----------
    s : array, shape (2 nd + 1, ...)
        Rows: the value ``z``, ``dz/dx_d`` (d < nd), ``d2z/dx_d2``.
    off : array
        Offset added to the value row (broadcast to ``s[0]``), e.g. a bias.
    nd : int
        Number of directions.

    Returns
    -------
    array, shape of ``s``
        The same rows for ``tanh(z + off)``.
    """
    return tanh_d2_p.bind(s, off, nd=nd)


def _tanh_d2_taylor(order, primals, series, nd):
    from ..taylor import jet_normalized

    out = tanh_d2_p.bind(*primals, nd=nd)
    _, souts = jet_normalized(lambda s, o: [_tanh_d2_comp(s, o, nd)], primals, series, order)
    return out, souts[0]


tanh_d2_p.taylor = _tanh_d2_taylor
