"""Numba kernels of the molecular (centre-of-mass scaling) Langevin piston: molecular frame, exact kick and
drift of the MTK equations with molecule centres coupled to the box (pure functions on arrays)."""

import numpy as np
from numba import njit

from molecular.forces._elec_kernels import minimum_image


@njit(cache=True)
def molecular_frame(x, v, masses, mol, first, mol_mass, h, periodic, d, vc):
    """Internal displacements and centre-of-mass velocities of molecules (outputs filled in place).

    ``d`` (N, 3): ``r_i - R_I``, each atom taken at its minimum image from the first atom ``first[I]``
    of its molecule ``I = mol[i]`` (so a molecule split by the boundary counts whole); ``vc`` (M, 3):
    ``V_I = sum_i m_i v_i / M_I`` with ``mol_mass`` ``M_I``.
    """
    nm = mol_mass.shape[0]
    cen = np.zeros((nm, 3))
    r = np.empty(3)
    for k in range(nm):
        for a in range(3):
            vc[k, a] = 0.0
    for i in range(x.shape[0]):
        k = mol[i]
        j = first[k]
        for a in range(3):
            r[a] = x[i, a] - x[j, a]
        minimum_image(r, h, periodic)
        for a in range(3):
            d[i, a] = r[a]
            cen[k, a] += masses[i] * r[a]
            vc[k, a] += masses[i] * v[i, a]
    for k in range(nm):
        for a in range(3):
            cen[k, a] /= mol_mass[k]
            vc[k, a] /= mol_mass[k]
    for i in range(x.shape[0]):
        for a in range(3):
            d[i, a] -= cen[mol[i], a]


@njit(cache=True)
def piston_terms(x, v, f, masses, mol, first, mol_mass, h, periodic):
    """``(sum_I M_I V_I^2, sum_i d_i . F_i)``: twice the centre kinetic energy and the intramolecular part of
    the virial trace, kJ/mol (``tr W_mol = tr W - sum_i d_i . F_i``)."""
    d = np.empty_like(x)
    vc = np.empty((mol_mass.shape[0], 3))
    molecular_frame(x, v, masses, mol, first, mol_mass, h, periodic, d, vc)
    ke2 = 0.0
    for k in range(mol_mass.shape[0]):
        ke2 += mol_mass[k] * (vc[k, 0] * vc[k, 0] + vc[k, 1] * vc[k, 1] + vc[k, 2] * vc[k, 2])
    wi = 0.0
    for i in range(x.shape[0]):
        wi += d[i, 0] * f[i, 0] + d[i, 1] * f[i, 1] + d[i, 2] * f[i, 2]
    return ke2, wi


@njit(cache=True)
def kick(v, f, masses, mol, mol_mass, t, e, phi):
    """Exact flow over ``t`` of ``dv_i/dt = F_i/m_i - a V_I`` (in place), with ``e = exp(-a t)`` and
    ``phi = (1 - e) / a``: ``V_I -> e V_I + phi F_I / M_I``, internal velocities ``+= t (F_i/m_i - F_I/M_I)``."""
    nm = mol_mass.shape[0]
    vc = np.zeros((nm, 3))
    fc = np.zeros((nm, 3))
    for i in range(v.shape[0]):
        k = mol[i]
        for a in range(3):
            vc[k, a] += masses[i] * v[i, a]
            fc[k, a] += f[i, a]
    for i in range(v.shape[0]):
        k = mol[i]
        for a in range(3):
            v[i, a] += (t * f[i, a] / masses[i] + (e - 1.0) * vc[k, a] / mol_mass[k]
                        + (phi - t) * fc[k, a] / mol_mass[k])


@njit(cache=True)
def drift(x, v, masses, mol, first, mol_mass, h, periodic, lam, t, phi, xref):
    """Exact flow over ``t`` of ``dr_i/dt = v_i + v_e R_I`` (in place), ``lam = exp(v_e t)``,
    ``phi = (lam - 1) / v_e``: centres ``R_I -> lam R_I + phi V_I``, internal displacements ``+= t (v_i - V_I)``.

    ``h`` is the cell before the step; ``R_I`` is taken at the periodic image of each atom (``r_i - d_i``),
    so the cell vectors separating the atoms of a split molecule scale with the cell. ``xref`` (N, 3)
    receives the positions with every molecule only translated (``r_i + (lam - 1)(r_i - d_i)``): the
    reference configuration, satisfying the constraints, for SHAKE/SETTLE in the scaled cell.
    """
    d = np.empty_like(x)
    vc = np.empty((mol_mass.shape[0], 3))
    molecular_frame(x, v, masses, mol, first, mol_mass, h, periodic, d, vc)
    for i in range(x.shape[0]):
        k = mol[i]
        for a in range(3):
            xref[i, a] = x[i, a] + (lam - 1.0) * (x[i, a] - d[i, a])
            x[i, a] = xref[i, a] + t * v[i, a] + (phi - t) * vc[k, a]
