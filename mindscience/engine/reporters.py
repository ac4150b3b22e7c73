"""Reporters: read-only observers that the run loop feeds with state snapshots.

A reporter is any object with two methods (OpenMM's protocol, duck-typed):

``next_report(sim) -> ReportRequest | None``
    How many steps from now it next wants data (0 = now) and which quantities; ``None`` = never.
``report(sim, state)``
    Receives one snapshot dict shared by all reporters due at this step (``state["step"]``,
    ``state["time"]`` and the requested quantities). It must not modify the simulation.

and optionally ``finish(sim)`` (called when a run completes normally, including a stop requested by
:func:`stop_when`) and ``close()`` (always called when the run leaves, even on an exception; close
files here). :func:`at_every`, :func:`at_end` and :func:`stop_when` build reporters from plain functions.
"""

from typing import NamedTuple

import numpy as np


class ReportRequest(NamedTuple):
    """What a reporter wants next.

    Attributes
    ----------
    steps : int
        Steps from the current step until the report (0 means at the current step).
    include : frozenset of str
        Names of the quantities the snapshot must hold (suite-specific, e.g. ``"positions"``).
    """

    steps: int
    include: frozenset = frozenset()


def _steps_to_next(sim, interval):
    return (-sim.step_count) % interval


class IntervalReporter:
    """Base for reporters that fire every ``interval`` steps (at step multiples of it).

    Parameters
    ----------
    interval : int
        Report every this many steps (>= 1).
    include : iterable of str
        Quantities requested in the snapshot.
    at_start : bool
        Also report at the step a run starts from when that step is a multiple of ``interval``
        (a thermo table's first row). ``False`` suits actions that a previous run already did at
        that step (checkpoints, resampling).
    """

    def __init__(self, interval, include=(), at_start=True):
        if int(interval) != interval or interval < 1:
            raise ValueError(f"interval={interval!r} must be an integer >= 1 (steps between reports)")
        self.interval = int(interval)
        self.include = frozenset(include)
        self.at_start = bool(at_start)
        self._last = None

    def next_report(self, sim):
        if self._last is None and not self.at_start:
            self._last = sim.step_count
        steps = _steps_to_next(sim, self.interval)
        if steps == 0 and self._last == sim.step_count:
            steps = self.interval
        return ReportRequest(steps, self.include)

    def report(self, sim, state):
        self._last = sim.step_count
        self._report(sim, state)

    def _report(self, sim, state):
        """Hook for subclasses."""


class _Every(IntervalReporter):
    def __init__(self, interval, funcs, include):
        super().__init__(interval, include)
        self.funcs = funcs

    def _report(self, sim, state):
        for f in self.funcs:
            f(sim, state)


def at_every(interval, *funcs, include=()):
    """Call each ``f(sim, state)`` every ``interval`` steps.

    Parameters
    ----------
    interval : int
        Steps between calls.
    *funcs : callable
        ``f(sim, state)``; ``state`` is the snapshot dict (``"step"``, ``"time"``, ``include``).
    include : iterable of str
        Quantities to put in the snapshot.

    Examples
    --------
    >>> energies = []
    >>> rep = at_every(10, lambda sim, s: energies.append(s["energy"]), include=["energy"])
    """
    return _Every(interval, funcs, include)


class _AtEnd:
    def __init__(self, funcs):
        self.funcs = funcs

    def next_report(self, sim):
        return None

    def report(self, sim, state):  # never scheduled
        pass

    def finish(self, sim):
        for f in self.funcs:
            f(sim)


def at_end(*funcs):
    """Call each ``f(sim)`` once when a run ends normally (reached its end or was stopped)."""
    return _AtEnd(funcs)


class _StopWhen(IntervalReporter):
    def __init__(self, condition, interval, include, reason):
        super().__init__(interval, include)
        self.condition = condition
        self.reason = reason

    def _report(self, sim, state):
        if self.condition(sim, state):
            sim.request_stop(self.reason or f"stop_when condition met at step {sim.step_count}")


def stop_when(condition, interval=1, include=(), reason=None):
    """Stop the run once ``condition(sim, state)`` is true, checked every ``interval`` steps.

    Examples
    --------
    >>> rep = stop_when(lambda sim, s: s["energy"] < 1e-6, interval=50, include=["energy"])
    """
    return _StopWhen(condition, interval, include, reason)


class Checkpointer(IntervalReporter):
    """Write a checkpoint (atomically) every ``interval`` steps and when a run ends.

    Parameters
    ----------
    path : str or os.PathLike
        Checkpoint file, replaced at each write; :meth:`Simulation.restore` continues from it.
    interval : int
        Steps between checkpoints.
    reporters : sequence, optional
        Reporters whose accumulated state is saved with the simulation (see
        :meth:`Simulation.checkpoint`).

    Examples
    --------
    >>> sim.run(steps=10**6, reporters=[Checkpointer("run.h5", 10_000)])    # doctest: +SKIP
    """

    def __init__(self, path, interval=1000, reporters=()):
        super().__init__(interval, at_start=False)
        self.path = path
        self.reporters = tuple(reporters)

    def _report(self, sim, state):
        sim.checkpoint(self.path, self.reporters)

    def finish(self, sim):
        sim.checkpoint(self.path, self.reporters)


class Recorder(IntervalReporter):
    """Keep the requested quantities in memory every ``interval`` steps.

    After the run, ``recorder.data[name]`` is an array with the report index first, and
    ``recorder.data["step"]``, ``recorder.data["time"]`` give when each row was taken.

    Parameters
    ----------
    interval : int
        Steps between samples.
    quantities : iterable of str
        Names of snapshot quantities to keep.

    Examples
    --------
    >>> rec = Recorder(10, ["energy"])          # doctest: +SKIP
    >>> sim.run(steps=100, reporters=[rec]); rec.data["energy"].shape   # doctest: +SKIP
    (11,)
    """

    def __init__(self, interval, quantities):
        super().__init__(interval, quantities)
        self._rows = {name: [] for name in ("step", "time", *sorted(self.include))}

    def _report(self, sim, state):
        for name, rows in self._rows.items():
            rows.append(np.array(state[name], copy=True))

    @property
    def data(self):
        return {name: np.asarray(rows) for name, rows in self._rows.items()}
