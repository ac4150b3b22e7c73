"""forward.py: forward mode (JVPTrace with symbolic Zero tangents) and the JVP rule definers."""

from __future__ import annotations

from .core import Trace, Tracer, jvp_rules, missing_rule, ops, zero

__all__ = ["JVPTrace", "JVPTracer", "jvp_flat", "defjvp", "defjvp_rule", "deflinear_jvp"]


class JVPTracer(Tracer):
    """A primal value paired with its tangent (``zero`` when the tangent is symbolically zero)."""

    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent

    def _primal_value(self):
        return self.primal


class JVPTrace(Trace):
    """Interpreter that pushes tangents forward through every primitive using ``prim.jvp``."""

    __slots__ = ()

    def process(self, prim, args, params):
        primals = []
        tangents = []
        for a in args:
            if isinstance(a, JVPTracer) and a._trace is self:
                primals.append(a.primal)
                tangents.append(a.tangent)
            else:
                primals.append(a)
                tangents.append(zero)
        rule = prim.jvp
        if rule is None:
            raise missing_rule(prim, "forward (jvp)")
        out, tout = rule(primals, tangents, **params)
        if prim.multiple_results:
            return tuple(o if t is zero else JVPTracer(self, o, t) for o, t in zip(out, tout))
        if tout is zero:
            return out
        return JVPTracer(self, out, tout)


def jvp_flat(fun, primals, tangents):
    """Run ``fun(*primals)`` (returning a flat list of arrays) with tangents; returns (outs, touts).

    Output tangents are ``zero`` where the output does not depend on the inputs.
    """
    trace = JVPTrace()
    ins = [JVPTracer(trace, p, t) for p, t in zip(primals, tangents)]
    outs = fun(*ins)
    pouts = []
    touts = []
    for o in outs:
        if isinstance(o, JVPTracer) and o._trace is trace:
            pouts.append(o.primal)
            touts.append(o.tangent)
        else:
            pouts.append(o)
            touts.append(zero)
    return pouts, touts


def _add_tangents(a, b):
    if a is zero:
        return b
    if b is zero:
        return a
    return ops.add(a, b)


def defjvp(prim, *rules):
    """Define the JVP of ``prim`` by one rule per positional argument.

    Each rule is ``rule(t, ans, *primals, **params) -> tangent contribution`` written with
    differentiable operations; ``None`` marks an argument with zero derivative.
    """

    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        tout = zero
        for i, t in enumerate(tangents):
            if t is zero:
                continue
            r = rules[i] if i < len(rules) else None
            if r is None:
                continue
            tout = _add_tangents(tout, r(t, ans, *primals, **params))
        return ans, tout

    prim.jvp = jvp
    jvp_rules[prim] = jvp
    return jvp


def defjvp_rule(prim, rule):
    """Define the whole JVP ``rule(primals, tangents, **params) -> (out, tangent_out)`` at once."""
    prim.jvp = rule
    jvp_rules[prim] = rule
    return rule


def deflinear_jvp(prim):
    """JVP of an operation that is linear in its (single) first argument: apply it to the tangent."""

    def jvp(primals, tangents, **params):
        ans = prim.bind(*primals, **params)
        t = tangents[0]
        if t is zero:
            return ans, zero
        return ans, prim.bind(t, *primals[1:], **params)

    prim.jvp = jvp
    jvp_rules[prim] = jvp
    return jvp
