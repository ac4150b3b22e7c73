"""Pair potentials on the shared neighbour list: Lennard-Jones (+ mixing, tail), WCA, Morse,
Buckingham, tabulated and user-defined pair functions, with truncated/shifted/switched cutoffs."""

import math

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.forces import _kernels as K
from molecular.forces.base import Force
from molecular.neighbors import parallel_chunks

MODES = {"truncated": K.TRUNCATED, "shifted": K.SHIFTED, "shifted-force": K.SHIFTED_FORCE,
         "switched": K.SWITCHED, "force-switched": K.FORCE_SWITCHED}


class PairForce(Force):
    """Base of the pair potentials ``U = sum_{i<j} u_{t_i t_j}(r_ij)`` within a cutoff.

    Subclasses set :attr:`kind` and implement :meth:`pair_parameters`. The cutoff modes are

    - ``"truncated"``: ``u(r)`` for ``r < rc``, 0 beyond (energy jumps at ``rc``);
    - ``"shifted"``: ``u(r) - u(rc)`` (continuous energy, force jumps);
    - ``"shifted-force"``: ``u(r) - u(rc) - (r - rc) u'(rc)`` (energy and force continuous);
    - ``"switched"``: ``u(r) S(x)``, ``S = 1 - 10x^3 + 15x^4 - 6x^5``, ``x = (r - rs)/(rc - rs)``
      between ``switch_distance`` ``rs`` and ``rc`` (energy, force and force derivative continuous);
    - ``"force-switched"`` (Lennard-Jones only): the GROMACS force switch, each power term's force
      smoothly brought to zero between ``rs`` and ``rc`` and the potential integrated from it
      (differs from the plain potential by a constant below ``rs``).

    Parameters
    ----------
    cutoff : float
        ``rc``, nm (at most half the smallest box width).
    mode : str
        One of ``truncated``, ``shifted``, ``shifted-force``, ``switched``, ``force-switched``.
    switch_distance : float, optional
        ``rs`` in ``(0, rc)``, nm; required for ``mode="switched"``.
    name : str, optional
        Key of this term in ``ForceResult.terms``.
    """

    kind = None
    n_params = 4

    def __init__(self, cutoff, mode="truncated", switch_distance=None, name=None):
        self.cutoff = check_range("cutoff", float(cutoff), 0.0, None, low_open=True)
        if mode not in MODES:
            raise InputError(f"mode={mode!r} is not a cutoff mode; allowed: {', '.join(MODES)}")
        self.mode = mode
        if mode == "force-switched" and self.kind != K.LJ:
            raise InputError(f"mode='force-switched' is available for LennardJones only, not {type(self).__name__}")
        if mode in ("switched", "force-switched"):
            if switch_distance is None:
                raise InputError(f"mode={mode!r} needs switch_distance; allowed: (0, cutoff) nm")
            check_range("switch_distance", float(switch_distance), 0.0, self.cutoff, low_open=True,
                        high_open=True)
        self.switch_distance = None if switch_distance is None else float(switch_distance)
        self.name = name or type(self).__name__
        self.table = None

    def pair_parameters(self, n_types):
        """Return ``(params (T, T, 4), cutoffs (T, T) nm)`` for ``T = n_types`` atom types."""
        raise NotImplementedError

    def _tables(self):
        return np.zeros((1, 2)), np.zeros((1, 2))

    def _eval(self, r, p):
        tab_u, tab_du = self._tables()
        u, g = K.pair_function(self.kind, r * r, p[0], p[1], p[2], p[3], tab_u, tab_du)
        return u, -g * r

    def setup(self, system):
        t = system.n_types
        params, cut = self.pair_parameters(t)
        params = np.asarray(params, dtype=np.float64)
        cut = np.broadcast_to(np.asarray(cut, dtype=np.float64), (t, t))
        if np.any(cut > self.cutoff * (1 + 1e-12)) or np.any(cut <= 0):
            raise InputError(f"pair cutoffs {cut.max():g} nm exceed the force cutoff {self.cutoff:g}; "
                             f"allowed: (0, {self.cutoff:g}]")
        table = np.zeros((t, t, K.NCOL))
        table[:, :, : params.shape[2]] = params
        table[:, :, K.RC2] = cut**2
        table[:, :, K.RC] = cut
        for a in range(t):
            for b in range(t):
                u, dudr = self._eval(cut[a, b], table[a, b, :4])
                table[a, b, K.UC] = u
                table[a, b, K.DUC] = dudr
                table[a, b, K.RSW] = self.switch_distance if self.switch_distance is not None else cut[a, b]
                if self.mode == "force-switched":
                    for k, alpha in enumerate((12, 6)):
                        table[a, b, K.FS + 3 * k: K.FS + 3 * k + 3] = K.force_switch_constants(
                            alpha, cut[a, b], self.switch_distance)
        self.table = np.ascontiguousarray(table)

    def _kernel(self, xw, types, nbr, code, nn, shifts, want_virial, f, e, w):
        tab_u, tab_du = self._tables()
        args = (xw, types, nbr, code, nn, shifts, self.kind, MODES[self.mode], self.table, tab_u, tab_du,
                want_virial, f, e, w)
        chunks = parallel_chunks(xw.shape[0])
        if chunks:
            K.pair_forces_parallel(chunks, *args)
        else:
            K.pair_forces(0, xw.shape[0], *args)

    def compute(self, system, neighbors, virial=False):
        if self.table is None or self.table.shape[0] != system.n_types:
            self.setup(system)
        xw, nbr, code, nn, shifts = neighbors.data(system)
        n = system.n_atoms
        f = np.empty((n, 3))
        e = np.empty(n)
        w6 = np.empty((n, 6) if virial else (1, 6))
        self._kernel(xw, system.types, nbr, code, nn, shifts, bool(virial), f, e, w6)
        energy = float(e.sum())
        w = None
        if virial:
            s = w6.sum(axis=0)
            w = np.array([[s[0], s[3], s[4]], [s[3], s[1], s[5]], [s[4], s[5], s[2]]])
        de, dp = self.energy_correction(system)
        if de or dp:
            energy += de
            if virial:
                w += np.eye(3) * dp * system.volume
        return energy, f, w

    def pair_energy(self, r, type_a=0, type_b=0):
        """The pair energy with the cutoff mode applied, at distances ``r`` (nm); for plots and tests."""
        if self.table is None or self.table.shape[0] <= max(type_a, type_b):
            t = max(type_a, type_b) + 1
            from molecular.system import System

            self.setup(System(np.zeros((t, 3)), types=np.arange(t)))
        p = self.table[type_a, type_b]
        tab_u, tab_du = self._tables()
        out = []
        for ri in np.atleast_1d(np.asarray(r, dtype=np.float64)):
            if ri * ri >= p[K.RC2]:
                out.append(0.0)
                continue
            if self.mode == "force-switched":
                u, g = K.lj_force_switch(ri * ri, p[0], p[1], p[K.RSW], *p[K.FS:K.FS + 6])
            else:
                u, g = K.pair_function(self.kind, ri * ri, p[0], p[1], p[2], p[3], tab_u, tab_du)
                u, g = K.apply_mode(MODES[self.mode], ri * ri, u, g, p[K.RC], p[K.UC], p[K.DUC], p[K.RSW])
            out.append(u)
        return np.array(out)


def _per_type(name, value, low=0.0, low_open=False):
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64))
    if arr.ndim != 1:
        raise InputError(f"{name} must be a number or a 1-D per-type array; got shape {arr.shape}")
    for i, v in enumerate(arr):
        check_range(f"{name}[{i}]", float(v), low, None, low_open=low_open)
    return arr


def _per_pair(name, arr, n_types):
    """The (T, T) block of a per-type-pair matrix; a single-type (1, 1) matrix applies to all types."""
    if arr.shape[0] == 1:
        return np.full((n_types, n_types), arr[0, 0])
    if arr.shape[0] < n_types:
        raise InputError(f"{name} has parameters for {arr.shape[0]} atom types; the system has {n_types} "
                         f"(types 0..{n_types - 1}); allowed: >= {n_types}")
    return arr[:n_types, :n_types]


class LennardJones(PairForce):
    r"""Lennard-Jones pair potential with per-type parameters and mixing rules.

    .. math:: u_{ab}(r) = 4 \epsilon_{ab} [(\sigma_{ab}/r)^{12} - (\sigma_{ab}/r)^6],
              \quad -\frac{du}{dr}\frac{1}{r} = \frac{4\epsilon}{r^2} [12 (\sigma/r)^{12} - 6 (\sigma/r)^6]

    Mixing: Lorentz-Berthelot ``sigma_ab = (sigma_a + sigma_b)/2``, ``eps_ab = sqrt(eps_a eps_b)``;
    geometric ``sigma_ab = sqrt(sigma_a sigma_b)``, ``eps_ab = sqrt(eps_a eps_b)``. Explicit
    ``pair_epsilon``/``pair_sigma`` matrices override the mixed values.

    The analytic long-range (tail) corrections assume ``g(r) = 1`` beyond ``rc`` [1]_:

    .. math:: E_{tail} = \frac{8\pi}{V} \sum_{ab} N_a N_b \epsilon_{ab} \sigma_{ab}^3
              [\tfrac19 (\sigma/r_c)^9 - \tfrac13 (\sigma/r_c)^3],\quad
              P_{tail} = \frac{16\pi}{3V^2} \sum_{ab} N_a N_b \epsilon_{ab}\sigma_{ab}^3
              [\tfrac23 (\sigma/r_c)^9 - (\sigma/r_c)^3]

    (they correct towards the full, untruncated potential; meaningful with ``mode="truncated"``).

    Parameters
    ----------
    epsilon : float or array_like (T,)
        Well depth per type, kJ/mol (or reduced).
    sigma : float or array_like (T,)
        Size per type, nm.
    cutoff : float
        nm.
    mode, switch_distance : see :class:`PairForce`
    mixing : {"lorentz-berthelot", "geometric"}
    pair_epsilon, pair_sigma : array_like (T, T), optional
        Explicit type-pair parameters.
    tail_correction : bool
        Add the analytic long-range energy and pressure.

    References
    ----------
    .. [1] M. P. Allen and D. J. Tildesley, Computer Simulation of Liquids, 2nd ed. (2017), sec. 2.8.

    Examples
    --------
    >>> lj = LennardJones(epsilon=1.0, sigma=1.0, cutoff=2.5, mode="shifted-force")
    >>> float(lj.pair_energy(2.5)[0])
    0.0
    """

    kind = K.LJ

    def __init__(self, epsilon=1.0, sigma=1.0, cutoff=2.5, mode="truncated", switch_distance=None,
                 mixing="lorentz-berthelot", pair_epsilon=None, pair_sigma=None, tail_correction=False,
                 name=None):
        super().__init__(cutoff, mode, switch_distance, name)
        self.epsilon = _per_type("epsilon", epsilon)
        self.sigma = _per_type("sigma", sigma, low_open=True)
        if self.epsilon.size != self.sigma.size:
            raise InputError(f"epsilon has {self.epsilon.size} types, sigma {self.sigma.size}; they must match")
        if mixing not in ("lorentz-berthelot", "geometric"):
            raise InputError(f"mixing={mixing!r}; allowed: 'lorentz-berthelot', 'geometric'")
        self.mixing = mixing
        e = np.sqrt(np.outer(self.epsilon, self.epsilon))
        if mixing == "geometric":
            s = np.sqrt(np.outer(self.sigma, self.sigma))
        else:
            s = 0.5 * (self.sigma[:, None] + self.sigma[None, :])
        if pair_epsilon is not None:
            e = np.asarray(pair_epsilon, dtype=np.float64)
        if pair_sigma is not None:
            s = np.asarray(pair_sigma, dtype=np.float64)
        for name_, m in (("pair_epsilon", e), ("pair_sigma", s)):
            if m.ndim != 2 or m.shape[0] != m.shape[1] or not np.allclose(m, m.T):
                raise InputError(f"{name_} must be a symmetric (T, T) matrix; got shape {m.shape}")
        self.pair_epsilon, self.pair_sigma = e, s
        self.tail_correction = bool(tail_correction)

    def pair_cutoffs(self, n_types):
        return np.full((n_types, n_types), self.cutoff)

    def compute(self, system, neighbors, virial=False, _pairs=None):
        if self.table is None or self.table.shape[0] != system.n_types:
            self.setup(system)
        if _pairs is not None:  # pair terms already computed by ForceField's fused LJ + Coulomb pass
            energy, f, w6 = _pairs
            return self._finish(system, energy, f, w6 if virial else None)
        if self.table.shape[0] != 1 or self.mode not in ("truncated", "shifted") or not hasattr(neighbors,
                                                                                             "sorted_data"):
            return super().compute(system, neighbors, virial)
        # the simple-fluid hot path: cell-sorted list, central-image pairs without image lookup
        sl = neighbors.sorted_data(system)
        p = self.table[0, 0]
        ushift = p[K.UC] if self.mode == "shifted" else 0.0
        ev = np.empty((sl.bounds.size - 1, 7))
        f = np.empty((system.n_atoms, 3))
        args = (sl.bounds, sl.xs, sl.perm, sl.nbr, sl.code, sl.n0, sl.nn, sl.shifts, p[K.P0], p[K.P1], p[K.RC2],
                ushift, bool(virial), f, ev)
        if parallel_chunks(system.n_atoms):
            K.lj_sorted_parallel(*args)
        else:
            K.lj_sorted_serial(*args)
        tot = ev.sum(axis=0)
        return self._finish(system, float(tot[0]), f, tot[1:7] if virial else None)

    def _finish(self, system, energy, f, w6):
        """Add the tail correction to the pair sums; ``w6`` (xx, yy, zz, xy, xz, yz) or None."""
        w = None
        if w6 is not None:
            w = np.array([[w6[0], w6[3], w6[4]], [w6[3], w6[1], w6[5]], [w6[4], w6[5], w6[2]]])
        de, dp = self.energy_correction(system)
        if de or dp:
            energy += de
            if w is not None:
                w += np.eye(3) * dp * system.volume
        return energy, f, w

    def _kernel(self, xw, types, nbr, code, nn, shifts, want_virial, f, e, w):
        chunks = parallel_chunks(xw.shape[0])
        if self.table.shape[0] == 1 and self.mode in ("truncated", "shifted"):  # the simple-fluid hot path
            p = self.table[0, 0]
            ushift = p[K.UC] if self.mode == "shifted" else 0.0
            args = (xw, nbr, code, nn, shifts, p[K.P0], p[K.P1], p[K.RC2], ushift, want_virial, f, e, w)
            if chunks:
                K.lj_forces_single_parallel(chunks, *args)
            else:
                K.lj_forces_single(0, xw.shape[0], *args)
            return
        args = (xw, types, nbr, code, nn, shifts, MODES[self.mode], self.table, want_virial, f, e, w)
        if chunks:
            K.lj_forces_parallel(chunks, *args)
        else:
            K.lj_forces(0, xw.shape[0], *args)

    def pair_parameters(self, n_types):
        e = _per_pair("epsilon", self.pair_epsilon, n_types)
        s = _per_pair("sigma", self.pair_sigma, n_types)
        params = np.stack([4 * e, s**6, np.zeros_like(e), np.zeros_like(e)], axis=-1)
        return params, self.pair_cutoffs(n_types)

    def energy_correction(self, system):
        if not self.tail_correction:
            return 0.0, 0.0
        if system.box is None:
            raise InputError("tail_correction=True needs a periodic box (got box=None)")
        t = system.n_types
        counts = np.bincount(system.types, minlength=t).astype(np.float64)
        e = _per_pair("epsilon", self.pair_epsilon, t)
        s = _per_pair("sigma", self.pair_sigma, t)
        x3 = (s / self.cutoff) ** 3
        x9 = x3**3
        nn = np.outer(counts, counts)
        v = system.volume
        energy = 8 * math.pi / v * np.sum(nn * e * s**3 * (x9 / 9 - x3 / 3))
        pressure = 16 * math.pi / (3 * v * v) * np.sum(nn * e * s**3 * (2 * x9 / 3 - x3))
        return float(energy), float(pressure)


class WCA(LennardJones):
    """Weeks-Chandler-Andersen: LJ cut at its minimum ``2^(1/6) sigma_ab`` and shifted up by epsilon.

    Parameters
    ----------
    epsilon, sigma : float or array_like (T,)
        kJ/mol, nm.
    mixing : str

    Examples
    --------
    >>> wca = WCA(1.0, 1.0)
    >>> round(float(wca.pair_energy(1.0)[0]), 12)    # 4(1 - 1) + 1
    1.0
    """

    def __init__(self, epsilon=1.0, sigma=1.0, mixing="lorentz-berthelot", pair_epsilon=None,
                 pair_sigma=None, name=None):
        sig = _per_type("sigma", sigma, low_open=True)
        super().__init__(epsilon, sigma, cutoff=2 ** (1 / 6) * float(np.max(sig)), mode="shifted",
                         mixing=mixing, pair_epsilon=pair_epsilon, pair_sigma=pair_sigma, name=name)
        self.cutoff = 2 ** (1 / 6) * float(np.max(self.pair_sigma))

    def pair_cutoffs(self, n_types):
        return 2 ** (1 / 6) * _per_pair("sigma", self.pair_sigma, n_types)


def _pair_matrix(name, value, low=None, low_open=False):
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim == 0:
        arr = arr.reshape(1, 1)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or not np.allclose(arr, arr.T):
        raise InputError(f"{name} must be a number or a symmetric (T, T) matrix; got shape {arr.shape}")
    if low is not None:
        for (a, b), v in np.ndenumerate(arr):
            check_range(f"{name}[{a}, {b}]", float(v), low, None, low_open=low_open)
    return arr


class Morse(PairForce):
    r"""Morse pair potential ``u = D [exp(-2a(r - r0)) - 2 exp(-a(r - r0))]`` (minimum -D at r0).

    Parameters
    ----------
    D : float or (T, T) array, kJ/mol
    a : float or (T, T) array, 1/nm
    r0 : float or (T, T) array, nm
    cutoff : float, nm
    mode, switch_distance : see :class:`PairForce`

    Examples
    --------
    >>> m = Morse(D=1.0, a=2.0, r0=1.0, cutoff=3.0)
    >>> float(m.pair_energy(1.0)[0])
    -1.0
    """

    kind = K.MORSE

    def __init__(self, D, a, r0, cutoff, mode="truncated", switch_distance=None, name=None):
        super().__init__(cutoff, mode, switch_distance, name)
        self.D = _pair_matrix("D", D, 0.0)
        self.a = _pair_matrix("a", a, 0.0, True)
        self.r0 = _pair_matrix("r0", r0, 0.0)

    def pair_parameters(self, n_types):
        D, a, r0 = (_broadcast(m, n_types, n) for m, n in ((self.D, "D"), (self.a, "a"), (self.r0, "r0")))
        return np.stack([D, a, r0, np.zeros_like(D)], axis=-1), self.cutoff


class Buckingham(PairForce):
    r"""Buckingham pair potential ``u = A exp(-r/rho) - C / r^6``.

    Parameters
    ----------
    A : float or (T, T) array, kJ/mol
    rho : float or (T, T) array, nm
    C : float or (T, T) array, kJ/mol nm^6
    cutoff : float, nm
    mode, switch_distance : see :class:`PairForce`

    Examples
    --------
    >>> b = Buckingham(A=1000.0, rho=0.03, C=0.001, cutoff=1.0)
    """

    kind = K.BUCKINGHAM

    def __init__(self, A, rho, C, cutoff, mode="truncated", switch_distance=None, name=None):
        super().__init__(cutoff, mode, switch_distance, name)
        self.A = _pair_matrix("A", A, 0.0)
        self.rho = _pair_matrix("rho", rho, 0.0, True)
        self.C = _pair_matrix("C", C, 0.0)

    def pair_parameters(self, n_types):
        A, rho, C = (_broadcast(m, n_types, n) for m, n in ((self.A, "A"), (self.rho, "rho"), (self.C, "C")))
        return np.stack([A, rho, C, np.zeros_like(A)], axis=-1), self.cutoff


def _broadcast(m, n_types, name):
    return _per_pair(name, m, n_types)


class TabulatedPair(PairForce):
    """A pair potential tabulated on a uniform grid, interpolated by cubic Hermite splines.

    Energy and its derivative are both tabulated, so the force is exactly minus the derivative of
    the interpolated energy; the interpolation error is O(dr^4) in energy.

    Parameters
    ----------
    r : array_like (M,), nm
        Uniform grid from ``r[0] > 0`` to the cutoff ``r[-1]``.
    energy : array_like (M,) or (T, T, M), kJ/mol
    derivative : array_like, same shape as ``energy``, kJ/mol/nm, optional
        ``du/dr``; default: 4th-order finite differences of ``energy``.
    mode, switch_distance : see :class:`PairForce`

    Examples
    --------
    >>> r = np.linspace(0.8, 2.5, 400)
    >>> tab = TabulatedPair(r, 4 * (r**-12 - r**-6), 4 * (-12 * r**-13 + 6 * r**-7))
    """

    kind = K.TABLE

    def __init__(self, r, energy, derivative=None, mode="truncated", switch_distance=None, name=None):
        r = np.asarray(r, dtype=np.float64)
        if r.ndim != 1 or r.size < 4 or r[0] <= 0:
            raise InputError(f"r must be a 1-D grid of >= 4 points starting above 0; got shape {r.shape}")
        dr = np.diff(r)
        if not np.allclose(dr, dr[0], rtol=1e-8, atol=0) or dr[0] <= 0:
            raise InputError("r must be uniformly spaced and increasing")
        super().__init__(r[-1], mode, switch_distance, name)
        u = np.asarray(energy, dtype=np.float64)
        if u.ndim == 1:
            u = u[None, None, :]
        if u.shape[-1] != r.size or u.ndim != 3:
            raise InputError(f"energy has shape {u.shape}; allowed: ({r.size},) or (T, T, {r.size})")
        if derivative is None:
            du = np.gradient(u, r, axis=-1, edge_order=2)
        else:
            du = np.broadcast_to(np.asarray(derivative, dtype=np.float64), u.shape)
        self.r = r
        self.u = u
        self.du = du
        t = u.shape[0]
        self._tab_u = np.ascontiguousarray(u.reshape(t * t, -1))
        self._tab_du = np.ascontiguousarray(du.reshape(t * t, -1))

    def _tables(self):
        return self._tab_u, self._tab_du

    def pair_parameters(self, n_types):
        t = self.u.shape[0]
        if t != 1 and t < n_types:
            raise InputError(f"the table has {t} types; the system has {n_types}; allowed: >= {n_types}")
        idx = np.zeros((n_types, n_types)) if t == 1 else (np.arange(n_types)[:, None] * t + np.arange(n_types))
        p = np.stack([idx, np.full_like(idx, self.r[0]), np.full_like(idx, 1.0 / (self.r[1] - self.r[0])),
                      np.zeros_like(idx)], axis=-1)
        return p, self.cutoff


class CustomPair(PairForce):
    """A user-defined pair potential given as a numba-compiled function.

    Parameters
    ----------
    function : numba dispatcher
        ``function(r, params) -> (u, du_dr)``: energy (kJ/mol) and its derivative (kJ/mol/nm) at
        distance ``r`` (nm), with ``params`` the float64 parameter row of the type pair.
    params : array_like, shape (P,) or (T, T, P)
        Parameters passed to ``function``.
    cutoff : float, nm
    mode, switch_distance : see :class:`PairForce`

    Examples
    --------
    >>> from numba import njit
    >>> @njit
    ... def soft(r, p):
    ...     return p[0] * (1 + np.cos(np.pi * r / p[1])), -p[0] * np.pi / p[1] * np.sin(np.pi * r / p[1])
    >>> f = CustomPair(soft, [1.0, 1.2], cutoff=1.2)
    """

    def __init__(self, function, params, cutoff, mode="truncated", switch_distance=None, name=None):
        if not hasattr(function, "py_func"):
            raise InputError("function must be a numba.njit-compiled function f(r, params) -> (u, du_dr)")
        super().__init__(cutoff, mode, switch_distance, name)
        self.function = function
        p = np.asarray(params, dtype=np.float64)
        self.params = p[None, None, :] if p.ndim == 1 else p
        if self.params.ndim != 3:
            raise InputError(f"params has shape {p.shape}; allowed: (P,) or (T, T, P)")
        self._custom_kernel = K.make_custom_pair_kernel(function)

    def _eval(self, r, p):
        u, dudr = self.function(r, self._pp[0, 0] if self._pp.shape[0] == 1 else p)
        return u, dudr

    def pair_parameters(self, n_types):
        t = self.params.shape[0]
        if t == 1:
            self._pp = np.ascontiguousarray(np.broadcast_to(self.params, (n_types, n_types, self.params.shape[2])))
        else:
            self._pp = np.ascontiguousarray(_per_pair("params", self.params, n_types))
        return np.zeros((n_types, n_types, 4)), self.cutoff

    def setup(self, system):
        t = system.n_types
        self.pair_parameters(t)
        table = np.zeros((t, t, K.NCOL))
        table[:, :, K.RC2] = self.cutoff**2
        table[:, :, K.RC] = self.cutoff
        for a in range(t):
            for b in range(t):
                u, dudr = self.function(self.cutoff, self._pp[a, b])
                table[a, b, K.UC] = u
                table[a, b, K.DUC] = dudr
                table[a, b, K.RSW] = self.switch_distance if self.switch_distance is not None else self.cutoff
        self.table = table

    def _kernel(self, xw, types, nbr, code, nn, shifts, want_virial, f, e, w):
        self._custom_kernel(xw, types, nbr, code, nn, shifts, MODES[self.mode], self.table, self._pp,
                            want_virial, f, e, w)

    def pair_energy(self, r, type_a=0, type_b=0):
        if self.table is None:
            from molecular.system import System

            self.setup(System(np.zeros((1, 3))))
        out = []
        p = self.table[type_a, type_b]
        for ri in np.atleast_1d(np.asarray(r, dtype=np.float64)):
            if ri >= self.cutoff:
                out.append(0.0)
                continue
            u, dudr = self.function(ri, self._pp[type_a, type_b])
            u, g = K.apply_mode(MODES[self.mode], ri * ri, u, -dudr / ri, p[K.RC], p[K.UC], p[K.DUC], p[K.RSW])
            out.append(u)
        return np.array(out)
