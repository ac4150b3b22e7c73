"""autodiff.numpy: a numpy-compatible namespace whose functions are differentiable primitives.

Use it as ``import autodiff.numpy as anp`` inside functions you differentiate. Functions that are
piecewise constant or integer valued (``floor``, ``sign``, ``argmax``, comparisons, ...) run on the
underlying values and have zero derivative. Calling a plain numpy function on a traced value raises
an :class:`~autodiff.core.UnsupportedOperationError` naming it, instead of dropping the derivative.

Examples
--------
>>> import autodiff as ad, autodiff.numpy as anp
>>> float(ad.grad(lambda x: anp.sum(anp.sin(x) ** 2))(0.5))  # sin(2x) at 0.5
0.8414709848078965
"""

from __future__ import annotations

import numpy as onp
from numpy import (  # noqa: F401 - re-exported constants and dtypes
    bool_,
    complex64,
    complex128,
    e,
    euler_gamma,
    float32,
    float64,
    inf,
    int32,
    int64,
    nan,
    ndarray,
    newaxis,
    pi,
)

from .. import core as _core
from . import _elementwise, _fft, _fused, _linalg, _reductions, _shape, _special  # noqa: F401
from ._base import nondiff as _nondiff
from ._base import raw as _raw
from ._elementwise import *  # noqa: F403
from ._linalg import cross, dot, einsum, inner, kron, matmul, outer, tensordot, trace, vdot  # noqa: F401
from ._reductions import *  # noqa: F403
from ._shape import *  # noqa: F403
from ._shape import _IndexUpdateHelper
from ._special import logit  # noqa: F401

# ----- non-differentiable (piecewise constant / integer / boolean valued) -----
_NONDIFF = [
    "floor", "ceil", "round", "rint", "trunc", "fix", "sign", "signbit", "argmax", "argmin", "argsort",
    "argwhere", "nonzero", "flatnonzero", "isfinite", "isnan", "isinf", "isclose", "allclose", "array_equal",
    "greater", "greater_equal", "less", "less_equal", "equal", "not_equal", "logical_and", "logical_or",
    "logical_not", "logical_xor", "any", "all", "searchsorted", "count_nonzero", "shape", "ndim", "size",
    "result_type", "iscomplexobj", "isrealobj", "iscomplex", "isreal", "sort_complex", "unique", "digitize",
    "histogram", "bincount", "floor_divide", "issubdtype",
]
for _name in _NONDIFF:
    globals()[_name] = _nondiff(getattr(onp, _name))
round_ = globals()["round"]
around = globals()["round"]


def sort(x, axis=-1):
    """Sort along ``axis``; differentiable (a permutation gathered with ``take_along_axis``)."""
    idx = onp.argsort(_raw(x), axis=axis)
    return take_along_axis(x, idx, axis=axis if axis is not None else 0)  # noqa: F405


# ----- creation (constants: no derivative) -----
zeros = onp.zeros
ones = onp.ones
empty = onp.empty
full = onp.full
eye = onp.eye
identity = onp.identity
arange = onp.arange
linspace = onp.linspace
logspace = onp.logspace
meshgrid = onp.meshgrid
tri = onp.tri
dtype = onp.dtype
finfo = onp.finfo
iinfo = onp.iinfo
broadcast_shapes = onp.broadcast_shapes
ix_ = onp.ix_
mgrid = onp.mgrid
ogrid = onp.ogrid
s_ = onp.s_
index_exp = onp.index_exp


def _like(x, dtype):
    """Per-example shape and dtype of ``x`` (under ``vmap`` the raw value carries the batch axis)."""
    return _core.shape(x), (onp.result_type(_raw(x)) if dtype is None else dtype)


def zeros_like(x, dtype=None):
    """Zeros with the shape/dtype of ``x`` (a constant)."""
    return onp.zeros(*_like(x, dtype))


def ones_like(x, dtype=None):
    """Ones with the shape/dtype of ``x`` (a constant)."""
    return onp.ones(*_like(x, dtype))


def full_like(x, fill_value, dtype=None):
    """``fill_value`` with the shape/dtype of ``x`` (a constant)."""
    return onp.full(_like(x, dtype)[0], fill_value, dtype=_like(x, dtype)[1])


def empty_like(x, dtype=None):
    """Zeros (never uninitialised memory) with the shape/dtype of ``x``."""
    return onp.zeros(*_like(x, dtype))


def _contains_tracer(x):
    if isinstance(x, _core.Tracer):
        return True
    if isinstance(x, list | tuple):
        for v in x:
            if _contains_tracer(v):
                return True
    return False


def array(x, dtype=None, copy=True):
    """Like ``numpy.array``; nested lists containing traced values are stacked differentiably."""
    if isinstance(x, _core.Tracer):
        return x if dtype is None else astype(x, dtype)  # noqa: F405
    if isinstance(x, list | tuple) and _contains_tracer(x):
        out = stack([array(v) for v in x])  # noqa: F405
        return out if dtype is None else astype(out, dtype)  # noqa: F405
    return onp.array(x, dtype=dtype)


def asarray(x, dtype=None):
    """Like ``numpy.asarray``; traced values pass through."""
    if isinstance(x, _core.Tracer) or (isinstance(x, list | tuple) and _contains_tracer(x)):
        return array(x, dtype)
    return onp.asarray(x, dtype=dtype)


def copy(x):
    return x if isinstance(x, _core.Tracer) else onp.copy(x)


def stop_gradient(x):
    """The value of ``x`` with every derivative cut (a constant to all transformations)."""
    return _raw(x)


from . import fft, linalg, special  # noqa: E402, F401

# ----- operator and rule dispatch table used by tracers -----
_ops = _core.ops
for _mod in (_elementwise, _reductions, _shape, _linalg, _fft, _special):
    for _name in _mod.__all__:
        setattr(_ops, _name, getattr(_mod, _name))
for _name in _NONDIFF + ["zeros_like", "ones_like", "sort", "array", "asarray", "stop_gradient", "copy"]:
    setattr(_ops, _name, globals()[_name])
_ops._IndexUpdateHelper = _IndexUpdateHelper
_ops.amax = _reductions.max
_ops.amin = _reductions.min
_ops.logsumexp = _reductions.logsumexp
_ops.transpose = _shape.transpose
_ops.sum = _reductions.sum

#: names of the primitives defined by this package (the systematic rule test walks all of them)
BUILTIN_PRIMITIVES = frozenset(_core.primitives)
