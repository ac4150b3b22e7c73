"""_base.py: helpers shared by the primitive modules (shapes, unbroadcast, rule-family definers)."""

from __future__ import annotations

import numpy as onp

from ..core import Primitive, Tracer, ops, raw, zero
from ..core import shape as _core_shape
from ..forward import defjvp, defjvp_rule
from ..reverse import defvjp, defvjp_rule
from ..taylor import def_taylor

__all__ = [
    "Primitive",
    "shape_of",
    "dtype_of",
    "unbroadcast",
    "unbroadcast_to",
    "bcast_to",
    "deflinear",
    "defjvp",
    "defvjp",
    "defjvp_rule",
    "defvjp_rule",
    "def_taylor",
    "ops",
    "zero",
    "raw",
    "Tracer",
    "nondiff",
    "normalize_axis",
]


def shape_of(x):
    return _core_shape(x)


def dtype_of(x):
    return onp.result_type(raw(x))


def unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched to reach its shape from ``shape``."""
    gshape = shape_of(g)
    if gshape == tuple(shape):
        return g
    nd = len(gshape) - len(shape)
    axes = tuple(range(nd)) + tuple(i + nd for i, s in enumerate(shape) if s == 1 and gshape[i + nd] != 1)
    if axes:
        g = ops.sum(g, axis=axes)
    if shape_of(g) != tuple(shape):
        g = ops.reshape(g, tuple(shape))
    return g


def unbroadcast_to(g, x):
    """:func:`unbroadcast` to the shape of ``x``; the real part when ``x`` is real and ``g`` complex
    (the transpose of the implicit real-to-complex promotion, JAX's convention)."""
    g = unbroadcast(g, shape_of(x))
    if onp.iscomplexobj(raw(g)) and not onp.iscomplexobj(raw(x)):
        g = ops.real(g)
    return g


def bcast_to(t, like):
    """Broadcast tangent ``t`` to the shape of ``like`` (no-op when the shapes already agree)."""
    s = shape_of(like)
    if shape_of(t) == s:
        return t
    return ops.broadcast_to(t, s)


def deflinear(prim, *transposes, taylor=True, n_linear=None):
    """Primitive linear (jointly) in its first arguments: JVP = the op on tangents, VJP = transposes.

    ``transposes[i](g, ans, *args, **params)`` is the cotangent of argument ``i`` (None: not linear,
    zero derivative, e.g. an index array).
    """
    nl = len(transposes) if n_linear is None else n_linear

    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        if all(t is zero for t in tangents[:nl]):
            return ans, zero
        if nl == 1:
            return ans, prim.bind(tangents[0], *primals[1:], **params)
        args = [ops.zeros_like(p) if t is zero else t for p, t in zip(primals[:nl], tangents[:nl])]
        return ans, prim.bind(*args, *primals[nl:], **params)

    defjvp_rule(prim, jvp)
    defvjp(prim, *transposes)
    if taylor:
        from ..taylor import def_joint_linear, def_linear

        if nl == 1:
            def_linear(prim)
        else:
            def_joint_linear(prim, nl)
    return prim


# elementwise piecewise-constant functions: under vmap they map over the batch like any primitive
ELEMENTWISE_NONDIFF = frozenset([
    "floor", "ceil", "round", "rint", "trunc", "fix", "sign", "signbit", "isfinite", "isnan", "isinf", "isclose",
    "greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or",
    "logical_not", "logical_xor", "floor_divide", "iscomplex", "isreal", "heaviside",
])
# functions of the per-example shape or of the dtype only
_META = frozenset(["shape", "ndim", "size", "result_type", "iscomplexobj", "isrealobj", "issubdtype"])


def _innermost_batch(args):
    """The batch trace of highest level among the tracer layers of ``args`` (None without vmap)."""
    from ..batching import BatchTracer

    best = None
    for a in args:
        x = a
        while isinstance(x, Tracer):
            if isinstance(x, BatchTracer):
                if best is None or x._trace.level > best.level:
                    best = x._trace
                break
            x = x._primal_value()
    return best


def batched_nondiff_call(fn, name, args, kwargs):
    """``fn`` (a numpy function with zero derivative) on the values of ``args``; under vmap an elementwise
    ``fn`` maps over the batch (its result is batched), shape queries see the per-example shape, and any
    other function of a mapped value raises instead of mixing up the batch axis."""
    trace = _innermost_batch(args)
    if trace is None:
        return fn(*[raw(a) for a in args], **{k: raw(v) for k, v in kwargs.items()})
    if name in ("shape", "ndim", "size"):
        s = _core_shape(args[0])
        return s if name == "shape" else (len(s) if name == "ndim" else int(onp.prod(s)))
    if name in _META:
        return fn(*[raw(a) for a in args], **{k: raw(v) for k, v in kwargs.items()})
    if name not in ELEMENTWISE_NONDIFF:
        from ..core import UnsupportedOperationError

        raise UnsupportedOperationError(
            f"numpy function '{name}' was applied to a value mapped by vmap; only elementwise piecewise-constant "
            f"functions (comparisons, floor, sign, isnan, ...) are supported there. Call it outside vmap, or "
            f"express it with elementwise operations"
        )
    from ..batching import BatchTracer, _expand

    vals, batched = [], []
    for a in args:
        x = a
        while isinstance(x, Tracer) and x._trace.level > trace.level:
            x = x._primal_value()
        if isinstance(x, BatchTracer) and x._trace is trace:
            vals.append(x.val)
            batched.append(True)
        else:
            vals.append(x)
            batched.append(False)
    vals = _expand(vals, batched)
    return BatchTracer(trace, batched_nondiff_call(fn, name, vals, kwargs))


def nondiff(fn, name=None):
    """Wrap a numpy function whose derivative is zero (or undefined): it runs on the raw values (mapped
    over the batch under vmap when it is elementwise)."""
    name = name or getattr(fn, "__name__", "nondiff")

    def wrapped(*args, **kwargs):
        return batched_nondiff_call(fn, name, args, kwargs)

    wrapped.__name__ = name
    wrapped.__doc__ = (
        f"``numpy.{wrapped.__name__}`` on the underlying values. Piecewise constant or integer valued: "
        "its derivative is zero (documented non-differentiable point), so no tracer is produced."
    )
    return wrapped


def normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | onp.integer):
        axis = (int(axis),)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis={a} is out of range for an array of ndim={ndim}; allowed [-{ndim}, {ndim})")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(out))
