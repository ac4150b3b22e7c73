"""Numba kernels of the holonomic constraints: SHAKE / RATTLE iterations and analytic SETTLE (pure)."""

import math

import numpy as np
from numba import njit

from molecular.forces._elec_kernels import minimum_image


@njit(cache=True)
def shake(xref, x, inv_m, pairs, dist, h, periodic, tol, max_iter, lam):
    """SHAKE (Ryckaert, Ciccotti, Berendsen 1977): move ``x`` (in place) until every ``|x_i - x_j| = d``.

    Corrections are along the reference bond vectors ``xref_i - xref_j`` (positions at the start of the
    step, satisfying the constraints). Converged when ``|r^2 - d^2| / (2 d^2) < tol`` for every pair.
    ``lam`` (C,) accumulates the multipliers: ``m_i dx_i = sum_c +-lam_c rref_c``.
    Returns the number of sweeps, or -1 if ``max_iter`` sweeps did not converge.
    """
    rref = np.empty(3)
    r = np.empty(3)
    for it in range(max_iter):
        done = True
        for c in range(pairs.shape[0]):
            i = pairs[c, 0]
            j = pairs[c, 1]
            for a in range(3):
                r[a] = x[i, a] - x[j, a]
                rref[a] = xref[i, a] - xref[j, a]
            minimum_image(r, h, periodic)
            minimum_image(rref, h, periodic)
            d2 = dist[c] * dist[c]
            diff = d2 - (r[0] * r[0] + r[1] * r[1] + r[2] * r[2])
            if abs(diff) > 2.0 * tol * d2:
                done = False
                dot = rref[0] * r[0] + rref[1] * r[1] + rref[2] * r[2]
                g = diff / (2.0 * (inv_m[i] + inv_m[j]) * dot)
                lam[c] += g
                for a in range(3):
                    x[i, a] += g * inv_m[i] * rref[a]
                    x[j, a] -= g * inv_m[j] * rref[a]
        if done:
            return it + 1
    return -1


@njit(cache=True)
def rattle_velocities(x, v, inv_m, pairs, dist, h, periodic, tol, max_iter, lam):
    """RATTLE velocity stage (Andersen 1983): make ``(v_i - v_j).(x_i - x_j) = 0`` (in place).

    Converged when ``|r.v_ij| / d^2 < tol`` (1/ps) for every pair. ``lam`` (C,) accumulates the
    impulses: ``m_i dv_i = sum_c +-lam_c r_c``. Returns sweeps or -1.
    """
    r = np.empty(3)
    for it in range(max_iter):
        done = True
        for c in range(pairs.shape[0]):
            i = pairs[c, 0]
            j = pairs[c, 1]
            for a in range(3):
                r[a] = x[i, a] - x[j, a]
            minimum_image(r, h, periodic)
            d2 = dist[c] * dist[c]
            rv = 0.0
            for a in range(3):
                rv += r[a] * (v[i, a] - v[j, a])
            if abs(rv) > tol * d2:
                done = False
                k = -rv / ((inv_m[i] + inv_m[j]) * (r[0] * r[0] + r[1] * r[1] + r[2] * r[2]))
                lam[c] += k
                for a in range(3):
                    v[i, a] += k * inv_m[i] * r[a]
                    v[j, a] -= k * inv_m[j] * r[a]
        if done:
            return it + 1
    return -1


@njit(cache=True)
def settle_positions(xref, x, masses, waters, d_oh, d_hh, h, periodic):
    """Analytic SETTLE (Miyamoto and Kollman 1992) for rigid 3-site waters ``(O, H, H)`` (in place).

    Solves the same equations as SHAKE (corrections along the reference bond vectors) in closed
    form; follows the algorithm as implemented in OpenMM's reference platform.
    """
    b0 = np.empty(3)
    c0 = np.empty(3)
    pa = np.empty(3)
    pb = np.empty(3)
    pc = np.empty(3)
    for w in range(waters.shape[0]):
        o = waters[w, 0]
        h1 = waters[w, 1]
        h2 = waters[w, 2]
        m0 = masses[o]
        m1 = masses[h1]
        m2 = masses[h2]
        for a in range(3):
            b0[a] = xref[h1, a] - xref[o, a]
            c0[a] = xref[h2, a] - xref[o, a]
        minimum_image(b0, h, periodic)
        minimum_image(c0, h, periodic)
        # new positions relative to the old oxygen (displacements are small: no imaging needed)
        for a in range(3):
            pa[a] = x[o, a] - xref[o, a]
            pb[a] = b0[a] + x[h1, a] - xref[h1, a]
            pc[a] = c0[a] + x[h2, a] - xref[h2, a]
        inv_total = 1.0 / (m0 + m1 + m2)
        com0 = (pa[0] * m0 + pb[0] * m1 + pc[0] * m2) * inv_total
        com1 = (pa[1] * m0 + pb[1] * m1 + pc[1] * m2) * inv_total
        com2 = (pa[2] * m0 + pb[2] * m1 + pc[2] * m2) * inv_total
        xa1 = pa[0] - com0
        ya1 = pa[1] - com1
        za1 = pa[2] - com2
        xb1 = pb[0] - com0
        yb1 = pb[1] - com1
        zb1 = pb[2] - com2
        xc1 = pc[0] - com0
        yc1 = pc[1] - com1
        zc1 = pc[2] - com2
        xb0, yb0, zb0 = b0[0], b0[1], b0[2]
        xc0, yc0, zc0 = c0[0], c0[1], c0[2]
        xakszd = yb0 * zc0 - zb0 * yc0
        yakszd = zb0 * xc0 - xb0 * zc0
        zakszd = xb0 * yc0 - yb0 * xc0
        xaksxd = ya1 * zakszd - za1 * yakszd
        yaksxd = za1 * xakszd - xa1 * zakszd
        zaksxd = xa1 * yakszd - ya1 * xakszd
        xaksyd = yakszd * zaksxd - zakszd * yaksxd
        yaksyd = zakszd * xaksxd - xakszd * zaksxd
        zaksyd = xakszd * yaksxd - yakszd * xaksxd
        axlng = 1.0 / math.sqrt(xaksxd * xaksxd + yaksxd * yaksxd + zaksxd * zaksxd)
        aylng = 1.0 / math.sqrt(xaksyd * xaksyd + yaksyd * yaksyd + zaksyd * zaksyd)
        azlng = 1.0 / math.sqrt(xakszd * xakszd + yakszd * yakszd + zakszd * zakszd)
        t11 = xaksxd * axlng
        t21 = yaksxd * axlng
        t31 = zaksxd * axlng
        t12 = xaksyd * aylng
        t22 = yaksyd * aylng
        t32 = zaksyd * aylng
        t13 = xakszd * azlng
        t23 = yakszd * azlng
        t33 = zakszd * azlng
        xb0d = t11 * xb0 + t21 * yb0 + t31 * zb0
        yb0d = t12 * xb0 + t22 * yb0 + t32 * zb0
        xc0d = t11 * xc0 + t21 * yc0 + t31 * zc0
        yc0d = t12 * xc0 + t22 * yc0 + t32 * zc0
        za1d = t13 * xa1 + t23 * ya1 + t33 * za1
        xb1d = t11 * xb1 + t21 * yb1 + t31 * zb1
        yb1d = t12 * xb1 + t22 * yb1 + t32 * zb1
        zb1d = t13 * xb1 + t23 * yb1 + t33 * zb1
        xc1d = t11 * xc1 + t21 * yc1 + t31 * zc1
        yc1d = t12 * xc1 + t22 * yc1 + t32 * zc1
        zc1d = t13 * xc1 + t23 * yc1 + t33 * zc1
        # canonical water: O at (0, ra, 0), H at (-+rc, -rb, 0) about the centre of mass
        rc = 0.5 * d_hh
        rb = math.sqrt(d_oh * d_oh - rc * rc)
        ra = rb * (m1 + m2) * inv_total
        rb -= ra
        sinphi = za1d / ra
        cosphi = math.sqrt(1.0 - sinphi * sinphi)
        sinpsi = (zb1d - zc1d) / (2.0 * rc * cosphi)
        cospsi = math.sqrt(1.0 - sinpsi * sinpsi)
        ya2d = ra * cosphi
        xb2d = -rc * cospsi
        yb2d = -rb * cosphi - rc * sinpsi * sinphi
        yc2d = -rb * cosphi + rc * sinpsi * sinphi
        hh2 = 4.0 * xb2d * xb2d + (yb2d - yc2d) ** 2 + (zb1d - zc1d) ** 2
        deltx = 2.0 * xb2d + math.sqrt(4.0 * xb2d * xb2d - hh2 + d_hh * d_hh)
        xb2d -= 0.5 * deltx
        alpha = xb2d * (xb0d - xc0d) + yb0d * yb2d + yc0d * yc2d
        beta = xb2d * (yc0d - yb0d) + xb0d * yb2d + xc0d * yc2d
        gamma = xb0d * yb1d - xb1d * yb0d + xc0d * yc1d - xc1d * yc0d
        al2be2 = alpha * alpha + beta * beta
        sintheta = (alpha * gamma - beta * math.sqrt(al2be2 - gamma * gamma)) / al2be2
        costheta = math.sqrt(1.0 - sintheta * sintheta)
        xa3d = -ya2d * sintheta
        ya3d = ya2d * costheta
        za3d = za1d
        xb3d = xb2d * costheta - yb2d * sintheta
        yb3d = xb2d * sintheta + yb2d * costheta
        zb3d = zb1d
        xc3d = -xb2d * costheta - yc2d * sintheta
        yc3d = -xb2d * sintheta + yc2d * costheta
        zc3d = zc1d
        x[o, 0] = xref[o, 0] + com0 + t11 * xa3d + t12 * ya3d + t13 * za3d
        x[o, 1] = xref[o, 1] + com1 + t21 * xa3d + t22 * ya3d + t23 * za3d
        x[o, 2] = xref[o, 2] + com2 + t31 * xa3d + t32 * ya3d + t33 * za3d
        x[h1, 0] = xref[h1, 0] + com0 + t11 * xb3d + t12 * yb3d + t13 * zb3d - xb0
        x[h1, 1] = xref[h1, 1] + com1 + t21 * xb3d + t22 * yb3d + t23 * zb3d - yb0
        x[h1, 2] = xref[h1, 2] + com2 + t31 * xb3d + t32 * yb3d + t33 * zb3d - zb0
        x[h2, 0] = xref[h2, 0] + com0 + t11 * xc3d + t12 * yc3d + t13 * zc3d - xc0
        x[h2, 1] = xref[h2, 1] + com1 + t21 * xc3d + t22 * yc3d + t23 * zc3d - yc0
        x[h2, 2] = xref[h2, 2] + com2 + t31 * xc3d + t32 * yc3d + t33 * zc3d - zc0


@njit(cache=True)
def settle_velocities(x, v, masses, waters, h, periodic):
    """Remove the bond-stretching velocity components of rigid waters exactly (3x3 linear solve, in place).

    Finds impulses ``lambda_ab`` along the three bond vectors so that ``r_ab . (v_a - v_b) = 0``.
    """
    r = np.empty((3, 3))
    mat = np.empty((3, 3))
    rhs = np.empty(3)
    for w in range(waters.shape[0]):
        idx = waters[w]
        # constraints: (0,1), (0,2), (1,2) in local numbering
        ca = (0, 0, 1)
        cb = (1, 2, 2)
        for c in range(3):
            for a in range(3):
                r[c, a] = x[idx[ca[c]], a] - x[idx[cb[c]], a]
            rr = r[c]
            minimum_image(rr, h, periodic)
        for c in range(3):
            ia = idx[ca[c]]
            ib = idx[cb[c]]
            rhs[c] = 0.0
            for a in range(3):
                rhs[c] -= r[c, a] * (v[ia, a] - v[ib, a])
            for e in range(3):
                # d(r_c . v_ab)/d lambda_e: impulse lambda_e r_e / m on atom ca[e], -r_e/m on cb[e]
                coef_a = (1.0 / masses[ia]) * ((ca[e] == ca[c]) - (cb[e] == ca[c]))
                coef_b = (1.0 / masses[ib]) * ((ca[e] == cb[c]) - (cb[e] == cb[c]))
                dot = r[c, 0] * r[e, 0] + r[c, 1] * r[e, 1] + r[c, 2] * r[e, 2]
                mat[c, e] = (coef_a - coef_b) * dot
        lam = np.linalg.solve(mat, rhs)
        for e in range(3):
            ia = idx[ca[e]]
            ib = idx[cb[e]]
            for a in range(3):
                v[ia, a] += lam[e] * r[e, a] / masses[ia]
                v[ib, a] -= lam[e] * r[e, a] / masses[ib]


@njit(cache=True)
def settle_constraint_virial(x, v, f, masses, waters, h, periodic, w_out):
    """Virial (added to ``w_out`` (3, 3)) of the exact instantaneous constraint forces of rigid waters.

    For each water the multipliers ``lambda_c`` of its three distance constraints solve
    ``d^2/dt^2 |r_c|^2 / 2 = |v_c|^2 + r_c . a_c = 0`` with ``a = (f + g) / m`` and the constraint forces
    ``g = sum_c lambda_c (+-r_c)``; the virial is ``sum_c lambda_c r_c (x) r_c``.
    """
    r = np.empty((3, 3))
    mat = np.empty((3, 3))
    rhs = np.empty(3)
    for w in range(waters.shape[0]):
        idx = waters[w]
        ca = (0, 0, 1)
        cb = (1, 2, 2)
        for c in range(3):
            for a in range(3):
                r[c, a] = x[idx[ca[c]], a] - x[idx[cb[c]], a]
            rr = r[c]
            minimum_image(rr, h, periodic)
        for c in range(3):
            ia = idx[ca[c]]
            ib = idx[cb[c]]
            s = 0.0
            for a in range(3):
                dv = v[ia, a] - v[ib, a]
                s += dv * dv + r[c, a] * (f[ia, a] / masses[ia] - f[ib, a] / masses[ib])
            rhs[c] = -s
            for e in range(3):
                coef_a = (1.0 / masses[ia]) * ((ca[e] == ca[c]) - (cb[e] == ca[c]))
                coef_b = (1.0 / masses[ib]) * ((ca[e] == cb[c]) - (cb[e] == cb[c]))
                dot = r[c, 0] * r[e, 0] + r[c, 1] * r[e, 1] + r[c, 2] * r[e, 2]
                mat[c, e] = (coef_a - coef_b) * dot
        lam = np.linalg.solve(mat, rhs)
        for e in range(3):
            for a in range(3):
                for b in range(3):
                    w_out[a, b] += lam[e] * r[e, a] * r[e, b]
