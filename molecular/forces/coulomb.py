"""Coulomb electrostatics with a cutoff: plain (truncated or shifted) and reaction field, with exact
exclusions and scaled 1-4 pairs. The shared machinery (charges, pair lists) is reused by Ewald and PME."""

import math

import numpy as np
import scipy.constants as _sc

from mindscience.errors import InputError, check_range
from molecular.forces import _elec_kernels as EK
from molecular.forces.base import Force
from molecular.neighbors import parallel_chunks

#: Coulomb constant 1/(4 pi eps0) in kJ mol^-1 nm e^-2 (= 138.935458), from scipy.constants.
ONE_4PI_EPS0 = _sc.e**2 * _sc.N_A / (4.0 * math.pi * _sc.epsilon_0) / 1e3 * 1e9


def _pair_array(name, pairs, n_atoms=None):
    """Validated ``(P, 2)`` int64 array of distinct atom pairs (empty when ``pairs`` is None)."""
    if pairs is None:
        return np.zeros((0, 2), dtype=np.int64)
    arr = np.asarray(pairs)
    if arr.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.issubdtype(arr.dtype, np.integer):
        raise InputError(f"{name} has shape {arr.shape} and dtype {arr.dtype}; allowed: (P, 2) integer atom pairs")
    arr = arr.astype(np.int64)
    same = arr[:, 0] == arr[:, 1]
    if np.any(same):
        k = int(np.argmax(same))
        raise InputError(f"{name}[{k}] = {arr[k].tolist()} pairs an atom with itself; allowed: two distinct atoms")
    if n_atoms is not None and (arr.min() < 0 or arr.max() >= n_atoms):
        bad = int(np.argmax((arr < 0).any(axis=1) | (arr >= n_atoms).any(axis=1)))
        raise InputError(f"{name}[{bad}] = {arr[bad].tolist()} names an atom outside the system; "
                         f"allowed: 0..{n_atoms - 1}")
    return arr


def pair_scales(exclusions=None, pairs14=None, scale14=1.0 / 1.2):
    """Merge excluded and 1-4 pairs into ``(pairs (P, 2), scale (P,))`` (scale 0 and ``scale14``).

    A pair listed both as excluded and as 1-4 (a ring closing at three bonds and fewer) is excluded; a
    1-4 pair listed more than once (several dihedrals over the same end atoms) counts once.

    Parameters
    ----------
    exclusions : array_like (E, 2) of int, optional
        Pairs whose Coulomb interaction is removed entirely (typically 1-2 and 1-3 pairs).
    pairs14 : array_like (P, 2) of int, optional
        Pairs whose Coulomb interaction is scaled by ``scale14``.
    scale14 : float or array_like (P,)
        In [0, 1]; AMBER 1/1.2, CHARMM/GROMOS 1, OPLS 0.5; one value per 1-4 pair where they differ
        (AMBER's per-dihedral SCEE).

    Examples
    --------
    >>> pairs, scale = pair_scales([[0, 1]], [[0, 3], [1, 4]], scale14=[0.5, 1 / 1.2])
    >>> pairs.tolist(), scale.round(4).tolist()
    ([[0, 1], [0, 3], [1, 4]], [0.0, 0.5, 0.8333])
    """
    ex = _pair_array("exclusions", exclusions)
    p14 = _pair_array("pairs14", pairs14)
    s14 = np.asarray(scale14, dtype=np.float64)
    if s14.ndim == 0:
        check_range("scale14", float(s14), 0.0, 1.0)
        s14 = np.full(len(p14), float(s14))
    elif s14.shape != (len(p14),):
        raise InputError(f"scale14 has shape {s14.shape}; allowed: a scalar or one value per 1-4 pair "
                         f"({len(p14)},)")
    else:
        bad = ~((s14 >= 0.0) & (s14 <= 1.0))
        if np.any(bad):
            k = int(np.argmax(bad))
            raise InputError(f"scale14[{k}] = {float(s14[k])!r} is outside the allowed range [0, 1]")
    table = {}
    for (i, j), sc in zip(p14, s14):
        table[(min(i, j), max(i, j))] = float(sc)
    for i, j in ex:
        table[(min(i, j), max(i, j))] = 0.0
    if not table:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    keys = sorted(table)
    return np.array(keys, dtype=np.int64), np.array([table[k] for k in keys])


class _ChargedForce(Force):
    """Shared parts of the Coulomb forces: cutoff, excluded/1-4 pair table, real-space kernel call."""

    kind = EK.CUTOFF

    def __init__(self, cutoff, exclusions=None, pairs14=None, scale14=1.0 / 1.2, name=None):
        self.cutoff = check_range("cutoff", float(cutoff), 0.0, None, low_open=True)
        self.pairs, self.scales = pair_scales(exclusions, pairs14, scale14)
        self.scale14 = float(scale14) if np.ndim(scale14) == 0 else np.array(scale14, dtype=np.float64)
        self.name = name or type(self).__name__
        self.ke = ONE_4PI_EPS0

    def _params(self):
        """``(p0, p1, alpha)`` of the real-space pair function."""
        return 0.0, 0.0, 0.0

    def setup(self, system):
        if self.pairs.size:
            _pair_array("exclusions/pairs14", self.pairs, system.n_atoms)

    def _real_poly(self):
        """Polynomial form of the unit-charge real-space pair function for the fused pair pass
        (:func:`~molecular.forces._elec_kernels.real_space_poly`), cached; None when its error exceeds
        ``1e-14 * alpha`` (a splitting parameter too large for the fixed degree: the exact path is used)."""
        key = (self.kind, *self._params(), self.cutoff)
        if getattr(self, "_poly_key", None) != key:
            poly = EK.real_space_poly(self.kind, *self._params(), self.cutoff)
            self._poly = poly if poly[4] <= 1e-14 * max(self._params()[2], 1.0) else None
            self._poly_key = key
        return self._poly

    def _real_and_pairs(self, system, neighbors, virial, _pairs=None):
        """Real-space energy, forces and virial including the excluded/1-4 corrections (``_pairs``: the
        real-space sums ``(energy, forces, virial6)`` already computed by the fused pair pass)."""
        q = np.ascontiguousarray(system.charges, dtype=np.float64)
        n = system.n_atoms
        p0, p1, alpha = self._params()
        rc2 = self.cutoff**2
        if _pairs is not None:
            energy, f, s = _pairs
        else:
            xw, nbr, code, nn, shifts = neighbors.data(system)
            f = np.empty((n, 3))
            e = np.empty(n)
            w6 = np.empty((n, 6) if virial else (1, 6))
            args = (xw, q, nbr, code, nn, shifts, self.kind, rc2, p0, p1, alpha, self.ke, bool(virial), f, e, w6)
            chunks = parallel_chunks(n)
            if chunks:
                EK.coulomb_real_parallel(chunks, *args)
            else:
                EK.coulomb_real(0, n, *args)
            energy = float(e.sum())
            s = w6.sum(axis=0) if virial else None
        w = np.zeros((3, 3))
        if virial:
            w = np.array([[s[0], s[3], s[4]], [s[3], s[1], s[5]], [s[4], s[5], s[2]]])
        if self.pairs.size:
            periodic = system.box is not None
            h = system.box.h if periodic else np.zeros((3, 3))
            energy += EK.coulomb_pair_corrections(np.ascontiguousarray(system.positions), q, self.pairs,
                                                  self.scales, h, periodic, self.kind, rc2, p0, p1, alpha, self.ke,
                                                  f, w)
        return energy, f, w

    def compute(self, system, neighbors, virial=False, _pairs=None):
        e, f, w = self._real_and_pairs(system, neighbors, virial, _pairs)
        return e, f, (w if virial else None)


class CutoffCoulomb(_ChargedForce):
    r"""Coulomb interaction truncated at a cutoff, optionally shifted to zero there.

    .. math:: U = k_e \sum_{i<j,\ r_{ij}<r_c} q_i q_j \left(\frac{1}{r_{ij}} - \frac{\delta}{r_c}\right)

    with ``delta = 1`` when ``shifted`` else 0, ``k_e`` = :data:`ONE_4PI_EPS0`. Excluded pairs are
    removed; 1-4 pairs interact with ``scale14 k_e q_i q_j / r`` (no cutoff, as OpenMM's exceptions).
    Works with and without a periodic box.

    Parameters
    ----------
    cutoff : float
        ``rc``, nm.
    shifted : bool
        Subtract the pair energy at ``rc`` (continuous energy).
    exclusions : array_like (E, 2) of int, optional
        Excluded atom pairs (see :func:`molecular.forces.bonded.exclusions_from_bonds`).
    pairs14 : array_like (P, 2) of int, optional
        Scaled 1-4 pairs.
    scale14 : float or array_like (P,)
        Coulomb scale of the 1-4 pairs, in [0, 1] (AMBER 1/1.2); one value per pair where they differ
        (AMBER's per-dihedral SCEE; see :func:`pair_scales`).
    name : str, optional

    Examples
    --------
    >>> from molecular import System
    >>> from molecular.forces import ForceField
    >>> s = System([[0, 0, 0], [0.5, 0, 0]], charges=[1.0, -1.0])
    >>> round(ForceField(CutoffCoulomb(1.0)).compute(s).energy, 4)
    -277.8709
    """

    kind = EK.CUTOFF

    def __init__(self, cutoff=1.0, shifted=False, exclusions=None, pairs14=None, scale14=1.0 / 1.2, name=None):
        super().__init__(cutoff, exclusions, pairs14, scale14, name)
        self.shifted = bool(shifted)

    def _params(self):
        return (1.0 / self.cutoff if self.shifted else 0.0), 0.0, 0.0


class ReactionField(_ChargedForce):
    r"""Coulomb interaction with a reaction field beyond the cutoff (GROMACS convention, ``eps_r = 1``).

    .. math:: U = k_e \sum_{i<j,\ r<r_c} q_i q_j \left(\frac1r + k_{rf} r^2 - c_{rf}\right),\quad
              k_{rf} = \frac{\epsilon_{rf} - 1}{(2\epsilon_{rf} + 1) r_c^3},\quad c_{rf} = \frac1{r_c} + k_{rf} r_c^2

    (``epsilon_rf = inf`` gives ``k_rf = 1/(2 rc^3)``). Excluded pairs are removed entirely and 1-4
    pairs interact with plain ``scale14 k_e q_i q_j / r`` (as OpenMM's exceptions).

    Parameters
    ----------
    cutoff : float
        ``rc``, nm.
    epsilon_rf : float
        Dielectric constant beyond the cutoff, >= 1 (``math.inf`` for a conductor). Default 78.5.
    exclusions, pairs14, scale14, name : see :class:`CutoffCoulomb`.

    References
    ----------
    .. [1] I. G. Tironi, R. Sperb, P. E. Smith, W. F. van Gunsteren, J. Chem. Phys. 102, 5451 (1995).
    """

    kind = EK.REACTION_FIELD

    def __init__(self, cutoff=1.0, epsilon_rf=78.5, exclusions=None, pairs14=None, scale14=1.0 / 1.2, name=None):
        super().__init__(cutoff, exclusions, pairs14, scale14, name)
        self.epsilon_rf = check_range("epsilon_rf", float(epsilon_rf), 1.0, None)
        rc = self.cutoff
        if math.isinf(self.epsilon_rf):
            self.k_rf = 0.5 / rc**3
        else:
            self.k_rf = (self.epsilon_rf - 1.0) / ((2.0 * self.epsilon_rf + 1.0) * rc**3)
        self.c_rf = 1.0 / rc + self.k_rf * rc**2

    def _params(self):
        return self.k_rf, self.c_rf, 0.0
