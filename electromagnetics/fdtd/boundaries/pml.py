"""Convolutional PML (CFS-CPML) absorbing layers; all PML work is confined to the slabs."""

import math

import numpy as np
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

from electromagnetics.fdtd import _kernels as K
from electromagnetics.fdtd.boundaries.base import Boundary
from mindscience.errors import InputError, check_range

ETA0 = math.sqrt(MU0 / EPS0)

# transposition that brings axis d first (the slab kernels work along axis 0)
_PERM = {0: (0, 1, 2), 1: (1, 0, 2), 2: (2, 0, 1)}


class CPML(Boundary):
    """Complex-frequency-shifted convolutional PML of ``thickness`` cells on a face [1]_.

    Graded profiles with depth fraction ``r`` (0 at the inner interface, 1 at the outer wall)::

        sigma = sigma_max r^m,   kappa = 1 + (kappa_max - 1) r^m,   alpha = alpha_max (1 - r)

    The bulk update runs with kappa = 1 everywhere; inside the slab the kernels
    :func:`~electromagnetics.fdtd._kernels.cpml_e` / :func:`~electromagnetics.fdtd._kernels.cpml_h`
    add ``(1/kappa - 1) dF/dn + psi`` for the four tangential components, with
    ``psi = b psi + a dF/dn``, ``b = exp(-(sigma/kappa + alpha) dt/eps0)``,
    ``a = sigma (b - 1)/(kappa (sigma + kappa alpha))``. The slab is backed by a wall.

    Parameters
    ----------
    thickness : int
        Cells, >= 1 (and less than half the axis).
    order : float
        Grading exponent m (default 3).
    sigma_max : float, optional
        S/m; default ``0.8 (m + 1)/(eta0 d sqrt(eps_r mu_r))``, the usual optimum [2]_.
    kappa_max : float
        >= 1 (default 1: real stretching is not needed for propagating waves; raise it for
        evanescent fields near the layer).
    alpha_max : float
        S/m, >= 0 (default 0).
    eps_r, mu_r : float
        Relative permittivity/permeability of the medium next to the layer (for ``sigma_max``).

    References
    ----------
    .. [1] J. A. Roden and S. D. Gedney, Microw. Opt. Technol. Lett. 27, 334 (2000).
    .. [2] A. Taflove and S. C. Hagness, Computational Electrodynamics, 3rd ed. (2005), sec. 7.8.
    """

    def __init__(self, thickness=10, order=3.0, sigma_max=None, kappa_max=1.0, alpha_max=0.0,
                 eps_r=1.0, mu_r=1.0):
        if int(thickness) != thickness or thickness < 1:
            raise InputError(f"CPML.thickness={thickness!r} must be an integer >= 1 (cells)")
        self.thickness = int(thickness)
        self.order = check_range("CPML.order", float(order), 0, 10)
        if sigma_max is not None:
            check_range("CPML.sigma_max", float(sigma_max), 0, None)
        self.sigma_max = sigma_max
        self.kappa_max = check_range("CPML.kappa_max", float(kappa_max), 1, None)
        self.alpha_max = check_range("CPML.alpha_max", float(alpha_max), 0, None)
        self.eps_r = check_range("CPML.eps_r", float(eps_r), 0, None, low_open=True)
        self.mu_r = check_range("CPML.mu_r", float(mu_r), 0, None, low_open=True)

    def profiles(self, d, dt, high, shift):
        """``(kinv1, a, b)`` at the slab's nodes; ``shift`` = 0 for E nodes, 0.5 for H nodes."""
        L = self.thickness
        m = self.order
        smax = self.sigma_max
        if smax is None:
            smax = 0.8 * (m + 1) / (ETA0 * d * math.sqrt(self.eps_r * self.mu_r))
        l = np.arange(L, dtype=float)
        r = (l + shift) / L if high else (L - l - shift) / L
        r = np.clip(r, 0.0, 1.0)
        sigma = smax * r**m
        kappa = 1 + (self.kappa_max - 1) * r**m
        alpha = self.alpha_max * (1 - r)
        b = np.exp(-(sigma / kappa + alpha) * dt / EPS0)
        den = kappa * (sigma + kappa * alpha)
        a = np.where(den > 0, sigma * (b - 1) / np.where(den > 0, den, 1), 0.0)
        return 1 / kappa - 1, a, b

    def make_slab(self, grid, axis, high, dtype):
        n = grid.shape[axis]
        if 2 * self.thickness > n:
            raise InputError(f"CPML.thickness={self.thickness} on {'xyz'[axis]}{'+' if high else '-'} is too "
                             f"thick for {n} cells along {'xyz'[axis]}; allowed: <= {n // 2} "
                             "(both faces' layers must fit in the domain)")
        return CPMLSlab(self, grid, axis, high, dtype)


class CPMLSlab:
    """Runtime state of one CPML layer: profiles and the four psi arrays, shape (L, m1, m2)."""

    def __init__(self, spec, grid, axis, high, dtype):
        self.axis = axis
        self.high = high
        L = spec.thickness
        n = grid.shape[axis]
        d = grid.spacing[axis]
        self.i0 = n - L if high else 0
        self.rd = grid.dtype.type(1.0 / d)
        self.perm = _PERM[axis]
        rdt = np.zeros(0, dtype).real.dtype
        self.e_prof = tuple(np.ascontiguousarray(p, dtype=rdt) for p in spec.profiles(d, grid.dt, high, 0.0))
        self.h_prof = tuple(np.ascontiguousarray(p, dtype=rdt) for p in spec.profiles(d, grid.dt, high, 0.5))
        tshape = tuple(grid.shape[p] for p in self.perm)
        shape = (L,) + tshape[1:]
        self.psi = {name: np.zeros(shape, dtype) for name in ("eu", "ev", "hu", "hv")}
        self.kernels = (K.cpml_h, K.cpml_e)  # the simulation may swap in the serial twins
        self.u = (axis + 1) % 3
        self.v = (axis + 2) % 3

    def attach(self, fields, cb, db):
        """Pre-compute the transposed views of the fields and coefficients this slab works on."""
        u, v = self.u, self.v
        t = lambda a: np.transpose(a, self.perm)
        kh, ke = self.kernels
        self._e_args = (t(fields.E[u]), t(fields.E[v]), t(fields.H[u]), t(fields.H[v]), self.psi["eu"],
                        self.psi["ev"], t(cb[u]), t(cb[v]), self.i0, *self.e_prof, self.rd)
        self._h_args = (t(fields.H[u]), t(fields.H[v]), t(fields.E[u]), t(fields.E[v]), self.psi["hu"],
                        self.psi["hv"], t(db[u]), t(db[v]), self.i0, *self.h_prof, self.rd)

    def update_e(self):
        """Apply the E correction in this slab (after the bulk E update)."""
        self.kernels[1](*self._e_args)

    def update_h(self):
        """Apply the H correction in this slab (after the bulk H update)."""
        self.kernels[0](*self._h_args)
