"""Total-field/scattered-field plane-wave injection (axis-aligned or oblique), fed by a 1D auxiliary Yee grid."""

import math

import numpy as np
from scipy.constants import c as C0
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0
from scipy.optimize import brentq

from electromagnetics.fdtd.grid import AXES, component_axis
from electromagnetics.fdtd.sources.waveforms import Waveform
from mindscience.errors import InputError, check_range

_AUX_PAD = 2        # aux cells before the TF box (the hard source sits there)
_AUX_ABSORBER = 40  # matched graded-loss cells at the far end of the aux grid


def yee_wavenumber(omega, dt, spacing, direction):
    """Numerical wavenumber of a plane wave on a Yee grid (rad/m).

    Solves the Yee dispersion relation [1]_ for ``|k|`` along the unit vector ``direction``::

        (sin(omega dt / 2) / (c dt))^2 = sum_a (sin(k n_a d_a / 2) / d_a)^2

    Parameters
    ----------
    omega : float
        Angular frequency, rad/s (> 0, resolved: ``omega dt < pi``).
    dt : float
        Time step, s.
    spacing : sequence of float
        Cell sizes ``d_a`` per axis, m (only axes with ``direction[a] != 0`` matter).
    direction : sequence of float
        Unit propagation vector ``n``.

    Returns
    -------
    float

    References
    ----------
    .. [1] A. Taflove and S. C. Hagness, Computational Electrodynamics, 3rd ed. (2005), eq. 4.51.

    Examples
    --------
    >>> k = yee_wavenumber(2 * math.pi * 1e10, 1e-12, (1e-3,), (1.0,))
    >>> bool(k > 2 * math.pi * 1e10 / C0)   # slower than c
    True
    """
    S2 = (math.sin(omega * dt / 2) / (C0 * dt)) ** 2
    terms = [(abs(n), d) for n, d in zip(direction, spacing) if n != 0]
    kmax = min(math.pi / (n * d) for n, d in terms)

    def f(k):
        return sum((math.sin(k * n * d / 2) / d) ** 2 for n, d in terms) - S2

    if f(kmax * (1 - 1e-12)) < 0:
        raise InputError(f"frequency {omega / (2 * math.pi):.4g} Hz is not resolved by the grid (above the Yee cutoff)")
    return brentq(f, 1e-12 * kmax, kmax * (1 - 1e-12), xtol=1e-14 * kmax, rtol=1e-14)


def matched_aux_spacing(k, omega, dt):
    """Cell size (m) of a 1D Yee grid with time step ``dt`` whose wavenumber at ``omega`` is ``k``.

    Solves ``sin(k D / 2) / D = sin(omega dt / 2) / (c dt)`` for ``D``: the auxiliary grid of an
    oblique TFSF source then has the main grid's numerical phase velocity along the incidence
    direction at ``omega`` (dispersion matching, Taflove & Hagness sec. 5.9).

    Examples
    --------
    >>> w, dt = 2 * math.pi * 1e10, 1e-12
    >>> D = matched_aux_spacing(yee_wavenumber(w, dt, (1e-3,), (1.0,)), w, dt)
    >>> round(D / 1e-3, 9)     # on-axis the 1D grid matches itself
    1.0
    """
    S = math.sin(omega * dt / 2) / (C0 * dt)
    return brentq(lambda D: math.sin(k * D / 2) / D - S, 1e-9 / k, math.pi / k, xtol=1e-16 / k, rtol=1e-14)


def _cubic_weights(s):
    """Indices (4, ...) and Lagrange weights (4, ...) of cubic interpolation at fractional index ``s``."""
    i0 = np.floor(s).astype(np.int64)
    t = s - i0
    idx = np.stack([i0 - 1, i0, i0 + 1, i0 + 2])
    w = np.stack([-t * (t - 1) * (t - 2) / 6, (t + 1) * (t - 1) * (t - 2) / 2,
                  -(t + 1) * t * (t - 2) / 2, (t + 1) * t * (t - 1) / 6])
    return idx, w


class TFSF:
    """A plane wave inside the box ``[lo, hi]`` (total field), nothing outside (scattered field only).

    The incident wave propagates along ``direction`` with its electric field along
    ``polarization``; ``H = (1/eta0) k x E``. It is computed on a 1D auxiliary Yee grid with the
    main grid's time step.

    * Axis-aligned (``direction="+x"``, ``"-y"``, ...): the aux grid has the main grid's spacing,
      so on-axis it has exactly the main grid's numerical dispersion and the box leaks nothing
      (to round-off).
    * Oblique (``direction`` a vector, e.g. ``(cos 30deg, sin 30deg)``): every main-grid node
      ``r`` takes the aux field at the projected distance ``k . (r - r0)`` by cubic Lagrange
      interpolation, and the aux cell size is chosen so that the aux grid's numerical phase
      velocity equals the main grid's along ``k`` at ``frequency`` (dispersion matching,
      Taflove & Hagness sec. 5.9; :func:`matched_aux_spacing`). The leakage into the scattered-field
      region is then set by the interpolation and by the dispersion mismatch away from
      ``frequency`` (about 1e-3 of the incident peak at 20 cells per wavelength, see the tests).

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
        Time profile of the incident E at :attr:`origin` (two aux cells before the box).
    direction : str or sequence of float
        ``"+x"``, ``"-x"``, ``"+y"``, ``"-y"``, ``"+z"``, ``"-z"`` (an active axis), or a
        propagation vector (2 or 3 components, normalised here; zero along unused axes).
    polarization : str or sequence of float
        E direction of the incident wave: a component name such as ``"Ez"`` or a vector; it must
        be perpendicular to ``direction`` (TM in 2D: ``"Ez"``; TE: an in-plane vector).
    amplitude : float
        Peak incident E, V/m.
    frequency : float, optional
        Oblique incidence only: frequency (Hz) at which the aux grid's dispersion is matched;
        default ``waveform.frequency``.

    Attributes
    ----------
    origin : ndarray, shape (3,)
        Point (m, set by binding) where the incident E is ``amplitude * waveform(t)``; elsewhere
        it is delayed by ``k . (r - origin) / v`` with the numerical phase velocity ``v``.

    Examples
    --------
    >>> from electromagnetics.fdtd import ModulatedGaussian
    >>> pw = TFSF((0.02, 0.02), (0.08, 0.08), ModulatedGaussian(3e9, 1e9), "+x", "Ez")
    >>> th = math.radians(30)
    >>> oblique = TFSF((0.02, 0.02), (0.08, 0.08), ModulatedGaussian(3e9, 1e9), (math.cos(th), math.sin(th)), "Ez")
    """

    def __init__(self, lo, hi, waveform, direction="+x", polarization="Ez", amplitude=1.0, frequency=None):
        if not isinstance(waveform, Waveform):
            raise InputError(f"TFSF.waveform={waveform!r} must be a Waveform")
        self.oblique = not isinstance(direction, str)
        if self.oblique:
            self._init_oblique(lo, hi, waveform, direction, polarization, amplitude, frequency)
            return
        if len(direction) != 2 or direction[0] not in "+-" or direction[1] not in AXES:
            raise InputError(f"TFSF.direction={direction!r} must be one of +x, -x, +y, -y, +z, -z or a vector")
        if not isinstance(polarization, str):
            raise InputError(f"TFSF.polarization={polarization!r} must be a component name with an axis direction")
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
        self.k_vec = k
        self.frequency = None

    def _init_oblique(self, lo, hi, waveform, direction, polarization, amplitude, frequency):
        k = np.zeros(3)
        try:
            kin = np.asarray(direction, dtype=float).ravel()
        except (TypeError, ValueError):
            msg = f"TFSF.direction={direction!r} must be +x, -x, ... or a vector of 2 or 3 numbers"
            raise InputError(msg) from None
        norm = float(np.linalg.norm(kin)) if kin.size in (2, 3) else 0.0
        if not (norm > 0 and math.isfinite(norm)):
            raise InputError(f"TFSF.direction={direction!r} must be a nonzero finite vector of 2 or 3 components")
        k[: kin.size] = kin / norm
        if isinstance(polarization, str):
            kind, pol = component_axis(polarization)
            if kind != "E":
                raise InputError(f"TFSF.polarization={polarization!r} must be an E component or a vector")
            e = np.zeros(3)
            e[pol] = 1.0
        else:
            pin = np.asarray(polarization, dtype=float).ravel()
            pn = float(np.linalg.norm(pin)) if pin.size in (2, 3) else 0.0
            if not (pn > 0 and math.isfinite(pn)):
                raise InputError(f"TFSF.polarization={polarization!r} must be a nonzero vector of 2 or 3 components")
            e = np.zeros(3)
            e[: pin.size] = pin / pn
        if abs(float(e @ k)) > 1e-9:
            raise InputError(f"TFSF.polarization={polarization!r} is not perpendicular to direction={direction!r} "
                             f"(E . k = {float(e @ k):.3g}; allowed: 0)")
        if frequency is None:
            frequency = getattr(waveform, "frequency", None)
        if frequency is None:
            raise InputError(f"TFSF.frequency is required for oblique incidence with {type(waveform).__name__} "
                             "(the frequency, Hz, at which the aux grid's dispersion is matched)")
        self.frequency = check_range("TFSF.frequency", float(frequency), 0, None, low_open=True)
        self.lo, self.hi = lo, hi
        self.waveform = waveform
        self.amplitude = float(amplitude)
        self.k_vec, self.e_vec, self.h_vec = k, e, np.cross(k, e)

    # ------------------------------------------------------------------ binding
    def bind(self, sim):
        g = sim.grid
        self.grid = g
        if self.oblique:
            for ax in range(3):
                if not g.active[ax] and (self.k_vec[ax] != 0):
                    raise InputError(f"TFSF.direction has a component along {AXES[ax]}, unused in a {g.ndim}D grid")
        elif not g.active[self.d]:
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
        if self.oblique:
            self._bind_oblique(sim)
            return self
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
        self.origin = np.zeros(3)
        self.origin[self.d] = self.i_start * dx
        self._make_aux(dx, dt, sim)
        return self

    def _bind_oblique(self, sim):
        g = self.grid
        dt = g.dt
        omega = 2 * math.pi * self.frequency
        if omega * dt >= math.pi:
            raise InputError(f"TFSF.frequency={self.frequency:g} Hz is above the grid's Nyquist limit 1/(2 dt)")
        k = yee_wavenumber(omega, dt, g.spacing, self.k_vec)
        D = matched_aux_spacing(k, omega, dt)
        if C0 * dt > D:
            raise InputError(f"TFSF.frequency={self.frequency:g} Hz: the matched aux grid (cell {D:.3g} m) would be "
                             f"unstable with dt={dt:.3g} s; resolve the frequency with more cells per wavelength")
        self.aux_spacing = D
        # r0: the sub-box corner the wave reaches first (one cell out); origin: PAD aux cells before it
        r0 = np.zeros(3)
        for ax in range(3):
            if g.active[ax] and self.k_vec[ax] != 0:
                sl = self.sub[ax]
                r0[ax] = (sl.start - 1) * g.spacing[ax] if self.k_vec[ax] > 0 else (sl.stop + 1) * g.spacing[ax]
        self.origin = r0 - _AUX_PAD * D * self.k_vec
        self._interp = {}
        smax = 0.0
        for name in ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz"):
            kind, c = component_axis(name)
            vec = self.e_vec if kind == "E" else self.h_vec
            if vec[c] == 0:
                continue
            off = g.offsets(name)
            dist = 0.0
            for ax in range(3):
                sl = self.sub[ax]
                x = (np.arange(sl.start, sl.stop) + off[ax]) * g.spacing[ax]
                shape = [1, 1, 1]
                shape[ax] = x.size
                dist = dist + (self.k_vec[ax] * (x - self.origin[ax])).reshape(shape)
            sidx = np.broadcast_to(dist / D - (0.5 if kind == "H" else 0.0), self.tf[name].shape)
            smax = max(smax, float(sidx.max()))
            self._interp[name] = _cubic_weights(sidx)
        self.n_aux = int(math.ceil(smax)) + 3 + _AUX_ABSORBER
        self._make_aux(D, dt, sim)

    def _make_aux(self, dx, dt, sim):
        """The 1D aux grid: ``n_aux`` cells of size ``dx``, a matched graded loss over the last ones."""
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
        if self.oblique:
            vals = self.e_aux if kind == "E" else self.h_aux
            vec = self.e_vec if kind == "E" else self.h_vec
            out = []
            for c in range(3):
                name = kind + AXES[c]
                if name not in self._interp:
                    out.append(None)
                    continue
                idx, w = self._interp[name]
                out.append(vec[c] * np.einsum("i...,i...->...", w, vals[idx]))
            return out
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
