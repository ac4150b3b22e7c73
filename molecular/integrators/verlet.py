"""Velocity Verlet (NVE): symplectic, time reversible, second order."""

from molecular.integrators.base import Integrator


class VelocityVerlet(Integrator):
    """Velocity Verlet for the microcanonical ensemble.

    ``v += dt/2 F/m;  x += dt v;  F = F(x);  v += dt/2 F/m``. Global error O(dt^2); the energy
    fluctuates with amplitude O(dt^2) and does not drift for a smooth potential.

    Examples
    --------
    >>> integrator = VelocityVerlet()
    """

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]

    def _step_impl(self, dt):
        s = self.system
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        s.positions += dt * s.velocities
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m
