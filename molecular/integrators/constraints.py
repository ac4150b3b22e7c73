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

    def apply_positions(self, system, xref, dt, virial=True):
        """Constrain ``system.positions`` (in place) with corrections along the bonds of ``xref``.

        Returns the constraint virial ``sum_c rref_c (x) G_c`` (3, 3) kJ/mol, with the constraint
        force ``G = 2 m dx / dt^2`` of velocity Verlet (``dt`` in ps); None unless ``virial``.
        """
        h, periodic = _box(system)
        lam = np.zeros(len(self.pairs))
        it = CK.shake(np.ascontiguousarray(xref), system.positions, 1.0 / system.masses, self.pairs,
                      self.distances, h, periodic, self.tol, self.max_iter, lam)
        if it < 0:
            raise ConstraintError(f"SHAKE did not converge in max_iter={self.max_iter} sweeps (tol={self.tol:g}); "
                                  f"reduce the time step dt={dt:g} ps")
        self.iterations = it
        if not virial:
            return None
        rref = xref[self.pairs[:, 0]] - xref[self.pairs[:, 1]]
        if periodic:
            rref = system.box.minimum_image(rref)
        return 2.0 / dt**2 * np.einsum("c,ca,cb->ab", lam, rref, rref)

    def constraint_virial(self, system, forces):
        """Virial (3, 3), kJ/mol, of the exact constraint forces at the current state.

        The multipliers solve ``d^2/dt^2 |r_c|^2 / 2 = |v_c|^2 + r_c . (a_i - a_j) = 0`` for all
        constraints at once, with ``a = (F + G) / m`` and ``forces`` ``F`` (N, 3), kJ/mol/nm; the
        virial is ``sum_c lambda_c r_c (x) r_c``. Exact for the current positions and (constrained)
        velocities, unlike the constraint forces of a time step, which lag or lead by O(dt).
        """
        if not len(self.pairs):
            return np.zeros((3, 3))
        return _shake_constraint_virial(system, np.asarray(forces), self.pairs)

    def apply_velocities(self, system, dt=None):
        """Remove the velocity components along the constrained bonds (RATTLE, in place).

        With ``dt`` (ps), return the virial ``sum_c r_c (x) G_c`` (3, 3) kJ/mol of the constraint
        forces ``G = 2 m dv / dt`` of a closing half kick (the constraint forces at the current
        positions, time-aligned with the forces of the step); else None.
        """
        h, periodic = _box(system)
        lam = np.zeros(len(self.pairs))
        it = CK.rattle_velocities(system.positions, system.velocities, 1.0 / system.masses, self.pairs,
                                  self.distances, h, periodic, self.tol, self.max_iter, lam)
        if it < 0:
            raise ConstraintError(f"RATTLE did not converge in max_iter={self.max_iter} sweeps (tol={self.tol:g})")
        if dt is None:
            return None
        r = system.positions[self.pairs[:, 0]] - system.positions[self.pairs[:, 1]]
        if periodic:
            r = system.box.minimum_image(r)
        return 2.0 / dt * np.einsum("c,ca,cb->ab", lam, r, r)


def _shake_constraint_virial(system, forces, pairs):
    """Exact instantaneous constraint virial of distance constraints (sparse linear solve, see
    :meth:`ShakeRattle.constraint_virial`)."""
    import scipy.sparse
    import scipy.sparse.linalg

    x, v, m = system.positions, system.velocities, system.masses
    i, j = pairs[:, 0], pairs[:, 1]
    r = x[i] - x[j]
    if system.box is not None:
        r = system.box.minimum_image(r)
    vr = v[i] - v[j]
    rhs = -(np.einsum("ca,ca->c", vr, vr) + np.einsum("ca,ca->c", r, forces[i] / m[i, None] - forces[j] / m[j, None]))
    # A[c, e] = r_c . r_e (s_ie / m_i - s_je / m_j), s = +1 (first atom of e), -1 (second atom of e), 0
    rows, cols, vals = [], [], []
    atom_cons = {}
    for e, (a, b) in enumerate(pairs):
        atom_cons.setdefault(int(a), []).append((e, 1.0))
        atom_cons.setdefault(int(b), []).append((e, -1.0))
    for c, (a, b) in enumerate(pairs):
        for atom, sign_c in ((int(a), 1.0), (int(b), -1.0)):
            for e, sign_e in atom_cons[atom]:
                rows.append(c)
                cols.append(e)
                vals.append(sign_c * sign_e / m[atom] * float(r[c] @ r[e]))
    mat = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(pairs), len(pairs)))
    lam = scipy.sparse.linalg.spsolve(mat.tocsc(), rhs)
    return np.einsum("c,ca,cb->ab", np.atleast_1d(lam), r, r)


def _water_virial(system, x, waters, g, periodic):
    """``sum_w sum_k (x_k - x_O) (x) g_k``: the virial of forces ``g`` internal to each water (sum zero)."""
    o = waters[:, 0]
    w = np.zeros((3, 3))
    for k in (1, 2):
        a = waters[:, k]
        r = x[a] - x[o]
        if periodic:
            r = system.box.minimum_image(r)
        w += np.einsum("wa,wb->ab", r, g[a])
    return w


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

    def apply_positions(self, system, xref, dt, virial=True):
        """Constrain ``system.positions`` (in place); return the virial as :meth:`ShakeRattle.apply_positions`
        (None unless ``virial``)."""
        h, periodic = _box(system)
        x_unc = system.positions.copy() if virial else None
        CK.settle_positions(np.ascontiguousarray(xref), system.positions, system.masses, self.waters, self.d_oh,
                            self.d_hh, h, periodic)
        if not virial:
            return None
        g = 2.0 / dt**2 * system.masses[:, None] * (system.positions - x_unc)
        return _water_virial(system, xref, self.waters, g, periodic)

    def constraint_virial(self, system, forces):
        """Virial (3, 3), kJ/mol, of the exact constraint forces at the current state (3x3 solve per water,
        see :meth:`ShakeRattle.constraint_virial`)."""
        h, periodic = _box(system)
        w = np.zeros((3, 3))
        CK.settle_constraint_virial(system.positions, system.velocities, np.ascontiguousarray(forces), system.masses,
                                    self.waters, h, periodic, w)
        return w

    def apply_velocities(self, system, dt=None):
        """Remove the bond-stretching velocities (in place); with ``dt`` return the virial as
        :meth:`ShakeRattle.apply_velocities`."""
        h, periodic = _box(system)
        v_unc = system.velocities.copy() if dt is not None else None
        CK.settle_velocities(system.positions, system.velocities, system.masses, self.waters, h, periodic)
        if dt is None:
            return None
        g = 2.0 / dt * system.masses[:, None] * (system.velocities - v_unc)
        return _water_virial(system, system.positions, self.waters, g, periodic)


def constraint_list(constraints):
    """Validated list of constraint solvers from ``None``, one solver or a sequence of them."""
    if constraints is None:
        return []
    cons = [constraints] if isinstance(constraints, ShakeRattle | Settle) else list(constraints)
    for c in cons:
        if not isinstance(c, ShakeRattle | Settle):
            raise InputError(f"constraints contains a {type(c).__name__}; allowed: ShakeRattle, Settle")
    return cons


def constrain_positions(constraints, system, xref, dt, virial=False):
    """Apply every solver's position stage (in place); with ``virial`` return the summed constraint virial
    (3, 3), kJ/mol."""
    w = np.zeros((3, 3))
    for c in constraints:
        wc = c.apply_positions(system, xref, dt, virial)
        if virial:
            w += wc
    return w


def constraint_virial(constraints, system, forces):
    """Summed ``constraint_virial`` of the solvers ``constraints`` (Settle, ShakeRattle), (3, 3) kJ/mol.

    Add it to the force virial for the pressure of a constrained system: ``P = (sum m v (x) v + W +
    W_c) / V``. For rigid molecules the trace then equals the molecular pressure's trace exactly.
    """
    w = np.zeros((3, 3))
    for c in constraints:
        w += c.constraint_virial(system, forces)
    return w


def constrain_velocities(constraints, system, dt=None):
    """Apply every solver's velocity stage (in place); with ``dt`` return the summed virial (3, 3), kJ/mol."""
    w = np.zeros((3, 3))
    for c in constraints:
        wc = c.apply_velocities(system, dt)
        if dt is not None:
            w += wc
    return w


class ConstrainedVelocityVerlet(Integrator):
    """Velocity Verlet with holonomic constraints (RATTLE scheme; SHAKE and/or SETTLE solvers).

    ``v += dt/2 F/m; x += dt v; constrain x (v = dx/dt); F = F(x); v += dt/2 F/m; constrain v``.
    :attr:`constraint_virial` is the virial (3, 3), kJ/mol, of the exact constraint forces at the
    current state (see :func:`constraint_virial`), to add to the force virial for the pressure. The
    degrees of freedom exclude the constraints.

    Parameters
    ----------
    constraints : ShakeRattle, Settle or sequence of them
    kB : float

    Examples
    --------
    >>> from molecular.water import SPCE
    >>> integrator = ConstrainedVelocityVerlet(Settle([[0, 1, 2]], SPCE.d_oh, SPCE.d_hh))
    """

    def __init__(self, constraints, kB=KB):
        super().__init__(kB)
        self.constraints = constraint_list(constraints)
        if not self.constraints:
            raise InputError("constraints is empty; allowed: one or more ShakeRattle/Settle solvers")

    @property
    def constraint_virial(self):
        """Virial (3, 3), kJ/mol, of the constraint forces at the current state."""
        return constraint_virial(self.constraints, self.system, self.result.forces)

    def attach(self, system, forcefield, n_constraints=None):
        for c in self.constraints:
            c.check(system)
        if self.constraints:  # start on the constraint manifold's tangent space: remove bond-stretching velocities
            constrain_velocities(self.constraints, system)
        n = sum(c.n_constraints for c in self.constraints) if n_constraints is None else n_constraints
        return super().attach(system, forcefield, n)

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]

    def _step_impl(self, dt):
        s = self.system
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        xref = s.positions.copy()
        s.positions += dt * s.velocities
        constrain_positions(self.constraints, s, xref, dt)
        s.velocities = (s.positions - xref) / dt
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m
        constrain_velocities(self.constraints, s)
