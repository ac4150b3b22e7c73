"""Numba kernels of the bonded terms: bonds, angles, dihedrals (pure functions of plain arrays).

Every kernel takes positions ``x`` (N, 3) nm, an index array, per-term parameter arrays, the box
``h`` (3, 3) with ``periodic`` (displacements are minimum-imaged), accumulates forces (N, 3) kJ/mol/nm
and the virial ``sum_i x_i (x) f_i`` (3, 3) kJ/mol (computed from displacements, so it does not
depend on which image of a molecule is used), and returns the energy in kJ/mol.
"""

import math

import numpy as np
from numba import njit

from molecular.forces._elec_kernels import minimum_image

# bond kinds
HARMONIC_BOND, MORSE_BOND = 0, 1
# dihedral kinds
PERIODIC, RYCKAERT_BELLEMANS, HARMONIC_IMPROPER = 0, 1, 2


@njit(cache=True, error_model="numpy")
def bonds(x, idx, kind, p, h, periodic, forces, virial):
    """Bond energy; ``idx`` (B, 2); ``p`` (B, 3).

    ``HARMONIC_BOND``: ``p = (k, r0, -)``, ``U = k/2 (r - r0)^2``.
    ``MORSE_BOND``: ``p = (D, a, r0)``, ``U = D (1 - exp(-a (r - r0)))^2``.
    """
    e = 0.0
    d = np.empty(3)
    for b in range(idx.shape[0]):
        i = idx[b, 0]
        j = idx[b, 1]
        for a in range(3):
            d[a] = x[i, a] - x[j, a]
        minimum_image(d, h, periodic)
        r = math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
        if kind == HARMONIC_BOND:
            dr = r - p[b, 1]
            e += 0.5 * p[b, 0] * dr * dr
            dudr = p[b, 0] * dr
        else:
            ex = math.exp(-p[b, 1] * (r - p[b, 2]))
            e += p[b, 0] * (1.0 - ex) ** 2
            dudr = 2.0 * p[b, 0] * p[b, 1] * ex * (1.0 - ex)
        g = -dudr / r
        for a in range(3):
            forces[i, a] += g * d[a]
            forces[j, a] -= g * d[a]
            for c in range(3):
                virial[a, c] += g * d[a] * d[c]
    return e


@njit(cache=True, error_model="numpy")
def angles(x, idx, p, h, periodic, forces, virial):
    """Harmonic angle energy with optional Urey-Bradley 1-3 term; ``idx`` (A, 3) = (i, j, k), j the vertex;
    ``p`` (A, 4) = ``(k_theta, theta0, k_ub, r_ub)``:
    ``U = k_theta/2 (theta - theta0)^2 + k_ub/2 (r_ik - r_ub)^2``."""
    e = 0.0
    d1 = np.empty(3)
    d2 = np.empty(3)
    d3 = np.empty(3)
    fi = np.empty(3)
    fk = np.empty(3)
    for t in range(idx.shape[0]):
        i = idx[t, 0]
        j = idx[t, 1]
        k = idx[t, 2]
        for a in range(3):
            d1[a] = x[i, a] - x[j, a]
            d2[a] = x[k, a] - x[j, a]
        minimum_image(d1, h, periodic)
        minimum_image(d2, h, periodic)
        r1 = math.sqrt(d1[0] ** 2 + d1[1] ** 2 + d1[2] ** 2)
        r2 = math.sqrt(d2[0] ** 2 + d2[1] ** 2 + d2[2] ** 2)
        cos = (d1[0] * d2[0] + d1[1] * d2[1] + d1[2] * d2[2]) / (r1 * r2)
        cos = min(1.0, max(-1.0, cos))
        theta = math.acos(cos)
        sin = math.sqrt(max(1.0 - cos * cos, 1e-300))
        dt = theta - p[t, 1]
        e += 0.5 * p[t, 0] * dt * dt
        # dU/dcos = k dt * dtheta/dcos = -k dt / sin; dcos/dd1 = d2/(r1 r2) - cos d1/r1^2
        c = p[t, 0] * dt / sin
        for a in range(3):
            fi[a] = c * (d2[a] / (r1 * r2) - cos * d1[a] / (r1 * r1))
            fk[a] = c * (d1[a] / (r1 * r2) - cos * d2[a] / (r2 * r2))
        if p[t, 2] != 0.0:
            for a in range(3):
                d3[a] = d1[a] - d2[a]  # x_i - x_k
            r3 = math.sqrt(d3[0] ** 2 + d3[1] ** 2 + d3[2] ** 2)
            du = r3 - p[t, 3]
            e += 0.5 * p[t, 2] * du * du
            g = -p[t, 2] * du / r3
            for a in range(3):
                fi[a] += g * d3[a]
                fk[a] -= g * d3[a]
        for a in range(3):
            forces[i, a] += fi[a]
            forces[k, a] += fk[a]
            forces[j, a] -= fi[a] + fk[a]
            for b in range(3):
                virial[a, b] += d1[a] * fi[b] + d2[a] * fk[b]
    return e


@njit(cache=True, error_model="numpy")
def dihedrals(x, idx, kind, p, h, periodic, forces, virial):
    """Dihedral energy; ``idx`` (T, 4) = (i, j, k, l), angle ``phi`` between planes ijk and jkl (IUPAC:
    0 for cis, pi for trans); ``p`` (T, 6).

    ``PERIODIC``: ``p = (k, n, phi0, ...)``, ``U = k (1 + cos(n phi - phi0))``.
    ``RYCKAERT_BELLEMANS``: ``p = (C0..C5)``, ``U = sum_n C_n cos^n(psi)``, ``psi = phi - pi``.
    ``HARMONIC_IMPROPER``: ``p = (k, xi0, ...)``, ``U = k/2 (phi - xi0)^2`` with the difference
    wrapped to ``[-pi, pi)``.
    Forces follow the GROMACS ``do_dih_fup`` formulae (Bekker).
    """
    e = 0.0
    rij = np.empty(3)
    rkj = np.empty(3)
    rkl = np.empty(3)
    m = np.empty(3)
    n = np.empty(3)
    fi = np.empty(3)
    fj = np.empty(3)
    fk = np.empty(3)
    fl = np.empty(3)
    for t in range(idx.shape[0]):
        i = idx[t, 0]
        j = idx[t, 1]
        k = idx[t, 2]
        l = idx[t, 3]
        for a in range(3):
            rij[a] = x[i, a] - x[j, a]
            rkj[a] = x[k, a] - x[j, a]
            rkl[a] = x[k, a] - x[l, a]
        minimum_image(rij, h, periodic)
        minimum_image(rkj, h, periodic)
        minimum_image(rkl, h, periodic)
        m[0] = rij[1] * rkj[2] - rij[2] * rkj[1]
        m[1] = rij[2] * rkj[0] - rij[0] * rkj[2]
        m[2] = rij[0] * rkj[1] - rij[1] * rkj[0]
        n[0] = rkj[1] * rkl[2] - rkj[2] * rkl[1]
        n[1] = rkj[2] * rkl[0] - rkj[0] * rkl[2]
        n[2] = rkj[0] * rkl[1] - rkj[1] * rkl[0]
        m2 = m[0] ** 2 + m[1] ** 2 + m[2] ** 2
        n2 = n[0] ** 2 + n[1] ** 2 + n[2] ** 2
        rkj2 = rkj[0] ** 2 + rkj[1] ** 2 + rkj[2] ** 2
        nrkj = math.sqrt(rkj2)
        # phi = atan2(|rkj| rij.n, m.n): the signed angle between the planes
        y = nrkj * (rij[0] * n[0] + rij[1] * n[1] + rij[2] * n[2])
        xx = m[0] * n[0] + m[1] * n[1] + m[2] * n[2]
        phi = math.atan2(y, xx)
        if kind == PERIODIC:
            arg = p[t, 1] * phi - p[t, 2]
            e += p[t, 0] * (1.0 + math.cos(arg))
            ddphi = -p[t, 0] * p[t, 1] * math.sin(arg)
        elif kind == RYCKAERT_BELLEMANS:
            cpsi = -math.cos(phi)  # cos(phi - pi)
            spsi = -math.sin(phi)
            u = 0.0
            du = 0.0
            cp = 1.0
            for c in range(6):
                u += p[t, c] * cp
                if c < 5:
                    du += (c + 1) * p[t, c + 1] * cp
                cp *= cpsi
            e += u
            ddphi = -du * spsi  # dU/dpsi = dU/dcos * (-sin psi)
        else:
            dp = phi - p[t, 1]
            dp -= 2.0 * math.pi * math.floor((dp + math.pi) / (2.0 * math.pi))
            e += 0.5 * p[t, 0] * dp * dp
            ddphi = p[t, 0] * dp
        pp = (rij[0] * rkj[0] + rij[1] * rkj[1] + rij[2] * rkj[2]) / rkj2
        qq = (rkl[0] * rkj[0] + rkl[1] * rkj[1] + rkl[2] * rkj[2]) / rkj2
        for a in range(3):
            fi[a] = -ddphi * nrkj / m2 * m[a]
            fl[a] = ddphi * nrkj / n2 * n[a]
        for a in range(3):
            sv = pp * fi[a] - qq * fl[a]
            fj[a] = fi[a] - sv
            fk[a] = fl[a] + sv
        for a in range(3):
            forces[i, a] += fi[a]
            forces[j, a] -= fj[a]
            forces[k, a] -= fk[a]
            forces[l, a] += fl[a]
        # virial sum x (x) f with positions relative to j: x_i - x_j = rij, x_k - x_j = rkj, x_l - x_j = rkj - rkl
        for a in range(3):
            for b in range(3):
                virial[a, b] += rij[a] * fi[b] - rkj[a] * fk[b] + (rkj[a] - rkl[a]) * fl[b]
    return e


@njit(cache=True, error_model="numpy")
def lj_pair_corrections(x, types, pairs, scale, sig14, eps14, psig, peps, rc2, shifted, h, periodic, forces,
                        virial):
    """Replace the Lennard-Jones interaction of listed pairs; return the energy change.

    For each pair removes what a ``LennardJones`` force with per-type-pair ``psig``/``peps`` added
    (``r^2 < rc2``; minus ``u(rc)`` when ``shifted``) and adds ``scale * 4 eps14 ((sig14/r)^12 - (sig14/r)^6)``
    without cutoff (0 for exclusions). Forces (N, 3) and virial (3, 3) are accumulated into.
    """
    e = 0.0
    d = np.empty(3)
    for p in range(pairs.shape[0]):
        i = pairs[p, 0]
        j = pairs[p, 1]
        for a in range(3):
            d[a] = x[i, a] - x[j, a]
        minimum_image(d, h, periodic)
        r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
        u = 0.0
        g = 0.0
        if scale[p] != 0.0:
            s6 = (sig14[p] * sig14[p] / r2) ** 3
            u += scale[p] * 4.0 * eps14[p] * (s6 * s6 - s6)
            g += scale[p] * 4.0 * eps14[p] * (12.0 * s6 * s6 - 6.0 * s6) / r2
        ti = types[i]
        tj = types[j]
        if r2 < rc2:
            s6 = (psig[ti, tj] * psig[ti, tj] / r2) ** 3
            u -= 4.0 * peps[ti, tj] * (s6 * s6 - s6)
            g -= 4.0 * peps[ti, tj] * (12.0 * s6 * s6 - 6.0 * s6) / r2
            if shifted:
                c6 = (psig[ti, tj] * psig[ti, tj] / rc2) ** 3
                u += 4.0 * peps[ti, tj] * (c6 * c6 - c6)
        e += u
        for a in range(3):
            forces[i, a] += g * d[a]
            forces[j, a] -= g * d[a]
            for b in range(3):
                virial[a, b] += g * d[a] * d[b]
    return e
