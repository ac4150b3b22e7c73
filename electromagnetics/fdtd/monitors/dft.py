"""Frequency-domain monitors: running DFTs of fields on points/lines/planes/volumes, and Poynting flux."""

import numpy as np

from electromagnetics.fdtd import _kernels as K
from electromagnetics.fdtd.grid import AXES, component_axis
from electromagnetics.fdtd.monitors.base import Monitor
from mindscience.errors import InputError


def _frequencies(name, frequencies):
    f = np.atleast_1d(np.asarray(frequencies, dtype=float))
    if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)) or np.any(f < 0):
        raise InputError(f"{name}.frequencies must be a non-empty list of finite frequencies >= 0 (Hz)")
    return f


class DFTFields(Monitor):
    """Running DFT ``F(f) = sum_n F(t_n) exp(i 2 pi f t_n) dt`` of components in a box.

    Each component uses its own sample times (E at ``n dt``, H at ``(n - 1/2) dt``), so E and H
    spectra are consistent. With the ``exp(-i omega t)`` convention of
    :mod:`~electromagnetics.fdtd.materials`, a time-harmonic field ``Re(A exp(-i omega t))``
    gives ``F ~ A T/2`` after a duration T.

    Parameters
    ----------
    components : sequence of str
    frequencies : sequence of float
        Hz.
    lo, hi : sequence of float, optional
        Box corners, m (a point, line, plane or volume; default the whole domain).

    Attributes
    ----------
    fields : dict
        ``{component: complex ndarray (nf, mx, my, mz)}``, V s/m or A s/m.
    """

    _saved = ("_acc",)

    def __init__(self, components, frequencies, lo=None, hi=None):
        super().__init__(1)
        self.components = tuple(components)
        for c in self.components:
            component_axis(c)
        self.frequencies = _frequencies("DFTFields", frequencies)
        self.lo, self.hi = lo, hi

    def bind(self, sim):
        super().bind(sim)
        g = sim.grid
        lo = self.lo if self.lo is not None else (0.0,) * g.ndim
        hi = self.hi if self.hi is not None else g.size[: g.ndim]
        self.index = {c: g.index_range(c, lo, hi, name="DFTFields") for c in self.components}
        cdt = np.result_type(sim.field_dtype, np.complex64)
        self._acc = {}
        self.shapes = {}
        for c in self.components:
            shp = tuple(s.stop - s.start for s in self.index[c])
            self.shapes[c] = shp
            self._acc[c] = np.zeros((self.frequencies.size, int(np.prod(shp))), dtype=np.complex128 if
                                    cdt == np.complex128 else np.complex64)
        self._omega = 2 * np.pi * self.frequencies
        return self

    def coords(self, component):
        """Node coordinates (m) of the recorded box for ``component``: 3 arrays."""
        return tuple(c[s] for c, s in zip(self.sim.grid.coords(component), self.index[component]))

    def _report(self, sim, state):
        f = state["fields"]
        t = state["time"]
        for c in self.components:
            tc = t - (0.5 * sim.dt if c[0] == "H" else 0.0)
            ph = np.exp(1j * self._omega * tc).astype(self._acc[c].dtype)
            vals = np.ascontiguousarray(f[c][self.index[c]]).reshape(-1)
            K.dft_accumulate(self._acc[c], vals, ph, sim.dt)

    @property
    def fields(self):
        return {c: a.reshape((-1,) + self.shapes[c]) for c, a in self._acc.items()}


class FluxMonitor(Monitor):
    """Poynting flux through a plane normal to ``axis``, in time and frequency domain.

    The plane sits on the layer of tangential-E nodes nearest to ``position``; the tangential H
    components (half a cell on either side) are averaged onto it, which pairs every E component
    with an H component at the same node. With ``(d, u, v)`` the cyclic axes::

        S_d = E_u H_v - E_v H_u

    Parameters
    ----------
    axis : {'x', 'y', 'z'}
        Normal direction; positive flux flows towards +axis.
    position : float
        m; at least one cell inside the domain.
    frequencies : sequence of float
        Hz.
    lo, hi : sequence of float, optional
        Corners limiting the plane (default the whole cross-section), m.

    Attributes
    ----------
    times, power : ndarray
        Instantaneous flux ``sum S_d dA`` (W in 3D, W/m in 2D, W/m^2 in 1D), with H at half a step
        before E (times are E's).
    """

    _saved = ("dft", "_t", "_p")

    def __init__(self, axis, position, frequencies, lo=None, hi=None):
        super().__init__(1)
        if axis not in AXES:
            raise InputError(f"FluxMonitor.axis={axis!r} must be 'x', 'y' or 'z'")
        self.axis = AXES.index(axis)
        self.position = float(position)
        self.frequencies = _frequencies("FluxMonitor", frequencies)
        self.lo, self.hi = lo, hi
        self._t, self._p = [], []

    def bind(self, sim):
        super().bind(sim)
        g = sim.grid
        d = self.axis
        if not g.active[d]:
            raise InputError(f"FluxMonitor.axis={AXES[d]!r} is unused in a {g.ndim}D grid")
        u, v = (d + 1) % 3, (d + 2) % 3
        self.u, self.v = u, v
        n = g.shape[d]
        i = int(round(self.position / g.spacing[d]))
        if not 1 <= i <= n - 1:
            raise InputError(f"FluxMonitor.position={self.position!r} is outside the domain interior; allowed: "
                             f"[{g.spacing[d]:g}, {(n - 1) * g.spacing[d]:g}] m along {AXES[d]}")
        lo = list(self.lo) if self.lo is not None else [0.0] * g.ndim
        hi = list(self.hi) if self.hi is not None else list(g.size[: g.ndim])
        lo[d] = hi[d] = i * g.spacing[d]
        self.index = {}
        for comp, partner in ((u, v), (v, u)):
            idx = list(g.index_range("E" + AXES[comp], lo[: g.ndim], hi[: g.ndim], name="FluxMonitor"))
            idx[d] = slice(i, i + 1)
            self.index["E", comp] = tuple(idx)
            # the partner H component shares E_comp's in-plane nodes (Ey with Hz, Ez with Hy for d = x)
            lo_h, hi_h = list(idx), list(idx)
            lo_h[d], hi_h[d] = slice(i - 1, i), slice(i, i + 1)
            self.index["H", partner] = (tuple(lo_h), tuple(hi_h))
        self.area = float(np.prod([g.spacing[a] for a in (u, v) if g.active[a]]))
        size = {("E", c): int(np.prod([s.stop - s.start for s in self.index["E", c]])) for c in (u, v)}
        size["H", v], size["H", u] = size["E", u], size["E", v]
        self.dft = {key: np.zeros((self.frequencies.size, n), np.complex128) for key, n in size.items()}
        self._omega = 2 * np.pi * self.frequencies
        self._h_shift = np.exp(-0.5j * self._omega * g.dt)   # H samples are half a step earlier
        return self

    def _fields_on_plane(self, f):
        E = {c: f.E[c][self.index["E", c]] for c in (self.u, self.v)}
        H = {c: 0.5 * (f.H[c][self.index["H", c][0]] + f.H[c][self.index["H", c][1]]) for c in (self.u, self.v)}
        return E, H

    def _report(self, sim, state):
        E, H = self._fields_on_plane(state["fields"])
        u, v = self.u, self.v
        self._t.append(state["time"])
        self._p.append(float(np.real(np.sum(E[u] * np.conj(H[v])) - np.sum(E[v] * np.conj(H[u])))) * self.area)
        ph_e = np.exp(1j * self._omega * state["time"])
        for kind, F, ph in (("E", E, ph_e), ("H", H, ph_e * self._h_shift)):
            for c in (u, v):
                vals = np.ascontiguousarray(F[c], dtype=np.complex128).reshape(-1)
                K.dft_accumulate(self.dft[kind, c], vals, ph, sim.dt)

    @property
    def times(self):
        return np.asarray(self._t)

    @property
    def power(self):
        return np.asarray(self._p)

    def flux(self, minus=None):
        """Spectral flux ``Re sum (E_u H_v^* - E_v H_u^*) dA`` at each frequency (W s^2 in 3D).

        Parameters
        ----------
        minus : FluxMonitor, optional
            A monitor at the same plane from a normalisation run: its DFT fields are subtracted
            first (so that only the scattered/reflected wave is measured).

        Returns
        -------
        ndarray, shape (nf,)
        """
        u, v = self.u, self.v
        d = {k: a.copy() for k, a in self.dft.items()}
        if minus is not None:
            if minus.frequencies.shape != self.frequencies.shape or not np.allclose(minus.frequencies,
                                                                                     self.frequencies):
                raise InputError("FluxMonitor.flux(minus=...): the monitors must use the same frequencies")
            for k in d:
                d[k] = d[k] - minus.dft[k]
        s = (d["E", u] * np.conj(d["H", v])).sum(axis=1) - (d["E", v] * np.conj(d["H", u])).sum(axis=1)
        return np.real(s) * self.area
