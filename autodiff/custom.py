"""custom.py: user-defined derivative rules (custom_jvp, custom_vjp) and gradient checkpointing.

Each decorated function becomes a :class:`~autodiff.core.Primitive` whose rules call the user's rule
functions. Rules written with ``autodiff.numpy`` nest like built-in ones.
"""

from __future__ import annotations

import functools

import numpy as onp

from .core import Primitive, raw, zero
from .forward import jvp_flat
from .reverse import vjp_flat
from .taylor import jet_normalized

__all__ = ["custom_jvp", "custom_vjp", "checkpoint"]


def _as_list(out):
    return list(out) if isinstance(out, tuple) else [out]


def _instantiate(primals, tangents):
    return [onp.zeros_like(raw(p)) if t is zero else t for p, t in zip(primals, tangents)]


def _taylor_through(fun, multiple):
    def rule(order, primals, series, **params):
        pouts, souts = jet_normalized(lambda *a: _as_list(fun(*a)), primals, series, order)
        return (tuple(pouts), souts) if multiple else (pouts[0], souts[0])

    return rule


class custom_jvp:
    """Function with a user-supplied JVP rule (JAX's ``jax.custom_jvp``).

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> @ad.custom_jvp
    ... def log1pexp(x):
    ...     return anp.log1p(anp.exp(x))
    >>> @log1pexp.defjvp
    ... def _log1pexp_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return log1pexp(x), t * anp.special.expit(x)
    >>> float(ad.grad(log1pexp)(1000.0))  # stable, where the naive rule gives nan
    1.0

    Notes
    -----
    The rule ``jvp(primals, tangents) -> (out, tangent_out)`` must be linear in the tangents. Reverse
    mode uses it too: the VJP is the gradient of ``<g, jvp(primals, t)>`` with respect to ``t``.
    """

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.jvp_rule = None
        self.prim = Primitive(f"custom_jvp[{getattr(fun, '__name__', 'f')}]")
        self.prim.impl = fun
        self.prim.taylor = _taylor_through(fun, False)

    def defjvp(self, rule):
        self.jvp_rule = rule
        prim = self.prim

        def jvp(primals, tangents):
            ts = _instantiate(primals, tangents)
            out, tout = rule(tuple(primals), tuple(ts))
            return out, tout

        def vjp(g, ans, args, params, which):
            zeros = [onp.zeros_like(raw(a)) for a in args]

            def lin(*ts):
                from . import numpy as anp

                _, tout = rule(tuple(args), tuple(ts))
                return [anp.sum(anp.multiply(tout, g))]

            _, fn = vjp_flat(lin, zeros)
            cts = fn([onp.ones(())])
            return [cts[i] for i in which]

        prim.jvp = jvp
        prim.vjp = vjp
        return rule

    def defjvps(self, *rules):
        """One rule per argument, ``rule_i(t_i, ans, *primals) -> tangent contribution`` (JAX's
        ``defjvps``); ``None`` marks an argument with zero derivative."""
        def rule(primals, tangents):
            ans = self.prim.bind(*primals)
            out = None
            for r, t in zip(rules, tangents):
                if r is None:
                    continue
                c = r(t, ans, *primals)
                out = c if out is None else out + c
            return ans, (out if out is not None else onp.zeros_like(raw(ans)))

        return self.defjvp(rule)

    def __call__(self, *args):
        if self.jvp_rule is None:
            raise RuntimeError(f"custom_jvp function {self.fun.__name__!r} has no rule; decorate one with "
                               ".defjvp")
        return self.prim.bind(*args)


class custom_vjp:
    """Function with a user-supplied VJP (JAX's ``jax.custom_vjp``).

    ``f.defvjp(fwd, bwd)`` with ``fwd(*args) -> (out, residuals)`` and ``bwd(residuals, g) -> tuple`` of
    cotangents, one per argument (``None`` for zero). Forward mode and Taylor mode differentiate the
    original function. ``fwd`` is re-run at the backward pass (residuals are recomputed, not stored).

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> @ad.custom_vjp
    ... def clip_grad(x):
    ...     return x
    >>> clip_grad.defvjp(lambda x: (x, None), lambda res, g: (anp.clip(g, -1.0, 1.0),))
    >>> float(ad.grad(lambda x: 5.0 * clip_grad(x))(0.0))
    1.0
    """

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd = None
        self.bwd = None
        self.prim = Primitive(f"custom_vjp[{getattr(fun, '__name__', 'f')}]")
        self.prim.impl = fun
        self.prim.taylor = _taylor_through(fun, False)

        def jvp(primals, tangents):
            pouts, touts = jvp_flat(lambda *a: [fun(*a)], primals, tangents)
            return pouts[0], touts[0]

        self.prim.jvp = jvp

    def defvjp(self, fwd, bwd):
        self.fwd = fwd
        self.bwd = bwd

        def vjp(g, ans, args, params, which):
            _, res = fwd(*args)
            cts = bwd(res, g)
            if not isinstance(cts, tuple | list) or len(cts) != len(args):
                raise ValueError(f"custom_vjp bwd of {self.fun.__name__!r} must return a tuple of {len(args)} "
                                 f"cotangents (one per argument), got {type(cts).__name__}")
            return [cts[i] for i in which]

        self.prim.vjp = vjp

    def __call__(self, *args):
        if self.fwd is None:
            raise RuntimeError(f"custom_vjp function {self.fun.__name__!r} has no rule; call .defvjp(fwd, bwd)")
        return self.prim.bind(*args)


def checkpoint(fun):
    """Gradient checkpointing: under reverse mode, store only the inputs of ``fun`` and recompute its
    internal tape during the backward pass (memory O(inputs) instead of O(operations)).

    Parameters
    ----------
    fun : callable
        Function of array arguments returning an array or a tuple of arrays.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> step = ad.checkpoint(lambda x: anp.sin(x) * 2.0)
    >>> float(ad.grad(lambda x: step(step(x)))(0.0))
    4.0
    """
    holder = {}

    def impl(*args):
        out = fun(*args)
        holder["multiple"] = isinstance(out, tuple)
        return out

    prim = Primitive(f"checkpoint[{getattr(fun, '__name__', 'f')}]")
    prim.impl = impl

    def jvp(primals, tangents):
        pouts, touts = jvp_flat(lambda *a: _as_list(fun(*a)), primals, tangents)
        if prim.multiple_results:
            return tuple(pouts), touts
        return pouts[0], touts[0]

    def vjp(g, ans, args, params, which):
        _, fn = vjp_flat(lambda *a: _as_list(fun(*a)), list(args))
        cts = fn(list(g) if prim.multiple_results else [g])
        return [cts[i] for i in which]

    prim.jvp = jvp
    prim.vjp = vjp

    @functools.wraps(fun)
    def wrapped(*args):
        if "multiple" not in holder:
            out = fun(*[raw(a) for a in args])
            holder["multiple"] = isinstance(out, tuple)
        prim.multiple_results = holder["multiple"]
        prim.taylor = _taylor_through(fun, prim.multiple_results)
        return prim.bind(*args)

    wrapped.primitive = prim
    return wrapped
