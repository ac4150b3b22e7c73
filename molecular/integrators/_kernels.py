"""Numba kernels of the integrators: the Nose-Hoover chain propagator (pure, scalar work)."""

import math

from numba import njit


@njit(cache=True)
def nhc_propagate(v, xi, Q, ke2, ndof, kt, dt, weights, n_respa):
    """Propagate a Nose-Hoover chain over ``dt`` (MTK 1996, Suzuki-Yoshida + RESPA); in place.

    Parameters
    ----------
    v, xi : float64 (M,)
        Thermostat velocities (1/ps) and positions (dimensionless), updated in place.
    Q : float64 (M,)
        Thermostat masses, kJ/mol ps^2.
    ke2 : float
        Twice the particles' kinetic energy, kJ/mol.
    ndof : int
    kt : float
        kB T, kJ/mol.
    dt : float
        ps.
    weights : float64 (nsy,)
        Suzuki-Yoshida weights.
    n_respa : int

    Returns
    -------
    float
        Factor by which the particle velocities must be scaled.
    """
    M = v.shape[0]
    scale = 1.0
    for _ in range(n_respa):
        for w in weights:
            d = w * dt / n_respa
            if M > 1:
                G = (Q[M - 2] * v[M - 2] * v[M - 2] - kt) / Q[M - 1]
            else:
                G = (ke2 - ndof * kt) / Q[0]
            v[M - 1] += 0.5 * d * G
            for k in range(M - 2, -1, -1):
                e = math.exp(-0.25 * d * v[k + 1])
                if k == 0:
                    G = (ke2 - ndof * kt) / Q[0]
                else:
                    G = (Q[k - 1] * v[k - 1] * v[k - 1] - kt) / Q[k]
                v[k] = (v[k] * e + 0.5 * d * G) * e
            a = math.exp(-d * v[0])
            scale *= a
            ke2 *= a * a
            for k in range(M):
                xi[k] += d * v[k]
            for k in range(M - 1):
                e = math.exp(-0.25 * d * v[k + 1])
                if k == 0:
                    G = (ke2 - ndof * kt) / Q[0]
                else:
                    G = (Q[k - 1] * v[k - 1] * v[k - 1] - kt) / Q[k]
                v[k] = (v[k] * e + 0.5 * d * G) * e
            if M > 1:
                G = (Q[M - 2] * v[M - 2] * v[M - 2] - kt) / Q[M - 1]
            else:
                G = (ke2 - ndof * kt) / Q[0]
            v[M - 1] += 0.5 * d * G
    return scale


@njit(cache=True)
def kick(v, f, inv_m, h):
    """``v += h * f * inv_m`` in place: velocities (N, 3) nm/ps, forces (N, 3) kJ/mol/nm, ``inv_m``
    (N, 1) 1/amu, ``h`` ps (the half-step kick of velocity Verlet)."""
    for i in range(v.shape[0]):
        for k in range(3):
            v[i, k] += h * f[i, k] * inv_m[i, 0]


@njit(cache=True)
def drift(x, v, dt):
    """``x += dt * v`` in place: positions (N, 3) nm, velocities (N, 3) nm/ps, ``dt`` ps."""
    for i in range(x.shape[0]):
        for k in range(3):
            x[i, k] += dt * v[i, k]
