"""_elementwise.py: elementwise primitives, each followed by its JVP, VJP and Taylor rules."""

from __future__ import annotations

import numpy as onp

from ..taylor import (
    def_comp,
    def_deriv,
    def_taylor,
    series_div,
    series_mul,
)
from ._base import (
    Primitive,
    Tracer,
    batched_nondiff_call,
    bcast_to,
    defjvp,
    defjvp_rule,
    deflinear,
    defvjp,
    dtype_of,
    ops,
    raw,
    unbroadcast_to,
    zero,
)

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "power", "square", "reciprocal",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "sin", "cos", "tan",
    "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "arctan2",
    "hypot", "abs", "absolute", "fabs", "maximum", "minimum", "fmax", "fmin", "logaddexp", "logaddexp2",
    "where", "clip", "real", "imag", "conj", "conjugate", "astype", "sinc", "deg2rad", "rad2deg",
    "radians", "degrees", "heaviside", "mod", "floor_divide", "remainder", "fmod", "positive",
]


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


def _neg(a):
    return zero if a is zero else ops.negative(a)


def _bterms(terms, like):
    return None if terms is None else [t if t is zero else bcast_to(t, like) for t in terms]


# ----- add / subtract / negative (linear) -----

add_p = Primitive("add")
add_p.impl = onp.add
deflinear(
    add_p,
    lambda g, ans, x, y: unbroadcast_to(g, x),
    lambda g, ans, x, y: unbroadcast_to(g, y),
    taylor=False,
)


def _add_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    ans = add_p.bind(x, y)
    if tx is zero:
        return ans, (zero if ty is zero else bcast_to(ty, ans))
    if ty is zero:
        return ans, bcast_to(tx, ans)
    return ans, add_p.bind(tx, ty)


defjvp_rule(add_p, _add_jvp)


def _add_taylor(order, primals, series):
    x, y = primals
    ans = add_p.bind(x, y)
    sx, sy = series
    if sx is None:
        return ans, _bterms(sy, ans)
    if sy is None:
        return ans, _bterms(sx, ans)
    return ans, _bterms([_add(a, b) for a, b in zip(sx, sy)], ans)


def_taylor(add_p, _add_taylor)


def add(x, y):
    """Elementwise ``x + y`` with broadcasting.

    Parameters
    ----------
    x, y : array_like
        Broadcast-compatible operands.

    Returns
    -------
    ndarray
        Shape ``broadcast(x.shape, y.shape)``.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> float(ad.grad(lambda x: anp.add(x, x))(1.0))
    2.0
    """
    return add_p.bind(x, y)


sub_p = Primitive("subtract")
sub_p.impl = onp.subtract


def _sub_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    ans = sub_p.bind(x, y)
    if tx is zero:
        return ans, (zero if ty is zero else bcast_to(ops.negative(ty), ans))
    if ty is zero:
        return ans, bcast_to(tx, ans)
    return ans, sub_p.bind(tx, ty)


defjvp_rule(sub_p, _sub_jvp)
defvjp(
    sub_p,
    lambda g, ans, x, y: unbroadcast_to(g, x),
    lambda g, ans, x, y: unbroadcast_to(ops.negative(g), y),
)


def _sub_taylor(order, primals, series):
    x, y = primals
    ans = sub_p.bind(x, y)
    sx, sy = series
    if sy is None:
        return ans, _bterms(sx, ans)
    ny = [_neg(t) for t in sy]
    if sx is None:
        return ans, _bterms(ny, ans)
    return ans, _bterms([_add(a, b) for a, b in zip(sx, ny)], ans)


def_taylor(sub_p, _sub_taylor)


def subtract(x, y):
    """Elementwise ``x - y`` with broadcasting; shape ``broadcast(x.shape, y.shape)``."""
    return sub_p.bind(x, y)


neg_p = Primitive("negative")
neg_p.impl = onp.negative
deflinear(neg_p, lambda g, ans, x: ops.negative(g))


def negative(x):
    """Elementwise ``-x``."""
    return neg_p.bind(x)


def positive(x):
    """Elementwise ``+x`` (identity)."""
    return x


# ----- multiply / divide (bilinear, rational) -----

mul_p = Primitive("multiply")
mul_p.impl = onp.multiply
defjvp(
    mul_p,
    lambda t, ans, x, y: bcast_to(ops.multiply(t, y), ans),
    lambda t, ans, x, y: bcast_to(ops.multiply(x, t), ans),
)
defvjp(
    mul_p,
    lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, y), x),
    lambda g, ans, x, y: unbroadcast_to(ops.multiply(x, g), y),
)


def _mul_taylor(order, primals, series):
    x, y = primals
    sx, sy = series
    ans = mul_p.bind(x, y)
    if sx is None:
        return ans, _bterms([_mul(x, t) for t in sy], ans)
    if sy is None:
        return ans, _bterms([_mul(t, y) for t in sx], ans)
    return ans, _bterms(series_mul([x] + sx, [y] + sy, order + 1)[1:], ans)


def_taylor(mul_p, _mul_taylor)


def multiply(x, y):
    """Elementwise ``x * y`` with broadcasting; shape ``broadcast(x.shape, y.shape)``."""
    return mul_p.bind(x, y)


div_p = Primitive("divide")
div_p.impl = onp.divide
defjvp(
    div_p,
    lambda t, ans, x, y: bcast_to(ops.divide(t, y), ans),
    lambda t, ans, x, y: bcast_to(ops.negative(ops.multiply(t, ops.divide(ans, y))), ans),
)
defvjp(
    div_p,
    lambda g, ans, x, y: unbroadcast_to(ops.divide(g, y), x),
    lambda g, ans, x, y: unbroadcast_to(ops.negative(ops.multiply(g, ops.divide(ans, y))), y),
)


def _div_taylor(order, primals, series):
    x, y = primals
    sx, sy = series
    ans = div_p.bind(x, y)
    if sy is None:
        return ans, _bterms([zero if t is zero else ops.divide(t, y) for t in sx], ans)
    fx = [x] + (sx if sx is not None else [zero] * order)
    return ans, _bterms(series_div(fx, [y] + sy, order + 1)[1:], ans)


def_taylor(div_p, _div_taylor)


def divide(x, y):
    """Elementwise ``x / y`` with broadcasting; shape ``broadcast(x.shape, y.shape)``."""
    return div_p.bind(x, y)


true_divide = divide


# ----- power -----

pow_p = Primitive("power")


def _pow_impl(x, y):
    return onp.power(x, y)


pow_p.impl = _pow_impl


def _safe_log(x):
    xr = raw(x)
    if onp.any(xr == 0):
        return ops.log(ops.where(ops.equal(x, 0), onp.ones_like(xr), x))
    return ops.log(x)


def _pow_dx(x, y):
    """d x**y / dx = y x**(y-1), exact zero/one for constant exponents 0/1 (so x = 0 stays finite)."""
    if not isinstance(y, Tracer) and onp.ndim(y) == 0:
        yv = float(onp.real(y))
        if yv == 0.0:
            return onp.zeros_like(raw(x))
        if yv == 1.0:
            return onp.ones_like(raw(x))
        if yv == 2.0:
            return ops.multiply(x, 2.0)
        return ops.multiply(yv, ops.power(x, yv - 1.0))
    return ops.multiply(y, ops.power(x, ops.subtract(y, 1.0)))


defjvp(
    pow_p,
    lambda t, ans, x, y: bcast_to(ops.multiply(t, _pow_dx(x, y)), ans),
    lambda t, ans, x, y: bcast_to(ops.multiply(t, ops.multiply(ans, _safe_log(x))), ans),
)
defvjp(
    pow_p,
    lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, _pow_dx(x, y)), x),
    lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, ops.multiply(ans, _safe_log(x))), y),
)


def _pow_taylor(order, primals, series):
    x, y = primals
    sx, sy = series
    ans = pow_p.bind(x, y)
    yr = raw(y)
    if sy is None and onp.ndim(yr) == 0 and float(yr).is_integer() and 0 <= float(yr) <= 16:
        # integer power: repeated Cauchy products (valid at x = 0, where the recurrence divides by x)
        n = int(yr)
        base = [x] + sx
        acc = None
        while n:
            if n & 1:
                acc = base if acc is None else series_mul(acc, base, order + 1)
            n >>= 1
            if n:
                base = series_mul(base, base, order + 1)
        if acc is None:
            return ans, None
        return ans, _bterms(acc[1:], ans)
    if sy is not None:
        pouts, souts = _jet_of(lambda a, b: ops.exp(ops.multiply(b, ops.log(a))), primals, series, order)
        return ans, _bterms(souts, ans)
    # x^a with constant a: x y' = a y x'  =>  k x0 y_k = sum_j (a j - (k - j)) x_j y_{k-j}
    ys = [ans]
    inv_x0 = ops.divide(1.0, x)
    for k in range(1, order + 1):
        acc = zero
        for j in range(1, k + 1):
            xj = sx[j - 1]
            if xj is zero or ys[k - j] is zero:
                continue
            c = ops.subtract(ops.multiply(y, float(j)), float(k - j))
            acc = _add(acc, ops.multiply(ops.multiply(xj, ys[k - j]), c))
        ys.append(zero if acc is zero else ops.multiply(acc, ops.multiply(inv_x0, 1.0 / k)))
    return ans, _bterms(ys[1:], ans)


def _jet_of(fun, primals, series, order):
    from ..taylor import jet_normalized

    pouts, souts = jet_normalized(lambda *a: [fun(*a)], primals, series, order)
    return pouts[0], souts[0]


def_taylor(pow_p, _pow_taylor)


def power(x, y):
    """Elementwise ``x ** y`` with broadcasting.

    The derivative with respect to ``y`` uses ``log(x)``, taken as 0 where ``x == 0``. A constant
    exponent 1 returns ``x`` itself (no operation to differentiate).
    """
    if not isinstance(y, Tracer) and onp.ndim(y) == 0 and float(onp.real(y)) == 1.0 and not onp.iscomplexobj(y):
        return x
    return pow_p.bind(x, y)


def square(x):
    """Elementwise ``x ** 2``."""
    return mul_p.bind(x, x)


def reciprocal(x):
    """Elementwise ``1 / x``."""
    return div_p.bind(1.0, x)


# ----- unary elementwise with a derivative expression -----


def _unary(name, impl, deriv, taylor="deriv"):
    """Create a unary primitive with ``deriv(x, ans)`` its derivative in differentiable operations."""
    p = Primitive(name)
    p.impl = impl
    defjvp(p, lambda t, ans, x: ops.multiply(t, deriv(x, ans)))
    defvjp(p, lambda g, ans, x: ops.multiply(g, deriv(x, ans)))
    if taylor == "deriv":
        def_deriv(p, lambda x: deriv(x, p.bind(x)))
    elif taylor is not None:
        def_taylor(p, taylor)
    return p


def _ode_rule(prim, gfun):
    """Taylor rule for ``y' = g(y) x'`` where ``gfun(ys, m)`` gives the m-th coefficient of g(y(t)).

    ``y_k = (1/k) sum_{j=1..k} j x_j g_{k-j}``, computed incrementally since g_m needs y_0..y_m.
    """

    def rule(order, primals, series):
        x = primals[0]
        s = series[0]
        y0 = prim.bind(x)
        if s is None:
            return y0, None
        xs = [t if (t is zero or j == 1) else ops.multiply(t, float(j)) for j, t in enumerate(s, 1)]
        ys = [y0]
        gs = []
        for k in range(1, order + 1):
            gs.append(gfun(ys, k - 1))
            acc = zero
            for j in range(1, k + 1):
                acc = _add(acc, _mul(xs[j - 1], gs[k - j]))
            if acc is not zero and k != 1:
                acc = ops.multiply(acc, 1.0 / k)
            ys.append(acc)
        return y0, ys[1:]

    return def_taylor(prim, rule)


def _sq_coeff(ys, m):
    """m-th coefficient of y(t)^2 from the coefficients ys (Cauchy product, using symmetry)."""
    acc = zero
    for i in range((m + 1) // 2):
        acc = _add(acc, _mul(ys[i], ys[m - i]))
    if acc is not zero:
        acc = ops.multiply(acc, 2.0)
    if m % 2 == 0:
        acc = _add(acc, _mul(ys[m // 2], ys[m // 2]))
    return acc


exp_p = _unary("exp", onp.exp, lambda x, ans: ans, taylor=None)
_ode_rule(exp_p, lambda ys, m: ys[m])


def exp(x):
    """Elementwise exponential ``e**x``.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> round(float(ad.derivative(anp.exp, order=3)(0.0)), 12)
    1.0
    """
    return exp_p.bind(x)


exp2_p = _unary("exp2", onp.exp2, lambda x, ans: ops.multiply(ans, onp.log(2.0)), taylor=None)
def_comp(exp2_p, lambda x: ops.exp(ops.multiply(x, onp.log(2.0))))


def exp2(x):
    """Elementwise ``2**x``."""
    return exp2_p.bind(x)


expm1_p = _unary("expm1", onp.expm1, lambda x, ans: ops.add(ans, 1.0), taylor=None)
_ode_rule(expm1_p, lambda ys, m: ops.add(ys[0], 1.0) if m == 0 else ys[m])


def expm1(x):
    """Elementwise ``exp(x) - 1``, accurate for small ``x``."""
    return expm1_p.bind(x)


log_p = _unary("log", onp.log, lambda x, ans: ops.reciprocal(x), taylor=None)


def _log_taylor(order, primals, series):
    x = primals[0]
    s = series[0]
    y0 = log_p.bind(x)
    if s is None:
        return y0, None
    # x y' = x'  =>  y_k = (x_k - (1/k) sum_{j=1..k-1} j y_j x_{k-j}) / x_0
    inv_x0 = ops.reciprocal(x)
    ys = [y0]
    for k in range(1, order + 1):
        acc = zero
        for j in range(1, k):
            acc = _add(acc, _mul(_mul(ys[j], float(j)) if ys[j] is not zero else zero, s[k - j - 1]))
        if acc is not zero:
            acc = ops.multiply(acc, 1.0 / k)
        num = s[k - 1] if acc is zero else (ops.negative(acc) if s[k - 1] is zero else ops.subtract(s[k - 1], acc))
        ys.append(_mul(num, inv_x0))
    return y0, ys[1:]


def_taylor(log_p, _log_taylor)


def log(x):
    """Elementwise natural logarithm."""
    return log_p.bind(x)


log2_p = _unary("log2", onp.log2, lambda x, ans: ops.divide(1.0 / onp.log(2.0), x), taylor=None)
def_comp(log2_p, lambda x: ops.multiply(ops.log(x), 1.0 / onp.log(2.0)))
log10_p = _unary("log10", onp.log10, lambda x, ans: ops.divide(1.0 / onp.log(10.0), x), taylor=None)
def_comp(log10_p, lambda x: ops.multiply(ops.log(x), 1.0 / onp.log(10.0)))


def log2(x):
    """Elementwise base-2 logarithm."""
    return log2_p.bind(x)


def log10(x):
    """Elementwise base-10 logarithm."""
    return log10_p.bind(x)


log1p_p = _unary("log1p", onp.log1p, lambda x, ans: ops.reciprocal(ops.add(x, 1.0)), taylor=None)
def_comp(log1p_p, lambda x: ops.log(ops.add(x, 1.0)))


def log1p(x):
    """Elementwise ``log(1 + x)``, accurate for small ``x``."""
    return log1p_p.bind(x)


def _pow_const_rule(prim, a):
    def rule(order, primals, series):
        x = primals[0]
        s = series[0]
        ans = prim.bind(x)
        if s is None:
            return ans, None
        ys = [ans]
        inv_x0 = ops.reciprocal(x)
        for k in range(1, order + 1):
            acc = zero
            for j in range(1, k + 1):
                if s[j - 1] is zero or ys[k - j] is zero:
                    continue
                acc = _add(acc, ops.multiply(ops.multiply(s[j - 1], ys[k - j]), a * j - (k - j)))
            ys.append(zero if acc is zero else ops.multiply(acc, ops.multiply(inv_x0, 1.0 / k)))
        return ans, ys[1:]

    return def_taylor(prim, rule)


sqrt_p = _unary("sqrt", onp.sqrt, lambda x, ans: ops.divide(0.5, ans), taylor=None)
_pow_const_rule(sqrt_p, 0.5)


def sqrt(x):
    """Elementwise non-negative square root (derivative infinite at 0)."""
    return sqrt_p.bind(x)


cbrt_p = _unary("cbrt", onp.cbrt, lambda x, ans: ops.divide(1.0 / 3.0, ops.multiply(ans, ans)), taylor=None)
_pow_const_rule(cbrt_p, 1.0 / 3.0)


def cbrt(x):
    """Elementwise real cube root."""
    return cbrt_p.bind(x)


sin_p = _unary("sin", onp.sin, lambda x, ans: ops.cos(x), taylor=None)
cos_p = _unary("cos", onp.cos, lambda x, ans: ops.negative(ops.sin(x)), taylor=None)
sinh_p = _unary("sinh", onp.sinh, lambda x, ans: ops.cosh(x), taylor=None)
cosh_p = _unary("cosh", onp.cosh, lambda x, ans: ops.sinh(x), taylor=None)


def _pair_rule(prim, first, second, sign, which):
    """sin/cos (sign -1) and sinh/cosh (sign +1): s' = c x', c' = sign * s x', computed together."""

    def rule(order, primals, series):
        x = primals[0]
        sx = series[0]
        s0 = first.bind(x)
        c0 = second.bind(x)
        if sx is None:
            return (s0 if which == 0 else c0), None
        xs = [t if (t is zero or j == 1) else ops.multiply(t, float(j)) for j, t in enumerate(sx, 1)]
        ss = [s0]
        cs = [c0]
        for k in range(1, order + 1):
            a = zero
            b = zero
            for j in range(1, k + 1):
                a = _add(a, _mul(xs[j - 1], cs[k - j]))
                b = _add(b, _mul(xs[j - 1], ss[k - j]))
            f = 1.0 / k
            ss.append(zero if a is zero else ops.multiply(a, f))
            cs.append(zero if b is zero else ops.multiply(b, sign * f))
        return (s0, ss[1:]) if which == 0 else (c0, cs[1:])

    return def_taylor(prim, rule)


_pair_rule(sin_p, sin_p, cos_p, -1.0, 0)
_pair_rule(cos_p, sin_p, cos_p, -1.0, 1)
_pair_rule(sinh_p, sinh_p, cosh_p, 1.0, 0)
_pair_rule(cosh_p, sinh_p, cosh_p, 1.0, 1)


def sin(x):
    """Elementwise sine (radians).

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> float(ad.grad(anp.sin)(0.0))
    1.0
    """
    return sin_p.bind(x)


def cos(x):
    """Elementwise cosine (radians)."""
    return cos_p.bind(x)


def sinh(x):
    """Elementwise hyperbolic sine."""
    return sinh_p.bind(x)


def cosh(x):
    """Elementwise hyperbolic cosine."""
    return cosh_p.bind(x)


tan_p = _unary("tan", onp.tan, lambda x, ans: ops.add(1.0, ops.multiply(ans, ans)), taylor=None)
_ode_rule(tan_p, lambda ys, m: (ops.add(1.0, ops.multiply(ys[0], ys[0])) if m == 0 else _sq_coeff(ys, m)))

def _tanh_impl(x):
    from ._fastmath import tanh_f64

    if type(x) is onp.ndarray and x.dtype == onp.float64 and x.size >= 4096:
        return tanh_f64(x)  # vectorised (numpy's float64 tanh is scalar libm here); within 3 ulp
    return onp.tanh(x)


tanh_p = _unary("tanh", _tanh_impl, lambda x, ans: ops.subtract(1.0, ops.multiply(ans, ans)), taylor=None)
_ode_rule(tanh_p, lambda ys, m: (ops.subtract(1.0, ops.multiply(ys[0], ys[0])) if m == 0
                                 else _neg(_sq_coeff(ys, m))))


def tan(x):
    """Elementwise tangent."""
    return tan_p.bind(x)


def tanh(x):
    """Elementwise hyperbolic tangent.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> float(ad.grad(anp.tanh)(0.0))
    1.0
    """
    return tanh_p.bind(x)


arcsin_p = _unary("arcsin", onp.arcsin,
                  lambda x, ans: ops.power(ops.subtract(1.0, ops.multiply(x, x)), -0.5))
arccos_p = _unary("arccos", onp.arccos,
                  lambda x, ans: ops.negative(ops.power(ops.subtract(1.0, ops.multiply(x, x)), -0.5)))
arctan_p = _unary("arctan", onp.arctan, lambda x, ans: ops.reciprocal(ops.add(1.0, ops.multiply(x, x))))
arcsinh_p = _unary("arcsinh", onp.arcsinh, lambda x, ans: ops.power(ops.add(ops.multiply(x, x), 1.0), -0.5))
arccosh_p = _unary("arccosh", onp.arccosh,
                   lambda x, ans: ops.power(ops.subtract(ops.multiply(x, x), 1.0), -0.5))
arctanh_p = _unary("arctanh", onp.arctanh, lambda x, ans: ops.reciprocal(ops.subtract(1.0, ops.multiply(x, x))))


def arcsin(x):
    """Elementwise inverse sine, domain [-1, 1]."""
    return arcsin_p.bind(x)


def arccos(x):
    """Elementwise inverse cosine, domain [-1, 1]."""
    return arccos_p.bind(x)


def arctan(x):
    """Elementwise inverse tangent."""
    return arctan_p.bind(x)


def arcsinh(x):
    """Elementwise inverse hyperbolic sine."""
    return arcsinh_p.bind(x)


def arccosh(x):
    """Elementwise inverse hyperbolic cosine, domain [1, inf)."""
    return arccosh_p.bind(x)


def arctanh(x):
    """Elementwise inverse hyperbolic tangent, domain (-1, 1)."""
    return arctanh_p.bind(x)


def _nd(fn, name, *args):
    """Piecewise-constant numpy function of the values (batch-aware under vmap)."""
    return batched_nondiff_call(fn, name, args, {})


def _sign(x):
    return _nd(onp.sign, "sign", x)


abs_p = _unary("abs", onp.abs, lambda x, ans: _sign(x), taylor=None)


def _abs_taylor(order, primals, series):
    x = primals[0]
    s = series[0]
    ans = abs_p.bind(x)
    if s is None:
        return ans, None
    sg = _sign(x)
    return ans, [_mul(t, sg) for t in s]


def_taylor(abs_p, _abs_taylor)


def abs(x):  # noqa: A001 - numpy name
    """Elementwise absolute value (real input); derivative ``sign(x)``, taken as 0 at ``x = 0``."""
    return abs_p.bind(x)


absolute = abs
fabs = abs


# ----- binary elementwise -----

arctan2_p = Primitive("arctan2")
arctan2_p.impl = onp.arctan2


def _atan2_den(y, x):
    return ops.add(ops.multiply(x, x), ops.multiply(y, y))


defjvp(
    arctan2_p,
    lambda t, ans, y, x: bcast_to(ops.multiply(t, ops.divide(x, _atan2_den(y, x))), ans),
    lambda t, ans, y, x: bcast_to(ops.multiply(t, ops.divide(ops.negative(y), _atan2_den(y, x))), ans),
)
defvjp(
    arctan2_p,
    lambda g, ans, y, x: unbroadcast_to(ops.multiply(g, ops.divide(x, _atan2_den(y, x))), y),
    lambda g, ans, y, x: unbroadcast_to(ops.multiply(g, ops.divide(ops.negative(y), _atan2_den(y, x))), x),
)


def _arctan2_taylor(order, primals, series):
    # w' = (x y' - y x') / (x^2 + y^2): build the series of the right side from the input series.
    y, x = primals
    sy, sx = series
    ans = arctan2_p.bind(y, x)
    fy = [y] + (sy if sy is not None else [zero] * order)
    fx = [x] + (sx if sx is not None else [zero] * order)
    dy = [_mul(fy[m + 1], float(m + 1)) for m in range(order)]
    dx = [_mul(fx[m + 1], float(m + 1)) for m in range(order)]
    num = [_add(a, _neg(b)) for a, b in zip(series_mul(fx, dy, order), series_mul(fy, dx, order))]
    den = [_add(a, b) for a, b in zip(series_mul(fx, fx, order), series_mul(fy, fy, order))]
    r = series_div(num, den, order)
    return ans, _bterms([_mul(r[k - 1], 1.0 / k) for k in range(1, order + 1)], ans)


def_taylor(arctan2_p, _arctan2_taylor)


def arctan2(y, x):
    """Elementwise angle of the point ``(x, y)``, in (-pi, pi]."""
    return arctan2_p.bind(y, x)


def hypot(x, y):
    """Elementwise ``sqrt(x**2 + y**2)``."""
    return sqrt(add(multiply(x, x), multiply(y, y)))


def _select_weights(x, y):
    """Weights (1, 0) where x > y, (0, 1) where y > x and (1/2, 1/2) at ties: a symmetric subgradient."""
    wx = _nd(lambda a, b: (a > b) + 0.5 * (a == b), "greater", x, y)
    return wx, ops.subtract(1.0, wx)


def _minmax(name, impl, pick_x):
    p = Primitive(name)
    p.impl = impl

    def wts(x, y):
        wx, wy = _select_weights(x, y) if pick_x else _select_weights(y, x)
        return wx, wy

    defjvp(
        p,
        lambda t, ans, x, y: bcast_to(ops.multiply(t, wts(x, y)[0]), ans),
        lambda t, ans, x, y: bcast_to(ops.multiply(t, wts(x, y)[1]), ans),
    )
    defvjp(
        p,
        lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, wts(x, y)[0]), x),
        lambda g, ans, x, y: unbroadcast_to(ops.multiply(g, wts(x, y)[1]), y),
    )

    def taylor(order, primals, series):
        x, y = primals
        ans = p.bind(x, y)
        wx, wy = wts(x, y)
        sx = series[0] if series[0] is not None else [zero] * order
        sy = series[1] if series[1] is not None else [zero] * order
        return ans, _bterms([_add(_mul(a, wx), _mul(b, wy)) for a, b in zip(sx, sy)], ans)

    def_taylor(p, taylor)
    return p


maximum_p = _minmax("maximum", onp.maximum, True)
minimum_p = _minmax("minimum", onp.minimum, False)


def maximum(x, y):
    """Elementwise maximum; at ties the derivative is split equally between ``x`` and ``y``."""
    return maximum_p.bind(x, y)


def minimum(x, y):
    """Elementwise minimum; at ties the derivative is split equally between ``x`` and ``y``."""
    return minimum_p.bind(x, y)


fmax = maximum
fmin = minimum


def logaddexp(x, y):
    """Elementwise ``log(exp(x) + exp(y))``, computed stably."""
    m = onp.maximum(raw(x), raw(y))
    m = onp.where(onp.isfinite(m), m, 0.0)
    return add(log(add(exp(subtract(x, m)), exp(subtract(y, m)))), m)


def logaddexp2(x, y):
    """Elementwise ``log2(2**x + 2**y)``."""
    return divide(logaddexp(multiply(x, onp.log(2.0)), multiply(y, onp.log(2.0))), onp.log(2.0))


# ----- selection -----

where_p = Primitive("where")
where_p.impl = lambda x, y, c: onp.where(c, x, y)
deflinear(
    where_p,
    lambda g, ans, x, y, c: unbroadcast_to(ops.where(c, g, 0.0), x),
    lambda g, ans, x, y, c: unbroadcast_to(ops.where(c, 0.0, g), y),
    n_linear=2,
)


def where(condition, x=None, y=None):
    """Elementwise ``x if condition else y`` (broadcasting); ``condition`` is not differentiated.

    With only ``condition``, returns the indices where it is true (``numpy.nonzero``).
    """
    if x is None and y is None:
        return onp.where(raw(condition))
    from ..batching import BatchTracer

    # a condition computed from values mapped by vmap stays batched; otherwise only its values matter
    c = condition if isinstance(condition, BatchTracer) else onp.asarray(raw(condition))
    return where_p.bind(x, y, c)


def clip(x, a_min=None, a_max=None):
    """Clip values to ``[a_min, a_max]``; derivative 1 inside, 0 outside (subgradient 1/2 at the bounds)."""
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


def heaviside(x, h0):
    """Step function (non-differentiable: zero derivative)."""
    return _nd(onp.heaviside, "heaviside", x, h0)


# ----- complex parts and casting (linear) -----

real_p = Primitive("real")
real_p.impl = onp.real
deflinear(real_p, lambda g, ans, x: ops.astype(g, dtype_of(x)) if onp.iscomplexobj(raw(x)) else g)
imag_p = Primitive("imag")
imag_p.impl = onp.imag
deflinear(imag_p, lambda g, ans, x: ops.multiply(ops.astype(g, dtype_of(x)), -1j))
conj_p = Primitive("conj")
conj_p.impl = onp.conj
deflinear(conj_p, lambda g, ans, x: ops.conj(g))


def real(x):
    """Real part (cotangents follow JAX's convention: the transpose w.r.t. ``Re(a * b)``)."""
    if not onp.iscomplexobj(raw(x)):
        return x
    return real_p.bind(x)


def imag(x):
    """Imaginary part."""
    return imag_p.bind(x)


def conj(x):
    """Complex conjugate."""
    if not onp.iscomplexobj(raw(x)):
        return x
    return conj_p.bind(x)


conjugate = conj

astype_p = Primitive("astype")
astype_p.impl = lambda x, dtype: onp.asarray(x).astype(dtype)


def _astype_t(g, ans, x, dtype):
    xd = dtype_of(x)
    if onp.iscomplexobj(raw(g)) and not onp.issubdtype(xd, onp.complexfloating):
        g = ops.real(g)
    return ops.astype(g, xd)


deflinear(astype_p, _astype_t)


def astype(x, dtype):
    """Cast to ``dtype``; casting to an integer dtype is not differentiable (the result is a constant)."""
    dtype = onp.dtype(dtype)
    if not onp.issubdtype(dtype, onp.inexact):
        return onp.asarray(raw(x)).astype(dtype)
    if dtype_of(x) == dtype:
        return x
    return astype_p.bind(x, dtype=dtype)


# ----- composites -----


def sinc(x):
    """Normalised sinc ``sin(pi x) / (pi x)`` (value 1 at 0; derivative valid away from 0)."""
    px = multiply(x, onp.pi)
    xr = raw(x)
    safe = where(xr == 0, 1.0, px)
    return where(xr == 0, 1.0, divide(sin(safe), safe))


def deg2rad(x):
    """Degrees to radians."""
    return multiply(x, onp.pi / 180.0)


def rad2deg(x):
    """Radians to degrees."""
    return multiply(x, 180.0 / onp.pi)


radians = deg2rad
degrees = rad2deg


def floor_divide(x, y):
    """``floor(x / y)`` (piecewise constant: zero derivative)."""
    return _nd(onp.floor_divide, "floor_divide", x, y)


def mod(x, y):
    """``x - floor(x / y) * y``: derivative 1 w.r.t. ``x`` and ``-floor(x/y)`` w.r.t. ``y``."""
    return subtract(x, multiply(_nd(onp.floor_divide, "floor_divide", x, y), y))


remainder = mod


def fmod(x, y):
    """C-style remainder ``x - trunc(x / y) * y``."""
    return subtract(x, multiply(_nd(lambda a, b: onp.trunc(a / b), "trunc", x, y), y))


from . import _taylor_fast  # noqa: E402, F401 - installs the numba fast paths of the Taylor rules
