"""Differentiable 2D TM FDTD: gradients of an observable of an unrolled Yee run with respect to the
permittivity of a design region, by reverse mode through a numba step kernel with gradient checkpointing.

One Yee step is a numba kernel (:func:`electromagnetics._diff_kernels.tm_step`) registered as a
differentiable primitive with :func:`autodiff.kernels.register_kernel`; its VJP is the transposed
(adjoint) update kernel :func:`~electromagnetics._diff_kernels.tm_step_adjoint`, which also returns the
cotangents of the design region's update coefficients. The permittivity enters through
``ca = (eps0 eps - s)/(eps0 eps + s)`` and ``cb = dt/(eps0 eps + s)`` (``s = sigma dt/2``), written with
``autodiff.numpy`` so that any differentiable parametrisation of ``eps`` (filters, projections,
bounds by a sigmoid) composes with the run. The observable is a sum over steps of a per-step term
(:class:`ProbeEnergy`, :class:`FluxLine`, or any ``autodiff.numpy`` function of two consecutive states).

Memory: reverse mode keeps one state per step (``3 nx ny`` floats), ``O(n_steps)``. With
``checkpoint="sqrt"`` the run is cut into segments of ``k = ceil(sqrt(n_steps))`` steps wrapped in
:func:`autodiff.checkpoint`: the tape keeps only the segment inputs and the backward pass recomputes
one segment at a time, so at most ``n_steps/k + k ~ 2 sqrt(n_steps)`` states are alive, at the price of
one more forward run (``benchmarks/fdtd_diff_memory.py`` measures both).

The run reproduces :class:`~electromagnetics.fdtd.FDTDSimulation` step for step (same kernels'
arithmetic, source timing and PEC/periodic walls): :meth:`TMDesign.fdtd_simulation` builds the regular
simulation of a design and :meth:`TMDesign.verify` evaluates the observable with it.

Examples
--------
>>> import numpy as np
>>> from electromagnetics.fdtd import Grid, Source, PointDipole, GaussianPulse, Periodic
>>> g = Grid((30, 20), spacing=1e-3)
>>> src = Source(PointDipole((0.005, 0.01)), GaussianPulse(width=2e-11), "Ez")
>>> prob = TMDesign(g, (0.01, 0.005), (0.015, 0.015), [src], ProbeEnergy([(0.022, 0.01)]), n_steps=100,
...                 boundaries={"y": Periodic()})
>>> eps = np.full(prob.design_shape, 2.0)
>>> value, grad = prob.value_and_grad(eps, checkpoint="sqrt")
>>> grad.shape == prob.design_shape
True
"""

import math

import numpy as np
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

import autodiff as ad
import autodiff.numpy as anp
from autodiff.core import Tracer, UnsupportedOperationError
from autodiff.kernels import register_kernel
from electromagnetics import _diff_kernels as DK
from electromagnetics.fdtd import FDTDSimulation, Grid, Material, Slab
from electromagnetics.fdtd.boundaries import PEC, Periodic, resolve_boundaries
from electromagnetics.fdtd.geometry import Box, rasterize
from electromagnetics.fdtd.materials import VACUUM
from electromagnetics.fdtd.sources.base import Source
from mindscience.errors import InputError, check_range

__all__ = ["TMDesign", "ProbeEnergy", "FluxLine", "absorbing_layers"]

ETA0 = math.sqrt(MU0 / EPS0)


# ----------------------------------------------------------------------------- absorbers
def absorbing_layers(grid, cells, axes="x", reflection=1e-6, order=3):
    """Graded, impedance-matched conductive layers (``sigma_m = sigma mu0/eps0``) at the ends of ``axes``.

    A plane wave at normal incidence on a layer with ``sigma_m / mu0 = sigma / eps0`` sees no impedance
    step; the conductivity grows as ``sigma_max ((k + 1/2)/cells)^order`` over ``cells`` one-cell slabs,
    with ``sigma_max = -(order + 1) ln(reflection) / (2 eta0 cells dx)`` (the round-trip attenuation of a
    PML of that profile [1]_). Unlike a CPML they are ordinary materials, so the differentiable run and
    :class:`~electromagnetics.fdtd.FDTDSimulation` treat them identically.

    Parameters
    ----------
    grid : Grid
    cells : int
        Layer thickness in cells (>= 1).
    axes : str
        Axes to terminate, e.g. ``"x"`` or ``"xy"``.
    reflection : float
        Nominal normal-incidence round-trip reflection in (0, 1).
    order : float
        Grading exponent (>= 0).

    Returns
    -------
    list of Slab
        Paint them first in the geometry.

    References
    ----------
    .. [1] A. Taflove, S. C. Hagness, *Computational Electrodynamics*, 3rd ed., sec. 7.5 (2005).

    Examples
    --------
    >>> from electromagnetics.fdtd import Grid
    >>> len(absorbing_layers(Grid((60, 40), 1e-3), 10))
    20
    """
    if not isinstance(grid, Grid):
        raise InputError(f"grid={grid!r} must be an electromagnetics.fdtd.Grid")
    if isinstance(cells, bool) or int(cells) != cells or cells < 1:
        raise InputError(f"cells={cells!r} is out of range; allowed: integers >= 1")
    check_range("reflection", float(reflection), 0.0, 1.0, low_open=True, high_open=True)
    check_range("order", float(order), 0.0)
    out = []
    for ax in axes:
        if ax not in "xyz" or not grid.active["xyz".index(ax)]:
            raise InputError(f"axes={axes!r}: {ax!r} is not an active axis of this {grid.ndim}D grid")
        a = "xyz".index(ax)
        n, d = grid.shape[a], grid.spacing[a]
        if 2 * cells >= n:
            raise InputError(f"cells={cells} leaves no interior along {ax} ({n} cells); allowed: < {n // 2}")
        smax = -(order + 1) * math.log(reflection) / (2 * ETA0 * cells * d)
        for k in range(cells):  # k = 0 faces the interior, k = cells - 1 the wall
            s = smax * ((k + 0.5) / cells) ** order
            mat = Material(eps=1.0, sigma=s, sigma_m=s * MU0 / EPS0)
            for m in (cells - 1 - k, n - cells + k):  # node index on the low and on the high side
                out.append(Slab(ax, (m - 0.5) * d, (m + 0.5) * d, mat))
    return out


# ----------------------------------------------------------------------------- observables
class ProbeEnergy:
    """Time-integrated ``Ez^2`` at probe points: ``J = dt sum_n sum_p Ez^n(p)^2`` (V^2 s/m^2).

    Parameters
    ----------
    points : sequence of (x, y)
        Probe positions, m; each uses the nearest Ez node.
    """

    def __init__(self, points):
        pts = np.atleast_2d(np.asarray(points, dtype=float))
        if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
            raise InputError(f"ProbeEnergy.points has shape {pts.shape}; expected (P, 2) positions (m)")
        self.points = pts

    def bind(self, grid):
        idx = [grid.nearest_index("Ez", p, name="ProbeEnergy.points")[:2] for p in self.points]
        self._i = np.array([i for i, _ in idx])
        self._j = np.array([j for _, j in idx])
        self._dt = grid.dt
        return self

    def __call__(self, u_prev, u_next):
        ez = u_prev[0][self._i, self._j]
        return self._dt * anp.sum(ez * ez)


class FluxLine:
    """Transmitted energy per unit length through the line ``x = const``: ``J = dt dy sum_n sum_j S_x``.

    ``S_x = -Ez Hy`` at the Ez nodes of the column nearest to ``x``, with ``Hy`` averaged over its two
    x-neighbours and the two half steps around ``t_n`` (J/m in 2D).

    Parameters
    ----------
    x : float
        Position of the line, m.
    y_range : (float, float), optional
        Limits along y, m (default: the whole column).
    """

    def __init__(self, x, y_range=None):
        self.x = float(x)
        self.y_range = y_range

    def bind(self, grid):
        i, _, _ = grid.nearest_index("Ez", (self.x, 0.0), name="FluxLine.x")
        if i == 0:
            raise InputError(f"FluxLine.x={self.x!r} is on the first column; it needs Hy on both sides")
        if self.y_range is None:
            js = slice(0, grid.shape[1])
        else:
            lo, hi = self.y_range
            js = grid.index_range("Ez", (self.x, lo), (self.x, hi), name="FluxLine.y_range")[1]
        self._i, self._js = i, js
        self._w = -0.25 * grid.dt * grid.spacing[1]
        return self

    def __call__(self, u_prev, u_next):
        i, js = self._i, self._js
        ez = u_prev[0, i, js]
        hy = u_prev[2, i, js] + u_prev[2, i - 1, js] + u_next[2, i, js] + u_next[2, i - 1, js]
        return self._w * anp.sum(ez * hy)


# ----------------------------------------------------------------------------- the differentiable run
def _region(grid, lo, hi):
    sl = grid.index_range("Ez", lo, hi, name="design region")
    return sl[0].start, sl[1].start, sl[0].stop - sl[0].start, sl[1].stop - sl[1].start


class TMDesign:
    """A 2D TM FDTD run whose observable is differentiable in the permittivity of a design box.

    Parameters
    ----------
    grid : Grid
        A 2D grid.
    design_lo, design_hi : (float, float)
        Corners of the design box, m; its Ez nodes form the design array of shape :attr:`design_shape`.
    sources : sequence of Source
        Electric ``"Ez"`` sources (any placement and waveform of :mod:`electromagnetics.fdtd`).
    observable : ProbeEnergy, FluxLine or callable
        A bound-able monitor or any function ``term(u_prev, u_next) -> scalar`` written with
        ``autodiff.numpy`` on states ``(3, nx, ny)`` (``Ez, Hx, Hy``); the objective is its sum over steps.
    n_steps : int
        Steps of the unrolled run (>= 1).
    geometry : sequence of Shape
        Fixed structures (e.g. :func:`absorbing_layers`), painted as in FDTDSimulation.
    boundaries : Boundary or dict
        PEC and periodic faces only (default PEC); terminate open sides with :func:`absorbing_layers`.
    background : Material

    Attributes
    ----------
    design_shape : tuple of int
        ``(mx, my)`` Ez nodes of the design box.
    eps_initial : ndarray, shape (mx, my)
        Relative permittivity of the fixed geometry inside the box.

    Examples
    --------
    See the module docstring and ``examples/electromagnetics/optimize_dielectric.py``.
    """

    def __init__(self, grid, design_lo, design_hi, sources, observable, n_steps, geometry=(), boundaries=None,
                 background=VACUUM):
        if not isinstance(grid, Grid) or grid.ndim != 2:
            raise InputError(f"grid={grid!r} must be a 2D electromagnetics.fdtd.Grid")
        if isinstance(n_steps, bool) or int(n_steps) != n_steps or n_steps < 1:
            raise InputError(f"n_steps={n_steps!r} is out of range; allowed: integers >= 1")
        self.grid, self.n_steps = grid, int(n_steps)
        self.geometry, self.background, self.boundary_spec = list(geometry), background, boundaries
        self.boundaries = resolve_boundaries(grid, boundaries)
        for face, b in self.boundaries.items():
            if not isinstance(b, PEC | Periodic) and face[0] != "z":
                raise InputError(f"boundaries[{face!r}]={type(b).__name__}: the differentiable run supports PEC and "
                                 "Periodic faces; terminate open sides with absorbing_layers()")
        nx, ny = grid.shape[:2]
        self.i0, self.j0, mx, my = _region(grid, design_lo, design_hi)
        self.design_lo, self.design_hi = design_lo, design_hi
        self.design_shape = (mx, my)
        pec = np.ones((nx, ny))
        if isinstance(self.boundaries["x-"], PEC):
            pec[0, :] = 0.0
        if isinstance(self.boundaries["y-"], PEC):
            pec[:, 0] = 0.0
        box = (slice(self.i0, self.i0 + mx), slice(self.j0, self.j0 + my))
        if np.any(pec[box] == 0.0):
            raise InputError("the design region touches a PEC wall; move design_lo away from the low faces")
        self._pec = pec
        self._box = box
        # materials of the fixed geometry, as FDTDSimulation paints them
        mats = rasterize(grid, self.geometry, background)
        full = (3,) + grid.shape

        def comp(a, c):
            return np.ascontiguousarray(np.broadcast_to(a, full)[c, :, :, 0], dtype=np.float64)

        eps, sig = comp(mats.eps, 2), comp(mats.sigma, 2)
        if mats.poles:
            raise InputError("geometry has dispersive materials; the differentiable run supports eps, sigma, mu, "
                             "sigma_m only")
        dt = grid.dt
        s = sig * dt / 2
        den = EPS0 * eps + s
        self._ca, self._cb = (EPS0 * eps - s) / den, dt / den
        self._eps = eps
        self.eps_initial = eps[box].copy()
        self._sigma_d = sig[box].copy()
        for c in (0, 1):
            mu, sm = comp(mats.mu, c), comp(mats.sigma_m, c)
            grow = (slice(max(self.i0 - 1, 0), self.i0 + mx + 1), slice(max(self.j0 - 1, 0), self.j0 + my + 1))
            if np.any(mu[grow] != 1.0) or np.any(sm[grow] != 0.0):
                raise InputError("the design region (and its neighbouring H nodes) must be non-magnetic "
                                 "(mu = 1, sigma_m = 0)")
            smh = sm * dt / (2 * MU0 * mu)
            da, db = (1 - smh) / (1 + smh), dt / (MU0 * mu * (1 + smh))
            if c == 0:
                self._dax, self._dbx = da, db
            else:
                self._day, self._dby = da, db
        wr = {}
        for ax, name in ((0, "x"), (1, "y")):
            n = grid.shape[ax]
            fhi, glo = np.ones(n), np.ones(n)
            fhi[-1] = float(np.real(self.boundaries[name + "+"].wrap(grid, ax, True)))
            glo[0] = float(np.real(self.boundaries[name + "-"].wrap(grid, ax, False)))
            wr[name] = (fhi, glo)
        self._fx, self._gx = wr["x"]
        self._fy, self._gy = wr["y"]
        self._rdx, self._rdy = 1.0 / grid.spacing[0], 1.0 / grid.spacing[1]
        # sources: spatial patterns and per-step current densities, evaluated as Source.apply does
        self.sources = list(sources)
        if not self.sources:
            raise InputError("sources is empty; give at least one Ez Source")
        pats, amps = [], np.zeros((self.n_steps, len(self.sources)))
        for k, src in enumerate(self.sources):
            if not isinstance(src, Source) or src.component != "Ez":
                raise InputError(f"sources[{k}]={src!r} must be an electromagnetics.fdtd Source on 'Ez' (TM)")
            if np.iscomplexobj(src.amplitude):
                raise InputError(f"sources[{k}].amplitude={src.amplitude!r} must be real")
            index, scale = src.placement.bind(grid, "Ez")
            p = np.zeros(grid.shape)
            p[index] = 1.0
            pats.append(p[:, :, 0])
            for n in range(self.n_steps):
                t = n * dt
                amps[n, k] = src.amplitude * scale * float(src.waveform(t + 0.5 * dt))
        self._src = np.ascontiguousarray(np.stack(pats))
        self._amps = amps
        self.observable = observable.bind(grid) if hasattr(observable, "bind") else observable
        if not callable(self.observable):
            raise InputError(f"observable={observable!r} must be a ProbeEnergy, FluxLine or a callable")
        self._step = register_kernel("fdtd_tm_step", self._kernel, vjp=self._vjp, n_args=4)
        self._segment_ckpt = ad.checkpoint(self._segment)

    # ------------------------------------------------------------------ primitive
    def _consts(self):
        return (self.i0, self.j0, self._dax, self._dbx, self._day, self._dby, self._rdx, self._rdy, self._fx,
                self._fy, self._gx, self._gy, self._pec, self._src)

    def _kernel(self, u, ca_d, cb_d, amp):
        c = self._consts()
        return DK.tm_step(u, self._ca, self._cb, ca_d, cb_d, *c, amp)

    def _vjp(self, g, ans, u, ca_d, cb_d, amp):
        if isinstance(g, Tracer):
            raise UnsupportedOperationError("fdtd_tm_step: higher-order derivatives through the FDTD step are not "
                                            "implemented (its adjoint kernel has no rules)")
        c = self._consts()
        gu, gca, gcb = DK.tm_step_adjoint(np.asarray(g, dtype=np.float64), u, ans, self._ca, self._cb, ca_d, cb_d,
                                          *c, amp)
        return gu, gca, gcb, None

    # ------------------------------------------------------------------ the run
    @property
    def state_shape(self):
        """Shape of the state ``(3, nx, ny)``: Ez, Hx, Hy."""
        return (3,) + self.grid.shape[:2]

    def coefficients(self, eps):
        """E-update coefficients ``(ca, cb)`` of the design box for relative permittivity ``eps`` (differentiable)."""
        dt = self.grid.dt
        s = self._sigma_d * (dt / 2)
        den = EPS0 * eps + s
        return (EPS0 * eps - s) / den, dt / den

    def _segment(self, u, acc, ca_d, cb_d, amps):
        for n in range(amps.shape[0]):
            un = self._step(u, ca_d, cb_d, amps[n])
            acc = acc + self.observable(u, un)
            u = un
        return u, acc

    def _check_eps(self, eps):
        shp = np.shape(eps)
        if tuple(shp) != self.design_shape:
            raise InputError(f"eps has shape {tuple(shp)}; expected the design shape {self.design_shape}")
        if not isinstance(eps, Tracer) and not (np.all(np.isfinite(eps)) and np.all(np.asarray(eps) > 0)):
            raise InputError("eps must be finite and positive (relative permittivity)")

    def objective(self, eps, checkpoint=None):
        """The observable summed over the run, for relative permittivity ``eps`` in the design box.

        Differentiable with :mod:`autodiff` (reverse mode) in ``eps``.

        Parameters
        ----------
        eps : array, shape design_shape
            Relative permittivity at the design box's Ez nodes.
        checkpoint : None, "sqrt" or int
            None: tape every step; ``"sqrt"``: segments of ``ceil(sqrt(n_steps))`` steps recomputed in
            the backward pass; an int: segments of that many steps.

        Returns
        -------
        scalar
            Units of the observable (J/m for :class:`FluxLine`, V^2 s/m^2 for :class:`ProbeEnergy`).
        """
        self._check_eps(eps)
        k = self._segment_length(checkpoint)
        ca_d, cb_d = self.coefficients(eps)
        u = np.zeros(self.state_shape)
        acc = np.float64(0.0)
        if k is None:
            return self._segment(u, acc, ca_d, cb_d, self._amps)[1]
        for a in range(0, self.n_steps, k):
            u, acc = self._segment_ckpt(u, acc, ca_d, cb_d, self._amps[a:a + k])
        return acc

    def _segment_length(self, checkpoint):
        if checkpoint is None:
            return None
        if checkpoint == "sqrt":
            return max(1, math.ceil(math.sqrt(self.n_steps)))
        if isinstance(checkpoint, bool) or int(checkpoint) != checkpoint or checkpoint < 1:
            raise InputError(f"checkpoint={checkpoint!r} is out of range; allowed: None, 'sqrt' or an integer >= 1")
        return int(checkpoint)

    def value_and_grad(self, eps, checkpoint="sqrt"):
        """Objective and its gradient with respect to ``eps``.

        Parameters
        ----------
        eps : ndarray, shape design_shape
        checkpoint : None, "sqrt" or int
            See :meth:`objective`.

        Returns
        -------
        value : float
        grad : ndarray, shape design_shape
            d objective / d eps (per unit relative permittivity).
        """
        eps = np.asarray(eps, dtype=np.float64)
        v, g = ad.value_and_grad(lambda e: self.objective(e, checkpoint))(eps)
        return float(v), np.asarray(g)

    def states(self, eps):
        """Run forward (no tape) and return the final state ``(3, nx, ny)`` and the objective."""
        self._check_eps(eps)
        ca_d, cb_d = self.coefficients(np.asarray(eps, dtype=np.float64))
        u, acc = self._segment(np.zeros(self.state_shape), 0.0, ca_d, cb_d, self._amps)
        return u, float(acc)

    # ------------------------------------------------------------------ verification with the regular solver
    def design_shapes(self, eps):
        """One box per design node filling exactly that Ez node's dual cell with its ``eps`` (and the fixed sigma)."""
        eps = np.asarray(eps, dtype=np.float64)
        self._check_eps(eps)
        g = self.grid
        dx, dy = g.spacing[0], g.spacing[1]
        out = []
        for a in range(self.design_shape[0]):
            for b in range(self.design_shape[1]):
                i, j = self.i0 + a, self.j0 + b
                # 1.001 cells: all corners of node (i, j)'s dual cell are inside, no sub-sample of a neighbour is
                out.append(Box((i * dx, j * dy), (1.001 * dx, 1.001 * dy),
                               Material(eps=float(eps[a, b]), sigma=float(self._sigma_d[a, b]))))
        return out

    def fdtd_simulation(self, eps):
        """The regular :class:`~electromagnetics.fdtd.FDTDSimulation` of design ``eps`` (same grid, sources,
        boundaries, fixed geometry, with :meth:`design_shapes` painted last)."""
        return FDTDSimulation(self.grid, geometry=self.geometry + self.design_shapes(eps), sources=self.sources,
                              boundaries=self.boundary_spec, background=self.background)

    def verify(self, eps):
        """Objective of design ``eps`` computed with :meth:`fdtd_simulation` (step by step, ``n_steps`` steps).

        Returns
        -------
        float
            Equal to :meth:`objective` to round-off when the two runs agree.
        """
        sim = self.fdtd_simulation(eps)
        E, H = sim.fields.E, sim.fields.H

        def state():
            return np.stack([E[2][:, :, 0], H[0][:, :, 0], H[1][:, :, 0]]).astype(np.float64)

        acc = 0.0
        u = state()
        for _ in range(self.n_steps):
            sim.step(1)
            un = state()
            acc += float(self.observable(u, un))
            u = un
        return acc
