"""Monitor base class: an interval reporter bound to one FDTD simulation before the run starts."""

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
