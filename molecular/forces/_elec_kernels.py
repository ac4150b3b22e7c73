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
