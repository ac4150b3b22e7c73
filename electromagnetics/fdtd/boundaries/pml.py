"""Convolutional PML (CFS-CPML) absorbing layers; all PML work is confined to the slabs."""

import math

import numpy as np
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

from electromagnetics.fdtd import _kernels as K
from electromagnetics.fdtd import _kernels_2d as K2
from electromagnetics.fdtd.boundaries.base import Boundary
from mindscience.errors import InputError, check_range

ETA0 = math.sqrt(MU0 / EPS0)

# transposition that brings axis d first (the slab kernels work along axis 0)
_PERM = {0: (0, 1, 2), 1: (1, 0, 2), 2: (2, 0, 1)}
# serial twins of the 2D slab kernels: a 2048-cell edge x 10 layers takes ~0.1 ms serially, less
# than the launch of a parallel loop on a loaded machine (measured 0.05-0.13 ms vs 0.17-0.28 ms)
_SERIAL = {K2.cpml_h_one: K2.cpml_h_one_serial, K2.cpml_e_one: K2.cpml_e_one_serial}


class CPML(Boundary):
    """Complex-frequency-shifted convolutional PML of ``thickness`` cells on a face [1]_.

    Graded profiles with depth fraction ``r`` (0 at the inner interface, 1 at the outer wall)::

        sigma = sigma_max r^m,   kappa = 1 + (kappa_max - 1) r^m,   alpha = alpha_max (1 - r)

    The bulk update runs with kappa = 1 everywhere; inside the slab the kernels add (3D: fused into
    :func:`~electromagnetics.fdtd._kernels.update_e_cpml` / :func:`~electromagnetics.fdtd._kernels.update_h_cpml`;
    1D/2D: :func:`~electromagnetics.fdtd._kernels_2d.cpml_e_one` /
    :func:`~electromagnetics.fdtd._kernels_2d.cpml_h_one`,
    one call per component, so a single-polarisation run corrects only its own two)
    ``(1/kappa - 1) dF/dn + psi`` for the four tangential components, with ``psi = b psi + a dF/dn``,
    ``b = exp(-(sigma/kappa + alpha) dt/eps0)``, ``a = sigma (b - 1)/(kappa (sigma + kappa alpha))``.
    The slab is backed by a wall.

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
    """Runtime state of one CPML layer: profiles and the four psi arrays.

    The psi arrays are in the grid's axis order with ``L`` layers along the slab's axis (shape
    ``(L, ny, nz)`` for an x slab, ``(nx, L, nz)`` for y, ``(nx, ny, L)`` for z). 3D simulations
    update them inside the fused kernels (:func:`cpml_axis_arrays` makes them views of per-axis
    arrays); 1D and 2D simulations call :meth:`update_h`/:meth:`update_e` after the bulk update.
    In 1D/2D each polarisation owns two of the four arrays (:meth:`psi_names`): a TM or TE run
    (``FDTDSimulation(..., polarization=...)``) updates only those.
    """

    def __init__(self, spec, grid, axis, high, dtype):
        self.axis = axis
        self.high = high
        self.thickness = L = spec.thickness
        n = grid.shape[axis]
        d = grid.spacing[axis]
        self.i0 = n - L if high else 0
        self.rd = grid.dtype.type(1.0 / d)
        self.perm = _PERM[axis]
        rdt = np.zeros(0, dtype).real.dtype
        self.e_prof = tuple(np.ascontiguousarray(p, dtype=rdt) for p in spec.profiles(d, grid.dt, high, 0.0))
        self.h_prof = tuple(np.ascontiguousarray(p, dtype=rdt) for p in spec.profiles(d, grid.dt, high, 0.5))
        shape = list(grid.shape)
        shape[axis] = L
        self.psi = {name: np.zeros(shape, dtype) for name in ("eu", "ev", "hu", "hv")}
        self.ndim = grid.ndim
        self.cells = math.prod(shape)
        self.polarization = "both"
        # the simulation picks parallel or serial kernels with set_kernels
        self.kernels = (K2.cpml_h_one, K2.cpml_e_one) if self.ndim < 3 else (K.cpml_h, K.cpml_e)
        self.u = (axis + 1) % 3
        self.v = (axis + 2) % 3

    def set_kernels(self, kch, kce, polarization="both"):
        """Select the slab kernels of 1D/2D grids (:meth:`attach` first, or after).

        1D and 2D: the one-component ``cpml_h_one``/``cpml_e_one`` of
        :mod:`~electromagnetics.fdtd._kernels_2d` (or serial twins), called for the tangential E and
        H component of "TM" or "TE", or of both polarisations. 3D (when not fused): ``(cpml_h,
        cpml_e)`` of :mod:`~electromagnetics.fdtd._kernels` or their serial twins, "both".
        """
        if polarization not in ("both", "TM", "TE") or (polarization != "both" and self.ndim == 3):
            raise InputError(f"polarization={polarization!r} must be 'both', 'TM' or 'TE' (TM/TE: 1D/2D grids)")
        if self.cells < K.PARALLEL_MIN_CELLS:  # a thread launch costs more than a small slab's work
            kch, kce = _SERIAL.get(kch, kch), _SERIAL.get(kce, kce)
        self.kernels = (kch, kce)
        self.polarization = polarization

    def psi_names(self, polarization):
        """Names of the psi arrays of ``polarization`` ("TM" or "TE"; x or y slab of a 1D/2D grid).

        Each polarisation has one tangential E and one tangential H component in the slab: either
        ``(E_u, H_v)`` (psi "eu", "hv") or ``(E_v, H_u)`` (psi "ev", "hu"), for the right-handed
        triple (normal, u, v).
        """
        if self.axis == 2:
            raise InputError("a z slab has no single-polarisation split (3D grids update both)")
        z_is_u = self.u == 2
        # TM: E_z is tangential; TE: H_z is. E_u pairs with H_v, E_v with H_u.
        u_type = z_is_u if polarization == "TM" else not z_is_u
        return ("eu", "hv") if u_type else ("ev", "hu")

    def attach(self, fields, cb, db):
        """Pre-compute the views (normal axis first) the slab kernels of 1D/2D grids work on."""
        u, v = self.u, self.v
        t = lambda a: np.transpose(a, self.perm)
        p = {k: t(a) for k, a in self.psi.items()}
        if self.ndim == 3:  # the two-component kernels (3D without fusion): one call per half step
            self._args = {"both": (
                [(t(fields.H[u]), t(fields.H[v]), t(fields.E[u]), t(fields.E[v]), p["hu"],
                  p["hv"], t(db[u]), t(db[v]), self.i0, *self.h_prof, self.rd)],
                [(t(fields.E[u]), t(fields.E[v]), t(fields.H[u]), t(fields.H[v]), p["eu"],
                  p["ev"], t(cb[u]), t(cb[v]), self.i0, *self.e_prof, self.rd)])}
            return
        self._args = {}
        for pol in ("TM", "TE"):
            if self.psi_names(pol) == ("eu", "hv"):  # E_u from H_v and H_v from E_u, both subtracted
                ce, ch, pe, ph, sub = u, v, "eu", "hv", True
            else:  # E_v from H_u and H_u from E_v, both added
                ce, ch, pe, ph, sub = v, u, "ev", "hu", False
            self._args[pol] = (
                [(t(fields.H[ch]), t(fields.E[ce]), p[ph], t(db[ch]), self.i0, *self.h_prof, self.rd, sub)],
                [(t(fields.E[ce]), t(fields.H[ch]), p[pe], t(cb[ce]), self.i0, *self.e_prof, self.rd, sub)])
        # both: the two components are independent (each reads the other field only), so two calls
        self._args["both"] = tuple(self._args["TM"][k] + self._args["TE"][k] for k in range(2))

    def update_e(self):
        """Apply the E correction in this slab (after the bulk E update)."""
        for args in self._args[self.polarization][1]:
            self.kernels[1](*args)

    def update_h(self):
        """Apply the H correction in this slab (after the bulk H update)."""
        for args in self._args[self.polarization][0]:
            self.kernels[0](*args)


def cpml_axis_arrays(slabs, grid, dtype):
    """Per-axis CPML arrays of the fused 3D kernels; each slab's psi becomes a view into them.

    Parameters
    ----------
    slabs : list of CPMLSlab
    grid : Grid
    dtype : numpy dtype
        Field dtype (psi arrays); profiles are real.

    Returns
    -------
    pos : tuple of 3 ndarray of int32, shapes (n_d,)
        Layer index of each grid index along the axis (-1 outside the layers).
    prof_e, prof_h : tuple of 3 ndarray, shapes (3, n_d)
        ``1/kappa - 1``, ``a``, ``b`` at the E and H nodes (zeros outside the layers).
    psi_e, psi_h : tuple of 3 ndarray
        Shapes ``(2, Lx, ny, nz)``, ``(2, nx, Ly, nz)``, ``(2, nx, ny, Lz)`` (``L_d`` = total
        thickness on the axis, possibly 0); ``[0]`` is psi "u", ``[1]`` psi "v" of the slabs.
    """
    rdt = np.zeros(0, dtype).real.dtype
    pos, prof_e, prof_h, psi_e, psi_h = [], [], [], [], []
    for ax in range(3):
        n = grid.shape[ax]
        mine = sorted((s for s in slabs if s.axis == ax), key=lambda s: s.high)
        total = sum(s.thickness for s in mine)
        shape = list(grid.shape)
        shape[ax] = total
        p = np.full(n, -1, np.int32)
        pe, ph = np.zeros((3, n), rdt), np.zeros((3, n), rdt)
        se, sh = np.zeros((2, *shape), dtype), np.zeros((2, *shape), dtype)
        off = 0
        for s in mine:
            idx = np.arange(s.i0, s.i0 + s.thickness)
            p[idx] = off + np.arange(s.thickness)
            pe[:, idx] = np.stack(s.e_prof)
            ph[:, idx] = np.stack(s.h_prof)
            sl = [slice(None)] * 3
            sl[ax] = slice(off, off + s.thickness)
            sl = tuple(sl)
            for name, arr in (("eu", se[0]), ("ev", se[1]), ("hu", sh[0]), ("hv", sh[1])):
                arr[sl] = s.psi[name]
                s.psi[name] = arr[sl]
            off += s.thickness
        pos.append(p)
        prof_e.append(pe)
        prof_h.append(ph)
        psi_e.append(se)
        psi_h.append(sh)
    return tuple(pos), tuple(prof_e), tuple(prof_h), tuple(psi_e), tuple(psi_h)
