"""Monitor base class: an interval reporter bound to one FDTD simulation before the run starts."""

import numpy as np

from mindscience.engine.reporters import IntervalReporter


class Monitor(IntervalReporter):
    """Base class of FDTD monitors (engine reporters; they never modify the simulation).

    A monitor is *bound* to a simulation (``bind(sim)``, done by the simulation's constructor or
    by its ``run``) before the first step: binding resolves positions on the grid and raises
    :class:`~mindscience.errors.InputError` for anything outside the domain. The snapshot it
    receives holds ``state["fields"]`` (:class:`~electromagnetics.fdtd.fields.Fields`, E at
    ``state["time"]``, H half a step earlier).

    Parameters
    ----------
    interval : int
        Steps between samples.
    """

    def __init__(self, interval=1):
        super().__init__(interval, include=("fields",))
        self.sim = None

    def bind(self, sim):
        """Resolve placement on ``sim.grid``; subclasses extend this and call ``super().bind``."""
        if self.sim is not None and self.sim is not sim:
            raise ValueError(f"{type(self).__name__} is already bound to another simulation; make a new one")
        self.sim = sim
        return self

    # accumulated state for checkpoints (Simulation.checkpoint(path, reporters=...)); subclasses
    # list the attributes holding what they accumulated in ``_saved``
    _saved = ()

    def get_state(self):
        """Accumulated data (and the last reported step) as a dict for a checkpoint."""
        out = {"last": -1 if self._last is None else int(self._last)}
        for name in self._saved:
            value = getattr(self, name)
            out[name] = {_key(k): v for k, v in value.items()} if isinstance(value, dict) else np.asarray(value)
        return out

    def set_state(self, state):
        """Load what :meth:`get_state` returned (after the monitor is bound to its simulation)."""
        self._last = None if int(state["last"]) < 0 else int(state["last"])
        for name in self._saved:
            current = getattr(self, name)
            if isinstance(current, dict):
                keys = {_key(k): k for k in current}
                for key, value in state[name].items():
                    current[keys[key]][...] = value
            else:
                setattr(self, name, list(state[name]))


def _key(k):
    return "|".join(map(str, k)) if isinstance(k, tuple) else str(k)
