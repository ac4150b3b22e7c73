"""Instantaneous thermodynamics: kinetic energy, temperature, pressure and the pressure tensor."""

import numpy as np

from molecular.units import KB


def kinetic_tensor(masses, velocities):
    """``sum_i m_i v_i (x) v_i`` (twice the kinetic-energy tensor), shape (3, 3), kJ/mol.

    Parameters
    ----------
    masses : ndarray (N,), amu
    velocities : ndarray (N, 3), nm/ps
    """
    mv = masses[:, None] * velocities
    return mv.T @ velocities


def temperature(kinetic_energy, ndof, kB=KB):
    """Temperature ``2 K / (ndof kB)``: K (or reduced with ``kB=1``).

    Parameters
    ----------
    kinetic_energy : float, kJ/mol
    ndof : int
        Degrees of freedom (``3N - 3`` with momentum conserved, ``3N`` otherwise, minus constraints).
    kB : float, kJ/(mol K)
    """
    return 2.0 * kinetic_energy / (ndof * kB)


def pressure_tensor(masses, velocities, virial, volume):
    """Pressure tensor ``(sum m v (x) v + W) / V``, shape (3, 3), kJ/mol/nm^3 (1 = 16.6054 bar).

    Parameters
    ----------
    masses : ndarray (N,), amu
    velocities : ndarray (N, 3), nm/ps
    virial : ndarray (3, 3), kJ/mol
        ``W = sum_pairs r_ij (x) f_ij`` from every force (``ForceResult.virial``).
    volume : float, nm^3

    Examples
    --------
    >>> m, v = np.ones(2), np.zeros((2, 3))
    >>> float(np.trace(pressure_tensor(m, v, np.eye(3) * 3.0, 1.0)) / 3)
    3.0
    """
    return (kinetic_tensor(masses, velocities) + virial) / volume


def pressure(masses, velocities, virial, volume):
    """Scalar pressure ``(2 K + tr W) / (3 V)``, kJ/mol/nm^3."""
    return float(np.trace(pressure_tensor(masses, velocities, virial, volume))) / 3.0
