"""Time-domain monitors: point probes, field snapshots to HDF5, energy, and the field-decay stop rule."""

import numpy as np

from electromagnetics.fdtd.grid import component_axis
from electromagnetics.fdtd.monitors.base import Monitor
from electromagnetics.fdtd.monitors.energy import stored_energy
from mindscience.errors import InputError, check_range
from mindscience.io import save


class Probe(Monitor):
    """Time series of one field component at the node nearest to ``position``.

    Parameters
    ----------
    component : str
        ``"Ex"`` ... ``"Hz"``.
    position : sequence of float
        m, inside the domain.
    interval : int
        Steps between samples.

    Attributes
    ----------
    times : ndarray, shape (n,), s
        Sample times of the component itself (E: ``n dt``; H: ``(n - 1/2) dt``).
    values : ndarray, shape (n,), V/m or A/m

    Examples
    --------
    >>> p = Probe("Ez", (0.05, 0.05))
    """

    _saved = ("_t", "_v")

    def __init__(self, component, position, interval=1):
        super().__init__(interval)
        self.kind, self.axis = component_axis(component)
        self.component = component
        self.position = position
        self._t, self._v = [], []

    def bind(self, sim):
        super().bind(sim)
        self.index = sim.grid.nearest_index(self.component, self.position, name="Probe.position")
        self.node = tuple(float(c[i]) for c, i in zip(sim.grid.coords(self.component), self.index))
        return self

    def _report(self, sim, state):
        f = state["fields"]
        arr = (f.E if self.kind == "E" else f.H)[self.axis]
        self._t.append(state["time"] - (0.5 * sim.dt if self.kind == "H" else 0.0))
        self._v.append(arr[self.index])

    @property
    def times(self):
        return np.asarray(self._t)

    @property
    def values(self):
        return np.asarray(self._v)


class Snapshots(Monitor):
    """Copies of field components every ``interval`` steps, written to HDF5 when the run ends.

    Parameters
    ----------
    components : sequence of str
        Components to record.
    interval : int
        Steps between snapshots.
    path : str or path, optional
        HDF5 file written atomically at the end of each run (datasets ``<component>`` of shape
        ``(n_snapshots, nx, ny, nz)`` with units, and ``time`` in s).
    stride : int
        Keep every ``stride``-th node along each axis (to keep files small).
    """

    def __init__(self, components, interval, path=None, stride=1):
        super().__init__(interval)
        self.components = tuple(components)
        for c in self.components:
            component_axis(c)
        if int(stride) != stride or stride < 1:
            raise InputError(f"Snapshots.stride={stride!r} must be an integer >= 1")
        self.stride = int(stride)
        self.path = path
        self.frames = {c: [] for c in self.components}
        self._t = []

    def _report(self, sim, state):
        f = state["fields"]
        s = slice(None, None, self.stride)
        for c in self.components:
            self.frames[c].append(np.array(f[c][s, s, s], copy=True))
        self._t.append(state["time"])

    @property
    def times(self):
        return np.asarray(self._t)

    def data(self):
        """``{component: ndarray (n, ...), "time": ndarray}``."""
        out = {c: np.asarray(v) for c, v in self.frames.items()}
        out["time"] = self.times
        return out

    def finish(self, sim):
        if self.path is not None:
            units = {c: ("V/m" if c[0] == "E" else "A/m") for c in self.components}
            units["time"] = "s"
            save(self.path, self.data(), units=units,
                 parameters={"grid": sim.grid.parameters(), "stride": self.stride, "interval": self.interval})


class EnergyMonitor(Monitor):
    """Stored electromagnetic energy in the domain (or a box) every ``interval`` steps.

    The field part is :meth:`FDTDSimulation.electromagnetic_energy`, the quadratic form that the
    Yee scheme conserves exactly in a lossless closed cavity; the energy stored in dispersive
    polarizations (Drude, Lorentz, Debye poles) is added by
    :func:`~electromagnetics.fdtd.monitors.energy.polarization_energy`, so that a lossless
    dispersive medium conserves :attr:`energy` too.

    Parameters
    ----------
    interval : int
    lo, hi : sequence of float, optional
        Box corners, m (default: everything).

    Attributes
    ----------
    times : ndarray, s
    energy : ndarray, J (J/m in 2D, J/m^2 in 1D: per unit length/area of the unused axes)
        Total: fields plus polarization.
    field_energy, polarization_energy : ndarray
        The two parts, same units.

    Examples
    --------
    >>> mon = EnergyMonitor(interval=10)
    """

    _saved = ("_t", "_w", "_wp")

    def __init__(self, interval=1, lo=None, hi=None):
        super().__init__(interval)
        self.lo, self.hi = lo, hi
        self._t, self._w, self._wp = [], [], []

    def bind(self, sim):
        super().bind(sim)
        if (self.lo is None) != (self.hi is None):
            raise InputError("EnergyMonitor: give both lo and hi, or neither")
        self.region = None
        if self.lo is not None:
            self.region = sim.grid.index_range("Ex", self.lo, self.hi, name="EnergyMonitor")
        return self

    def _report(self, sim, state):
        w_fields, w_pol = stored_energy(sim, self.region)
        self._t.append(state["time"])
        self._w.append(w_fields)
        self._wp.append(w_pol)

    @property
    def times(self):
        return np.asarray(self._t)

    @property
    def field_energy(self):
        return np.asarray(self._w)

    @property
    def polarization_energy(self):
        return np.asarray(self._wp)

    @property
    def energy(self):
        return self.field_energy + self.polarization_energy


class FieldDecay(Monitor):
    """Stop rule: end the run once ``|F|^2`` at a point stays below ``decay_by`` times its maximum.

    Checked every ``window`` steps after all sources have ended (Meep's
    ``stop_when_fields_decayed``): the run stops when the largest ``|F|^2`` seen in the last window
    is below ``decay_by`` times the largest seen so far.

    Parameters
    ----------
    component : str
    position : sequence of float
        m.
    decay_by : float
        In (0, 1); default 1e-3.
    window : int, optional
        Steps; default: the time light needs to cross the domain (at least 50 steps).
    """

    def __init__(self, component, position, decay_by=1e-3, window=None):
        super().__init__(1)
        self.probe = Probe(component, position)
        self.decay_by = check_range("FieldDecay.decay_by", float(decay_by), 0, 1, low_open=True, high_open=True)
        self.window = window
        self.max_all = 0.0
        self.max_win = 0.0
        self.count = 0

    def bind(self, sim):
        super().bind(sim)
        self.probe.bind(sim)
        if self.window is None:
            from scipy.constants import c

            diag = float(np.sqrt(sum(s**2 for s, a in zip(sim.grid.size, sim.grid.active) if a)))
            self.window = max(50, int(diag / c / sim.dt))
        return self

    def _report(self, sim, state):
        f = state["fields"][self.probe.component][self.probe.index]
        a = float(abs(f) ** 2)
        self.max_all = max(self.max_all, a)
        self.max_win = max(self.max_win, a)
        self.count += 1
        if self.count >= self.window:
            if sim.time > sim.sources_end_time and self.max_all > 0 and self.max_win <= self.decay_by * self.max_all:
                sim.request_stop(f"fields decayed by {self.decay_by:g} at step {sim.step_count}")
            self.count = 0
            self.max_win = 0.0
