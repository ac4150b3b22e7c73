"""Numba kernels of the differentiable shifted-force Lennard-Jones system: energy, forces, virial and
their first and second derivatives with respect to positions and (epsilon, sigma).

All kernels take ``x`` (N, 3) positions, ``p = [epsilon, sigma]`` and ``c = [Lx, Ly, Lz, rc]`` (an
orthorhombic periodic box, minimum image over all pairs, cutoff ``rc <= min(L) / 2``). The pair
potential is the shifted-force LJ ``U(r) = u(r) - u(rc) - (r - rc) u'(rc)``,
``u = 4 eps ((sigma/r)^12 - (sigma/r)^6)``; with ``s = sigma / r``:

``u_r = -4 eps (12 s^12 - 6 s^6) / r``, ``u_rr = 4 eps (156 s^12 - 42 s^6) / r^2``,
``u_sigma = 4 eps (12 s^12 - 6 s^6) / sigma``, ``u_sigma,sigma = 4 eps (132 s^12 - 30 s^6) / sigma^2``,
``u_r,sigma = -4 eps (144 s^12 - 36 s^6) / (r sigma)``,
``u_r,sigma,sigma = -4 eps (1584 s^12 - 180 s^6) / (r sigma^2)``; every quantity is linear in eps.
"""

import math

import numpy as np
from numba import njit


@njit(cache=True, error_model="numpy")
def _pair_terms(r, eps, sig, rc):
    """Shifted-force U and its derivatives at distance r:
    (U, U_r, U_rr, U_e, U_s, U_re, U_rs, U_ss) (U_e = dU/d eps, U_s = dU/d sigma, ...)."""
    s6 = (sig / r) ** 6
    s12 = s6 * s6
    c6 = (sig / rc) ** 6
    c12 = c6 * c6
    dr = r - rc
    u = 4 * eps * (s12 - s6)
    u_r = -4 * eps * (12 * s12 - 6 * s6) / r
    uc = 4 * eps * (c12 - c6)
    uc_r = -4 * eps * (12 * c12 - 6 * c6) / rc
    big_u = u - uc - dr * uc_r
    big_ur = u_r - uc_r
    big_urr = 4 * eps * (156 * s12 - 42 * s6) / (r * r)
    u_s = 4 * eps * (12 * s12 - 6 * s6) / sig
    uc_s = 4 * eps * (12 * c12 - 6 * c6) / sig
    u_rs = -4 * eps * (144 * s12 - 36 * s6) / (r * sig)
    uc_rs = -4 * eps * (144 * c12 - 36 * c6) / (rc * sig)
    big_us = u_s - uc_s - dr * uc_rs
    big_urs = u_rs - uc_rs
    u_ss = 4 * eps * (132 * s12 - 30 * s6) / (sig * sig)
    uc_ss = 4 * eps * (132 * c12 - 30 * c6) / (sig * sig)
    uc_rss = -4 * eps * (1584 * c12 - 180 * c6) / (rc * sig * sig)
    big_uss = u_ss - uc_ss - dr * uc_rss
    return big_u, big_ur, big_urr, big_u / eps, big_us, big_ur / eps, big_urs, big_uss


@njit(cache=True, error_model="numpy")
def _disp(x, i, j, c, d):
    """Minimum-image ``d = x_i - x_j`` (in place); returns r^2."""
    r2 = 0.0
    for a in range(3):
        v = x[i, a] - x[j, a]
        v -= c[a] * math.floor(v / c[a] + 0.5)
        d[a] = v
        r2 += v * v
    return r2


@njit(cache=True, error_model="numpy")
def lj_energy(x, p, c):
    """Potential energy, 0-d array."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                e += _pair_terms(math.sqrt(r2), p[0], p[1], c[3])[0]
    return np.array(e)


@njit(cache=True, error_model="numpy")
def lj_forces(x, p, c):
    """Forces ``-dE/dx``, (N, 3)."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    f = np.zeros((n, 3))
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                r = math.sqrt(r2)
                phi = _pair_terms(r, p[0], p[1], c[3])[1] / r
                for a in range(3):
                    f[i, a] -= phi * d[a]
                    f[j, a] += phi * d[a]
    return f


@njit(cache=True, error_model="numpy")
def lj_virial(x, p, c):
    """Scalar virial ``W = sum_pairs r_ij . f_ij = -sum r U_r`` (trace of the virial tensor), 0-d array."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    w = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                r = math.sqrt(r2)
                w -= r * _pair_terms(r, p[0], p[1], c[3])[1]
    return np.array(w)


@njit(cache=True, error_model="numpy")
def lj_energy_dp(x, p, c):
    """``[dE/d eps, dE/d sigma]``, (2,)."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    g = np.zeros(2)
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                t = _pair_terms(math.sqrt(r2), p[0], p[1], c[3])
                g[0] += t[3]
                g[1] += t[4]
    return g


@njit(cache=True, error_model="numpy")
def lj_energy_dp2(x, p, c):
    """Hessian of E in (eps, sigma), (2, 2)."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    h = np.zeros((2, 2))
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                t = _pair_terms(math.sqrt(r2), p[0], p[1], c[3])
                h[0, 1] += t[4] / p[0]
                h[1, 1] += t[7]
    h[1, 0] = h[0, 1]
    return h


@njit(cache=True, error_model="numpy")
def lj_force_lin(x, p, c, t, tp):
    """Directional derivative of the forces: ``dF = -H t + (dF/dp) tp`` (N, 3), ``H`` the Hessian of E.

    ``H`` is symmetric, so with ``tp = 0`` this is also the VJP of the forces in x: ``(dF/dx)^T g = -H g``.
    """
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    out = np.zeros((n, 3))
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                r = math.sqrt(r2)
                q = _pair_terms(r, p[0], p[1], c[3])
                phi = q[1] / r
                b = (q[2] - phi) / r2  # coefficient of d d^T in the pair Hessian block
                dd0 = t[i, 0] - t[j, 0]
                dd1 = t[i, 1] - t[j, 1]
                dd2 = t[i, 2] - t[j, 2]
                proj = b * (d[0] * dd0 + d[1] * dd1 + d[2] * dd2)
                dphi = (q[5] * tp[0] + q[6] * tp[1]) / r
                for a in range(3):
                    dd = dd0 if a == 0 else (dd1 if a == 1 else dd2)
                    v = phi * dd + proj * d[a] + dphi * d[a]
                    out[i, a] -= v
                    out[j, a] += v
    return out


@njit(cache=True, error_model="numpy")
def lj_force_vjp_p(x, p, c, g):
    """``(dF/dp)^T g``: cotangent of (eps, sigma) for a force cotangent ``g`` (N, 3); (2,)."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    out = np.zeros(2)
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                r = math.sqrt(r2)
                q = _pair_terms(r, p[0], p[1], c[3])
                dot = 0.0
                for a in range(3):
                    dot += (g[i, a] - g[j, a]) * d[a]
                out[0] -= q[5] / r * dot
                out[1] -= q[6] / r * dot
    return out


@njit(cache=True, error_model="numpy")
def lj_virial_dx(x, p, c):
    """``dW/dx`` (N, 3) of the scalar virial ``W = -sum r U_r``."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    out = np.zeros((n, 3))
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                r = math.sqrt(r2)
                q = _pair_terms(r, p[0], p[1], c[3])
                s = -(q[2] * r + q[1]) / r
                for a in range(3):
                    out[i, a] += s * d[a]
                    out[j, a] -= s * d[a]
    return out


@njit(cache=True, error_model="numpy")
def lj_virial_dp(x, p, c):
    """``[dW/d eps, dW/d sigma]`` (2,)."""
    n = x.shape[0]
    rc2 = c[3] * c[3]
    d = np.empty(3)
    out = np.zeros(2)
    for i in range(n):
        for j in range(i + 1, n):
            r2 = _disp(x, i, j, c, d)
            if r2 < rc2:
                r = math.sqrt(r2)
                q = _pair_terms(r, p[0], p[1], c[3])
                out[0] -= r * q[5]
                out[1] -= r * q[6]
    return out
