"""Numba kernels of the electrostatics: real-space Coulomb over the full neighbour list, excluded and
scaled-pair corrections, Ewald structure-factor sum, PME B-splines, charge spreading and interpolation
(blocked for threads), and the fused Lennard-Jones + real-space Coulomb pass over the cell-sorted half
list with ghost images (each pair once, a vectorised loop with the real-space function as ``1/r`` plus a
polynomial in ``r^2``).

All kernels are pure functions of plain arrays (no objects, no globals). Energies are returned in units
of ``ke * e^2 / nm`` with ``ke`` passed in (kJ/mol with ``ke = ONE_4PI_EPS0``).
"""

import math

import numpy as np
from numba import njit, prange

from molecular._kernels import cell_runs, run_buffer_like

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


@njit(cache=True, inline="always")
def _pme_weights(u, i, order, kdim, t, dt, idx):
    """B-spline weights of atom ``i`` along the three axes (``t``, ``dt`` (3, order)) and the wrapped grid
    indices they go to (``idx`` (3, order))."""
    for d in range(3):
        b = int(math.floor(u[i, d]))
        bspline(u[i, d] - b, order, t[d], dt[d])
        for a in range(order):
            idx[d, a] = (b + a) % kdim[d]


@njit(cache=True)
def pme_spread_block(lo, hi, u, q, order, grid):
    """Add the charges of atoms ``lo <= i < hi`` at scaled fractional coordinates ``u`` (N, 3)
    (``0 <= u_a < K_a``) to ``grid`` (K0, K1, K2) with order-``order`` B-splines."""
    kdim = np.array(grid.shape)
    t = np.empty((3, order))
    dt = np.empty((3, order))
    idx = np.empty((3, order), dtype=np.int64)
    for i in range(lo, hi):
        if q[i] == 0.0:
            continue
        _pme_weights(u, i, order, kdim, t, dt, idx)
        for a in range(order):
            ia = idx[0, a]
            qa = q[i] * t[0, a]
            for b in range(order):
                ib = idx[1, b]
                qab = qa * t[1, b]
                for c in range(order):
                    grid[ia, ib, idx[2, c]] += qab * t[2, c]


@njit(cache=True)
def pme_spread(u, q, order, grid):
    """Spread charges ``q`` (N,) at scaled fractional coordinates ``u`` (N, 3), ``0 <= u_a < K_a``,
    onto ``grid`` (K0, K1, K2) (overwritten) with order-``order`` B-splines."""
    grid[:] = 0.0
    pme_spread_block(0, u.shape[0], u, q, order, grid)


@njit(cache=True, parallel=True)
def pme_spread_parallel(bounds, u, q, order, grids, grid):
    """:func:`pme_spread` with the atom blocks ``bounds`` spread in parallel onto private ``grids`` (B, K0, K1,
    K2), summed into ``grid`` in block order (the same sums for any thread count)."""
    nb = bounds.shape[0] - 1
    for b in prange(nb):
        grids[b] = 0.0
        pme_spread_block(bounds[b], bounds[b + 1], u, q, order, grids[b])
    k0 = grid.shape[0]
    for a in prange(k0):
        for bb in range(grid.shape[1]):
            for c in range(grid.shape[2]):
                v = 0.0
                for b in range(nb):
                    v += grids[b, a, bb, c]
                grid[a, bb, c] = v


@njit(cache=True)
def pme_gather_block(lo, hi, u, q, order, phi, dedu):
    """:func:`pme_gather` for atoms ``lo <= i < hi``."""
    kdim = np.array(phi.shape)
    t = np.empty((3, order))
    dt = np.empty((3, order))
    idx = np.empty((3, order), dtype=np.int64)
    for i in range(lo, hi):
        dedu[i, 0] = dedu[i, 1] = dedu[i, 2] = 0.0
        if q[i] == 0.0:
            continue
        _pme_weights(u, i, order, kdim, t, dt, idx)
        g0 = g1 = g2 = 0.0
        for a in range(order):
            ia = idx[0, a]
            for b in range(order):
                ib = idx[1, b]
                sc = 0.0
                sd = 0.0
                for c in range(order):
                    p = phi[ia, ib, idx[2, c]]
                    sc += p * t[2, c]
                    sd += p * dt[2, c]
                g0 += dt[0, a] * t[1, b] * sc
                g1 += t[0, a] * dt[1, b] * sc
                g2 += t[0, a] * t[1, b] * sd
        dedu[i, 0] = q[i] * g0
        dedu[i, 1] = q[i] * g1
        dedu[i, 2] = q[i] * g2


@njit(cache=True)
def pme_gather(u, q, order, phi, dedu):
    """Derivatives ``dE/du`` (N, 3) (overwritten) of ``E = 1/2 sum Q phi`` from the potential grid ``phi``."""
    pme_gather_block(0, u.shape[0], u, q, order, phi, dedu)


@njit(cache=True, parallel=True)
def pme_gather_parallel(bounds, u, q, order, phi, dedu):
    """:func:`pme_gather` over the atom blocks ``bounds`` in parallel (each atom computed alone)."""
    for b in prange(bounds.shape[0] - 1):
        pme_gather_block(bounds[b], bounds[b + 1], u, q, order, phi, dedu)


#: number of power-basis coefficients of the real-space polynomial of the fused pair pass (degree 23)
NPOLY = 24


def _erf_over_r(s, alpha):
    """``erf(alpha sqrt(s)) / sqrt(s)`` (s in nm^2, float64 array), with its series below ``s = 1e-6``."""
    from scipy.special import erf

    s = np.asarray(s, dtype=np.float64)
    out = np.empty_like(s)
    small = s < 1e-6
    r = np.sqrt(s[~small])
    out[~small] = erf(alpha * r) / r
    y = alpha * alpha * s[small]
    out[small] = _TWO_OVER_SQRT_PI * alpha * (1.0 - y / 3.0 + y * y / 10.0 - y**3 / 42.0)
    return out


def real_space_poly(kind, p0, p1, alpha, rc):
    """Polynomial part of the unit-charge real-space pair function, for :func:`fused_half_block`.

    Every kind is ``u(r) = 1/r + P(s)`` with ``s = r^2`` and ``g = -(du/dr)/r = 1/r^3 + Q(s)``,
    ``Q = -2 dP/ds``: ``CUTOFF`` ``P = -p0``; ``REACTION_FIELD`` ``P = p0 s - p1``; ``EWALD``
    ``P = -erf(alpha r)/r``, an entire function of ``s`` approximated on ``0 <= s <= rc^2`` by a
    Chebyshev fit of degree ``NPOLY - 1`` at most, converted to powers of ``t = ta s + tb`` in [-1, 1]
    (well conditioned: the coefficients stay of order ``alpha``). The force is the exact derivative
    of the approximated energy.

    Returns
    -------
    cu, cg : tuple of NPOLY float
        Coefficients (lowest power first) of ``P`` (1/nm) and ``Q`` (1/nm^3) in ``t``.
    ta : float, 1/nm^2; tb : float
    err : float
        Largest deviation of ``P`` from the exact function on ``[0, rc^2]`` (1/nm); 0 for the exact kinds.
    """
    from numpy.polynomial import chebyshev as cheb
    from numpy.polynomial import polynomial as poly

    smax = rc * rc
    ta, tb = 2.0 / smax, -1.0
    p = np.zeros(NPOLY)
    err = 0.0
    if kind == CUTOFF:
        p[0] = -p0
    elif kind == REACTION_FIELD:
        p[0] = -p0 * tb / ta - p1
        p[1] = p0 / ta
    else:
        nodes = np.cos(np.pi * (np.arange(200) + 0.5) / 200)
        dense = np.linspace(-1.0, 1.0, 4001)
        exact = -_erf_over_r((dense - tb) / ta, alpha)
        scale = _TWO_OVER_SQRT_PI * alpha  # = erf(alpha r)/r at r = 0, its largest value
        for deg in range(4, NPOLY):
            c = cheb.cheb2poly(cheb.chebfit(nodes, -_erf_over_r((nodes - tb) / ta, alpha), deg))
            err = float(np.max(np.abs(poly.polyval(dense, c) - exact)))
            if err < 1e-15 * scale:
                break
        p[: c.size] = c
    dp = np.zeros(NPOLY)
    dp[: NPOLY - 1] = np.arange(1, NPOLY) * p[1:] * ta  # dP/ds in powers of t
    return tuple(float(v) for v in p), tuple(float(-2.0 * v) for v in dp), ta, tb, err


@njit(cache=True)
def half_rows(lo, hi, nbr, code, n0, nn, center, ncodes, hnbr, hn0, hn):
    """Half of the full sorted list, rows ``lo <= i < hi``: each pair kept in one of its two rows.

    Pair ``(i, j)`` stays in row ``i`` when ``(j > i) != (i + j odd)`` (about half of every row, so
    row blocks get equal work), a pair of an atom with its own image when its code exceeds
    ``center``. Central neighbours are written as ``j``, image ones as ``-(1 + j * ncodes + code)``
    after them (``hn0[i]`` central, ``hn[i]`` in all) for :func:`assign_ghosts`.
    """
    for i in range(lo, hi):
        m = 0
        for k in range(n0[i]):
            j = nbr[i, k]
            if (j > i) != (((i + j) & 1) == 1):
                hnbr[i, m] = j
                m += 1
        hn0[i] = m
        for k in range(n0[i], nn[i]):
            j = nbr[i, k]
            c = code[i, k]
            keep = c > center if j == i else (j > i) != (((i + j) & 1) == 1)
            if keep:
                hnbr[i, m] = -(1 + j * ncodes + c)
                m += 1
        hn[i] = m


@njit(cache=True, parallel=True)
def half_rows_parallel(bounds, nbr, code, n0, nn, center, ncodes, hnbr, hn0, hn):
    """:func:`half_rows` over the row blocks in parallel (the result does not depend on the threads)."""
    for b in prange(bounds.shape[0] - 1):
        half_rows(bounds[b], bounds[b + 1], nbr, code, n0, nn, center, ncodes, hnbr, hn0, hn)


@njit(cache=True)
def assign_ghosts(n, ncodes, hnbr, hn0, hn, gmap, gsrc, gcode):
    """Number the images met in the half list as ghost atoms ``n + g`` (in row order) and put these
    indices in ``hnbr``; return the ghost count ``G`` (``gsrc[:G]`` source atom, ``gcode[:G]`` image
    code). ``gmap`` (N * ncodes,) must hold -1 and is left so."""
    g = 0
    for i in range(n):
        for k in range(hn0[i], hn[i]):
            key = -hnbr[i, k] - 1
            e = gmap[key]
            if e < 0:
                e = g
                gmap[key] = g
                gsrc[g] = key // ncodes
                gcode[g] = key % ncodes
                g += 1
            hnbr[i, k] = n + e
    for q in range(g):
        gmap[gsrc[q] * ncodes + gcode[q]] = -1
    return g


@njit(cache=True)
def extend_coords(xs, qs, ts, gsrc, gcode, shifts, xe, qe, te):
    """Sorted atoms and their ghost images as one extended set: ``xe`` (3, N + G) nm (SoA), charges
    ``qe`` and types ``te`` (N + G,)."""
    n = xs.shape[0]
    for p in range(n):
        xe[0, p] = xs[p, 0]
        xe[1, p] = xs[p, 1]
        xe[2, p] = xs[p, 2]
        qe[p] = qs[p]
        te[p] = ts[p]
    for g in range(gsrc.shape[0]):
        s = gsrc[g]
        c = gcode[g]
        xe[0, n + g] = xs[s, 0] + shifts[c, 0]
        xe[1, n + g] = xs[s, 1] + shifts[c, 1]
        xe[2, n + g] = xs[s, 2] + shifts[c, 2]
        qe[n + g] = qs[s]
        te[n + g] = ts[s]


@njit(fastmath=True, cache=True, error_model="numpy", inline="always")
def _fused_row(i, xe, qe, te, hnbr, m, c4, s6, ushift, rc2_l, rc2_c, cu, cg, ta, tb, qi, with_lj, virial, d0b, d1b,
               d2b, qb, c4b, s6b, gb):
    """Row ``i`` of :func:`fused_half_block`: neighbour data gathered into contiguous buffers, then a
    branch-free loop over them (LLVM vectorises it: contiguous loads, one contiguous store ``gb``)
    giving ``g = -(du/dr)/r`` of each pair and the row's energies and virials. Inlined with
    ``with_lj`` (row type has LJ partners) and ``virial`` literals."""
    x0 = xe[0, i]
    x1 = xe[1, i]
    x2 = xe[2, i]
    for k in range(m):
        j = hnbr[i, k]
        d0b[k] = xe[0, j] - x0
        d1b[k] = xe[1, j] - x1
        d2b[k] = xe[2, j] - x2
        qb[k] = qe[j]
        if with_lj:
            tj = te[j]
            c4b[k] = c4[tj]
            s6b[k] = s6[tj]
    el = ec = 0.0
    a0 = a1 = a2 = a3 = a4 = a5 = 0.0
    b0 = b1 = b2 = b3 = b4 = b5 = 0.0
    for k in range(m):
        d0 = d0b[k]
        d1 = d1b[k]
        d2 = d2b[k]
        r2 = d0 * d0 + d1 * d1 + d2 * d2
        ir2 = 1.0 / r2
        gl = 0.0
        if with_lj:
            s6k = s6b[k]
            sr6 = s6k * ir2 * ir2 * ir2
            e4 = c4b[k] if r2 < rc2_l else 0.0
            el += e4 * (sr6 * (sr6 - 1.0) - ushift * s6k * (ushift * s6k - 1.0))
            gl = e4 * (12.0 * sr6 - 6.0) * sr6 * ir2
        qq = qi * qb[k] if r2 < rc2_c else 0.0
        ir = math.sqrt(ir2)
        t = ta * r2 + tb
        pu = cu[23]
        pg = cg[23]
        pu = pu * t + cu[22]
        pg = pg * t + cg[22]
        pu = pu * t + cu[21]
        pg = pg * t + cg[21]
        pu = pu * t + cu[20]
        pg = pg * t + cg[20]
        pu = pu * t + cu[19]
        pg = pg * t + cg[19]
        pu = pu * t + cu[18]
        pg = pg * t + cg[18]
        pu = pu * t + cu[17]
        pg = pg * t + cg[17]
        pu = pu * t + cu[16]
        pg = pg * t + cg[16]
        pu = pu * t + cu[15]
        pg = pg * t + cg[15]
        pu = pu * t + cu[14]
        pg = pg * t + cg[14]
        pu = pu * t + cu[13]
        pg = pg * t + cg[13]
        pu = pu * t + cu[12]
        pg = pg * t + cg[12]
        pu = pu * t + cu[11]
        pg = pg * t + cg[11]
        pu = pu * t + cu[10]
        pg = pg * t + cg[10]
        pu = pu * t + cu[9]
        pg = pg * t + cg[9]
        pu = pu * t + cu[8]
        pg = pg * t + cg[8]
        pu = pu * t + cu[7]
        pg = pg * t + cg[7]
        pu = pu * t + cu[6]
        pg = pg * t + cg[6]
        pu = pu * t + cu[5]
        pg = pg * t + cg[5]
        pu = pu * t + cu[4]
        pg = pg * t + cg[4]
        pu = pu * t + cu[3]
        pg = pg * t + cg[3]
        pu = pu * t + cu[2]
        pg = pg * t + cg[2]
        pu = pu * t + cu[1]
        pg = pg * t + cg[1]
        pu = pu * t + cu[0]
        pg = pg * t + cg[0]
        ec += qq * (ir + pu)
        gc = qq * (ir * ir2 + pg)
        gb[k] = gl + gc
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
    return (el, ec, a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5)


@njit(fastmath=True, cache=True, error_model="numpy")
def fused_half_block(lo, hi, xe, qe, te, hnbr, hn, c4, s6, has_lj, ushift, rc2_l, rc2_c, cu, cg, ta, tb, ke,
                     want_virial, fe, ev):
    """Lennard-Jones and real-space Coulomb of the half-list rows ``lo <= i < hi``, each pair once.

    The pair ``(i, j)`` (``j`` an atom or a ghost image of the extended set) adds ``-g d`` to
    ``fe[i]`` and ``+g d`` to ``fe[j]`` (``d = x_j - x_i``), so a block writes only its own ``fe``.
    LJ: ``c4 = 4 eps``, ``s6 = sigma^6`` per type pair, truncated at ``sqrt(rc2_l)`` and shifted by its
    value there when ``ushift = rc^-6`` (0: truncated). Coulomb within ``sqrt(rc2_c)``:
    ``ke q_i q_j (1/r + P(r^2))`` with ``P``, ``Q`` from :func:`real_space_poly`.

    Parameters
    ----------
    lo, hi : int
    xe : float64 (3, M), nm; qe : float64 (M,), e; te : int64 (M,)
        Extended set (:func:`extend_coords`), ``M = N + G``.
    hnbr : int32 (N, maxnb); hn : int64 (N,)
        Half list in extended indices (:func:`half_rows`, :func:`assign_ghosts`).
    c4, s6 : float64 (T, T); has_lj : bool (T,)
        Lennard-Jones ``4 eps`` (kJ/mol) and ``sigma^6`` (nm^6); types with any LJ partner.
    ushift : float, nm^-6; rc2_l, rc2_c : float, nm^2
    cu, cg : tuple of NPOLY float; ta, tb : float
    ke : float
        Coulomb constant, kJ mol^-1 nm e^-2.
    want_virial : bool
    fe : float64 (M, 3), kJ/mol/nm
        Accumulated into.
    ev : float64 (14,)
        Overwritten: U_lj, W_lj (xx, yy, zz, xy, xz, yz), U_c, W_c; ``W = sum r_ij (x) f_ij``.
    """
    for q in range(14):
        ev[q] = 0.0
    maxm = 1
    for i in range(lo, hi):
        maxm = max(maxm, hn[i])
    d0b = np.empty(maxm)
    d1b = np.empty(maxm)
    d2b = np.empty(maxm)
    qb = np.empty(maxm)
    c4b = np.empty(maxm)
    s6b = np.empty(maxm)
    gb = np.empty(maxm)
    for i in range(lo, hi):
        qi = qe[i] * ke
        ti = te[i]
        m = hn[i]
        c4i = c4[ti]
        s6i = s6[ti]
        if want_virial:
            if has_lj[ti]:
                r = _fused_row(i, xe, qe, te, hnbr, m, c4i, s6i, ushift, rc2_l, rc2_c, cu, cg, ta, tb, qi, True, True,
                               d0b, d1b, d2b, qb, c4b, s6b, gb)
            else:
                r = _fused_row(i, xe, qe, te, hnbr, m, c4i, s6i, ushift, rc2_l, rc2_c, cu, cg, ta, tb, qi, False,
                               True, d0b, d1b, d2b, qb, c4b, s6b, gb)
        else:
            if has_lj[ti]:
                r = _fused_row(i, xe, qe, te, hnbr, m, c4i, s6i, ushift, rc2_l, rc2_c, cu, cg, ta, tb, qi, True,
                               False, d0b, d1b, d2b, qb, c4b, s6b, gb)
            else:
                r = _fused_row(i, xe, qe, te, hnbr, m, c4i, s6i, ushift, rc2_l, rc2_c, cu, cg, ta, tb, qi, False,
                               False, d0b, d1b, d2b, qb, c4b, s6b, gb)
        f0 = f1 = f2 = 0.0
        for k in range(m):
            j = hnbr[i, k]
            g = gb[k]
            g0 = g * d0b[k]
            g1 = g * d1b[k]
            g2 = g * d2b[k]
            fe[j, 0] += g0
            fe[j, 1] += g1
            fe[j, 2] += g2
            f0 += g0
            f1 += g1
            f2 += g2
        fe[i, 0] -= f0
        fe[i, 1] -= f1
        fe[i, 2] -= f2
        ev[0] += r[0]
        ev[7] += r[1]
        if want_virial:
            for q in range(6):
                ev[1 + q] += r[2 + q]
                ev[8 + q] += r[8 + q]


@njit(cache=True)
def fused_half_serial(bounds, xe, qe, te, hnbr, hn, c4, s6, has_lj, ushift, rc2_l, rc2_c, cu, cg, ta, tb, ke,
                      want_virial, fe, ev):
    """:func:`fused_half_block` over every row block ``b`` in turn, into ``fe[b]`` (B, M, 3) and ``ev[b]``."""
    for b in range(bounds.shape[0] - 1):
        fe[b, :, :] = 0.0
        fused_half_block(bounds[b], bounds[b + 1], xe, qe, te, hnbr, hn, c4, s6, has_lj, ushift, rc2_l, rc2_c, cu, cg,
                         ta, tb, ke, want_virial, fe[b], ev[b])


@njit(cache=True, parallel=True)
def fused_half_parallel(bounds, xe, qe, te, hnbr, hn, c4, s6, has_lj, ushift, rc2_l, rc2_c, cu, cg, ta, tb, ke,
                        want_virial, fe, ev):
    """:func:`fused_half_serial` with the blocks in parallel (same blocks, same sums)."""
    for b in prange(bounds.shape[0] - 1):
        fe[b, :, :] = 0.0
        fused_half_block(bounds[b], bounds[b + 1], xe, qe, te, hnbr, hn, c4, s6, has_lj, ushift, rc2_l, rc2_c, cu, cg,
                         ta, tb, ke, want_virial, fe[b], ev[b])


@njit(cache=True)
def fold_forces(fe, n, gsrc, perm, out):
    """``out[perm[p]]`` (N, 3) = the block forces ``fe`` (B, N + G, 3) of sorted atom ``p`` summed over
    the blocks in order, plus those of its ghost images (in ghost order): a fixed summation order."""
    nb = fe.shape[0]
    for p in range(n):
        for a in range(3):
            v = 0.0
            for b in range(nb):
                v += fe[b, p, a]
            fe[0, p, a] = v
    for g in range(gsrc.shape[0]):
        s = gsrc[g]
        for a in range(3):
            v = 0.0
            for b in range(nb):
                v += fe[b, n + g, a]
            fe[0, s, a] += v
    for p in range(n):
        i = perm[p]
        for a in range(3):
            out[i, a] = fe[0, p, a]


@njit(cache=True)
def build_half_sorted(b, nb, xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2, cw, ortho, maxnb,
                      hnbr, hn0, hn):
    """Half Verlet list in cell-sorted order, rows ``i = b, b + nb, ...`` (rows interleaved over the ``nb``
    parallel blocks, which balances their work): pair ``(i, j)`` is kept in row ``i`` when ``j > i``, a pair
    of an atom with its own image when the image code exceeds the central one.

    The cell runs are those of :func:`molecular._kernels.cell_runs` (shared with the full list), started
    at ``i + 1`` in every run. Row ``i`` holds
    ``hn0[i]`` central neighbours ``j`` (sorted index), then up to ``hn[i]`` image ones encoded as
    ``-(1 + j * ncodes + code)`` (for :func:`assign_ghosts`); ``hn`` keeps the true count when a row of
    length ``maxnb`` overflows.

    Parameters
    ----------
    b, nb : int
    xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2, cw, ortho : see
        :func:`molecular._kernels.build_sorted`.
    maxnb : int
    hnbr : int32 (N, maxnb); hn0, hn : int64 (N,)
        Outputs.
    """
    n = xs.shape[0]
    w = 2 * mshift + 1
    ncodes = w * w * w
    center = (mshift * w + mshift) * w + mshift
    runs = run_buffer_like(reach, ncell)
    for i in range(b, n, nb):
        cnt = 0
        ns = 0
        xi0 = xs[i, 0]
        xi1 = xs[i, 1]
        xi2 = xs[i, 2]
        nr = cell_runs(i, xs, cell_ijk, cell_start, ncell, reach, pbc, mshift, rlist2, cw, ortho, runs)
        for r in range(nr):
            p0 = runs[r, 0]
            p1 = runs[r, 1]
            k = runs[r, 2]
            if k == center:
                for p in range(max(p0, i + 1), p1):
                    d0 = xs[p, 0] - xi0
                    d1 = xs[p, 1] - xi1
                    d2 = xs[p, 2] - xi2
                    if cnt < maxnb - ns:
                        hnbr[i, cnt] = p  # written always, kept only if within range
                    if d0 * d0 + d1 * d1 + d2 * d2 < rlist2:
                        cnt += 1
            else:
                t0 = shifts[k, 0] - xi0
                t1 = shifts[k, 1] - xi1
                t2 = shifts[k, 2] - xi2
                for p in range(max(p0, i if k > center else i + 1), p1):
                    d0 = xs[p, 0] + t0
                    d1 = xs[p, 1] + t1
                    d2 = xs[p, 2] + t2
                    if d0 * d0 + d1 * d1 + d2 * d2 < rlist2:
                        ns += 1
                        if ns <= maxnb:  # image pairs fill the row from its end
                            hnbr[i, maxnb - ns] = -(1 + p * ncodes + k)
        hn0[i] = cnt
        hn[i] = cnt + ns
        if cnt + ns <= maxnb:  # move the image pairs down behind the central ones
            for q in range(ns):
                hnbr[i, cnt + q] = hnbr[i, maxnb - ns + q]


@njit(cache=True, parallel=True)
def build_half_sorted_parallel(nb, xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2, cw, ortho,
                               maxnb, hnbr, hn0, hn):
    """:func:`build_half_sorted` over ``nb`` interleaved row sets in parallel (each row built by one thread:
    the list does not depend on the thread count)."""
    for b in prange(nb):
        build_half_sorted(b, nb, xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2, cw, ortho,
                          maxnb, hnbr, hn0, hn)


def balanced_blocks(counts, nblocks):
    """Row-block boundaries int64 (B + 1,) splitting rows into ``nblocks`` runs of about equal ``counts`` sum
    (a function of the list alone, never of the thread count)."""
    c = np.concatenate([[0], np.cumsum(counts)])
    targets = c[-1] * np.arange(1, nblocks) / nblocks
    inner = np.searchsorted(c, targets)
    return np.unique(np.concatenate([[0], inner, [counts.size]])).astype(np.int64)
