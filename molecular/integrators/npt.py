"""Langevin-piston NPT: MTK equations of motion with Langevin thermostats on atoms and piston."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from mindscience.errors import InputError, check_range
from molecular.integrators.base import Integrator, check_positive, check_temperature
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
