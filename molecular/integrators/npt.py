"""Langevin-piston NPT: MTK equations of motion with Langevin thermostats on atoms and piston."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from mindscience.errors import InputError
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
