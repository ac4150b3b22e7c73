"""Geometry: shapes filled with materials, rasterized onto the Yee grid with volume-fraction averaging.

Objects are painted in order, later ones over earlier ones. At each E node the relative
permittivity, conductivity and pole weights are the volume-fraction average over the node's dual
cell (``[p - d/2, p + d/2]`` per axis), and likewise mu and the magnetic conductivity at each H
node. Cells cut by an interface are found from their corners and subsampled (``subsamples`` points
per axis), so smooth objects are not staircased and resonances converge with resolution.
Features thinner than a cell that miss every corner are not seen.
"""

import dataclasses

import numpy as np

from electromagnetics.fdtd.grid import AXES, Grid
from electromagnetics.fdtd.materials import VACUUM, Material
from mindscience.errors import InputError, check_range


def _vec3(name, v):
    a = np.atleast_1d(np.asarray(v, dtype=float))
    if a.ndim != 1 or not 1 <= a.size <= 3 or not np.all(np.isfinite(a)):
        raise InputError(f"{name}={v!r} must be 1 to 3 finite coordinates (m)")
    return np.concatenate([a, np.zeros(3 - a.size)])


def _axis(name, axis):
    if axis not in (0, 1, 2, "x", "y", "z"):
        raise InputError(f"{name}={axis!r} must be one of 'x', 'y', 'z'")
    return AXES.index(axis) if isinstance(axis, str) else int(axis)


def _check_material(material):
    if not isinstance(material, Material):
        raise InputError(f"material={material!r} must be an electromagnetics.fdtd.Material")
    return material


class Shape:
    """Base class: a region of space filled with a material.

    Subclasses implement ``contains(x, y, z) -> bool array`` (broadcasting coordinate arrays, m)
    and may give ``bounds() -> (lo, hi)`` (3-vectors, m) to limit the rasterization.
    """

    material: Material

    def contains(self, x, y, z):
        raise NotImplementedError

    def bounds(self):
        return None


@dataclasses.dataclass
class Box(Shape):
    """Axis-aligned box.

    Parameters
    ----------
    center, size : sequence of float
        Centre and edge lengths, m (1 to 3 entries; a missing centre coordinate is 0, a missing
        size is infinite; use :class:`Slab` for layers).
    material : Material

    Examples
    --------
    >>> from electromagnetics.fdtd import Material
    >>> b = Box(center=(0.5, 0.5), size=(0.2, 0.4), material=Material(eps=4.0))
    >>> bool(b.contains(0.5, 0.6, 0.0))
    True
    """

    center: tuple
    size: tuple
    material: Material

    def __post_init__(self):
        self.center = _vec3("Box.center", self.center)
        s = np.atleast_1d(np.asarray(self.size, dtype=float))
        self.size = np.concatenate([s, np.full(3 - s.size, np.inf)])
        if np.any(self.size < 0):
            raise InputError(f"Box.size={tuple(self.size)} must be >= 0 (m)")
        _check_material(self.material)

    def contains(self, x, y, z):
        lo, hi = self.bounds()
        return ((x >= lo[0]) & (x <= hi[0]) & (y >= lo[1]) & (y <= hi[1]) & (z >= lo[2]) & (z <= hi[2]))

    def bounds(self):
        return self.center - self.size / 2, self.center + self.size / 2


@dataclasses.dataclass
class Slab(Shape):
    """Layer ``lo <= coordinate <= hi`` along ``axis``, infinite in the other directions.

    Parameters
    ----------
    axis : {'x', 'y', 'z'}
    lo, hi : float
        Faces of the layer, m.
    material : Material
    """

    axis: object
    lo: float
    hi: float
    material: Material

    def __post_init__(self):
        self.axis = _axis("Slab.axis", self.axis)
        if not self.hi >= self.lo:
            raise InputError(f"Slab: hi={self.hi!r} must be >= lo={self.lo!r} (m)")
        _check_material(self.material)

    def contains(self, x, y, z):
        c = (x, y, z)[self.axis]
        return (c >= self.lo) & (c <= self.hi) & np.ones(np.broadcast_shapes(np.shape(x), np.shape(y),
                                                                             np.shape(z)), bool)

    def bounds(self):
        lo, hi = np.full(3, -np.inf), np.full(3, np.inf)
        lo[self.axis], hi[self.axis] = self.lo, self.hi
        return lo, hi


@dataclasses.dataclass
class Sphere(Shape):
    """Sphere (a disc in 2D, where the grid lies in the plane z = 0).

    Parameters
    ----------
    center : sequence of float
        m.
    radius : float
        m, > 0.
    material : Material
    """

    center: tuple
    radius: float
    material: Material

    def __post_init__(self):
        self.center = _vec3("Sphere.center", self.center)
        check_range("Sphere.radius", float(self.radius), 0, None, low_open=True)
        _check_material(self.material)

    def contains(self, x, y, z):
        c = self.center
        return (x - c[0]) ** 2 + (y - c[1]) ** 2 + (z - c[2]) ** 2 <= self.radius**2

    def bounds(self):
        return self.center - self.radius, self.center + self.radius


@dataclasses.dataclass
class Cylinder(Shape):
    """Circular cylinder with its axis along ``axis``.

    Parameters
    ----------
    center : sequence of float
        Centre of the cylinder, m.
    radius, height : float
        m; ``height=inf`` for an infinite rod (2D discs: any height containing z = 0).
    material : Material
    axis : {'x', 'y', 'z'}
    """

    center: tuple
    radius: float
    height: float
    material: Material
    axis: object = "z"

    def __post_init__(self):
        self.center = _vec3("Cylinder.center", self.center)
        self.axis = _axis("Cylinder.axis", self.axis)
        check_range("Cylinder.radius", float(self.radius), 0, None, low_open=True)
        check_range("Cylinder.height", float(self.height), 0, None, low_open=True)
        _check_material(self.material)

    def contains(self, x, y, z):
        p = (x - self.center[0], y - self.center[1], z - self.center[2])
        a = self.axis
        u, v = p[(a + 1) % 3], p[(a + 2) % 3]
        return (u**2 + v**2 <= self.radius**2) & (np.abs(p[a]) <= self.height / 2)

    def bounds(self):
        half = np.full(3, self.radius)
        half[self.axis] = self.height / 2
        return self.center - half, self.center + half


@dataclasses.dataclass
class PolygonPrism(Shape):
    """A 2D polygon in the plane normal to ``axis``, extruded from ``lo`` to ``hi`` along it.

    Parameters
    ----------
    vertices : array_like, shape (M, 2)
        Polygon corners (m) in the coordinates (u, v) that follow ``axis`` cyclically
        ((x, y) for axis 'z', (y, z) for 'x', (z, x) for 'y'); M >= 3, any orientation.
    lo, hi : float
        Extent along ``axis``, m (2D grids: any range containing 0).
    material : Material
    axis : {'x', 'y', 'z'}
    """

    vertices: object
    lo: float
    hi: float
    material: Material
    axis: object = "z"

    def __post_init__(self):
        v = np.asarray(self.vertices, dtype=float)
        if v.ndim != 2 or v.shape[1] != 2 or v.shape[0] < 3 or not np.all(np.isfinite(v)):
            raise InputError(f"PolygonPrism.vertices has shape {v.shape}; expected (M >= 3, 2) finite (m)")
        self.vertices = v
        self.axis = _axis("PolygonPrism.axis", self.axis)
        if not self.hi >= self.lo:
            raise InputError(f"PolygonPrism: hi={self.hi!r} must be >= lo={self.lo!r} (m)")
        _check_material(self.material)

    def contains(self, x, y, z):
        p = np.broadcast_arrays(x, y, z)
        a = self.axis
        u, v, w = p[(a + 1) % 3], p[(a + 2) % 3], p[a]
        inside = np.zeros(u.shape, bool)
        vx, vy = self.vertices[:, 0], self.vertices[:, 1]
        for i in range(len(vx)):  # even-odd ray casting along +u
            x1, y1, x2, y2 = vx[i - 1], vy[i - 1], vx[i], vy[i]
            if y1 == y2:
                continue
            cross = ((y1 > v) != (y2 > v)) & (u < x1 + (v - y1) * (x2 - x1) / (y2 - y1))
            inside ^= cross
        return inside & (w >= self.lo) & (w <= self.hi)

    def bounds(self):
        lo, hi = np.empty(3), np.empty(3)
        a = self.axis
        lo[a], hi[a] = self.lo, self.hi
        lo[(a + 1) % 3], hi[(a + 1) % 3] = self.vertices[:, 0].min(), self.vertices[:, 0].max()
        lo[(a + 2) % 3], hi[(a + 2) % 3] = self.vertices[:, 1].min(), self.vertices[:, 1].max()
        return lo, hi


@dataclasses.dataclass
class FunctionShape(Shape):
    """Any region given by a function ``inside(x, y, z) -> bool array`` (broadcasting arrays, m).

    Examples
    --------
    >>> from electromagnetics.fdtd import Material
    >>> ring = FunctionShape(lambda x, y, z: (x**2 + y**2 > 0.01) & (x**2 + y**2 < 0.04), Material(eps=4))
    """

    inside: object
    material: Material

    def __post_init__(self):
        if not callable(self.inside):
            raise InputError("FunctionShape.inside must be callable: inside(x, y, z) -> bool array")
        _check_material(self.material)

    def contains(self, x, y, z):
        return np.broadcast_to(np.asarray(self.inside(x, y, z), bool), np.broadcast_shapes(
            np.shape(x), np.shape(y), np.shape(z)))


@dataclasses.dataclass
class VoxelShape(Shape):
    """A user array on the grid's cells: ``mask[i, j, k]`` true fills cell ``[i dx, (i+1) dx) x ...``.

    Parameters
    ----------
    mask : array_like of bool, shape = grid cells (``(nx,)``, ``(nx, ny)`` or ``(nx, ny, nz)``)
    spacing : sequence of float
        Cell size the mask refers to, m (normally the grid's spacing).
    material : Material
    """

    mask: object
    spacing: tuple
    material: Material

    def __post_init__(self):
        m = np.asarray(self.mask, bool)
        if m.ndim > 3 or m.ndim == 0:
            raise InputError(f"VoxelShape.mask has {m.ndim} dimensions; expected 1 to 3")
        self.mask = m.reshape(m.shape + (1,) * (3 - m.ndim))
        d = np.atleast_1d(np.asarray(self.spacing, dtype=float))
        self.spacing = np.concatenate([d, np.full(3 - d.size, d[0])])
        _check_material(self.material)

    def contains(self, x, y, z):
        idx = []
        for c, d, n in zip((x, y, z), self.spacing, self.mask.shape):
            i = np.floor(np.asarray(c) / d).astype(np.int64)
            idx.append(np.clip(i, 0, n - 1) if n > 1 else np.zeros_like(i))
        return self.mask[idx[0], idx[1], idx[2]]


# ----------------------------------------------------------------------------- rasterization
@dataclasses.dataclass
class MaterialArrays:
    """Per-component material arrays produced by :func:`rasterize`.

    Attributes
    ----------
    eps, sigma : ndarray, shape (3, nx, ny, nz) or (3, 1, 1, 1) when uniform
        Relative eps_inf and conductivity (S/m) at the Ex, Ey, Ez nodes.
    mu, sigma_m : ndarray, shape (3, nx, ny, nz) or (3, 1, 1, 1) when uniform
        Relative permeability and magnetic conductivity (ohm/m) at the Hx, Hy, Hz nodes.
    poles : list of (Pole, ndarray shape (3, nx, ny, nz))
        Each dispersive pole with its fill fraction at the E nodes.
    """

    eps: np.ndarray
    sigma: np.ndarray
    mu: np.ndarray
    sigma_m: np.ndarray
    poles: list


def fill_fraction(grid, component, shape, subsamples=None):
    """Volume fraction of ``shape`` in the dual cell of every ``component`` node.

    Parameters
    ----------
    grid : Grid
    component : str
        ``"Ex"`` ... ``"Hz"``.
    shape : Shape
    subsamples : int, optional
        Sample points per axis in cut cells (default 8 in 1D/2D, 4 in 3D).

    Returns
    -------
    ndarray, shape (nx, ny, nz)
        Values in [0, 1].
    """
    if subsamples is None:
        subsamples = 8 if grid.ndim < 3 else 4
    coords = grid.coords(component)
    sl = [slice(0, n) for n in grid.shape]
    b = shape.bounds()
    if b is not None:  # limit to nodes whose dual cell can meet the shape
        for ax in range(3):
            if grid.active[ax]:
                d = grid.spacing[ax]
                lo = np.searchsorted(coords[ax], b[0][ax] - d, side="left")
                hi = np.searchsorted(coords[ax], b[1][ax] + d, side="right")
                sl[ax] = slice(int(lo), int(max(hi, lo)))
    out = np.zeros(grid.shape)
    sub = tuple(c[s] for c, s in zip(coords, sl))
    if any(len(c) == 0 for c in sub):
        return out
    # corner lattice of the dual cells: inside/outside at every corner
    corners = []
    for ax in range(3):
        if grid.active[ax]:
            d = grid.spacing[ax]
            corners.append(np.concatenate([sub[ax] - d / 2, sub[ax][-1:] + d / 2]))
        else:
            corners.append(np.zeros(1))
    cx, cy, cz = np.meshgrid(*corners, indexing="ij", sparse=True)
    inside = np.asarray(shape.contains(cx, cy, cz), bool)
    all_in = np.ones(tuple(len(c) for c in sub), bool)
    any_in = np.zeros_like(all_in)
    for ox in (0, 1) if grid.active[0] else (0,):
        for oy in (0, 1) if grid.active[1] else (0,):
            for oz in (0, 1) if grid.active[2] else (0,):
                c = inside[ox: ox + len(sub[0]), oy: oy + len(sub[1]), oz: oz + len(sub[2])]
                all_in &= c
                any_in |= c
    frac = all_in.astype(float)
    cut = np.nonzero(any_in & ~all_in)
    if cut[0].size:
        s = subsamples
        offs = (np.arange(s) + 0.5) / s - 0.5
        grids = []
        for ax in range(3):
            if grid.active[ax]:
                grids.append(offs * grid.spacing[ax])
            else:
                grids.append(np.zeros(1))
        ox, oy, oz = np.meshgrid(*grids, indexing="ij")
        ox, oy, oz = ox.ravel(), oy.ravel(), oz.ravel()
        px = sub[0][cut[0]][:, None] + ox[None, :]
        py = sub[1][cut[1]][:, None] + oy[None, :]
        pz = sub[2][cut[2]][:, None] + oz[None, :]
        frac[cut] = np.asarray(shape.contains(px, py, pz), bool).mean(axis=1)
    out[tuple(sl)] = frac
    return out


def rasterize(grid, shapes, background=VACUUM, subsamples=None):
    """Paint ``shapes`` (in order, later over earlier) on ``background``; see the module docstring.

    Parameters
    ----------
    grid : Grid
    shapes : sequence of Shape
    background : Material
    subsamples : int, optional
        Sample points per axis in cut cells.

    Returns
    -------
    MaterialArrays
    """
    if not isinstance(grid, Grid):
        raise InputError("rasterize: grid must be a Grid")
    _check_material(background)
    shp = (3,) + grid.shape
    # uniform arrays stay (3, 1, 1, 1) until a shape needs the full grid (saves memory on big grids)
    eps = np.full((3, 1, 1, 1), float(background.eps))
    sigma = np.full((3, 1, 1, 1), float(background.sigma))
    mu = np.full((3, 1, 1, 1), float(background.mu))
    sigma_m = np.full((3, 1, 1, 1), float(background.sigma_m))
    poles = {p: np.ones((3, 1, 1, 1)) for p in background.poles}

    def full(a):
        return np.array(np.broadcast_to(a, shp)) if a.shape != shp else a

    for obj in shapes:
        if not isinstance(obj, Shape):
            raise InputError(f"geometry entry {obj!r} is not a Shape (Box, Sphere, Cylinder, Slab, ...)")
        m = obj.material
        eps, sigma = full(eps), full(sigma)
        poles = {p: full(w) for p, w in poles.items()}
        for c in range(3):
            f = fill_fraction(grid, "E" + AXES[c], obj, subsamples)
            eps[c] += f * (m.eps - eps[c])
            sigma[c] += f * (m.sigma - sigma[c])
            for w in poles.values():
                w[c] *= 1 - f
            for p in m.poles:
                poles.setdefault(p, np.zeros(shp))[c] += f
            if m.mu != 1.0 or m.sigma_m != 0.0 or np.any(mu[c] != 1.0) or np.any(sigma_m[c] != 0.0):
                mu, sigma_m = full(mu), full(sigma_m)
                g = fill_fraction(grid, "H" + AXES[c], obj, subsamples)
                mu[c] += g * (m.mu - mu[c])
                sigma_m[c] += g * (m.sigma_m - sigma_m[c])
    return MaterialArrays(eps, sigma, mu, sigma_m, [(p, w) for p, w in poles.items() if np.any(w > 0)])
