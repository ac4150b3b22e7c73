"""Numba kernels of the neighbour lists: cell binning, Verlet-list build, displacement check (pure)."""

import numpy as np
from numba import njit, prange


@njit(cache=True)
def bin_atoms(cell_ijk, ncell):
    """Counting sort of atoms into cells.

    Parameters
    ----------
    cell_ijk : int64 array, shape (N, 3)
        Cell index of each atom along each box vector, ``0 <= cell_ijk[:, k] < ncell[k]``.
    ncell : int64 array, shape (3,)

    Returns
    -------
    cell_start : int64 array, shape (ncells + 1,)
        Atoms of cell ``c`` are ``cell_atoms[cell_start[c]:cell_start[c + 1]]`` (ascending index).
    cell_atoms : int64 array, shape (N,)
    """
    n = cell_ijk.shape[0]
    nc = ncell[0] * ncell[1] * ncell[2]
    counts = np.zeros(nc + 1, dtype=np.int64)
    flat = np.empty(n, dtype=np.int64)
    for i in range(n):
        c = (cell_ijk[i, 0] * ncell[1] + cell_ijk[i, 1]) * ncell[2] + cell_ijk[i, 2]
        flat[i] = c
        counts[c + 1] += 1
    for c in range(nc):
        counts[c + 1] += counts[c]
    fill = counts[:-1].copy()
    atoms = np.empty(n, dtype=np.int64)
    for i in range(n):
        atoms[fill[flat[i]]] = i
        fill[flat[i]] += 1
    return counts, atoms


@njit(cache=True)
def build_verlet(lo, hi, xw, xs, cell_ijk, cell_start, cell_atoms, ncell, reach, pbc, shifts, mshift, rlist2,
                 maxnb, nbr, code, nn):
    """Full Verlet list from cells: every pair closer than ``sqrt(rlist2)``, each listed for both atoms.

    A pair is stored as neighbour index ``j`` and an image code: atom ``j``'s image is
    ``xw[j] + shifts[code]`` where ``code = ((sx + M) * (2M+1) + sy + M) * (2M+1) + sz + M`` for the
    integer cell shift ``(sx, sy, sz)`` and ``M = mshift``. Pairs are found by visiting the
    ``(2 reach + 1)^3`` cells around each atom's cell with explicit image shifts, so a box only a few
    cells wide (or one cell) is handled without double counting.

    Parameters
    ----------
    lo, hi : int
        Rows (atoms) to build: ``lo <= i < hi`` (:func:`build_verlet_parallel` splits the atoms).
    xw : float64 (N, 3), nm
        Positions mapped into the cell consistently with ``cell_ijk``.
    xs : float64 (N, 3), nm
        ``xw[cell_atoms]``: the same positions in cell order (contiguous reads per cell).
    cell_ijk : int64 (N, 3); cell_start, cell_atoms : from :func:`bin_atoms`
    ncell, reach : int64 (3,)
        Cells along each box vector and the stencil half-width along it.
    pbc : bool (3,)
        Periodic along each box vector (otherwise cells beyond the edge are skipped).
    shifts : float64 ((2M+1)^3, 3), nm
        Cartesian translation of each image code.
    rlist2 : float
        List radius squared, nm^2.
    maxnb : int
        Row length of ``nbr``; rows are truncated beyond it and ``nn`` keeps the true count.
    nbr : int32 (N, maxnb); code : int16 (N, maxnb); nn : int64 (N,)
        Outputs (filled in place).
    """
    w = 2 * mshift + 1
    for i in range(lo, hi):
        cnt = 0
        xi0 = xw[i, 0]
        xi1 = xw[i, 1]
        xi2 = xw[i, 2]
        for da in range(-reach[0], reach[0] + 1):
            a = cell_ijk[i, 0] + da
            sa = 0
            if a < 0 or a >= ncell[0]:
                if not pbc[0]:
                    continue
                sa = a // ncell[0]
                a -= sa * ncell[0]
            for db in range(-reach[1], reach[1] + 1):
                b = cell_ijk[i, 1] + db
                sb = 0
                if b < 0 or b >= ncell[1]:
                    if not pbc[1]:
                        continue
                    sb = b // ncell[1]
                    b -= sb * ncell[1]
                for dc in range(-reach[2], reach[2] + 1):
                    c = cell_ijk[i, 2] + dc
                    sc = 0
                    if c < 0 or c >= ncell[2]:
                        if not pbc[2]:
                            continue
                        sc = c // ncell[2]
                        c -= sc * ncell[2]
                    cc = (a * ncell[1] + b) * ncell[2] + c
                    k = ((sa + mshift) * w + sb + mshift) * w + sc + mshift
                    t0 = shifts[k, 0] - xi0
                    t1 = shifts[k, 1] - xi1
                    t2 = shifts[k, 2] - xi2
                    self_image = sa == 0 and sb == 0 and sc == 0
                    for p in range(cell_start[cc], cell_start[cc + 1]):
                        d0 = xs[p, 0] + t0
                        d1 = xs[p, 1] + t1
                        d2 = xs[p, 2] + t2
                        if d0 * d0 + d1 * d1 + d2 * d2 < rlist2:
                            j = cell_atoms[p]
                            if self_image and j == i:
                                continue
                            if cnt < maxnb:
                                nbr[i, cnt] = j
                                code[i, cnt] = k
                            cnt += 1
        nn[i] = cnt


@njit(parallel=True, cache=True)
def build_verlet_parallel(nchunks, xw, xs, cell_ijk, cell_start, cell_atoms, ncell, reach, pbc, shifts, mshift,
                          rlist2, maxnb, nbr, code, nn):
    """:func:`build_verlet` over all atoms, split into ``nchunks`` independent row blocks run in
    parallel (each row is built by one thread, so the result does not depend on the thread count)."""
    n = xw.shape[0]
    for c in prange(nchunks):
        build_verlet(c * n // nchunks, (c + 1) * n // nchunks, xw, xs, cell_ijk, cell_start, cell_atoms, ncell,
                     reach, pbc, shifts, mshift, rlist2, maxnb, nbr, code, nn)


@njit(cache=True)
def max_displacement2(x, xref):
    """Largest squared displacement ``max_i |x_i - xref_i|^2`` (nm^2) of positions (N, 3)."""
    best = 0.0
    for i in range(x.shape[0]):
        d0 = x[i, 0] - xref[i, 0]
        d1 = x[i, 1] - xref[i, 1]
        d2 = x[i, 2] - xref[i, 2]
        d = d0 * d0 + d1 * d1 + d2 * d2
        if d > best:
            best = d
    return best


@njit(cache=True)
def wrapped_positions(x, offset, h, out):
    """``out = x - offset @ h``: unwrapped positions moved by the integer image offsets of the last
    list build (N, 3), nm."""
    n = x.shape[0]
    for i in range(n):
        for k in range(3):
            out[i, k] = x[i, k] - (offset[i, 0] * h[0, k] + offset[i, 1] * h[1, k] + offset[i, 2] * h[2, k])
