"""Numba kernels of Behler-Parrinello atom-centred symmetry functions (values and Jacobians).

Geometry is given as a *directed pair list*: for every atom ``i`` (the centre) and every neighbour
``j`` within the cutoff (periodic image included) one row ``p`` with the displacement
``d[p] = r_j - r_i`` (length unit of the caller), ``center[p] = i`` and ``nbtype[p] = t_j``. Rows are
sorted by centre; ``start[i]:start[i+1]`` are the rows of atom ``i``. Descriptors of atom ``i``
depend only on its own rows, so the Jacobian is stored sparsely as ``jac[p, m, :] = dG[i, m]/dd[p]``.

Descriptor columns (``n_elem`` neighbour elements, ``n_pair = n_elem (n_elem + 1) / 2`` element pairs):

- radial ``G2``, column ``k * n_elem + t_j`` for radial set ``k`` ``(eta, r_s)``:
  ``sum_j exp(-eta (r_ij - r_s)^2) fc(r_ij)``;
- angular, column ``n_rad * n_elem + k * n_pair + pairidx[t_j, t_k]`` for set ``k`` ``(eta, zeta, lambda)``,
  sum over unordered neighbour pairs ``j < k``:
  ``G4 = 2^(1 - zeta) (1 + lambda cos theta_ijk)^zeta exp(-eta (r_ij^2 + r_ik^2 + r_jk^2)) fc(r_ij) fc(r_ik) fc(r_jk)``
  or ``G5`` (``kind = 5``): the same without the ``r_jk`` terms;

with the cosine cutoff ``fc(r) = (cos(pi r / r_c) + 1) / 2`` for ``r < r_c``, 0 beyond (Behler, J. Chem.
Phys. 134, 074106 (2011)). ``zeta >= 1`` keeps the angular term differentiable at ``1 + lambda cos = 0``.
"""

import math

import numpy as np
from numba import njit, prange


@njit(cache=True)
def _fc(r, rc):
    if r >= rc:
        return 0.0, 0.0
    a = math.pi / rc
    return 0.5 * (math.cos(a * r) + 1.0), -0.5 * a * math.sin(a * r)


@njit(cache=True)
def _powz(base, zeta, zint):
    """``base ** zeta``, by repeated squaring when ``zeta`` is a small integer (``zint >= 0``)."""
    if zint < 0:
        return base**zeta
    out = 1.0
    b = base
    n = zint
    while n > 0:
        if n & 1:
            out *= b
        b *= b
        n >>= 1
    return out


@njit(cache=True, parallel=True)
def descriptors(d, center, nbtype, start, pairidx, radial, angular, rc, kind, n_elem, with_jac):
    """Symmetry functions ``G`` (N, M) and, if ``with_jac``, the sparse Jacobian (P, M, 3).

    Parameters
    ----------
    d : float64 (P, 3)
        Pair displacements ``r_j - r_i``.
    center, nbtype : int64 (P,)
        Centre atom and neighbour element of each row (rows sorted by centre).
    start : int64 (N + 1,)
        Row offsets per centre.
    pairidx : int64 (n_elem, n_elem)
        Column of an unordered element pair (symmetric).
    radial : float64 (n_rad, 2)
        ``(eta, r_s)`` per radial set; eta in length^-2, r_s in length.
    angular : float64 (n_ang, 3)
        ``(eta, zeta, lambda)`` per angular set.
    rc : float
        Cutoff radius (length).
    kind : int
        4 (G4) or 5 (G5).
    n_elem : int
        Number of elements.
    with_jac : bool
        Also return the Jacobian (else a (1, 1, 3) placeholder).

    Returns
    -------
    g : float64 (N, M)
    jac : float64 (P, M, 3) or (1, 1, 3)
    """
    n = start.shape[0] - 1
    n_rad = radial.shape[0]
    n_ang = angular.shape[0]
    n_pair = n_elem * (n_elem + 1) // 2
    m_tot = n_rad * n_elem + n_ang * n_pair
    npairs = d.shape[0]
    g = np.zeros((n, m_tot))
    jac = np.zeros((npairs, m_tot, 3)) if with_jac else np.zeros((1, 1, 3))
    angular_norm = np.empty(n_ang)
    zint = np.empty(n_ang, dtype=np.int64)
    for k in range(n_ang):
        angular_norm[k] = 2.0 ** (1.0 - angular[k, 1])
        zint[k] = int(angular[k, 1]) if angular[k, 1] == int(angular[k, 1]) and angular[k, 1] <= 64 else -1
    r = np.empty(npairs)
    fc = np.empty(npairs)
    dfc = np.empty(npairs)
    for p in prange(npairs):
        rp = math.sqrt(d[p, 0] * d[p, 0] + d[p, 1] * d[p, 1] + d[p, 2] * d[p, 2])
        r[p] = rp
        fc[p], dfc[p] = _fc(rp, rc)
    # centres in parallel: atom i writes only g[i] and the Jacobian rows of its own pairs (no races)
    for i in prange(n):
        for p in range(start[i], start[i + 1]):
            rp = r[p]
            if rp >= rc:
                continue
            tj = nbtype[p]
            for k in range(n_rad):
                eta = radial[k, 0]
                x = rp - radial[k, 1]
                e = math.exp(-eta * x * x)
                col = k * n_elem + tj
                g[i, col] += e * fc[p]
                if with_jac:
                    dgdr = e * (dfc[p] - 2.0 * eta * x * fc[p])
                    for c in range(3):
                        jac[p, col, c] += dgdr * d[p, c] / rp
            if n_ang == 0:
                continue
            for q in range(p + 1, start[i + 1]):
                rq = r[q]
                if rq >= rc:
                    continue
                dqp0 = d[q, 0] - d[p, 0]
                dqp1 = d[q, 1] - d[p, 1]
                dqp2 = d[q, 2] - d[p, 2]
                rjk = math.sqrt(dqp0 * dqp0 + dqp1 * dqp1 + dqp2 * dqp2)
                if kind == 4:
                    if rjk >= rc:
                        continue
                    fjk, dfjk = _fc(rjk, rc)
                else:
                    fjk, dfjk = 1.0, 0.0
                dot = d[p, 0] * d[q, 0] + d[p, 1] * d[q, 1] + d[p, 2] * d[q, 2]
                cos = dot / (rp * rq)
                colbase = n_rad * n_elem + pairidx[tj, nbtype[q]]
                fprod = fc[p] * fc[q] * fjk
                s2 = rp * rp + rq * rq
                if kind == 4:
                    s2 += rjk * rjk
                ex_prev = 0.0
                for k in range(n_ang):
                    eta = angular[k, 0]
                    zeta = angular[k, 1]
                    lam = angular[k, 2]
                    if k > 0 and eta == angular[k - 1, 0]:
                        ex = ex_prev
                    else:
                        ex = math.exp(-eta * s2)
                    ex_prev = ex
                    base = 1.0 + lam * cos
                    if base <= 0.0:
                        continue
                    pw = angular_norm[k] * _powz(base, zeta, zint[k])
                    val = pw * ex * fprod
                    col = colbase + k * n_pair
                    g[i, col] += val
                    if not with_jac:
                        continue
                    # d val = val * d log(pw ex) + pw ex d(fprod); d log(pw) / d cos = zeta lam / base
                    dpw = zeta * lam / base
                    for c in range(3):
                        dcos_p = d[q, c] / (rp * rq) - cos * d[p, c] / (rp * rp)
                        dcos_q = d[p, c] / (rp * rq) - cos * d[q, c] / (rq * rq)
                        dlog_p = dpw * dcos_p - 2.0 * eta * d[p, c]
                        dlog_q = dpw * dcos_q - 2.0 * eta * d[q, c]
                        dfp = dfc[p] * d[p, c] / rp * fc[q] * fjk
                        dfq = dfc[q] * d[q, c] / rq * fc[p] * fjk
                        if kind == 4:
                            ujk = (d[q, c] - d[p, c]) / rjk
                            # r_jk = |d_q - d_p|: d r_jk / d d_p = -ujk, d / d d_q = +ujk
                            dlog_p += 2.0 * eta * rjk * ujk
                            dlog_q -= 2.0 * eta * rjk * ujk
                            dfp -= fc[p] * fc[q] * dfjk * ujk
                            dfq += fc[p] * fc[q] * dfjk * ujk
                        jac[p, col, c] += val * dlog_p + pw * ex * dfp
                        jac[q, col, c] += val * dlog_q + pw * ex * dfq
    return g, jac
