"""Langevin dynamics with the BAOAB splitting (Leimkuhler & Matthews) and Brownian dynamics."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from molecular.integrators.base import Integrator, check_positive, check_temperature
from molecular.units import KB


class LangevinBAOAB(Integrator):
    """Langevin thermostat, BAOAB splitting [1]_ (exact Boltzmann positions for harmonic systems).

    B: ``v += dt/2 F/m``; A: ``x += dt/2 v``; O: ``v = c v + sqrt((1 - c^2) kT/m) xi`` with
    ``c = exp(-gamma dt)``; A; B. The conserved quantity adds the heat exchanged in the O steps.

    Parameters
    ----------
    temperature : float
        K (reduced with ``kB=1``).
    friction : float
        ``gamma``, 1/ps (> 0).
    seed : int, optional
        Random seed (the generator state is checkpointed).
    kB : float

    References
    ----------
    .. [1] B. Leimkuhler and C. Matthews, Appl. Math. Res. Express 2013, 34-56 (2013).

    Examples
    --------
    >>> integrator = LangevinBAOAB(temperature=300.0, friction=1.0, seed=1)
    """

    conserves_momentum = False
    ensemble = "NVT"

    def __init__(self, temperature, friction, seed=None, kB=KB):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        self.friction = check_positive("friction", friction)
        self.rng = np.random.default_rng(seed)
        self.heat = 0.0

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]
        self._sigma = np.sqrt(self.kB * self.temperature / self.system.masses)[:, None]

    def _step_impl(self, dt):
        s = self.system
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        s.positions += (0.5 * dt) * s.velocities
        c = math.exp(-self.friction * dt)
        ke0 = s.kinetic_energy()
        s.velocities *= c
        s.velocities += math.sqrt(1 - c * c) * self._sigma * self.rng.standard_normal(s.velocities.shape)
        self.heat += ke0 - s.kinetic_energy()
        s.positions += (0.5 * dt) * s.velocities
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m

    def conserved_offset(self):
        return self.heat

    def get_state(self):
        return {**super().get_state(), "rng": pack_rng(self.rng), "heat": np.float64(self.heat)}

    def set_state(self, state):
        super().set_state(state)
        unpack_rng(state["rng"], self.rng)
        self.heat = float(state["heat"])


class Brownian(Integrator):
    """Overdamped Langevin (Brownian) dynamics, Euler-Maruyama.

    ``x += dt F / (m gamma) + sqrt(2 kT dt / (m gamma)) xi``; velocities are set to the
    displacement over ``dt`` (not a physical velocity; the temperature reported is not meaningful).

    Parameters
    ----------
    temperature : float, K
    friction : float, 1/ps
        ``gamma``; the diffusion coefficient is ``kT / (m gamma)``, nm^2/ps.
    seed : int, optional
    kB : float

    Examples
    --------
    >>> integrator = Brownian(temperature=300.0, friction=50.0, seed=1)
    """

    conserves_momentum = False
    ensemble = "NVT"

    def __init__(self, temperature, friction, seed=None, kB=KB):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        self.friction = check_positive("friction", friction)
        self.rng = np.random.default_rng(seed)

    def _attached(self):
        self._mob = (1.0 / (self.system.masses * self.friction))[:, None]

    def _step_impl(self, dt):
        s = self.system
        dx = dt * self._mob * self.result.forces
        dx += np.sqrt(2 * self.kB * self.temperature * dt * self._mob) * self.rng.standard_normal(dx.shape)
        s.positions += dx
        s.velocities[:] = dx / dt
        self._compute()

    def get_state(self):
        return {**super().get_state(), "rng": pack_rng(self.rng)}

    def set_state(self, state):
        super().set_state(state)
        unpack_rng(state["rng"], self.rng)
