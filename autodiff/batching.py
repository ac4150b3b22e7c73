"""batching.py: a vectorising trace (vmap) used to build Jacobians and Hessians without Python loops.

A :class:`BatchTracer` holds a value whose leading axis is the batch; the function being traced sees
the per-example shape. Each primitive has a batching rule (``batch_rules[prim]``): elementwise and
"core-dimension" primitives broadcast a batched operand against unbatched ones, reductions and
axis-parameterised primitives shift their axes, shape primitives prepend the batch axis. A primitive
without a rule falls back to a loop over the batch (correct, slower).

``jacfwd`` pushes the whole basis of tangents through one batched forward pass, ``jacrev`` pulls the
basis of cotangents through one batched backward pass, so ``hessian = jacfwd(grad(f))`` costs one
batched forward-over-reverse pass instead of ``n``.

Notes
-----
The batched quantities in these uses are tangents and cotangents; the primal values (which decide
piecewise-constant choices such as the branch of ``maximum``) are unbatched, so every such choice is
per-primal as it must be.
"""

from __future__ import annotations

import numpy as onp

from .core import Trace, Tracer, batch_rules, ops, primitives
from .core import shape as _shape

__all__ = ["BatchTrace", "BatchTracer", "vmap_flat"]


class BatchTracer(Tracer):
    """A batch of values: ``val`` has the batch on axis 0; ``shape`` is the per-example shape."""

    __slots__ = ("val",)

    def __init__(self, trace, val):
        self._trace = trace
        self.val = val

    def _primal_value(self):
        return self.val

    def _shape(self):
        return _shape(self.val)[1:]


class BatchTrace(Trace):
    """Interpreter that applies each primitive to a whole batch at once."""

    __slots__ = ("size",)

    def __init__(self, size):
        super().__init__()
        self.size = size

    def process(self, prim, args, params):
        vals = []
        batched = []
        for a in args:
            if isinstance(a, BatchTracer) and a._trace is self:
                vals.append(a.val)
                batched.append(True)
            else:
                vals.append(a)
                batched.append(False)
        rule = batch_rules.get(prim)
        if rule is None:
            out = _loop(prim, vals, batched, params, self.size)
        else:
            out = rule(prim, vals, batched, params)
        if prim.multiple_results:
            return tuple(BatchTracer(self, o) for o in out)
        return BatchTracer(self, out)


def _loop(prim, vals, batched, params, size):
    outs = [prim.bind(*[v[i] if b else v for v, b in zip(vals, batched)], **params) for i in range(size)]
    if prim.multiple_results:
        return tuple(ops.stack([o[k] for o in outs]) for k in range(len(outs[0])))
    return ops.stack(outs)


def _bsize(vals, batched):
    for v, b in zip(vals, batched):
        if b:
            return _shape(v)[0]
    raise AssertionError("no batched operand")


def _expand(vals, batched, core=0):
    """Give batched operands the rank of the widest operand (batch axis first), so that numpy's
    trailing-axis broadcasting lines examples up; ``core`` trailing axes are matrix axes."""
    nd = max((len(_shape(v)) - (1 if b else 0)) for v, b in zip(vals, batched))
    out = []
    for v, b in zip(vals, batched):
        if b:
            s = _shape(v)
            r = len(s) - 1
            if r < nd:
                v = ops.reshape(v, (s[0],) + (1,) * (nd - r) + s[1:])
        out.append(v)
    return out


def _elementwise(prim, vals, batched, params):
    return prim.bind(*_expand(vals, batched), **params)


def _all_batched(vals, batched):
    n = _bsize(vals, batched)
    return [v if b else ops.broadcast_to(v, (n,) + _shape(v)) for v, b in zip(vals, batched)]


def _shift(axis):
    if axis is None:
        return None
    if isinstance(axis, tuple):
        return tuple(a + 1 for a in axis)
    return axis + 1


def _axis_rule(prim, vals, batched, params):
    p = dict(params)
    p["axis"] = _shift(p["axis"])
    return prim.bind(*vals, **p)


def _reshape_rule(prim, vals, batched, params):
    x = vals[0]
    return prim.bind(x, shape=(_shape(x)[0],) + tuple(params["shape"]))


def _transpose_rule(prim, vals, batched, params):
    return prim.bind(vals[0], axes=(0,) + tuple(a + 1 for a in params["axes"]))


def _broadcast_to_rule(prim, vals, batched, params):
    x = vals[0]
    s = _shape(x)
    shape = tuple(params["shape"])
    x = ops.reshape(x, (s[0],) + (1,) * (len(shape) - (len(s) - 1)) + s[1:])
    return prim.bind(x, shape=(s[0],) + shape)


def _advanced_split(idx):
    adv = [i for i, v in enumerate(idx) if isinstance(v, onp.ndarray) and v.ndim > 0 or isinstance(v, list)]
    return adv and (max(adv) - min(adv) + 1 != len(adv))


def _getitem_rule(prim, vals, batched, params):
    idx = params["idx"]
    if _advanced_split(idx):
        return _loop(prim, vals, batched, params, _bsize(vals, batched))
    return prim.bind(vals[0], idx=(slice(None),) + tuple(idx))


def _index_add_rule(prim, vals, batched, params):
    idx = params["idx"]
    if _advanced_split(idx):
        return _loop(prim, vals, batched, params, _bsize(vals, batched))
    x, v = _all_batched(vals, batched)
    bidx = (slice(None),) + tuple(idx)
    target = onp.empty(_shape(x), dtype=bool)[bidx].shape
    if _shape(v) != target:
        v = ops.broadcast_to(ops.reshape(v, (_shape(v)[0],) + (1,) * (len(target) - len(_shape(v)))
                                         + _shape(v)[1:]), target)
    return prim.bind(x, v, idx=bidx)


def _scatter_rule(prim, vals, batched, params):
    idx = params["idx"]
    if _advanced_split(idx):
        return _loop(prim, vals, batched, params, _bsize(vals, batched))
    g = vals[0]
    return prim.bind(g, shape=(_shape(g)[0],) + tuple(params["shape"]), idx=(slice(None),) + tuple(idx))


def _concatenate_rule(prim, vals, batched, params):
    return prim.bind(*_all_batched(vals, batched), axis=params["axis"] + 1)


def _pad_rule(prim, vals, batched, params):
    return prim.bind(vals[0], pad_width=((0, 0),) + tuple(params["pad_width"]))


def _where_rule(prim, vals, batched, params):
    x, y, c = vals
    xs, ys = _expand([x, y, onp.asarray(c)], [batched[0], batched[1], False])[:2]
    return prim.bind(xs, ys, c)


def _matmul_rule(prim, vals, batched, params):
    return prim.bind(*_expand(vals, batched), **params)


def _einsum_rule(prim, vals, batched, params):
    spec = params["spec"]
    ins, out = spec.split("->")
    ins = ins.split(",")
    letter = next(c for c in "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba" if c not in spec)
    ins = [(letter + s) if b else s for s, b in zip(ins, batched)]
    return prim.bind(*vals, spec=",".join(ins) + "->" + letter + out)


def _native(prim, vals, batched, params):
    # operations on the trailing (matrix) axes that already broadcast over leading axes
    return prim.bind(*_expand(vals, batched), **params)


def _register():
    elementwise = ["add", "subtract", "negative", "multiply", "divide", "power", "exp", "exp2", "expm1", "log",
                   "log2", "log10", "log1p", "sqrt", "cbrt", "sin", "cos", "tan", "sinh", "cosh", "tanh",
                   "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "abs", "arctan2", "maximum",
                   "minimum", "real", "imag", "conj", "astype", "erf", "erfc", "polygamma", "gammaln", "expit",
                   "xlogy", "tanh_taylor2"]
    for name in elementwise:
        batch_rules[primitives[name]] = _elementwise
    for name in ["sum", "amax", "amin", "prod", "cumsum", "cumprod", "fft"]:
        batch_rules[primitives[name]] = _axis_rule
    batch_rules[primitives["reshape"]] = _reshape_rule
    batch_rules[primitives["transpose"]] = _transpose_rule
    batch_rules[primitives["broadcast_to"]] = _broadcast_to_rule
    batch_rules[primitives["getitem"]] = _getitem_rule
    batch_rules[primitives["index_add"]] = _index_add_rule
    batch_rules[primitives["scatter"]] = _scatter_rule
    batch_rules[primitives["concatenate"]] = _concatenate_rule
    batch_rules[primitives["pad"]] = _pad_rule
    batch_rules[primitives["where"]] = _where_rule
    batch_rules[primitives["matmul"]] = _matmul_rule
    batch_rules[primitives["einsum"]] = _einsum_rule
    for name in ["solve", "logabsdet", "cholesky", "eigh", "qr"]:
        batch_rules[primitives[name]] = _native


def vmap_flat(fun, args, batched, size):
    """Apply ``fun`` (flat lists in and out) to a batch: ``args[i]`` has the batch on axis 0 when
    ``batched[i]``. Returns the outputs with the batch on axis 0 (broadcast if unbatched)."""
    trace = BatchTrace(size)
    ins = [BatchTracer(trace, a) if b else a for a, b in zip(args, batched)]
    outs = fun(*ins)
    res = []
    for o in outs:
        if isinstance(o, BatchTracer) and o._trace is trace:
            res.append(o.val)
        else:
            res.append(ops.broadcast_to(o, (size,) + _shape(o)))
    return res

