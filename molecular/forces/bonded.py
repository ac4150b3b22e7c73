"""Bonded force-field terms (harmonic and Morse bonds, harmonic and Urey-Bradley angles, periodic and
Ryckaert-Bellemans torsions, harmonic impropers) and the exclusions / 1-4 pairs of a bond graph.

Conventions follow GROMACS and OpenMM: ``U_bond = k/2 (r - r0)^2`` (k in kJ/mol/nm^2), angles in
radians (``k`` in kJ/mol/rad^2), dihedral ``phi`` by the IUPAC convention (0 cis, pi trans).
"""

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.forces import _bonded_kernels as BK
from molecular.forces.base import Force


def _indices(name, idx, width):
    arr = np.asarray(idx)
    if arr.size == 0:
        return np.zeros((0, width), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != width or not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"{name} has shape {arr.shape} and dtype {arr.dtype}; allowed: ({'M'}, {width}) "
                         "integer atom indices")
    arr = arr.astype(np.int64)
    for r, row in enumerate(arr):
        if len(set(row.tolist())) != width:
            raise InputError(f"{name}[{r}] = {row.tolist()} repeats an atom; allowed: {width} distinct atoms")
    return np.ascontiguousarray(arr)


def _param(name, value, m, low=None, low_open=False):
    arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (m,)).copy() if m else np.zeros(0)
    if arr.ndim != 1:
        raise InputError(f"{name} must be a number or an array of length {m}; got shape {np.shape(value)}")
    for i, v in enumerate(arr):
        if not np.isfinite(v):
            raise InputError(f"{name}[{i}]={v!r} is not finite")
        if low is not None:
            check_range(f"{name}[{i}]", float(v), low, None, low_open=low_open)
    return arr


class BondedForce(Force):
    """Base of the bonded terms: a list of atom tuples with per-tuple parameters (no neighbour list).

    Subclasses set :attr:`width` (atoms per term) and implement :meth:`_kernel`.
    """

    width = 2
    cutoff = None

    def __init__(self, indices, params, name=None):
        self.indices = _indices(self._index_name, indices, self.width)
        params = np.asarray(params, dtype=np.float64)
        if params.ndim != 2 or params.shape[0] != self.indices.shape[0]:
            raise InputError(f"params has shape {params.shape}; allowed: ({self.indices.shape[0]}, P)")
        self.params = np.ascontiguousarray(params)
        self.name = name or type(self).__name__
        self._checked_n = None

    _index_name = "indices"

    @property
    def n_terms(self):
        return self.indices.shape[0]

    def setup(self, system):
        if self.n_terms and (self.indices.min() < 0 or self.indices.max() >= system.n_atoms):
            bad = int(np.argmax(((self.indices < 0) | (self.indices >= system.n_atoms)).any(axis=1)))
            raise InputError(f"{self._index_name}[{bad}] = {self.indices[bad].tolist()} names an atom outside the "
                             f"system; allowed: 0..{system.n_atoms - 1}")
        self._checked_n = system.n_atoms

    def compute(self, system, neighbors=None, virial=False):
        if self._checked_n != system.n_atoms:
            self.setup(system)
        f = np.zeros((system.n_atoms, 3))
        w = np.zeros((3, 3))
        if self.n_terms == 0:
            return 0.0, f, (w if virial else None)
        periodic = system.box is not None
        h = system.box.h if periodic else np.zeros((3, 3))
        e = self._kernel(np.ascontiguousarray(system.positions), h, periodic, f, w)
        return float(e), f, (w if virial else None)

    def _kernel(self, x, h, periodic, f, w):
        raise NotImplementedError


class HarmonicBond(BondedForce):
    """Harmonic bonds ``U = k/2 (r - r0)^2``.

    Parameters
    ----------
    bonds : array_like (B, 2) of int
    k : float or array_like (B,)
        Force constant, kJ/mol/nm^2, >= 0.
    r0 : float or array_like (B,)
        Equilibrium length, nm, >= 0.
    name : str, optional

    Examples
    --------
    >>> from molecular import System
    >>> s = System([[0, 0, 0], [0.11, 0, 0]])
    >>> e, f, _ = HarmonicBond([[0, 1]], k=1000.0, r0=0.1).compute(s)
    >>> round(e, 6)
    0.05
    """

    _index_name = "bonds"

    def __init__(self, bonds, k, r0, name=None):
        idx = _indices("bonds", bonds, 2)
        m = idx.shape[0]
        self.k = _param("k", k, m, 0.0)
        self.r0 = _param("r0", r0, m, 0.0)
        super().__init__(idx, np.stack([self.k, self.r0, np.zeros(m)], axis=1), name)

    def _kernel(self, x, h, periodic, f, w):
        return BK.bonds(x, self.indices, BK.HARMONIC_BOND, self.params, h, periodic, f, w)


class MorseBond(BondedForce):
    """Morse bonds ``U = D (1 - exp(-a (r - r0)))^2``.

    Parameters
    ----------
    bonds : array_like (B, 2) of int
    D : float or array_like (B,)
        Well depth, kJ/mol, >= 0.
    a : float or array_like (B,)
        Width parameter, nm^-1, > 0.
    r0 : float or array_like (B,)
        Equilibrium length, nm, >= 0.
    name : str, optional
    """

    _index_name = "bonds"

    def __init__(self, bonds, D, a, r0, name=None):
        idx = _indices("bonds", bonds, 2)
        m = idx.shape[0]
        self.D = _param("D", D, m, 0.0)
        self.a = _param("a", a, m, 0.0, low_open=True)
        self.r0 = _param("r0", r0, m, 0.0)
        super().__init__(idx, np.stack([self.D, self.a, self.r0], axis=1), name)

    def _kernel(self, x, h, periodic, f, w):
        return BK.bonds(x, self.indices, BK.MORSE_BOND, self.params, h, periodic, f, w)


class HarmonicAngle(BondedForce):
    """Harmonic angles ``U = k/2 (theta - theta0)^2`` (``theta`` at the middle atom ``j`` of ``(i, j, k)``).

    Parameters
    ----------
    angles : array_like (A, 3) of int
    k : float or array_like (A,)
        kJ/mol/rad^2, >= 0.
    theta0 : float or array_like (A,)
        Equilibrium angle, rad, in [0, pi].
    name : str, optional
    """

    width = 3
    _index_name = "angles"

    def __init__(self, angles, k, theta0, name=None, k_ub=0.0, r_ub=0.0):
        idx = _indices("angles", angles, 3)
        m = idx.shape[0]
        self.k = _param("k", k, m, 0.0)
        self.theta0 = _param("theta0", theta0, m, 0.0)
        for i, t in enumerate(self.theta0):
            check_range(f"theta0[{i}]", float(t), 0.0, np.pi)
        self.k_ub = _param("k_ub", k_ub, m, 0.0)
        self.r_ub = _param("r_ub", r_ub, m, 0.0)
        super().__init__(idx, np.stack([self.k, self.theta0, self.k_ub, self.r_ub], axis=1), name)

    def _kernel(self, x, h, periodic, f, w):
        return BK.angles(x, self.indices, self.params, h, periodic, f, w)


class UreyBradleyAngle(HarmonicAngle):
    """CHARMM Urey-Bradley angles ``U = k/2 (theta - theta0)^2 + k_ub/2 (r_ik - r_ub)^2``.

    Parameters
    ----------
    angles : array_like (A, 3) of int
    k, theta0 : see :class:`HarmonicAngle`.
    k_ub : float or array_like (A,)
        1-3 bond force constant, kJ/mol/nm^2, >= 0.
    r_ub : float or array_like (A,)
        1-3 equilibrium distance, nm, >= 0.
    name : str, optional
    """

    def __init__(self, angles, k, theta0, k_ub, r_ub, name=None):
        super().__init__(angles, k, theta0, name=name, k_ub=k_ub, r_ub=r_ub)


class _Dihedral(BondedForce):
    width = 4
    kind = BK.PERIODIC

    def _kernel(self, x, h, periodic, f, w):
        return BK.dihedrals(x, self.indices, self.kind, self.params, h, periodic, f, w)


class PeriodicTorsion(_Dihedral):
    """Proper torsions ``U = k (1 + cos(n phi - phi0))`` (several terms on one quadruple: list it again).

    Parameters
    ----------
    torsions : array_like (T, 4) of int
    k : float or array_like (T,)
        kJ/mol (may be negative).
    n : int or array_like (T,)
        Multiplicity, 1..6 (0 allowed: constant term).
    phi0 : float or array_like (T,)
        Phase, rad.
    name : str, optional
    """

    _index_name = "torsions"
    kind = BK.PERIODIC

    def __init__(self, torsions, k, n, phi0, name=None):
        idx = _indices("torsions", torsions, 4)
        m = idx.shape[0]
        self.k = _param("k", k, m)
        nn = _param("n", n, m, 0.0)
        if np.any(nn != np.round(nn)) or np.any(nn > 6):
            i = int(np.argmax((nn != np.round(nn)) | (nn > 6)))
            raise InputError(f"n[{i}]={nn[i]!r} is not an allowed multiplicity; allowed: integers 0..6")
        self.n = nn.astype(np.int64)
        self.phi0 = _param("phi0", phi0, m)
        p = np.zeros((m, 6))
        p[:, 0], p[:, 1], p[:, 2] = self.k, self.n, self.phi0
        super().__init__(idx, p, name)


class RBTorsion(_Dihedral):
    r"""Ryckaert-Bellemans torsions ``U = sum_{n=0}^{5} C_n cos^n(psi)``, ``psi = phi - 180 deg`` (GROMACS).

    Parameters
    ----------
    torsions : array_like (T, 4) of int
    c : array_like (6,) or (T, 6)
        Coefficients ``C0..C5``, kJ/mol.
    name : str, optional
    """

    _index_name = "torsions"
    kind = BK.RYCKAERT_BELLEMANS

    def __init__(self, torsions, c, name=None):
        idx = _indices("torsions", torsions, 4)
        m = idx.shape[0]
        c = np.asarray(c, dtype=np.float64)
        if c.shape not in ((6,), (m, 6)) or not np.all(np.isfinite(c)):
            raise InputError(f"c has shape {c.shape}; allowed: (6,) or ({m}, 6) finite coefficients C0..C5, kJ/mol")
        self.c = np.broadcast_to(c, (m, 6)).copy()
        super().__init__(idx, self.c, name)


class HarmonicImproper(_Dihedral):
    """Harmonic improper dihedrals ``U = k/2 (xi - xi0)^2``, ``xi`` the dihedral of ``(i, j, k, l)``
    and the difference wrapped to ``[-pi, pi)`` (GROMACS improper type 2).

    Parameters
    ----------
    impropers : array_like (T, 4) of int
    k : float or array_like (T,)
        kJ/mol/rad^2, >= 0.
    xi0 : float or array_like (T,)
        rad.
    name : str, optional
    """

    _index_name = "impropers"
    kind = BK.HARMONIC_IMPROPER

    def __init__(self, impropers, k, xi0, name=None):
        idx = _indices("impropers", impropers, 4)
        m = idx.shape[0]
        self.k = _param("k", k, m, 0.0)
        self.xi0 = _param("xi0", xi0, m)
        p = np.zeros((m, 6))
        p[:, 0], p[:, 1] = self.k, self.xi0
        super().__init__(idx, p, name)


def exclusions_from_bonds(n_atoms, bonds, n_exclude=2):
    """Excluded pairs and 1-4 pairs generated from a bond graph (GROMACS ``nrexcl``).

    Pairs ``(i, j)``, ``i < j``, separated by at most ``n_exclude`` bonds are excluded; pairs whose
    shortest bond path is exactly 3 bonds are the 1-4 pairs (when ``n_exclude < 3``). Rings are
    handled by the shortest path, so a pair that is both 1-3 and 1-4 is excluded only.

    Parameters
    ----------
    n_atoms : int
    bonds : array_like (B, 2) of int
    n_exclude : int
        Bond separations excluded, 0..3 (2: 1-2 and 1-3, the usual choice; 3: 1-4 excluded too).

    Returns
    -------
    exclusions : int64 (E, 2)
    pairs14 : int64 (P, 2)

    Examples
    --------
    >>> ex, p14 = exclusions_from_bonds(4, [[0, 1], [1, 2], [2, 3]])
    >>> ex.tolist(), p14.tolist()
    ([[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]], [[0, 3]])
    """
    n_atoms = int(n_atoms)
    n_exclude = int(check_range("n_exclude", int(n_exclude), 0, 3))
    b = _indices("bonds", bonds, 2)
    if b.size and (b.min() < 0 or b.max() >= n_atoms):
        bad = int(np.argmax(((b < 0) | (b >= n_atoms)).any(axis=1)))
        raise InputError(f"bonds[{bad}] = {b[bad].tolist()} names an atom outside 0..{n_atoms - 1}")
    adj = [[] for _ in range(n_atoms)]
    for i, j in b:
        adj[i].append(int(j))
        adj[j].append(int(i))
    ex, p14 = [], []
    for s in range(n_atoms):
        dist = {s: 0}
        frontier = [s]
        for depth in range(1, 4):
            nxt = []
            for a in frontier:
                for c in adj[a]:
                    if c not in dist:
                        dist[c] = depth
                        nxt.append(c)
            frontier = nxt
        for t, d in dist.items():
            if t <= s:
                continue
            if 1 <= d <= n_exclude:
                ex.append((s, t))
            elif d == 3:
                p14.append((s, t))
    return (np.array(sorted(ex), dtype=np.int64).reshape(-1, 2), np.array(sorted(p14), dtype=np.int64).reshape(-1, 2))


class LJExceptions(Force):
    """Exclusions and scaled 1-4 pairs for a :class:`~molecular.forces.pair.LennardJones` force.

    Added next to the LennardJones force in a ForceField, it removes exactly what that force computed
    for each listed pair and, for 1-4 pairs, adds ``scale14 * 4 eps ((sigma/r)^12 - (sigma/r)^6)``
    without cutoff (the mixed type-pair parameters, or explicit ``sigma14``/``epsilon14`` as GROMACS
    ``[ pairs ]``). Supports the ``"truncated"`` and ``"shifted"`` modes of the LennardJones force. The
    analytic tail correction of the LennardJones force is left unchanged.

    Parameters
    ----------
    lj : LennardJones
        The force whose pairs are corrected (its cutoff, mode and type-pair parameters are used).
    exclusions : array_like (E, 2) of int, optional
    pairs14 : array_like (P, 2) of int, optional
    scale14 : float
        LJ scale of 1-4 pairs in [0, 1] (AMBER 0.5, OPLS 0.5, CHARMM 1 with special parameters).
    sigma14, epsilon14 : array_like (P,), optional
        Explicit 1-4 parameters (nm, kJ/mol) replacing the mixed ones.
    name : str, optional
    """

    cutoff = None

    def __init__(self, lj, exclusions=None, pairs14=None, scale14=0.5, sigma14=None, epsilon14=None, name=None):
        from molecular.forces.coulomb import _pair_array

        if getattr(lj, "mode", None) not in ("truncated", "shifted") or not hasattr(lj, "pair_sigma"):
            raise InputError(f"lj must be a LennardJones force with mode 'truncated' or 'shifted'; got "
                             f"{type(lj).__name__} mode={getattr(lj, 'mode', None)!r}")
        self.lj = lj
        ex = _pair_array("exclusions", exclusions)
        p14 = _pair_array("pairs14", pairs14)
        check_range("scale14", float(scale14), 0.0, 1.0)
        self.pairs = np.ascontiguousarray(np.concatenate([ex, p14]), dtype=np.int64)
        self.scales = np.concatenate([np.zeros(len(ex)), np.full(len(p14), float(scale14))])
        self._sig14 = None if sigma14 is None else _param("sigma14", sigma14, len(p14), 0.0, low_open=True)
        self._eps14 = None if epsilon14 is None else _param("epsilon14", epsilon14, len(p14), 0.0)
        self.n_excluded = len(ex)
        self.name = name or "LJExceptions"

    def setup(self, system):
        n = system.n_atoms
        if self.pairs.size and (self.pairs.min() < 0 or self.pairs.max() >= n):
            raise InputError(f"exclusions/pairs14 name atoms outside the system; allowed: 0..{n - 1}")
        t = system.n_types
        if self.lj.pair_sigma.shape[0] < t and self.lj.pair_sigma.shape[0] != 1:
            raise InputError(f"lj has parameters for {self.lj.pair_sigma.shape[0]} types; the system has {t}")
        psig = np.broadcast_to(self.lj.pair_sigma, (t, t)) if self.lj.pair_sigma.shape[0] == 1 else \
            self.lj.pair_sigma[:t, :t]
        peps = np.broadcast_to(self.lj.pair_epsilon, (t, t)) if self.lj.pair_epsilon.shape[0] == 1 else \
            self.lj.pair_epsilon[:t, :t]
        self._psig, self._peps = np.ascontiguousarray(psig), np.ascontiguousarray(peps)
        ti, tj = system.types[self.pairs[:, 0]], system.types[self.pairs[:, 1]]
        sig, eps = self._psig[ti, tj], self._peps[ti, tj]
        if self._sig14 is not None:
            sig[self.n_excluded:] = self._sig14
        if self._eps14 is not None:
            eps[self.n_excluded:] = self._eps14
        self._sig, self._eps = np.ascontiguousarray(sig), np.ascontiguousarray(eps)
        self._n = n

    def compute(self, system, neighbors=None, virial=False):
        if getattr(self, "_n", None) != system.n_atoms:
            self.setup(system)
        f = np.zeros((system.n_atoms, 3))
        w = np.zeros((3, 3))
        periodic = system.box is not None
        h = system.box.h if periodic else np.zeros((3, 3))
        e = BK.lj_pair_corrections(np.ascontiguousarray(system.positions), system.types, self.pairs, self.scales,
                                   self._sig, self._eps, self._psig, self._peps, self.lj.cutoff**2,
                                   self.lj.mode == "shifted", h, periodic, f, w)
        return float(e), f, (w if virial else None)
