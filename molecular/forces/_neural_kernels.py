"""Numba kernels of Behler-Parrinello atom-centred symmetry functions (values, Jacobians, fused VJP/JVP).

Geometry is given as a *directed pair list*: for every atom ``i`` (the centre) and every neighbour
``j`` within the cutoff (periodic image included) one row ``p`` with the displacement
``d[p] = r_j - r_i`` (length unit of the caller), ``center[p] = i`` and ``nbtype[p] = t_j``. Rows are
sorted by centre; ``start[i]:start[i+1]`` are the rows of atom ``i``. Descriptors of atom ``i``
depend only on its own rows, so the Jacobian is stored sparsely as ``jac[p, m, :] = dG[i, m]/dd[p]``.

Descriptor columns (``n_elem`` neighbour elements, ``n_pair = n_elem (n_elem + 1) / 2`` element pairs):

- radial ``G2``, column ``k * n_elem + t_j`` for radial set ``k`` ``(eta, r_s)``:
  ``sum_j exp(-eta (r_ij - r_s)^2) fc(r_ij)``;
- angular, column ``n_rad * n_elem + k * n_pair + pairidx[t_j, t_k]`` for set ``k`` ``(eta, zeta, lambda)``,
  sum over unordered neighbour pairs ``j < k``:
  ``G4 = 2^(1 - zeta) (1 + lambda cos theta_ijk)^zeta exp(-eta (r_ij^2 + r_ik^2 + r_jk^2)) fc(r_ij) fc(r_ik) fc(r_jk)``
  or ``G5`` (``kind = 5``): the same without the ``r_jk`` terms;

with the cosine cutoff ``fc(r) = (cos(pi r / r_c) + 1) / 2`` for ``r < r_c``, 0 beyond (Behler, J. Chem.
Phys. 134, 074106 (2011)). ``zeta >= 1`` keeps the angular term differentiable at ``1 + lambda cos = 0``.

:func:`sweep` computes, in one pass, the values, the explicit Jacobian, or its contraction with a
cotangent (VJP, the force path: dE/dd without a (P, M, 3) array) or a tangent (JVP). G5 with integer
``zeta <= 4`` uses the moment-tensor form of :func:`_g5_moments` (O(neighbours) per atom instead of
O(neighbours^2)) except for the explicit Jacobian. :func:`pair_rows` builds the pair list from a
neighbour list.
"""

import math

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _fc(r, rc):
    if r >= rc:
        return 0.0, 0.0
    a = math.pi / rc
    return 0.5 * (math.cos(a * r) + 1.0), -0.5 * a * math.sin(a * r)


@njit(cache=True)
def _powz(base, zeta, zint):
    """``base ** zeta``, by repeated squaring when ``zeta`` is a small integer (``zint >= 0``)."""
    if zint < 0:
        return base**zeta
    out = 1.0
    b = base
    n = zint
    while n > 0:
        if n & 1:
            out *= b
        b *= b
        n >>= 1
    return out


#: sweep modes of :func:`sweep`
VALUES, VALUES_JAC, VJP, JVP = 0, 1, 2, 3


@njit(cache=True)
def descriptors(d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem, with_jac):
    """Symmetry functions ``G`` (N, M) and, if ``with_jac``, the sparse Jacobian (P, M, 3).

    Parameters
    ----------
    d : float64 (P, 3)
        Pair displacements ``r_j - r_i``.
    center, nbtype : int64 (P,)
        Centre atom and neighbour element of each row (rows sorted by centre).
    start : int64 (N + 1,)
        Row offsets per centre.
    pairidx : int64 (n_elem, n_elem)
        Column of an unordered element pair (symmetric).
    radial : float64 (n_rad, 2)
        ``(eta, r_s)`` per radial set; eta in length^-2, r_s in length.
    angular : float64 (n_ang, 3)
        ``(eta, zeta, lambda)`` per angular set.
    rc : float
        Cutoff radius (length).
    kind : int
        4 (G4) or 5 (G5).
    n_elem : int
        Number of elements.
    with_jac : bool
        Also return the Jacobian (else a (1, 1, 3) placeholder).

    Returns
    -------
    g : float64 (N, M)
    jac : float64 (P, M, 3) or (1, 1, 3)
    """
    g, jac, _ = sweep(d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem,
                      VALUES_JAC if with_jac else VALUES, np.zeros((1, 1)))
    return g, jac


@njit(cache=True)
def descriptors_vjp(gbar, d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem):
    """``dd[p] = sum_m gbar[center[p], m] dG[center[p], m] / dd[p]`` (P, 3) without forming the Jacobian.

    ``gbar`` (N, M) is the cotangent of the descriptors (e.g. ``dE/dG``); other arguments as
    :func:`descriptors`. One sweep recomputes each term's derivative and contracts it at once.
    """
    _, _, dd = sweep(d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem, VJP, gbar)
    return dd


@njit(cache=True)
def descriptors_jvp(t, d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem):
    """``dG[i, m] = sum_{p in rows(i)} dG[i, m] / dd[p] . t[p]`` (N, M), the directional derivative along
    displacement tangents ``t`` (P, 3), without forming the Jacobian."""
    g, _, _ = sweep(d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem, JVP, t)
    return g


MAX_MOMENT_ZETA = 4
_OFF = np.array([0, 1, 4, 13, 40, 121], dtype=np.int64)


@njit(cache=True)
def _binom(n, k):
    out = 1.0
    for t in range(k):
        out = out * (n - t) / (t + 1)
    return out


@njit(cache=True)
def _outer_powers(u, zmax, out):
    """``out[_OFF[n] + I] = (u^{(x) n})_I`` for n = 0..zmax, ``I`` the row-major flat index."""
    out[0] = 1.0
    for n in range(1, zmax + 1):
        o0, o1 = _OFF[n - 1], _OFF[n]
        for ii in range(o1 - o0):
            for c in range(3):
                out[o1 + 3 * ii + c] = out[o0 + ii] * u[c]


@njit(cache=True)
def _g5_moments(i, d, r, fc, dfc, nbtype, start, pairidx, angular, n_elem, col0, zint, mode, seed, g, dd):
    """G5 with integer ``zeta <= 4`` of atom ``i`` in O(neighbours) instead of O(neighbours^2).

    With ``w_j = exp(-eta r_j^2) fc(r_j)``, unit vectors ``u_j`` and the moment tensors
    ``T_n^a = sum_{j in a} w_j u_j^{(x) n}``, the binomial expansion of ``(1 + lambda cos)^zeta`` gives
    ``sum_{j in a, k in b} (1 + lambda u_j.u_k)^zeta w_j w_k = sum_n C(zeta, n) lambda^n <T_n^a, T_n^b>``;
    for ``a = b`` the unordered sum is half of that minus the ``j = k`` terms ``w_j^2 (1 + lambda)^zeta``.
    """
    n_pair = n_elem * (n_elem + 1) // 2
    p0, p1 = start[i], start[i + 1]
    zmax = 0
    for k in range(angular.shape[0]):
        zmax = max(zmax, zint[k])
    ncomp = _OFF[zmax + 1]
    U = np.empty((p1 - p0, ncomp))
    u = np.empty(3)
    for p in range(p0, p1):
        if fc[p] > 0.0:
            for c in range(3):
                u[c] = d[p, c] / r[p]
            _outer_powers(u, zmax, U[p - p0])
    T = np.empty((n_elem, ncomp))
    A = np.empty((n_elem, ncomp))
    dT = np.empty((n_elem, ncomp))
    dU = np.empty(ncomp)
    tu = np.empty(3)
    for k in range(angular.shape[0]):
        eta, lam, z = angular[k, 0], angular[k, 2], zint[k]
        nc = _OFF[z + 1]
        norm = 2.0 ** (1.0 - z)
        diag = (1.0 + lam) ** z
        T[:, :nc] = 0.0
        wsq = np.zeros(n_elem)
        for p in range(p0, p1):
            if fc[p] <= 0.0:
                continue
            w = math.exp(-eta * r[p] * r[p]) * fc[p]
            a = nbtype[p]
            wsq[a] += w * w
            for ii in range(nc):
                T[a, ii] += w * U[p - p0, ii]
        coef = np.empty(z + 1)
        for n in range(z + 1):
            coef[n] = _binom(z, n) * lam**n
        if mode <= 1:
            for a in range(n_elem):
                for b in range(a, n_elem):
                    s = 0.0
                    for n in range(z + 1):
                        acc = 0.0
                        for ii in range(_OFF[n], _OFF[n + 1]):
                            acc += T[a, ii] * T[b, ii]
                        s += coef[n] * acc
                    if a == b:
                        s = 0.5 * (s - wsq[a] * diag)
                    g[i, col0 + k * n_pair + pairidx[a, b]] += norm * s
        elif mode == 2:
            # adjoint tensors A^a = dE/dT^a (coefficients folded in), then per neighbour the chain rule
            A[:, :nc] = 0.0
            sdiag = np.zeros(n_elem)
            for a in range(n_elem):
                for b in range(a, n_elem):
                    sc = norm * seed[i, col0 + k * n_pair + pairidx[a, b]]
                    if a == b:
                        sdiag[a] = sc
                        for ii in range(nc):
                            A[a, ii] += sc * T[a, ii]
                    else:
                        for ii in range(nc):
                            A[a, ii] += sc * T[b, ii]
                            A[b, ii] += sc * T[a, ii]
            for n in range(z + 1):
                for ii in range(_OFF[n], _OFF[n + 1]):
                    A[:, ii] *= coef[n]
            for p in range(p0, p1):
                if fc[p] <= 0.0:
                    continue
                a = nbtype[p]
                rp = r[p]
                ex = math.exp(-eta * rp * rp)
                w = ex * fc[p]
                dw = ex * (dfc[p] - 2.0 * eta * rp * fc[p])
                gw = -sdiag[a] * diag * w
                for ii in range(nc):
                    gw += A[a, ii] * U[p - p0, ii]
                gu0 = 0.0
                gu1 = 0.0
                gu2 = 0.0
                for n in range(1, z + 1):
                    o0, o1 = _OFF[n - 1], _OFF[n]
                    for ii in range(o1 - o0):
                        un = n * U[p - p0, o0 + ii]
                        gu0 += un * A[a, o1 + 3 * ii]
                        gu1 += un * A[a, o1 + 3 * ii + 1]
                        gu2 += un * A[a, o1 + 3 * ii + 2]
                gu0 *= w
                gu1 *= w
                gu2 *= w
                u0, u1, u2 = d[p, 0] / rp, d[p, 1] / rp, d[p, 2] / rp
                gdotu = gu0 * u0 + gu1 * u1 + gu2 * u2
                dd[p, 0] += gw * dw * u0 + (gu0 - gdotu * u0) / rp
                dd[p, 1] += gw * dw * u1 + (gu1 - gdotu * u1) / rp
                dd[p, 2] += gw * dw * u2 + (gu2 - gdotu * u2) / rp
        else:
            # tangent of the moment tensors, then of the contractions
            dT[:, :nc] = 0.0
            dwsq = np.zeros(n_elem)
            for p in range(p0, p1):
                if fc[p] <= 0.0:
                    continue
                a = nbtype[p]
                rp = r[p]
                ex = math.exp(-eta * rp * rp)
                w = ex * fc[p]
                ut = (d[p, 0] * seed[p, 0] + d[p, 1] * seed[p, 1] + d[p, 2] * seed[p, 2]) / rp
                dwt = ex * (dfc[p] - 2.0 * eta * rp * fc[p]) * ut
                for c in range(3):
                    tu[c] = (seed[p, c] - ut * d[p, c] / rp) / rp
                dwsq[a] += 2.0 * w * dwt
                dU[0] = 0.0
                for n in range(1, z + 1):
                    o0, o1 = _OFF[n - 1], _OFF[n]
                    for ii in range(o1 - o0):
                        for c in range(3):
                            dU[o1 + 3 * ii + c] = dU[o0 + ii] * d[p, c] / rp + U[p - p0, o0 + ii] * tu[c]
                for ii in range(nc):
                    dT[a, ii] += dwt * U[p - p0, ii] + w * dU[ii]
            for a in range(n_elem):
                for b in range(a, n_elem):
                    s = 0.0
                    for n in range(z + 1):
                        acc = 0.0
                        for ii in range(_OFF[n], _OFF[n + 1]):
                            acc += dT[a, ii] * T[b, ii] + T[a, ii] * dT[b, ii]
                        s += coef[n] * acc
                    if a == b:
                        s = 0.5 * (s - dwsq[a] * diag)
                    g[i, col0 + k * n_pair + pairidx[a, b]] += norm * s


@njit(cache=True, parallel=True)
def sweep(d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem, mode, seed):
    """One pass over pairs and triples computing, by ``mode``: ``VALUES`` G; ``VALUES_JAC`` G and the
    Jacobian; ``VJP`` the contraction of the Jacobian with the cotangent ``seed`` (N, M); ``JVP`` its
    product with the tangent ``seed`` (P, 3), returned in place of G. Returns ``(g, jac, dd)`` with
    (1, ...) placeholders for what the mode does not produce."""
    n = start.shape[0] - 1
    n_rad = radial.shape[0]
    n_ang = angular.shape[0]
    n_pair = n_elem * (n_elem + 1) // 2
    m_tot = n_rad * n_elem + n_ang * n_pair
    npairs = d.shape[0]
    with_jac = mode == VALUES_JAC
    deriv = mode != VALUES
    g = np.zeros((n, m_tot)) if mode != VJP else np.zeros((1, 1))
    jac = np.zeros((npairs, m_tot, 3)) if with_jac else np.zeros((1, 1, 3))
    dd = np.zeros((npairs, 3)) if mode == VJP else np.zeros((1, 3))
    angular_norm = np.empty(n_ang)
    zint = np.empty(n_ang, dtype=np.int64)
    for k in range(n_ang):
        angular_norm[k] = 2.0 ** (1.0 - angular[k, 1])
        zint[k] = int(angular[k, 1]) if angular[k, 1] == int(angular[k, 1]) and angular[k, 1] <= 64 else -1
    # G5 with small integer zeta: moment tensors, O(neighbours) per atom (the Jacobian mode keeps the pair loop)
    moments = kind == 5 and n_ang > 0 and mode != VALUES_JAC
    for k in range(n_ang):
        if zint[k] < 1 or zint[k] > MAX_MOMENT_ZETA:
            moments = False
    r = np.empty(npairs)
    fc = np.empty(npairs)
    dfc = np.empty(npairs)
    for p in prange(npairs):
        rp = math.sqrt(d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2])
        r[p] = rp
        fc[p], dfc[p] = _fc(rp, rc)
    # centres in parallel: atom i writes only g[i] and the rows of its own pairs (no races)
    for i in prange(n):
        vp = np.empty(3)
        vq = np.empty(3)
        if moments:
            _g5_moments(i, d, r, fc, dfc, nbtype, start, pairidx, angular, n_elem, n_rad * n_elem, zint, mode, seed,
                        g, dd)
        for p in range(start[i], start[i + 1]):
            rp = r[p]
            if rp >= rc:
                continue
            tj = nbtype[p]
            for k in range(n_rad):
                eta = radial[k, 0]
                x = rp - radial[k, 1]
                e = math.exp(-eta * x * x)
                col = k * n_elem + tj
                if mode <= VALUES_JAC:
                    g[i, col] += e * fc[p]
                if not deriv:
                    continue
                dgdr = e * (dfc[p] - 2.0 * eta * x * fc[p]) / rp
                if mode == VALUES_JAC:
                    for c in range(3):
                        jac[p, col, c] += dgdr * d[p, c]
                elif mode == VJP:
                    s = seed[i, col] * dgdr
                    for c in range(3):
                        dd[p, c] += s * d[p, c]
                else:
                    g[i, col] += dgdr * (d[p, 0] * seed[p, 0] + d[p, 1] * seed[p, 1] + d[p, 2] * seed[p, 2])
            if n_ang == 0 or moments:
                continue
            for q in range(p + 1, start[i + 1]):
                rq = r[q]
                if rq >= rc:
                    continue
                dqp0 = d[q, 0] - d[p, 0]
                dqp1 = d[q, 1] - d[p, 1]
                dqp2 = d[q, 2] - d[p, 2]
                rjk = math.sqrt(dqp0 * dqp0 + dqp1 * dqp1 + dqp2 * dqp2)
                if kind == 4:
                    if rjk >= rc:
                        continue
                    fjk, dfjk = _fc(rjk, rc)
                else:
                    fjk, dfjk = 1.0, 0.0
                dot = d[p, 0] * d[q, 0] + d[p, 1] * d[q, 1] + d[p, 2] * d[q, 2]
                cos = dot / (rp * rq)
                colbase = n_rad * n_elem + pairidx[tj, nbtype[q]]
                fprod = fc[p] * fc[q] * fjk
                s2 = rp * rp + rq * rq
                if kind == 4:
                    s2 += rjk * rjk
                ex_prev = 0.0
                for k in range(n_ang):
                    eta = angular[k, 0]
                    zeta = angular[k, 1]
                    lam = angular[k, 2]
                    if k > 0 and eta == angular[k - 1, 0]:
                        ex = ex_prev
                    else:
                        ex = math.exp(-eta * s2)
                    ex_prev = ex
                    base = 1.0 + lam * cos
                    if base <= 0.0:
                        continue
                    pw = angular_norm[k] * _powz(base, zeta, zint[k])
                    val = pw * ex * fprod
                    col = colbase + k * n_pair
                    if mode <= VALUES_JAC:
                        g[i, col] += val
                    if not deriv:
                        continue
                    # d val = val * d log(pw ex) + pw ex d(fprod); d log(pw) / d cos = zeta lam / base
                    dpw = zeta * lam / base
                    for c in range(3):
                        dcos_p = d[q, c] / (rp * rq) - cos * d[p, c] / (rp * rp)
                        dcos_q = d[p, c] / (rp * rq) - cos * d[q, c] / (rq * rq)
                        dlog_p = dpw * dcos_p - 2.0 * eta * d[p, c]
                        dlog_q = dpw * dcos_q - 2.0 * eta * d[q, c]
                        dfp = dfc[p] * d[p, c] / rp * fc[q] * fjk
                        dfq = dfc[q] * d[q, c] / rq * fc[p] * fjk
                        if kind == 4:
                            ujk = (d[q, c] - d[p, c]) / rjk
                            # r_jk = |d_q - d_p|: d r_jk / d d_p = -ujk, d / d d_q = +ujk
                            dlog_p += 2.0 * eta * rjk * ujk
                            dlog_q -= 2.0 * eta * rjk * ujk
                            dfp -= fc[p] * fc[q] * dfjk * ujk
                            dfq += fc[p] * fc[q] * dfjk * ujk
                        vp[c] = val * dlog_p + pw * ex * dfp
                        vq[c] = val * dlog_q + pw * ex * dfq
                    if mode == VALUES_JAC:
                        for c in range(3):
                            jac[p, col, c] += vp[c]
                            jac[q, col, c] += vq[c]
                    elif mode == VJP:
                        s = seed[i, col]
                        for c in range(3):
                            dd[p, c] += s * vp[c]
                            dd[q, c] += s * vq[c]
                    else:
                        for c in range(3):
                            g[i, col] += vp[c] * seed[p, c] + vq[c] * seed[q, c]
    return g, jac, dd


@njit(cache=True, parallel=True)
def pair_rows(xw, nbr, code, nn, shifts, cutoff):
    """Directed pair rows within ``cutoff`` from a full neighbour list, sorted by centre.

    Parameters
    ----------
    xw : float64 (N, 3)
        Positions of the list (moved by its image offsets).
    nbr : int32 (N, maxnb); code : int16 (N, maxnb); nn : int64 (N,)
        Neighbours of atom ``i`` are ``nbr[i, :nn[i]]`` with image shift ``shifts[code[i, k]]``.
    shifts : float64 (ncodes, 3)
    cutoff : float

    Returns
    -------
    center, neighbor : int64 (P,)
    shift : float64 (P, 3)
        Image shift of each row.
    d : float64 (P, 3)
        ``xw[neighbor] + shift - xw[center]``.
    """
    n = xw.shape[0]
    rc2 = cutoff * cutoff
    counts = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        c = 0
        for k in range(nn[i]):
            j = nbr[i, k]
            s = code[i, k]
            r2 = 0.0
            for a in range(3):
                t = xw[j, a] + shifts[s, a] - xw[i, a]
                r2 += t * t
            if r2 < rc2:
                c += 1
        counts[i] = c
    start = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        start[i + 1] = start[i] + counts[i]
    npairs = start[n]
    center = np.empty(npairs, dtype=np.int64)
    neighbor = np.empty(npairs, dtype=np.int64)
    shift = np.empty((npairs, 3))
    d = np.empty((npairs, 3))
    for i in prange(n):
        p = start[i]
        for k in range(nn[i]):
            j = nbr[i, k]
            s = code[i, k]
            r2 = 0.0
            for a in range(3):
                t = xw[j, a] + shifts[s, a] - xw[i, a]
                r2 += t * t
            if r2 < rc2:
                center[p] = i
                neighbor[p] = j
                for a in range(3):
                    shift[p, a] = shifts[s, a]
                    d[p, a] = xw[j, a] + shifts[s, a] - xw[i, a]
                p += 1
    return center, neighbor, shift, d


@njit(cache=True)
def core_switch(r, r_on, r_off):
    """C2 switch ``S(r)`` and ``dS/dr``: 1 below ``r_on``, 0 from ``r_off``, ``1 - 10x^3 + 15x^4 - 6x^5`` with
    ``x = (r - r_on) / (r_off - r_on)`` between (value, slope and curvature continuous at both ends)."""
    if r <= r_on:
        return 1.0, 0.0
    if r >= r_off:
        return 0.0, 0.0
    w = r_off - r_on
    x = (r - r_on) / w
    y = 1.0 - x  # (1 - x)^3 (1 + 3x + 6x^2) = 1 - 10x^3 + 15x^4 - 6x^5, non-negative without round-off
    return y * y * y * (1.0 + 3.0 * x + 6.0 * x * x), -30.0 * x * x * y * y / w


@njit(cache=True, parallel=True)
def core_pairs(d, sigma, epsilon, power, r_on, r_off, with_grad):
    """Repulsive core ``u(r) = epsilon (sigma / r)^power S(r)`` on a directed pair list.

    Every pair is listed in both directions, so row ``p`` carries half of its pair's energy:
    ``e[p] = u(r_p) / 2`` and ``grad[p] = de[p]/dd[p] = u'(r_p) d_p / (2 r_p)`` (``grad`` is (0, 3) unless
    ``with_grad``). Rows with ``r >= r_off`` contribute exactly zero.
    """
    n = d.shape[0]
    e = np.zeros(n)
    grad = np.zeros((n if with_grad else 0, 3))
    for p in prange(n):
        r = math.sqrt(d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2])
        if r >= r_off:
            continue
        s, ds = core_switch(r, r_on, r_off)
        u0 = epsilon * (sigma / r) ** power
        e[p] = 0.5 * u0 * s
        if with_grad:
            du = u0 * (ds - power * s / r)  # d(u0 s)/dr
            c = 0.5 * du / r
            grad[p, 0] = c * d[p, 0]
            grad[p, 1] = c * d[p, 1]
            grad[p, 2] = c * d[p, 2]
    return e, grad
