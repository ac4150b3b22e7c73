"""Nose-Hoover chains (NVT), Martyna-Tuckerman-Klein integration with Suzuki-Yoshida weights."""

import numpy as np

from mindscience.errors import InputError
from molecular.integrators import _kernels as K
from molecular.integrators.base import Integrator, check_positive, check_temperature
from molecular.units import KB

_SY = {1: (1.0,), 3: (1 / (2 - 2 ** (1 / 3)), -(2 ** (1 / 3)) / (2 - 2 ** (1 / 3)), 1 / (2 - 2 ** (1 / 3)))}
_w5 = 1 / (4 - 4 ** (1 / 3))
_SY[5] = (_w5, _w5, 1 - 4 * _w5, _w5, _w5)


class NoseHooverChain(Integrator):
    r"""Nose-Hoover chain thermostat [1]_: deterministic, time reversible canonical sampling.

    The step is ``NHC(dt/2) . VelocityVerlet(dt) . NHC(dt/2)``, the chain propagated with
    ``n_yoshida`` Suzuki-Yoshida weights and ``n_respa`` sub-steps. Masses
    ``Q_1 = ndof kT tau^2``, ``Q_k = kT tau^2``. The conserved quantity is

    .. math:: H = K + U + \sum_k \frac{Q_k v_{\xi_k}^2}{2} + n_{dof} k T \xi_1 + kT \sum_{k\ge2} \xi_k

    Parameters
    ----------
    temperature : float, K
    tau : float
        Thermostat period, ps.
    chain_length : int
        Number of thermostats in the chain (>= 1).
    n_yoshida : {1, 3, 5}
    n_respa : int
    kB : float

    References
    ----------
    .. [1] G. J. Martyna, M. E. Tuckerman, D. J. Tobias, M. L. Klein, Mol. Phys. 87, 1117 (1996).

    Examples
    --------
    >>> integrator = NoseHooverChain(temperature=300.0, tau=0.1)
    """

    ensemble = "NVT"

    def __init__(self, temperature, tau, chain_length=3, n_yoshida=3, n_respa=1, kB=KB):
        super().__init__(kB)
        self.temperature = check_temperature(temperature)
        self.tau = check_positive("tau", tau)
        if int(chain_length) != chain_length or chain_length < 1:
            raise InputError(f"chain_length={chain_length!r}; allowed: integers >= 1")
        if n_yoshida not in _SY:
            raise InputError(f"n_yoshida={n_yoshida!r}; allowed: 1, 3, 5")
        if int(n_respa) != n_respa or n_respa < 1:
            raise InputError(f"n_respa={n_respa!r}; allowed: integers >= 1")
        self.chain_length = int(chain_length)
        self.weights = np.array(_SY[n_yoshida])
        self.n_respa = int(n_respa)
        self.xi = np.zeros(self.chain_length)
        self.vxi = np.zeros(self.chain_length)

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]
        kt = self.kB * self.temperature
        self.Q = np.full(self.chain_length, kt * self.tau**2)
        self.Q[0] *= self.ndof

    def _chain(self, dt):
        """Propagate the chain and scale velocities over ``dt`` (a half step)."""
        s = self.system
        scale = K.nhc_propagate(self.vxi, self.xi, self.Q, 2.0 * s.kinetic_energy(), self.ndof,
                                self.kB * self.temperature, dt, self.weights, self.n_respa)
        s.velocities *= scale

    def _step_impl(self, dt):
        s = self.system
        self._chain(0.5 * dt)
        s.velocities += (0.5 * dt) * self.result.forces * self._inv_m
        s.positions += dt * s.velocities
        f = self._compute()
        s.velocities += (0.5 * dt) * f * self._inv_m
        self._chain(0.5 * dt)

    def conserved_offset(self):
        kt = self.kB * self.temperature
        return float(0.5 * np.sum(self.Q * self.vxi**2) + self.ndof * kt * self.xi[0] + kt * np.sum(self.xi[1:]))

    def get_state(self):
        return {**super().get_state(), "xi": self.xi.copy(), "vxi": self.vxi.copy()}

    def set_state(self, state):
        super().set_state(state)
        self.xi[:] = state["xi"]
        self.vxi[:] = state["vxi"]
