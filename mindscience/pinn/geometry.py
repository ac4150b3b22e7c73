"""geometry.py: domains for physics-informed training, their point samplers and outward normals.

Every geometry is a closed set in ``R^dim`` that can

* test membership (:meth:`Geometry.contains`, :meth:`Geometry.on_boundary`),
* sample its interior (:meth:`Geometry.sample_interior`) and its boundary with unit outward
  normals (:meth:`Geometry.sample_boundary`), uniformly with respect to volume / surface measure,
  with pseudo-random, Latin-hypercube, Halton or Sobol points (:mod:`mindscience.pinn.sampling`).

Primitives (:class:`Interval`, :class:`Rectangle`, :class:`Box`, :class:`Disk`, :class:`Sphere`,
:class:`Triangle`) map unit-cube points onto themselves with measure-preserving maps, so
low-discrepancy sequences stay low-discrepancy in the domain. :class:`Polygon` and the CSG
combinations (``a | b``, ``a - b``, ``a & b``) sample by rejection from a proposal that is uniform on a
superset. :class:`SpaceTime` is the product of a spatial geometry with a :class:`TimeDomain`.

Coordinates are in the user's length unit (the unit of the PDE's coordinates); time in its time unit.
"""

import math

import numpy as np

from mindscience.errors import InputError
from mindscience.pinn.sampling import UnitCubeSampler, check_count, check_method, rejection_sample

__all__ = [
    "Geometry", "Interval", "Rectangle", "Box", "Disk", "Sphere", "Triangle", "Polygon", "PointCloud",
    "Union", "Difference", "Intersection", "TimeDomain", "SpaceTime",
]

_REL_TOL = 1e-9  # membership tolerance relative to the bounding-box diagonal (rounding of the maps)


# ---------------------------------------------------------------- validation helpers
def _vector(name, value, dim):
    arr = np.asarray(value, dtype=float)
    if arr.shape != (dim,):
        raise InputError(f"{name}={value!r} must be {dim} coordinates (shape ({dim},)), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}={value!r} must be finite")
    return arr


def _positive(name, value):
    value = float(value)
    if not (value > 0 and math.isfinite(value)):
        raise InputError(f"{name}={value!r} is out of range; allowed: (0, inf)")
    return value


def _select(u0, weights):
    """Split ``u0`` in [0, 1) into a piece index (chosen with probability ~ weight) and a fresh [0, 1) value."""
    w = np.asarray(weights, dtype=float)
    cum = np.cumsum(w) / w.sum()
    idx = np.minimum(np.searchsorted(cum, u0, side="right"), len(w) - 1)
    start = np.concatenate([[0.0], cum[:-1]])[idx]
    width = (w / w.sum())[idx]
    r = np.clip((u0 - start) / width, 0.0, np.nextafter(1.0, 0.0))
    return idx, r


class Geometry:
    """Base class: a closed domain in ``R^dim`` with samplers for its interior and boundary.

    A subclass follows these rules:

    1. Set ``self.dim`` and ``self.bbox = (lo, hi)`` (arrays of shape ``(dim,)``) in ``__init__``,
       after validating every parameter.
    2. Implement :meth:`_contains` ``(x, tol)``: membership of the closed set grown by ``tol``
       (shrunk when ``tol < 0``), so ``_contains(x, -tol)`` is "strictly inside".
    3. Implement :meth:`_boundary_proposal` ``(u) -> (x, normals, keep)`` mapping unit-cube points
       ``u`` of shape ``(m, boundary_param_dim)`` to boundary points, uniform in surface measure over a
       superset of the boundary whose measure is :attr:`_proposal_measure`; ``keep`` marks the true
       boundary points.
    4. Optionally override :meth:`_interior_proposal` ``(u) -> (x, keep)`` (default: uniform in the
       bounding box, kept when inside) with a measure-preserving map.
    """

    dim = 0
    has_boundary = True

    # -------------------------------------------------------------- public API
    @property
    def diameter(self):
        """Length of the bounding-box diagonal (sets the default membership tolerance)."""
        lo, hi = self.bbox
        return float(np.linalg.norm(hi - lo))

    def default_tol(self):
        """Membership tolerance used when ``tol=None``: ``1e-9`` times :attr:`diameter`."""
        return _REL_TOL * self.diameter

    def contains(self, x, tol=None):
        """Which points lie in the closed domain (within ``tol``).

        Parameters
        ----------
        x : array_like, shape (N, dim)
            Points.
        tol : float, optional
            Distance tolerance (default :meth:`default_tol`); negative values shrink the domain.

        Returns
        -------
        ndarray of bool, shape (N,)
        """
        x = self._points(x)
        return self._contains(x, self.default_tol() if tol is None else float(tol))

    def on_boundary(self, x, tol=None):
        """Which points lie on the boundary within ``tol`` (in the domain, not strictly inside).

        Parameters
        ----------
        x : array_like, shape (N, dim)
        tol : float, optional
            Distance tolerance (default ``1e3 *`` :meth:`default_tol`).

        Returns
        -------
        ndarray of bool, shape (N,)
        """
        x = self._points(x)
        tol = 1e3 * self.default_tol() if tol is None else float(tol)
        return self._contains(x, tol) & ~self._contains(x, -tol)

    def sample_interior(self, n, method="uniform", seed=None):
        """Sample ``n`` points uniformly (in volume) from the domain.

        Parameters
        ----------
        n : int
            Number of points (>= 1).
        method : {"uniform", "lhs", "halton", "sobol"}
            Point sequence (see :class:`~mindscience.pinn.sampling.UnitCubeSampler`).
        seed : int or numpy.random.Generator, optional
            Same seed, same points.

        Returns
        -------
        ndarray, shape (n, dim)

        Examples
        --------
        >>> Disk([0, 0], 1.0).sample_interior(100, "sobol", seed=1).shape
        (100, 2)
        """
        n = check_count("n", n)
        sampler = UnitCubeSampler(self.dim, check_method(method), seed)
        pts, _ = rejection_sample(self._interior_draw, n, sampler, what="interior points")
        return pts

    def sample_boundary(self, n, method="uniform", seed=None):
        """Sample ``n`` boundary points uniformly (in surface measure) with their outward unit normals.

        Parameters
        ----------
        n : int
            Number of points (>= 1).
        method : {"uniform", "lhs", "halton", "sobol"}
        seed : int or numpy.random.Generator, optional

        Returns
        -------
        points : ndarray, shape (n, dim)
        normals : ndarray, shape (n, dim)
            Outward unit normals (at edges and corners, the normal of the face the point was drawn on).

        Examples
        --------
        >>> x, nrm = Rectangle([0, 0], [1, 2]).sample_boundary(8, "halton", seed=0)
        >>> np.allclose(np.linalg.norm(nrm, axis=1), 1.0)
        True
        """
        n = check_count("n", n)
        if not self.has_boundary:
            raise InputError(f"{type(self).__name__} has no boundary to sample")
        sampler = UnitCubeSampler(self.boundary_param_dim, check_method(method), seed)

        def draw(u):
            x, nrm, keep = self._boundary_proposal(u)
            return np.concatenate([x, nrm], axis=1), None, keep

        both, _ = rejection_sample(draw, n, sampler, what="boundary points")
        return both[:, :self.dim], both[:, self.dim:]

    @property
    def boundary_param_dim(self):
        """Dimension of the unit cube that parametrises the boundary proposal."""
        return max(self.dim - 1, 1)

    # -------------------------------------------------------------- CSG operators
    def __or__(self, other):
        return Union(self, other)

    def __sub__(self, other):
        return Difference(self, other)

    def __and__(self, other):
        return Intersection(self, other)

    # -------------------------------------------------------------- subclass hooks
    def _contains(self, x, tol):
        raise NotImplementedError

    def _boundary_proposal(self, u):
        raise NotImplementedError

    @property
    def _proposal_measure(self):
        raise NotImplementedError

    def _interior_proposal(self, u):
        lo, hi = self.bbox
        x = lo + u * (hi - lo)
        return x, self._contains(x, self.default_tol())

    # -------------------------------------------------------------- helpers
    def _interior_draw(self, u):
        x, keep = self._interior_proposal(u)
        return x, None, keep

    def _points(self, x):
        x = np.asarray(x, dtype=float)
        if x.ndim == 1 and self.dim == 1:
            x = x[:, None]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise InputError(f"x has shape {x.shape}; a {type(self).__name__} needs points of shape (N, {self.dim})")
        return x


# ---------------------------------------------------------------- axis-aligned boxes
class _Cuboid(Geometry):
    """Axis-aligned box ``[lo_0, hi_0] x ... x [lo_{d-1}, hi_{d-1}]``."""

    def __init__(self, lo, hi, dim):
        self.dim = dim
        lo = _vector("lo", lo, dim)
        hi = _vector("hi", hi, dim)
        if not np.all(hi > lo):
            raise InputError(f"hi={hi.tolist()} must exceed lo={lo.tolist()} in every coordinate")
        self.lo, self.hi = lo, hi
        self.bbox = (lo, hi)
        side = hi - lo
        # faces: (axis, 0 = low side / 1 = high side), measure = product of the other sides
        self._faces = [(i, s) for i in range(dim) for s in (0, 1)]
        self._face_measure = np.array([np.prod(np.delete(side, i)) for i, _ in self._faces])

    @property
    def volume(self):
        """Length (1D), area (2D) or volume (3D) of the box."""
        return float(np.prod(self.hi - self.lo))

    @property
    def boundary_measure(self):
        """Number of end points (1D), perimeter (2D) or surface area (3D)."""
        return float(self._face_measure.sum())

    _proposal_measure = boundary_measure

    def _contains(self, x, tol):
        return np.all((x >= self.lo - tol) & (x <= self.hi + tol), axis=1)

    def _interior_proposal(self, u):
        return self.lo + u * (self.hi - self.lo), np.ones(len(u), dtype=bool)

    def _boundary_proposal(self, u):
        d = self.dim
        idx, r = _select(u[:, 0], self._face_measure)
        params = np.column_stack([r, u[:, 1:]])[:, : d - 1]
        x = np.empty((len(u), d))
        nrm = np.zeros((len(u), d))
        for k, (axis, side) in enumerate(self._faces):
            rows = idx == k
            others = [j for j in range(d) if j != axis]
            x[np.ix_(rows, others)] = self.lo[others] + params[rows] * (self.hi[others] - self.lo[others])
            x[rows, axis] = self.hi[axis] if side else self.lo[axis]
            nrm[rows, axis] = 1.0 if side else -1.0
        return x, nrm, np.ones(len(u), dtype=bool)


class Interval(_Cuboid):
    """The closed interval ``[lo, hi]``; its boundary is the two end points with normals -1 and +1.

    Parameters
    ----------
    lo, hi : float
        End points, ``lo < hi``.

    Examples
    --------
    >>> Interval(0.0, 2.0).sample_interior(3, "lhs", seed=0).shape
    (3, 1)
    """

    def __init__(self, lo, hi):
        super().__init__([lo], [hi], 1)


class Rectangle(_Cuboid):
    """Axis-aligned rectangle ``[lo_x, hi_x] x [lo_y, hi_y]``.

    Parameters
    ----------
    lo, hi : array_like, shape (2,)
        Lower-left and upper-right corners.

    Examples
    --------
    >>> Rectangle([0, 0], [1, 1]).volume
    1.0
    """

    def __init__(self, lo, hi):
        super().__init__(lo, hi, 2)


class Box(_Cuboid):
    """Axis-aligned box in 3D.

    Parameters
    ----------
    lo, hi : array_like, shape (3,)
        Opposite corners, ``lo < hi`` componentwise.

    Examples
    --------
    >>> Box([0, 0, 0], [1, 2, 3]).boundary_measure
    22.0
    """

    def __init__(self, lo, hi):
        super().__init__(lo, hi, 3)


# ---------------------------------------------------------------- balls
class Disk(Geometry):
    """Closed disk of radius ``radius`` around ``center`` (2D).

    Interior points use the equal-area map ``r = R sqrt(u0)``, ``theta = 2 pi u1``.

    Parameters
    ----------
    center : array_like, shape (2,)
    radius : float
        ``> 0``.

    Examples
    --------
    >>> x, nrm = Disk([0, 0], 2.0).sample_boundary(4, seed=0)
    >>> np.allclose(x, 2.0 * nrm)
    True
    """

    def __init__(self, center, radius):
        self.dim = 2
        self.center = _vector("center", center, 2)
        self.radius = _positive("radius", radius)
        self.bbox = (self.center - self.radius, self.center + self.radius)

    @property
    def volume(self):
        """Area ``pi R^2``."""
        return math.pi * self.radius**2

    @property
    def boundary_measure(self):
        """Circumference ``2 pi R``."""
        return 2 * math.pi * self.radius

    _proposal_measure = boundary_measure

    def _contains(self, x, tol):
        return np.linalg.norm(x - self.center, axis=1) <= self.radius + tol

    def _interior_proposal(self, u):
        r = self.radius * np.sqrt(u[:, 0])
        t = 2 * math.pi * u[:, 1]
        return self.center + r[:, None] * np.column_stack([np.cos(t), np.sin(t)]), np.ones(len(u), dtype=bool)

    def _boundary_proposal(self, u):
        t = 2 * math.pi * u[:, 0]
        nrm = np.column_stack([np.cos(t), np.sin(t)])
        return self.center + self.radius * nrm, nrm, np.ones(len(u), dtype=bool)


class Sphere(Geometry):
    """Closed ball of radius ``radius`` around ``center`` (3D); its boundary is the sphere.

    Interior: ``r = R u0^(1/3)`` with a uniform direction ``(cos(theta) = 1 - 2 u1, phi = 2 pi u2)``;
    both maps preserve volume / area, so low-discrepancy points stay well spread.

    Parameters
    ----------
    center : array_like, shape (3,)
    radius : float
        ``> 0``.

    Examples
    --------
    >>> Sphere([0, 0, 0], 1.0).sample_interior(5, "halton", seed=2).shape
    (5, 3)
    """

    def __init__(self, center, radius):
        self.dim = 3
        self.center = _vector("center", center, 3)
        self.radius = _positive("radius", radius)
        self.bbox = (self.center - self.radius, self.center + self.radius)

    @property
    def volume(self):
        """``4/3 pi R^3``."""
        return 4.0 / 3.0 * math.pi * self.radius**3

    @property
    def boundary_measure(self):
        """``4 pi R^2``."""
        return 4.0 * math.pi * self.radius**2

    _proposal_measure = boundary_measure

    def _contains(self, x, tol):
        return np.linalg.norm(x - self.center, axis=1) <= self.radius + tol

    @staticmethod
    def _directions(u0, u1):
        z = 1.0 - 2.0 * u0
        rho = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
        phi = 2 * math.pi * u1
        return np.column_stack([rho * np.cos(phi), rho * np.sin(phi), z])

    def _interior_proposal(self, u):
        r = self.radius * np.cbrt(u[:, 0])
        return self.center + r[:, None] * self._directions(u[:, 1], u[:, 2]), np.ones(len(u), dtype=bool)

    def _boundary_proposal(self, u):
        nrm = self._directions(u[:, 0], u[:, 1])
        return self.center + self.radius * nrm, nrm, np.ones(len(u), dtype=bool)


# ---------------------------------------------------------------- polygons
class Polygon(Geometry):
    """Simple (non-self-intersecting) polygon in 2D given by its vertices in either orientation.

    Parameters
    ----------
    vertices : array_like, shape (V, 2)
        ``V >= 3`` distinct vertices in order; the last connects back to the first.

    Examples
    --------
    >>> L = Polygon([[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]])
    >>> L.volume
    3.0
    """

    def __init__(self, vertices):
        v = np.asarray(vertices, dtype=float)
        if v.ndim != 2 or v.shape[1] != 2 or v.shape[0] < 3:
            raise InputError(f"vertices has shape {v.shape}; a polygon needs shape (V, 2) with V >= 3")
        if not np.all(np.isfinite(v)):
            raise InputError("vertices must be finite")
        _check_simple(v)
        area2 = _shoelace2(v)
        if abs(area2) <= 1e-12 * max(1.0, np.ptp(v, axis=0).max()) ** 2:
            raise InputError(f"vertices={v.tolist()} enclose zero area (collinear or repeated points)")
        if area2 < 0:
            v = v[::-1].copy()  # counter-clockwise, so that (dy, -dx) points outward
        self.dim = 2
        self.vertices = v
        self.bbox = (v.min(axis=0), v.max(axis=0))
        self._a = v
        self._b = np.roll(v, -1, axis=0)
        edge = self._b - self._a
        self._length = np.linalg.norm(edge, axis=1)
        if np.any(self._length == 0):
            raise InputError("vertices contains two consecutive equal points")
        self._normal = np.column_stack([edge[:, 1], -edge[:, 0]]) / self._length[:, None]

    @property
    def volume(self):
        """Area (shoelace formula)."""
        return 0.5 * _shoelace2(self.vertices)

    @property
    def boundary_measure(self):
        """Perimeter."""
        return float(self._length.sum())

    _proposal_measure = boundary_measure

    def _contains(self, x, tol):
        inside = _even_odd(x, self._a, self._b)
        dist = _segment_distance(x, self._a, self._b).min(axis=1)
        if tol >= 0:
            return inside | (dist <= tol)
        return inside & (dist > -tol)

    def _boundary_proposal(self, u):
        idx, r = _select(u[:, 0], self._length)
        a, b = self._a[idx], self._b[idx]
        return a + r[:, None] * (b - a), self._normal[idx].copy(), np.ones(len(u), dtype=bool)


class Triangle(Polygon):
    """Triangle with vertices ``a, b, c`` (any orientation).

    Interior points use the equal-area map ``x = (1 - sqrt(u0)) a + sqrt(u0) (1 - u1) b + sqrt(u0) u1 c``.

    Parameters
    ----------
    a, b, c : array_like, shape (2,)

    Examples
    --------
    >>> Triangle([0, 0], [1, 0], [0, 1]).volume
    0.5
    """

    def __init__(self, a, b, c):
        super().__init__([_vector("a", a, 2), _vector("b", b, 2), _vector("c", c, 2)])

    def _interior_proposal(self, u):
        s = np.sqrt(u[:, :1])
        a, b, c = self.vertices
        return (1 - s) * a + s * (1 - u[:, 1:2]) * b + s * u[:, 1:2] * c, np.ones(len(u), dtype=bool)


def _shoelace2(v):
    x, y = v[:, 0], v[:, 1]
    return float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def _even_odd(x, a, b):
    """Point-in-polygon by ray casting to +x (even-odd rule), vectorised over points and edges."""
    px, py = x[:, :1], x[:, 1:2]
    ay, by = a[None, :, 1], b[None, :, 1]
    crosses = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xint = a[None, :, 0] + (py - ay) * (b[None, :, 0] - a[None, :, 0]) / (by - ay)
    return (np.sum(crosses & (px < xint), axis=1) % 2) == 1


def _segment_distance(x, a, b):
    """Distance of each point to each segment ``[a_k, b_k]``, shape ``(N, E)``."""
    ab = b - a
    ap = x[:, None, :] - a[None, :, :]
    t = np.clip(np.sum(ap * ab[None], axis=2) / np.sum(ab * ab, axis=1)[None], 0.0, 1.0)
    return np.linalg.norm(ap - t[..., None] * ab[None], axis=2)


def _check_simple(v):
    """Raise if two non-adjacent edges of the closed polyline ``v`` intersect."""
    n = len(v)
    a, b = v, np.roll(v, -1, axis=0)

    def orient(p, q, r):
        pq, pr = q - p, r - p
        return np.sign(pq[..., 0] * pr[..., 1] - pq[..., 1] * pr[..., 0])

    i, j = np.triu_indices(n, k=2)
    keep = ~((i == 0) & (j == n - 1))  # first and last edges share a vertex
    i, j = i[keep], j[keep]
    if len(i) == 0:
        return
    o1 = orient(a[i], b[i], a[j])
    o2 = orient(a[i], b[i], b[j])
    o3 = orient(a[j], b[j], a[i])
    o4 = orient(a[j], b[j], b[i])
    hit = (o1 * o2 < 0) & (o3 * o4 < 0)
    if np.any(hit):
        k = int(np.argmax(hit))
        raise InputError(f"vertices describe a self-intersecting polygon (edges {i[k]} and {j[k]} cross)")


# ---------------------------------------------------------------- point clouds
class PointCloud(Geometry):
    """A finite set of points (e.g. measurement locations); it has no boundary.

    Sampling draws distinct points of the set without replacement.

    Parameters
    ----------
    points : array_like, shape (N, dim)

    Examples
    --------
    >>> PointCloud([[0.0, 0.0], [1.0, 1.0]]).sample_interior(2, seed=0).shape
    (2, 2)
    """

    has_boundary = False

    def __init__(self, points):
        p = np.asarray(points, dtype=float)
        if p.ndim != 2 or p.shape[0] < 1:
            raise InputError(f"points has shape {p.shape}; a point cloud needs shape (N, dim) with N >= 1")
        if not np.all(np.isfinite(p)):
            raise InputError("points must be finite")
        self.points = p
        self.dim = p.shape[1]
        self.bbox = (p.min(axis=0), p.max(axis=0))

    def default_tol(self):
        return _REL_TOL * max(self.diameter, 1.0)

    def _contains(self, x, tol):
        if tol < 0:
            return np.zeros(len(x), dtype=bool)
        from scipy.spatial import cKDTree

        dist, _ = cKDTree(self.points).query(x)
        return dist <= tol

    def sample_interior(self, n, method="uniform", seed=None):
        n = check_count("n", n)
        check_method(method)
        if n > len(self.points):
            raise InputError(f"n={n} is out of range; allowed: [1, {len(self.points)}] (points in the cloud)")
        idx = np.random.default_rng(seed).permutation(len(self.points))[:n]
        return self.points[idx]


# ---------------------------------------------------------------- constructive solid geometry
class _CSG(Geometry):
    def __init__(self, a, b):
        for name, g in (("a", a), ("b", b)):
            if not isinstance(g, Geometry):
                raise InputError(f"{name}={g!r} must be a Geometry")
            if not g.has_boundary:
                raise InputError(f"{name} is a {type(g).__name__}, which has no boundary; CSG needs solid domains")
        if a.dim != b.dim:
            raise InputError(f"cannot combine a {a.dim}D geometry with a {b.dim}D geometry")
        self.a, self.b = a, b
        self.dim = a.dim

    @property
    def boundary_param_dim(self):
        return max(self.a.boundary_param_dim, self.b.boundary_param_dim)

    @property
    def _proposal_measure(self):
        return self.a._proposal_measure + self.b._proposal_measure

    def _boundary_proposal(self, u):
        idx, r = _select(u[:, 0], [self.a._proposal_measure, self.b._proposal_measure])
        x = np.empty((len(u), self.dim))
        nrm = np.empty((len(u), self.dim))
        keep = np.empty(len(u), dtype=bool)
        tol = self.default_tol()
        for k, (g, other) in enumerate(((self.a, self.b), (self.b, self.a))):
            rows = idx == k
            uk = np.column_stack([r[rows], u[rows, 1:]])[:, : g.boundary_param_dim]
            xk, nk, kk = g._boundary_proposal(uk)
            keep_k, flip = self._keep_boundary(k, xk, other, tol)
            x[rows], nrm[rows] = xk, (-nk if flip else nk)
            keep[rows] = kk & keep_k
        return x, nrm, keep


class Union(_CSG):
    """Union ``a | b`` of two geometries of the same dimension.

    The boundary is the part of each boundary that is not strictly inside the other geometry.

    Examples
    --------
    >>> g = Rectangle([0, 0], [2, 1]) | Disk([2, 0.5], 0.5)
    >>> bool(g.contains([[2.4, 0.5]])[0])
    True
    """

    def __init__(self, a, b):
        super().__init__(a, b)
        self.bbox = (np.minimum(a.bbox[0], b.bbox[0]), np.maximum(a.bbox[1], b.bbox[1]))

    def _contains(self, x, tol):
        return self.a._contains(x, tol) | self.b._contains(x, tol)

    def _keep_boundary(self, k, x, other, tol):
        return ~other._contains(x, -tol), False


class Difference(_CSG):
    """Difference ``a - b``: the closure of the points of ``a`` not in ``b``.

    Its boundary is the boundary of ``a`` outside ``b`` plus the boundary of ``b`` inside ``a``, where the
    outward normal is the *inward* normal of ``b``.

    Examples
    --------
    >>> g = Rectangle([-1, -1], [1, 1]) - Disk([0, 0], 0.5)
    >>> bool(g.contains([[0.0, 0.0]])[0])
    False
    """

    def __init__(self, a, b):
        super().__init__(a, b)
        self.bbox = a.bbox

    def _contains(self, x, tol):
        return self.a._contains(x, tol) & ~self.b._contains(x, -tol)

    def _interior_proposal(self, u):
        x, keep = self.a._interior_proposal(u)
        return x, keep & ~self.b._contains(x, 0.0)

    def _keep_boundary(self, k, x, other, tol):
        if k == 0:
            return ~other._contains(x, -tol), False
        return other._contains(x, -tol), True


class Intersection(_CSG):
    """Intersection ``a & b`` of two geometries of the same dimension.

    Examples
    --------
    >>> g = Disk([0, 0], 1.0) & Rectangle([0, 0], [2, 2])   # a quarter disk
    >>> g.contains([[0.5, 0.5], [-0.5, 0.5]]).tolist()
    [True, False]
    """

    def __init__(self, a, b):
        super().__init__(a, b)
        lo = np.maximum(a.bbox[0], b.bbox[0])
        hi = np.minimum(a.bbox[1], b.bbox[1])
        if np.any(hi < lo):
            raise InputError("the intersection is empty: the bounding boxes of a and b do not overlap")
        self.bbox = (lo, hi)

    def _contains(self, x, tol):
        return self.a._contains(x, tol) & self.b._contains(x, tol)

    def _interior_proposal(self, u):
        x, keep = self.a._interior_proposal(u)
        return x, keep & self.b._contains(x, 0.0)

    def _keep_boundary(self, k, x, other, tol):
        return other._contains(x, tol), False


# ---------------------------------------------------------------- space-time
class TimeDomain(Interval):
    """Time interval ``[t0, t1]`` (in the PDE's time unit), for :class:`SpaceTime`.

    Examples
    --------
    >>> TimeDomain(0.0, 1.0).volume
    1.0
    """

    def __init__(self, t0, t1):
        super().__init__(t0, t1)
        self.t0, self.t1 = float(t0), float(t1)


class SpaceTime(Geometry):
    """Product ``geometry x [t0, t1]``; points carry time as their last coordinate.

    :meth:`sample_boundary` samples the *lateral* boundary ``boundary(geometry) x [t0, t1]`` (where boundary
    conditions hold; normals have a zero time component) and :meth:`sample_initial` the slice ``t = t0``.
    :meth:`on_boundary` likewise tests the lateral boundary.

    Parameters
    ----------
    geometry : Geometry
        Spatial domain.
    time : TimeDomain
        Time interval.

    Examples
    --------
    >>> st = SpaceTime(Interval(-1, 1), TimeDomain(0, 1))
    >>> st.sample_initial(4, seed=0)[:, 1]
    array([0., 0., 0., 0.])
    """

    def __init__(self, geometry, time):
        if not isinstance(geometry, Geometry) or isinstance(geometry, SpaceTime):
            raise InputError(f"geometry={geometry!r} must be a spatial Geometry")
        if not isinstance(time, Interval) or time.dim != 1:
            raise InputError(f"time={time!r} must be a TimeDomain")
        self.geometry, self.time = geometry, time
        self.has_boundary = geometry.has_boundary
        self.dim = geometry.dim + 1
        self.bbox = (np.append(geometry.bbox[0], time.lo), np.append(geometry.bbox[1], time.hi))

    @property
    def boundary_param_dim(self):
        return self.geometry.boundary_param_dim + 1

    def _contains(self, x, tol):
        return self.geometry._contains(x[:, :-1], tol) & self.time._contains(x[:, -1:], tol)

    def on_boundary(self, x, tol=None):
        x = self._points(x)
        tol = 1e3 * self.default_tol() if tol is None else float(tol)
        xs = x[:, :-1]
        lateral = self.geometry._contains(xs, tol) & ~self.geometry._contains(xs, -tol)
        return lateral & self.time._contains(x[:, -1:], tol)

    def _interior_proposal(self, u):
        xs, keep = self.geometry._interior_proposal(u[:, :-1])
        return np.column_stack([xs, self.time.lo[0] + u[:, -1] * (self.time.hi[0] - self.time.lo[0])]), keep

    def _boundary_proposal(self, u):
        xs, ns, keep = self.geometry._boundary_proposal(u[:, :-1])
        t = self.time.lo[0] + u[:, -1] * (self.time.hi[0] - self.time.lo[0])
        return np.column_stack([xs, t]), np.column_stack([ns, np.zeros(len(u))]), keep

    def sample_initial(self, n, method="uniform", seed=None):
        """Sample ``n`` points of the initial slice ``geometry x {t0}``, shape ``(n, dim)``."""
        xs = self.geometry.sample_interior(n, method, seed)
        return np.column_stack([xs, np.full(len(xs), self.time.lo[0])])
