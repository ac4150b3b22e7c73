"""Velocity-rescaling thermostats around velocity Verlet: Bussi (canonical) and Berendsen."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from molecular.integrators.base import Integrator, check_positive, check_temperature
from molecular.units import KB


class _RescaledVerlet(Integrator):
    ensemble = "NVT"

    def __init__(self, temperature, tau, kB=KB):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        self.tau = check_positive("tau", tau)
        self.heat = 0.0

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]

    def _rescale(self, dt):
        s = self.system
        ke = s.kinetic_energy()
        if ke <= 0:
            return
        new = self._new_ke(ke, dt)
        s.velocities *= math.sqrt(new / ke)
        self.heat += ke - new

    def conserved_offset(self):
        return self.heat


class Bussi(_RescaledVerlet):
    r"""Stochastic velocity rescaling (Bussi, Donadio, Parrinello 2007) [1]_: canonical sampling.

    Half a thermostat step before and after a velocity-Verlet step; the kinetic energy ``K`` is
    drawn from the exact solution of

    .. math:: dK = (\bar K - K) \frac{dt}{\tau} + 2 \sqrt{\frac{K \bar K}{n_{dof}}} \frac{dW}{\sqrt\tau}

    with ``bar K = ndof kT / 2``. The conserved quantity adds the heat removed.

    Parameters
    ----------
    temperature : float, K
    tau : float
        Relaxation time, ps.
    seed : int, optional
    kB : float

    References
    ----------
    .. [1] G. Bussi, D. Donadio, M. Parrinello, J. Chem. Phys. 126, 014101 (2007).

    Examples
    --------
    >>> integrator = Bussi(temperature=300.0, tau=0.1, seed=3)
    """

    def __init__(self, temperature, tau, seed=None, kB=KB):
        super().__init__(temperature, tau, kB)
        self.rng = np.random.default_rng(seed)

    def _new_ke(self, ke, dt):
        nf = self.ndof
        kbar = 0.5 * nf * self.kB * self.temperature
        c = math.exp(-dt / self.tau)
        r1 = self.rng.standard_normal()
        sr = 2.0 * self.rng.standard_gamma(0.5 * (nf - 1)) if nf > 1 else 0.0
        return (c * ke + (1 - c) * kbar / nf * (r1 * r1 + sr)
                + 2 * r1 * math.sqrt(c * (1 - c) * ke * kbar / nf))

    def _step_impl(self, dt):
        s = self.system
        self._rescale(0.5 * dt)
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        s.positions += dt * s.velocities
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m
        self._rescale(0.5 * dt)

    def get_state(self):
        return {**super().get_state(), "rng": pack_rng(self.rng), "heat": np.float64(self.heat)}

    def set_state(self, state):
        super().set_state(state)
        unpack_rng(state["rng"], self.rng)
        self.heat = float(state["heat"])


class Berendsen(_RescaledVerlet):
    """Berendsen weak-coupling thermostat: **for equilibration only**.

    Rescales velocities by ``sqrt(1 + dt/tau (T0/T - 1))`` each step. It does not sample the
    canonical ensemble (kinetic-energy fluctuations are suppressed); use :class:`Bussi`,
    :class:`~molecular.integrators.NoseHooverChain` or Langevin for production.

    Parameters
    ----------
    temperature : float, K
    tau : float, ps
    kB : float

    Examples
    --------
    >>> integrator = Berendsen(temperature=300.0, tau=0.5)
    """

    def _new_ke(self, ke, dt):
        kbar = 0.5 * self.ndof * self.kB * self.temperature
        return ke * max(0.0, 1 + dt / self.tau * (kbar / ke - 1))

    def _step_impl(self, dt):
        s = self.system
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        s.positions += dt * s.velocities
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m
        self._rescale(dt)

    def get_state(self):
        return {**super().get_state(), "heat": np.float64(self.heat)}

    def set_state(self, state):
        super().set_state(state)
        self.heat = float(state["heat"])
