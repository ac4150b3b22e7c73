"""conditions.py: boundary, initial, periodic and data conditions of a PINN, and the hard-constraint ansatz.

A condition is a thin object with two methods:

``sample(seed) -> batch``
    A dict of arrays (points, normals, target values) drawn once per (re)sampling.
``residual(u, batch) -> array (N, k)``
    The pointwise residual given ``u(x) -> (N, n_unknowns)``; the loss term is ``mean(residual**2)``.

Targets ``value`` may be numbers, callables ``g(x) -> (N,)`` (evaluated once at sampling, in numpy)
or arrays for fixed points. Components are chosen by index or by the unknown's name.
"""

import numpy as np

import autodiff as ad
import autodiff.numpy as anp
from mindscience.errors import InputError
from mindscience.pinn.geometry import Geometry, SpaceTime, _Cuboid
from mindscience.pinn.sampling import check_count, check_method

__all__ = ["DirichletBC", "NeumannBC", "RobinBC", "PeriodicBC", "InitialCondition", "PointData",
           "HardDirichlet", "box_distance", "disk_distance"]


def _target(value, x, name):
    if callable(value):
        v = np.asarray(value(x), dtype=float)
        if v.ndim == 0:
            v = np.full(len(x), float(v))
    else:
        v = np.broadcast_to(np.asarray(value, dtype=float), (len(x),))
    if v.shape != (len(x),):
        raise InputError(f"{name} gave shape {v.shape}; expected ({len(x)},) (one value per point)")
    return v


def _component(component):
    if isinstance(component, (int, np.integer)):
        if component < 0:
            raise InputError(f"component={component!r} must be >= 0")
        return int(component)
    if isinstance(component, str):
        return component
    raise InputError(f"component={component!r} must be an output index or an unknown's name")


class Condition:
    """Base of all conditions: a name, a weight, a point count and the sampling method.

    Parameters
    ----------
    n : int
        Number of points per sample.
    weight : float
        Fixed weight of the loss term (``>= 0``).
    method : str
        Sampling method (``"uniform"``, ``"lhs"``, ``"halton"``, ``"sobol"``).
    name : str, optional
        Loss-term name (default: the class name in lower case plus a counter from the Problem).
    """

    kind = "condition"

    def __init__(self, n, weight=1.0, method="uniform", name=None):
        self.n = check_count("n", n)
        self.weight = float(weight)
        if not self.weight >= 0:
            raise InputError(f"weight={weight!r} is out of range; allowed: [0, inf)")
        self.method = check_method(method)
        self.name = name
        self.index = None  # output column, resolved by Problem.bind

    def bind(self, unknown_names):
        """Resolve the component name to an output column (called by :class:`~mindscience.pinn.problem.Problem`)."""
        c = self.component
        if isinstance(c, str):
            if c not in unknown_names:
                raise InputError(f"condition {self.name!r}: component {c!r} is not an unknown; known: {unknown_names}")
            c = unknown_names.index(c)
        if c >= len(unknown_names):
            raise InputError(f"condition {self.name!r}: component={c} is out of range; allowed: "
                             f"[0, {len(unknown_names) - 1}]")
        self.index = c


class _BoundaryCondition(Condition):
    def __init__(self, geometry, n, component=0, weight=1.0, method="uniform", name=None):
        super().__init__(n, weight, method, name)
        if not isinstance(geometry, Geometry):
            raise InputError(f"geometry={geometry!r} must be a Geometry")
        if not geometry.has_boundary:
            raise InputError(f"geometry is a {type(geometry).__name__}, which has no boundary; a "
                             f"{type(self).__name__} needs a geometry with a boundary")
        self.geometry = geometry
        self.component = _component(component)

    def _sample_points(self, seed):
        return self.geometry.sample_boundary(self.n, self.method, seed)


class DirichletBC(_BoundaryCondition):
    """``u_c(x) = g(x)`` on the boundary.

    Parameters
    ----------
    geometry : Geometry
        Its boundary is sampled (use a CSG piece or a sub-geometry to restrict it).
    value : float, array or callable
        ``g``; a callable takes points ``(N, dim)`` and returns ``(N,)``.
    n : int
        Points per sample.
    component : int or str
        Output column or unknown name.
    weight, method, name
        See :class:`Condition`.
    where : callable, optional
        ``where(x) -> bool (N,)`` keeps only part of the boundary (e.g. ``lambda x: x[:, 0] == 0``).

    Examples
    --------
    >>> from mindscience.pinn.geometry import Rectangle
    >>> bc = DirichletBC(Rectangle([0, 0], [1, 1]), 0.0, n=64)
    """

    kind = "dirichlet"

    def __init__(self, geometry, value, n=256, component=0, weight=1.0, method="uniform", name=None, where=None):
        super().__init__(geometry, n, component, weight, method, name)
        self.value = value
        self.where = where

    def sample(self, seed=None):
        x, nrm = self._sample_points(seed)
        if self.where is not None:
            keep = np.asarray(self.where(x), dtype=bool)
            if not keep.any():
                raise InputError(f"condition {self.name!r}: where() selects none of the {len(x)} boundary points")
            x, nrm = x[keep], nrm[keep]
        return {"x": x, "normal": nrm, "g": _target(self.value, x, f"value of {self.name!r}")}

    def residual(self, u, batch):
        return u(batch["x"])[:, self.index] - batch["g"]


def normal_derivative(u, x, normals, index):
    """``grad(u_index) . n`` at the points: one forward-mode pass with the normals as tangent."""
    return ad.jvp(u, (x,), (normals,))[1][:, index]


class NeumannBC(DirichletBC):
    """``du_c/dn (x) = g(x)`` on the boundary (``n`` the outward unit normal).

    Parameters are those of :class:`DirichletBC`; ``value`` is the prescribed flux ``g``.
    """

    kind = "neumann"

    def residual(self, u, batch):
        return normal_derivative(u, batch["x"], batch["normal"], self.index) - batch["g"]


class RobinBC(DirichletBC):
    """``a u_c + b du_c/dn = g`` on the boundary.

    Parameters
    ----------
    geometry, value, n, component, weight, method, name, where
        As :class:`DirichletBC`.
    a, b : float
        Coefficients (not both zero).
    """

    kind = "robin"

    def __init__(self, geometry, value, a, b, n=256, component=0, weight=1.0, method="uniform", name=None,
                 where=None):
        super().__init__(geometry, value, n, component, weight, method, name, where)
        self.a, self.b = float(a), float(b)
        if self.a == 0 and self.b == 0:
            raise InputError("a=0 and b=0: a Robin condition needs a non-zero coefficient")

    def residual(self, u, batch):
        x = batch["x"]
        val, dn = ad.jvp(u, (x,), (batch["normal"],))
        return self.a * val[:, self.index] + self.b * dn[:, self.index] - batch["g"]


class PeriodicBC(Condition):
    """``d^k u_c / dx_axis^k`` equal on the two faces ``x_axis = lo`` and ``x_axis = hi`` of a box-shaped domain.

    Parameters
    ----------
    geometry : Interval, Rectangle, Box or SpaceTime of one of them
    axis : int
        The periodic coordinate.
    n : int
        Point pairs per sample.
    derivative_order : int
        0 (values) or 1 (first derivatives along ``axis``); use two conditions for both.
    component, weight, method, name
        See :class:`Condition`.
    """

    kind = "periodic"

    def __init__(self, geometry, axis, n=128, derivative_order=0, component=0, weight=1.0, method="uniform",
                 name=None):
        super().__init__(n, weight, method, name)
        base = geometry.geometry if isinstance(geometry, SpaceTime) else geometry
        if not isinstance(base, _Cuboid):
            raise InputError(f"geometry is a {type(base).__name__}; PeriodicBC needs an Interval, Rectangle or Box")
        if not 0 <= int(axis) < base.dim:
            raise InputError(f"axis={axis!r} is out of range; allowed: [0, {base.dim - 1}]")
        if derivative_order not in (0, 1):
            raise InputError(f"derivative_order={derivative_order!r} is out of range; allowed: 0 or 1")
        self.geometry, self.axis, self.order = geometry, int(axis), int(derivative_order)
        self.lo, self.hi = float(base.lo[self.axis]), float(base.hi[self.axis])
        self.component = _component(component)

    def sample(self, seed=None):
        x = self.geometry.sample_interior(self.n, self.method, seed)
        lo, hi = x.copy(), x.copy()
        lo[:, self.axis], hi[:, self.axis] = self.lo, self.hi
        return {"lo": lo, "hi": hi}

    def _value(self, u, x):
        if self.order == 0:
            return u(x)[:, self.index]
        e = np.zeros_like(x)
        e[:, self.axis] = 1.0
        return ad.jvp(u, (x,), (e,))[1][:, self.index]

    def residual(self, u, batch):
        return self._value(u, batch["lo"]) - self._value(u, batch["hi"])


class InitialCondition(Condition):
    """``u_c(x, t0) = g(x)`` (or ``du_c/dt (x, t0) = g(x)`` with ``derivative_order=1``) on a SpaceTime domain.

    Parameters
    ----------
    geometry : SpaceTime
    value : float or callable
        ``g``; a callable receives the space-time points ``(N, dim + 1)`` (time last).
    n, component, weight, method, name
        See :class:`Condition`.
    derivative_order : int
        0 or 1.
    """

    kind = "initial"

    def __init__(self, geometry, value, n=256, component=0, weight=1.0, method="uniform", name=None,
                 derivative_order=0):
        super().__init__(n, weight, method, name)
        if not isinstance(geometry, SpaceTime):
            raise InputError(f"geometry is a {type(geometry).__name__}; an InitialCondition needs a SpaceTime")
        if derivative_order not in (0, 1):
            raise InputError(f"derivative_order={derivative_order!r} is out of range; allowed: 0 or 1")
        self.geometry, self.value, self.order = geometry, value, int(derivative_order)
        self.component = _component(component)

    def sample(self, seed=None):
        x = self.geometry.sample_initial(self.n, self.method, seed)
        return {"x": x, "g": _target(self.value, x, f"value of {self.name!r}")}

    def residual(self, u, batch):
        x = batch["x"]
        if self.order == 0:
            return u(x)[:, self.index] - batch["g"]
        e = np.zeros_like(x)
        e[:, -1] = 1.0
        return ad.jvp(u, (x,), (e,))[1][:, self.index] - batch["g"]


class PointData(Condition):
    """Observations ``u_c(x_i) = y_i`` at fixed points (data term; identifies coefficients in inverse problems).

    Parameters
    ----------
    points : array_like, shape (N, dim)
    values : array_like, shape (N,) or (N, k)
        Observed values of the ``k`` components listed in ``component``.
    component : int, str or sequence of them
    weight, name
        See :class:`Condition`.

    Examples
    --------
    >>> data = PointData(np.zeros((3, 2)), np.ones(3))
    """

    kind = "data"

    def __init__(self, points, values, component=0, weight=1.0, name=None):
        points = np.asarray(points, dtype=float)
        values = np.asarray(values, dtype=float)
        if points.ndim != 2:
            raise InputError(f"points has shape {points.shape}; expected (N, dim)")
        super().__init__(len(points), weight, "uniform", name)
        comps = component if isinstance(component, (list, tuple)) else [component]
        self.components = [_component(c) for c in comps]
        if values.ndim == 1:
            values = values[:, None]
        if values.shape != (len(points), len(self.components)):
            raise InputError(f"values has shape {values.shape}; expected ({len(points)}, {len(self.components)})")
        if not (np.all(np.isfinite(points)) and np.all(np.isfinite(values))):
            raise InputError("points and values must be finite")
        self.points, self.values = points, values
        self.component = self.components[0]

    def bind(self, unknown_names):
        idx = []
        for c in self.components:
            self.component = c
            super().bind(unknown_names)
            idx.append(self.index)
        self.indices = idx

    def sample(self, seed=None):
        return {"x": self.points, "y": self.values}

    def residual(self, u, batch):
        out = u(batch["x"])
        return anp.stack([out[:, i] for i in self.indices], axis=1) - batch["y"]


# ---------------------------------------------------------------- hard constraints
def box_distance(geometry):
    """A smooth function vanishing on the boundary of a box: ``prod_i (x_i - lo_i)(hi_i - x_i) / ((hi_i - lo_i)/2)^2``.

    Returns ``D(x) -> (N,)``, positive inside, written with ``autodiff.numpy``.
    """
    if not isinstance(geometry, _Cuboid):
        raise InputError(f"geometry is a {type(geometry).__name__}; box_distance needs an Interval, Rectangle or Box")
    lo, hi = geometry.lo, geometry.hi
    half2 = ((hi - lo) / 2) ** 2

    def D(x):
        out = None
        for i in range(len(lo)):
            f = (x[:, i] - lo[i]) * (hi[i] - x[:, i]) / half2[i]
            out = f if out is None else out * f
        return out

    return D


def disk_distance(geometry):
    """``D(x) = 1 - |x - c|^2 / R^2`` for a :class:`~mindscience.pinn.geometry.Disk` or Sphere."""
    c, R = geometry.center, geometry.radius

    def D(x):
        d = x - c
        return 1.0 - anp.sum(d * d, axis=1) / R**2

    return D


class HardDirichlet:
    """Hard-constraint ansatz ``u(x) = g(x) + D(x) N(x)``: Dirichlet data hold exactly (Lagaris et al. 1998).

    Parameters
    ----------
    distance : callable or Geometry
        ``D(x) -> (N,)``, zero on the Dirichlet boundary and positive inside; a Rectangle/Box/Interval or
        Disk/Sphere builds :func:`box_distance` / :func:`disk_distance`.
    value : float or callable
        ``g(x) -> (N,)`` extending the boundary data inside, written with ``autodiff.numpy``.
    component : int
        The output column the ansatz applies to (the others pass through).

    Examples
    --------
    >>> from mindscience.pinn.geometry import Rectangle
    >>> hard = HardDirichlet(Rectangle([0, 0], [1, 1]), 0.0)
    """

    def __init__(self, distance, value=0.0, component=0):
        if isinstance(distance, Geometry):
            from mindscience.pinn.geometry import Disk, Sphere

            distance = disk_distance(distance) if isinstance(distance, (Disk, Sphere)) else box_distance(distance)
        if not callable(distance):
            raise InputError(f"distance={distance!r} must be callable or a Geometry")
        self.distance, self.value, self.component = distance, value, int(component)

    def __call__(self, x, raw):
        g = self.value(x) if callable(self.value) else self.value
        col = g + self.distance(x) * raw[:, self.component]
        cols = [col if j == self.component else raw[:, j] for j in range(raw.shape[1])]
        return anp.stack(cols, axis=1) if len(cols) > 1 else col[:, None]
