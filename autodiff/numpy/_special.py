"""_special.py: special functions physics uses (erf, erfc, gammaln, digamma, polygamma, expit, xlogy, ...)."""

from __future__ import annotations

import numpy as onp
import scipy.special as ss

from ..taylor import def_comp, def_deriv, def_taylor
from ._base import Primitive, defjvp, defvjp, ops, raw, shape_of, unbroadcast_to, zero

__all__ = ["erf", "erfc", "gammaln", "digamma", "polygamma", "expit", "logit", "xlogy", "xlog1py",
           "log_softmax", "softmax", "softplus", "logsumexp", "sigmoid"]

_TWO_OVER_SQRT_PI = 2.0 / onp.sqrt(onp.pi)


def _unary(name, impl, deriv):
    p = Primitive(name)
    p.impl = impl
    defjvp(p, lambda t, ans, x: ops.multiply(t, deriv(x, ans)))
    defvjp(p, lambda g, ans, x: ops.multiply(g, deriv(x, ans)))
    return p


erf_p = _unary("erf", ss.erf, lambda x, ans: ops.multiply(_TWO_OVER_SQRT_PI, ops.exp(ops.negative(ops.multiply(x, x)))))
def_deriv(erf_p, lambda x: ops.multiply(_TWO_OVER_SQRT_PI, ops.exp(ops.negative(ops.multiply(x, x)))))
erfc_p = _unary("erfc", ss.erfc,
                lambda x, ans: ops.multiply(-_TWO_OVER_SQRT_PI, ops.exp(ops.negative(ops.multiply(x, x)))))
def_deriv(erfc_p, lambda x: ops.multiply(-_TWO_OVER_SQRT_PI, ops.exp(ops.negative(ops.multiply(x, x)))))


def erf(x):
    """Error function ``2/sqrt(pi) int_0^x exp(-t^2) dt``."""
    return erf_p.bind(x)


def erfc(x):
    """Complementary error function ``1 - erf(x)``."""
    return erfc_p.bind(x)


polygamma_p = Primitive("polygamma")
polygamma_p.impl = lambda x, n: ss.polygamma(n, x)
defjvp(polygamma_p, lambda t, ans, x, n: ops.multiply(t, polygamma_p.bind(x, n=n + 1)))
defvjp(polygamma_p, lambda g, ans, x, n: ops.multiply(g, polygamma_p.bind(x, n=n + 1)))
def_deriv(polygamma_p, lambda x, n: polygamma_p.bind(x, n=n + 1))


def polygamma(n, x):
    """``n``-th derivative of the digamma function (``n`` a non-negative integer, not differentiated)."""
    n = int(raw(n))
    if n < 0:
        raise ValueError(f"polygamma: n={n} must be >= 0")
    return polygamma_p.bind(x, n=n)


def digamma(x):
    """Digamma ``psi(x) = d/dx log Gamma(x)``."""
    return polygamma_p.bind(x, n=0)


gammaln_p = _unary("gammaln", ss.gammaln, lambda x, ans: polygamma_p.bind(x, n=0))
def_deriv(gammaln_p, lambda x: polygamma_p.bind(x, n=0))


def gammaln(x):
    """``log |Gamma(x)|``."""
    return gammaln_p.bind(x)


expit_p = _unary("expit", ss.expit, lambda x, ans: ops.multiply(ans, ops.subtract(1.0, ans)))


def _expit_taylor(order, primals, series):
    # y' = y (1 - y) x': incremental recurrence (as tanh)
    from ._elementwise import _add, _mul

    x = primals[0]
    s = series[0]
    y0 = expit_p.bind(x)
    if s is None:
        return y0, None
    xs = [t if (t is zero or j == 1) else ops.multiply(t, float(j)) for j, t in enumerate(s, 1)]
    ys = [y0]
    gs = []
    for k in range(1, order + 1):
        m = k - 1
        sq = zero
        for i in range(m + 1):
            sq = _add(sq, _mul(ys[i], ys[m - i]))
        gs.append(_add(ys[m], ops.negative(sq)) if sq is not zero else ys[m])
        acc = zero
        for j in range(1, k + 1):
            acc = _add(acc, _mul(xs[j - 1], gs[k - j]))
        if acc is not zero and k != 1:
            acc = ops.multiply(acc, 1.0 / k)
        ys.append(acc)
    return y0, ys[1:]


def_taylor(expit_p, _expit_taylor)


def expit(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``."""
    return expit_p.bind(x)


sigmoid = expit


def logit(p):
    """``log(p / (1 - p))``."""
    return ops.subtract(ops.log(p), ops.log1p(ops.negative(p)))


xlogy_p = Primitive("xlogy")
xlogy_p.impl = ss.xlogy
defjvp(
    xlogy_p,
    lambda t, ans, x, y: ops.broadcast_to(ops.multiply(t, ops.log(y)), shape_of(ans)),
    lambda t, ans, x, y: ops.broadcast_to(ops.multiply(t, ops.divide(x, y)), shape_of(ans)),
)
defvjp(
    xlogy_p,
    lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, ops.log(y)), x),
    lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, ops.divide(x, y)), y),
)
def_comp(xlogy_p, lambda x, y: ops.multiply(x, ops.log(y)))


def xlogy(x, y):
    """``x * log(y)``, defined as 0 where ``x == 0``."""
    return xlogy_p.bind(x, y)


def xlog1py(x, y):
    """``x * log1p(y)``."""
    return ops.multiply(x, ops.log1p(y))


def softplus(x):
    """``log(1 + exp(x))``, stable."""
    return ops.logaddexp(x, 0.0)


def logsumexp(x, axis=None, keepdims=False, b=None):
    """Stable ``log(sum(b * exp(x)))``."""
    return ops.logsumexp(x, axis=axis, keepdims=keepdims, b=b)


def log_softmax(x, axis=-1):
    """``x - logsumexp(x)`` along ``axis``."""
    return ops.subtract(x, ops.logsumexp(x, axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """Softmax along ``axis``."""
    return ops.exp(log_softmax(x, axis))
