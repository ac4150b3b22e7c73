"""Uniform Yee grid in 1D, 2D or 3D: geometry of the staggered components and the Courant check."""

import math

import numpy as np
from scipy.constants import c as C0

from mindscience.errors import InputError, check_range

COMPONENTS = ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz")
AXES = "xyz"


def component_axis(component):
    """Return ``(kind, axis)`` of a component name, e.g. ``"Hy" -> ("H", 1)``."""
    if component not in COMPONENTS:
        raise InputError(f"component={component!r} is not a field component; allowed: {', '.join(COMPONENTS)}")
    return component[0], AXES.index(component[1])


class Grid:
    """A uniform Yee grid; 1D and 2D grids are 3D grids with one cell along the unused axes.

    The domain spans ``[0, n_x dx] x [0, n_y dy] x [0, n_z dz]`` (metres). Components are staggered
    as in :mod:`electromagnetics.fdtd._kernels`: ``Ex`` at ``((i+1/2)dx, j dy, k dz)``, ``Hz`` at
    ``((i+1/2)dx, (j+1/2)dy, k dz)`` and so on; along an unused axis every component sits at 0.
    A 1D grid runs along x (plane waves with fields Ey/Hz or Ez/Hy); a 2D grid lies in the
    xy-plane and carries both polarizations, TM (Ez, Hx, Hy) and TE (Hz, Ex, Ey), which decouple
    exactly: the sources select which one is excited.

    Parameters
    ----------
    shape : tuple of int
        Cells per axis, 1 to 3 entries (``(nx,)``, ``(nx, ny)`` or ``(nx, ny, nz)``), each >= 1.
    spacing : float or tuple of float
        Cell size per active axis, m. An unused axis gets the first spacing (it sets the nominal
        thickness that turns a point dipole moment into a current density in 1D/2D).
    courant : float, optional
        ``c dt / min(spacing)``. Stable up to ``1/(min(d) sqrt(sum 1/d_i^2))``, i.e.
        ``1/sqrt(D)`` for equal spacings in D dimensions; default 0.99 of that limit.
    dtype : {numpy.float64, numpy.float32}
        Precision of fields and coefficients.

    Examples
    --------
    >>> g = Grid((200, 100), spacing=1e-3)
    >>> g.ndim, g.shape, round(g.courant_limit, 4)
    (2, (200, 100, 1), 0.7071)
    """

    def __init__(self, shape, spacing, courant=None, dtype=np.float64):
        shape = tuple(shape) if np.iterable(shape) else (shape,)
        if not 1 <= len(shape) <= 3:
            raise InputError(f"shape={shape!r} must have 1, 2 or 3 entries (cells along x, y, z)")
        for ax, n in zip(AXES, shape):
            if int(n) != n or n < 1:
                raise InputError(f"shape[{ax}]={n!r} must be an integer >= 1 (cells)")
        self.ndim = len(shape)
        sp = tuple(spacing) if np.iterable(spacing) else (spacing,) * self.ndim
        if len(sp) != self.ndim:
            raise InputError(f"spacing={spacing!r} must be one number or {self.ndim} numbers (one per axis)")
        for ax, d in zip(AXES, sp):
            check_range(f"spacing[{ax}]", float(d), 0.0, None, low_open=True)
            if not math.isfinite(d):
                raise InputError(f"spacing[{ax}]={d!r} must be finite (m)")
        self.shape = tuple(int(n) for n in shape) + (1,) * (3 - self.ndim)
        self.spacing = tuple(float(d) for d in sp) + (float(sp[0]),) * (3 - self.ndim)
        self.active = tuple(i < self.ndim for i in range(3))
        inv = math.sqrt(sum(1.0 / d**2 for d, a in zip(self.spacing, self.active) if a))
        dmin = min(self.spacing[: self.ndim])
        self.courant_limit = 1.0 / (dmin * inv)
        if courant is None:
            courant = 0.99 * self.courant_limit
        courant = float(courant)
        if not courant > 0 or courant > self.courant_limit * (1 + 1e-12):
            raise InputError(
                f"courant={courant!r} is out of range; a {self.ndim}D Yee grid is stable only for "
                f"0 < courant <= {self.courant_limit:.6g} (= 1/sqrt({self.ndim}) for equal spacings)")
        self.courant = courant
        self.dt = courant * dmin / C0
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise InputError(f"dtype={dtype} is not supported; allowed: float64, float32")
        self.dtype = dtype

    # ------------------------------------------------------------------ geometry
    @property
    def ncells(self):
        """Total number of cells."""
        return int(np.prod(self.shape))

    @property
    def size(self):
        """Domain size per axis, m (unused axes: the nominal thickness)."""
        return tuple(n * d for n, d in zip(self.shape, self.spacing))

    def offsets(self, component):
        """Staggering offsets of a component in units of the spacing, per axis (0 or 0.5)."""
        kind, axis = component_axis(component)
        off = [0.0, 0.0, 0.0]
        for ax in range(3):
            half = (ax == axis) if kind == "E" else (ax != axis)
            off[ax] = 0.5 if (half and self.active[ax]) else 0.0
        return tuple(off)

    def coords(self, component):
        """Node coordinates of a component along each axis.

        Returns
        -------
        tuple of 3 ndarray
            Shapes ``(nx,), (ny,), (nz,)``, m.
        """
        off = self.offsets(component)
        return tuple((np.arange(n) + o) * d for n, o, d in zip(self.shape, off, self.spacing))

    def check_point(self, name, point):
        """Validate a point ``(x[, y[, z]])`` (m) inside the domain; return it as 3 floats."""
        p = np.atleast_1d(np.asarray(point, dtype=float))
        if p.shape != (self.ndim,) and p.shape != (3,):
            raise InputError(f"{name}={tuple(p)!r} must have {self.ndim} coordinates (m)")
        p3 = [float(v) for v in p[: self.ndim]] + [0.0] * (3 - self.ndim)
        for ax in range(self.ndim):
            hi = self.size[ax]
            if not 0.0 <= p3[ax] <= hi or not math.isfinite(p3[ax]):
                raise InputError(f"{name}[{AXES[ax]}]={p3[ax]!r} is outside the domain; allowed: [0, {hi:g}] m")
        return tuple(p3)

    def nearest_index(self, component, point, name="position"):
        """Index ``(i, j, k)`` of the ``component`` node nearest to ``point`` (m), checked inside the domain."""
        p = self.check_point(name, point)
        idx = []
        for ax in range(3):
            if not self.active[ax]:
                idx.append(0)
                continue
            o = self.offsets(component)[ax]
            i = int(round(p[ax] / self.spacing[ax] - o))
            idx.append(min(max(i, 0), self.shape[ax] - 1))
        return tuple(idx)

    def index_range(self, component, lo, hi, name="region"):
        """Slices of ``component`` nodes with ``lo <= x <= hi`` per axis (at least the nearest node).

        Parameters
        ----------
        lo, hi : sequence of float
            Corners of the region, m (checked inside the domain).

        Returns
        -------
        tuple of 3 slice
        """
        lo = self.check_point(f"{name} lower corner", lo)
        hi = self.check_point(f"{name} upper corner", hi)
        out = []
        for ax in range(3):
            if not self.active[ax]:
                out.append(slice(0, 1))
                continue
            if hi[ax] < lo[ax]:
                raise InputError(f"{name}: upper corner {AXES[ax]}={hi[ax]:g} is below the lower corner {lo[ax]:g}")
            o = self.offsets(component)[ax]
            d = self.spacing[ax]
            a = math.ceil(lo[ax] / d - o - 1e-9)
            b = math.floor(hi[ax] / d - o + 1e-9)
            if b < a:  # zero-thickness region: the nearest node
                a = b = int(round(0.5 * (lo[ax] + hi[ax]) / d - o))
            a = min(max(a, 0), self.shape[ax] - 1)
            b = min(max(b, a), self.shape[ax] - 1)
            out.append(slice(a, b + 1))
        return tuple(out)

    def parameters(self):
        """Plain-data description (stored as provenance in result files)."""
        return {"shape": list(self.shape[: self.ndim]), "spacing_m": list(self.spacing[: self.ndim]),
                "courant": self.courant, "dt_s": self.dt, "dtype": str(self.dtype)}

    def __repr__(self):
        return (f"Grid(shape={self.shape[: self.ndim]}, spacing={self.spacing[: self.ndim]}, "
                f"courant={self.courant:.4g}, dtype={self.dtype})")
