"""_linalg.py: matmul, einsum and dense linear-algebra primitives, each followed by its rules."""

from __future__ import annotations

import itertools
import string

import numpy as onp

from ..taylor import def_taylor, jet_normalized
from ._base import (
    Primitive,
    defjvp,
    defjvp_rule,
    defvjp,
    defvjp_rule,
    ops,
    raw,
    shape_of,
    unbroadcast_to,
    zero,
)

__all__ = ["matmul", "dot", "einsum", "tensordot", "outer", "inner", "vdot", "trace", "kron", "solve", "inv",
           "det", "slogdet", "cholesky", "eigh", "qr", "norm", "cross"]


def _mT(x):
    nd = len(shape_of(x))
    return ops.swapaxes(x, nd - 2, nd - 1)


def _add(a, b):
    if a is zero:
        return b
    if b is zero:
        return a
    return ops.add(a, b)


# ----- matmul (operands of ndim >= 2, batch dimensions broadcast) -----

def _matmul_impl(a, b):
    a = onp.asarray(a)
    b = onp.asarray(b)
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == 1 and a.size * b.size > 4096:
        # an outer product: numpy sends k = 1 to a generic gemm loop ~15x slower than a broadcast multiply
        return onp.multiply(a, b)
    return onp.matmul(a, b)


matmul_p = Primitive("matmul")
matmul_p.impl = _matmul_impl
defjvp(
    matmul_p,
    lambda t, ans, a, b: matmul_p.bind(t, b),
    lambda t, ans, a, b: matmul_p.bind(a, t),
)
defvjp(
    matmul_p,
    lambda g, ans, a, b: unbroadcast_to(matmul_p.bind(g, _mT(b)), a),
    lambda g, ans, a, b: unbroadcast_to(matmul_p.bind(_mT(a), g), b),
)


def _bilinear_taylor(prim):
    def rule(order, primals, series, **params):
        a, b = primals
        sa, sb = series
        ans = prim.bind(a, b, **params)
        if sa is None:
            return ans, [zero if t is zero else prim.bind(a, t, **params) for t in sb]
        if sb is None:
            return ans, [zero if t is zero else prim.bind(t, b, **params) for t in sa]
        fa = [a] + sa
        fb = [b] + sb
        out = []
        for k in range(1, order + 1):
            acc = zero
            for j in range(k + 1):
                if fa[j] is zero or fb[k - j] is zero:
                    continue
                acc = _add(acc, prim.bind(fa[j], fb[k - j], **params))
            out.append(acc)
        return ans, out

    return def_taylor(prim, rule)


_bilinear_taylor(matmul_p)


def matmul(a, b):
    """Matrix product with numpy's ``@`` semantics (1-D operands promoted, batch dims broadcast).

    Parameters
    ----------
    a : array_like, shape (..., n, k) or (k,)
    b : array_like, shape (..., k, m) or (k,)

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> A = onp.array([[1.0, 2.0], [3.0, 4.0]])
    >>> ad.grad(lambda x: anp.sum(A @ x))(onp.ones(2))
    array([4., 6.])
    """
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        raise ValueError("matmul: operands must be at least 1-D (got a scalar); use multiply")
    va = len(sa) == 1
    vb = len(sb) == 1
    if va:
        a = ops.reshape(a, (1, sa[0]))
    if vb:
        b = ops.reshape(b, (sb[0], 1))
    out = matmul_p.bind(a, b)
    if va or vb:
        so = shape_of(out)
        so = so[:-2] + ((so[-2],) if not va else ()) + ((so[-1],) if not vb else ())
        out = ops.reshape(out, so)
    return out


def dot(a, b):
    """``numpy.dot``: products of scalars, vectors, matrices; sum over the last axis of ``a`` and the
    second-to-last of ``b`` for N-D."""
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        return ops.multiply(a, b)
    if len(sa) <= 2 and len(sb) <= 2:
        return matmul(a, b)
    return tensordot(a, b, axes=([len(sa) - 1], [max(len(sb) - 2, 0)]))


def inner(a, b):
    """Inner product over the last axes."""
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) == 0 or len(sb) == 0:
        return ops.multiply(a, b)
    return tensordot(a, b, axes=([len(sa) - 1], [len(sb) - 1]))


def vdot(a, b):
    """Dot product of flattened arrays (conjugating ``a``)."""
    return ops.sum(ops.multiply(ops.conj(ops.ravel(a)), ops.ravel(b)))


def outer(a, b):
    """Outer product of the flattened inputs, shape (a.size, b.size)."""
    return ops.multiply(ops.reshape(a, (-1, 1)), ops.reshape(b, (1, -1)))


def kron(a, b):
    """Kronecker product of two 2-D arrays."""
    (m, n), (p, q) = shape_of(a), shape_of(b)
    return ops.reshape(ops.multiply(ops.reshape(a, (m, 1, n, 1)), ops.reshape(b, (1, p, 1, q))), (m * p, n * q))


def cross(a, b, axis=-1):
    """Cross product of 3-vectors along ``axis``."""
    a = ops.moveaxis(a, axis, -1)
    b = ops.moveaxis(b, axis, -1)
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    c = ops.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return ops.moveaxis(c, -1, axis)


# ----- einsum (multilinear) -----

einsum_p = Primitive("einsum")
einsum_p.impl = lambda *xs, spec: onp.einsum(spec, *xs, optimize=len(xs) > 2)


def _parse(spec):
    ins, out = spec.split("->")
    return ins.split(","), out


def _einsum_operand_vjp(g, args, spec, i):
    ins, out = _parse(spec)
    target = ins[i]
    others = [(s, a) for j, (s, a) in enumerate(zip(ins, args)) if j != i]
    free = set(out) | set("".join(s for s, _ in others))
    uniq = "".join(dict.fromkeys(c for c in target if c in free))
    res = einsum_p.bind(g, *[a for _, a in others], spec=",".join([out] + [s for s, _ in others]) + "->" + uniq)
    # letters of the target that appear nowhere else: the value is constant along them (broadcast)
    sizes = dict(zip(target, shape_of(args[i])))
    full = "".join(dict.fromkeys(target))
    if uniq != full:
        shape = tuple(sizes[c] if c in uniq else 1 for c in full)
        src = "".join(c for c in full if c in uniq)
        res = ops.transpose(res, tuple(src.index(c) for c in full if c in uniq)) if src != uniq else res
        res = ops.broadcast_to(ops.reshape(res, shape), tuple(sizes[c] for c in full))
    if full != target:
        # repeated letters (diagonals): embed with identity matrices
        spare = iter(c for c in string.ascii_letters if c not in spec)
        sub = []
        eyes = []
        seen = set()
        for c in target:
            if c in seen:
                d = next(spare)
                sub.append(d)
                eyes.append((c + d, onp.eye(sizes[c])))
            else:
                seen.add(c)
                sub.append(c)
        res = einsum_p.bind(res, *[e for _, e in eyes], spec=",".join([full] + [s for s, _ in eyes]) + "->"
                            + "".join(sub))
    return res


def _einsum_jvp(primals, tangents, spec):
    ans = einsum_p.bind(*primals, spec=spec)
    tout = zero
    for i, t in enumerate(tangents):
        if t is zero:
            continue
        args = list(primals)
        args[i] = t
        tout = _add(tout, einsum_p.bind(*args, spec=spec))
    return ans, tout


defjvp_rule(einsum_p, _einsum_jvp)
defvjp_rule(einsum_p, lambda g, ans, args, params, which: [_einsum_operand_vjp(g, args, params["spec"], i)
                                                           for i in which])


def _einsum_taylor(order, primals, series, spec):
    ans = einsum_p.bind(*primals, spec=spec)
    live = [i for i, s in enumerate(series) if s is not None]
    out = []
    for k in range(1, order + 1):
        acc = zero
        for combo in itertools.product(range(k + 1), repeat=len(live)):
            if sum(combo) != k:
                continue
            args = list(primals)
            skip = False
            for i, c in zip(live, combo):
                if c:
                    args[i] = series[i][c - 1]
                    if args[i] is zero:
                        skip = True
            if not skip:
                acc = _add(acc, einsum_p.bind(*args, spec=spec))
        out.append(acc)
    return ans, out


def_taylor(einsum_p, _einsum_taylor)


def _normalize_spec(spec, shapes):
    spec = spec.replace(" ", "")
    if "->" not in spec:
        ins = spec.split(",")
        letters = "".join(ins).replace(".", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
        if "..." in spec:
            out = "..." + out
        spec = spec + "->" + out
    ins, out = _parse(spec)
    if "..." in spec:
        spare = [c for c in string.ascii_letters if c not in spec]
        nell = 0
        for s, shp in zip(ins, shapes):
            if "..." in s:
                nell = max(nell, len(shp) - (len(s) - 3))
        ell = "".join(spare[:nell])
        new_ins = []
        for s, shp in zip(ins, shapes):
            if "..." in s:
                k = len(shp) - (len(s) - 3)
                s = s.replace("...", ell[nell - k:])
            new_ins.append(s)
        ins = new_ins
        out = out.replace("...", ell)
    for s, shp in zip(ins, shapes):
        if len(s) != len(shp):
            raise ValueError(f"einsum: subscripts {s!r} do not match operand of shape {shp}")
    return ",".join(ins) + "->" + out


def einsum(spec, *operands):
    """Einstein summation (``numpy.einsum``), differentiable in every operand; ellipses supported.

    Examples
    --------
    >>> import numpy as onp, autodiff.numpy as anp
    >>> anp.einsum("ij,j->i", onp.eye(2), onp.array([1.0, 2.0]))
    array([1., 2.])
    """
    spec = _normalize_spec(spec, [shape_of(o) for o in operands])
    return einsum_p.bind(*operands, spec=spec)


def tensordot(a, b, axes=2):
    """``numpy.tensordot`` via einsum."""
    na, nb = len(shape_of(a)), len(shape_of(b))
    if isinstance(axes, int | onp.integer):
        ax_a = list(range(na - axes, na))
        ax_b = list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
        ax_a = [x % na for x in ax_a]
        ax_b = [x % nb for x in ax_b]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in ax_a] + [c for j, c in enumerate(sb) if j not in ax_b]
    return einsum_p.bind(a, b, spec="".join(sa) + "," + "".join(sb) + "->" + "".join(out))


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal."""
    return ops.sum(ops.diagonal(x, offset, axis1, axis2), axis=-1)


# ----- solve / inverse / determinants -----

solve_p = Primitive("solve")
solve_p.impl = onp.linalg.solve


def _solve_jvp(primals, tangents):
    a, b = primals
    ta, tb = tangents
    x = solve_p.bind(a, b)
    rhs = tb
    if ta is not zero:
        rhs = _add(rhs, ops.negative(matmul_p.bind(ta, x)))
    if rhs is zero:
        return x, zero
    if shape_of(rhs) != shape_of(x):
        rhs = ops.broadcast_to(rhs, shape_of(x))
    return x, solve_p.bind(a, rhs)


defjvp_rule(solve_p, _solve_jvp)


def _solve_vjp(g, ans, args, params, which):
    a, b = args
    gb = solve_p.bind(_mT(a), g)
    out = []
    for i in which:
        if i == 0:
            out.append(unbroadcast_to(ops.negative(matmul_p.bind(gb, _mT(ans))), a))
        else:
            out.append(unbroadcast_to(gb, b))
    return out


defvjp_rule(solve_p, _solve_vjp)


def _solve_taylor(order, primals, series):
    # A X = B  =>  X_k = A_0^{-1} (B_k - sum_{j>=1} A_j X_{k-j})
    a, b = primals
    sa, sb = series
    x = solve_p.bind(a, b)
    xs = [x]
    for k in range(1, order + 1):
        rhs = zero if sb is None else sb[k - 1]
        if sa is not None:
            for j in range(1, k + 1):
                if sa[j - 1] is not zero and xs[k - j] is not zero:
                    rhs = _add(rhs, ops.negative(matmul_p.bind(sa[j - 1], xs[k - j])))
        if rhs is not zero and shape_of(rhs) != shape_of(x):
            rhs = ops.broadcast_to(rhs, shape_of(x))
        xs.append(zero if rhs is zero else solve_p.bind(a, rhs))
    return x, xs[1:]


def_taylor(solve_p, _solve_taylor)


def solve(a, b):
    """Solve ``a @ x = b``.

    Parameters
    ----------
    a : array_like, shape (..., n, n)
    b : array_like, shape (..., n) or (..., n, k)
    """
    sa, sb = shape_of(a), shape_of(b)
    if len(sb) == 1 or (len(sb) == len(sa) - 1 and sb == sa[:-1]):
        return ops.reshape(solve_p.bind(a, ops.reshape(b, sb + (1,))), sb)
    return solve_p.bind(a, b)


def inv(a):
    """Matrix inverse, shape (..., n, n)."""
    n = shape_of(a)[-1]
    return solve_p.bind(a, onp.broadcast_to(onp.eye(n), shape_of(a)))


logabsdet_p = Primitive("logabsdet")
logabsdet_p.impl = lambda a: onp.linalg.slogdet(a)[1]
defjvp(logabsdet_p, lambda t, ans, a: ops.sum(ops.multiply(_mT(inv(a)), t), axis=(-2, -1)))
defvjp(logabsdet_p, lambda g, ans, a: ops.multiply(ops.reshape(g, shape_of(g) + (1, 1)), _mT(inv(a))))


def _logabsdet_taylor(order, primals, series):
    # d/dt log|det A| = tr(A^{-1} A'): series of tr(A^{-1} A') by the solve recurrence, then integrate
    a = primals[0]
    ans = logabsdet_p.bind(a)
    s = series[0]
    if s is None:
        return ans, None
    full = [a] + s
    da = [ops.multiply(full[m + 1], float(m + 1)) if full[m + 1] is not zero else zero for m in range(order)]
    p, sx = jet_normalized(lambda m, r: [solve_p.bind(m, r)], [a, da[0]],
                           [s[:order - 1], da[1:]], order - 1) if order > 1 else ([solve_p.bind(a, da[0])], [[]])
    q = [p[0]] + sx[0]
    out = []
    for k in range(1, order + 1):
        t = q[k - 1]
        out.append(zero if t is zero else ops.multiply(ops.sum(ops.diagonal(t, 0, -2, -1), axis=-1), 1.0 / k))
    return ans, out


def_taylor(logabsdet_p, _logabsdet_taylor)


def slogdet(a):
    """Sign and log of the absolute determinant; the sign is piecewise constant (not differentiated)."""
    sign = onp.linalg.slogdet(raw(a))[0]
    return sign, logabsdet_p.bind(a)


def det(a):
    """Determinant, ``sign * exp(logabsdet)`` (derivative undefined where ``det = 0``)."""
    sign, l = slogdet(a)
    return ops.multiply(sign, ops.exp(l))


# ----- cholesky -----

cholesky_p = Primitive("cholesky")
cholesky_p.impl = onp.linalg.cholesky


def _phi(x):
    n = shape_of(x)[-1]
    return ops.multiply(x, onp.tril(onp.ones((n, n))) - 0.5 * onp.eye(n))


def _cholesky_jvp(primals, tangents):
    a = primals[0]
    ta = tangents[0]
    L = cholesky_p.bind(a)
    if ta is zero:
        return L, zero
    # dL = L phi(L^{-1} dA L^{-T})
    tmp = solve(L, ops.swapaxes(solve(L, ta), -1, -2))
    return L, matmul(L, _phi(tmp))


defjvp_rule(cholesky_p, _cholesky_jvp)


def _cholesky_vjp(g, ans, args, params, which):
    # Murray (2016), arXiv:1602.07527: A_bar = sym(L^{-T} phi(L^T G) L^{-1})
    L = ans
    p = _phi(matmul(_mT(L), g))
    s = solve(_mT(L), _mT(solve(_mT(L), _mT(p))))
    return [ops.multiply(ops.add(s, _mT(s)), 0.5)]


defvjp_rule(cholesky_p, _cholesky_vjp)


def _cholesky_taylor(order, primals, series):
    # A(t) = L(t) L(t)^T: L_0 L_k^T + L_k L_0^T = S_k := A_k - sum_{j=1..k-1} L_j L_{k-j}^T, whose lower
    # triangular solution is L_k = L_0 phi(L_0^{-1} S_k L_0^{-T}) (the JVP formula, order by order)
    a = primals[0]
    s = series[0]
    L = cholesky_p.bind(a)
    if s is None:
        return L, None
    Ls = [L]
    for k in range(1, order + 1):
        S = s[k - 1] if s[k - 1] is not zero else onp.zeros(shape_of(a))
        for j in range(1, k):
            if Ls[j] is not zero and Ls[k - j] is not zero:
                S = ops.subtract(S, matmul(Ls[j], _mT(Ls[k - j])))
        tmp = solve(L, ops.swapaxes(solve(L, S), -1, -2))
        Ls.append(matmul(L, _phi(tmp)))
    return L, Ls[1:]


def_taylor(cholesky_p, _cholesky_taylor)


def cholesky(a):
    """Lower Cholesky factor ``L`` with ``a = L L^T``; ``a`` symmetric positive definite (..., n, n).

    The derivative treats ``a`` as symmetric (the cotangent is symmetrised).
    """
    return cholesky_p.bind(a)


# ----- symmetric eigendecomposition -----

eigh_p = Primitive("eigh", multiple_results=True)
eigh_p.impl = lambda a: tuple(onp.linalg.eigh(a))


def _eigh_F(w):
    wr = raw(w)
    d = wr[..., None, :] - wr[..., :, None]
    n = wr.shape[-1]
    off = ~onp.eye(n, dtype=bool)
    with onp.errstate(divide="ignore"):
        F = onp.where(off, 1.0 / onp.where(off, d, 1.0), 0.0)
    return w, F


def _eigh_jvp(primals, tangents):
    a = primals[0]
    ta = tangents[0]
    w, v = eigh_p.bind(a)
    if ta is zero:
        return (w, v), (zero, zero)
    # dw = diag(V^T dA V); dV = V (F o (V^T dA V)), F_ij = 1/(w_j - w_i) off the diagonal
    vtav = matmul(_mT(v), matmul(ta, v))
    dw = ops.diagonal(vtav, 0, -2, -1)
    F = _eigh_F_diff(w)
    dv = matmul(v, ops.multiply(F, vtav))
    return (w, v), (dw, dv)


def _eigh_F_diff(w):
    # F as a differentiable function of w (its derivatives matter at higher order)
    n = shape_of(w)[-1]
    d = ops.subtract(ops.expand_dims(w, -2), ops.expand_dims(w, -1))
    off = ~onp.eye(n, dtype=bool)
    return ops.where(off, ops.reciprocal(ops.where(off, d, 1.0)), 0.0)


def _eigh_vjp(g, ans, args, params, which):
    w, v = ans
    gw, gv = g
    F = _eigh_F_diff(w)
    inner_ = ops.add(ops.multiply(ops.expand_dims(gw, -1), onp.eye(shape_of(w)[-1])),
                     ops.multiply(F, matmul(_mT(v), gv)))
    return [matmul(v, matmul(inner_, _mT(v)))]


defjvp_rule(eigh_p, _eigh_jvp)
defvjp_rule(eigh_p, _eigh_vjp)


def _eigh_taylor(order, primals, series):
    # A V = V W and V^T V = I order by order, with V_k = V_0 C_k and Q = V_0^T R_k where
    # R_k = sum_{j=1..k} A_j V_{k-j} - sum_{j=1..k-1} V_j W_{k-j}:
    #   W_k = diag(Q);  C_k = F o Q off the diagonal;  diag(C_k) = -1/2 diag(sum_{j=1..k-1} C_j^T C_{k-j})
    a = primals[0]
    s = series[0]
    w, v = eigh_p.bind(a)
    if s is None:
        return (w, v), [None, None]
    F = _eigh_F_diff(w)
    n = shape_of(w)[-1]
    eye = onp.eye(n)
    ws, vs, cs = [w], [v], [None]
    for k in range(1, order + 1):
        R = zero
        for j in range(1, k + 1):
            if s[j - 1] is not zero:
                R = _add(R, matmul(s[j - 1], vs[k - j]))
        for j in range(1, k):
            R = _add(R, ops.negative(ops.multiply(vs[j], ops.expand_dims(ws[k - j], -2))))
        if R is zero:
            R = onp.zeros(shape_of(v))
        Q = matmul(_mT(v), R)
        wk = ops.diagonal(Q, 0, -2, -1)
        C = ops.multiply(F, Q)
        D = zero
        for j in range(1, k):
            D = _add(D, matmul(_mT(cs[j]), cs[k - j]))
        if D is not zero:
            C = ops.add(C, ops.multiply(ops.multiply(ops.expand_dims(ops.diagonal(D, 0, -2, -1), -1), eye), -0.5))
        cs.append(C)
        ws.append(wk)
        vs.append(matmul(v, C))
    return (w, v), [ws[1:], vs[1:]]


def_taylor(eigh_p, _eigh_taylor)


def eigh(a):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix (..., n, n).

    Derivatives assume distinct eigenvalues and a symmetric perturbation (symmetrise the input in the
    function being differentiated, e.g. ``eigh((a + a.T) / 2)``).
    """
    return eigh_p.bind(a)


# ----- QR -----

qr_p = Primitive("qr", multiple_results=True)
qr_p.impl = lambda a: tuple(onp.linalg.qr(a))


def _qr_jvp(primals, tangents):
    a = primals[0]
    ta = tangents[0]
    q, r = qr_p.bind(a)
    if ta is zero:
        return (q, r), (zero, zero)
    # JAX's qr_jvp_rule (m >= n, reduced): dX R^{-1}, skew-symmetric correction from the lower part
    dx_rinv = _mT(solve(_mT(r), _mT(ta)))
    qt = matmul(_mT(q), dx_rinv)
    low = ops.tril(qt, -1)
    do = ops.subtract(low, _mT(low))
    dq = ops.add(matmul(q, ops.subtract(do, qt)), dx_rinv)
    dr = matmul(ops.subtract(qt, do), r)
    return (q, r), (dq, dr)


def _qr_vjp(g, ans, args, params, which):
    # Liao et al. (2019), arXiv:1903.09650, m >= n: M = R Gr^T - Gq^T Q; A_bar = (Gq + Q copyltu(M)) R^{-T}
    q, r = ans
    gq, gr = g
    m = ops.subtract(matmul(r, _mT(gr)), matmul(_mT(gq), q))
    low = ops.tril(m)
    copyltu = ops.add(low, _mT(ops.tril(m, -1)))
    b = ops.add(gq, matmul(q, copyltu))
    return [_mT(solve(r, _mT(b)))]


defjvp_rule(qr_p, _qr_jvp)
defvjp_rule(qr_p, _qr_vjp)


def _qr_taylor(order, primals, series):
    # A = Q R, Q^T Q = I order by order: with B_k = A_k - sum_{j=1..k-1} Q_j R_{k-j},
    # P_k = sum_{j=1..k-1} Q_j^T Q_{k-j} and G = Q_0^T B_k R_0^{-1}: Q_0^T Q_k = Omega - P_k / 2 with
    # Omega = L - L^T, L = strict lower part of (G + P_k / 2); R_k = (G - Q_0^T Q_k) R_0,
    # Q_k = (B_k - Q_0 R_k) R_0^{-1}
    a = primals[0]
    s = series[0]
    q, r = qr_p.bind(a)
    if s is None:
        return (q, r), [None, None]
    qs, rs = [q], [r]

    def right_solve(m):  # m R_0^{-1}
        return _mT(solve(_mT(r), _mT(m)))

    for k in range(1, order + 1):
        B = s[k - 1] if s[k - 1] is not zero else onp.zeros(shape_of(a))
        P = zero
        for j in range(1, k):
            B = ops.subtract(B, matmul(qs[j], rs[k - j]))
            P = _add(P, matmul(_mT(qs[j]), qs[k - j]))
        G = matmul(_mT(q), right_solve(B))
        H = G if P is zero else ops.add(G, ops.multiply(P, 0.5))
        low = ops.tril(H, -1)
        qtqk = ops.subtract(low, _mT(low))
        if P is not zero:
            qtqk = ops.subtract(qtqk, ops.multiply(P, 0.5))
        rk = matmul(ops.subtract(G, qtqk), r)
        qk = right_solve(ops.subtract(B, matmul(q, rk)))
        qs.append(qk)
        rs.append(rk)
    return (q, r), [qs[1:], rs[1:]]


def_taylor(qr_p, _qr_taylor)


def qr(a):
    """Reduced QR decomposition of ``a`` (..., m, n) with m >= n: ``q`` (..., m, n), ``r`` (..., n, n)."""
    s = shape_of(a)
    if s[-2] < s[-1]:
        raise ValueError(f"qr: differentiable QR needs m >= n, got shape {s}")
    return qr_p.bind(a)


# ----- norms -----


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy name
    """Vector norms (2 default, 1, inf, -inf, p) and the Frobenius norm of matrices.

    Parameters
    ----------
    x : array_like
    ord : None, 'fro', int, float, inf or -inf
        Matrix norms other than 'fro'/None need an SVD and are not supported (clear error).
    axis : None, int or tuple of two ints

    Notes
    -----
    The 2-norm's derivative ``x / |x|`` is undefined at ``x = 0``.
    """
    nd = len(shape_of(x))
    matrix = (axis is None and nd == 2) or (isinstance(axis, tuple) and len(axis) == 2)
    if ord is None or ord == "fro" or (ord == 2 and not matrix):
        return ops.sqrt(ops.sum(ops.real(ops.multiply(ops.conj(x), x)), axis=axis, keepdims=keepdims))
    if matrix:
        raise NotImplementedError(f"norm: matrix ord={ord!r} is not supported; allowed: None, 'fro'")
    if ord == onp.inf:
        return ops.max(ops.abs(x), axis=axis, keepdims=keepdims)
    if ord == -onp.inf:
        return ops.min(ops.abs(x), axis=axis, keepdims=keepdims)
    if ord == 1:
        return ops.sum(ops.abs(x), axis=axis, keepdims=keepdims)
    return ops.power(ops.sum(ops.power(ops.abs(x), float(ord)), axis=axis, keepdims=keepdims), 1.0 / ord)
