"""The Simulation base class: the one run loop shared by every solver (FDTD, MD, training)."""

import abc
import math

import numpy as np

from mindscience.engine.checkpoint import read_checkpoint, write_checkpoint
from mindscience.errors import InputError, SimulationDiverged


class Simulation(abc.ABC):
    """Base class of every time-stepping solver; it owns the loop, the clock and the guards.

    The base does the bookkeeping once: status, step counter, simulated time, reporter
    scheduling, the progress bar, the divergence guard and checkpoint/restore. A solver subclass
    follows these rules:

    1. Call ``super().__init__(dt, ...)`` with its time step (in the suite's time unit,
       ``time_unit``) and validate all its input in its own ``__init__``, before any step.
    2. Implement :meth:`_step_impl` ``(n)``: advance the state by exactly ``n >= 1`` steps of
       ``dt``. It must not touch ``step_count`` or ``time``: the base updates them afterwards.
    3. Implement :meth:`_get_state` / :meth:`_set_state`: a nested dict of arrays, numbers and
       strings that determines the continuation *bit for bit* (include RNG states; see
       :func:`~mindscience.engine.checkpoint.pack_rng`). Caches need not be saved.
    4. Implement :meth:`_observe` ``(include)`` to return the quantities reporters may ask for
       (positions, energy, a field...). Values may alias internal arrays: reporters copy what they
       keep and never modify what they are given.
    5. Optionally override :meth:`_guard_arrays` (default: every float array of the state) to say
       what the divergence guard checks every ``guard_interval`` steps.
    6. ``dt`` may be changed between runs by assigning ``sim.dt``; the clock is re-based so that
       ``time`` stays continuous.

    Parameters
    ----------
    dt : float
        Time step, in ``time_unit``.
    time : float
        Initial simulated time, in ``time_unit``.
    guard_interval : int
        Steps between NaN/inf checks of the state (also checked at the end of every run).

    Attributes
    ----------
    step_count : int
        Steps taken since construction (restored by :meth:`restore`).
    status : str
        ``"ready"``, ``"running"``, ``"stopped"`` (a reporter requested a stop) or ``"failed"``
        (diverged; :meth:`restore` a checkpoint to continue).
    """

    time_unit = ""
    guard_interval = 100

    def __init__(self, dt, *, time=0.0, guard_interval=None):
        dt = float(dt)
        if not (dt > 0 and math.isfinite(dt)):
            raise ValueError(f"dt={dt!r} must be a finite positive time step (in {self.time_unit or 'time units'})")
        self._dt = dt
        self._time_origin = float(time)
        self._step_origin = 0
        self.step_count = 0
        self.status = "ready"
        self._stop_reason = None
        if guard_interval is not None:
            if int(guard_interval) != guard_interval or guard_interval < 1:
                raise ValueError(f"guard_interval={guard_interval!r} must be an integer >= 1")
            self.guard_interval = int(guard_interval)

    # ------------------------------------------------------------------ subclass contract
    @abc.abstractmethod
    def _step_impl(self, n):
        """Advance the state by ``n`` steps (rule 2)."""

    @abc.abstractmethod
    def _get_state(self):
        """Return the nested dict that determines the continuation (rule 3)."""

    @abc.abstractmethod
    def _set_state(self, state):
        """Load a dict produced by :meth:`_get_state` (rule 3)."""

    def _observe(self, include):
        """Return ``{name: value}`` for each requested name (rule 4). Default: state entries."""
        state = self._get_state()
        missing = [name for name in include if name not in state]
        if missing:
            raise KeyError(f"{type(self).__name__} cannot report {missing}; available: {sorted(state)}")
        return {name: state[name] for name in include}

    def _guard_arrays(self):
        """Arrays the divergence guard checks (rule 5)."""
        out = {}
        for name, value in self._get_state().items():
            if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
                out[name] = value
        return out

    def _parameters(self):
        """Parameters stored as provenance in checkpoints (override to add yours)."""
        return {"dt": self._dt}

    # ------------------------------------------------------------------ clock
    @property
    def dt(self):
        """Time step, in ``time_unit``."""
        return self._dt

    @dt.setter
    def dt(self, value):
        value = float(value)
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(f"dt={value!r} must be a finite positive time step")
        self._time_origin = self.time
        self._step_origin = self.step_count
        self._dt = value

    @property
    def time(self):
        """Simulated time, in ``time_unit`` (origin + steps since origin × dt, no accumulated sums)."""
        return self._time_origin + (self.step_count - self._step_origin) * self._dt

    # ------------------------------------------------------------------ stepping
    def request_stop(self, reason="stop requested"):
        """Ask the current :meth:`run` to end after the current step (used by ``stop_when``)."""
        self._stop_reason = reason

    def step(self, n=1):
        """Advance ``n`` steps with the divergence guard, without reporters."""
        self.run(steps=n, progress=False)

    def check_finite(self):
        """Raise :class:`SimulationDiverged` if any guarded array holds NaN or inf."""
        for name, arr in self._guard_arrays().items():
            if not np.all(np.isfinite(arr)):
                self.status = "failed"
                raise SimulationDiverged(self.step_count, name)

    def _advance(self, n):
        self._step_impl(n)
        self.step_count += n

    def run(self, steps=None, *, until=None, reporters=(), progress=True):
        """Advance the simulation, feeding reporters.

        Parameters
        ----------
        steps : int, optional
            Number of steps to take.
        until : float, optional
            Simulated time to reach (in ``time_unit``); the run takes ``ceil((until - time)/dt)``
            steps. Give exactly one of ``steps`` and ``until``.
        reporters : sequence
            Objects following the reporter protocol (:mod:`mindscience.engine.reporters`).
        progress : bool
            Show a tqdm progress bar with steps/s and simulated time.

        Returns
        -------
        self

        Raises
        ------
        SimulationDiverged
            If the state becomes non-finite; the step and quantity are named.
        """
        if (steps is None) == (until is None):
            raise ValueError("give exactly one of steps= or until=")
        if until is not None:
            steps = max(0, math.ceil((float(until) - self.time) / self._dt - 1e-9))
        if int(steps) != steps or steps < 0:
            raise ValueError(f"steps={steps!r} must be a non-negative integer")
        if self.status == "failed":
            raise RuntimeError("the simulation diverged; restore() a checkpoint before running again")
        steps = int(steps)
        target = self.step_count + steps
        self._stop_reason = None
        self.status = "running"
        reporters = list(reporters)
        bar = _progress_bar(steps, self, progress)
        chunk = max(1, math.ceil(steps / 200)) if bar is not None else steps or 1
        last_guard = self.step_count
        due = [None] * len(reporters)
        wants = [frozenset()] * len(reporters)
        try:
            self._schedule(reporters, due, wants, range(len(reporters)))
            self._fire_due(reporters, due, wants)
            while self.step_count < target and self._stop_reason is None:
                nxt = min(target, last_guard + self.guard_interval, self.step_count + chunk)
                nxt = min([nxt] + [d for d in due if d is not None])
                n = nxt - self.step_count
                t0 = self.step_count
                self._advance(n)
                if self.step_count - last_guard >= self.guard_interval or any(d == self.step_count for d in due):
                    self.check_finite()
                    last_guard = self.step_count
                self._fire_due(reporters, due, wants)
                if bar is not None:
                    bar.update(self.step_count - t0)
                    bar.set_postfix_str(f"t={self.time:.6g} {self.time_unit}".rstrip(), refresh=False)
            if last_guard != self.step_count:
                self.check_finite()
            self.status = "stopped" if self._stop_reason else "ready"
            for r in reporters:
                finish = getattr(r, "finish", None)
                if finish is not None:
                    finish(self)
        finally:
            if self.status == "running":
                self.status = "ready"
            if bar is not None:
                bar.close()
            for r in reporters:
                close = getattr(r, "close", None)
                if close is not None:
                    close()
        return self

    def _schedule(self, reporters, due, wants, which):
        for i in which:
            req = reporters[i].next_report(self)
            if req is None:
                due[i] = None
            else:
                if int(req.steps) < 0:
                    raise ValueError(f"reporter {reporters[i]!r} asked for a report {req.steps} steps ago")
                due[i] = self.step_count + int(req.steps)
                wants[i] = frozenset(req.include)

    def _fire_due(self, reporters, due, wants):
        now = [i for i, d in enumerate(due) if d == self.step_count]
        if not now:
            return
        state = self.snapshot(frozenset().union(*(wants[i] for i in now)))
        for i in now:
            reporters[i].report(self, state)
        self._schedule(reporters, due, wants, now)

    def snapshot(self, include=()):
        """One state snapshot: ``{"step", "time"}`` plus each requested quantity."""
        state = {"step": self.step_count, "time": self.time}
        state.update(self._observe(frozenset(include)))
        return state

    # ------------------------------------------------------------------ checkpoints
    @property
    def _kind(self):
        cls = type(self)
        return f"{cls.__module__}.{cls.__qualname__}"

    def checkpoint(self, path, reporters=()):
        """Write the complete state to HDF5 (atomically) so that :meth:`restore` continues it exactly.

        Parameters
        ----------
        path : str or os.PathLike
            Destination file (replaced atomically).
        reporters : sequence, optional
            Reporters whose accumulated state must survive a restart (running DFTs, flux sums,
            averages). Each one that has ``get_state() -> dict`` is saved under its ``name``
            attribute, or its position in the sequence; pass the same reporters to :meth:`restore`.
        """
        clock = {"step_count": np.int64(self.step_count), "dt": np.float64(self._dt),
                 "time_origin": np.float64(self._time_origin), "step_origin": np.int64(self._step_origin)}
        saved = {_reporter_key(r, i): r.get_state() for i, r in enumerate(reporters) if hasattr(r, "get_state")}
        write_checkpoint(path, self._kind, clock, self._get_state(), parameters=self._parameters(), reporters=saved)

    def restore(self, path, reporters=()):
        """Load a checkpoint written by :meth:`checkpoint` of the same class; the run continues bit-identically.

        Parameters
        ----------
        path : str or os.PathLike
        reporters : sequence, optional
            The reporters given to :meth:`checkpoint` (same names or order); each gets
            ``set_state(saved)``. A reporter with ``set_state`` but nothing saved raises ``InputError``.
        """
        clock, state, saved = read_checkpoint(path, self._kind)
        for i, r in enumerate(reporters):
            if hasattr(r, "set_state"):
                key = _reporter_key(r, i)
                if key not in saved:
                    raise InputError(f"checkpoint {path} holds no state for reporter {key!r}; "
                                     f"saved reporters: {sorted(saved) or 'none'}")
                r.set_state(saved[key])
        self._set_state(state)
        self.step_count = int(clock["step_count"])
        self._dt = float(clock["dt"])
        self._time_origin = float(clock["time_origin"])
        self._step_origin = int(clock["step_origin"])
        self.status = "ready"
        return self


def _reporter_key(reporter, index):
    name = getattr(reporter, "name", None)
    return str(name) if name else f"reporter{index}"


def _progress_bar(steps, sim, progress):
    if not progress or steps == 0:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=steps, unit="step", desc=type(sim).__name__, leave=True, mininterval=0.5,
                smoothing=0.1, dynamic_ncols=True)
