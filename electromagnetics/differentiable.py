"""Differentiable FDTD (2D TM, 2D TE, 1D): gradients (reverse mode) and directional derivatives (forward
mode) of an observable of an unrolled Yee run with respect to the permittivity of a design region,
through numba step kernels with CPML walls and gradient checkpointing.

One Yee step, CPML memories included, is a numba kernel (:func:`electromagnetics._diff_kernels.tm_step`,
``te_step`` for TE) bound as one differentiable :class:`autodiff.core.Primitive` with two outputs
(fields ``(3, nx, ny)`` and the flat CPML memories). Its reverse rule is the transposed (adjoint) update
kernel :func:`~electromagnetics._diff_kernels.tm_step_adjoint`, its forward rule the tangent-linear kernel
:func:`~electromagnetics._diff_kernels.tm_step_tangent`; both also carry the derivatives with respect to
the design region's update coefficients and the source amplitudes. :class:`TMDesign` (2D TM, and 1D
plane waves) and :class:`TEDesign` (2D TE) share everything else. The permittivity enters
through ``ca = (eps0 eps - s)/(eps0 eps + s)`` and ``cb = dt/(eps0 eps + s)`` (``s = sigma dt/2``),
written with ``autodiff.numpy`` so that any differentiable parametrisation of ``eps`` (filters,
projections, bounds by a sigmoid, a few shape parameters) composes with the run. The observable is a
sum over steps of a per-step term (:class:`ProbeEnergy`, :class:`FluxLine`, or any ``autodiff.numpy``
function of two consecutive field states); :meth:`TMDesign.signal` gives the per-step terms themselves.

Reverse mode (many parameters, one output): one backward pass. It keeps one state per step
(``3 nx ny`` floats plus the CPML memories), ``O(n_steps)``; with ``checkpoint="sqrt"`` the run is cut
into segments of ``k = ceil(sqrt(n_steps))`` steps wrapped in :func:`autodiff.checkpoint`, so at most
``n_steps/k + k ~ 2 sqrt(n_steps)`` states are alive, at the price of one more forward run
(``benchmarks/fdtd_diff_memory.py`` measures both). Forward mode (few parameters, many outputs, e.g.
``autodiff.jacfwd`` of :meth:`TMDesign.signal` with respect to a handful of shape parameters) carries
one tangent state per parameter alongside the run and stores nothing.

The run reproduces :class:`~electromagnetics.fdtd.FDTDSimulation` step for step (same kernels'
arithmetic, source timing, PEC/periodic walls and CPML layers): :meth:`TMDesign.fdtd_simulation` builds
the regular simulation of a design and :meth:`TMDesign.verify` evaluates the observable with it.

Examples
--------
>>> import numpy as np
>>> from electromagnetics.fdtd import CPML, Grid, Source, PointDipole, GaussianPulse, Periodic
>>> g = Grid((30, 20), spacing=1e-3)
>>> src = Source(PointDipole((0.008, 0.01)), GaussianPulse(width=2e-11), "Ez")
>>> prob = TMDesign(g, (0.012, 0.005), (0.016, 0.015), [src], ProbeEnergy([(0.02, 0.01)]), n_steps=100,
...                 boundaries={"x": CPML(5), "y": Periodic()})
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
from autodiff.core import Primitive, is_tracer, raw, zero
from autodiff.core import shape as traced_shape
from electromagnetics import _diff_kernels as DK
from electromagnetics.fdtd import CPML, FDTDSimulation, Grid, Material, Slab
from electromagnetics.fdtd.boundaries import PEC, Periodic, resolve_boundaries
from electromagnetics.fdtd.boundaries.pml import cpml_axis_arrays
from electromagnetics.fdtd.geometry import Box, fill_fraction, rasterize
from electromagnetics.fdtd.materials import VACUUM
from electromagnetics.fdtd.sources.base import Source
from mindscience.errors import InputError, check_range

__all__ = ["TMDesign", "TEDesign", "ProbeEnergy", "FluxLine", "absorbing_layers"]

ETA0 = math.sqrt(MU0 / EPS0)


# ----------------------------------------------------------------------------- absorbers
def absorbing_layers(grid, cells, axes="x", reflection=1e-6, order=3):
    """Graded, impedance-matched conductive layers (``sigma_m = sigma mu0/eps0``) at the ends of ``axes``.

    A plane wave at normal incidence on a layer with ``sigma_m / mu0 = sigma / eps0`` sees no impedance
    step; the conductivity grows as ``sigma_max ((k + 1/2)/cells)^order`` over ``cells`` one-cell slabs,
    with ``sigma_max = -(order + 1) ln(reflection) / (2 eta0 cells dx)`` (the round-trip attenuation of a
    PML of that profile [1]_). They are ordinary materials (an alternative to CPML walls, which the
    differentiable runs support too, that costs no auxiliary state but reflects more per cell).

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
    """Time-integrated square of the out-of-plane field at probe points: ``J = dt sum_n sum_p F^n(p)^2``.

    ``F = Ez`` in TM and in 1D (V^2 s/m^2), ``F = Hz`` in TE (A^2 s/m^2), at the node nearest to each point.

    Parameters
    ----------
    points : sequence of (x, y) or of (x,)
        Probe positions, m (one coordinate on a 1D grid).
    """

    def __init__(self, points):
        pts = np.atleast_2d(np.asarray(points, dtype=float))
        if pts.ndim != 2 or pts.shape[1] not in (1, 2) or len(pts) == 0:
            raise InputError(f"ProbeEnergy.points has shape {pts.shape}; expected (P, 2) or, in 1D, (P, 1) "
                             "positions (m)")
        self.points = pts

    def bind(self, grid, polarization="TM"):
        comp = "Ez" if polarization == "TM" else "Hz"
        idx = [grid.nearest_index(comp, p, name="ProbeEnergy.points")[:2] for p in self.points]
        self._i = np.array([i for i, _ in idx])
        self._j = np.array([j for _, j in idx])
        self._dt = grid.dt
        return self

    def __call__(self, u_prev, u_next):
        f = u_prev[0][self._i, self._j]
        return self._dt * anp.sum(f * f)


class FluxLine:
    """Transmitted energy per unit length through the line ``x = const``: ``J = dt dy sum_n sum_j S_x``.

    TM: ``S_x = -Ez Hy`` at the Ez nodes of the column nearest to ``x``, with ``Hy`` averaged over its two
    x-neighbours and the two half steps around ``t_n`` (J/m in 2D; on a 1D grid the plane ``x = const``,
    ``J = dt sum_n S_x`` in J/m^2). TE: ``S_x = Ey Hz`` at the Ey nodes, ``Hz`` averaged the same way.

    Parameters
    ----------
    x : float
        Position of the line, m.
    y_range : (float, float), optional
        Limits along y, m (default: the whole column; 2D only).
    """

    def __init__(self, x, y_range=None):
        self.x = float(x)
        self.y_range = y_range

    def bind(self, grid, polarization="TM"):
        comp = "Ez" if polarization == "TM" else "Ey"
        i, _, _ = grid.nearest_index(comp, (self.x, 0.0)[:grid.ndim], name="FluxLine.x")
        if i == 0:
            raise InputError(f"FluxLine.x={self.x!r} is on the first column; it needs H on both sides")
        if grid.ndim == 1 and self.y_range is not None:
            raise InputError(f"FluxLine.y_range={self.y_range!r} must be None on a 1D grid")
        if self.y_range is None:
            js = slice(0, grid.shape[1])
        else:
            lo, hi = self.y_range
            js = grid.index_range(comp, (self.x, lo), (self.x, hi), name="FluxLine.y_range")[1]
        self._i, self._js = i, js
        w = 0.25 * grid.dt * (grid.spacing[1] if grid.ndim == 2 else 1.0)
        # state rows: TM (Ez, Hx, Hy), TE (Hz, Ex, Ey)
        self._w, self._e, self._h = (-w, 0, 2) if polarization == "TM" else (w, 2, 0)
        return self

    def __call__(self, u_prev, u_next):
        i, js, e, h = self._i, self._js, self._e, self._h
        ef = u_prev[e, i, js]
        hf = u_prev[h, i, js] + u_prev[h, i - 1, js] + u_next[h, i, js] + u_next[h, i - 1, js]
        return self._w * anp.sum(ef * hf)


# ----------------------------------------------------------------------------- the differentiable run
def _region(grid, lo, hi):
    sl = grid.index_range("Ez", lo, hi, name="design region")
    return sl[0].start, sl[1].start, sl[0].stop - sl[0].start, sl[1].stop - sl[1].start


def _zeros_if(t, like):
    return np.zeros_like(raw(like)) if t is zero else t


def _unbatched_zeros(g, like):
    """The zero cotangent the backward pass makes for an unused output is ``zeros_like`` of the raw value,
    which under ``vmap`` has the batched shape; give it the per-example shape."""
    if not is_tracer(g) and np.shape(g) != tuple(traced_shape(like)) and not np.any(g):
        return np.zeros(traced_shape(like))
    return g


class _YeeDesign:
    """Shared machinery of :class:`TMDesign` and :class:`TEDesign` (construction, the step primitive and
    its rules, the unrolled run, checkpointing, verification). Subclasses set the polarization, the
    kernels, the allowed source components and the map from the design permittivity to coefficients.
    """

    polarization = "TM"
    _source_components = ("Ez",)
    _kernels = (DK.tm_step, DK.tm_step_tangent, DK.tm_step_adjoint)

    def __init__(self, grid, design_lo, design_hi, sources, observable, n_steps, geometry=(), boundaries=None,
                 background=VACUUM):
        ndims = (1, 2) if self.polarization == "TM" else (2,)
        if not isinstance(grid, Grid) or grid.ndim not in ndims:
            raise InputError(f"grid={grid!r} must be a {' or '.join(f'{d}D' for d in ndims)} "
                             "electromagnetics.fdtd.Grid")
        if grid.dtype != np.float64:
            raise InputError(f"grid.dtype={grid.dtype} is not supported; the differentiable run is float64")
        if isinstance(n_steps, bool) or int(n_steps) != n_steps or n_steps < 1:
            raise InputError(f"n_steps={n_steps!r} is out of range; allowed: integers >= 1")
        self.grid, self.n_steps = grid, int(n_steps)
        self.geometry, self.background, self.boundary_spec = list(geometry), background, boundaries
        self.boundaries = resolve_boundaries(grid, boundaries)
        for face, b in self.boundaries.items():
            if not isinstance(b, PEC | Periodic | CPML) and face[0] != "z":
                raise InputError(f"boundaries[{face!r}]={type(b).__name__}: the differentiable run supports PEC, "
                                 "Periodic and CPML faces")
        self.i0, self.j0, mx, my = _region(grid, design_lo, design_hi)
        self.design_lo, self.design_hi = design_lo, design_hi
        self._dshape = (mx, my)
        self.design_shape = (mx, my) if grid.ndim == 2 else (mx,)
        self._build_cpml()
        mats = rasterize(grid, self.geometry, background)
        if mats.poles:
            raise InputError("geometry has dispersive materials; the differentiable run supports eps, sigma, mu, "
                             "sigma_m only")
        self._mats = mats
        self._build_wraps()
        box = (slice(self.i0, self.i0 + mx), slice(self.j0, self.j0 + my))
        self._box = box
        grow = (slice(max(self.i0 - 1, 0), self.i0 + mx + 1), slice(max(self.j0 - 1, 0), self.j0 + my + 1))
        for c in range(3):
            if np.any(self._comp(mats.mu, c)[grow] != 1.0) or np.any(self._comp(mats.sigma_m, c)[grow] != 0.0):
                raise InputError("the design region (and its neighbouring H nodes) must be non-magnetic "
                                 "(mu = 1, sigma_m = 0)")
        self.eps_initial = self._comp(mats.eps, 2)[box].reshape(self.design_shape)
        self._sigma_d = self._comp(mats.sigma, 2)[box].copy()
        self._setup()
        self._build_sources(sources)
        if isinstance(observable, ProbeEnergy | FluxLine):
            self.observable = observable.bind(grid, self.polarization)
        else:
            self.observable = observable.bind(grid) if hasattr(observable, "bind") else observable
        if not callable(self.observable):
            raise InputError(f"observable={observable!r} must be a ProbeEnergy, FluxLine or a callable")
        self._build_primitives()
        self._segment_ckpt = ad.checkpoint(self._segment)
        # autodiff.checkpoint learns that the segment returns a tuple from its first call, made on raw
        # values; prime it with plain arrays (one step) so that a first call under vmap (batched raw
        # values) does not reach the kernels
        self._segment_ckpt(*self._initial(), np.float64(0.0), self.amplitudes[:1],
                           *self.coefficients(np.ones(self.design_shape)))

    # ------------------------------------------------------------------ construction
    def _comp(self, a, c):
        """Component ``c`` of a material array, as a float64 ``(nx, ny)`` array."""
        full = (3,) + self.grid.shape
        return np.ascontiguousarray(np.broadcast_to(a, full)[c, :, :, 0], dtype=np.float64)

    def _e_coefficients(self, c):
        dt = self.grid.dt
        s = self._comp(self._mats.sigma, c) * dt / 2
        den = EPS0 * self._comp(self._mats.eps, c) + s
        return (EPS0 * self._comp(self._mats.eps, c) - s) / den, dt / den

    def _h_coefficients(self, c):
        dt = self.grid.dt
        mu, sm = self._comp(self._mats.mu, c), self._comp(self._mats.sigma_m, c)
        smh = sm * dt / (2 * MU0 * mu)
        return (1 - smh) / (1 + smh), dt / (MU0 * mu * (1 + smh))

    def _build_cpml(self):
        g = self.grid
        slabs = []
        for face, b in self.boundaries.items():
            if isinstance(b, CPML):
                slabs.append(b.make_slab(g, "xyz".index(face[0]), face[1] == "+", np.float64))
        pos, prof_e, prof_h, _, _ = cpml_axis_arrays(slabs, g, np.float64)
        self._posx = np.ascontiguousarray(pos[0], dtype=np.int64)
        self._posy = np.ascontiguousarray(pos[1], dtype=np.int64)
        self._prx = np.ascontiguousarray(np.vstack([prof_e[0], prof_h[0]]), dtype=np.float64)
        self._pry = np.ascontiguousarray(np.vstack([prof_e[1], prof_h[1]]), dtype=np.float64)
        nx, ny = g.shape[:2]
        lx, ly = int(np.sum(self._posx >= 0)), int(np.sum(self._posy >= 0))
        self.n_psi = 2 * lx * ny + 2 * nx * ly

    def _check_clear_of_cpml(self, islice, jslice):
        if np.any(self._posx[islice] >= 0) or np.any(self._posy[jslice] >= 0):
            raise InputError(f"the design region {self.design_lo}..{self.design_hi} overlaps a CPML layer; keep it "
                             "inside the interior of the domain")

    def _build_wraps(self):
        g = self.grid
        wr = {}
        for ax, name in ((0, "x"), (1, "y")):
            n = g.shape[ax]
            fhi, glo = np.ones(n), np.ones(n)
            fhi[-1] = float(np.real(self.boundaries[name + "+"].wrap(g, ax, True)))
            glo[0] = float(np.real(self.boundaries[name + "-"].wrap(g, ax, False)))
            wr[name] = (fhi, glo)
        self._fx, self._gx = wr["x"]
        self._fy, self._gy = wr["y"]
        self._rdx, self._rdy = 1.0 / g.spacing[0], 1.0 / g.spacing[1]

    def _build_sources(self, sources):
        g = self.grid
        dt = g.dt
        self.sources = list(sources)
        if not self.sources:
            raise InputError(f"sources is empty; give at least one {' or '.join(self._source_components)} Source")
        pats, comps, amps = [], [], np.zeros((self.n_steps, len(self.sources)))
        for k, src in enumerate(self.sources):
            if not isinstance(src, Source) or src.component not in self._source_components:
                raise InputError(f"sources[{k}]={src!r} must be an electromagnetics.fdtd Source on "
                                 f"{' or '.join(repr(c) for c in self._source_components)} ({self.polarization})")
            if np.iscomplexobj(src.amplitude):
                raise InputError(f"sources[{k}].amplitude={src.amplitude!r} must be real")
            index, scale = src.placement.bind(g, src.component)
            p = np.zeros(g.shape)
            p[index] = 1.0
            pats.append(p[:, :, 0])
            comps.append(self._source_components.index(src.component))
            for n in range(self.n_steps):
                amps[n, k] = src.amplitude * scale * float(src.waveform(n * dt + 0.5 * dt))
        self._src = np.ascontiguousarray(np.stack(pats))
        self._scomp = np.array(comps, dtype=np.int64)
        self.amplitudes = amps  # A/m^2 of each source at each step (J(t_n + dt/2)), shape (n_steps, k)

    # ------------------------------------------------------------------ the step primitive and its rules
    def _build_primitives(self):
        c = self._consts()
        step_k, tan_k, adj_k = self._kernels
        name = f"fdtd_{self.polarization.lower()}_step"
        arr = np.asarray
        # step(u, p, *coefs, amp) -> (u', p'); the tangent and adjoint are primitives too so that they run
        # under other transformations (batching loops over them: jacfwd, jacrev)
        step_p = Primitive(name, multiple_results=True)
        tan_p = Primitive(name + "_tangent", multiple_results=True)
        adj_p = Primitive(name + "_adjoint", multiple_results=True)
        step_p.impl = lambda *a: step_k(*[arr(x) for x in a], *c)
        tan_p.impl = lambda *a: tan_k(*[arr(x) for x in a], *c)
        adj_p.impl = lambda *a: adj_k(*[arr(x) for x in a], *c)

        def jvp(primals, tangents):
            ans = step_p.bind(*primals)
            if all(t is zero for t in tangents):
                return ans, (zero, zero)
            ts = [_zeros_if(t, p) for t, p in zip(tangents, primals)]
            return ans, tan_p.bind(*ts, primals[0], ans[0], *primals[2:])

        def vjp(g, ans, args, params, which):
            g = [_unbatched_zeros(gk, ak) for gk, ak in zip(g, ans)]
            cts = adj_p.bind(g[0], g[1], args[0], ans[0], *args[2:])
            return [cts[i] for i in which]

        step_p.jvp = jvp
        step_p.vjp = vjp
        self._step = step_p.bind

    # ------------------------------------------------------------------ the run
    @property
    def state_shape(self):
        """Shape of the field state ``(3, nx, ny)`` (TM: Ez, Hx, Hy; TE: Hz, Ex, Ey; 1D: ``ny = 1``)."""
        return (3,) + self.grid.shape[:2]

    def _segment(self, u, p, acc, amps, *coefs):
        for n in range(amps.shape[0]):
            un, p = self._step(u, p, *coefs, amps[n])
            acc = acc + self.observable(u, un)
            u = un
        return u, p, acc

    def _check_eps(self, eps):
        shp = traced_shape(eps)
        if tuple(shp) != self.design_shape:
            raise InputError(f"eps has shape {tuple(shp)}; expected the design shape {self.design_shape}")
        v = np.asarray(raw(eps))
        if not (np.all(np.isfinite(v)) and np.all(v > 0)):
            raise InputError("eps must be finite and positive (relative permittivity)")

    def _initial(self):
        return np.zeros(self.state_shape), np.zeros(self.n_psi)

    def objective(self, eps, checkpoint=None):
        """The observable summed over the run, for relative permittivity ``eps`` in the design box.

        Differentiable with :mod:`autodiff` in ``eps``, in reverse and forward mode.

        Parameters
        ----------
        eps : array, shape design_shape
            Relative permittivity of the design cells.
        checkpoint : None, "sqrt" or int
            None: tape every step; ``"sqrt"``: segments of ``ceil(sqrt(n_steps))`` steps recomputed in
            the backward pass; an int: segments of that many steps. Forward mode stores no tape either way.

        Returns
        -------
        scalar
            Units of the observable (J/m for :class:`FluxLine`, V^2 s/m^2 for :class:`ProbeEnergy` in TM).

        Examples
        --------
        >>> value, slope = autodiff.jvp(prob.objective, (eps,), (deps,))  # doctest: +SKIP
        """
        self._check_eps(eps)
        k = self._segment_length(checkpoint)
        coefs = self.coefficients(eps)
        u, p = self._initial()
        acc = np.float64(0.0)
        if k is None:
            return self._segment(u, p, acc, self.amplitudes, *coefs)[2]
        for a in range(0, self.n_steps, k):
            u, p, acc = self._segment_ckpt(u, p, acc, self.amplitudes[a:a + k], *coefs)
        return acc

    def signal(self, eps):
        """The per-step terms of the observable, shape ``(n_steps,)`` (their sum is :meth:`objective`).

        Differentiable in ``eps``; meant for forward mode (``autodiff.jacfwd`` with respect to a few
        parameters gives the sensitivity of the whole time trace at the cost of one tangent run per
        parameter). In reverse mode it tapes every step.

        Parameters
        ----------
        eps : array, shape design_shape

        Returns
        -------
        array, shape (n_steps,)
        """
        self._check_eps(eps)
        coefs = self.coefficients(eps)
        u, p = self._initial()
        terms = []
        for n in range(self.n_steps):
            un, p = self._step(u, p, *coefs, self.amplitudes[n])
            terms.append(self.observable(u, un))
            u = un
        return anp.stack(terms)

    def _segment_length(self, checkpoint):
        if checkpoint is None:
            return None
        if checkpoint == "sqrt":
            return max(1, math.ceil(math.sqrt(self.n_steps)))
        if isinstance(checkpoint, bool) or not isinstance(checkpoint, int | np.integer) or checkpoint < 1:
            raise InputError(f"checkpoint={checkpoint!r} is out of range; allowed: None, 'sqrt' or an integer >= 1")
        return int(checkpoint)

    def value_and_grad(self, eps, checkpoint="sqrt"):
        """Objective and its gradient with respect to ``eps`` (reverse mode: one adjoint run).

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

    def value_and_jvp(self, eps, deps):
        """Objective and its directional derivative along ``deps`` (forward mode: one tangent-linear run).

        Parameters
        ----------
        eps, deps : ndarray, shape design_shape
            Point and direction (relative permittivity).

        Returns
        -------
        value, slope : float
            ``J(eps)`` and ``sum(grad J * deps)``.
        """
        eps = np.asarray(eps, dtype=np.float64)
        deps = np.asarray(deps, dtype=np.float64)
        if deps.shape != self.design_shape:
            raise InputError(f"deps has shape {deps.shape}; expected the design shape {self.design_shape}")
        v, t = ad.jvp(self.objective, (eps,), (deps,))
        return float(v), float(t)

    def states(self, eps):
        """Run forward (no tape) and return the final field state ``(3, nx, ny)`` and the objective."""
        self._check_eps(eps)
        u, p = self._initial()
        u, p, acc = self._segment(u, p, 0.0, self.amplitudes, *self.coefficients(np.asarray(eps, dtype=np.float64)))
        return u, float(acc)

    # ------------------------------------------------------------------ verification with the regular solver
    def design_shapes(self, eps):
        """One box per design cell filling exactly the dual cell of its Ez node with its ``eps`` (and the
        fixed conductivity there), painted in row-major order."""
        eps = np.asarray(eps, dtype=np.float64)
        self._check_eps(eps)
        g = self.grid
        dx, dy = g.spacing[0], g.spacing[1]
        eps = eps.reshape(self._dshape)
        out = []
        for a in range(self._dshape[0]):
            for b in range(self._dshape[1]):
                i, j = self.i0 + a, self.j0 + b
                # 1.001 cells: all corners of node (i, j)'s dual cell are inside, no sub-sample of a neighbour is
                mat = Material(eps=float(eps[a, b]), sigma=float(self._sigma_d[a, b]))
                if g.ndim == 2:
                    out.append(Box((i * dx, j * dy), (1.001 * dx, 1.001 * dy), mat))
                else:
                    out.append(Box((i * dx,), (1.001 * dx,), mat))
        return out

    def fdtd_simulation(self, eps):
        """The regular :class:`~electromagnetics.fdtd.FDTDSimulation` of design ``eps`` (same grid, sources,
        boundaries, fixed geometry, with :meth:`design_shapes` painted last)."""
        return FDTDSimulation(self.grid, geometry=self.geometry + self.design_shapes(eps), sources=self.sources,
                              boundaries=self.boundary_spec, background=self.background)

    def _state_of(self, fields):
        E, H = fields.E, fields.H
        rows = (E[2], H[0], H[1]) if self.polarization == "TM" else (H[2], E[0], E[1])
        return np.stack([r[:, :, 0] for r in rows]).astype(np.float64)

    def verify(self, eps):
        """Objective of design ``eps`` computed with :meth:`fdtd_simulation` (step by step, ``n_steps`` steps).

        Returns
        -------
        float
            Equal to :meth:`objective` to round-off when the two runs agree.
        """
        sim = self.fdtd_simulation(eps)
        acc = 0.0
        u = self._state_of(sim.fields)
        for _ in range(self.n_steps):
            sim.step(1)
            un = self._state_of(sim.fields)
            acc += float(self.observable(u, un))
            u = un
        return acc


class TMDesign(_YeeDesign):
    """A 2D TM (or 1D) FDTD run whose observable is differentiable in the permittivity of a design box.

    The design cells are the Ez nodes of the box; their permittivity sets the Ez update coefficients
    directly. On a 1D grid the run is the plane wave ``(Ez, Hy)`` along x (the 2D step with one periodic
    row, the same arithmetic as the regular 1D kernels): a multilayer stack's transmission and its
    derivatives with respect to the layers' permittivities, for instance.

    Parameters
    ----------
    grid : Grid
        A 2D or 1D float64 grid.
    design_lo, design_hi : (float, float) or (float,)
        Corners of the design box, m; its Ez nodes form the design array of shape :attr:`design_shape`.
        The box must stay clear of PEC low walls and of the CPML layers.
    sources : sequence of Source
        Electric ``"Ez"`` sources (any placement and waveform of :mod:`electromagnetics.fdtd`).
    observable : ProbeEnergy, FluxLine or callable
        A bound-able monitor or any function ``term(u_prev, u_next) -> scalar`` written with
        ``autodiff.numpy`` on states ``(3, nx, ny)`` (``Ez, Hx, Hy``); the objective is its sum over steps.
    n_steps : int
        Steps of the unrolled run (>= 1).
    geometry : sequence of Shape
        Fixed structures, painted as in FDTDSimulation (non-dispersive materials).
    boundaries : Boundary or dict
        PEC, Periodic and :class:`~electromagnetics.fdtd.CPML` faces, as for FDTDSimulation (default PEC).
    background : Material

    Attributes
    ----------
    design_shape : tuple of int
        ``(mx, my)`` Ez nodes of the design box (``(mx,)`` on a 1D grid).
    eps_initial : ndarray, shape design_shape
        Relative permittivity of the fixed geometry inside the box.
    n_psi : int
        Number of CPML memory values carried in the state.

    Examples
    --------
    See the module docstring and ``examples/electromagnetics/optimize_dielectric.py``. Forward mode
    with respect to two parameters (a uniform permittivity and a linear ramp)::

        ramp = np.linspace(-1, 1, prob.design_shape[0])[:, None] * np.ones(prob.design_shape)
        jac = autodiff.jacfwd(lambda th: prob.signal(th[0] + th[1] * ramp))(np.array([2.0, 0.3]))
        # jac.shape == (n_steps, 2)
    """

    polarization = "TM"
    _source_components = ("Ez",)
    _kernels = (DK.tm_step, DK.tm_step_tangent, DK.tm_step_adjoint)

    def _setup(self):
        nx, ny = self.grid.shape[:2]
        box = self._box
        pec = np.ones((nx, ny))
        if isinstance(self.boundaries["x-"], PEC):
            pec[0, :] = 0.0
        if isinstance(self.boundaries["y-"], PEC):
            pec[:, 0] = 0.0
        if np.any(pec[box] == 0.0):
            raise InputError("the design region touches a PEC wall; move design_lo away from the low faces")
        self._pec = pec
        self._check_clear_of_cpml(*box)
        self._ec = np.ascontiguousarray(np.stack(self._e_coefficients(2)))
        self._hc = np.ascontiguousarray(np.stack(self._h_coefficients(0) + self._h_coefficients(1)))

    def _consts(self):
        """The constant arguments of the kernels (after the differentiable ones)."""
        return (self.i0, self.j0, self._ec, self._hc, self._rdx, self._rdy, self._fx, self._fy, self._gx, self._gy,
                self._pec, self._src, self._posx, self._posy, self._prx, self._pry)

    def coefficients(self, eps):
        """E-update coefficients ``(ca, cb)`` of the design box for relative permittivity ``eps`` (differentiable).

        Returns
        -------
        ca, cb : array, shape (mx, my)
            ``(eps0 eps - s)/(eps0 eps + s)`` and ``dt/(eps0 eps + s)`` (m s/F), ``s = sigma dt/2``.
        """
        dt = self.grid.dt
        if self.grid.ndim == 1:
            eps = anp.reshape(eps, self._dshape)
        s = self._sigma_d * (dt / 2)
        den = EPS0 * eps + s
        return (EPS0 * eps - s) / den, dt / den


class TEDesign(_YeeDesign):
    """A 2D TE FDTD run ``(Hz, Ex, Ey)`` whose observable is differentiable in the permittivity of a design box.

    The design cells are the dual cells of the Ez nodes of the box (pixels of ``dx x dy`` centred on
    ``(i dx, j dy)``), each of uniform permittivity. The Ex and Ey nodes see the pixels through the
    volume-fraction averaging of :func:`~electromagnetics.fdtd.geometry.rasterize` (the painting the
    regular solver applies to :meth:`design_shapes`): an Ex node on the edge between two pixels gets the
    average of the two. That averaging is linear in the pixels' permittivities, ``eps_node = w0 eps_fixed
    + W eps``, with fill fractions computed once; it is applied with ``autodiff.numpy``, so the chain
    rule runs through it.

    Parameters
    ----------
    grid : Grid
        A 2D float64 grid.
    design_lo, design_hi : (float, float)
        Corners of the design box, m (the pixel centres inside it form :attr:`design_shape`). The box and
        the E nodes its pixels touch must stay clear of the CPML layers.
    sources : sequence of Source
        Electric ``"Ex"`` or ``"Ey"`` sources.
    observable : ProbeEnergy, FluxLine or callable
        As for :class:`TMDesign`, on states ``(3, nx, ny)`` = ``(Hz, Ex, Ey)``; :class:`ProbeEnergy`
        integrates ``Hz^2``, :class:`FluxLine` the flux ``Ey Hz``.
    n_steps, geometry, boundaries, background
        As for :class:`TMDesign`.

    Attributes
    ----------
    design_shape : tuple of int
        ``(mx, my)`` pixels.
    n_psi : int
        Number of CPML memory values carried in the state.

    Examples
    --------
    >>> import numpy as np
    >>> from electromagnetics.fdtd import CPML, Grid, Source, PointDipole, GaussianPulse
    >>> g = Grid((30, 24), spacing=1e-3)
    >>> src = Source(PointDipole((0.008, 0.012)), GaussianPulse(width=2e-11), "Ey")
    >>> prob = TEDesign(g, (0.012, 0.008), (0.016, 0.016), [src], FluxLine(0.02), n_steps=80, boundaries=CPML(5))
    >>> value, grad = prob.value_and_grad(np.full(prob.design_shape, 2.0))
    >>> grad.shape
    (5, 9)
    """

    polarization = "TE"
    _source_components = ("Ex", "Ey")
    _kernels = (DK.te_step, DK.te_step_tangent, DK.te_step_adjoint)

    def _setup(self):
        g = self.grid
        nx, ny = g.shape[:2]
        pec = np.ones((2, nx, ny))
        if isinstance(self.boundaries["x-"], PEC):
            pec[1, 0, :] = 0.0   # Ey on the x- wall
        if isinstance(self.boundaries["y-"], PEC):
            pec[0, :, 0] = 0.0   # Ex on the y- wall
        self._pec = pec
        pixels = self.design_shapes(np.ones(self.design_shape))
        sig_pix = self._sigma_d.ravel()
        self._windows = []
        ec = []
        for c, comp in enumerate(("Ex", "Ey")):
            fr = [fill_fraction(g, comp, b)[:, :, 0] for b in pixels]
            touched = np.any(np.stack(fr) > 0, axis=0)
            ii, jj = np.nonzero(touched)
            win = (slice(int(ii.min()), int(ii.max()) + 1), slice(int(jj.min()), int(jj.max()) + 1))
            self._check_clear_of_cpml(*win)
            shp = (win[0].stop - win[0].start, win[1].stop - win[1].start)
            # paint the pixels in order, as rasterize does: v <- v + f (m - v) = (1 - f) v + f m
            w0 = np.ones(shp)
            W = np.zeros(shp + (len(pixels),))
            sig = self._comp(self._mats.sigma, c)[win].copy()
            for k, f in enumerate(fr):
                f = f[win]
                w0 *= 1 - f
                W *= (1 - f)[:, :, None]
                W[:, :, k] += f
                sig += f * (sig_pix[k] - sig)
            eps0 = self._comp(self._mats.eps, c)[win]
            self._windows.append({"origin": (win[0].start, win[1].start), "shape": shp, "base": w0 * eps0,
                                  "W": W.reshape(-1, len(pixels)), "s": sig * (g.dt / 2)})
            ec += list(self._e_coefficients(c))
        self._ec = np.ascontiguousarray(np.stack(ec))
        self._hc = np.ascontiguousarray(np.stack(self._h_coefficients(2)))

    def _consts(self):
        (ix0, jx0), (iy0, jy0) = self._windows[0]["origin"], self._windows[1]["origin"]
        return (ix0, jx0, iy0, jy0, self._ec, self._hc, self._rdx, self._rdy, self._fx, self._fy, self._gx, self._gy,
                self._pec, self._src, self._scomp, self._posx, self._posy, self._prx, self._pry)

    def coefficients(self, eps):
        """E-update coefficients ``(cax, cbx, cay, cby)`` of the Ex and Ey nodes the pixels touch (differentiable).

        Returns
        -------
        tuple of 4 arrays
            Shapes of the Ex window (``cax``, ``cbx``) and of the Ey window (``cay``, ``cby``).
        """
        flat = anp.reshape(eps, (-1,))
        out = []
        for w in self._windows:
            e = w["base"] + anp.reshape(anp.matmul(w["W"], flat), w["shape"])
            den = EPS0 * e + w["s"]
            out += [(EPS0 * e - w["s"]) / den, self.grid.dt / den]
        return tuple(out)
