"""System: positions, velocities, masses, types, charges and the periodic box (state only, no loop)."""

import numpy as np

from mindscience.errors import InputError
from molecular.topology import Topology
from molecular.units import KB


class Box:
    """A periodic simulation cell given by three box vectors (rows of ``h``), nm.

    Follows GROMACS: ``a = (ax, 0, 0)``, ``b = (bx, by, 0)``, ``c = (cx, cy, cz)`` (lower-triangular
    ``h``), so Cartesian ``r = s @ h`` for fractional coordinates ``s``.

    Parameters
    ----------
    h : array_like, shape (3,) or (3, 3), nm
        Edge lengths of an orthorhombic box, or the box vectors as rows.

    Examples
    --------
    >>> Box([2.0, 2.0, 3.0]).volume
    12.0
    """

    def __init__(self, h):
        h = np.asarray(h, dtype=np.float64)
        if h.shape == (3,):
            h = np.diag(h)
        if h.shape != (3, 3) or not np.all(np.isfinite(h)):
            raise InputError(f"box has shape {h.shape} (or non-finite entries); allowed: (3,) edge lengths "
                             "or (3, 3) box vectors as rows, nm")
        if abs(h[0, 1]) + abs(h[0, 2]) + abs(h[1, 2]) > 0:
            raise InputError("box vectors must be lower-triangular (a along x, b in the xy plane): "
                             f"got a={h[0].tolist()}, b={h[1].tolist()}")
        if np.any(np.diag(h) <= 0):
            raise InputError(f"box diagonal {np.diag(h).tolist()} must be positive (nm)")
        self.h = h

    @property
    def h(self):
        """Box vectors as rows, shape (3, 3), nm (assign a new array to change the box)."""
        return self._h

    @h.setter
    def h(self, value):
        self._h = np.array(value, dtype=np.float64)
        self._widths = None

    @property
    def volume(self):
        """Cell volume, nm^3."""
        h = self._h
        return float(h[0, 0] * h[1, 1] * h[2, 2])

    @property
    def is_orthorhombic(self):
        return not np.any(self.h[np.tril_indices(3, -1)])

    @property
    def widths(self):
        """Perpendicular widths (distance between opposite faces), shape (3,), nm."""
        if self._widths is None:
            a, b, c = self.h
            v = self.volume
            self._widths = np.array([v / np.linalg.norm(np.cross(b, c)), v / np.linalg.norm(np.cross(c, a)),
                                     v / np.linalg.norm(np.cross(a, b))])
        return self._widths.copy()

    @property
    def lengths(self):
        """Lengths of the three box vectors, nm."""
        return np.linalg.norm(self.h, axis=1)

    def copy(self):
        return Box(self.h.copy())

    def wrap(self, positions):
        """Positions mapped into the cell (fractional coordinates in [0, 1)), shape (N, 3), nm."""
        s = positions @ np.linalg.inv(self.h)
        return (s - np.floor(s)) @ self.h

    def minimum_image(self, dr):
        """Shortest periodic image of displacement vectors ``dr`` (N, 3), nm (exact for any cell shape
        when the result is shorter than half the smallest width)."""
        dr = np.array(dr, dtype=np.float64, copy=True)
        flat = dr.reshape(-1, 3)
        for k in (2, 1, 0):  # lower-triangular h: remove c, then b, then a components
            flat -= np.round(flat[:, k] / self.h[k, k])[:, None] * self.h[k]
        return dr

    def __repr__(self):
        return f"Box({self.h.tolist()})"


class System:
    """The state of a molecular system: positions, velocities, masses, types, charges, box.

    A System holds data only; forces, integrators and the simulation loop act on it.

    Parameters
    ----------
    positions : array_like, shape (N, 3), nm
    masses : float or array_like, shape (N,), amu
    box : Box or array_like or None
        Periodic cell (see :class:`Box`); ``None`` for an isolated, non-periodic system.
    velocities : array_like, shape (N, 3), nm/ps, optional
        Default zero.
    types : array_like of int, shape (N,), optional
        Atom type index (0, 1, ...) used by per-type force parameters. Default all 0.
    charges : array_like, shape (N,), e, optional
        Default zero.
    topology : Topology, optional
    type_names : sequence of str, optional
        Name of each type index.

    Examples
    --------
    >>> s = System([[0, 0, 0], [0.4, 0, 0]], masses=39.948, box=[2, 2, 2])
    >>> s.n_atoms, s.box.volume
    (2, 8.0)
    """

    def __init__(self, positions, masses=1.0, box=None, velocities=None, types=None, charges=None,
                 topology=None, type_names=None):
        x = np.array(positions, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != 3 or x.shape[0] < 1:
            raise InputError(f"positions has shape {x.shape}; allowed: (N, 3) with N >= 1, nm")
        if not np.all(np.isfinite(x)):
            bad = np.argwhere(~np.isfinite(x))[0]
            raise InputError(f"positions[{bad[0]}] = {x[bad[0]].tolist()} is not finite")
        n = x.shape[0]
        self.positions = x
        m = np.broadcast_to(np.asarray(masses, dtype=np.float64), (n,)).copy()
        if np.any(~(m > 0)) or not np.all(np.isfinite(m)):
            i = int(np.argmax(~(m > 0) | ~np.isfinite(m)))
            raise InputError(f"masses[{i}]={m[i]!r} is out of range; allowed: (0, inf) amu")
        self.masses = m
        self.box = box if (box is None or isinstance(box, Box)) else Box(box)
        v = np.zeros((n, 3)) if velocities is None else np.array(velocities, dtype=np.float64)
        if v.shape != (n, 3):
            raise InputError(f"velocities has shape {v.shape}; allowed: ({n}, 3), nm/ps")
        self.velocities = v
        t = np.zeros(n, dtype=np.int64) if types is None else np.asarray(types, dtype=np.int64).copy()
        if t.shape != (n,) or (n and t.min() < 0):
            raise InputError(f"types must be non-negative integers of shape ({n},); got shape {t.shape}")
        self.types = t
        q = np.zeros(n) if charges is None else np.broadcast_to(np.asarray(charges, float), (n,)).copy()
        self.charges = q
        self.topology = topology if topology is not None else Topology(n)
        if self.topology.n_atoms != n:
            raise InputError(f"topology has {self.topology.n_atoms} atoms; allowed: {n} (positions)")
        self.type_names = list(type_names) if type_names is not None else [str(i) for i in range(self.n_types)]

    @property
    def n_atoms(self):
        return self.positions.shape[0]

    @property
    def n_types(self):
        return int(self.types.max()) + 1

    @property
    def periodic(self):
        return self.box is not None

    @property
    def volume(self):
        """Box volume, nm^3 (``nan`` for a non-periodic system)."""
        return self.box.volume if self.box is not None else float("nan")

    @property
    def density(self):
        """Number density N / V, nm^-3."""
        return self.n_atoms / self.volume

    def kinetic_energy(self):
        """Total kinetic energy, kJ/mol."""
        v = self.velocities
        return 0.5 * float(np.einsum("i,ij,ij->", self.masses, v, v))

    def momentum(self):
        """Total momentum, shape (3,), amu nm/ps."""
        return self.masses @ self.velocities

    def remove_com_motion(self):
        """Subtract the centre-of-mass velocity from every atom (in place)."""
        self.velocities -= self.momentum() / self.masses.sum()

    def set_velocities(self, temperature, seed=None, kB=KB, remove_com=True):
        """Draw Maxwell-Boltzmann velocities at ``temperature`` and rescale to it exactly.

        Parameters
        ----------
        temperature : float
            K (or reduced temperature with ``kB=1``).
        seed : int or numpy.random.Generator, optional
        kB : float
            Boltzmann constant in the energy unit per temperature unit (``molecular.units.KB`` =
            0.0083145 kJ/(mol K); 1 in LJ reduced units).
        remove_com : bool
            Remove centre-of-mass motion (then ``3N - 3`` degrees of freedom carry the temperature).

        Returns
        -------
        self
        """
        if not (temperature >= 0):
            raise InputError(f"temperature={temperature!r} is out of range; allowed: [0, inf)")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        v = rng.standard_normal((self.n_atoms, 3)) * np.sqrt(kB * temperature / self.masses)[:, None]
        self.velocities = v
        if remove_com:
            self.remove_com_motion()
        ndof = 3 * self.n_atoms - (3 if remove_com else 0)
        ke = self.kinetic_energy()
        if ke > 0:
            self.velocities *= np.sqrt(0.5 * ndof * kB * temperature / ke)
        return self

    def check_overlaps(self, threshold):
        """Raise :class:`InputError` naming the first pair of atoms closer than ``threshold`` nm."""
        from molecular.neighbors import NeighborList

        nl = NeighborList(cutoff=threshold, skin=0.0)
        i, j, r = nl.pairs(self)
        if i.size:
            k = int(np.argmin(r))
            raise InputError(f"atoms {i[k]} and {j[k]} are {r[k]:.4g} nm apart; allowed: >= {threshold:g} nm "
                             "(overlapping atoms at the start)")

    def copy(self):
        return System(self.positions.copy(), self.masses.copy(), None if self.box is None else self.box.copy(),
                      self.velocities.copy(), self.types.copy(), self.charges.copy(), self.topology,
                      self.type_names)
