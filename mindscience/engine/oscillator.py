"""A damped harmonic oscillator on the engine: the smallest real solver, used by demos and tests.

It integrates ``x'' + gamma x' + omega**2 x = 0`` for ``N`` independent oscillators with a
Strang splitting: half a step of exact damping (``v *= exp(-gamma dt / 2)``), a velocity-Verlet
step of the undamped oscillator, and another half step of damping. The scheme is second order in
``dt`` and symplectic when ``gamma = 0``; it is stable for ``omega dt < 2``.
"""

import numpy as np

from mindscience.engine.simulation import Simulation
from mindscience.errors import check_range


def oscillator_solution(t, x0, v0, omega, gamma):
    """Closed-form underdamped solution ``x(t)`` of ``x'' + gamma x' + omega**2 x = 0``.

    Parameters
    ----------
    t : float or ndarray
        Time (any unit consistent with ``omega`` and ``gamma``, which are in 1/time).
    x0, v0 : float or ndarray
        Initial position and velocity.
    omega, gamma : float
        Natural angular frequency and damping rate; requires ``gamma < 2 omega``.

    Returns
    -------
    ndarray
        ``x(t)``, broadcast over ``t`` and ``x0``.
    """
    wd = np.sqrt(omega**2 - 0.25 * gamma**2)
    b = (v0 + 0.5 * gamma * x0) / wd
    return np.exp(-0.5 * gamma * t) * (x0 * np.cos(wd * t) + b * np.sin(wd * t))


class DampedOscillator(Simulation):
    """``N`` independent damped harmonic oscillators (dimensionless time unit).

    Parameters
    ----------
    x0, v0 : array_like, shape (N,)
        Initial positions and velocities.
    omega : float
        Angular frequency (1/time), > 0.
    gamma : float
        Damping rate (1/time), >= 0.
    dt : float
        Time step; ``omega * dt`` must be below 2 (the velocity-Verlet stability limit) unless
        ``check_stability=False`` (used to demonstrate the divergence guard).

    Examples
    --------
    >>> sim = DampedOscillator([1.0], [0.0], omega=2.0, gamma=0.1, dt=0.01)
    >>> _ = sim.run(until=1.0, progress=False)
    >>> float(abs(sim.x[0] - oscillator_solution(1.0, 1.0, 0.0, 2.0, 0.1))) < 1e-4
    True
    """

    time_unit = "1"

    def __init__(self, x0, v0, omega, gamma, dt, *, check_stability=True, **kwargs):
        super().__init__(dt, **kwargs)
        self.x = np.array(x0, dtype=float, ndmin=1)
        self.v = np.array(v0, dtype=float, ndmin=1)
        if self.x.shape != self.v.shape or self.x.ndim != 1:
            raise ValueError(f"x0 and v0 must be 1-D of equal length, got shapes {self.x.shape} and {self.v.shape}")
        self.omega = check_range("omega", float(omega), 0.0, low_open=True)
        self.gamma = check_range("gamma", float(gamma), 0.0)
        if check_stability:
            check_range("omega*dt", self.omega * self.dt, 0.0, 2.0, high_open=True)

    def _step_impl(self, n):
        x, v, w2, dt = self.x, self.v, self.omega**2, self.dt
        damp = np.exp(-0.5 * self.gamma * dt)
        for _ in range(n):
            v *= damp
            v -= 0.5 * dt * w2 * x
            x += dt * v
            v -= 0.5 * dt * w2 * x
            v *= damp

    def _get_state(self):
        return {"x": self.x.copy(), "v": self.v.copy()}

    def _set_state(self, state):
        self.x[...] = state["x"]
        self.v[...] = state["v"]

    def _observe(self, include):
        out = {}
        for name in include:
            if name == "energy":
                out[name] = 0.5 * (self.v**2 + self.omega**2 * self.x**2)
            elif name in ("x", "v"):
                out[name] = getattr(self, name).copy()
            else:
                raise KeyError(f"DampedOscillator cannot report {name!r}; available: energy, x, v")
        return out

    def _parameters(self):
        return {"dt": self.dt, "omega": self.omega, "gamma": self.gamma}
