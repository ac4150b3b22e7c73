"""Numba kernels of the electrostatics: real-space Coulomb over the full neighbour list, excluded and
scaled-pair corrections, Ewald structure-factor sum, PME B-splines, charge spreading and interpolation.

All kernels are pure functions of plain arrays (no objects, no globals). Energies are returned in units
of ``ke * e^2 / nm`` with ``ke`` passed in (kJ/mol with ``ke = ONE_4PI_EPS0``).
"""

import math

import numpy as np
from numba import njit, prange

# real-space kinds
CUTOFF, REACTION_FIELD, EWALD = 0, 1, 2
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


@njit(cache=True, inline="always", error_model="numpy")
def real_space_pair(kind, r2, p0, p1, alpha):
    """Real-space pair function of unit charges: ``u(r)`` and ``g = -(du/dr)/r``.

    ``CUTOFF``: ``u = 1/r - p0`` (``p0`` = 0 truncated, ``1/rc`` shifted).
    ``REACTION_FIELD``: ``u = 1/r + p0 r^2 - p1`` (``p0 = k_rf``, ``p1 = c_rf``).
    ``EWALD``: ``u = erfc(alpha r)/r``.
    """
    r = math.sqrt(r2)
    ir = 1.0 / r
    if kind == CUTOFF:
        return ir - p0, ir * ir * ir
    if kind == REACTION_FIELD:
        return ir + p0 * r2 - p1, ir * ir * ir - 2.0 * p0
    ar = alpha * r
    ec = math.erfc(ar)
    return ec * ir, (ec * ir + _TWO_OVER_SQRT_PI * alpha * math.exp(-ar * ar)) * ir * ir


@njit(cache=True)
def coulomb_real(lo, hi, xw, q, nbr, code, nn, shifts, kind, rc2, p0, p1, alpha, ke, want_virial, forces, energy,
                 virial):
    """Real-space Coulomb forces, per-atom energies and virials over a full neighbour list.

    Parameters
    ----------
    lo, hi : int
        Atoms ``lo <= i < hi`` are computed (rows are independent).
    xw : float64 (N, 3), nm
        Positions consistent with the list's image codes.
    q : float64 (N,), e
    nbr, code, nn, shifts : the full Verlet list (``molecular.neighbors.NeighborList.data``).
    kind : int
        ``CUTOFF``, ``REACTION_FIELD`` or ``EWALD`` (see :func:`real_space_pair`).
    rc2 : float
        Cutoff squared, nm^2.
    p0, p1, alpha : float
        Parameters of the pair function.
    ke : float
        Coulomb constant, kJ mol^-1 nm e^-2.
    want_virial : bool
    forces : float64 (N, 3); energy : float64 (N,); virial : float64 (N, 6)
        Outputs, overwritten; ``energy[i]`` and ``virial[i]`` (xx, yy, zz, xy, xz, yz) hold half of
        atom i's pair terms.
    """
    for i in range(lo, hi):
        qi = q[i] * ke
        f0 = f1 = f2 = 0.0
        ei = 0.0
        w00 = w11 = w22 = w01 = w02 = w12 = 0.0
        if qi != 0.0:
            for k in range(nn[i]):
                j = nbr[i, k]
                qq = qi * q[j]
                if qq == 0.0:
                    continue
                c = code[i, k]
                d0 = xw[j, 0] + shifts[c, 0] - xw[i, 0]
                d1 = xw[j, 1] + shifts[c, 1] - xw[i, 1]
                d2 = xw[j, 2] + shifts[c, 2] - xw[i, 2]
                r2 = d0 * d0 + d1 * d1 + d2 * d2
                if r2 < rc2:
                    u, g = real_space_pair(kind, r2, p0, p1, alpha)
                    g *= qq
                    ei += qq * u
                    f0 -= g * d0
                    f1 -= g * d1
                    f2 -= g * d2
                    if want_virial:
                        w00 += g * d0 * d0
                        w11 += g * d1 * d1
                        w22 += g * d2 * d2
                        w01 += g * d0 * d1
                        w02 += g * d0 * d2
                        w12 += g * d1 * d2
        forces[i, 0] = f0
        forces[i, 1] = f1
        forces[i, 2] = f2
        energy[i] = 0.5 * ei
        if want_virial:
            virial[i, 0] = 0.5 * w00
            virial[i, 1] = 0.5 * w11
            virial[i, 2] = 0.5 * w22
            virial[i, 3] = 0.5 * w01
            virial[i, 4] = 0.5 * w02
            virial[i, 5] = 0.5 * w12


@njit(cache=True, parallel=True)
def coulomb_real_parallel(nchunks, xw, q, nbr, code, nn, shifts, kind, rc2, p0, p1, alpha, ke, want_virial, forces,
                          energy, virial):
    """:func:`coulomb_real` over all atoms in ``nchunks`` parallel row blocks (thread-count independent)."""
    n = xw.shape[0]
    for c in prange(nchunks):
        coulomb_real(c * n // nchunks, (c + 1) * n // nchunks, xw, q, nbr, code, nn, shifts, kind, rc2, p0, p1,
                     alpha, ke, want_virial, forces, energy, virial)


@njit(cache=True, inline="always")
def minimum_image(d, h, periodic):
    """Shortest image of displacement ``d`` (3,) in the lower-triangular cell ``h`` (in place)."""
    if periodic:
        for k in (2, 1, 0):
            s = np.round(d[k] / h[k, k])
            for a in range(3):
                d[a] -= s * h[k, a]


@njit(cache=True)
def coulomb_pair_corrections(x, q, pairs, scale, h, periodic, kind, rc2, p0, p1, alpha, ke, forces, virial):
    """Replace the interaction of listed pairs by ``scale`` times plain Coulomb; return the energy.

    For each pair ``(i, j)`` with scale ``s`` (0 for an exclusion, e.g. 1/1.2 for a 1-4 pair) this
    removes what :func:`coulomb_real` added (if ``r < rc``), removes the reciprocal-space
    ``erf(alpha r)/r`` for ``kind == EWALD`` (the excluded-pair correction of Ewald/PME), and adds
    ``s q_i q_j / r`` at the minimum image, so the net pair energy is exactly ``s ke q_i q_j / r``
    (Ewald) or ``s ke q_i q_j / r`` in place of the cut-off function (cutoff, reaction field).

    Parameters
    ----------
    x : float64 (N, 3), nm
    q : float64 (N,), e
    pairs : int64 (P, 2)
    scale : float64 (P,)
    h : float64 (3, 3), nm
        Lower-triangular box vectors (rows); ignored unless ``periodic``.
    periodic : bool
    kind, rc2, p0, p1, alpha, ke : see :func:`coulomb_real`.
    forces : float64 (N, 3), kJ/mol/nm
        Accumulated into.
    virial : float64 (3, 3), kJ/mol
        Accumulated into (``r_ij (x) f_ij``).
    """
    e = 0.0
    d = np.empty(3)
    for p in range(pairs.shape[0]):
        i = pairs[p, 0]
        j = pairs[p, 1]
        qq = ke * q[i] * q[j]
        if qq == 0.0:
            continue
        for a in range(3):
            d[a] = x[i, a] - x[j, a]
        minimum_image(d, h, periodic)
        r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
        r = math.sqrt(r2)
        ir = 1.0 / r
        u = scale[p] * ir
        g = scale[p] * ir * ir * ir
        if r2 < rc2:
            ur, gr = real_space_pair(kind, r2, p0, p1, alpha)
            u -= ur
            g -= gr
        if kind == EWALD:
            ar = alpha * r
            ef = math.erf(ar)
            u -= ef * ir
            g -= (ef * ir - _TWO_OVER_SQRT_PI * alpha * math.exp(-ar * ar)) * ir * ir
        e += qq * u
        g *= qq
        for a in range(3):
            forces[i, a] += g * d[a]
            forces[j, a] -= g * d[a]
            for b in range(3):
                virial[a, b] += g * d[a] * d[b]
    return e


@njit(cache=True)
def ewald_reciprocal(x, q, kvecs, coef, vfac, want_virial, forces, virial):
    """Reciprocal-space Ewald sum over explicit wave vectors; return the energy.

    ``E = sum_k coef_k |S(k)|^2`` with ``S(k) = sum_i q_i exp(i k.x_i)``.

    Parameters
    ----------
    x : float64 (N, 3), nm
    q : float64 (N,), e
    kvecs : float64 (M, 3), nm^-1
        One wave vector of each ``+-k`` pair.
    coef : float64 (M,), kJ/mol/e^2
        ``2 * ke * (2 pi / V) exp(-k^2 / 4 alpha^2) / k^2`` (the 2 counts ``-k``).
    vfac : float64 (M,), nm^2
        ``2 (1/k^2 + 1/(4 alpha^2))`` for the virial ``W_ab = sum_k E_k (delta_ab - vfac k_a k_b)``.
    want_virial : bool
    forces : float64 (N, 3)
        Accumulated into.
    virial : float64 (3, 3)
        Accumulated into.
    """
    n = x.shape[0]
    c = np.empty(n)
    s = np.empty(n)
    e = 0.0
    for m in range(kvecs.shape[0]):
        k0 = kvecs[m, 0]
        k1 = kvecs[m, 1]
        k2 = kvecs[m, 2]
        sc = 0.0
        ss = 0.0
        for i in range(n):
            ph = k0 * x[i, 0] + k1 * x[i, 1] + k2 * x[i, 2]
            c[i] = math.cos(ph)
            s[i] = math.sin(ph)
            sc += q[i] * c[i]
            ss += q[i] * s[i]
        em = coef[m] * (sc * sc + ss * ss)
        e += em
        for i in range(n):
            t = 2.0 * coef[m] * q[i] * (s[i] * sc - c[i] * ss)
            forces[i, 0] += t * k0
            forces[i, 1] += t * k1
            forces[i, 2] += t * k2
        if want_virial:
            for a in range(3):
                ka = kvecs[m, a]
                virial[a, a] += em
                for b in range(3):
                    virial[a, b] -= em * vfac[m] * ka * kvecs[m, b]
    return e


@njit(cache=True, inline="always")
def bspline(w, order, theta, dtheta):
    """Cardinal B-spline weights ``theta[j] = M_n(w + n - 1 - j)`` and their derivatives, ``0 <= w < 1``.

    Grid point ``floor(u) + j`` gets weight ``theta[j]`` (a uniform shift of Essmann et al.'s
    ``M_n(u - k)``, which leaves energies and forces unchanged).
    """
    theta[order - 1] = 0.0
    theta[1] = w
    theta[0] = 1.0 - w
    for j in range(3, order):
        div = 1.0 / (j - 1)
        theta[j - 1] = div * w * theta[j - 2]
        for k in range(1, j - 1):
            theta[j - k - 1] = div * ((w + k) * theta[j - k - 2] + (j - k - w) * theta[j - k - 1])
        theta[0] = div * (1.0 - w) * theta[0]
    dtheta[0] = -theta[0]
    for j in range(1, order):
        dtheta[j] = theta[j - 1] - theta[j]
    div = 1.0 / (order - 1)
    theta[order - 1] = div * w * theta[order - 2]
    for k in range(1, order - 1):
        theta[order - k - 1] = div * ((w + k) * theta[order - k - 2] + (order - k - w) * theta[order - k - 1])
    theta[0] = div * (1.0 - w) * theta[0]


@njit(cache=True)
def pme_spread(u, q, order, grid):
    """Spread charges ``q`` (N,) at scaled fractional coordinates ``u`` (N, 3), ``0 <= u_a < K_a``,
    onto ``grid`` (K0, K1, K2) (overwritten) with order-``order`` B-splines."""
    grid[:] = 0.0
    k0, k1, k2 = grid.shape
    t0 = np.empty(order)
    t1 = np.empty(order)
    t2 = np.empty(order)
    dt = np.empty(order)
    for i in range(u.shape[0]):
        if q[i] == 0.0:
            continue
        b0 = int(math.floor(u[i, 0]))
        b1 = int(math.floor(u[i, 1]))
        b2 = int(math.floor(u[i, 2]))
        bspline(u[i, 0] - b0, order, t0, dt)
        bspline(u[i, 1] - b1, order, t1, dt)
        bspline(u[i, 2] - b2, order, t2, dt)
        for a in range(order):
            ia = (b0 + a) % k0
            qa = q[i] * t0[a]
            for b in range(order):
                ib = (b1 + b) % k1
                qab = qa * t1[b]
                for c in range(order):
                    grid[ia, ib, (b2 + c) % k2] += qab * t2[c]


@njit(cache=True)
def pme_gather(u, q, order, phi, dedu):
    """Derivatives ``dE/du`` (N, 3) (overwritten) of ``E = 1/2 sum Q phi`` from the potential grid ``phi``."""
    k0, k1, k2 = phi.shape
    t0 = np.empty(order)
    t1 = np.empty(order)
    t2 = np.empty(order)
    d0 = np.empty(order)
    d1 = np.empty(order)
    d2 = np.empty(order)
    for i in range(u.shape[0]):
        dedu[i, 0] = dedu[i, 1] = dedu[i, 2] = 0.0
        if q[i] == 0.0:
            continue
        b0 = int(math.floor(u[i, 0]))
        b1 = int(math.floor(u[i, 1]))
        b2 = int(math.floor(u[i, 2]))
        bspline(u[i, 0] - b0, order, t0, d0)
        bspline(u[i, 1] - b1, order, t1, d1)
        bspline(u[i, 2] - b2, order, t2, d2)
        g0 = g1 = g2 = 0.0
        for a in range(order):
            ia = (b0 + a) % k0
            for b in range(order):
                ib = (b1 + b) % k1
                for c in range(order):
                    p = phi[ia, ib, (b2 + c) % k2]
                    g0 += p * d0[a] * t1[b] * t2[c]
                    g1 += p * t0[a] * d1[b] * t2[c]
                    g2 += p * t0[a] * t1[b] * d2[c]
        dedu[i, 0] = q[i] * g0
        dedu[i, 1] = q[i] * g1
        dedu[i, 2] = q[i] * g2


def real_space_table(kind, p0, p1, alpha, rc, npts=16384):
    """Table of the unit-charge real-space pair function on ``r = k rc / (npts - 3)``, for
    :func:`pair_coulomb_sorted_block`: columns ``u(r)`` and ``du/dr`` (exact values from
    :func:`real_space_pair`; row 0, at r = 0, is unused). Cubic Hermite interpolation on it, used for
    ``r >= TABLE_RMIN``, errs by at most ``h^4 max|u''''| / 384`` in energy and about
    ``h^3 max|u''''| / 72`` in force, with ``|u''''| <= 24 / r^5`` (rc = 1 nm: below 1e-13 and 3e-9 in
    units of ``ke q^2``; at 0.08 nm below 1e-12 and 1e-8); closer pairs are computed exactly.
    The force is the exact derivative of the interpolated energy.

    Returns
    -------
    table : float64 (npts, 2)
    inv_h : float
        ``(npts - 3) / rc``, 1/nm (the table reaches ``2 h`` beyond ``rc``).
    """
    h = rc / (npts - 3)  # the table reaches 2 h beyond rc
    tab = np.zeros((npts, 2))
    for k in range(1, npts):
        r = k * h
        u, g = real_space_pair(kind, r * r, p0, p1, alpha)
        tab[k, 0] = u
        tab[k, 1] = -g * r
    return tab, 1.0 / h


#: below this distance (nm) the real-space pair function is evaluated exactly instead of from the table
TABLE_RMIN = 0.08


@njit(fastmath=True, cache=True, error_model="numpy", inline="always")
def _hermite(tab, inv_h, h, r):
    """Unit-charge pair function ``u`` and ``g = -(du/dr)/r`` from the Hermite table at ``r`` (nm)."""
    t = r * inv_h
    kk = int(t)
    t -= kk
    u0 = tab[kk, 0]
    u1 = tab[kk + 1, 0]
    m0 = tab[kk, 1] * h
    m1 = tab[kk + 1, 1] * h
    t2 = t * t
    t3 = t2 * t
    u = (2.0 * t3 - 3.0 * t2 + 1.0) * u0 + (t3 - 2.0 * t2 + t) * m0 + (3.0 * t2 - 2.0 * t3) * u1 + (t3 - t2) * m1
    dudt = (6.0 * t2 - 6.0 * t) * (u0 - u1) + (3.0 * t2 - 4.0 * t + 1.0) * m0 + (3.0 * t2 - 2.0 * t) * m1
    return u, -dudt * inv_h / r


@njit(fastmath=True, cache=True, error_model="numpy", inline="always")
def _pc_central(i, xs, ts, qs, nbr, n0, ljtab, shiftf, rc2_c, tab, inv_h, rmin, rmax, qi, with_lj, virial):
    """Central-image pairs of row ``i`` for :func:`pair_coulomb_sorted_block`, branch-free (masks
    instead of branches); Coulomb pairs closer than ``rmin`` are left out (the caller adds them
    exactly). Inlined with ``with_lj`` (row type has LJ partners) and ``virial`` literals."""
    h = 1.0 / inv_h
    x0 = xs[i, 0]
    x1 = xs[i, 1]
    x2 = xs[i, 2]
    ti = ts[i]
    fl0 = fl1 = fl2 = fc0 = fc1 = fc2 = el = ec = 0.0
    a0 = a1 = a2 = a3 = a4 = a5 = 0.0
    b0 = b1 = b2 = b3 = b4 = b5 = 0.0
    for k in range(n0[i]):
        j = nbr[i, k]
        d0 = xs[j, 0] - x0
        d1 = xs[j, 1] - x1
        d2 = xs[j, 2] - x2
        r2 = d0 * d0 + d1 * d1 + d2 * d2
        gl = 0.0
        if with_lj:
            tj = ts[j]
            ir2 = 1.0 / r2
            sr6 = ljtab[ti, tj, 1] * ir2 * ir2 * ir2
            e4 = ljtab[ti, tj, 0] if r2 < ljtab[ti, tj, 4] else 0.0
            el += e4 * sr6 * (sr6 - 1.0) - (shiftf * ljtab[ti, tj, 6] if e4 != 0.0 else 0.0)
            gl = e4 * (12.0 * sr6 - 6.0) * sr6 * ir2
        r = math.sqrt(r2)
        qq = qi * qs[j] if (r2 < rc2_c and r >= rmin) else 0.0
        u, g = _hermite(tab, inv_h, h, min(max(r, rmin), rmax))
        ec += qq * u
        gc = qq * g
        fl0 -= gl * d0
        fl1 -= gl * d1
        fl2 -= gl * d2
        fc0 -= gc * d0
        fc1 -= gc * d1
        fc2 -= gc * d2
        if virial:
            a0 += gl * d0 * d0
            a1 += gl * d1 * d1
            a2 += gl * d2 * d2
            a3 += gl * d0 * d1
            a4 += gl * d0 * d2
            a5 += gl * d1 * d2
            b0 += gc * d0 * d0
            b1 += gc * d1 * d1
            b2 += gc * d2 * d2
            b3 += gc * d0 * d1
            b4 += gc * d0 * d2
            b5 += gc * d1 * d2
    return (fl0, fl1, fl2, fc0, fc1, fc2, el, ec, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5)


@njit(fastmath=True, cache=True, error_model="numpy")
def pair_coulomb_sorted_block(lo, hi, xs, perm, ts, qs, nbr, code, n0, nn, shifts, ljtab, lj_shift, rc2_c, tab, inv_h,
                              kind, p0, p1, alpha, ke, want_virial, f_lj, f_c, ev):
    """Lennard-Jones (per type pair) and real-space Coulomb in one pass over the cell-sorted list.

    Rows ``lo <= i < hi`` of the full sorted list (``molecular.neighbors.NeighborList.sorted_data``);
    for each pair within reach, the LJ term (truncated, or shifted when ``lj_shift``, at its type-pair
    cutoff) and the Coulomb term (within ``sqrt(rc2_c)``; the unit-charge pair function from the
    Hermite table ``tab`` for ``r >= TABLE_RMIN``, exactly below). The central-image pairs run in a
    branch-free loop that LLVM vectorises. Forces of the sorted row ``i`` go to ``f_lj[perm[i]]`` and
    ``f_c[perm[i]]``; the block's sums to ``ev`` = (U_lj, W_lj (6), U_c, W_c (6)), virials
    ``sum r_ij (x) f_ij`` in the order xx, yy, zz, xy, xz, yz, summed row by row in a fixed order.

    Parameters
    ----------
    lo, hi : int
    xs : float64 (N, 3), nm; perm : int64 (N,)
    ts : int64 (N,); qs : float64 (N,), e
        Types and charges in sorted order.
    nbr, code, n0, nn, shifts : the sorted list.
    ljtab : float64 (T, T, NCOL)
        LennardJones table (``molecular.forces._kernels`` columns P0 = 4 eps, P1 = sigma^6, RC2, UC).
    lj_shift : bool
    rc2_c : float
        Coulomb cutoff squared, nm^2.
    tab : float64 (M, 2); inv_h : float
        From :func:`real_space_table`.
    kind, p0, p1, alpha, ke : see :func:`coulomb_real`.
    want_virial : bool
    f_lj, f_c : float64 (N, 3), kJ/mol/nm; ev : float64 (14,)
        Outputs.
    """
    for q in range(14):
        ev[q] = 0.0
    h = 1.0 / inv_h
    rmin = TABLE_RMIN
    rmax = (tab.shape[0] - 3) * h
    shiftf = 1.0 if lj_shift else 0.0
    for i in range(lo, hi):
        qi = qs[i] * ke
        lj_row = False  # rows of types without any Lennard-Jones partner (water H) skip the LJ terms
        for t in range(ljtab.shape[1]):
            if ljtab[ts[i], t, 0] != 0.0:
                lj_row = True
        if want_virial:
            if lj_row:
                r = _pc_central(i, xs, ts, qs, nbr, n0, ljtab, shiftf, rc2_c, tab, inv_h, rmin, rmax, qi, True, True)
            else:
                r = _pc_central(i, xs, ts, qs, nbr, n0, ljtab, shiftf, rc2_c, tab, inv_h, rmin, rmax, qi, False, True)
        else:
            if lj_row:
                r = _pc_central(i, xs, ts, qs, nbr, n0, ljtab, shiftf, rc2_c, tab, inv_h, rmin, rmax, qi, True, False)
            else:
                r = _pc_central(i, xs, ts, qs, nbr, n0, ljtab, shiftf, rc2_c, tab, inv_h, rmin, rmax, qi, False,
                                False)
        fl0, fl1, fl2, fc0, fc1, fc2, el, ec = r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
        wl0, wl1, wl2, wl3, wl4, wl5 = r[8], r[9], r[10], r[11], r[12], r[13]
        wc0, wc1, wc2, wc3, wc4, wc5 = r[14], r[15], r[16], r[17], r[18], r[19]
        x0 = xs[i, 0]
        x1 = xs[i, 1]
        x2 = xs[i, 2]
        ti = ts[i]
        nclose = 0  # central pairs closer than rmin (rigid-water bonds): their Coulomb part is exact
        rmin2 = rmin * rmin
        for k in range(n0[i]):
            j = nbr[i, k]
            d0 = xs[j, 0] - x0
            d1 = xs[j, 1] - x1
            d2 = xs[j, 2] - x2
            nclose += 1 if d0 * d0 + d1 * d1 + d2 * d2 < rmin2 else 0
        # image pairs (with a shift) in full, and the Coulomb part of close central pairs
        for k in range(n0[i] if nclose == 0 else 0, nn[i]):
            j = nbr[i, k]
            central = k < n0[i]
            if central:
                d0 = xs[j, 0] - x0
                d1 = xs[j, 1] - x1
                d2 = xs[j, 2] - x2
            else:
                c = code[i, k]
                d0 = xs[j, 0] + shifts[c, 0] - x0
                d1 = xs[j, 1] + shifts[c, 1] - x1
                d2 = xs[j, 2] + shifts[c, 2] - x2
            r2 = d0 * d0 + d1 * d1 + d2 * d2
            tj = ts[j]
            gl = 0.0
            if not central and r2 < ljtab[ti, tj, 4] and ljtab[ti, tj, 0] != 0.0:
                ir2 = 1.0 / r2
                sr6 = ljtab[ti, tj, 1] * ir2 * ir2 * ir2
                el += ljtab[ti, tj, 0] * sr6 * (sr6 - 1.0) - shiftf * ljtab[ti, tj, 6]
                gl = ljtab[ti, tj, 0] * (12.0 * sr6 - 6.0) * sr6 * ir2
                fl0 -= gl * d0
                fl1 -= gl * d1
                fl2 -= gl * d2
            gc = 0.0
            qq = qi * qs[j]
            if r2 < rc2_c and qq != 0.0:
                rr = math.sqrt(r2)
                if rr >= rmin:
                    if central:
                        continue
                    u, g = _hermite(tab, inv_h, h, min(rr, rmax))
                else:
                    u, g = real_space_pair(kind, r2, p0, p1, alpha)
                ec += qq * u
                gc = qq * g
                fc0 -= gc * d0
                fc1 -= gc * d1
                fc2 -= gc * d2
            if want_virial:
                wl0 += gl * d0 * d0
                wl1 += gl * d1 * d1
                wl2 += gl * d2 * d2
                wl3 += gl * d0 * d1
                wl4 += gl * d0 * d2
                wl5 += gl * d1 * d2
                wc0 += gc * d0 * d0
                wc1 += gc * d1 * d1
                wc2 += gc * d2 * d2
                wc3 += gc * d0 * d1
                wc4 += gc * d0 * d2
                wc5 += gc * d1 * d2
        p = perm[i]
        f_lj[p, 0] = fl0
        f_lj[p, 1] = fl1
        f_lj[p, 2] = fl2
        f_c[p, 0] = fc0
        f_c[p, 1] = fc1
        f_c[p, 2] = fc2
        ev[0] += 0.5 * el
        ev[7] += 0.5 * ec
        if want_virial:
            ev[1] += 0.5 * wl0
            ev[2] += 0.5 * wl1
            ev[3] += 0.5 * wl2
            ev[4] += 0.5 * wl3
            ev[5] += 0.5 * wl4
            ev[6] += 0.5 * wl5
            ev[8] += 0.5 * wc0
            ev[9] += 0.5 * wc1
            ev[10] += 0.5 * wc2
            ev[11] += 0.5 * wc3
            ev[12] += 0.5 * wc4
            ev[13] += 0.5 * wc5


@njit(cache=True)
def pair_coulomb_sorted_serial(bounds, xs, perm, ts, qs, nbr, code, n0, nn, shifts, ljtab, lj_shift, rc2_c, tab, inv_h,
                               kind, p0, p1, alpha, ke, want_virial, f_lj, f_c, ev):
    """:func:`pair_coulomb_sorted_block` over every row block in turn (``ev`` (B, 14))."""
    for b in range(bounds.shape[0] - 1):
        pair_coulomb_sorted_block(bounds[b], bounds[b + 1], xs, perm, ts, qs, nbr, code, n0, nn, shifts, ljtab,
                                  lj_shift, rc2_c, tab, inv_h, kind, p0, p1, alpha, ke, want_virial, f_lj, f_c, ev[b])


@njit(cache=True, parallel=True)
def pair_coulomb_sorted_parallel(bounds, xs, perm, ts, qs, nbr, code, n0, nn, shifts, ljtab, lj_shift, rc2_c, tab,
                                 inv_h, kind, p0, p1, alpha, ke, want_virial, f_lj, f_c, ev):
    """:func:`pair_coulomb_sorted_block` over the row blocks in parallel (same blocks and sums as serial)."""
    for b in prange(bounds.shape[0] - 1):
        pair_coulomb_sorted_block(bounds[b], bounds[b + 1], xs, perm, ts, qs, nbr, code, n0, nn, shifts, ljtab,
                                  lj_shift, rc2_c, tab, inv_h, kind, p0, p1, alpha, ke, want_virial, f_lj, f_c, ev[b])
