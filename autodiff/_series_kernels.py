"""_series_kernels.py: numba kernels for Taylor-series recurrences on plain float64 arrays (jet fast path).

Each kernel takes normalised coefficients stacked as ``X[k, n]`` (k = 0..K, n = point) and returns the
output coefficients ``Y[k, n]``. The loops are blocked over points (``_BS`` at a time) with the point
index innermost and a private accumulator, so the coefficient rows of a block stay in L1 cache and the
inner loops vectorise (SIMD): the O(K^2) recurrence costs O(K N) memory traffic instead of O(K^2 N)
temporaries in numpy. The zeroth coefficients (transcendental values) come from numpy's ufuncs. The
recurrences are those of :mod:`autodiff.taylor` and ``autodiff.numpy._elementwise`` (same formulas,
tested against them).
"""

from __future__ import annotations

import numpy as onp
from numba import njit

__all__ = ["mul", "div", "exp", "log", "sincos", "sinhcosh", "tanh", "expit", "powc", "square"]


_BS = 512


@njit(cache=True, fastmath=True)
def _conv(A, B, Y, inv, mode, a):
    """Shared blocked recurrence.

    mode 0 (product):    Y[k] = sum_{j=0..k} A[j] B[k-j]                            (k >= 0)
    mode 1 (exp-like):   Y[k] = sum_{j=1..k} (j/k) A[j] Y[k-j]                      (k >= 1)
    mode 2 (quotient):   Y[k] = (A[k] - sum_{j=1..k} B[j] Y[k-j]) * inv            (k >= 0)
    mode 3 (log):        Y[k] = (A[k] - sum_{j=1..k-1} (j/k) Y[j] A[k-j]) * inv    (k >= 1)
    mode 4 (power a):    Y[k] = sum_{j=1..k} ((a j - (k-j))/k) A[j] Y[k-j] * inv   (k >= 1)
    """
    K1, N = A.shape
    acc = onp.empty(_BS)
    for b0 in range(0, N, _BS):
        b1 = min(b0 + _BS, N)
        m = b1 - b0
        iv = inv[b0:b1]
        k0 = 0 if (mode == 0 or mode == 2) else 1
        for k in range(k0, K1):
            if mode == 2 or mode == 3:
                ak = A[k, b0:b1]
                for i in range(m):
                    acc[i] = ak[i]
            else:
                for i in range(m):
                    acc[i] = 0.0
            if mode == 0:
                for j in range(k + 1):
                    x = A[j, b0:b1]
                    y = B[k - j, b0:b1]
                    for i in range(m):
                        acc[i] += x[i] * y[i]
            elif mode == 1 or mode == 4:
                for j in range(1, k + 1):
                    c = j / k if mode == 1 else (a * j - (k - j)) / k
                    x = A[j, b0:b1]
                    y = Y[k - j, b0:b1]
                    for i in range(m):
                        acc[i] += c * x[i] * y[i]
            elif mode == 2:
                for j in range(1, k + 1):
                    x = B[j, b0:b1]
                    y = Y[k - j, b0:b1]
                    for i in range(m):
                        acc[i] -= x[i] * y[i]
            else:
                for j in range(1, k):
                    c = j / k
                    x = Y[j, b0:b1]
                    y = A[k - j, b0:b1]
                    for i in range(m):
                        acc[i] -= c * x[i] * y[i]
            yk = Y[k, b0:b1]
            if mode >= 2:
                for i in range(m):
                    yk[i] = acc[i] * iv[i]
            else:
                for i in range(m):
                    yk[i] = acc[i]
    return Y


_NONE = onp.zeros(0)


def mul(X, Y):
    return _conv(X, Y, onp.empty_like(X), onp.ones(X.shape[1]), 0, 0.0)


def square(X):
    return mul(X, X)


def div(X, Y):
    return _conv(X, Y, onp.empty_like(X), 1.0 / Y[0], 2, 0.0)


def exp(X):
    Y = onp.empty_like(X)
    Y[0] = onp.exp(X[0])
    return _conv(X, X, Y, onp.ones(X.shape[1]), 1, 0.0)


def log(X):
    Y = onp.empty_like(X)
    Y[0] = onp.log(X[0])
    return _conv(X, X, Y, 1.0 / X[0], 3, 0.0)


def powc(X, Y0, a):
    Y = onp.empty_like(X)
    Y[0] = Y0
    return _conv(X, X, Y, 1.0 / X[0], 4, a)


@njit(cache=True, fastmath=True)
def _pair(X, S, C, sign):
    # s' = c x', c' = sign s x'
    K1, N = X.shape
    accs = onp.empty(_BS)
    accc = onp.empty(_BS)
    for b0 in range(0, N, _BS):
        b1 = min(b0 + _BS, N)
        m = b1 - b0
        for k in range(1, K1):
            for i in range(m):
                accs[i] = 0.0
                accc[i] = 0.0
            for j in range(1, k + 1):
                c = j / k
                x = X[j, b0:b1]
                cc = C[k - j, b0:b1]
                ss = S[k - j, b0:b1]
                for i in range(m):
                    accs[i] += c * x[i] * cc[i]
                    accc[i] += c * x[i] * ss[i]
            sk = S[k, b0:b1]
            ck = C[k, b0:b1]
            for i in range(m):
                sk[i] = accs[i]
                ck[i] = sign * accc[i]
    return S, C


def sincos(X):
    S = onp.empty_like(X)
    C = onp.empty_like(X)
    S[0] = onp.sin(X[0])
    C[0] = onp.cos(X[0])
    return _pair(X, S, C, -1.0)


def sinhcosh(X):
    S = onp.empty_like(X)
    C = onp.empty_like(X)
    S[0] = onp.sinh(X[0])
    C[0] = onp.cosh(X[0])
    return _pair(X, S, C, 1.0)


@njit(cache=True, fastmath=True)
def _ode(X, Y, G, logistic):
    """y' = g x' with g = 1 - y^2 (tanh) or y - y^2 (logistic); Y[0] and G[0] given."""
    K1, N = X.shape
    acc = onp.empty(_BS)
    for b0 in range(0, N, _BS):
        b1 = min(b0 + _BS, N)
        m = b1 - b0
        for k in range(1, K1):
            for i in range(m):
                acc[i] = 0.0
            for j in range(1, k + 1):
                c = j / k
                x = X[j, b0:b1]
                g = G[k - j, b0:b1]
                for i in range(m):
                    acc[i] += c * x[i] * g[i]
            yk = Y[k, b0:b1]
            for i in range(m):
                yk[i] = acc[i]
            # g_k = [logistic] y_k - sum_i y_i y_{k-i}
            # (Cauchy square by symmetry: 2 sum_{h < k/2} y_h y_{k-h} + y_{k/2}^2)
            for i in range(m):
                acc[i] = 0.0
            for h in range((k + 1) // 2):
                u = Y[h, b0:b1]
                v = Y[k - h, b0:b1]
                for i in range(m):
                    acc[i] += u[i] * v[i]
            if k % 2 == 0:
                u = Y[k // 2, b0:b1]
                for i in range(m):
                    acc[i] = 2.0 * acc[i] + u[i] * u[i]
            else:
                for i in range(m):
                    acc[i] = 2.0 * acc[i]
            for i in range(m):
                acc[i] = (yk[i] - acc[i]) if logistic else -acc[i]
            gk = G[k, b0:b1]
            for i in range(m):
                gk[i] = acc[i]
    return Y


def tanh(X):
    Y = onp.empty_like(X)
    G = onp.empty_like(X)
    Y[0] = onp.tanh(X[0])
    G[0] = 1.0 - Y[0] * Y[0]
    return _ode(X, Y, G, False)


def expit(X):
    import scipy.special as ss

    Y = onp.empty_like(X)
    G = onp.empty_like(X)
    Y[0] = ss.expit(X[0])
    G[0] = Y[0] - Y[0] * Y[0]
    return _ode(X, Y, G, True)
