"""FDTDSimulation: ties grid, materials, boundaries, sources and monitors to the engine's run loop.

The one update order of the suite is written in :meth:`FDTDSimulation._step_impl` and documented
in the class docstring; components hook in only there.
"""

import math

import numba
import numpy as np
from scipy.constants import c as C0
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

from electromagnetics.fdtd import _kernels as K
from electromagnetics.fdtd import _kernels_2d as K2
from electromagnetics.fdtd.boundaries import CPML, Bloch, resolve_boundaries
from electromagnetics.fdtd.boundaries.base import FACES, Boundary
from electromagnetics.fdtd.boundaries.pml import cpml_axis_arrays
from electromagnetics.fdtd.fields import Fields
from electromagnetics.fdtd.geometry import rasterize
from electromagnetics.fdtd.grid import AXES, Grid
from electromagnetics.fdtd.materials import VACUUM
from electromagnetics.fdtd.monitors import FieldDecay, Monitor
from electromagnetics.fdtd.monitors.energy import polarization_energy
from electromagnetics.fdtd.sources.base import Source
from mindscience.engine import Simulation
from mindscience.errors import InputError


def _compress(a, b):
    """Both ``(3, nx, ny, nz)`` arrays -> ``(3, 1, 1, 1)`` when every component of both is uniform.

    The bulk kernels index both coefficient arrays the same way, so they are compressed together.
    """
    if a.shape != b.shape:  # one uniform (3, 1, 1, 1), the other full
        shp = np.broadcast_shapes(a.shape, b.shape)
        a, b = np.broadcast_to(a, shp), np.broadcast_to(b, shp)
    fa, fb = a.reshape(3, -1), b.reshape(3, -1)
    if np.all(fa == fa[:, :1]) and np.all(fb == fb[:, :1]):
        return (np.ascontiguousarray(fa[:, :1].reshape(3, 1, 1, 1)),
                np.ascontiguousarray(fb[:, :1].reshape(3, 1, 1, 1)))
    return np.ascontiguousarray(a), np.ascontiguousarray(b)


class FDTDSimulation(Simulation):
    """A Yee FDTD simulation in 1D, 2D or 3D on the mindscience engine.

    Update order of one step (E at ``t_n = n dt`` and H at ``t_n - dt/2`` on entry)::

        1. H bulk        H^{n+1/2} = da H^{n-1/2} - db curl E^n        (_kernels.update_h; 1D/2D:
                         _kernels_2d.update_h_2d[_tm|_te] and the 1D twins)
        2. CPML H        slab corrections of tangential H              (1D/2D: _kernels_2d.cpml_h_one;
                         in 3D steps 1-2 are one fused call, _kernels.update_h_cpml)
        3. H sources     magnetic currents M(t_n); TFSF H correction
        4. H walls       PMC faces
        5. ADE poles     Drude/Lorentz: P^{n+1} from P^n, P^{n-1}, E^n  (_kernels.ade_pole)
        6. E bulk        E^{n+1} = ca E^n + cb curl H^{n+1/2}          (_kernels.update_e; 1D/2D:
                         _kernels_2d.update_e_2d[_tm|_te] and the 1D twins)
        7. CPML E        slab corrections of tangential E              (1D/2D: _kernels_2d.cpml_e_one;
                         in 3D steps 6-7 are one fused call, _kernels.update_e_cpml)
        8. ADE coupling  E -= cb (P^{n+1} - P^n)/dt; Debye poles (trapezoidal, their implicit part
                         is in ca/cb) subtract cb (q - 1) P^n/dt and then set P^{n+1}
        9. E sources     electric currents J(t_n + dt/2); TFSF E correction
       10. E walls       PEC faces

    One-sweep step (3D): when steps 3-5 and 8 have nothing to do (no H sources, TFSF, PMC faces or
    dispersive poles: see ``_one_sweep``), steps 1-8 run as one call that sweeps the grid once.
    Without CPML it is ``_kernels.leapfrog``: for each x plane ``i`` and line ``j``, H then E on the
    line ``(i, j, :)`` (the H lines of the wrapped or block-boundary neighbours first); with CPML it
    is ``_kernels.leapfrog_cpml``: for each x plane, H on the plane's lines with their CPML
    corrections, then E on them. Each field array then crosses the memory bus about once per step
    instead of twice; every value is computed from the same operands as in the two-sweep order, so
    the results are bit-identical. The 2D and 3D bulk kernels flush subnormal floats (below 1.2e-38
    in float32, 2.2e-308 in float64) to zero while they run (:mod:`mindscience.fpenv`): wavefronts
    and decaying fields produce them, and arithmetic on them is tens of times slower.
    Steps 9-10 follow the sweep (nothing in the sweep reads ``E^{n+1}``). Monitors see whole steps
    in both orders.

    Parameters
    ----------
    grid : Grid
    geometry : sequence of Shape
        Painted in order over ``background`` with volume-fraction averaging.
    sources : sequence of Source or TFSF
    boundaries : Boundary or dict
        See :func:`~electromagnetics.fdtd.boundaries.resolve_boundaries` (default: PEC walls).
    monitors : sequence of Monitor
        Bound (and validated) now, fed on every :meth:`run`.
    background : Material
    subsamples : int, optional
        Sub-samples per axis for the volume-fraction averaging of cut cells.
    guard_interval : int, optional
        Steps between NaN/inf checks (engine default 100).
    polarization : {"auto", "TM", "TE", "both"}
        Which polarisation a 2D grid updates: TM (``Ez, Hx, Hy``), TE (``Hz, Ex, Ey``) or both
        (all six components). The two decouple exactly on a 2D Yee grid, so updating one costs
        about half of both (``_kernels_2d``); the skipped components stay exactly zero and
        monitors of them read zeros. ``"auto"`` (default) takes the polarisations the sources
        drive (a ``Source`` by its component, a TFSF plane wave by its E direction: ``"Ez"`` is TM,
        an in-plane E is TE, both if it has both) plus any polarisation whose fields (or CPML /
        dispersive state) are nonzero at the start of a :meth:`run` (initial conditions set by
        hand, a restored checkpoint): it never changes the result. ``"TM"``/``"TE"`` fix the
        choice: a source of the other polarisation raises ``InputError`` here, and nonzero fields
        of the other polarisation at the start of a :meth:`run` raise ``InputError`` rather than
        being ignored. 1D grids (along x) split the same way: TM is ``Ez, Hy`` (and ``Hx``), TE
        is ``Ey, Hz`` (and ``Ex``). 3D grids always update every component (only "auto" and
        "both" are accepted there). The polarisation in use is ``active_polarization``. The check at the
        start of each :meth:`run`/:meth:`step` reads the skipped arrays once (about a third of a
        step's memory traffic): advance many steps per call rather than ``step()`` in a loop.

    Examples
    --------
    >>> from electromagnetics.fdtd import Grid, Source, PointDipole, Ricker, Probe, CPML
    >>> g = Grid((60, 60), spacing=1e-3)
    >>> probe = Probe("Ez", (0.04, 0.03))
    >>> sim = FDTDSimulation(g, sources=[Source(PointDipole((0.03, 0.03)), Ricker(1e10), "Ez")],
    ...                      boundaries=CPML(10), monitors=[probe])
    >>> _ = sim.run(until=2e-10, progress=False)
    """

    time_unit = "s"

    def __init__(self, grid, geometry=(), sources=(), boundaries=None, monitors=(), background=VACUUM,
                 subsamples=None, guard_interval=None, polarization="auto"):
        if not isinstance(grid, Grid):
            raise InputError(f"grid={grid!r} must be an electromagnetics.fdtd.Grid")
        sources = self._init_polarization(polarization, grid, sources)
        self.grid = grid
        self.boundaries = resolve_boundaries(grid, boundaries)
        complex_fields = any(isinstance(b, Bloch) and b.k != 0 for b in self.boundaries.values())
        rdt = grid.dtype
        self.field_dtype = np.result_type(rdt, np.complex64) if complex_fields else rdt
        # wrap factors of the bulk kernels (see _kernels module docstring)
        self._fhi, self._glo = [], []
        for ax in range(3):
            n = grid.shape[ax]
            whi = self.boundaries[AXES[ax] + "+"].wrap(grid, ax, True)
            wlo = self.boundaries[AXES[ax] + "-"].wrap(grid, ax, False)
            self._fhi.append(K.wrap_factors(n, np.asarray(whi, self.field_dtype), True))
            self._glo.append(K.wrap_factors(n, np.asarray(wlo, self.field_dtype), False))
        self._kh, self._ke, kch, kce = K.bulk_kernels(grid.ncells, grid.ndim, self.active_polarization)
        # scalars in the precision of the fields, so float32 kernels stay float32
        self._rd = tuple(grid.dtype.type(1.0 / d) for d in grid.spacing)
        self._slabs = []
        for face, b in self.boundaries.items():
            if isinstance(b, CPML):
                slab = b.make_slab(grid, AXES.index(face[0]), face[1] == "+", self.field_dtype)
                slab.set_kernels(kch, kce, self.active_polarization)
                self._slabs.append(slab)
        self._build_materials(geometry, background, subsamples)
        self.fields = Fields(grid.shape, self.field_dtype)  # staggered in the cache (fields.staggered_zeros)
        E, H = self.fields.E, self.fields.H
        # 3D with CPML: fused kernels do the bulk and every CPML layer plane by plane, with the coefficients
        # as line tables (_kernels.coefficient_lines); a full step is one sweep by planes
        # (_kernels.leapfrog_cpml) or two fused half-step sweeps. 3D without CPML: the plain kernels
        # (one sweep line by line, _kernels.leapfrog, or two sweeps). _one_sweep() picks per step.
        self._fused = grid.ndim == 3 and bool(self._slabs)
        self._lf_call = None
        if self._fused:
            pos, pe, ph, se, sh = cpml_axis_arrays(self._slabs, grid, self.field_dtype)
            fh, fe, flf = K.fused_kernels(grid.ncells)
            tab, (ia, ib, ja, jb), uni = K.coefficient_lines([self.da, self.db, self.ca, self.cb], grid.shape)
            self._h_call = (fh, (*H, *E, tab, ia, ib, uni, *self._rd, *self._fhi, *pos, *ph, *sh))
            self._e_call = (fe, (*E, *H, tab, ja, jb, uni, *self._rd, *self._glo, *pos, *pe, *se))
            self._lf_call = (flf, (*H, *E, tab, ia, ib, ja, jb, uni, *self._rd, *self._fhi, *self._glo,
                                   *pos, *ph, *sh, *pe, *se))
        else:
            if grid.ndim == 3:
                self._lf_call = (K.leapfrog_kernel(grid.ncells),
                                 (*H, *E, self.da, self.db, self.ca, self.cb, *self._rd, *self._fhi, *self._glo))
            for slab in self._slabs:
                slab.attach(self.fields, self.cb, self.db)
        self.sources, self.tfsf = [], []
        for s in sources:
            if isinstance(s, Source):
                self.sources.append(s.bind(grid))
            elif hasattr(s, "update_h") and hasattr(s, "update_e"):
                self.tfsf.append(s.bind(self))
            else:
                raise InputError(f"sources entry {s!r} is not a Source or TFSF plane wave")
        self.monitors = []
        for m in monitors:
            self.monitors.append(self._bind_monitor(m))
        super().__init__(grid.dt, guard_interval=guard_interval)

    # ------------------------------------------------------------------ construction helpers
    def _build_materials(self, geometry, background, subsamples):
        """Rasterize the media into the update coefficients and the ADE pole states.

        Raises
        ------
        InputError
            When a dispersive medium makes the Yee + ADE update unstable at the grid's Courant
            number (von Neumann check, :func:`electromagnetics.fdtd.stability.check_dispersive_stability`);
            the message gives the largest stable Courant number.
        """
        g = self.grid
        mats = rasterize(g, list(geometry), background, subsamples)
        dt = g.dt
        rdt = g.dtype
        # Debye poles are trapezoidal (semi-implicit): their k E^{n+1} term joins eps0 eps_inf here
        kk = np.zeros((3, 1, 1, 1))
        for pole, w in mats.poles:
            if pole.implicit:
                kk = kk + w * pole.ade_coefficients(dt)[1]
        s = mats.sigma * dt / 2
        den = EPS0 * mats.eps + s + kk
        self.ca, self.cb = _compress(((EPS0 * mats.eps - s - kk) / den).astype(rdt), (dt / den).astype(rdt))
        sm = mats.sigma_m * dt / (2 * MU0 * mats.mu)
        self.da, self.db = _compress(((1 - sm) / (1 + sm)).astype(rdt), (dt / (MU0 * mats.mu * (1 + sm))).astype(rdt))
        self.materials = mats
        # dispersive poles: state only inside the bounding box of each pole's support
        self._poles = []
        for pole, w in mats.poles:
            coef = pole.ade_coefficients(dt)
            for c in range(3):
                nz = np.nonzero(np.broadcast_to(w[c], g.shape) > 0)
                if nz[0].size == 0:
                    continue
                box = tuple(slice(int(a.min()), int(a.max()) + 1) for a in nz)
                shp = tuple(b.stop - b.start for b in box)
                wbox = np.ascontiguousarray(np.broadcast_to(w[c], g.shape)[box], rdt)
                self._poles.append({"axis": c, "box": box, "w": wbox, "c": coef, "implicit": pole.implicit,
                                    "P": np.zeros(shp, self.field_dtype), "Pm": np.zeros(shp, self.field_dtype),
                                    "dP": np.zeros(shp, self.field_dtype)})
        # strong poles are unstable below the vacuum Courant limit: fail now, not as SimulationDiverged later
        from electromagnetics.fdtd import stability

        stability.check_dispersive_stability(g, mats, named=[background, *(s.material for s in geometry)],
                                             boundaries=self.boundaries)

    def _bind_monitor(self, m):
        if not isinstance(m, Monitor):
            raise InputError(f"monitor {m!r} is not an electromagnetics.fdtd Monitor")
        if m.sim is not self:
            m.bind(self)
        return m

    # ------------------------------------------------------------------ 1D/2D polarisation (TM / TE / both)
    def _init_polarization(self, polarization, grid, sources):
        """Validate ``polarization`` against the grid and the sources; set the initial choice.

        Returns ``sources`` as a list (it is walked here and again when the sources are bound).
        """
        allowed = ("auto", "TM", "TE", "both") if grid.ndim < 3 else ("auto", "both")
        if polarization not in allowed:
            raise InputError(f"polarization={polarization!r} is not allowed for a {grid.ndim}D grid; allowed: "
                             f"{', '.join(map(repr, allowed))} (TM/TE split only on 1D and 2D grids)")
        sources = list(sources)
        driven = {}  # polarisation -> the first source driving it (for messages)
        for s in sources:
            if isinstance(s, Source):
                pols = ["TM" if s.component in K2.COMPONENTS["TM"] else "TE"]
                what = f"Source on {s.component}"
            elif hasattr(s, "update_h") and hasattr(s, "update_e"):  # a plane wave: by its E direction
                e = getattr(s, "e_vec", None)
                on = (True, True) if e is None else (e[2] != 0, e[0] != 0 or e[1] != 0)
                pols = [p for p, o in zip(("TM", "TE"), on) if o]
                what = f"{type(s).__name__} with E along {getattr(s, 'e_vec', 'an unknown direction')}"
            else:  # not a source: reported when the sources are bound
                continue
            for p in pols:
                driven.setdefault(p, what)
        if polarization in ("TM", "TE"):
            other = "TE" if polarization == "TM" else "TM"
            if other in driven:
                raise InputError(f"polarization={polarization!r} but the {driven[other]} drives {other} "
                                 f"({', '.join(K2.COMPONENTS[other])}); use polarization='auto' or "
                                 f"'both', or a {polarization} source")
        self.polarization = polarization
        self._driven = frozenset(driven)
        if grid.ndim == 3 or polarization == "both":
            self.active_polarization = "both"
        elif polarization in ("TM", "TE"):
            self.active_polarization = polarization
        else:  # fields start at zero: the sources decide (none: TM, all zero either way)
            self.active_polarization = "both" if len(driven) == 2 else next(iter(driven), "TM")
        return sources

    def _nonzero_state(self, pol):
        """Name of the first array of polarisation ``pol`` holding a nonzero value, or None.

        Fields, the CPML memories and the dispersive-pole state of that polarisation (one pass over
        each; -0.0 counts as zero, NaN as nonzero).
        """
        comps = K2.COMPONENTS[pol]
        arrays = [(c, self.fields[c]) for c in comps]
        for s in self._slabs:
            arrays += [(f"CPML {AXES[s.axis]}{'+' if s.high else '-'} psi {n}", s.psi[n]) for n in s.psi_names(pol)]
        for i, p in enumerate(self._poles):
            if ("E" + AXES[p["axis"]]) in comps:
                arrays += [(f"dispersive pole {i} state", p["P"]), (f"dispersive pole {i} state", p["Pm"])]
        for name, a in arrays:
            if np.any(a):  # numpy reads ~12 GB/s here: faster than a numba loop with early exit
                return name
        return None

    def _update_polarization(self):
        """The guard of a single-polarisation 1D/2D run, called at the start of every :meth:`run`.

        A skipped polarisation is never updated, so nonzero values in it (set by hand, restored
        from a checkpoint) would be silently frozen. "auto" then switches to the polarisations
        that are in use (exact: what is zero stays zero); an explicit "TM"/"TE" raises, since the
        user's choice and the fields disagree.
        """
        if self.grid.ndim == 3 or self.polarization == "both":
            return
        if self.polarization in ("TM", "TE"):
            other = "TE" if self.polarization == "TM" else "TM"
            name = self._nonzero_state(other)
            if name is not None:
                raise InputError(f"polarization={self.polarization!r} but {name} ({other}) holds nonzero values "
                                 f"(set by hand or restored from a checkpoint) that a {self.polarization} run would "
                                 "ignore; use polarization='auto' or 'both'")
            return
        used = set(self._driven)
        for pol in ("TM", "TE"):
            if pol not in used and self._nonzero_state(pol) is not None:
                used.add(pol)
        pol = "both" if len(used) == 2 else next(iter(used), self.active_polarization)
        if pol != self.active_polarization:
            self.active_polarization = pol
            self._kh, self._ke, kch, kce = K.bulk_kernels(self.grid.ncells, self.grid.ndim, pol)
            for slab in self._slabs:
                slab.set_kernels(kch, kce, pol)

    # ------------------------------------------------------------------ the update order
    def _one_sweep(self):
        """True when the full step may run as one sweep: nothing between the H and the E half."""
        return (self._lf_call is not None and not self._poles and not self.tfsf
                and all(s.kind == "E" for s in self.sources)
                and all(type(b).fix_h is Boundary.fix_h for b in self.boundaries.values()))

    def _step_impl(self, n):
        f = self.fields
        dt = self.grid.dt
        one_sweep = self._one_sweep()
        for _ in range(n):
            t = self.time + _ * dt  # E time t_n of this sub-step
            if one_sweep:  # steps 1-8 in one call (3-5 and 8 are empty)
                self._lf_call[0](*self._lf_call[1], numba.get_num_threads())
            else:
                self._half_steps(t)
            for s in self.sources:
                if s.kind == "E":
                    s.apply(f, self.cb, t + 0.5 * dt)
            for tf in self.tfsf:
                tf.update_e(self, t + dt)
            for face, b in self.boundaries.items():
                b.fix_e(f, AXES.index(face[0]), face[1] == "+")

    def _half_steps(self, t):
        """Steps 1-8 of the update order (class docstring) as separate H and E sweeps."""
        f = self.fields
        E, H = f.E, f.H
        rdx, rdy, rdz = self._rd
        dt = self.grid.dt
        if self._fused:
            self._h_call[0](*self._h_call[1])
        else:
            self._kh(H[0], H[1], H[2], E[0], E[1], E[2], self.da, self.db, rdx, rdy, rdz, *self._fhi)
            for slab in self._slabs:
                slab.update_h()
        for s in self.sources:
            if s.kind == "H":
                s.apply(f, self.db, t)
        for tf in self.tfsf:
            tf.update_h(self, t)
        for face, b in self.boundaries.items():
            b.fix_h(f, AXES.index(face[0]), face[1] == "+")
        for p in self._poles:
            Ebox = E[p["axis"]][p["box"]]
            if p["implicit"]:  # Debye: keep q P^n + k w E^n; the E update sees (q - 1) P^n
                q, k = p["c"]
                p["Pm"][...] = q * p["P"] + k * p["w"] * Ebox
                p["dP"][...] = (q - 1) * p["P"]
            else:
                p["dP"][...] = 0
                c1, c2, c3 = p["c"]
                K.ade_pole(p["P"], p["Pm"], Ebox, p["w"], c1, c2, c3, p["dP"])
        if self._fused:
            self._e_call[0](*self._e_call[1])
        else:
            self._ke(E[0], E[1], E[2], H[0], H[1], H[2], self.ca, self.cb, rdx, rdy, rdz, *self._glo)
            for slab in self._slabs:
                slab.update_e()
        for p in self._poles:
            cb = self.cb[p["axis"]]
            cbox = cb[0, 0, 0] if cb.size == 1 else cb[p["box"]]
            E[p["axis"]][p["box"]] -= cbox * p["dP"] * (1.0 / dt)
            if p["implicit"]:  # P^{n+1} = (q P^n + k w E^n) + k w E^{n+1}
                p["P"][...] = p["Pm"] + p["c"][1] * p["w"] * E[p["axis"]][p["box"]]

    # ------------------------------------------------------------------ engine contract
    def _get_state(self):
        state = {"E": {AXES[i]: self.fields.E[i] for i in range(3)},
                 "H": {AXES[i]: self.fields.H[i] for i in range(3)}}
        if self._slabs:
            state["cpml"] = {f"{AXES[s.axis]}{'+' if s.high else '-'}": dict(s.psi) for s in self._slabs}
        if self._poles:
            state["ade"] = {str(i): {"P": p["P"], "Pm": p["Pm"]} for i, p in enumerate(self._poles)}
        if self.tfsf:
            state["tfsf"] = {str(i): tf.get_state() for i, tf in enumerate(self.tfsf)}
        return state

    def _set_state(self, state):
        for i in range(3):
            np.copyto(self.fields.E[i], state["E"][AXES[i]])
            np.copyto(self.fields.H[i], state["H"][AXES[i]])
        for s in self._slabs:
            for k, v in state["cpml"][f"{AXES[s.axis]}{'+' if s.high else '-'}"].items():
                np.copyto(s.psi[k], v)
        for i, p in enumerate(self._poles):
            np.copyto(p["P"], state["ade"][str(i)]["P"])
            np.copyto(p["Pm"], state["ade"][str(i)]["Pm"])
        for i, tf in enumerate(self.tfsf):
            tf.set_state(state["tfsf"][str(i)])

    def _observe(self, include):
        out = {}
        for name in include:
            if name == "fields":
                out[name] = self.fields
            elif name == "energy":
                out[name] = self.electromagnetic_energy()
            elif name in ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz"):
                out[name] = self.fields[name]
            else:
                raise KeyError(f"FDTDSimulation cannot report {name!r}; available: fields, energy, Ex..Hz")
        return out

    def _guard_arrays(self):
        return self.fields.as_dict()

    def _parameters(self):
        return {"dt": self.dt, "grid": self.grid.parameters(),
                "boundaries": {f: type(b).__name__ for f, b in self.boundaries.items()}}

    # ------------------------------------------------------------------ running
    def checkpoint(self, path, reporters=()):
        """Write fields, auxiliary arrays and the accumulated data of the simulation's monitors (and of
        ``reporters``) to HDF5 atomically; :meth:`restore` on an identically built simulation continues
        bit-identically, running DFTs and flux sums included."""
        super().checkpoint(path, [*self.monitors, *reporters])

    def restore(self, path, reporters=()):
        """Load a checkpoint of an identically built simulation (same monitors, in the same order)."""
        return super().restore(path, [*self.monitors, *reporters])

    def run(self, steps=None, *, until=None, until_decayed=None, reporters=(), progress=True):
        """Advance the fields, feeding the simulation's monitors and ``reporters``.

        Parameters
        ----------
        steps : int, optional
            Number of steps.
        until : float, optional
            Simulated time to reach, s. With ``until_decayed`` it is the upper limit.
        until_decayed : FieldDecay or tuple, optional
            Stop early once the fields at a point have decayed (after all sources ended):
            a :class:`~electromagnetics.fdtd.monitors.FieldDecay` or a tuple
            ``(component, position[, decay_by])``. Without ``until``/``steps`` the run is limited
            to 1000 domain-crossing times.
        reporters : sequence
            Further engine reporters or monitors (monitors are bound and validated first).
        progress : bool
            tqdm progress bar.

        Returns
        -------
        self
        """
        self._update_polarization()
        extra = [self._bind_monitor(r) if isinstance(r, Monitor) else r for r in reporters]
        if until_decayed is not None:
            rule = until_decayed if isinstance(until_decayed, FieldDecay) else FieldDecay(*until_decayed)
            extra.append(self._bind_monitor(rule))
            if steps is None and until is None:
                diag = math.sqrt(sum(s**2 for s, a in zip(self.grid.size, self.grid.active) if a))
                until = self.time + 1000 * diag / C0
        return super().run(steps, until=until, reporters=[*self.monitors, *extra], progress=progress)

    @property
    def sources_end_time(self):
        """Time after which every source is negligible, s."""
        ends = [s.waveform.end_time for s in self.sources] + [tf.waveform.end_time for tf in self.tfsf]
        return max(ends, default=0.0)

    # ------------------------------------------------------------------ observables
    def electromagnetic_energy(self, region=None, polarization=True):
        """Energy ``1/2 sum (eps E^n.E^n + mu H^{n-1/2}.H^{n+1/2}) dV`` in J, plus the polarization energy.

        This is the quadratic form the Yee leapfrog conserves exactly in a lossless, source-free
        closed cavity (it needs ``H^{n+1/2}``, computed on a copy with the bulk update; inside
        CPML slabs it is only indicative). With dispersive media the energy stored in the ADE
        poles (:func:`~electromagnetics.fdtd.monitors.energy.polarization_energy`) is added, so a
        lossless Drude/Lorentz medium conserves the sum.

        Parameters
        ----------
        region : tuple of 3 slice, optional
            Node index box (default: all).
        polarization : bool
            Add the dispersive polarization energy (default True); False gives the field part only.

        Returns
        -------
        float
            J (J/m in 2D, J/m^2 in 1D).
        """
        self._update_polarization()  # H^{n+1/2} of hand-set fields needs their polarisation's kernel
        g = self.grid
        E, H = self.fields.E, self.fields.H
        Hn = [h.copy() for h in H]
        self._kh(Hn[0], Hn[1], Hn[2], E[0], E[1], E[2], self.da, self.db, *self._rd, *self._fhi)
        eps = self.materials.eps
        mu = self.materials.mu
        sl = region if region is not None else (slice(None),) * 3
        dv = float(np.prod([d for d, a in zip(g.spacing, g.active) if a]))
        w = 0.0
        for c in range(3):
            e = E[c][sl]
            ec = eps[c][0, 0, 0] if eps[c].size == 1 else eps[c][sl]
            mc = mu[c][0, 0, 0] if mu[c].size == 1 else mu[c][sl]
            w += EPS0 * float(np.sum(ec * np.real(e * np.conj(e))))
            w += MU0 * float(np.sum(mc * np.real(H[c][sl] * np.conj(Hn[c][sl]))))
        w = 0.5 * w * dv
        if polarization and self._poles:
            w += polarization_energy(self, region)
        return w

    def coords(self, component):
        """Node coordinates of ``component`` (3 arrays, m)."""
        return self.grid.coords(component)

    def __repr__(self):
        faces = ", ".join(f"{f}:{type(self.boundaries[f]).__name__}" for f in FACES
                          if self.grid.active["xyz".index(f[0])])
        return f"FDTDSimulation({self.grid!r}, {faces}, step={self.step_count})"
