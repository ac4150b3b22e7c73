"""reverse.py: reverse mode as a level-tagged tape (autograd-style boxes) with VJP rules in differentiable ops.

Each primitive applied to a box of this trace records a :class:`Node` (primitive, params, argument
values, answer, parent nodes). The backward pass walks the reachable nodes in reverse creation order
(a valid topological order) and calls ``prim.vjp``. Because the VJP rules are written with
``autodiff.numpy`` operations, a backward pass run under another live trace is itself traced: this
is how ``grad(grad(f))``, ``jacfwd(jacrev(f))`` and ``jvp`` of ``vjp`` nest to any order.
"""

from __future__ import annotations

from .core import Trace, Tracer, missing_rule, ops, vjp_rules

__all__ = ["ReverseTrace", "RBox", "Node", "vjp_flat", "defvjp", "defvjp_rule", "backward"]


class Node:
    """One recorded primitive application (``prim is None`` for an input leaf)."""

    __slots__ = ("prim", "params", "args", "ans", "parents", "id")

    def __init__(self, prim, params, args, ans, parents, nid):
        self.prim = prim
        self.params = params
        self.args = args
        self.ans = ans
        self.parents = parents
        self.id = nid


class RBox(Tracer):
    """A value recorded on a reverse tape: ``value``, producing ``node`` and output index ``idx``."""

    __slots__ = ("value", "node", "idx")

    def __init__(self, trace, value, node, idx):
        self._trace = trace
        self.value = value
        self.node = node
        self.idx = idx

    def _primal_value(self):
        return self.value


class ReverseTrace(Trace):
    """Interpreter that evaluates primitives and records them on a tape for the backward pass."""

    __slots__ = ("count",)

    def __init__(self):
        super().__init__()
        self.count = 0

    def process(self, prim, args, params):
        vals = list(args)
        parents = []
        for i, a in enumerate(args):
            if isinstance(a, RBox) and a._trace is self:
                vals[i] = a.value
                parents.append((i, a.node, a.idx))
        ans = prim.bind(*vals, **params)
        if prim.vjp is None:
            raise missing_rule(prim, "reverse (vjp)")
        self.count += 1
        node = Node(prim, params, vals, ans, parents, self.count)
        if prim.multiple_results:
            return tuple(RBox(self, a, node, k) for k, a in enumerate(ans))
        return RBox(self, ans, node, 0)

    def new_leaf(self, value):
        return RBox(self, value, Node(None, None, None, value, (), 0), 0)


def backward(trace, outs, cts):
    """Backward pass: cotangents ``cts`` of the boxes ``outs``; returns a dict node -> [cotangents]."""
    acc = {}
    stack = []
    for o, g in zip(outs, cts):
        if g is None or not (isinstance(o, RBox) and o._trace is trace):
            continue
        node = o.node
        lst = acc.get(node)
        if lst is None:
            n_out = len(node.ans) if (node.prim is not None and node.prim.multiple_results) else 1
            acc[node] = lst = [None] * n_out
            stack.append(node)
        lst[o.idx] = g if lst[o.idx] is None else ops.add(lst[o.idx], g)
    seen = set()
    order = []
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        order.append(n)
        for _, p, _ in n.parents:
            if p not in seen:
                stack.append(p)
    order.sort(key=_node_id, reverse=True)
    add = ops.add
    for n in order:
        prim = n.prim
        if prim is None:
            continue
        lst = acc.pop(n, None)
        if lst is None:
            continue
        if prim.multiple_results:
            if all(c is None for c in lst):
                continue
            g = tuple(ops.zeros_like(a) if c is None else c for a, c in zip(n.ans, lst))
        else:
            g = lst[0]
            if g is None:
                continue
        acc_rule = prim.vjp_accumulate
        if acc_rule is not None and len(n.parents) == 1:
            _, p, k = n.parents[0]
            plst = acc.get(p)
            if plst is not None and plst[k] is not None:
                plst[k] = acc_rule(plst[k], g, n.ans, n.args, n.params)
                continue
        which = [i for i, _, _ in n.parents]
        res = prim.vjp(g, n.ans, n.args, n.params, which)
        for (_, p, k), c in zip(n.parents, res):
            if c is None:
                continue
            plst = acc.get(p)
            if plst is None:
                n_out = len(p.ans) if (p.prim is not None and p.prim.multiple_results) else 1
                acc[p] = plst = [None] * n_out
            plst[k] = c if plst[k] is None else add(plst[k], c)
    return acc


def _node_id(n):
    return n.id


def vjp_flat(fun, primals):
    """Trace ``fun(*primals)`` (returning a flat list) on a tape; returns (outs, vjp_fn).

    ``vjp_fn(cts)`` takes one cotangent per output (``None`` = zero) and returns one cotangent per
    input (``None`` where the output does not depend on that input).
    """
    trace = ReverseTrace()
    leaves = [trace.new_leaf(p) for p in primals]
    outs = fun(*leaves)
    vals = [o.value if (isinstance(o, RBox) and o._trace is trace) else o for o in outs]

    def vjp_fn(cts):
        acc = backward(trace, outs, cts)
        res = []
        for leaf in leaves:
            lst = acc.get(leaf.node)
            res.append(None if lst is None else lst[0])
        return res

    return vals, vjp_fn


def defvjp(prim, *makers):
    """Define the VJP of ``prim`` by one maker per positional argument.

    Each maker is ``maker(g, ans, *args, **params) -> cotangent of that argument`` written with
    differentiable operations; ``None`` marks an argument with zero derivative.
    """

    def vjp(g, ans, args, params, which):
        out = []
        for i in which:
            m = makers[i] if i < len(makers) else None
            out.append(None if m is None else m(g, ans, *args, **params))
        return out

    prim.vjp = vjp
    vjp_rules[prim] = vjp
    return vjp


def defvjp_rule(prim, rule):
    """Define the whole VJP ``rule(g, ans, args, params, which) -> [cotangent for i in which]``."""
    prim.vjp = rule
    vjp_rules[prim] = rule
    return rule
