"""Ewald summation: real-space erfc sum on the neighbour list, explicit reciprocal-space sum, self
energy, exact excluded/1-4 pair corrections and the neutralising background for charged systems."""

import math

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.forces import _elec_kernels as EK
from molecular.forces.coulomb import _ChargedForce

#: |net charge| (e) below which a system counts as neutral
NEUTRAL_TOL = 1e-8


class ChargedSystemError(InputError):
    """A system with a net charge was given to a lattice sum without a neutralising choice."""


def alpha_from_tolerance(cutoff, tolerance):
    """Splitting parameter ``alpha = sqrt(-ln(2 tol)) / rc`` (nm^-1), as OpenMM chooses it."""
    return math.sqrt(-math.log(2.0 * tolerance)) / cutoff


class _EwaldBase(_ChargedForce):
    """Real space, self, background and excluded-pair parts shared by :class:`Ewald` and PME."""

    kind = EK.EWALD

    def __init__(self, cutoff=1.0, tolerance=5e-4, alpha=None, exclusions=None, pairs14=None, scale14=1.0 / 1.2,
                 neutralize=False, name=None):
        super().__init__(cutoff, exclusions, pairs14, scale14, name)
        self.tolerance = check_range("tolerance", float(tolerance), 0.0, 0.5, low_open=True, high_open=True)
        if alpha is None:
            self.alpha = alpha_from_tolerance(self.cutoff, self.tolerance)
        else:
            self.alpha = check_range("alpha", float(alpha), 0.0, None, low_open=True)
        self.neutralize = bool(neutralize)

    def _params(self):
        return 0.0, 0.0, self.alpha

    def _check_system(self, system):
        if system.box is None:
            raise InputError(f"{type(self).__name__} needs a periodic box; system.box is None "
                             "(use CutoffCoulomb or ReactionField for an isolated system)")
        net = float(np.sum(system.charges))
        if abs(net) > NEUTRAL_TOL and not self.neutralize:
            raise ChargedSystemError(f"system net charge is {net:+.6g} e; allowed: |net charge| <= {NEUTRAL_TOL:g} e "
                                     f"for {type(self).__name__}, or neutralize=True to add a uniform neutralising "
                                     "background")

    def setup(self, system):
        super().setup(system)
        self._check_system(system)

    def self_energy(self, system):
        """``-ke alpha / sqrt(pi) sum q_i^2``, kJ/mol."""
        return -self.ke * self.alpha / math.sqrt(math.pi) * float(np.sum(system.charges**2))

    def background_energy(self, system):
        """Energy of the uniform neutralising background, ``-ke pi Q^2 / (2 V alpha^2)``, kJ/mol."""
        net = float(np.sum(system.charges))
        return -self.ke * math.pi * net * net / (2.0 * system.volume * self.alpha**2)

    def _reciprocal(self, system, virial):
        raise NotImplementedError

    def compute(self, system, neighbors, virial=False, _pairs=None):
        self._check_system(system)
        e, f, w = self._real_and_pairs(system, neighbors, virial, _pairs)
        er, fr, wr = self._reciprocal(system, virial)
        ebg = self.background_energy(system)
        e += er + self.self_energy(system) + ebg
        f += fr
        if virial:
            w += wr + ebg * np.eye(3)  # background energy ~ 1/V: W = -V dE/dV = E (per diagonal)
        return float(e), f, (w if virial else None)

    def components(self, system, neighbors):
        """Energy terms ``{"real", "reciprocal", "self", "background"}`` in kJ/mol (real includes the
        excluded/1-4 pair corrections)."""
        self._check_system(system)
        e, _, _ = self._real_and_pairs(system, neighbors, False)
        er, _, _ = self._reciprocal(system, False)
        return {"real": e, "reciprocal": er, "self": self.self_energy(system),
                "background": self.background_energy(system)}


def ewald_kmax(width, alpha, tolerance):
    """Smallest ``kmax`` with OpenMM's error estimate ``0.05 sqrt(L alpha) kmax exp(-(pi kmax/(L alpha))^2)``
    below ``tolerance`` for a box width ``L`` (nm)."""
    kmax = 1
    while True:
        t = kmax * math.pi / (width * alpha)
        if 0.05 * math.sqrt(width * alpha) * kmax * math.exp(-t * t) < tolerance or kmax > 500:
            return kmax
        kmax += 1


class Ewald(_EwaldBase):
    r"""Ewald summation of the Coulomb energy of a periodic system.

    .. math::
        U = \frac{k_e}{2}\sum_{i,j,\mathbf n}' \frac{q_i q_j\,\mathrm{erfc}(\alpha r_{ij\mathbf n})}{r_{ij\mathbf n}}
          + \frac{2\pi k_e}{V}\sum_{\mathbf k\ne 0}\frac{e^{-k^2/4\alpha^2}}{k^2}|S(\mathbf k)|^2
          - \frac{k_e\alpha}{\sqrt\pi}\sum_i q_i^2 - \frac{k_e \pi Q^2}{2V\alpha^2}
          + \sum_{(i,j)\in\mathrm{excl/14}} (s_{ij} - 1)\frac{k_e q_i q_j}{r_{ij}}

    with ``S(k) = sum_i q_i exp(i k.x_i)`` over ``k = 2 pi h^-1 n``, ``|n_a| <= kmax_a``. Excluded pairs
    (``s = 0``) and 1-4 pairs (``s = scale14``) are corrected exactly, including their
    reciprocal-space part ``erf(alpha r)/r``. The last-but-one term is the neutralising background
    (only with ``neutralize=True``; a charged system raises :class:`ChargedSystemError` otherwise).
    Tin-foil boundary conditions. The cost grows as ``N kmax^3``: meant for references and small
    systems; use :class:`~molecular.forces.pme.PME` for production.

    Parameters
    ----------
    cutoff : float
        Real-space cutoff ``rc``, nm (at most half the smallest box width).
    tolerance : float
        Requested relative accuracy ``delta`` in (0, 0.5): ``alpha = sqrt(-ln(2 delta))/rc`` and
        ``kmax`` from OpenMM's error estimate.
    alpha : float, optional
        Splitting parameter, nm^-1 (overrides the tolerance choice).
    kmax : int or sequence of 3 int, optional
        Largest wave-vector index per box vector (default from ``tolerance``), >= 1.
    exclusions, pairs14, scale14 : see :class:`~molecular.forces.coulomb.CutoffCoulomb`.
    neutralize : bool
        Allow a net charge, adding the uniform neutralising background energy.
    name : str, optional

    References
    ----------
    .. [1] P. P. Ewald, Ann. Phys. 369, 253 (1921); D. M. Heyes, J. Chem. Phys. 74, 1924 (1981) (virial).
    """

    def __init__(self, cutoff=1.0, tolerance=5e-4, alpha=None, kmax=None, exclusions=None, pairs14=None,
                 scale14=1.0 / 1.2, neutralize=False, name=None):
        super().__init__(cutoff, tolerance, alpha, exclusions, pairs14, scale14, neutralize, name)
        if kmax is not None:
            km = np.broadcast_to(np.asarray(kmax), (3,))
            for a in range(3):
                check_range(f"kmax[{a}]", int(km[a]), 1, None)
            kmax = tuple(int(k) for k in km)
        self.kmax_requested = kmax
        self.kmax = kmax

    def setup(self, system):
        super().setup(system)
        if self.kmax_requested is None:
            w = system.box.widths
            self.kmax = tuple(ewald_kmax(float(w[a]), self.alpha, self.tolerance) for a in range(3))

    def _integer_vectors(self):
        k0, k1, k2 = self.kmax
        n = np.stack(np.meshgrid(np.arange(-k0, k0 + 1), np.arange(-k1, k1 + 1), np.arange(-k2, k2 + 1),
                                 indexing="ij"), axis=-1).reshape(-1, 3)
        # one of each +-n pair: first nonzero component positive
        keep = (n[:, 0] > 0) | ((n[:, 0] == 0) & ((n[:, 1] > 0) | ((n[:, 1] == 0) & (n[:, 2] > 0))))
        return n[keep].astype(np.float64)

    def _reciprocal(self, system, virial):
        if self.kmax is None:
            self.setup(system)
        h = system.box.h
        kv = 2.0 * math.pi * self._integer_vectors() @ np.linalg.inv(h).T
        k2 = np.einsum("ij,ij->i", kv, kv)
        a2 = 4.0 * self.alpha**2
        coef = 2.0 * self.ke * 2.0 * math.pi / system.volume * np.exp(-k2 / a2) / k2
        vfac = 2.0 * (1.0 / k2 + 1.0 / a2)
        f = np.zeros((system.n_atoms, 3))
        w = np.zeros((3, 3))
        e = EK.ewald_reciprocal(np.ascontiguousarray(system.positions), np.ascontiguousarray(system.charges,
                                dtype=np.float64), np.ascontiguousarray(kv), coef, vfac, bool(virial), f, w)
        return e, f, w
