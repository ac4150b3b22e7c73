"""_batch_kernels.py: numba kernels of the vectorising trace (fused scale-and-add on batched tangents).

All kernels work on 2-D ``(B, M)`` views (batch first, the example flattened) and per-example coefficient
rows ``c`` of length ``M``; each makes one pass over memory where numpy would make two or three.
"""

from numba import njit


@njit(cache=True)
def scale2d(a, ca, out):
    """``out = ca * a`` (``ca`` broadcast over the batch)."""
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = ca[j] * a[i, j]


@njit(cache=True)
def axpby2d(a, ca, b, cb, out):
    """``out = ca * a + cb * b``."""
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            out[i, j] = ca[j] * a[i, j] + cb[j] * b[i, j]


@njit(cache=True)
def acc2d(out, a, ca):
    """``out += ca * a`` (in place, into a buffer owned by the caller)."""
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            out[i, j] += ca[j] * a[i, j]
