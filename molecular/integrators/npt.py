"""Langevin-piston NPT: MTK equations of motion with Langevin thermostats on atoms and piston (atomic scaling,
anisotropic, and molecular scaling for constrained systems)."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from mindscience.errors import InputError, check_range
from molecular.integrators import _npt_kernels as NK
from molecular.integrators.base import Integrator, check_positive, check_temperature
from molecular.integrators.constraints import (
    ShakeRattle,
    constrain_positions,
    constrain_velocities,
    constraint_list,
    constraint_virial,
)
from molecular.units import KB


class LangevinPiston(Integrator):
    r"""Isotropic NPT with the Martyna-Tobias-Klein (MTK) barostat equations [1]_, thermostatted by
    Langevin friction on the atoms and on the piston (the Langevin piston of [2]_, BAOAB-style
    splitting).

    With ``v_e`` the piston (strain-rate) velocity, ``W`` its mass and ``alpha = 1 + 3/ndof``:

    .. math::
        \dot x = v + v_e x,\quad \dot v = F/m - \alpha v_e v - \gamma v + \xi,\quad
        \dot V = 3 V v_e,\quad
        W \dot v_e = 3 V (P_{int} - P) + \frac{3}{n_{dof}} 2K - \gamma_p W v_e + \xi_p

    where ``P_int`` is the instantaneous (virial) pressure. The piston mass is
    ``W = (ndof + 3) kT tau_p^2 / (4 pi^2)`` for a piston period ``tau_p``. Every step evaluates
    the virial; the neighbour list follows the box without rebuilding while the deformation is small.
    Atoms are scaled one by one, so constrained systems need :class:`ConstrainedLangevinPiston`.

    Parameters
    ----------
    temperature : float, K
    pressure : float
        kJ/mol/nm^3 (multiply bar by ``molecular.units.BAR``), or reduced.
    friction : float
        Atom friction ``gamma``, 1/ps.
    piston_period : float
        ``tau_p``, ps.
    piston_friction : float, optional
        ``gamma_p``, 1/ps (default ``1 / tau_p``).
    seed : int, optional
    kB : float

    References
    ----------
    .. [1] G. J. Martyna, D. J. Tobias, M. L. Klein, J. Chem. Phys. 101, 4177 (1994).
    .. [2] S. E. Feller, Y. Zhang, R. W. Pastor, B. R. Brooks, J. Chem. Phys. 103, 4613 (1995);
       D. Quigley and M. I. J. Probert, J. Chem. Phys. 120, 11432 (2004).

    Examples
    --------
    >>> integrator = LangevinPiston(temperature=1.0, pressure=1.0, friction=1.0, piston_period=2.0, kB=1.0)
    """

    conserves_momentum = False
    ensemble = "NPT"

    def __init__(self, temperature, pressure, friction, piston_period, piston_friction=None, seed=None, kB=KB):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        self.pressure = float(pressure)
        if not math.isfinite(self.pressure):
            raise InputError(f"pressure={pressure!r} is out of range; allowed: finite")
        self.friction = check_positive("friction", friction)
        self.piston_period = check_positive("piston_period", piston_period)
        self.piston_friction = (1.0 / self.piston_period if piston_friction is None
                                else check_positive("piston_friction", piston_friction))
        self.rng = np.random.default_rng(seed)
        self.ve = 0.0
        self.heat = 0.0

    def _attached(self):
        if self.system.box is None:
            raise InputError("LangevinPiston needs a periodic box (system.box is None)")
        kt = self.kB * self.temperature
        self.W = (self.ndof + 3) * kt * self.piston_period**2 / (4 * math.pi**2)
        self._inv_m = 1.0 / self.system.masses[:, None]
        self._sigma = np.sqrt(kt / self.system.masses)[:, None]
        self._compute(virial=True)

    def _piston_force(self):
        s = self.system
        ke2 = 2.0 * s.kinetic_energy()
        v = s.volume
        p_int = (ke2 + np.trace(self.result.virial)) / (3 * v)
        return 3 * v * (p_int - self.pressure) + 3.0 / self.ndof * ke2

    def _kick(self, dt):
        a = (1 + 3.0 / self.ndof) * self.ve
        x = a * dt
        e = math.exp(-x)
        phi = dt * (-math.expm1(-x) / x if abs(x) > 1e-10 else 1 - 0.5 * x)
        self.system.velocities *= e
        self.system.velocities += phi * self.result.forces * self._inv_m

    def _drift(self, dt):
        s = self.system
        x = self.ve * dt
        lam = math.exp(x)
        phi = dt * (math.expm1(x) / x if abs(x) > 1e-10 else 1 + 0.5 * x)
        s.positions *= lam
        s.positions += phi * s.velocities
        s.box.h = s.box.h * lam

    def _step_impl(self, dt):
        s = self.system
        self.ve += 0.5 * dt * self._piston_force() / self.W
        self._kick(0.5 * dt)
        self._drift(0.5 * dt)
        kt = self.kB * self.temperature
        c = math.exp(-self.friction * dt)
        cp = math.exp(-self.piston_friction * dt)
        ke0 = s.kinetic_energy() + 0.5 * self.W * self.ve**2
        s.velocities *= c
        s.velocities += math.sqrt(1 - c * c) * self._sigma * self.rng.standard_normal(s.velocities.shape)
        self.ve = cp * self.ve + math.sqrt((1 - cp * cp) * kt / self.W) * self.rng.standard_normal()
        self.heat += ke0 - s.kinetic_energy() - 0.5 * self.W * self.ve**2
        self._drift(0.5 * dt)
        self._compute(virial=True)
        self._kick(0.5 * dt)
        self.ve += 0.5 * dt * self._piston_force() / self.W

    def conserved_offset(self):
        """Piston kinetic energy + P V + heat exchanged with the Langevin baths, kJ/mol."""
        return 0.5 * self.W * self.ve**2 + self.pressure * self.system.volume + self.heat

    def get_state(self):
        return {**super().get_state(), "rng": pack_rng(self.rng), "ve": np.float64(self.ve),
                "heat": np.float64(self.heat)}

    def set_state(self, state):
        super().set_state(state)
        unpack_rng(state["rng"], self.rng)
        self.ve = float(state["ve"])
        self.heat = float(state["heat"])
        if self.system is not None and self.result.virial is None:
            self._compute(virial=True)


def _phi(x):
    """``expm1(x) / x``, continuous at 0."""
    return math.expm1(x) / x if abs(x) > 1e-10 else 1.0 + 0.5 * x


class AnisotropicLangevinPiston(Integrator):
    r"""Anisotropic NPT: the MTK barostat [1]_ with an independent strain rate per box axis (the
    orthorhombic cell of LAMMPS ``fix npt aniso``), Langevin thermostats on atoms and pistons [2]_.

    With ``v_a`` the strain rate of axis ``a`` (``dL_a/dt = v_a L_a``), ``W`` the mass of each
    piston, ``n_f`` the degrees of freedom and ``P_a`` the target pressure along ``a``:

    .. math::
        \dot x_{ia} = v_{ia} + v_a x_{ia},\quad
        \dot v_{ia} = \frac{F_{ia}}{m_i} - \Big(v_a + \frac{1}{n_f}\sum_b v_b\Big) v_{ia} - \gamma v_{ia} + \xi_{ia},

        W \dot v_a = V\,(P_{aa} - P_a) + \frac{2K}{n_f} - \gamma_p W v_a + \xi_a

    where ``P_aa = (sum_i m_i v_ia^2 + W_aa) / V`` is the instantaneous diagonal pressure (``W_aa``
    the virial); each box length responds to its own diagonal stress, so the stationary state has
    ``<P_aa> = P_a`` (a solid sustains different ``P_a``; a fluid only equal ones). The splitting is
    the BAOAB-like one of :class:`LangevinPiston` (piston kick, exact exponential particle kick,
    exact exponential drift of positions and box, Ornstein-Uhlenbeck step, and back). The piston mass
    ``W = (n_f + 3) kT tau_p^2 / (12 pi^2)`` is a third of the isotropic one, so the isotropic
    breathing mode has the same period ``tau_p``.

    With unequal ``P_a`` no potential ``P V`` exists; the external work is integrated along the
    path instead (exactly over each drift: ``V`` grows as ``exp(t sum_b v_b)``), so the conserved
    quantity is

    .. math:: H = K + U + \sum_a \tfrac12 W v_a^2 + \bar P V_0 + \int \sum_a P_a V v_a\,dt + Q_{heat}

    (``bar P V_0 + int ...`` equals ``P V`` for isotropic targets; ``Q_heat`` is the energy removed
    by the Langevin baths). With ``friction = piston_friction = 0`` the dynamics are the
    deterministic MTK equations and ``H`` is conserved up to the O(dt^2) integration error.

    Parameters
    ----------
    temperature : float, K
        Bath temperature (also sets the piston mass).
    pressure : float or array_like (3,)
        Target diagonal pressures ``(P_x, P_y, P_z)``, kJ/mol/nm^3 (bar times ``molecular.units.BAR``)
        or reduced; a scalar applies to all three axes.
    friction : float
        Atom friction ``gamma``, 1/ps (>= 0; 0 removes the atom thermostat).
    piston_period : float
        ``tau_p``, ps.
    piston_friction : float, optional
        ``gamma_p``, 1/ps (>= 0; default ``1 / tau_p``, or 0 when ``friction`` is 0).
    seed : int, optional
    kB : float

    References
    ----------
    .. [1] G. J. Martyna, D. J. Tobias, M. L. Klein, J. Chem. Phys. 101, 4177 (1994).
    .. [2] D. Quigley and M. I. J. Probert, J. Chem. Phys. 120, 11432 (2004); W. Shinoda, M. Shiga,
       M. Mikami, Phys. Rev. B 69, 134103 (2004).

    Examples
    --------
    >>> integrator = AnisotropicLangevinPiston(temperature=0.3, pressure=[1.0, 2.0, 3.0], friction=1.0,
    ...                                        piston_period=2.0, kB=1.0)
    """

    conserves_momentum = False
    ensemble = "NPT"

    def __init__(self, temperature, pressure, friction, piston_period, piston_friction=None, seed=None, kB=KB):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        p = np.asarray(pressure, dtype=np.float64)
        if p.ndim > 1 or p.size not in (1, 3) or not np.all(np.isfinite(p)):
            raise InputError(f"pressure={pressure!r} is out of range; allowed: a finite number or 3 finite numbers")
        self.pressure = np.broadcast_to(p.ravel(), (3,)).copy()
        self.friction = check_range("friction", float(friction), 0.0, None)
        self.piston_period = check_positive("piston_period", piston_period)
        if piston_friction is None:
            piston_friction = 0.0 if self.friction == 0 else 1.0 / self.piston_period
        self.piston_friction = check_range("piston_friction", float(piston_friction), 0.0, None)
        self.rng = np.random.default_rng(seed)
        self.ve = np.zeros(3)
        self.heat = 0.0
        self.work = 0.0
        self.volume0 = None

    def _attached(self):
        box = self.system.box
        if box is None:
            raise InputError("AnisotropicLangevinPiston needs a periodic box (system.box is None)")
        if not box.is_orthorhombic:
            raise InputError("AnisotropicLangevinPiston needs an orthorhombic box; got a triclinic one "
                             f"(h = {box.h.tolist()})")
        kt = self.kB * self.temperature
        self.W = (self.ndof + 3) * kt * self.piston_period**2 / (12 * math.pi**2)
        self._inv_m = 1.0 / self.system.masses[:, None]
        self._sigma = np.sqrt(kt / self.system.masses)[:, None]
        if self.volume0 is None:
            self.volume0 = self.system.volume
        self._compute(virial=True)

    def _volume(self):
        h = self.system.box.h  # orthorhombic (checked in _attached)
        return float(h[0, 0] * h[1, 1] * h[2, 2])

    def _piston_force(self):
        s = self.system
        ke2 = np.einsum("i,ia,ia->a", s.masses, s.velocities, s.velocities)
        v = self._volume()
        p_int = (ke2 + np.diag(self.result.virial)) / v
        return v * (p_int - self.pressure) + ke2.sum() / self.ndof

    def _kick(self, dt):
        a = (self.ve + self.ve.sum() / self.ndof) * dt
        e = np.exp(-a)
        phi = dt * np.array([_phi(-x) for x in a])
        self.system.velocities *= e
        self.system.velocities += phi * self.result.forces * self._inv_m

    def _drift(self, dt):
        s = self.system
        x = self.ve * dt
        lam = np.exp(x)
        phi = dt * np.array([_phi(v) for v in x])
        v0 = self._volume()
        # external work sum_a P_a int V v_a dt, V(t) = V0 exp(t sum v): exact for this sub-step
        self.work += float(self.pressure @ self.ve) * v0 * dt * _phi(x.sum())
        s.positions *= lam
        s.positions += phi * s.velocities
        s.box.h = s.box.h * lam[None, :]

    def _step_impl(self, dt):
        s = self.system
        self.ve += 0.5 * dt * self._piston_force() / self.W
        self._kick(0.5 * dt)
        self._drift(0.5 * dt)
        if self.friction > 0 or self.piston_friction > 0:
            kt = self.kB * self.temperature
            c = math.exp(-self.friction * dt)
            cp = math.exp(-self.piston_friction * dt)
            ke0 = s.kinetic_energy() + 0.5 * self.W * float(self.ve @ self.ve)
            if self.friction > 0:
                s.velocities *= c
                s.velocities += math.sqrt(1 - c * c) * self._sigma * self.rng.standard_normal(s.velocities.shape)
            if self.piston_friction > 0:
                self.ve = cp * self.ve + math.sqrt((1 - cp * cp) * kt / self.W) * self.rng.standard_normal(3)
            self.heat += ke0 - s.kinetic_energy() - 0.5 * self.W * float(self.ve @ self.ve)
        self._drift(0.5 * dt)
        self._compute(virial=True)
        self._kick(0.5 * dt)
        self.ve += 0.5 * dt * self._piston_force() / self.W

    def conserved_offset(self):
        """Piston kinetic energy + external work (``P V`` for isotropic targets) + heat, kJ/mol."""
        return (0.5 * self.W * float(self.ve @ self.ve) + float(self.pressure.mean()) * self.volume0
                + self.work + self.heat)

    def get_state(self):
        return {**super().get_state(), "rng": pack_rng(self.rng), "ve": self.ve.copy(),
                "heat": np.float64(self.heat), "work": np.float64(self.work),
                "volume0": np.float64(self.volume0)}

    def set_state(self, state):
        super().set_state(state)
        unpack_rng(state["rng"], self.rng)
        self.ve = np.array(state["ve"], dtype=np.float64)
        self.heat = float(state["heat"])
        self.work = float(state["work"])
        self.volume0 = float(state["volume0"])
        if self.system is not None and self.result.virial is None:
            self._compute(virial=True)


class ConstrainedLangevinPiston(Integrator):
    r"""Isotropic Langevin-piston NPT for constrained systems (rigid SETTLE water, SHAKE/RATTLE bonds):
    the MTK barostat [1]_ in its molecular form [2]_, with molecule centres of mass scaled by the piston,
    Langevin thermostats on the atoms and on the piston [3]_, and the constraints re-applied after every
    coordinate or velocity update (g-BAOAB [4]_).

    With ``R_I``, ``V_I``, ``M_I`` the centre, centre-of-mass velocity and mass of molecule ``I``
    (``system.topology.molecule_ids``), ``M`` molecules, ``v_e`` the piston strain rate, ``W`` its mass,
    ``G_i`` the constraint forces and ``alpha = 1 + 3 / (3M)``:

    .. math::
        \dot r_i = v_i + v_e R_I,\quad
        m_i \dot v_i = F_i + G_i - \alpha v_e m_i V_I - \gamma m_i v_i + \xi_i,\quad
        \dot V = 3 V v_e,

        W \dot v_e = 3 V (P_{mol} - P) + \frac{1}{M} \sum_I M_I V_I^2 - \gamma_p W v_e + \xi_p,\quad
        3 V P_{mol} = \sum_I M_I V_I^2 + \mathrm{tr}\,\mathcal{W}_{mol}

    with the molecular virial ``W_mol = W - sum_i d_i (x) F_i`` (``W`` the force field's atomic virial,
    ``d_i = r_i - R_I`` at the minimum image); the constraint forces are internal to each molecule, so
    they do not enter ``P_mol`` nor do they do work against the scaling. Rigid molecules are translated,
    never deformed, by the box motion (a molecule split by the boundary is scaled as a whole: the box
    vectors separating its atoms scale with the box). Without friction the equations conserve

    .. math:: H = K + U + \tfrac12 W v_e^2 + P V

    (and ``H`` plus the heat ``Q`` taken by the baths with friction), and their phase-space flow is
    incompressible, so the thermostatted dynamics sample ``exp(-(K + U + P V) / kT)`` with the
    ``V^M`` measure of molecular NPT: the ensemble of a Monte Carlo barostat that scales molecule
    centres (:class:`~molecular.integrators.barostats.MonteCarloBarostat`). For an ideal gas of rigid
    molecules ``<V> = (M + 1) kT / P`` and ``<P_mol> = P`` exactly. The temperature counts ``3N - C``
    degrees of freedom (``C`` constraints); the kinetic term of the piston force is the molecular one,
    whose mean ``3 M kT`` is what equipartition on those ``3N - C`` degrees of freedom gives the centres.

    One step (``dt``): piston half kick; atom half kick (exact with the ``alpha v_e`` friction on
    centre velocities) + RATTLE; half drift (centres scaled by ``exp(v_e dt/2)``, exact) + SHAKE/SETTLE
    (velocities take the constraint impulse); Ornstein-Uhlenbeck step of atoms (+ RATTLE) and piston;
    half drift; forces and virial; atom half kick + RATTLE; piston half kick. The piston mass is
    ``W = (3M + 3) kT tau_p^2 / (4 pi^2)`` unless given (an ideal gas breathes with period ``tau_p / sqrt(3)``,
    liquid water, far stiffer, about ``0.15 tau_p``). The piston answers the instantaneous pressure: start from
    a relaxed configuration (a random water box at 10^4 bar would blow up). :attr:`constraint_virial` is the exact
    constraint virial, so the atomic pressure reported by :class:`~molecular.simulation.MDSimulation`
    equals ``P_mol`` for rigid molecules at every step. With a dispersion correction
    (``LennardJones(tail_correction=True)``) the piston sees its virial pressure, as GROMACS does; that
    differs from ``-dE_tail/dV`` by the impulsive cutoff term, so ``H`` then drifts slightly while the sampled
    state agrees with the Monte Carlo barostat's (which sees ``E_tail``) as far as ``g(r_c) = 1``.

    Parameters
    ----------
    temperature : float
        K (> 0; reduced with ``kB=1``).
    pressure : float
        kJ/mol/nm^3 (multiply bar by ``molecular.units.BAR``), or reduced.
    friction : float
        Atom friction ``gamma``, 1/ps (>= 0; 0 removes the atom thermostat).
    piston_period : float
        ``tau_p``, ps (> 0).
    constraints : ShakeRattle, Settle or sequence of them
        Holonomic constraints (see :mod:`molecular.integrators.constraints`), each within one molecule
        of ``system.topology.molecule_ids``.
    piston_friction : float, optional
        ``gamma_p``, 1/ps (>= 0; default ``1 / tau_p``, or 0 when ``friction`` is 0).
    piston_mass : float, optional
        ``W``, kJ/mol ps^2 (> 0); overrides the value set by ``piston_period``.
    seed : int, optional
        Random seed (the generator state is checkpointed).
    kB : float

    References
    ----------
    .. [1] G. J. Martyna, D. J. Tobias, M. L. Klein, J. Chem. Phys. 101, 4177 (1994).
    .. [2] G. J. Martyna, M. E. Tuckerman, D. J. Tobias, M. L. Klein, Mol. Phys. 87, 1117 (1996)
       (molecular virial, constraints; the MTTK scheme of GROMACS).
    .. [3] S. E. Feller, Y. Zhang, R. W. Pastor, B. R. Brooks, J. Chem. Phys. 103, 4613 (1995);
       D. Quigley and M. I. J. Probert, J. Chem. Phys. 120, 11432 (2004); M. Kolb and B. Dunweg,
       J. Chem. Phys. 111, 4453 (1999).
    .. [4] B. Leimkuhler and C. Matthews, Proc. R. Soc. A 472, 20160138 (2016).

    Examples
    --------
    >>> from molecular.integrators.constraints import Settle
    >>> from molecular.units import BAR
    >>> from molecular.water import SPCE
    >>> integrator = ConstrainedLangevinPiston(300.0, 1.0 * BAR, friction=1.0, piston_period=2.0,
    ...                                        constraints=Settle([[0, 1, 2]], SPCE.d_oh, SPCE.d_hh), seed=1)
    """

    conserves_momentum = False
    ensemble = "NPT"

    def __init__(self, temperature, pressure, friction, piston_period, constraints, piston_friction=None,
                 piston_mass=None, seed=None, kB=KB):
        super().__init__(kB)
        self.temperature = check_positive("temperature", check_temperature(temperature))
        self.pressure = float(pressure)
        if not math.isfinite(self.pressure):
            raise InputError(f"pressure={pressure!r} is out of range; allowed: finite")
        self.friction = check_range("friction", float(friction), 0.0, None)
        self.piston_period = check_positive("piston_period", piston_period)
        if piston_friction is None:
            piston_friction = 0.0 if self.friction == 0 else 1.0 / self.piston_period
        self.piston_friction = check_range("piston_friction", float(piston_friction), 0.0, None)
        self.piston_mass = None if piston_mass is None else check_positive("piston_mass", piston_mass)
        self.constraints = constraint_list(constraints)
        if not self.constraints:
            raise InputError("constraints is empty; allowed: one or more ShakeRattle/Settle solvers "
                             "(LangevinPiston integrates unconstrained systems)")
        self.rng = np.random.default_rng(seed)
        self.ve = 0.0
        self.heat = 0.0

    @property
    def constraint_virial(self):
        """Virial (3, 3), kJ/mol, of the exact constraint forces at the current state."""
        return constraint_virial(self.constraints, self.system, self.result.forces)

    def attach(self, system, forcefield, n_constraints=None):
        if system.box is None:
            raise InputError("ConstrainedLangevinPiston needs a periodic box (system.box is None)")
        mol = np.asarray(system.topology.molecule_ids)
        for c in self.constraints:
            c.check(system)
            groups = c.pairs if isinstance(c, ShakeRattle) else c.waters
            split = np.flatnonzero(np.any(mol[groups] != mol[groups[:, :1]], axis=1))
            if split.size:
                k = int(split[0])
                raise InputError(f"constraint {k} of {type(c).__name__} joins atoms {groups[k].tolist()} of molecules "
                                 f"{mol[groups[k]].tolist()}; allowed: atoms of one molecule "
                                 "(set system.topology.molecule_ids so that each rigid unit is one molecule)")
        constrain_velocities(self.constraints, system)  # start on the tangent space of the constraint manifold
        n = sum(c.n_constraints for c in self.constraints) if n_constraints is None else n_constraints
        return super().attach(system, forcefield, n)

    def _attached(self):
        s = self.system
        _, first, mol = np.unique(s.topology.molecule_ids, return_index=True, return_inverse=True)
        self._first = np.ascontiguousarray(first, dtype=np.int64)
        self._mol = np.ascontiguousarray(mol.ravel(), dtype=np.int64)
        self._mol_mass = np.bincount(self._mol, weights=s.masses)
        self.n_molecules = self._mol_mass.size
        self._alpha = 1.0 + 1.0 / self.n_molecules  # 1 + d / (d M): the centres carry the MTK coupling
        kt = self.kB * self.temperature
        self.W = (self.piston_mass if self.piston_mass is not None
                  else (3 * self.n_molecules + 3) * kt * self.piston_period**2 / (4 * math.pi**2))
        self._sigma = np.sqrt(kt / s.masses)[:, None]
        self._compute(virial=True)

    def _piston_force(self):
        s = self.system
        ke2, w_intra = NK.piston_terms(s.positions, s.velocities, self.result.forces, s.masses, self._mol, self._first,
                                       self._mol_mass, s.box.h, True)
        w_mol = float(np.trace(self.result.virial)) - w_intra
        return w_mol + self._alpha * ke2 - 3.0 * s.volume * self.pressure

    def _kick(self, t):
        """Exact flow of ``dv_i/dt = F_i/m_i - alpha v_e V_I`` over ``t`` ps, then RATTLE."""
        s = self.system
        x = self._alpha * self.ve * t
        NK.kick(s.velocities, self.result.forces, s.masses, self._mol, self._mol_mass, t, math.exp(-x), t * _phi(-x))
        constrain_velocities(self.constraints, s)

    def _drift(self, t):
        """Exact flow of ``dr_i/dt = v_i + v_e R_I`` and ``dh/dt = v_e h`` over ``t`` ps, then SHAKE/SETTLE
        (the velocities take the constraint impulse)."""
        s = self.system
        x = self.ve * t
        lam = math.exp(x)
        xref = np.empty_like(s.positions)
        NK.drift(s.positions, s.velocities, s.masses, self._mol, self._first, self._mol_mass, s.box.h, True, lam, t,
                 t * _phi(x), xref)
        s.box.h = s.box.h * lam
        x_unc = s.positions.copy()
        constrain_positions(self.constraints, s, xref, t)
        s.velocities += (s.positions - x_unc) / t

    def _step_impl(self, dt):
        s = self.system
        half = 0.5 * dt
        self.ve += half * self._piston_force() / self.W
        self._kick(half)
        self._drift(half)
        if self.friction > 0 or self.piston_friction > 0:
            kt = self.kB * self.temperature
            ke0 = s.kinetic_energy() + 0.5 * self.W * self.ve**2
            if self.friction > 0:
                c = math.exp(-self.friction * dt)
                s.velocities *= c
                s.velocities += math.sqrt(1 - c * c) * self._sigma * self.rng.standard_normal(s.velocities.shape)
                constrain_velocities(self.constraints, s)
            if self.piston_friction > 0:
                cp = math.exp(-self.piston_friction * dt)
                self.ve = cp * self.ve + math.sqrt((1 - cp * cp) * kt / self.W) * self.rng.standard_normal()
            self.heat += ke0 - s.kinetic_energy() - 0.5 * self.W * self.ve**2
        self._drift(half)
        self._compute(virial=True)
        self._kick(half)
        self.ve += half * self._piston_force() / self.W

    def conserved_offset(self):
        """Piston kinetic energy + P V + heat exchanged with the Langevin baths, kJ/mol."""
        return 0.5 * self.W * self.ve**2 + self.pressure * self.system.volume + self.heat

    def get_state(self):
        return {**super().get_state(), "rng": pack_rng(self.rng), "ve": np.float64(self.ve),
                "heat": np.float64(self.heat)}

    def set_state(self, state):
        super().set_state(state)
        unpack_rng(state["rng"], self.rng)
        self.ve = float(state["ve"])
        self.heat = float(state["heat"])
        if self.system is not None and self.result.virial is None:
            self._compute(virial=True)
