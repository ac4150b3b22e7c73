"""Numba kernels of the neighbour lists: cell binning, Verlet-list build, displacement check (pure)."""

import math

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


@njit(cache=True, inline="always")
def _scan_run(xs, p0, p1, xi0, xi1, xi2, rlist2, nbr, i, cnt, limit):
    """Append to row ``i`` the atoms ``p0 <= p < p1`` within ``sqrt(rlist2)`` (central image); return the count.
    Slots from ``limit`` on (image pairs) are never written."""
    for p in range(p0, p1):
        d0 = xs[p, 0] - xi0
        d1 = xs[p, 1] - xi1
        d2 = xs[p, 2] - xi2
        if cnt < limit:
            nbr[i, cnt] = p  # written always, kept only if within range
        if d0 * d0 + d1 * d1 + d2 * d2 < rlist2:
            cnt += 1
    return cnt


@njit(cache=True, inline="always")
def run_buffer_like(reach, ncell):
    """:func:`run_buffer` inside compiled code."""
    nz = (2 * reach[2] + 1) // max(ncell[2], 1) + 2
    return np.empty(((2 * reach[0] + 1) * (2 * reach[1] + 1) * nz, 3), dtype=np.int64)


@njit(cache=True, inline="always")
def cell_runs(i, xs, cell_ijk, cell_start, ncell, reach, pbc, mshift, rlist2, cw, ortho, runs):
    """The runs of atoms that may lie within ``sqrt(rlist2)`` of sorted atom ``i``: fills
    ``runs[r] = (p0, p1, code)`` (sorted atoms ``p0 <= p < p1`` seen through image ``code``) and returns
    their number. Consecutive cells along the third box vector form one run; in an orthorhombic box
    cells beyond the list radius of the atom are skipped (the gaps shrunk by a tolerance so that
    rounding at a cell face never drops a pair). Shared by the full and the half list builders."""
    w = 2 * mshift + 1
    tol = 1e-9 * (cw[0] + cw[1] + cw[2])
    n1 = ncell[1]
    n2 = ncell[2]
    ci0 = cell_ijk[i, 0]
    ci1 = cell_ijk[i, 1]
    ci2 = cell_ijk[i, 2]
    u0 = xs[i, 0] - ci0 * cw[0]
    u1 = xs[i, 1] - ci1 * cw[1]
    u2 = xs[i, 2] - ci2 * cw[2]
    nr = 0
    for da in range(-reach[0], reach[0] + 1):
        g0 = 0.0
        if ortho:
            if da > 0:
                g0 = max(da * cw[0] - u0 - tol, 0.0)
            elif da < 0:
                g0 = max(u0 + (-da - 1) * cw[0] - tol, 0.0)
            if g0 * g0 >= rlist2:
                continue
        a = ci0 + da
        sa = 0
        if a < 0 or a >= ncell[0]:
            if not pbc[0]:
                continue
            sa = a // ncell[0]
            a -= sa * ncell[0]
        for db in range(-reach[1], reach[1] + 1):
            g1 = 0.0
            if ortho:
                if db > 0:
                    g1 = max(db * cw[1] - u1 - tol, 0.0)
                elif db < 0:
                    g1 = max(u1 + (-db - 1) * cw[1] - tol, 0.0)
                if g0 * g0 + g1 * g1 >= rlist2:
                    continue
            b = ci1 + db
            sb = 0
            if b < 0 or b >= n1:
                if not pbc[1]:
                    continue
                sb = b // n1
                b -= sb * n1
            dlo = -reach[2]
            dhi = reach[2]
            if ortho:
                rem = math.sqrt(rlist2 - g0 * g0 - g1 * g1) + tol
                dhi = min(dhi, int(math.ceil((u2 + rem) / cw[2])) - 1)
                dlo = max(dlo, -(int(math.ceil((rem - u2) / cw[2] + 1.0)) - 1))
                dhi = max(dhi, 0)
                dlo = min(dlo, 0)
            base = (a * n1 + b) * n2
            cs = ci2 + dlo
            clast = ci2 + dhi
            while cs <= clast:
                sc = 0
                if cs < 0:
                    sc = -((n2 - 1 - cs) // n2)
                elif cs >= n2:
                    sc = cs // n2
                ce = min(clast, (sc + 1) * n2 - 1)
                if sc != 0 and not pbc[2]:
                    cs = ce + 1
                    continue
                runs[nr, 0] = cell_start[base + cs - sc * n2]
                runs[nr, 1] = cell_start[base + ce - sc * n2 + 1]
                runs[nr, 2] = ((sa + mshift) * w + sb + mshift) * w + sc + mshift
                nr += 1
                cs = ce + 1
    return nr


@njit(cache=True)
def build_sorted(lo, hi, xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2, cw, ortho, maxnb, nbr,
                 code, n0, nn):
    """Full Verlet list in cell-sorted order, central-image neighbours first in each row.

    Atoms are indexed in cell order (sorted index ``p``; the atoms of cell ``c`` are
    ``cell_start[c] <= p < cell_start[c + 1]``), so neighbours are close in memory. Every pair
    closer than ``sqrt(rlist2)`` is listed for both atoms. Row ``i`` holds first the ``n0[i]``
    neighbours in the central image (``xs[j] - xs[i]``, no image shift: the pair loop needs no
    image lookup and vectorises), then up to ``nn[i]`` neighbours with image code ``code[i, k]``
    (``xs[j] + shifts[code] - xs[i]``; codes as in :func:`build_verlet`). Consecutive cells along
    the third box vector are scanned as one contiguous run of atoms, and in an orthorhombic box
    the run is cut to the cells within the list radius of the atom (cells farther away along the
    first two vectors skipped too).

    Parameters
    ----------
    lo, hi : int
        Sorted rows ``lo <= i < hi`` are built.
    xs : float64 (N, 3), nm
        Positions in cell order, mapped into the cell consistently with ``cell_ijk``.
    cell_ijk : int64 (N, 3)
        Per-axis cell index of each sorted atom.
    cell_start : int64 (ncells + 1,)
    ncell, reach : int64 (3,); pbc : bool (3,)
    shifts : float64 ((2M+1)^3, 3), nm; mshift : int
    rlist2 : float, nm^2
    cw : float64 (3,), nm
        Cell edge along each axis (used when ``ortho``).
    ortho : bool
        Orthorhombic (or open) box with ``xs[:, k]`` in ``[0, ncell[k] cw[k])``: enables the distance pruning.
    maxnb : int
        Row length of ``nbr``/``code``; ``nn`` keeps the true count when a row overflows.
    nbr : int32 (N, maxnb); code : int16 (N, maxnb); n0, nn : int64 (N,)
        Outputs (filled in place).
    """
    w = 2 * mshift + 1
    center = (mshift * w + mshift) * w + mshift
    runs = run_buffer_like(reach, ncell)
    for i in range(lo, hi):
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
                if p0 <= i < p1:  # the own cell: skip i itself
                    cnt = _scan_run(xs, p0, i, xi0, xi1, xi2, rlist2, nbr, i, cnt, maxnb - ns)
                    cnt = _scan_run(xs, i + 1, p1, xi0, xi1, xi2, rlist2, nbr, i, cnt, maxnb - ns)
                else:
                    cnt = _scan_run(xs, p0, p1, xi0, xi1, xi2, rlist2, nbr, i, cnt, maxnb - ns)
            else:
                t0 = shifts[k, 0] - xi0
                t1 = shifts[k, 1] - xi1
                t2 = shifts[k, 2] - xi2
                for p in range(p0, p1):
                    d0 = xs[p, 0] + t0
                    d1 = xs[p, 1] + t1
                    d2 = xs[p, 2] + t2
                    if d0 * d0 + d1 * d1 + d2 * d2 < rlist2:
                        ns += 1
                        if ns <= maxnb:  # image pairs fill the row from its end
                            nbr[i, maxnb - ns] = p
                            code[i, maxnb - ns] = k
        n0[i] = cnt
        nn[i] = cnt + ns
        if cnt + ns <= maxnb:  # move the image pairs down behind the central ones (source >= target)
            for q in range(ns):
                nbr[i, cnt + q] = nbr[i, maxnb - ns + q]
                code[i, cnt + q] = code[i, maxnb - ns + q]


@njit(parallel=True, cache=True)
def build_sorted_parallel(bounds, xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2, cw, ortho,
                          maxnb, nbr, code, n0, nn):
    """:func:`build_sorted` over the row blocks ``bounds[c] <= i < bounds[c + 1]`` in parallel (each row
    built by one thread: the list does not depend on the thread count)."""
    for c in prange(bounds.shape[0] - 1):
        build_sorted(bounds[c], bounds[c + 1], xs, cell_ijk, cell_start, ncell, reach, pbc, shifts, mshift, rlist2,
                     cw, ortho, maxnb, nbr, code, n0, nn)


@njit(cache=True)
def gather_sorted(x, perm, offset, h, xs):
    """``xs[p] = x[perm[p]] - offset[perm[p]] @ h``: positions in cell order, moved by the build's
    integer image offsets (N, 3), nm."""
    for p in range(perm.shape[0]):
        i = perm[p]
        o0 = offset[i, 0]
        o1 = offset[i, 1]
        o2 = offset[i, 2]
        for k in range(3):
            xs[p, k] = x[i, k] - (o0 * h[0, k] + o1 * h[1, k] + o2 * h[2, k])
