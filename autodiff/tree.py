"""tree.py: pytrees, i.e. nested dict/list/tuple (and None) containers of arrays, as in JAX.

Examples
--------
>>> from autodiff.tree import tree_flatten, tree_unflatten
>>> leaves, treedef = tree_flatten({"w": 1.0, "b": (2.0, 3.0)})
>>> leaves
[2.0, 3.0, 1.0]
>>> tree_unflatten(treedef, [4.0, 5.0, 6.0])
{'b': (4.0, 5.0), 'w': 6.0}
"""

from __future__ import annotations

import numpy as onp

__all__ = ["tree_flatten", "tree_unflatten", "tree_map", "tree_leaves", "tree_structure", "ravel_pytree",
           "TreeDef"]


class TreeDef:
    """Structure of a pytree: node kind, metadata (dict keys, namedtuple type) and children."""

    __slots__ = ("kind", "meta", "children", "num_leaves")

    def __init__(self, kind, meta, children):
        self.kind = kind
        self.meta = meta
        self.children = children
        self.num_leaves = 1 if kind == "leaf" else sum(c.num_leaves for c in children)

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind and self.meta == other.meta
                and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, self.meta, tuple(self.children)))

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "none":
            return "None"
        inner = ", ".join(repr(c) for c in self.children)
        if self.kind == "dict":
            inner = ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.meta, self.children))
            return "{" + inner + "}"
        return f"{self.kind}({inner})"


_LEAF = TreeDef("leaf", None, ())


def _flatten(x, leaves):
    if isinstance(x, dict):
        keys = tuple(sorted(x.keys(), key=repr))
        return TreeDef("dict", keys, tuple(_flatten(x[k], leaves) for k in keys))
    if isinstance(x, tuple):
        if hasattr(x, "_fields"):
            return TreeDef("namedtuple", type(x), tuple(_flatten(v, leaves) for v in x))
        return TreeDef("tuple", None, tuple(_flatten(v, leaves) for v in x))
    if isinstance(x, list):
        return TreeDef("list", None, tuple(_flatten(v, leaves) for v in x))
    if x is None:
        return TreeDef("none", None, ())
    leaves.append(x)
    return _LEAF


def tree_flatten(tree):
    """Flatten a pytree.

    Parameters
    ----------
    tree : pytree
        Nested dict (keys sorted), list, tuple, namedtuple and None; anything else is a leaf.

    Returns
    -------
    leaves : list
        The leaves in a fixed order.
    treedef : TreeDef
        The structure, for :func:`tree_unflatten`.
    """
    leaves = []
    td = _flatten(tree, leaves)
    return leaves, td


def _unflatten(td, it):
    k = td.kind
    if k == "leaf":
        return next(it)
    if k == "none":
        return None
    children = [_unflatten(c, it) for c in td.children]
    if k == "dict":
        return dict(zip(td.meta, children))
    if k == "tuple":
        return tuple(children)
    if k == "list":
        return children
    return td.meta(*children)


def tree_unflatten(treedef, leaves):
    """Rebuild a pytree of structure ``treedef`` from ``leaves`` (inverse of :func:`tree_flatten`)."""
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree_unflatten: treedef has {treedef.num_leaves} leaves, got len(leaves)={len(leaves)}")
    return _unflatten(treedef, iter(leaves))


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_structure(tree):
    return tree_flatten(tree)[1]


def tree_map(f, tree, *rest):
    """Apply ``f`` leafwise to ``tree`` (and the matching leaves of ``rest``, which share its structure)."""
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        lr, tr = tree_flatten(r)
        if tr != td:
            raise ValueError(f"tree_map: structures differ: {td!r} vs {tr!r}")
        others.append(lr)
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])


def ravel_pytree(tree):
    """Concatenate all leaves of ``tree`` into one 1-D vector.

    Returns
    -------
    flat : ndarray, shape (n,)
        The raveled leaves (differentiable when leaves are traced).
    unravel : callable
        ``unravel(flat)`` rebuilds the pytree with the original shapes.

    Examples
    --------
    >>> import numpy as onp
    >>> flat, unravel = ravel_pytree({"a": onp.ones((2, 2)), "b": 3.0})
    >>> flat.shape
    (5,)
    """
    from . import numpy as anp

    leaves, td = tree_flatten(tree)
    shapes = [onp.shape(x) for x in leaves]
    sizes = [int(onp.prod(s)) for s in shapes]
    flat = anp.concatenate([anp.ravel(x) for x in leaves]) if leaves else onp.zeros(0)

    def unravel(v):
        out = []
        i = 0
        for s, n in zip(shapes, sizes):
            out.append(anp.reshape(v[i:i + n], s))
            i += n
        return tree_unflatten(td, out)

    return flat, unravel
