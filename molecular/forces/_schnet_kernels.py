"""Numba kernels of SchNet's continuous-filter convolution: gather-multiply-scatter over a pair list.

A directed pair list has rows ``p`` with a source atom ``src[p]`` and a destination atom ``dst[p]``.
Scatter sums are organised by destination through a permutation ``order`` of the rows sorted by
destination and offsets ``start`` (rows of destination ``i`` are ``order[start[i]:start[i+1]]``), so
every output row is owned by one thread (no atomics, deterministic summation order).
"""

import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True)
def conv(x, w, src, order, start):
    """Continuous-filter convolution ``out[i] = sum_{p: dst[p] = i} w[p] * x[src[p]]``.

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
