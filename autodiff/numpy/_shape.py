"""_shape.py: shape and indexing primitives (all linear), each followed by its rules, plus composites."""

from __future__ import annotations

import numpy as onp

from ..taylor import def_joint_linear
from ._base import (
    Primitive,
    Tracer,
    deflinear,
    defvjp_rule,
    ops,
    raw,
    shape_of,
    unbroadcast,
    zero,
)

__all__ = [
    "reshape", "ravel", "transpose", "broadcast_to", "concatenate", "stack", "hstack", "vstack",
    "column_stack", "expand_dims", "squeeze", "moveaxis", "swapaxes", "split", "array_split", "tile",
    "repeat", "pad", "roll", "flip", "fliplr", "flipud", "diag", "diagonal", "triu", "tril", "getitem",
    "index_add", "index_update", "take", "take_along_axis", "atleast_1d", "atleast_2d", "atleast_3d",
    "broadcast_arrays", "rot90",
]

# ----- reshape / transpose / broadcast_to -----

reshape_p = Primitive("reshape")
reshape_p.impl = lambda x, shape: onp.reshape(x, shape)
deflinear(reshape_p, lambda g, ans, x, shape: ops.reshape(g, shape_of(x)))


def reshape(x, shape, order="C"):
    """Reshape (C order only).

    Parameters
    ----------
    x : array_like
    shape : int or tuple of int
        New shape; one entry may be -1.
    """
    if order != "C":
        raise ValueError(f"reshape: order={order!r} is not supported; allowed: 'C'")
    xs = shape_of(x)
    if isinstance(shape, int | onp.integer):
        shape = (int(shape),)
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = int(onp.prod([s for s in shape if s != -1]))
        shape = tuple(int(onp.prod(xs)) // max(known, 1) if s == -1 else s for s in shape)
    if shape == xs:
        return x
    return reshape_p.bind(x, shape=shape)


def ravel(x):
    """Flatten to 1-D (C order)."""
    return reshape(x, (-1,))


transpose_p = Primitive("transpose")
transpose_p.impl = lambda x, axes: onp.transpose(x, axes)
deflinear(transpose_p, lambda g, ans, x, axes: ops.transpose(g, tuple(int(i) for i in onp.argsort(axes))))


def transpose(x, axes=None):
    """Permute axes (reverse them when ``axes`` is None)."""
    nd = len(shape_of(x))
    axes = tuple(range(nd))[::-1] if axes is None else tuple(int(a) % nd for a in axes)
    if axes == tuple(range(nd)):
        return x
    return transpose_p.bind(x, axes=axes)


def moveaxis(x, source, destination):
    """Move axes to new positions (``numpy.moveaxis``)."""
    nd = len(shape_of(x))
    source = [int(a) % nd for a in ((source,) if isinstance(source, int | onp.integer) else source)]
    destination = [int(a) % nd for a in ((destination,) if isinstance(destination, int | onp.integer)
                                         else destination)]
    order = [n for n in range(nd) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return transpose(x, tuple(order))


def swapaxes(x, axis1, axis2):
    """Interchange two axes."""
    nd = len(shape_of(x))
    perm = list(range(nd))
    a, b = axis1 % nd, axis2 % nd
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, tuple(perm))


def rot90(x, k=1, axes=(0, 1)):
    """Rotate by 90 degrees in the plane of ``axes``."""
    k %= 4
    for _ in range(k):
        x = swapaxes(flip(x, axes[1]), axes[0], axes[1])
    return x


broadcast_to_p = Primitive("broadcast_to")
broadcast_to_p.impl = lambda x, shape: onp.broadcast_to(x, shape)
deflinear(broadcast_to_p, lambda g, ans, x, shape: unbroadcast(g, shape_of(x)))


def broadcast_to(x, shape):
    """Broadcast to ``shape`` (a read-only view in numpy; a value here)."""
    shape = tuple(shape)
    if shape_of(x) == shape:
        return x
    return broadcast_to_p.bind(x, shape=shape)


def broadcast_arrays(*xs):
    """Broadcast arrays against each other."""
    shape = onp.broadcast_shapes(*[shape_of(x) for x in xs])
    return [broadcast_to(x, shape) for x in xs]


def expand_dims(x, axis):
    """Insert length-1 axes at ``axis`` (int or tuple)."""
    return reshape(x, onp.expand_dims(onp.empty(shape_of(x), dtype=bool), axis).shape)


def squeeze(x, axis=None):
    """Remove length-1 axes."""
    return reshape(x, onp.squeeze(onp.empty(shape_of(x), dtype=bool), axis).shape)


def atleast_1d(x):
    return reshape(x, (1,)) if len(shape_of(x)) == 0 else x


def atleast_2d(x):
    s = shape_of(x)
    return reshape(x, (1,) * (2 - len(s)) + s) if len(s) < 2 else x


def atleast_3d(x):
    s = shape_of(x)
    if len(s) == 0:
        return reshape(x, (1, 1, 1))
    if len(s) == 1:
        return reshape(x, (1, s[0], 1))
    if len(s) == 2:
        return reshape(x, s + (1,))
    return x


# ----- concatenate -----

concatenate_p = Primitive("concatenate")
concatenate_p.impl = lambda *xs, axis: onp.concatenate(xs, axis=axis)


def _concat_vjp(g, ans, args, params, which):
    axis = params["axis"]
    sizes = [shape_of(a)[axis] for a in args]
    offs = onp.concatenate([[0], onp.cumsum(sizes)])
    nd = len(shape_of(ans))
    out = []
    for i in which:
        idx = [slice(None)] * nd
        idx[axis] = slice(int(offs[i]), int(offs[i + 1]))
        out.append(ops.getitem(g, tuple(idx)))
    return out


def _concat_jvp(primals, tangents, axis):
    ans = concatenate_p.bind(*primals, axis=axis)
    if all(t is zero for t in tangents):
        return ans, zero
    ts = [ops.zeros_like(p) if t is zero else t for p, t in zip(primals, tangents)]
    return ans, concatenate_p.bind(*ts, axis=axis)


concatenate_p.jvp = _concat_jvp
defvjp_rule(concatenate_p, _concat_vjp)
def_joint_linear(concatenate_p)


def concatenate(arrays, axis=0):
    """Join arrays along an existing axis.

    Parameters
    ----------
    arrays : sequence of array_like
        Same shape except along ``axis``.
    axis : int or None
        None flattens the inputs first.
    """
    arrays = list(arrays)
    if axis is None:
        arrays = [ravel(a) for a in arrays]
        axis = 0
    nd = len(shape_of(arrays[0]))
    axis = axis % max(nd, 1)
    arrays = [a if isinstance(a, Tracer) else onp.asarray(a) for a in arrays]
    if len(arrays) == 1:
        return arrays[0]
    return concatenate_p.bind(*arrays, axis=axis)


def stack(arrays, axis=0):
    """Join arrays of the same shape along a new axis."""
    arrays = list(arrays)
    nd = len(shape_of(arrays[0])) + 1
    axis = axis % nd
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis)


def hstack(arrays):
    arrays = [atleast_1d(a) for a in arrays]
    return concatenate(arrays, axis=0 if len(shape_of(arrays[0])) == 1 else 1)


def vstack(arrays):
    return concatenate([atleast_2d(a) for a in arrays], axis=0)


def column_stack(arrays):
    return concatenate([reshape(a, (-1, 1)) if len(shape_of(a)) == 1 else a for a in arrays], axis=1)


# ----- indexing: getitem and its transpose, the functional scatter-add -----


def _clean_index(idx):
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tracer):
            i = raw(i)
            if onp.issubdtype(onp.asarray(i).dtype, onp.floating):
                raise TypeError("indexing with a traced float array is not supported; indices must be integers "
                                "or booleans")
        if isinstance(i, list):
            i = onp.asarray(i)
        out.append(i)
    return tuple(out)


def _is_basic(idx):
    return all(isinstance(i, slice | int | type(None) | type(Ellipsis)) or (isinstance(i, onp.integer))
               for i in idx)


getitem_p = Primitive("getitem")
getitem_p.impl = lambda x, idx: onp.asarray(x)[idx]


def _index_add_impl(x, v, idx):
    out = onp.array(x, dtype=onp.result_type(x, v), copy=True)
    if _is_basic(idx):
        out[idx] += v
    else:
        onp.add.at(out, idx, v)
    return out


index_add_p = Primitive("index_add")
index_add_p.impl = _index_add_impl

def _scatter_impl(g, shape, idx):
    g = onp.asarray(g)
    out = onp.zeros(shape, dtype=g.dtype)
    if _is_basic(idx):
        out[idx] = g
    else:
        onp.add.at(out, idx, g)
    return out


# the transpose of getitem: zeros of ``shape`` with ``g`` added at ``idx`` (one pass, no copy of zeros)
scatter_p = Primitive("scatter")
scatter_p.impl = _scatter_impl
deflinear(getitem_p, lambda g, ans, x, idx: scatter_p.bind(g, shape=shape_of(x), idx=idx))
deflinear(scatter_p, lambda g, ans, v, shape, idx: getitem_p.bind(g, idx=idx))
getitem_p.vjp_accumulate = lambda acc, g, ans, args, params: index_add_p.bind(acc, g, idx=params["idx"])
deflinear(
    index_add_p,
    lambda g, ans, x, v, idx: g,
    lambda g, ans, x, v, idx: unbroadcast(getitem_p.bind(g, idx=idx), shape_of(v)),
    n_linear=2,
)


def getitem(x, idx):
    """``x[idx]`` with basic, integer-array (fancy) or boolean indexing."""
    return getitem_p.bind(x, idx=_clean_index(idx))


def index_add(x, idx, v):
    """Functional scatter-add: a copy of ``x`` with ``v`` added at ``x[idx]`` (repeated indices accumulate).

    Parameters
    ----------
    x : array_like
    idx : index
        Any numpy index (basic, fancy, boolean).
    v : array_like
        Broadcastable to ``x[idx].shape``.

    Examples
    --------
    >>> import numpy as onp, autodiff.numpy as anp
    >>> anp.index_add(onp.zeros(3), onp.array([0, 0, 2]), 1.0)
    array([2., 0., 1.])
    """
    idx = _clean_index(idx)
    v_shape = onp.empty(shape_of(x))[idx].shape
    return index_add_p.bind(x, broadcast_to(v, v_shape) if shape_of(v) != v_shape else v, idx=idx)


def index_update(x, idx, v):
    """Functional ``x[idx] = v``: a copy of ``x`` with the entries at ``idx`` replaced by ``v``."""
    idx = _clean_index(idx)
    mask = onp.zeros(shape_of(x), dtype=bool)
    mask[idx] = True
    return index_add(ops.where(mask, 0.0, x), idx, v)


class _IndexUpdateHelper:
    """``x.at[idx].add(v)`` / ``.set(v)`` / ``.get()`` (JAX's functional updates)."""

    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, idx):
        return _IndexUpdateRef(self.x, idx)


class _IndexUpdateRef:
    __slots__ = ("x", "idx")

    def __init__(self, x, idx):
        self.x = x
        self.idx = idx

    def add(self, v):
        return index_add(self.x, self.idx, v)

    def set(self, v):
        return index_update(self.x, self.idx, v)

    def get(self):
        return getitem(self.x, self.idx)


def take(x, indices, axis=None):
    """Take elements along an axis (flattened when ``axis`` is None)."""
    indices = onp.asarray(raw(indices))
    if axis is None:
        return getitem(ravel(x), indices)
    nd = len(shape_of(x))
    idx = [slice(None)] * nd
    idx[axis % nd] = indices
    return getitem(x, tuple(idx))


def take_along_axis(x, indices, axis):
    """``numpy.take_along_axis`` via fancy indexing."""
    indices = onp.asarray(raw(indices))
    s = shape_of(x)
    nd = len(s)
    axis %= nd
    grids = list(onp.ix_(*[onp.arange(n) for n in indices.shape]))
    grids[axis] = indices
    return getitem(x, tuple(grids))


def split(x, indices_or_sections, axis=0):
    """Split into sub-arrays along ``axis`` (equal sections or at indices)."""
    n = shape_of(x)[axis]
    if isinstance(indices_or_sections, int | onp.integer):
        if n % indices_or_sections:
            raise ValueError(f"split: array of size {n} along axis {axis} does not divide into "
                             f"indices_or_sections={indices_or_sections} equal parts")
    return array_split(x, indices_or_sections, axis)


def array_split(x, indices_or_sections, axis=0):
    """Split into sub-arrays along ``axis`` (sections may be unequal)."""
    s = shape_of(x)
    n = s[axis]
    if isinstance(indices_or_sections, int | onp.integer):
        k = int(indices_or_sections)
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
        bounds = onp.concatenate([[0], onp.cumsum(sizes)])
    else:
        bounds = onp.concatenate([[0], list(indices_or_sections), [n]])
    nd = len(s)
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        idx = [slice(None)] * nd
        idx[axis % nd] = slice(int(a), int(b))
        out.append(getitem(x, tuple(idx)))
    return out


def tile(x, reps):
    """Repeat the whole array ``reps`` times along each axis."""
    reps = (reps,) if isinstance(reps, int | onp.integer) else tuple(reps)
    s = shape_of(x)
    nd = max(len(s), len(reps))
    s = (1,) * (nd - len(s)) + s
    reps = (1,) * (nd - len(reps)) + reps
    x = reshape(x, s)
    inter = []
    final = []
    for r, n in zip(reps, s):
        inter += [r, n]
        final.append(r * n)
    xe = reshape(x, tuple(v for n in s for v in (1, n)))
    return reshape(broadcast_to(xe, tuple(inter)), tuple(final))


def repeat(x, repeats, axis=None):
    """Repeat elements (``numpy.repeat``) via an index array."""
    if axis is None:
        x = ravel(x)
        axis = 0
    n = shape_of(x)[axis]
    return take(x, onp.repeat(onp.arange(n), raw(repeats)), axis=axis)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None)."""
    nd = len(shape_of(x))
    axes = range(nd) if axis is None else [a % nd for a in ((axis,) if isinstance(axis, int) else axis)]
    idx = [slice(None)] * nd
    for a in axes:
        idx[a] = slice(None, None, -1)
    return getitem(x, tuple(idx))


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def roll(x, shift, axis=None):
    """Roll elements along ``axis`` (flattened when None)."""
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), shape_of(x))
    if not isinstance(axis, int):
        for s, a in zip(shift, axis):
            x = roll(x, s, a)
        return x
    n = shape_of(x)[axis]
    return take(x, (onp.arange(n) - shift) % n, axis=axis)


pad_p = Primitive("pad")
pad_p.impl = lambda x, pad_width: onp.pad(x, pad_width)


def _pad_t(g, ans, x, pad_width):
    idx = tuple(slice(a, a + n) for (a, _), n in zip(pad_width, shape_of(x)))
    return getitem_p.bind(g, idx=idx)


deflinear(pad_p, _pad_t)


def pad(x, pad_width, mode="constant", constant_values=0):
    """Pad an array (``numpy.pad``); modes 'constant', 'edge', 'reflect', 'symmetric', 'wrap'."""
    s = shape_of(x)
    pw = onp.broadcast_to(onp.asarray(pad_width, dtype=int).reshape(-1, 2) if onp.ndim(pad_width) else
                          onp.asarray([[pad_width, pad_width]]), (len(s), 2))
    pw = tuple((int(a), int(b)) for a, b in pw)
    if mode == "constant":
        out = pad_p.bind(x, pad_width=pw)
        if onp.any(onp.asarray(constant_values) != 0):
            out = ops.add(out, onp.pad(onp.zeros(s), pw, constant_values=constant_values))
        return out
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise ValueError(f"pad: mode={mode!r} is not supported; allowed: 'constant', 'edge', 'reflect', "
                         "'symmetric', 'wrap'")
    for ax, (a, b) in enumerate(pw):
        if a or b:
            x = take(x, onp.pad(onp.arange(s[ax]), (a, b), mode=mode), axis=ax)
    return x


# ----- diagonals and triangles -----


def diagonal(x, offset=0, axis1=0, axis2=1):
    """Diagonal of the plane ``(axis1, axis2)``, moved to the last axis (``numpy.diagonal``)."""
    x = moveaxis(x, (axis1, axis2), (-2, -1))
    s = shape_of(x)
    n = min(s[-2], s[-1] - offset) if offset >= 0 else min(s[-2] + offset, s[-1])
    i = onp.arange(max(n, 0))
    rows = i if offset >= 0 else i - offset
    cols = i + offset if offset >= 0 else i
    return getitem(x, (Ellipsis, rows, cols))


def diag(x, k=0):
    """Extract a diagonal (2-D input) or build a diagonal matrix (1-D input)."""
    s = shape_of(x)
    if len(s) == 2:
        return diagonal(x, k)
    if len(s) != 1:
        raise ValueError(f"diag: input must be 1-D or 2-D, got ndim={len(s)}")
    n = s[0] + abs(k)
    i = onp.arange(s[0])
    idx = (i, i + k) if k >= 0 else (i - k, i)
    return index_add(onp.zeros((n, n), dtype=onp.result_type(raw(x), float)), idx, x)


def triu(x, k=0):
    """Upper triangle (entries below the k-th diagonal set to 0)."""
    s = shape_of(x)
    return ops.multiply(x, onp.triu(onp.ones(s[-2:]), k))


def tril(x, k=0):
    """Lower triangle (entries above the k-th diagonal set to 0)."""
    s = shape_of(x)
    return ops.multiply(x, onp.tril(onp.ones(s[-2:]), k))
