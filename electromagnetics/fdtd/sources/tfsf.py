"""Total-field/scattered-field plane-wave injection along a grid axis, fed by a 1D auxiliary Yee grid."""

import math

import numpy as np
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

from electromagnetics.fdtd.grid import AXES, component_axis
from electromagnetics.fdtd.sources.waveforms import Waveform
from mindscience.errors import InputError

_AUX_PAD = 2        # aux cells before the TF box (the hard source sits there)
_AUX_ABSORBER = 40  # matched graded-loss cells at the far end of the aux grid


class TFSF:
    """A plane wave inside the box ``[lo, hi]`` (total field), nothing outside (scattered field only).

    The incident wave propagates along ``direction`` (``"+x"``, ``"-y"``, ...) with its electric
    field along ``polarization`` (a component transverse to it); ``H = (1/eta0) k x E``. It is
    computed on a 1D auxiliary Yee grid with the main grid's spacing and time step, so on-axis
    it has exactly the main grid's numerical dispersion and the box leaks nothing (to round-off).
    The box faces must lie in vacuum and at least one cell inside the domain (and outside any PML).

    For every node the Yee stencil couples across the box surface, the update is made consistent
    (Taflove & Hagness, ch. 5)::

        dH = db (1_SF . curlE(E_inc 1_TF) - 1_TF . curlE(E_inc 1_SF))
        dE = cb (1_TF . curlH(H_inc 1_SF) - 1_SF . curlH(H_inc 1_TF))

    evaluated on the box grown by one cell (numpy; the cost is proportional to the box volume).

    Parameters
    ----------
    lo, hi : sequence of float
        Corners of the total-field box, m.
    waveform : Waveform
        Time profile of the incident E at the aux grid's start (two cells before the box face).
    direction : str
        ``"+x"``, ``"-x"``, ``"+y"``, ``"-y"``, ``"+z"``, ``"-z"`` (an active axis).
    polarization : str
        E component of the incident wave, e.g. ``"Ez"`` (transverse to ``direction``).
    amplitude : float
        Peak incident E, V/m.

    Examples
    --------
    >>> from electromagnetics.fdtd import ModulatedGaussian
    >>> pw = TFSF((0.02, 0.02), (0.08, 0.08), ModulatedGaussian(3e9, 1e9), "+x", "Ez")
    """

    def __init__(self, lo, hi, waveform, direction="+x", polarization="Ez", amplitude=1.0):
        if not isinstance(waveform, Waveform):
            raise InputError(f"TFSF.waveform={waveform!r} must be a Waveform")
        if len(direction) != 2 or direction[0] not in "+-" or direction[1] not in AXES:
            raise InputError(f"TFSF.direction={direction!r} must be one of +x, -x, +y, -y, +z, -z")
        kind, pol = component_axis(polarization)
        self.d = AXES.index(direction[1])
        self.sign = 1 if direction[0] == "+" else -1
        if kind != "E" or pol == self.d:
            raise InputError(f"TFSF.polarization={polarization!r} must be an E component transverse to {direction}")
        self.pol = pol
        self.lo, self.hi = lo, hi
        self.waveform = waveform
        self.amplitude = float(amplitude)
        # unit vectors: e along pol, k along +-d, h = k x e
        e = np.zeros(3)
        e[pol] = 1.0
        k = np.zeros(3)
        k[self.d] = self.sign
        self.e_vec, self.h_vec = e, np.cross(k, e)

    # ------------------------------------------------------------------ binding
    def bind(self, sim):
        g = sim.grid
        self.grid = g
        if not g.active[self.d]:
            raise InputError(f"TFSF.direction along {AXES[self.d]} is unused in a {g.ndim}D grid")
        # TF masks per component over the sub-box (TF box grown by one cell)
        rng = {c: g.index_range(c, self.lo, self.hi, name="TFSF box") for c in
               ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz")}
        sub = []
        for ax in range(3):
            if not g.active[ax]:
                sub.append(slice(0, 1))
                continue
            a = min(r[ax].start for r in rng.values()) - 1
            b = max(r[ax].stop for r in rng.values()) + 1
            if a < 0 or b > g.shape[ax]:
                raise InputError(f"TFSF box must stay at least one cell inside the domain along {AXES[ax]} "
                                 f"(lo={self.lo!r}, hi={self.hi!r})")
            sub.append(slice(a, b))
        self.sub = tuple(sub)
        shp = tuple(s.stop - s.start for s in sub)
        self.tf = {}
        for c, r in rng.items():
            m = np.zeros(shp, bool)
            m[tuple(slice(rr.start - s.start, rr.stop - s.start) for rr, s in zip(r, sub))] = True
            self.tf[c] = m
        # aux grid along d covering the sub-box, plus pad and absorber
        n_lo, n_hi = sub[self.d].start, sub[self.d].stop   # main indices covered
        self.n_lo, self.n_hi = n_lo, n_hi
        self.n_aux = (n_hi - n_lo) + 2 * _AUX_PAD + _AUX_ABSORBER
        if self.sign > 0:
            self.i_start = n_lo - _AUX_PAD            # main index of aux E node 0
        else:
            self.i_start = n_hi - 1 + _AUX_PAD
        dx = g.spacing[self.d]
        dt = g.dt
        self.dx, self.dt = dx, dt
        s = np.arange(self.n_aux, dtype=float)
        a0 = self.n_aux - _AUX_ABSORBER
        depth_e = np.clip((s - a0) / _AUX_ABSORBER, 0, 1)
        depth_h = np.clip((s + 0.5 - a0) / _AUX_ABSORBER, 0, 1)
        smax = 0.8 * 4 / (math.sqrt(MU0 / EPS0) * dx) * 2
        se = smax * depth_e**3
        sh = smax * depth_h**3 * MU0 / EPS0                 # matched: sigma_m / mu = sigma / eps
        qe = se * dt / (2 * EPS0)
        qh = sh * dt / (2 * MU0)
        self.ca, self.cb = (1 - qe) / (1 + qe), dt / (EPS0 * dx) / (1 + qe)
        self.da, self.db = (1 - qh) / (1 + qh), dt / (MU0 * dx) / (1 + qh)
        self.e_aux = np.zeros(self.n_aux)
        self.h_aux = np.zeros(self.n_aux)
        self.field_dtype = sim.field_dtype
        return self

    def get_state(self):
        return {"e_aux": self.e_aux, "h_aux": self.h_aux}

    def set_state(self, state):
        np.copyto(self.e_aux, state["e_aux"])
        np.copyto(self.h_aux, state["h_aux"])

    # ------------------------------------------------------------------ incident fields on the sub-box
    def _profile(self, kind):
        """Incident scalar along the sub-box's d axis (main indices n_lo..n_hi-1)."""
        i = np.arange(self.n_lo, self.n_hi)
        if kind == "E":
            s = (i - self.i_start) * self.sign
            vals = self.e_aux
        else:  # H at main position i + 1/2
            s = (i - self.i_start) if self.sign > 0 else (self.i_start - i - 1)
            vals = self.h_aux
        ok = (s >= 0) & (s < self.n_aux)
        out = np.zeros(i.size)
        out[ok] = vals[s[ok]]
        shape = [1, 1, 1]
        shape[self.d] = i.size
        return out.reshape(shape)

    def _inc(self, kind):
        prof = self._profile(kind)
        vec = self.e_vec if kind == "E" else self.h_vec
        return [vec[c] * prof if vec[c] != 0 else None for c in range(3)]

    # ------------------------------------------------------------------ curls on the sub-box (zero outside)
    def _diff(self, F, ax, forward):
        if not self.grid.active[ax]:
            return np.zeros_like(F)
        pad = [(0, 0)] * 3
        pad[ax] = (0, 1) if forward else (1, 0)
        P = np.pad(F, pad)
        return (np.diff(P, axis=ax)) / self.grid.spacing[ax]

    def _curl(self, F, forward):
        """Curl of a field given as three arrays (None = 0) on the sub-box."""
        z = [f if f is not None else None for f in F]
        out = []
        for c in range(3):
            u, v = (c + 1) % 3, (c + 2) % 3
            term = 0
            if z[v] is not None:
                term = term + self._diff(z[v], u, forward)
            if z[u] is not None:
                term = term - self._diff(z[u], v, forward)
            out.append(term)
        return out

    def _masked(self, inc, kind, inside):
        shp = next(m.shape for m in self.tf.values())
        out = []
        for c in range(3):
            if inc[c] is None:
                out.append(None)
                continue
            m = self.tf[kind + AXES[c]]
            full = np.broadcast_to(inc[c], shp)
            out.append(np.where(m if inside else ~m, full, 0.0))
        return out

    def update_h(self, sim, t):
        """H correction with E_inc at ``t`` (the E time of this step), then advance aux H by dt."""
        inc = self._inc("E")
        c_tf = self._curl(self._masked(inc, "E", True), forward=True)
        c_sf = self._curl(self._masked(inc, "E", False), forward=True)
        for c in range(3):
            if np.isscalar(c_tf[c]) and np.isscalar(c_sf[c]):
                continue
            m = self.tf["H" + AXES[c]]
            corr = np.where(m, -c_sf[c], c_tf[c])
            db = sim.db[c]
            dbs = db[0, 0, 0] if db.size == 1 else db[self.sub]
            sim.fields.H[c][self.sub] += dbs * corr
        e = self.e_aux
        self.h_aux[:-1] = self.da[:-1] * self.h_aux[:-1] - self.db[:-1] * (e[1:] - e[:-1])
        self.h_aux[-1] = self.da[-1] * self.h_aux[-1] + self.db[-1] * e[-1]

    def update_e(self, sim, t_next):
        """E correction with H_inc at ``t_next - dt/2``, then advance aux E to ``t_next``."""
        inc = self._inc("H")
        c_tf = self._curl(self._masked(inc, "H", True), forward=False)
        c_sf = self._curl(self._masked(inc, "H", False), forward=False)
        for c in range(3):
            if np.isscalar(c_tf[c]) and np.isscalar(c_sf[c]):
                continue
            m = self.tf["E" + AXES[c]]
            corr = np.where(m, c_sf[c], -c_tf[c])
            cb = sim.cb[c]
            cbs = cb[0, 0, 0] if cb.size == 1 else cb[self.sub]
            sim.fields.E[c][self.sub] += cbs * corr
        h = self.h_aux
        self.e_aux[1:] = self.ca[1:] * self.e_aux[1:] - self.cb[1:] * (h[1:] - h[:-1])
        self.e_aux[0] = self.amplitude * float(self.waveform(t_next))
