"""Near-to-far-field transform (2D and 3D) from DFT fields on a closed box (surface equivalence).

Love's equivalence on the box surface with outward normal n: ``J = n x H``, ``M = -n x E``.
With the ``exp(-i omega t)`` convention, the radiation vectors

    N(r^) = sum J exp(-i k r^.r') dS',    L(r^) = sum M exp(-i k r^.r') dS'

give the far field [1]_ (3D, distance r):

    E_theta = i k exp(i k r)/(4 pi r) (eta N_theta + L_phi)
    E_phi   = i k exp(i k r)/(4 pi r) (eta N_phi - L_theta)

In 2D (grid in the xy-plane, observation angle phi in that plane, distance rho) the Green's
function's asymptote ``(i/4) H0(k rho) ~ (i/4) sqrt(2/(pi k rho)) exp(i(k rho - pi/4))`` replaces
``exp(i k r)/(4 pi r)``, the sums run over the box's edges (dl) and theta = pi/2 (``E_z = -E_theta``).

.. [1] C. A. Balanis, Antenna Theory, 4th ed. (2016), sec. 12.2 (here in exp(-i omega t) form);
   A. Taflove and S. C. Hagness, Computational Electrodynamics, 3rd ed. (2005), ch. 8.
"""

import numpy as np
from scipy.constants import c as C0
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

from electromagnetics.fdtd.grid import AXES
from electromagnetics.fdtd.monitors import FluxMonitor
from mindscience.errors import InputError

ETA0 = np.sqrt(MU0 / EPS0)


class Near2Far:
    """DFT fields on the faces of a box around the sources, transformed to the far zone.

    Create it, pass :attr:`monitors` to the simulation (``monitors=[*n2f.monitors, ...]``), run
    until the fields have decayed, then call :meth:`far_field`.

    Parameters
    ----------
    lo, hi : sequence of float
        Box corners, m (inside the domain and outside any PML; vacuum on the box).
    frequencies : sequence of float
        Hz.

    Examples
    --------
    >>> n2f = Near2Far((0.01, 0.01, 0.01), (0.03, 0.03, 0.03), [5e9])           # doctest: +SKIP
    >>> sim = FDTDSimulation(grid, sources=[...], monitors=n2f.monitors)        # doctest: +SKIP
    >>> E_theta, E_phi = n2f.far_field(theta, phi, r=1.0)                       # doctest: +SKIP
    """

    def __init__(self, lo, hi, frequencies):
        self.lo = np.asarray(lo, float)
        self.hi = np.asarray(hi, float)
        if self.lo.shape != self.hi.shape or np.any(self.hi <= self.lo):
            raise InputError(f"Near2Far: hi={tuple(self.hi)} must exceed lo={tuple(self.lo)} on every axis (m)")
        self.frequencies = np.atleast_1d(np.asarray(frequencies, float))
        nd = self.lo.size
        self.faces = []
        for d in range(nd):
            for side, pos in ((-1, self.lo[d]), (1, self.hi[d])):
                mon = FluxMonitor(AXES[d], pos, self.frequencies, lo=tuple(self.lo), hi=tuple(self.hi))
                self.faces.append((d, side, mon))
        self.monitors = [m for _, _, m in self.faces]

    def _currents(self, d, side, mon):
        """Surface currents J, M (3 components each, nf x npts) and node positions per component."""
        g = mon.sim.grid
        u, v = mon.u, mon.v
        n = np.zeros(3)
        n[d] = side
        E = {u: mon.dft["E", u], v: mon.dft["E", v]}
        H = {u: mon.dft["H", u], v: mon.dft["H", v]}
        pos, wts = {}, {}
        for comp in (u, v):
            idx = mon.index["E", comp]
            xs = [c[s] for c, s in zip(g.coords("E" + AXES[comp]), idx)]
            X = np.meshgrid(*xs, indexing="ij")
            pos[comp] = np.stack([x.reshape(-1) for x in X], axis=1)     # (npts, 3)
            # trapezoid rule: nodes on the box's edges belong half to each of the two faces
            w = np.ones(pos[comp].shape[0])
            for ax in range(self.lo.size):
                if ax != d and g.active[ax]:
                    tol = 1e-6 * g.spacing[ax]
                    x = pos[comp][:, ax]
                    on_edge = (np.abs(x - self.lo[ax]) < tol) | (np.abs(x - self.hi[ax]) < tol)
                    w[on_edge] *= 0.5
            wts[comp] = w
        E = {c: E[c] * wts[c] for c in (u, v)}
        H = {u: H[u] * wts[v], v: H[v] * wts[u]}
        # n x F for n along d: (n x F)_u = -side F_v ; (n x F)_v = side F_u (cyclic d, u, v)
        J = {u: -side * H[v], v: side * H[u]}
        M = {u: side * E[v], v: -side * E[u]}
        # H_v shares E_u's nodes: J_u and M_v sit on E_u's nodes, J_v and M_u on E_v's
        return J, M, {u: pos[u], v: pos[v]}, {u: pos[v], v: pos[u]}, mon.area

    def radiation_vectors(self, direction):
        """N and L (complex, shape (nf, 3)) for unit direction vectors ``direction`` (shape (m, 3)).

        Returns
        -------
        N, L : ndarray, shape (nf, m, 3)
        """
        rh = np.atleast_2d(np.asarray(direction, float))
        k = 2 * np.pi * self.frequencies / C0
        nf, m = k.size, rh.shape[0]
        N = np.zeros((nf, m, 3), complex)
        L = np.zeros((nf, m, 3), complex)
        for d, side, mon in self.faces:
            if mon.sim is None:
                raise InputError("Near2Far: run a simulation with n2f.monitors first")
            J, M, pos_j, pos_m, area = self._currents(d, side, mon)
            for comp in J:
                phase = np.exp(-1j * k[:, None, None] * (rh @ pos_j[comp].T)[None])    # (nf, m, npts)
                N[:, :, comp] += np.einsum("fmp,fp->fm", phase, J[comp]) * area
                phase = np.exp(-1j * k[:, None, None] * (rh @ pos_m[comp].T)[None])
                L[:, :, comp] += np.einsum("fmp,fp->fm", phase, M[comp]) * area
        return N, L

    def far_field(self, theta, phi, r=1.0):
        """Far-zone ``(E_theta, E_phi)`` at distance ``r`` (m) in the DFT's units (V s/m).

        Parameters
        ----------
        theta, phi : array_like
            Angles, rad (broadcast together; 2D grids: use theta = pi/2, phi in the plane).
        r : float
            Distance, m.

        Returns
        -------
        E_theta, E_phi : ndarray, shape (nf, m)
        """
        th, ph = np.broadcast_arrays(np.asarray(theta, float), np.asarray(phi, float))
        th, ph = th.reshape(-1), ph.reshape(-1)
        rh = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1)
        tv = np.stack([np.cos(th) * np.cos(ph), np.cos(th) * np.sin(ph), -np.sin(th)], axis=1)
        pv = np.stack([-np.sin(ph), np.cos(ph), np.zeros_like(ph)], axis=1)
        N, L = self.radiation_vectors(rh)
        Nt, Np = np.einsum("fmc,mc->fm", N, tv), np.einsum("fmc,mc->fm", N, pv)
        Lt, Lp = np.einsum("fmc,mc->fm", L, tv), np.einsum("fmc,mc->fm", L, pv)
        k = (2 * np.pi * self.frequencies / C0)[:, None]
        if self.lo.size == 3:
            g = 1j * k * np.exp(1j * k * r) / (4 * np.pi * r)
        else:
            g = 1j * k * (1j / 4) * np.sqrt(2 / (np.pi * k * r)) * np.exp(1j * (k * r - np.pi / 4))
        return g * (ETA0 * Nt + Lp), g * (ETA0 * Np - Lt)

    def radiated_power(self, n_theta=36, n_phi=72):
        """Total far-zone power ``r^2/eta0 sum |E|^2 dOmega`` (3D) or ``rho/eta0 sum |E|^2 dphi`` (2D),
        in the units of :meth:`FluxMonitor.flux` (so the two can be compared); shape (nf,)."""
        r = 1.0
        if self.lo.size == 3:
            th = (np.arange(n_theta) + 0.5) * np.pi / n_theta
            ph = np.arange(n_phi) * 2 * np.pi / n_phi
            T, P = np.meshgrid(th, ph, indexing="ij")
            Et, Ep = self.far_field(T, P, r)
            w = (np.sin(T) * (np.pi / n_theta) * (2 * np.pi / n_phi)).reshape(-1)
            return r**2 / ETA0 * ((np.abs(Et) ** 2 + np.abs(Ep) ** 2) * w).sum(axis=1)
        ph = np.arange(n_phi) * 2 * np.pi / n_phi
        Et, Ep = self.far_field(np.pi / 2, ph, r)
        return r / ETA0 * ((np.abs(Et) ** 2 + np.abs(Ep) ** 2) * (2 * np.pi / n_phi)).sum(axis=1)

    def box_flux(self):
        """Net outward spectral flux through the box (trapezoid weights on the edges), shape (nf,).

        Same units as :meth:`radiated_power`, for energy-balance checks of the transform.
        """
        total = 0.0
        for d, side, mon in self.faces:
            J, M, _, _, area = self._currents(d, side, mon)
            u, v = mon.u, mon.v
            # n.(E x H*) = side (E_u H_v* - E_v H_u*), with J = n x H and M = -n x E:
            # E_u = -side M_v, E_v = side M_u (weighted once), H from the raw DFT
            Eu, Ev = -side * M[v], side * M[u]
            total = total + side * np.real((Eu * np.conj(mon.dft["H", v])).sum(axis=1)
                                           - (Ev * np.conj(mon.dft["H", u])).sum(axis=1)) * area
        return total
