"""Langevin dynamics with the BAOAB splitting (Leimkuhler & Matthews) and Brownian dynamics."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from molecular.integrators.base import Integrator, check_positive, check_temperature
from molecular.integrators.constraints import (
    constrain_positions,
    constrain_velocities,
    constraint_list,
    constraint_virial,
)
from molecular.units import KB


class LangevinBAOAB(Integrator):
    """Langevin thermostat, BAOAB splitting [1]_ (exact Boltzmann positions for harmonic systems).

    B: ``v += dt/2 F/m``; A: ``x += dt/2 v``; O: ``v = c v + sqrt((1 - c^2) kT/m) xi`` with
    ``c = exp(-gamma dt)``; A; B. The conserved quantity adds the heat exchanged in the O steps.

    With ``constraints`` (SHAKE/RATTLE and/or SETTLE) this is the geodesic g-BAOAB scheme [2]_:
    every B and O stage is followed by the RATTLE velocity projection (the mass-weighted projection
    onto the constraint tangent space, so the noise is projected too), and every A stage by the
    position constraint, with the velocity set to the constrained displacement over ``dt/2``. The
    degrees of freedom exclude the constraints, so the reported temperature is the kinetic one of
    the unconstrained motions, and :attr:`constraint_virial` is the virial (3, 3), kJ/mol, of the
    exact constraint forces at the current state (to add to the force virial for the pressure).

    Parameters
    ----------
    temperature : float
        K (reduced with ``kB=1``).
    friction : float
        ``gamma``, 1/ps (> 0).
    seed : int, optional
        Random seed (the generator state is checkpointed).
    kB : float
    constraints : ShakeRattle, Settle or sequence of them, optional
        Holonomic constraints (see :mod:`molecular.integrators.constraints`).

    References
    ----------
    .. [1] B. Leimkuhler and C. Matthews, Appl. Math. Res. Express 2013, 34-56 (2013).
    .. [2] B. Leimkuhler and C. Matthews, Proc. R. Soc. A 472, 20160138 (2016).

    Examples
    --------
    >>> integrator = LangevinBAOAB(temperature=300.0, friction=1.0, seed=1)
    """

    conserves_momentum = False
    ensemble = "NVT"

    def __init__(self, temperature, friction, seed=None, kB=KB, constraints=None):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        self.friction = check_positive("friction", friction)
        self.rng = np.random.default_rng(seed)
        self.heat = 0.0
        self.constraints = constraint_list(constraints)

    @property
    def constraint_virial(self):
        """Virial (3, 3), kJ/mol, of the constraint forces at the current state (zero without constraints)."""
        if not self.constraints:
            return np.zeros((3, 3))
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
        self._sigma = np.sqrt(self.kB * self.temperature / self.system.masses)[:, None]

    def _drift(self, half):
        s = self.system
        if not self.constraints:
            s.positions += half * s.velocities
            return
        xref = s.positions.copy()
        s.positions += half * s.velocities
        constrain_positions(self.constraints, s, xref, half)
        s.velocities = (s.positions - xref) / half

    def _step_impl(self, dt):
        s = self.system
        cons = self.constraints
        half = 0.5 * dt
        s.velocities += half * self.result.forces * self._inv_m
        if cons:
            constrain_velocities(cons, s)
        self._drift(half)
        c = math.exp(-self.friction * dt)
        ke0 = s.kinetic_energy()
        s.velocities *= c
        s.velocities += math.sqrt(1 - c * c) * self._sigma * self.rng.standard_normal(s.velocities.shape)
        if cons:
            constrain_velocities(cons, s)
        self.heat += ke0 - s.kinetic_energy()
        self._drift(half)
        f = self._compute()
        s.velocities += half * f * self._inv_m
        if cons:
            constrain_velocities(cons, s)

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
