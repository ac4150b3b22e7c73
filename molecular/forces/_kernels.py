"""Numba kernels of the pair forces: pair functions, cutoff modes, full-list force loop (pure)."""

import math

import numpy as np
from numba import njit, prange

# pair-function kinds (column 0-3 of the per-type-pair parameter table hold their parameters)
LJ, MORSE, BUCKINGHAM, TABLE = 0, 1, 2, 3
# cutoff modes (FORCE_SWITCHED: Lennard-Jones only)
TRUNCATED, SHIFTED, SHIFTED_FORCE, SWITCHED, FORCE_SWITCHED = 0, 1, 2, 3, 4
# columns of the per-type-pair table; FS: the 6 force-switch constants A12, B12, C12, A6, B6, C6
P0, P1, P2, P3, RC2, RC, UC, DUC, RSW, FS, NCOL = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16


def force_switch_constants(alpha, rc, r1):
    """GROMACS force-switch constants ``(A, B, C)`` of the power term ``r^-alpha`` switched on [r1, rc].

    The switched force ``alpha / r^(alpha+1) + A (r - r1)^2 + B (r - r1)^3`` and its potential
    ``r^-alpha - A/3 (r - r1)^3 - B/4 (r - r1)^4 - C`` both vanish at ``rc`` (GROMACS manual,
    "Modified non-bonded interactions").
    """
    d = rc - r1
    A = -alpha * ((alpha + 4) * rc - (alpha + 1) * r1) / (rc ** (alpha + 2) * d * d)
    B = alpha * ((alpha + 3) * rc - (alpha + 1) * r1) / (rc ** (alpha + 2) * d**3)
    C = rc**-alpha - A / 3 * d**3 - B / 4 * d**4
    return A, B, C


@njit(cache=True, inline="always", error_model="numpy")
def lj_force_switch(r2, e4, s6, r1, a12, b12, c12, a6, b6, c6):
    """LJ energy and ``g = -(du/dr)/r`` with the GROMACS force switch applied to both power terms."""
    r = math.sqrt(r2)
    ir6 = 1.0 / (r2 * r2 * r2)
    phi12 = ir6 * ir6 - c12
    phi6 = ir6 - c6
    f12 = 12.0 * ir6 * ir6 / r
    f6 = 6.0 * ir6 / r
    if r > r1:
        t = r - r1
        t2 = t * t
        phi12 -= a12 / 3.0 * t2 * t + b12 / 4.0 * t2 * t2
        phi6 -= a6 / 3.0 * t2 * t + b6 / 4.0 * t2 * t2
        f12 += a12 * t2 + b12 * t2 * t
        f6 += a6 * t2 + b6 * t2 * t
    s12 = s6 * s6
    return e4 * (s12 * phi12 - s6 * phi6), e4 * (s12 * f12 - s6 * f6) / r


@njit(cache=True, inline="always", error_model="numpy")
def pair_function(kind, r2, p0, p1, p2, p3, tab_u, tab_du):
    """Pair energy ``u(r)`` (kJ/mol) and ``g = -(du/dr) / r`` (kJ/mol/nm^2) at ``r2 = r^2`` (nm^2).

    LJ: ``p0 = 4 epsilon, p1 = sigma^6``, ``u = 4 eps ((s/r)^12 - (s/r)^6)``.
    Morse: ``p0 = D, p1 = a, p2 = r0``, ``u = D (exp(-2a(r-r0)) - 2 exp(-a(r-r0)))``.
    Buckingham: ``p0 = A, p1 = rho, p2 = C``, ``u = A exp(-r/rho) - C / r^6``.
    Table: ``p0`` = table row, ``p1 = r_min``, ``p2 = 1/dr``; cubic Hermite interpolation of the
    tabulated ``u`` and ``du/dr`` so that the force is exactly minus the derivative of the energy.
    """
    if kind == 0:
        ir2 = 1.0 / r2
        sr6 = p1 * ir2 * ir2 * ir2
        return p0 * sr6 * (sr6 - 1.0), p0 * (12.0 * sr6 - 6.0) * sr6 * ir2
    r = math.sqrt(r2)
    if kind == 1:
        e = math.exp(-p1 * (r - p2))
        return p0 * e * (e - 2.0), 2.0 * p0 * p1 * e * (e - 1.0) / r
    if kind == 2:
        e = p0 * math.exp(-r / p1)
        ir6 = 1.0 / (r2 * r2 * r2)
        return e - p2 * ir6, (e / p1 - 6.0 * p2 * ir6 / r) / r
    row = int(p0)
    t = (r - p1) * p2
    k = int(t)
    npts = tab_u.shape[1]
    if k < 0:
        k = 0
    if k > npts - 2:
        k = npts - 2
    t -= k
    h = 1.0 / p2
    u0, u1 = tab_u[row, k], tab_u[row, k + 1]
    m0, m1 = tab_du[row, k] * h, tab_du[row, k + 1] * h
    t2 = t * t
    t3 = t2 * t
    u = (2 * t3 - 3 * t2 + 1) * u0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * u1 + (t3 - t2) * m1
    dudt = (6 * t2 - 6 * t) * u0 + (3 * t2 - 4 * t + 1) * m0 + (-6 * t2 + 6 * t) * u1 + (3 * t2 - 2 * t) * m1
    return u, -dudt * p2 / r


@njit(cache=True, inline="always", error_model="numpy")
def apply_mode(mode, r2, u, g, rc, uc, duc, rsw):
    """Apply the cutoff mode to ``(u, g)`` for a pair inside the cutoff ``rc`` (nm).

    shifted: ``u - u(rc)``; shifted-force: ``u - u(rc) - (r - rc) u'(rc)``, force ``- u'(r) + u'(rc)``;
    switched: ``u S(x)`` with ``S = 1 - 10x^3 + 15x^4 - 6x^5``, ``x = (r - rsw)/(rc - rsw)`` for
    ``r > rsw`` (energy and force go smoothly to zero at ``rc``).
    """
    if mode == 1:
        return u - uc, g
    if mode == 2:
        r = math.sqrt(r2)
        return u - uc - (r - rc) * duc, g + duc / r
    if mode == 3:
        r = math.sqrt(r2)
        if r > rsw:
            w = rc - rsw
            x = (r - rsw) / w
            s = 1.0 - x * x * x * (10.0 - 15.0 * x + 6.0 * x * x)
            ds = -30.0 * x * x * (1.0 - x) * (1.0 - x) / w
            return u * s, g * s - u * ds / r
    return u, g


@njit(fastmath=True, cache=True, error_model="numpy")
def pair_forces(lo, hi, xw, types, nbr, code, nn, shifts, kind, mode, table, tab_u, tab_du, want_virial,
                forces, energy, virial):
    """Forces, per-atom energies and per-atom virials of a pair potential over a full neighbour list.

    Parameters
    ----------
    lo, hi : int
        Atoms ``lo <= i < hi`` are computed (see :func:`run_parallel`).
    xw : float64 (N, 3), nm
        Positions consistent with the list's image codes.
    types : int64 (N,)
    nbr, code, nn, shifts : the full Verlet list (see ``molecular.neighbors.NeighborList.data``).
    kind, mode : int
        Pair function and cutoff mode (module constants).
    table : float64 (T, T, NCOL)
        Per type pair: parameters, cutoff^2, cutoff, u(rc), u'(rc), switch start.
    tab_u, tab_du : float64 (ntab, npts)
        Tabulated potentials (``kind == TABLE`` only).
    want_virial : bool
    forces : float64 (N, 3), kJ/mol/nm; energy : float64 (N,), kJ/mol; virial : float64 (N, 6), kJ/mol
        Outputs, overwritten. ``energy[i]`` is half of atom i's pair energies; ``virial[i]`` is half of
        ``sum_j r_ij (x) f_ij`` in the order xx, yy, zz, xy, xz, yz (``r_ij = x_i - x_j``).
    """
    for i in range(lo, hi):
        ti = types[i]
        x0 = xw[i, 0]
        x1 = xw[i, 1]
        x2 = xw[i, 2]
        f0 = 0.0
        f1 = 0.0
        f2 = 0.0
        ei = 0.0
        w00 = 0.0
        w11 = 0.0
        w22 = 0.0
        w01 = 0.0
        w02 = 0.0
        w12 = 0.0
        for k in range(nn[i]):
            j = nbr[i, k]
            c = code[i, k]
            d0 = xw[j, 0] + shifts[c, 0] - x0
            d1 = xw[j, 1] + shifts[c, 1] - x1
            d2 = xw[j, 2] + shifts[c, 2] - x2
            r2 = d0 * d0 + d1 * d1 + d2 * d2
            tj = types[j]
            if r2 < table[ti, tj, 4]:
                u, g = pair_function(kind, r2, table[ti, tj, 0], table[ti, tj, 1], table[ti, tj, 2],
                                     table[ti, tj, 3], tab_u, tab_du)
                if mode != 0:
                    u, g = apply_mode(mode, r2, u, g, table[ti, tj, 5], table[ti, tj, 6], table[ti, tj, 7],
                                      table[ti, tj, 8])
                ei += u
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


def make_custom_pair_kernel(fn):
    """Build a full-list pair kernel around a user pair function ``fn(r, params) -> (u, du/dr)``.

    ``fn`` must be a ``numba.njit`` function of the distance ``r`` (nm) and a float64 parameter
    row (the per-type-pair parameters). The returned kernel has the signature of
    :func:`pair_forces` minus ``kind`` and the tables, and is compiled per function (not cached).
    """
    from numba import njit as _njit

    @_njit(parallel=True, fastmath=True, error_model="numpy")
    def kernel(xw, types, nbr, code, nn, shifts, mode, table, params, want_virial, forces, energy, virial):
        n = xw.shape[0]
        for i in prange(n):
            ti = types[i]
            f0 = 0.0
            f1 = 0.0
            f2 = 0.0
            ei = 0.0
            w = np.zeros(6)
            for k in range(nn[i]):
                j = nbr[i, k]
                c = code[i, k]
                d0 = xw[j, 0] + shifts[c, 0] - xw[i, 0]
                d1 = xw[j, 1] + shifts[c, 1] - xw[i, 1]
                d2 = xw[j, 2] + shifts[c, 2] - xw[i, 2]
                r2 = d0 * d0 + d1 * d1 + d2 * d2
                p = table[ti, types[j]]
                if r2 < p[4]:
                    r = math.sqrt(r2)
                    u, dudr = fn(r, params[ti, types[j]])
                    g = -dudr / r
                    if mode != 0:
                        u, g = apply_mode(mode, r2, u, g, p[5], p[6], p[7], p[8])
                    ei += u
                    f0 -= g * d0
                    f1 -= g * d1
                    f2 -= g * d2
                    if want_virial:
                        w[0] += g * d0 * d0
                        w[1] += g * d1 * d1
                        w[2] += g * d2 * d2
                        w[3] += g * d0 * d1
                        w[4] += g * d0 * d2
                        w[5] += g * d1 * d2
            forces[i, 0] = f0
            forces[i, 1] = f1
            forces[i, 2] = f2
            energy[i] = 0.5 * ei
            if want_virial:
                for a in range(6):
                    virial[i, a] = 0.5 * w[a]

    return kernel


@njit(fastmath=True, cache=True, error_model="numpy")
def lj_forces(lo, hi, xw, types, nbr, code, nn, shifts, mode, table, want_virial, forces, energy, virial):
    """:func:`pair_forces` specialised to Lennard-Jones (the hot path; same arguments minus ``kind``
    and the tabulation arrays, same outputs)."""
    for i in range(lo, hi):
        ti = types[i]
        x0 = xw[i, 0]
        x1 = xw[i, 1]
        x2 = xw[i, 2]
        f0 = 0.0
        f1 = 0.0
        f2 = 0.0
        ei = 0.0
        w00 = 0.0
        w11 = 0.0
        w22 = 0.0
        w01 = 0.0
        w02 = 0.0
        w12 = 0.0
        for k in range(nn[i]):
            j = nbr[i, k]
            c = code[i, k]
            d0 = xw[j, 0] + shifts[c, 0] - x0
            d1 = xw[j, 1] + shifts[c, 1] - x1
            d2 = xw[j, 2] + shifts[c, 2] - x2
            r2 = d0 * d0 + d1 * d1 + d2 * d2
            tj = types[j]
            if r2 < table[ti, tj, 4]:
                if mode == 4:
                    u, g = lj_force_switch(r2, table[ti, tj, 0], table[ti, tj, 1], table[ti, tj, 8],
                                           table[ti, tj, 9], table[ti, tj, 10], table[ti, tj, 11],
                                           table[ti, tj, 12], table[ti, tj, 13], table[ti, tj, 14])
                else:
                    ir2 = 1.0 / r2
                    sr6 = table[ti, tj, 1] * ir2 * ir2 * ir2
                    u = table[ti, tj, 0] * sr6 * (sr6 - 1.0)
                    g = table[ti, tj, 0] * (12.0 * sr6 - 6.0) * sr6 * ir2
                    if mode != 0:
                        u, g = apply_mode(mode, r2, u, g, table[ti, tj, 5], table[ti, tj, 6], table[ti, tj, 7],
                                          table[ti, tj, 8])
                ei += u
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


@njit(parallel=True, fastmath=True, cache=True, error_model="numpy")
def pair_forces_parallel(nchunks, xw, types, nbr, code, nn, shifts, kind, mode, table, tab_u, tab_du,
                         want_virial, forces, energy, virial):
    """:func:`pair_forces` over all atoms in ``nchunks`` parallel row blocks (thread-count independent)."""
    n = xw.shape[0]
    for c in prange(nchunks):
        pair_forces(c * n // nchunks, (c + 1) * n // nchunks, xw, types, nbr, code, nn, shifts, kind, mode,
                    table, tab_u, tab_du, want_virial, forces, energy, virial)


@njit(parallel=True, fastmath=True, cache=True, error_model="numpy")
def lj_forces_parallel(nchunks, xw, types, nbr, code, nn, shifts, mode, table, want_virial, forces, energy,
                       virial):
    """:func:`lj_forces` over all atoms in ``nchunks`` parallel row blocks (thread-count independent)."""
    n = xw.shape[0]
    for c in prange(nchunks):
        lj_forces(c * n // nchunks, (c + 1) * n // nchunks, xw, types, nbr, code, nn, shifts, mode, table,
                  want_virial, forces, energy, virial)


@njit(fastmath=True, cache=True, error_model="numpy")
def lj_forces_single(lo, hi, xw, nbr, code, nn, shifts, e4, s6, rc2, ushift, want_virial, forces, energy,
                     virial):
    """:func:`lj_forces` for one atom type, truncated (``ushift = 0``) or shifted (``ushift = u(rc)``):
    parameters hoisted and no cutoff-mode branch in the pair loop (the simple-fluid hot path)."""
    for i in range(lo, hi):
        x0 = xw[i, 0]
        x1 = xw[i, 1]
        x2 = xw[i, 2]
        f0 = 0.0
        f1 = 0.0
        f2 = 0.0
        ei = 0.0
        w00 = 0.0
        w11 = 0.0
        w22 = 0.0
        w01 = 0.0
        w02 = 0.0
        w12 = 0.0
        for k in range(nn[i]):
            j = nbr[i, k]
            c = code[i, k]
            d0 = xw[j, 0] + shifts[c, 0] - x0
            d1 = xw[j, 1] + shifts[c, 1] - x1
            d2 = xw[j, 2] + shifts[c, 2] - x2
            r2 = d0 * d0 + d1 * d1 + d2 * d2
            if r2 < rc2:
                ir2 = 1.0 / r2
                sr6 = s6 * ir2 * ir2 * ir2
                ei += e4 * sr6 * (sr6 - 1.0) - ushift
                g = e4 * (12.0 * sr6 - 6.0) * sr6 * ir2
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


@njit(parallel=True, fastmath=True, cache=True, error_model="numpy")
def lj_forces_single_parallel(nchunks, xw, nbr, code, nn, shifts, e4, s6, rc2, ushift, want_virial, forces,
                              energy, virial):
    """:func:`lj_forces_single` over all atoms in ``nchunks`` parallel row blocks."""
    n = xw.shape[0]
    for c in prange(nchunks):
        lj_forces_single(c * n // nchunks, (c + 1) * n // nchunks, xw, nbr, code, nn, shifts, e4, s6, rc2, ushift,
                         want_virial, forces, energy, virial)


@njit(fastmath=True, cache=True, error_model="numpy", inline="always")
def _lj_row(i, xs, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift, virial):
    """One row of :func:`lj_sorted_block`: force on sorted atom ``i``, its pair-energy sum and its
    virial sum (xx, yy, zz, xy, xz, yz). Inlined with ``virial`` a literal, so each variant's
    central-image loop has no branch on it and vectorises."""
    x0 = xs[i, 0]
    x1 = xs[i, 1]
    x2 = xs[i, 2]
    f0 = 0.0
    f1 = 0.0
    f2 = 0.0
    ei = 0.0
    v00 = 0.0
    v11 = 0.0
    v22 = 0.0
    v01 = 0.0
    v02 = 0.0
    v12 = 0.0
    for k in range(n0[i]):
        j = nbr[i, k]
        d0 = xs[j, 0] - x0
        d1 = xs[j, 1] - x1
        d2 = xs[j, 2] - x2
        r2 = d0 * d0 + d1 * d1 + d2 * d2
        if r2 < rc2:
            ir2 = 1.0 / r2
            sr6 = s6 * ir2 * ir2 * ir2
            ei += e4 * sr6 * (sr6 - 1.0) - ushift
            g = e4 * (12.0 * sr6 - 6.0) * sr6 * ir2
            f0 -= g * d0
            f1 -= g * d1
            f2 -= g * d2
            if virial:
                v00 += g * d0 * d0
                v11 += g * d1 * d1
                v22 += g * d2 * d2
                v01 += g * d0 * d1
                v02 += g * d0 * d2
                v12 += g * d1 * d2
    for k in range(n0[i], nn[i]):
        j = nbr[i, k]
        c = code[i, k]
        d0 = xs[j, 0] + shifts[c, 0] - x0
        d1 = xs[j, 1] + shifts[c, 1] - x1
        d2 = xs[j, 2] + shifts[c, 2] - x2
        r2 = d0 * d0 + d1 * d1 + d2 * d2
        if r2 < rc2:
            ir2 = 1.0 / r2
            sr6 = s6 * ir2 * ir2 * ir2
            ei += e4 * sr6 * (sr6 - 1.0) - ushift
            g = e4 * (12.0 * sr6 - 6.0) * sr6 * ir2
            f0 -= g * d0
            f1 -= g * d1
            f2 -= g * d2
            if virial:
                v00 += g * d0 * d0
                v11 += g * d1 * d1
                v22 += g * d2 * d2
                v01 += g * d0 * d1
                v02 += g * d0 * d2
                v12 += g * d1 * d2
    return f0, f1, f2, ei, v00, v11, v22, v01, v02, v12


@njit(fastmath=True, cache=True, error_model="numpy")
def lj_sorted_block(lo, hi, xs, perm, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift, want_virial, forces, ev):
    """Single-type Lennard-Jones over rows ``lo <= i < hi`` of the cell-sorted full list.

    Truncated (``ushift = 0``) or shifted (``ushift = u(rc)``). The central-image neighbours of
    each row (first ``n0[i]`` entries) run in a loop without image lookup (vectorised by LLVM);
    the rest add ``shifts[code]``. Row ``i``'s force goes to ``forces[perm[i]]`` (original order);
    the block's energy and virial sums (each pair counted half per atom) to ``ev`` =
    (U, Wxx, Wyy, Wzz, Wxy, Wxz, Wyz), summed row by row in a fixed order.

    Parameters
    ----------
    lo, hi : int
    xs : float64 (N, 3), nm; perm : int64 (N,)
    nbr, code, n0, nn, shifts : the sorted list (``molecular.neighbors.NeighborList.sorted_data``)
    e4, s6, rc2, ushift : float
        ``4 epsilon``, ``sigma^6``, cutoff squared, energy shift.
    want_virial : bool
    forces : float64 (N, 3), kJ/mol/nm; ev : float64 (7,)
        Outputs.
    """
    for q in range(7):
        ev[q] = 0.0
    for i in range(lo, hi):
        if want_virial:
            r = _lj_row(i, xs, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift, True)
            for q in range(6):
                ev[1 + q] += 0.5 * r[4 + q]
        else:
            r = _lj_row(i, xs, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift, False)
        p = perm[i]
        forces[p, 0] = r[0]
        forces[p, 1] = r[1]
        forces[p, 2] = r[2]
        ev[0] += 0.5 * r[3]


@njit(cache=True)
def lj_sorted_serial(bounds, xs, perm, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift, want_virial, forces, ev):
    """:func:`lj_sorted_block` over every row block in turn (``ev`` (B, 7))."""
    for b in range(bounds.shape[0] - 1):
        lj_sorted_block(bounds[b], bounds[b + 1], xs, perm, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift,
                        want_virial, forces, ev[b])


@njit(parallel=True, cache=True)
def lj_sorted_parallel(bounds, xs, perm, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift, want_virial, forces, ev):
    """:func:`lj_sorted_block` over the row blocks in parallel (same blocks and sums as the serial run)."""
    for b in prange(bounds.shape[0] - 1):
        lj_sorted_block(bounds[b], bounds[b + 1], xs, perm, nbr, code, n0, nn, shifts, e4, s6, rc2, ushift,
                        want_virial, forces, ev[b])
