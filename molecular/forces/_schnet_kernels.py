"""Numba kernels of SchNet: the fused filter-network + continuous-filter convolution and its derivatives.

A directed pair list has rows ``p`` with a source atom ``src[p]`` (the neighbour ``j``) and a destination
atom ``dst[p]`` (the centre ``i``), rows sorted by destination (``start[i]:start[i+1]`` are the rows of
``i``) and displacements ``d[p] = r_j - r_i``. The filter of a row is a function of ``r = |d[p]|`` only:

.. math::

    \\Phi^0(r) = f_c(r)\\,[\\mathrm{ssp}(e(r) W_1 + b_1) W_2 + b_2], \\qquad \\Phi^1(r) = d\\Phi^0 / dr,

with Gaussians ``e_k(r) = exp(-gamma (r - mu_0 - k h)^2)`` (evaluated by a three-exponential recurrence
around the nearest centre), the cosine cutoff ``f_c`` and ``ssp(x) = ln(0.5 e^x + 0.5)``. :func:`sweep`
evaluates the filters of a chunk of rows at a time (small BLAS products, nothing of size (P, K) or
(P, F) is kept) and accumulates, by ``flags``, any of

- ``CONV``:  ``out_dst[i] = sum_{dst(p)=i} Phi0_p * xa[src(p)] + s_p Phi1_p * xb[src(p)]`` (the convolution
  and, with ``xb``, its tangent / the second-order term);
- ``CONVT``: ``out_src[j] = sum_{src(p)=j} Phi0_p * ga[dst(p)] + s_p Phi1_p * gb[dst(p)]`` (transpose);
- ``PAIR``:  ``dd[p] = (d_p / r_p) sum_f Phi1_pf pg[dst(p), f] py[src(p), f]`` (the geometry cotangent);
- ``THETA``: the gradient of ``sum_p sum_f Phi0_pf ta_g[dst,f] ta_y[src,f] + s_p Phi1_pf tb_g[dst,f] tb_y[src,f]``
  with respect to ``(W1, b1, W2, b2)``, flattened in that order.

Absent optional inputs are passed as (0, 0) arrays (``s``: shape (0,), meaning no ``Phi1`` terms).
Destination atoms are grouped into chunks (:func:`chunks`) owned by one thread each (no atomics); the
weight gradient is summed per thread group, so results are deterministic for a given thread count.
"""

import math

import numpy as np
from numba import njit, prange

CONV, CONVT, PAIR, THETA, FILL, USE = 1, 2, 4, 8, 16, 32
CACHE_COLUMNS = ("e", "de", "act", "sg", "wt", "zp", "wtp")  # per-row intermediates kept by FILL (plus fc, dfc)
LOG2 = math.log(2.0)


@njit(cache=True)
def _ssp_sigmoid(z):
    """``(ssp(z), sigmoid(z))`` with one exponential (stable for any ``z``)."""
    e = math.exp(-abs(z))
    sg = 1.0 / (1.0 + e)
    if z < 0.0:
        sg = e * sg
    return max(z, 0.0) + math.log1p(e) - LOG2, sg


@njit(cache=True, parallel=True)
def ssp(x):
    """Shifted softplus ``ln(0.5 e^x + 0.5)`` of a 1-D float64 array (stable: ``max(x, 0) + log1p(e^-|x|) - ln 2``)."""
    out = np.empty_like(x)
    for k in prange(x.shape[0]):
        out[k] = max(x[k], 0.0) + math.log1p(math.exp(-abs(x[k]))) - LOG2
    return out


@njit(cache=True, parallel=True)
def sigmoid(x):
    """Logistic function ``1 / (1 + e^-x)`` (the derivative of :func:`ssp`) of a 1-D float64 array."""
    out = np.empty_like(x)
    for k in prange(x.shape[0]):
        e = math.exp(-abs(x[k]))
        out[k] = 1.0 / (1.0 + e) if x[k] >= 0.0 else e / (1.0 + e)
    return out


def chunks(start, rows=128):
    """Boundaries (in atoms) of consecutive destination-atom groups of at most ``rows`` pair rows each
    (an atom with more rows is a group of its own). Plain numpy; ``start`` (N + 1,) as in the pair graph."""
    n = start.shape[0] - 1
    out = [0]
    base = 0
    for i in range(n):
        if start[i + 1] - start[base] > rows and i > base:
            out.append(i)
            base = i
    out.append(n)
    return np.asarray(out, dtype=np.int64)


@njit(cache=True)
def _gaussians(r, basis, nk, e, de):
    """``e_k(r)`` and ``de_k/dr`` for ``k < nk``; ``basis = (mu_0, h, gamma, r_c)``."""
    mu0, h, gamma = basis[0], basis[1], basis[2]
    x0 = r - mu0
    k0 = min(max(int(round(x0 / h)), 0), nk - 1)
    x = x0 - k0 * h
    ek = math.exp(-gamma * x * x)
    q = math.exp(-2.0 * gamma * h * h)
    e[k0] = ek
    up = math.exp(2.0 * gamma * h * x - gamma * h * h)  # e_{k+1} / e_k
    cur = ek
    for k in range(k0 + 1, nk):
        cur *= up
        up *= q
        e[k] = cur
    dn = math.exp(-2.0 * gamma * h * x - gamma * h * h)  # e_{k-1} / e_k
    cur = ek
    for k in range(k0 - 1, -1, -1):
        cur *= dn
        dn *= q
        e[k] = cur
    for k in range(nk):
        de[k] = -2.0 * gamma * (x0 - k * h) * e[k]


@njit(cache=True)
def _group(grp, ngrp, d, src, dst, start, chunk, basis, w1, b1, w2, b2, w2t, s, xa, xb, ga, gb, pg, py, tag, tay, tbg,
           tby, flags, cache, out_dst, tmp, dd, gacc):
    """The work of one thread group of :func:`sweep` (its chunks of destination atoms), written in place."""
    nk, nf = w1.shape[0], w1.shape[1]
    rc = basis[3]
    do_conv = (flags & CONV) != 0
    do_convt = (flags & CONVT) != 0
    do_pair = (flags & PAIR) != 0
    do_theta = (flags & THETA) != 0
    has_s = s.shape[0] > 0
    use_xa = do_conv and xa.shape[0] > 0
    use_xb = do_conv and has_s and xb.shape[0] > 0
    use_ga = do_convt and ga.shape[0] > 0
    use_gb = do_convt and has_s and gb.shape[0] > 0
    use_ta = do_theta and tag.shape[0] > 0 and tay.shape[0] > 0
    use_tb = do_theta and has_s and tbg.shape[0] > 0 and tby.shape[0] > 0
    need1 = use_xb or use_gb or do_pair or use_tb
    fill = (flags & FILL) != 0
    use_cache = (flags & USE) != 0
    nchunk = chunk.shape[0] - 1
    c_lo = grp * nchunk // ngrp
    c_hi = (grp + 1) * nchunk // ngrp
    gw1 = np.zeros((nk, nf))
    gb1 = np.zeros(nf)
    gw2 = np.zeros((nf, nf))
    gb2 = np.zeros(nf)
    for c in range(c_lo, c_hi):
        p0 = start[chunk[c]]
        p1 = start[chunk[c + 1]]
        m = p1 - p0
        if m == 0:
            continue
        rr = np.empty(m)
        for t in range(m):
            p = p0 + t
            rr[t] = math.sqrt(d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2])
        if use_cache:
            e, de, act, sg = cache[0][p0:p1], cache[1][p0:p1], cache[2][p0:p1], cache[3][p0:p1]
            wt, zp, wtp = cache[4][p0:p1], cache[5][p0:p1], cache[6][p0:p1]
            fc = np.ascontiguousarray(cache[7][p0:p1, 0])
            dfc = np.ascontiguousarray(cache[7][p0:p1, 1])
            ap = sg * zp if need1 else np.zeros((0, 0))
        else:
            e = np.zeros((m, nk))
            de = np.zeros((m, nk))
            fc = np.zeros(m)
            dfc = np.zeros(m)
            for t in range(m):
                r = rr[t]
                if r < rc:
                    a = math.pi / rc
                    fc[t] = 0.5 * (math.cos(a * r) + 1.0)
                    dfc[t] = -0.5 * a * math.sin(a * r)
                    _gaussians(r, basis, nk, e[t], de[t])
            z = np.dot(e, w1)
            act = np.empty((m, nf))
            sg = np.empty((m, nf))
            for t in range(m):
                for f in range(nf):
                    act[t, f], sg[t, f] = _ssp_sigmoid(z[t, f] + b1[f])
            wt = np.dot(act, w2)
            for t in range(m):
                for f in range(nf):
                    wt[t, f] += b2[f]
            if need1 or fill:
                zp = np.dot(de, w1)
                ap = sg * zp
                wtp = np.dot(ap, w2)
            else:
                zp = np.zeros((0, 0))
                ap = np.zeros((0, 0))
                wtp = np.zeros((0, 0))
            if fill:
                cache[0][p0:p1] = e
                cache[1][p0:p1] = de
                cache[2][p0:p1] = act
                cache[3][p0:p1] = sg
                cache[4][p0:p1] = wt
                cache[5][p0:p1] = zp
                cache[6][p0:p1] = wtp
                for t in range(m):
                    cache[7][p0 + t, 0] = fc[t]
                    cache[7][p0 + t, 1] = dfc[t]
        if do_conv:
            for t in range(m):
                p = p0 + t
                i, j = dst[p], src[p]
                if use_xa:
                    for f in range(nf):
                        out_dst[i, f] += fc[t] * wt[t, f] * xa[j, f]
                if use_xb:
                    sp = s[p]
                    for f in range(nf):
                        out_dst[i, f] += sp * (dfc[t] * wt[t, f] + fc[t] * wtp[t, f]) * xb[j, f]
        if do_convt:
            for t in range(m):
                p = p0 + t
                i = dst[p]
                if use_ga:
                    for f in range(nf):
                        tmp[p, f] += fc[t] * wt[t, f] * ga[i, f]
                if use_gb:
                    sp = s[p]
                    for f in range(nf):
                        tmp[p, f] += sp * (dfc[t] * wt[t, f] + fc[t] * wtp[t, f]) * gb[i, f]
        if do_pair:
            for t in range(m):
                p = p0 + t
                if rr[t] >= rc:
                    continue
                i, j = dst[p], src[p]
                acc = 0.0
                for f in range(nf):
                    acc += (dfc[t] * wt[t, f] + fc[t] * wtp[t, f]) * pg[i, f] * py[j, f]
                acc /= rr[t]
                for k in range(3):
                    dd[p, k] = acc * d[p, k]
        if do_theta:
            # cotangents V of wt (through Phi0 = fc wt and Phi1 = dfc wt + fc wtp) and Vp of wtp
            v = np.zeros((m, nf))
            vp = np.zeros((m, nf)) if use_tb else np.zeros((0, 0))
            for t in range(m):
                p = p0 + t
                i, j = dst[p], src[p]
                if use_ta:
                    for f in range(nf):
                        v[t, f] += fc[t] * tag[i, f] * tay[j, f]
                if use_tb:
                    sp = s[p]
                    for f in range(nf):
                        q = sp * tbg[i, f] * tby[j, f]
                        v[t, f] += dfc[t] * q
                        vp[t, f] = fc[t] * q
            gw2 += np.dot(act.T, v)
            gabar = np.dot(v, w2t)
            for t in range(m):
                for f in range(nf):
                    gb2[f] += v[t, f]
                    gabar[t, f] *= sg[t, f]
            if use_tb:
                gw2 += np.dot(ap.T, vp)
                gapbar = np.dot(vp, w2t)
                for t in range(m):
                    for f in range(nf):
                        sgf = sg[t, f]
                        gabar[t, f] += gapbar[t, f] * zp[t, f] * sgf * (1.0 - sgf)
                        gapbar[t, f] *= sgf
                gw1 += np.dot(de.T, gapbar)
            for t in range(m):
                for f in range(nf):
                    gb1[f] += gabar[t, f]
            gw1 += np.dot(e.T, gabar)
    if do_theta:
        k = 0
        for a in range(nk):
            for f in range(nf):
                gacc[grp, k] = gw1[a, f]
                k += 1
        for f in range(nf):
            gacc[grp, k] = gb1[f]
            k += 1
        for a in range(nf):
            for f in range(nf):
                gacc[grp, k] = gw2[a, f]
                k += 1
        for f in range(nf):
            gacc[grp, k] = gb2[f]
            k += 1


@njit(cache=True, parallel=True)
def sweep(d, src, dst, start, chunk, ord_src, st_src, basis, w1, b1, w2, b2, s, xa, xb, ga, gb, pg, py, tag, tay,
          tbg, tby, flags, cache, nthreads):
    """One pass over all pair rows computing the filters chunk by chunk and the outputs selected by ``flags``.

    Parameters
    ----------
    d : float64 (P, 3)
        Displacements ``r_j - r_i``.
    src, dst : int64 (P,)
        Neighbour and centre atom of every row (rows sorted by ``dst``).
    start : int64 (N + 1,)
        Row offsets per destination atom.
    chunk : int64 (C + 1,)
        Destination-atom group boundaries (:func:`chunks`).
    ord_src, st_src : int64 (P,), (N + 1,)
        Rows sorted by source and their offsets per source atom (used by ``CONVT``).
    basis : float64 (4,)
        ``(mu_0, h, gamma, r_c)``: first Gaussian centre, centre spacing, width parameter, cutoff.
    w1, b1, w2, b2 : float64 (K, F), (F,), (F, F), (F,)
        Filter network weights.
    s : float64 (P,) or (0,)
        Per-row weights of the ``Phi1`` terms (absent: none).
    xa, xb, ga, gb, pg, py, tag, tay, tbg, tby : float64 (N, F) or (0, 0)
        Atom arrays of the outputs (see the module docstring; absent arrays drop their terms).
    flags : int
        Sum of ``CONV``, ``CONVT``, ``PAIR``, ``THETA``, and ``FILL`` (store the per-row filter intermediates
        in ``cache``) or ``USE`` (read them from ``cache`` instead of recomputing the filter network).
    cache : tuple of 8 float64 2-D arrays
        ``(e, de, act, sg)`` (P, K), (P, K), (P, F), (P, F), ``(wt, zp, wtp)`` (P, F) and ``(fc, dfc)``
        (P, 2) of the same weights and displacements (with ``FILL`` / ``USE``; else (0, 0) arrays).
    nthreads : int
        Threads in use (``numba.get_num_threads()``): the weight gradient is summed in ``4 nthreads`` groups.

    Returns
    -------
    out_dst : float64 (N, F)
    out_src : float64 (N, F)
    dd : float64 (P, 3)
    theta : float64 (K F + F + F F + F,)
        Unrequested outputs are (0, 0), (0, 0), (0, 3), (0,) arrays.
    """
    n = start.shape[0] - 1
    npairs = d.shape[0]
    nk, nf = w1.shape[0], w1.shape[1]
    do_conv = (flags & CONV) != 0
    do_convt = (flags & CONVT) != 0
    do_pair = (flags & PAIR) != 0
    do_theta = (flags & THETA) != 0
    out_dst = np.zeros((n if do_conv else 0, nf if do_conv else 0))
    out_src = np.zeros((n if do_convt else 0, nf if do_convt else 0))
    tmp = np.zeros((npairs if do_convt else 0, nf))
    dd = np.zeros((npairs if do_pair else 0, 3))
    ntheta = nk * nf + nf + nf * nf + nf
    nchunk = chunk.shape[0] - 1
    ngrp = min(nchunk, 4 * nthreads) if do_theta else nchunk
    ngrp = max(ngrp, 1)
    gacc = np.zeros((ngrp if do_theta else 0, ntheta))
    w2t = np.ascontiguousarray(w2.T)
    for grp in prange(ngrp):
        _group(grp, ngrp, d, src, dst, start, chunk, basis, w1, b1, w2, b2, w2t, s, xa, xb, ga, gb, pg, py, tag, tay,
               tbg, tby, flags, cache, out_dst, tmp, dd, gacc)
    if do_convt:
        for j in prange(n):
            for q in range(st_src[j], st_src[j + 1]):
                p = ord_src[q]
                for f in range(nf):
                    out_src[j, f] += tmp[p, f]
    theta = np.zeros(ntheta if do_theta else 0)
    if do_theta:
        for g in range(ngrp):
            for k in range(ntheta):
                theta[k] += gacc[g, k]
    return out_dst, out_src, dd, theta


@njit(cache=True, parallel=True)
def conv(x, w, src, order, start):
    """Continuous-filter convolution with given filters ``out[i] = sum_{p: dst[p] = i} w[p] * x[src[p]]``.

    Parameters
    ----------
    x : float64 (N_src, F)
        Features of the source atoms.
    w : float64 (P, F)
        Filter of every pair row.
    src : int64 (P,)
        Source atom of every row.
    order : int64 (P,)
        Rows sorted by destination.
    start : int64 (N_dst + 1,)
        Offsets into ``order`` per destination atom.

    Returns
    -------
    out : float64 (N_dst, F)
    """
    n = start.shape[0] - 1
    nf = w.shape[1]
    out = np.zeros((n, nf))
    for i in prange(n):
        for q in range(start[i], start[i + 1]):
            p = order[q]
            j = src[p]
            for f in range(nf):
                out[i, f] += w[p, f] * x[j, f]
    return out


@njit(cache=True, parallel=True)
def gather_product(a, b, ia, ib):
    """Row-wise product of two gathers ``out[p] = a[ia[p]] * b[ib[p]]`` (P, F).

    Parameters
    ----------
    a : float64 (N_a, F)
    b : float64 (N_b, F)
    ia, ib : int64 (P,)
        Rows of ``a`` and ``b`` used by each output row.

    Returns
    -------
    out : float64 (P, F)
    """
    npairs = ia.shape[0]
    nf = a.shape[1]
    out = np.empty((npairs, nf))
    for p in prange(npairs):
        i = ia[p]
        j = ib[p]
        for f in range(nf):
            out[p, f] = a[i, f] * b[j, f]
    return out
