"""Integrator base class: the template-method step shared by every MD integrator."""

import abc

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.units import KB


class NonFinite(RuntimeError):
    """Raised inside a step when the energy or positions stop being finite (the simulation turns it
    into :class:`~mindscience.errors.SimulationDiverged` with the step)."""

    def __init__(self, quantity, substep):
        self.quantity = quantity
        self.substep = substep
        super().__init__(f"{quantity} became non-finite at sub-step {substep}")


class Integrator(abc.ABC):
    """Base of the MD integrators (scipy ``OdeSolver`` style template method).

    The public :meth:`step` does the bookkeeping (force cache, counters, finiteness check) and
    calls :meth:`_step_impl` once per time step. A subclass follows these rules:

    1. Validate its parameters in ``__init__`` (name, value and allowed range in the message).
    2. Implement :meth:`_step_impl` ``(dt)``: advance ``self.system`` by one step of ``dt`` ps.
       Evaluate forces only through :meth:`_compute`, which refreshes ``self.result`` (the forces
       at the current positions, reused by the next step and by reporters).
    3. Set :attr:`conserves_momentum` (fixes the degrees of freedom: ``3N - 3`` or ``3N``) and
       :attr:`ensemble` (``"NVE"``, ``"NVT"``, ...).
    4. Implement :meth:`conserved_offset`: the energy of the extended system (thermostat
       variables, heat removed by a stochastic thermostat) so that ``kinetic + potential +
       conserved_offset()`` is the integrator's conserved quantity.
    5. Put every variable that the continuation depends on (thermostat coordinates, RNG state via
       :func:`mindscience.engine.pack_rng`) in :meth:`get_state` / :meth:`set_state`.
    6. ``kB`` converts temperatures to energies: ``molecular.units.KB`` (kJ/mol/K) by default, 1 in
       LJ reduced units.

    Parameters
    ----------
    kB : float
        Boltzmann constant in energy per temperature unit.
    """

    conserves_momentum = True
    ensemble = "NVE"

    def __init__(self, kB=KB):
        self.kB = check_range("kB", float(kB), 0.0, None, low_open=True)
        self.system = None
        self.forcefield = None
        self.result = None
        self.n_steps = 0
        self._substep = 0

    def attach(self, system, forcefield, n_constraints=0):
        """Bind to ``system`` and ``forcefield`` and evaluate the initial forces."""
        self.system = system
        self.forcefield = forcefield
        self.n_constraints = int(n_constraints)
        self._compute()
        self._attached()
        return self

    def _attached(self):  # noqa: B027 - optional hook
        """Hook run after :meth:`attach` (precompute per-system constants)."""

    @property
    def ndof(self):
        """Degrees of freedom carrying kinetic energy."""
        n = 3 * self.system.n_atoms - self.n_constraints
        if self.conserves_momentum and self.system.n_atoms > 1:
            n -= 3
        return n

    def _compute(self, virial=False):
        res = self.forcefield.compute(self.system, virial=virial)
        if not np.isfinite(res.energy):
            raise NonFinite("potential_energy", self._substep)
        self.result = res
        return res.forces

    def step(self, dt, n=1):
        """Advance ``n`` steps of ``dt`` ps."""
        if self.system is None:
            raise RuntimeError("integrator is not attached to a system; call attach(system, forcefield)")
        for k in range(int(n)):
            self._substep = k
            self._step_impl(dt)
            self.n_steps += 1

    @abc.abstractmethod
    def _step_impl(self, dt):
        """One step of ``dt`` (rule 2)."""

    def conserved_offset(self):
        """Extended-system energy, kJ/mol (rule 4)."""
        return 0.0

    @property
    def constraint_virial(self):
        """Virial (3, 3), kJ/mol, of the constraint forces at the current state; ``None`` without constraints."""
        return None

    def get_state(self):
        return {"n_steps": np.int64(self.n_steps)}

    def set_state(self, state):
        self.n_steps = int(state["n_steps"])

    def _parameters(self):
        return {"integrator": type(self).__name__}


def check_temperature(temperature):
    return check_range("temperature", float(temperature), 0.0, None)


def check_positive(name, value):
    value = float(value)
    if not value > 0 or not np.isfinite(value):
        raise InputError(f"{name}={value!r} is out of range; allowed: (0, inf)")
    return value
