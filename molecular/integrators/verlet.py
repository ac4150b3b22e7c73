"""Velocity Verlet (NVE): symplectic, time reversible, second order."""

import numpy as np

from molecular.integrators import _kernels as K
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
        inv_m = np.ascontiguousarray(self._inv_m)
        K.kick(s.velocities, self.result.forces, inv_m, 0.5 * dt)  # fused in-place updates (no temporaries)
        K.drift(s.positions, s.velocities, dt)
        f = self._compute()
        K.kick(s.velocities, f, inv_m, 0.5 * dt)
