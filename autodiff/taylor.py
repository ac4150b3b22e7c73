"""taylor.py: Taylor mode (jet): truncated Taylor series pushed through primitives by rule families.

Internally a series is held as *normalised* coefficients ``c_k = x^(k) / k!`` (so products are plain
Cauchy convolutions); :func:`jet_flat` converts from and to JAX's derivative convention
``x^(k) = d^k x(t)/dt^k`` at the boundary. Rule families (as JAX's ``jet.py``):

* linear (``def_linear``): push every coefficient through the operation;
* zero (``def_zero``): piecewise constant operations, zero series;
* derivative recurrence (``def_deriv``): ``y' = f'(x) x'`` gives
  ``y_k = (1/k) sum_{j=1..k} j x_j g_{k-j}`` with ``g`` the series of ``f'(x)`` computed by a nested jet
  of order ``K-1``; closed recurrences (exp, log, sin/cos, tanh, power, ...) are written directly;
* composition (``def_comp``): the series of an expression of other primitives.

Every rule uses differentiable operations, so a jet can itself be differentiated (e.g. the parameter
gradient of a Taylor-mode Laplacian). The cost is O(K^2) per elementwise operation, polynomial in K.
"""

from __future__ import annotations

import math

from .core import Trace, Tracer, missing_rule, ops, taylor_rules, zero

#: use the numba kernels of ``_series_kernels`` for jets on plain float64 arrays (set False to force the
#: differentiable rules everywhere, e.g. to test them)
FAST_KERNELS = True

__all__ = [
    "FAST_KERNELS",
    "JetTrace",
    "JetTracer",
    "jet_flat",
    "jet_normalized",
    "def_taylor",
    "def_linear",
    "def_joint_linear",
    "def_zero",
    "def_deriv",
    "def_comp",
    "series_mul",
    "series_div",
    "series_add",
    "series_scale",
    "series_deriv_recurrence",
]


class JetTracer(Tracer):
    """A primal value with ``terms`` = [c_1, ..., c_K] normalised Taylor coefficients (``zero`` allowed)."""

    __slots__ = ("primal", "terms")

    def __init__(self, trace, primal, terms):
        self._trace = trace
        self.primal = primal
        self.terms = terms

    def _primal_value(self):
        return self.primal


class JetTrace(Trace):
    """Interpreter that propagates truncated Taylor series of fixed order ``order``."""

    __slots__ = ("order",)

    def __init__(self, order):
        super().__init__()
        self.order = order

    def process(self, prim, args, params):
        primals = []
        series = []
        for a in args:
            if isinstance(a, JetTracer) and a._trace is self:
                primals.append(a.primal)
                series.append(a.terms)
            else:
                primals.append(a)
                series.append(None)
        rule = prim.taylor
        if rule is None:
            raise missing_rule(prim, "Taylor (jet)")
        out, sout = rule(self.order, primals, series, **params)
        if prim.multiple_results:
            return tuple(
                o if (s is None or all(t is zero for t in s)) else JetTracer(self, o, s)
                for o, s in zip(out, sout)
            )
        if sout is None or all(t is zero for t in sout):
            return out
        return JetTracer(self, out, sout)


def jet_normalized(fun, primals, series, order):
    """Propagate normalised series ``series[i] = [c_1..c_K]`` (or None) through ``fun`` (flat lists)."""
    trace = JetTrace(order)
    ins = [p if s is None else JetTracer(trace, p, list(s)) for p, s in zip(primals, series)]
    outs = fun(*ins)
    pouts = []
    souts = []
    for o in outs:
        if isinstance(o, JetTracer) and o._trace is trace:
            pouts.append(o.primal)
            souts.append(o.terms)
        else:
            pouts.append(o)
            souts.append([zero] * order)
    return pouts, souts


def jet_flat(fun, primals, series):
    """Jet in JAX's convention: ``series[i][k-1] = d^k x_i(t)/dt^k``; returns the same for the outputs."""
    order = max((len(s) for s in series), default=0)
    norm = []
    for s in series:
        terms = [zero] * order
        for k, t in enumerate(s):
            if t is not zero and t is not None:
                f = 1.0 / math.factorial(k + 1)
                terms[k] = ops.multiply(t, f) if f != 1.0 else t
        norm.append(terms)
    pouts, souts = jet_normalized(fun, primals, norm, order)
    res = []
    for p, s in zip(pouts, souts):
        terms = []
        for k, t in enumerate(s):
            if t is zero:
                terms.append(ops.zeros_like(p))
            else:
                f = float(math.factorial(k + 1))
                terms.append(ops.multiply(t, f) if f != 1.0 else t)
        res.append(terms)
    return pouts, res


# ----- series arithmetic (lists [c_0, c_1, ..., c_n], zero allowed for k >= 1) -----


def _add(a, b):
    if a is zero:
        return b
    if b is zero:
        return a
    return ops.add(a, b)


def _mul(a, b):
    if a is zero or b is zero:
        return zero
    return ops.multiply(a, b)


def series_add(a, b):
    return [_add(x, y) for x, y in zip(a, b)]


def series_scale(a, c):
    return [_mul(x, c) for x in a]


def series_mul(a, b, n=None):
    """Cauchy product of two full series (c_0 included), truncated to ``n`` terms."""
    n = len(a) if n is None else n
    out = []
    for k in range(n):
        acc = zero
        for j in range(k + 1):
            acc = _add(acc, _mul(a[j], b[k - j]))
        out.append(acc)
    return out


def series_div(a, b, n=None):
    """Series of a / b (c_0 included): z_k = (a_k - sum_{j=1..k} b_j z_{k-j}) / b_0."""
    n = len(a) if n is None else n
    inv_b0 = ops.divide(1.0, b[0])
    out = []
    for k in range(n):
        acc = a[k]
        for j in range(1, k + 1):
            p = _mul(b[j], out[k - j])
            if p is not zero:
                acc = ops.negative(p) if acc is zero else ops.subtract(acc, p)
        out.append(zero if acc is zero else ops.multiply(acc, inv_b0))
    return out


def series_deriv_recurrence(x_terms, g_series, order):
    """y_k = (1/k) sum_{j=1..k} j x_j g_{k-j}, for k = 1..order (x_terms = [x_1..x_K], g = [g_0..])."""
    xs = [t if (t is zero or j == 1) else ops.multiply(t, float(j)) for j, t in enumerate(x_terms[:order], 1)]
    out = []
    for k in range(1, order + 1):
        acc = zero
        for j in range(1, k + 1):
            acc = _add(acc, _mul(xs[j - 1], g_series[k - j]))
        if acc is not zero and k != 1:
            acc = ops.multiply(acc, 1.0 / k)
        out.append(acc)
    return out


# ----- rule definers -----


def def_taylor(prim, rule):
    """Register ``rule(order, primals, series, **params) -> (out, series_out)`` (series None = constant)."""
    prim.taylor = rule
    taylor_rules[prim] = rule
    return rule


def def_zero(prim):
    """Piecewise-constant primitive: the output series is zero."""

    def rule(order, primals, series, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [None] * len(out)
        return out, None

    return def_taylor(prim, rule)


def def_linear(prim):
    """Primitive linear in its first argument (the others static): push every coefficient through it."""

    def rule(order, primals, series, **params):
        out = prim.bind(*primals, **params)
        s = series[0]
        if s is None:
            return out, None
        rest = primals[1:]
        return out, [zero if t is zero else prim.bind(t, *rest, **params) for t in s]

    return def_taylor(prim, rule)


def def_joint_linear(prim, n_linear=None):
    """Primitive jointly linear in its first ``n_linear`` arguments (all by default)."""

    def rule(order, primals, series, **params):
        out = prim.bind(*primals, **params)
        nl = len(primals) if n_linear is None else n_linear
        terms = []
        for k in range(order):
            args = []
            nonzero = False
            for i, (p, s) in enumerate(zip(primals, series)):
                if i >= nl:
                    args.append(p)
                elif s is None or s[k] is zero:
                    args.append(ops.zeros_like(p))
                else:
                    args.append(s[k])
                    nonzero = True
            terms.append(prim.bind(*args, **params) if nonzero else zero)
        return out, terms

    return def_taylor(prim, rule)


def def_deriv(prim, deriv):
    """Elementwise unary primitive with derivative ``deriv(x)`` written in differentiable operations.

    The series of ``deriv(x(t))`` to order K-1 comes from a nested jet, then the recurrence
    ``y_k = (1/k) sum j x_j g_{k-j}`` gives the output (JAX's ``def_deriv``).
    """

    def rule(order, primals, series, **params):
        x = primals[0]
        out = prim.bind(x, **params)
        s = series[0]
        if s is None:
            return out, None
        if order > 1:
            gp, gs = jet_normalized(lambda z: [deriv(z, **params)], [x], [s[: order - 1]], order - 1)
            g = [gp[0]] + gs[0]
        else:
            g = [deriv(x, **params)]
        return out, series_deriv_recurrence(s, g, order)

    return def_taylor(prim, rule)


def def_comp(prim, comp):
    """Primitive whose series equals that of ``comp(*args, **params)`` (an expression of other primitives)."""

    def rule(order, primals, series, **params):
        out = prim.bind(*primals, **params)
        pouts, souts = jet_normalized(lambda *a: [comp(*a, **params)], primals, series, order)
        return out, souts[0]

    return def_taylor(prim, rule)
