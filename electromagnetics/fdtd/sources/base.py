"""Source = placement (where) x waveform (when); placements turn amplitudes into current densities."""

import numpy as np

from electromagnetics.fdtd.grid import AXES, component_axis
from electromagnetics.fdtd.sources.waveforms import Waveform
from mindscience.errors import InputError


class Placement:
    """Where a source acts. ``bind(grid, component)`` returns ``(index, scale)``: the node index
    (tuple of slices or ints) and the factor turning the source amplitude into a current density
    (A/m^2 for E components, V/m^2 for H components)."""

    def bind(self, grid, component):
        raise NotImplementedError


class PointDipole(Placement):
    """A point current element at the ``component`` node nearest to ``position``.

    The source amplitude is the current moment ``I l`` (A m; V m for magnetic components),
    spread over one cell: ``J = I l / (dx dy dz)``. In 1D/2D the unused axes' nominal spacing
    is the thickness (a 2D point dipole is a line current ``I = I l / dz``).

    Parameters
    ----------
    position : sequence of float
        m, inside the domain.
    """

    def __init__(self, position):
        self.position = position

    def bind(self, grid, component):
        idx = grid.nearest_index(component, self.position, name="PointDipole.position")
        return idx, 1.0 / float(np.prod(grid.spacing))


class PlaneCurrent(Placement):
    """A current sheet normal to ``axis`` (a plane in 3D, a line in 2D, a point in 1D).

    The amplitude is the surface current density K (A/m; V/m for magnetic components), put on the
    nearest layer of nodes as ``J = K / d_axis``.

    Parameters
    ----------
    axis : {'x', 'y', 'z'}
        Normal of the sheet.
    position : float
        Coordinate of the sheet along ``axis``, m.
    lo, hi : sequence of float, optional
        Corners limiting the sheet's extent, m (default: the whole domain).
    k : sequence of float, optional
        Bloch wavevector ``(k_x, k_y[, k_z])``, rad/m, of an oblique sheet: the current at node
        ``r`` carries the phase ``exp(i k . r)`` (its component along ``axis`` is ignored). With the
        same ``k`` in :class:`~electromagnetics.fdtd.boundaries.Bloch` boundaries on the sheet's
        axes this is Meep's planar source with a ``k_point``: it launches plane waves of fixed
        parallel wavevector, i.e. at ``sin(theta) = |k| c/(n 2 pi f)`` at frequency ``f``
        (:func:`~electromagnetics.fdtd.postprocess.incidence_angle`). Complex fields are needed (a
        nonzero Bloch ``k`` makes them complex).

    Examples
    --------
    >>> import math
    >>> from scipy.constants import c
    >>> f0, theta = 5e9, math.radians(40)
    >>> sheet = PlaneCurrent("y", 0.02, k=(2 * math.pi * f0 * math.sin(theta) / c, 0.0))
    """

    def __init__(self, axis, position, lo=None, hi=None, k=None):
        if axis not in AXES:
            raise InputError(f"PlaneCurrent.axis={axis!r} must be 'x', 'y' or 'z'")
        self.axis = AXES.index(axis)
        self.position = float(position)
        self.lo, self.hi = lo, hi
        self.k = None
        if k is not None:
            try:
                kk = np.asarray(k, dtype=float).ravel()
            except (TypeError, ValueError):
                raise InputError(f"PlaneCurrent.k={k!r} must be 2 or 3 numbers (rad/m)") from None
            if kk.size not in (2, 3) or not np.all(np.isfinite(kk)):
                raise InputError(f"PlaneCurrent.k={k!r} must be 2 or 3 finite numbers (rad/m)")
            k3 = np.zeros(3)
            k3[: kk.size] = kk
            k3[self.axis] = 0.0
            self.k = k3 if np.any(k3 != 0) else None

    def bind(self, grid, component):
        if not grid.active[self.axis]:
            raise InputError(f"PlaneCurrent.axis={AXES[self.axis]!r} is unused in a {grid.ndim}D grid")
        lo = list(self.lo) if self.lo is not None else [0.0] * grid.ndim
        hi = list(self.hi) if self.hi is not None else list(grid.size[: grid.ndim])
        lo = lo + [0.0] * (3 - len(lo))
        hi = hi + [0.0] * (3 - len(hi))
        lo[self.axis] = hi[self.axis] = self.position
        idx = grid.index_range(component, lo[: grid.ndim], hi[: grid.ndim], name="PlaneCurrent")
        scale = 1.0 / grid.spacing[self.axis]
        if self.k is None:
            return idx, scale
        for ax in range(3):
            if self.k[ax] != 0 and not grid.active[ax]:
                raise InputError(f"PlaneCurrent.k has a component along {AXES[ax]}, unused in a {grid.ndim}D grid")
        phase = 0.0
        for ax, x in enumerate(grid.coords(component)):
            shape = [1, 1, 1]
            shape[ax] = -1
            phase = phase + self.k[ax] * x[idx[ax]].reshape(shape)
        return idx, scale * np.exp(1j * phase)


class CurrentRegion(Placement):
    """A uniform current density over the nodes in a box; the amplitude is J itself (A/m^2).

    Parameters
    ----------
    lo, hi : sequence of float
        Box corners, m.
    """

    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi

    def bind(self, grid, component):
        return grid.index_range(component, self.lo, self.hi, name="CurrentRegion"), 1.0


class Source:
    """A soft current source: ``Source(placement, waveform, component, amplitude)``.

    In the E update ``E -= cb J`` with ``J = amplitude * scale * waveform(t)`` evaluated at the
    half step ``t = (n + 1/2) dt``; a magnetic component (``"Hx"``...) acts as a magnetic current
    in the H update at ``t = n dt``.

    Parameters
    ----------
    placement : Placement
        :class:`PointDipole`, :class:`PlaneCurrent` or :class:`CurrentRegion`.
    waveform : Waveform
        Time profile (:mod:`electromagnetics.fdtd.sources.waveforms`).
    component : str
        ``"Ex"`` ... ``"Hz"``.
    amplitude : float or complex
        Units set by the placement (A m for a point dipole, A/m for a sheet, A/m^2 for a region).

    Examples
    --------
    >>> from electromagnetics.fdtd import GaussianPulse
    >>> src = Source(PointDipole((0.05, 0.05)), GaussianPulse(width=1e-11), "Ez", amplitude=1e-3)
    """

    def __init__(self, placement, waveform, component="Ez", amplitude=1.0):
        if not isinstance(placement, Placement):
            raise InputError(f"Source.placement={placement!r} must be a PointDipole, PlaneCurrent or CurrentRegion")
        if not isinstance(waveform, Waveform):
            raise InputError(f"Source.waveform={waveform!r} must be a Waveform (GaussianPulse, Ricker, ...)")
        self.kind, self.axis = component_axis(component)
        self.placement = placement
        self.waveform = waveform
        self.component = component
        self.amplitude = amplitude
        self._index = None

    def bind(self, grid):
        """Resolve the placement on ``grid`` (raises InputError if outside the domain)."""
        self._index, self._scale = self.placement.bind(grid, self.component)
        return self

    def apply(self, fields, coef, t):
        """Add the source term to its field component (called by the simulation's update order)."""
        w = float(self.waveform(t))
        if w == 0 or self.amplitude == 0:
            return
        value = self.amplitude * self._scale * w
        arr = (fields.E if self.kind == "E" else fields.H)[self.axis]
        if np.iscomplexobj(value) and not np.iscomplexobj(arr):
            raise InputError(f"Source on {self.component}: a complex amplitude or a Bloch-phased PlaneCurrent(k=...) "
                             "needs complex fields; use Bloch(k) boundaries with k != 0 along the sheet")
        c = coef[self.axis]
        cf = c[0, 0, 0] if c.size == 1 else c[self._index]
        arr[self._index] -= cf * value
