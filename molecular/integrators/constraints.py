"""Holonomic distance constraints: SHAKE/RATTLE for bonds (e.g. to hydrogen), analytic SETTLE for rigid
three-site water, their virial, and a constrained velocity-Verlet integrator."""

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.integrators import _constraint_kernels as CK
from molecular.integrators.base import Integrator
from molecular.units import KB


class ConstraintError(RuntimeError):
    """An iterative constraint solver did not converge (the message names the solver and the step size)."""


def _box(system):
    periodic = system.box is not None
    return (system.box.h if periodic else np.zeros((3, 3))), periodic


class ShakeRattle:
    """SHAKE for positions and RATTLE for velocities on a list of fixed distances.

    Parameters
    ----------
    pairs : array_like (C, 2) of int
        Constrained atom pairs (typically bonds to hydrogen).
    distances : float or array_like (C,)
        Constrained lengths, nm, > 0.
    tol : float
        Relative tolerance on the lengths (``|r - d| / d``), in (0, 1e-3]. Default 1e-10.
    max_iter : int
        Most sweeps over the constraints, >= 1.

    References
    ----------
    .. [1] J.-P. Ryckaert, G. Ciccotti, H. J. C. Berendsen, J. Comput. Phys. 23, 327 (1977).
    .. [2] H. C. Andersen, J. Comput. Phys. 52, 24 (1983).
    """

    def __init__(self, pairs, distances, tol=1e-10, max_iter=1000):
        p = np.asarray(pairs)
        if p.ndim != 2 or p.shape[1] != 2 or not np.issubdtype(p.dtype, np.integer):
            raise InputError(f"pairs has shape {p.shape}; allowed: (C, 2) integer atom pairs")
        if np.any(p[:, 0] == p[:, 1]):
            k = int(np.argmax(p[:, 0] == p[:, 1]))
            raise InputError(f"pairs[{k}] = {p[k].tolist()} constrains an atom to itself")
        self.pairs = np.ascontiguousarray(p, dtype=np.int64)
        d = np.broadcast_to(np.asarray(distances, dtype=np.float64), (len(p),)).copy()
        for i, x in enumerate(d):
            check_range(f"distances[{i}]", float(x), 0.0, None, low_open=True)
        self.distances = d
        self.tol = check_range("tol", float(tol), 0.0, 1e-3, low_open=True)
        self.max_iter = int(check_range("max_iter", int(max_iter), 1, None))
        self.iterations = 0

    @property
    def n_constraints(self):
        return len(self.pairs)

    def check(self, system):
        if self.pairs.size and (self.pairs.min() < 0 or self.pairs.max() >= system.n_atoms):
            raise InputError(f"constraint pairs name atoms outside 0..{system.n_atoms - 1}")

    def apply_positions(self, system, xref, dt):
        """Constrain ``system.positions`` (in place) with corrections along the bonds of ``xref``.

        Returns the constraint virial ``sum_c rref_c (x) G_c`` (3, 3) kJ/mol, with the constraint
        force ``G = 2 m dx / dt^2`` of velocity Verlet (``dt`` in ps).
        """
        h, periodic = _box(system)
        lam = np.zeros(len(self.pairs))
        it = CK.shake(np.ascontiguousarray(xref), system.positions, 1.0 / system.masses, self.pairs,
                      self.distances, h, periodic, self.tol, self.max_iter, lam)
        if it < 0:
            raise ConstraintError(f"SHAKE did not converge in max_iter={self.max_iter} sweeps (tol={self.tol:g}); "
                                  f"reduce the time step dt={dt:g} ps")
        self.iterations = it
        rref = xref[self.pairs[:, 0]] - xref[self.pairs[:, 1]]
        if periodic:
            rref = system.box.minimum_image(rref)
        return 2.0 / dt**2 * np.einsum("c,ca,cb->ab", lam, rref, rref)

    def apply_velocities(self, system):
        """Remove the velocity components along the constrained bonds (RATTLE, in place)."""
        h, periodic = _box(system)
        it = CK.rattle_velocities(system.positions, system.velocities, 1.0 / system.masses, self.pairs,
                                  self.distances, h, periodic, self.tol, self.max_iter)
        if it < 0:
            raise ConstraintError(f"RATTLE did not converge in max_iter={self.max_iter} sweeps (tol={self.tol:g})")


class Settle:
    """Analytic SETTLE constraints for rigid three-site waters ``(O, H1, H2)``.

    Parameters
    ----------
    waters : array_like (W, 3) of int
        Atom indices ``(O, H1, H2)`` of each water.
    d_oh, d_hh : float
        O-H and H-H distances, nm (SPC/E: 0.1 and 0.16330; TIP3P: 0.09572 and 0.15139).

    References
    ----------
    .. [1] S. Miyamoto, P. A. Kollman, J. Comput. Chem. 13, 952 (1992).
    """

    def __init__(self, waters, d_oh, d_hh):
        w = np.asarray(waters)
        if w.ndim != 2 or w.shape[1] != 3 or not np.issubdtype(w.dtype, np.integer):
            raise InputError(f"waters has shape {w.shape}; allowed: (W, 3) integer (O, H1, H2) indices")
        self.waters = np.ascontiguousarray(w, dtype=np.int64)
        self.d_oh = check_range("d_oh", float(d_oh), 0.0, None, low_open=True)
        self.d_hh = check_range("d_hh", float(d_hh), 0.0, 2 * self.d_oh, low_open=True, high_open=True)

    @property
    def n_constraints(self):
        return 3 * len(self.waters)

    def check(self, system):
        if self.waters.size and (self.waters.min() < 0 or self.waters.max() >= system.n_atoms):
            raise InputError(f"waters name atoms outside 0..{system.n_atoms - 1}")
        m = system.masses[self.waters]
        if not np.allclose(m[:, 1], m[:, 2]):
            raise InputError("SETTLE needs equal masses of the two hydrogens of each water")

    def apply_positions(self, system, xref, dt):
        """Constrain ``system.positions`` (in place); return the virial as :meth:`ShakeRattle.apply_positions`."""
        h, periodic = _box(system)
        x_unc = system.positions.copy()
        CK.settle_positions(np.ascontiguousarray(xref), system.positions, system.masses, self.waters, self.d_oh,
                            self.d_hh, h, periodic)
        g = 2.0 / dt**2 * system.masses[:, None] * (system.positions - x_unc)
        o = self.waters[:, 0]
        w = np.zeros((3, 3))
        for k in (1, 2):
            a = self.waters[:, k]
            r = xref[a] - xref[o]
            if periodic:
                r = system.box.minimum_image(r)
            w += np.einsum("wa,wb->ab", r, g[a])
        return w

    def apply_velocities(self, system):
        h, periodic = _box(system)
        CK.settle_velocities(system.positions, system.velocities, system.masses, self.waters, h, periodic)


class ConstrainedVelocityVerlet(Integrator):
    """Velocity Verlet with holonomic constraints (RATTLE scheme; SHAKE and/or SETTLE solvers).

    ``v += dt/2 F/m; x += dt v; constrain x (v = dx/dt); F = F(x); v += dt/2 F/m; constrain v``.
    :attr:`constraint_virial` holds the position-stage constraint virial (3, 3), kJ/mol, of the last
    step, to add to the force virial for the pressure. The degrees of freedom exclude the constraints.

    Parameters
    ----------
    constraints : ShakeRattle, Settle or sequence of them
    kB : float
    """

    def __init__(self, constraints, kB=KB):
        super().__init__(kB)
        cons = [constraints] if isinstance(constraints, ShakeRattle | Settle) else list(constraints)
        for c in cons:
            if not isinstance(c, ShakeRattle | Settle):
                raise InputError(f"constraints contains a {type(c).__name__}; allowed: ShakeRattle, Settle")
        self.constraints = cons
        self.constraint_virial = np.zeros((3, 3))

    def attach(self, system, forcefield, n_constraints=None):
        for c in self.constraints:
            c.check(system)
        n = sum(c.n_constraints for c in self.constraints) if n_constraints is None else n_constraints
        return super().attach(system, forcefield, n)

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]

    def _step_impl(self, dt):
        s = self.system
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        xref = s.positions.copy()
        s.positions += dt * s.velocities
        w = np.zeros((3, 3))
        for c in self.constraints:
            w += c.apply_positions(s, xref, dt)
        self.constraint_virial = w
        s.velocities = (s.positions - xref) / dt
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m
        for c in self.constraints:
            c.apply_velocities(s)
