"""maxwell_pinn.py: 2D time-domain Maxwell (TE) with a Gaussian source, as a PINN problem and as an FDTD reference.

The problem is MindElec's flagship time-domain example [1]_: a smooth Gaussian-in-space-and-time source in a
2D domain that starts with zero fields. It is posed in *normalised units* (below) as

.. math::

    \\partial_t E_x = \\frac{1}{\\varepsilon} \\partial_y H_z, \\qquad
    \\partial_t E_y = -\\frac{1}{\\varepsilon} \\partial_x H_z, \\qquad
    \\partial_t H_z = -\\frac{1}{\\mu} (\\partial_x E_y - \\partial_y E_x) - J(x, y, t),

    J = A \\exp\\left(-\\frac{(x - x_0)^2 + (y - y_0)^2}{2 s^2}\\right)
        \\exp\\left(-\\frac{(t - t_0)^2}{2 \\tau^2}\\right),

on ``[-1, 1]^2 x [0, T]`` with ``E = H = 0`` at ``t = 0`` and **PEC walls** (tangential E = 0:
``Ex = 0`` on ``y = +-1``, ``Ey = 0`` on ``x = +-1``). A closed PEC box is chosen because it is a
well-posed boundary that both solvers represent exactly (the FDTD's default walls sit on the domain
faces), so the comparison measures the PINN, not a mismatch of absorbing boundaries; MindElec uses a
Mur absorbing boundary instead. The PINN imposes the zero initial fields and the PEC walls exactly with
the ansatz of :class:`TEAnsatz`, so its loss holds only the three PDE residuals.

Normalised units (:class:`Units`): with a length scale ``L`` (m) and a field scale ``E0`` (V/m),

================  ==========================  ======================================
quantity          normalised                  SI
================  ==========================  ======================================
position          ``x'``                      ``x = L (x' + 1)`` (FDTD domain ``[0, 2L]^2``)
time              ``t'``                      ``t = t' L / c``
electric field    ``E'``                      ``E = E0 E'``
magnetic field    ``H'``                      ``H = E0 H' / eta0``
source            ``J'``                      magnetic current ``M = (E0 / L) J'`` (V/m^2)
================  ==========================  ======================================

so that ``eps = mu = c = 1`` in normalised units (vacuum) and ``dHz/dt = -(1/mu0) curl_z E - M/mu0`` in SI.

References
----------
.. [1] MindSpore Elec, "Time-domain Maxwell's equations with a point source (PINNs)",
   ``MindElec/examples/physics_driven/time_domain_maxwell``: relative L2 errors vs FDTD of 2.3-3.6 % per
   component.
"""

import math

import numpy as np
import sympy as sp
from scipy.constants import c as C0
from scipy.constants import physical_constants

import autodiff.numpy as anp
from electromagnetics.fdtd import CurrentRegion, CustomWaveform, FDTDSimulation, Grid, Source
from mindscience.errors import InputError, check_range
from mindscience.nn.layers import MLP
from mindscience.pinn import PDE, Problem, Rectangle, SpaceTime, TimeDomain

__all__ = ["COMPONENTS", "TESpec", "Units", "TEAnsatz", "maxwell_te_pde", "build_problem", "cavity_mode",
           "fdtd_reference", "relative_l2_errors", "evaluation_points"]

COMPONENTS = ("Ex", "Ey", "Hz")
ETA0 = physical_constants["characteristic impedance of vacuum"][0]


class Units:
    """Mapping between normalised units (``eps = mu = c = 1``) and SI.

    Parameters
    ----------
    length : float
        Length scale ``L``, m: the normalised domain ``[-1, 1]^2`` is ``[0, 2L]^2`` in the FDTD.
    field : float
        Electric-field scale ``E0``, V/m (``H`` is scaled by ``E0 / eta0``, A/m).
    """

    def __init__(self, length=1e-2, field=1.0):
        self.length = check_range("Units.length", float(length), 0.0, None, low_open=True)
        self.field = check_range("Units.field", float(field), 0.0, None, low_open=True)

    @property
    def time(self):
        """Time scale ``L / c``, s."""
        return self.length / C0

    def x_si(self, x):
        """Normalised coordinate (``[-1, 1]``) -> FDTD coordinate, m (``[0, 2L]``)."""
        return self.length * (np.asarray(x, dtype=float) + 1.0)

    def x_normalised(self, x_si):
        """FDTD coordinate, m -> normalised coordinate."""
        return np.asarray(x_si, dtype=float) / self.length - 1.0

    def t_si(self, t):
        """Normalised time -> s."""
        return np.asarray(t, dtype=float) * self.time

    def t_normalised(self, t_si):
        """Time in s -> normalised time."""
        return np.asarray(t_si, dtype=float) / self.time

    def e_si(self):
        """Factor turning a normalised E into V/m."""
        return self.field

    def h_si(self):
        """Factor turning a normalised H into A/m."""
        return self.field / ETA0

    def m_si(self):
        """Factor turning the normalised source ``J'`` into the SI magnetic current density ``M``, V/m^2."""
        return self.field / self.length

    def __repr__(self):
        return f"Units(length={self.length:g} m, field={self.field:g} V/m, time={self.time:.4g} s)"


class TESpec:
    """The TE problem in normalised units: domain, source and material.

    Parameters
    ----------
    t_end : float
        End of the time window ``T`` (normalised, units of ``L/c``), > 0.
    center : tuple of 2 float
        Source centre ``(x0, y0)``, inside ``(-1, 1)^2``.
    width : float
        Spatial standard deviation ``s`` of the source (normalised length), in ``(0, 1]``.
    duration : float
        Temporal standard deviation ``tau`` of the source (normalised time), > 0.
    delay : float
        Peak time ``t0`` of the source (normalised time), >= 0.
    amplitude : float
        ``A`` (normalised), any finite value (0 gives the source-free equations).
    eps, mu : float
        Relative permittivity and permeability (uniform), > 0.

    Examples
    --------
    >>> spec = TESpec()
    >>> round(float(spec.source(0.0, 0.0, spec.delay)), 6) == spec.amplitude
    True
    """

    def __init__(self, t_end=1.0, center=(0.0, 0.0), width=0.15, duration=0.12, delay=0.4, amplitude=10.0,
                 eps=1.0, mu=1.0):
        self.t_end = check_range("TESpec.t_end", float(t_end), 0.0, None, low_open=True)
        center = tuple(float(v) for v in center)
        if len(center) != 2:
            raise InputError(f"TESpec.center={center!r} must have 2 coordinates (normalised)")
        for name, v in zip("xy", center):
            check_range(f"TESpec.center[{name}]", v, -1.0, 1.0, low_open=True, high_open=True)
        self.center = center
        self.width = check_range("TESpec.width", float(width), 0.0, 1.0, low_open=True)
        self.duration = check_range("TESpec.duration", float(duration), 0.0, None, low_open=True)
        self.delay = check_range("TESpec.delay", float(delay), 0.0, None)
        self.amplitude = float(amplitude)
        if not math.isfinite(self.amplitude):
            raise InputError(f"TESpec.amplitude={amplitude!r} must be finite")
        self.eps = check_range("TESpec.eps", float(eps), 0.0, None, low_open=True)
        self.mu = check_range("TESpec.mu", float(mu), 0.0, None, low_open=True)

    def source(self, x, y, t, xp=np):
        """The source ``J(x, y, t)`` (normalised) at arrays of the same shape; ``xp`` is the numpy-like module."""
        x0, y0 = self.center
        r2 = (x - x0) ** 2 + (y - y0) ** 2
        return self.amplitude * xp.exp(-r2 / (2 * self.width**2)) * xp.exp(-((t - self.delay) ** 2)
                                                                           / (2 * self.duration**2))

    def geometry(self):
        """The space-time domain ``[-1, 1]^2 x [0, T]`` (:class:`~mindscience.pinn.SpaceTime`)."""
        return SpaceTime(Rectangle([-1.0, -1.0], [1.0, 1.0]), TimeDomain(0.0, self.t_end))

    def parameters(self):
        """Plain-data description (provenance in result files)."""
        return {"t_end": self.t_end, "center": list(self.center), "width": self.width, "duration": self.duration,
                "delay": self.delay, "amplitude": self.amplitude, "eps": self.eps, "mu": self.mu}

    def __repr__(self):
        return "TESpec(" + ", ".join(f"{k}={v}" for k, v in self.parameters().items()) + ")"


def maxwell_te_pde(spec):
    """The TE equations of ``spec`` as a sympy :class:`~mindscience.pinn.PDE` in ``(x, y, t)`` for ``(Ex, Ey, Hz)``.

    Residuals (named ``"ampere_x"``, ``"ampere_y"``, ``"faraday"``)::

        eps dEx/dt - dHz/dy,   eps dEy/dt + dHz/dx,   mu dHz/dt + (dEy/dx - dEx/dy) + mu J

    (the equations multiplied by ``eps`` or ``mu`` so the residuals are O(1) for any material).
    """
    if not isinstance(spec, TESpec):
        raise InputError(f"spec={spec!r} must be a TESpec")
    x, y, t = sp.symbols("x y t")
    Ex, Ey, Hz = (sp.Function(n)(x, y, t) for n in COMPONENTS)
    x0, y0 = spec.center
    J = spec.amplitude * sp.exp(-((x - x0) ** 2 + (y - y0) ** 2) / (2 * spec.width**2)) \
        * sp.exp(-((t - spec.delay) ** 2) / (2 * spec.duration**2))
    eqs = [spec.eps * sp.diff(Ex, t) - sp.diff(Hz, y),
           spec.eps * sp.diff(Ey, t) + sp.diff(Hz, x),
           spec.mu * sp.diff(Hz, t) + sp.diff(Ey, x) - sp.diff(Ex, y) + spec.mu * J]
    return PDE(eqs, (x, y, t), [Ex.func, Ey.func, Hz.func], names=["ampere_x", "ampere_y", "faraday"])


class TEAnsatz:
    """Network ansatz with zero initial fields and PEC walls built in (a layer: ``init``/``apply``).

    ``Ex = scale t (1 - y^2) N_0``, ``Ey = scale t (1 - x^2) N_1``, ``Hz = scale t N_2`` with ``N`` the
    wrapped network on inputs ``(x, y, t)``: ``E = H = 0`` at ``t = 0`` and tangential E vanishes on the
    walls of ``[-1, 1]^2`` for any parameters.

    Parameters
    ----------
    network : layer
        3 inputs ``(x, y, t)``, 3 outputs.
    scale : float
        Output scale (normalised field units), > 0.
    """

    def __init__(self, network, scale=1.0):
        if getattr(network, "in_features", None) != 3 or getattr(network, "out_features", None) != 3:
            raise InputError(f"network={network!r} must map 3 inputs (x, y, t) to 3 outputs (Ex, Ey, Hz)")
        self.network = network
        self.scale = check_range("TEAnsatz.scale", float(scale), 0.0, None, low_open=True)
        self.in_features = self.out_features = 3

    def init(self, rng):
        return self.network.init(rng)

    def apply(self, params, z):
        raw = self.network.apply(params, z)
        x, y, t = z[:, 0], z[:, 1], z[:, 2]
        st = self.scale * t
        return anp.stack([st * (1.0 - y * y) * raw[:, 0], st * (1.0 - x * x) * raw[:, 1], st * raw[:, 2]], axis=1)


def build_problem(spec, widths=(64, 64, 64, 64), activation="tanh", n_interior=2048, scale=1.0, method="sobol",
                  network=None):
    """The PINN :class:`~mindscience.pinn.Problem` of ``spec``: PDE residuals only, hard IC and PEC ansatz.

    Parameters
    ----------
    spec : TESpec
    widths : sequence of int
        Hidden widths of the default MLP ``3 -> widths -> 3``.
    activation : str
        Hidden activation of the default MLP.
    n_interior : int
        Collocation points in ``[-1, 1]^2 x [0, T]``.
    scale : float
        Output scale of :class:`TEAnsatz`.
    method : str
        Collocation sampling method.
    network : layer, optional
        Replaces the default MLP (3 inputs, 3 outputs); it is wrapped in :class:`TEAnsatz`.
    """
    net = network if network is not None else MLP([3, *widths, 3], activation=activation)
    return Problem(maxwell_te_pde(spec), spec.geometry(), TEAnsatz(net, scale), n_interior=n_interior,
                   method=method)


def cavity_mode(m, n, xp=np):
    """An exact source-free TE mode of the PEC box ``[-1, 1]^2`` (normalised units, ``eps = mu = 1``).

    ``Hz = cos(kx X) cos(ky Y) cos(w t)``, ``Ex = -(ky/w) cos(kx X) sin(ky Y) sin(w t)``,
    ``Ey = (kx/w) sin(kx X) cos(ky Y) sin(w t)`` with ``X = x + 1``, ``Y = y + 1``, ``kx = m pi / 2``,
    ``ky = n pi / 2``, ``w = sqrt(kx^2 + ky^2)``.

    Parameters
    ----------
    m, n : int
        Mode numbers, >= 0, not both 0.
    xp : module
        numpy-like module used by the returned function (``autodiff.numpy`` to differentiate it).

    Returns
    -------
    callable
        ``f(z) -> (N, 3)`` columns ``(Ex, Ey, Hz)`` for points ``z`` of shape ``(N, 3)`` = ``(x, y, t)``.
    """
    if int(m) != m or int(n) != n or m < 0 or n < 0 or m == n == 0:
        raise InputError(f"cavity_mode(m={m!r}, n={n!r}): mode numbers must be integers >= 0, not both 0")
    kx, ky = m * math.pi / 2, n * math.pi / 2
    w = math.hypot(kx, ky)

    def f(z):
        X, Y, t = z[:, 0] + 1.0, z[:, 1] + 1.0, z[:, 2]
        cx, sx, cy, sy = xp.cos(kx * X), xp.sin(kx * X), xp.cos(ky * Y), xp.sin(ky * Y)
        s, c = xp.sin(w * t), xp.cos(w * t)
        return xp.stack([-(ky / w) * cx * sy * s, (kx / w) * sx * cy * s, cx * cy * c], axis=1)

    return f


# ----------------------------------------------------------------------------- FDTD reference
class _GaussianMagneticCurrent(Source):
    """The distributed magnetic current ``M = (E0/L) J'`` on every Hz node (a Source with a spatial profile)."""

    def __init__(self, spec, units):
        self.spec, self.units = spec, units
        super().__init__(CurrentRegion((0.0, 0.0), (0.0, 0.0)), CustomWaveform(lambda t: 1.0), "Hz", 1.0)

    def bind(self, grid):
        xs, ys, _ = grid.coords("Hz")
        X, Y = np.meshgrid(self.units.x_normalised(xs), self.units.x_normalised(ys), indexing="ij")
        self._profile = self.spec.source(X, Y, self.spec.delay) * self.units.m_si()  # peak-time profile, V/m^2
        self._index = (slice(None), slice(None), 0)
        return self

    def apply(self, fields, coef, t):
        s = self.spec
        g = math.exp(-((self.units.t_normalised(t) - s.delay) ** 2) / (2 * s.duration**2))
        c = coef[self.axis]
        cf = c[0, 0, 0] if c.size == 1 else c[self._index]
        fields.H[2][self._index] -= cf * g * self._profile


def _interp2(arr, x0, dx, xq, y0, dy, yq):
    """Bilinear interpolation of ``arr[i, j]`` at nodes ``(x0 + i dx, y0 + j dy)``; clamped at the edges."""
    nx, ny = arr.shape
    fx = np.clip((xq - x0) / dx, 0.0, nx - 1.0)
    fy = np.clip((yq - y0) / dy, 0.0, ny - 1.0)
    i = np.minimum(np.floor(fx).astype(int), max(nx - 2, 0))
    j = np.minimum(np.floor(fy).astype(int), max(ny - 2, 0))
    ax, ay = fx - i, fy - j
    i1, j1 = np.minimum(i + 1, nx - 1), np.minimum(j + 1, ny - 1)
    return ((1 - ax) * (1 - ay) * arr[i, j] + ax * (1 - ay) * arr[i1, j] + (1 - ax) * ay * arr[i, j1]
            + ax * ay * arr[i1, j1])


def _sample_e(ex, ey, xq, yq, h):
    """``(Ex, Ey)`` at SI points ``(N,)`` from the 2D Yee arrays ``(n, n)`` (PEC ghost nodes appended)."""
    # PEC: the tangential E nodes one past the array (on the high walls x = 2L, y = 2L) are 0
    ex = np.concatenate([ex, np.zeros((ex.shape[0], 1))], axis=1)
    ey = np.concatenate([ey, np.zeros((1, ey.shape[1]))], axis=0)
    return _interp2(ex, 0.5 * h, h, xq, 0.0, h, yq), _interp2(ey, 0.0, h, xq, 0.5 * h, h, yq)


def _sample_h(hz, xq, yq, h):
    """``Hz`` at SI points ``(N,)`` from the 2D Yee array ``(n, n)`` (zero-gradient at the PEC walls)."""
    return _interp2(hz, 0.5 * h, h, xq, 0.5 * h, h, yq)


def fdtd_reference(spec, points, cells=200, units=None, courant=None, initial=None):
    """Run our Yee FDTD on the problem of ``spec`` and sample ``(Ex, Ey, Hz)`` at ``points`` (normalised).

    The FDTD grid covers ``[0, 2L]^2`` with ``cells x cells`` cells and PEC walls (the suite's default
    boundary, on the domain faces); the source is the magnetic current ``M = (E0/L) J`` on every Hz
    node, applied at the H update's centre time ``t_n``. Staggering is handled exactly: each component is
    interpolated bilinearly from its own nodes (``Ex`` at ``((i+1/2)h, j h)``, ``Ey`` at ``(i h, (j+1/2)h)``,
    ``Hz`` at ``((i+1/2)h, (j+1/2)h)``, with the zero PEC ghost nodes on the high walls and a zero-gradient
    extension of normal components), and linearly in time between its own time levels (E at ``n dt``, H at
    ``(n+1/2) dt``). The result is second-order accurate in ``h``.

    Parameters
    ----------
    spec : TESpec
        Only ``eps = mu = 1`` (vacuum) is supported by this reference.
    points : array, shape (N, 3)
        ``(x, y, t)`` in normalised units, inside ``[-1, 1]^2 x [0, T']`` (``T'`` any time >= 0).
    cells : int
        Cells per side (>= 8); the cell size is ``h = 2L / cells``.
    units : Units, optional
        SI scales (default ``Units()``); the normalised answer does not depend on them.
    courant : float, optional
        Courant number of the grid (default: 0.99 of the 2D limit).
    initial : callable, optional
        ``f(z) -> (N, 3)`` normalised ``(Ex, Ey, Hz)`` used as the initial state instead of zero fields
        (E sampled at ``t = 0``, H at ``t = -dt/2`` on their own nodes); used to test the sampler on exact
        solutions such as :func:`cavity_mode`.

    Returns
    -------
    ndarray, shape (N, 3)
        Normalised ``(Ex, Ey, Hz)`` at the points.
    """
    if not isinstance(spec, TESpec):
        raise InputError(f"spec={spec!r} must be a TESpec")
    if spec.eps != 1.0 or spec.mu != 1.0:
        raise InputError(f"fdtd_reference supports vacuum only; got eps={spec.eps}, mu={spec.mu}")
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise InputError(f"points has shape {pts.shape}; expected (N, 3) columns (x, y, t)")
    if not np.all(np.isfinite(pts)):
        raise InputError("points holds NaN or inf")
    if np.any(np.abs(pts[:, :2]) > 1.0 + 1e-12) or np.any(pts[:, 2] < 0):
        raise InputError("points lie outside [-1, 1]^2 x [0, inf) (normalised x, y, t)")
    if isinstance(cells, bool) or int(cells) != cells or cells < 8:
        raise InputError(f"cells={cells!r} must be an integer >= 8 (cells per side)")
    cells = int(cells)
    units = units or Units()
    L = units.length
    grid = Grid((cells, cells), spacing=2 * L / cells, courant=courant)
    h = grid.spacing[0]
    sources = [_GaussianMagneticCurrent(spec, units)] if spec.amplitude != 0 else []
    sim = FDTDSimulation(grid, sources=sources)
    dt = grid.dt
    if initial is not None:
        for comp, (fld, k), tt in (("Ex", (sim.fields.E, 0), 0.0), ("Ey", (sim.fields.E, 1), 0.0),
                                   ("Hz", (sim.fields.H, 2), -0.5 * dt)):
            xs, ys, _ = grid.coords(comp)
            X, Y = np.meshgrid(units.x_normalised(xs), units.x_normalised(ys), indexing="ij")
            z = np.column_stack([X.ravel(), Y.ravel(), np.full(X.size, units.t_normalised(tt))])
            val = np.asarray(initial(z))[:, COMPONENTS.index(comp)].reshape(X.shape)
            fld[k][:, :, 0] = val * (units.e_si() if comp[0] == "E" else units.h_si())
    xq, yq, tq = units.x_si(pts[:, 0]), units.x_si(pts[:, 1]), units.t_si(pts[:, 2])
    out = np.zeros((len(pts), 3))
    todo_e = np.argsort(tq, kind="stable")
    todo_h = todo_e.copy()
    E_prev = [sim.fields.E[k].copy() for k in range(2)]
    H_prev = sim.fields.H[2].copy()
    n = 0
    while len(todo_e) or len(todo_h):
        sim.step(1)
        n += 1
        E, H = sim.fields.E, sim.fields.H
        # E is now at t_n = n dt (previous copy at t_{n-1}); H at (n - 1/2) dt (previous at (n - 3/2) dt)
        for kind in ("E", "H"):
            todo = todo_e if kind == "E" else todo_h
            t_hi = n * dt if kind == "E" else (n - 0.5) * dt
            k = np.searchsorted(tq[todo], t_hi, side="right")
            if k == 0:
                continue
            idx, rest = todo[:k], todo[k:]
            a = np.clip((tq[idx] - (t_hi - dt)) / dt, 0.0, 1.0)  # weight of the newer level
            if kind == "E":
                new = _sample_e(E[0][:, :, 0], E[1][:, :, 0], xq[idx], yq[idx], h)
                old = _sample_e(E_prev[0][:, :, 0], E_prev[1][:, :, 0], xq[idx], yq[idx], h)
                for c in (0, 1):
                    out[idx, c] = (1 - a) * old[c] + a * new[c]
            else:
                new = _sample_h(H[2][:, :, 0], xq[idx], yq[idx], h)
                old = _sample_h(H_prev[:, :, 0], xq[idx], yq[idx], h)
                out[idx, 2] = (1 - a) * old + a * new
            if kind == "E":
                todo_e = rest
            else:
                todo_h = rest
        E_prev = [E[0].copy(), E[1].copy()]
        H_prev = H[2].copy()
    out[:, :2] /= units.e_si()
    out[:, 2] /= units.h_si()
    return out


def evaluation_points(spec, n_space=65, times=None):
    """A space-time grid for comparisons: ``n_space^2`` points in ``[-1, 1]^2`` at each of ``times``.

    Parameters
    ----------
    spec : TESpec
    n_space : int
        Points per side (>= 2).
    times : sequence of float, optional
        Normalised times (default 5 times evenly in ``(0, T]``).

    Returns
    -------
    points : ndarray, shape (len(times) * n_space^2, 3)
        ``(x, y, t)``, ordered time-major, then x, then y (reshape to ``(nt, n_space, n_space)``).
    axes : tuple (xs, times)
    """
    if isinstance(n_space, bool) or int(n_space) != n_space or n_space < 2:
        raise InputError(f"n_space={n_space!r} must be an integer >= 2")
    times = np.linspace(spec.t_end / 5, spec.t_end, 5) if times is None else np.asarray(times, dtype=float)
    xs = np.linspace(-1.0, 1.0, int(n_space))
    T, X, Y = np.meshgrid(times, xs, xs, indexing="ij")
    return np.column_stack([X.ravel(), Y.ravel(), T.ravel()]), (xs, times)


def relative_l2_errors(pred, ref):
    """Relative L2 error ``||pred - ref|| / ||ref||`` per component.

    Parameters
    ----------
    pred, ref : array, shape (N, 3)
        Columns ``(Ex, Ey, Hz)`` (normalised units).

    Returns
    -------
    dict
        ``{"Ex": err, "Ey": err, "Hz": err}`` (dimensionless).
    """
    pred, ref = np.asarray(pred, dtype=float), np.asarray(ref, dtype=float)
    if pred.shape != ref.shape or pred.ndim != 2 or pred.shape[1] != 3:
        raise InputError(f"pred {pred.shape} and ref {ref.shape} must both have shape (N, 3)")
    out = {}
    for k, name in enumerate(COMPONENTS):
        norm = np.linalg.norm(ref[:, k])
        if norm == 0:
            raise InputError(f"reference {name} is identically zero; the relative error is undefined")
        out[name] = float(np.linalg.norm(pred[:, k] - ref[:, k]) / norm)
    return out
