"""Smooth particle-mesh Ewald (Essmann et al. 1995): B-spline charge spreading and interpolation (numba),
FFT convolution (scipy.fft), grid and splitting parameter chosen from a requested accuracy as OpenMM does."""

import math

import numba
import numpy as np
import scipy.fft

from mindscience.errors import check_range
from molecular.forces import _elec_kernels as EK
from molecular.forces.ewald import _EwaldBase
from molecular.neighbors import PARALLEL_MIN_ATOMS, row_blocks


def pme_grid_size(width, alpha, tolerance, order=5):
    """FFT-friendly grid size along a box vector: ``ceil(2 alpha L / (3 tol^(1/5)))`` (OpenMM), at least
    ``2 * order``, rounded up to a 5-smooth length (``scipy.fft.next_fast_len``)."""
    k = math.ceil(2.0 * alpha * width / (3.0 * tolerance**0.2))
    return int(scipy.fft.next_fast_len(max(k, 2 * order), real=True))


def bspline_moduli(k, order):
    """``|b(m)|^2`` of Essmann et al. eq. 4.4 for ``m = 0..k-1`` (zeros of odd orders at ``m = k/2`` replaced by
    the mean of their neighbours, as OpenMM does)."""
    theta = np.empty(order)
    dtheta = np.empty(order)
    EK.bspline(0.0, order, theta, dtheta)  # theta[j] = M_n(n - 1 - j)
    mvals = theta[::-1][1:]  # M_n(1), ..., M_n(n - 1)
    m = np.arange(k)
    arg = 2.0 * math.pi * np.outer(m, np.arange(order - 1)) / k
    s = (mvals[None, :] * np.exp(1j * arg)).sum(axis=1)
    den = np.abs(s) ** 2
    for i in range(k):
        if den[i] < 1e-7:
            den[i] = 0.5 * (den[(i - 1) % k] + den[(i + 1) % k])
    return 1.0 / den


class PME(_EwaldBase):
    r"""Smooth particle-mesh Ewald electrostatics for periodic systems.

    The real-space, self, background and excluded/1-4 parts are those of
    :class:`~molecular.forces.ewald.Ewald`; the reciprocal sum is approximated on a
    ``K0 x K1 x K2`` grid with order-``order`` cardinal B-splines [1]_:

    .. math:: U_{rec} = \frac{k_e}{2\pi V} \sum_{\mathbf m \ne 0} \frac{e^{-\pi^2 m^2/\alpha^2}}{m^2}
              B(\mathbf m)\, |\hat Q(\mathbf m)|^2

    With ``tolerance`` ``delta`` (relative force accuracy, as OpenMM's ``ewaldErrorTolerance``),
    ``alpha = sqrt(-ln(2 delta))/rc`` and ``K_a = ceil(2 alpha L_a / (3 delta^(1/5)))`` (made
    FFT-friendly). Forces are the exact gradient of the PME energy and the virial its exact
    derivative with respect to the box (at fixed fractional coordinates), so pressures are
    consistent. The grid is fixed at :meth:`setup` (a barostat keeps it).

    Parameters
    ----------
    cutoff : float
        Real-space cutoff ``rc``, nm.
    tolerance : float
        Requested relative accuracy in (0, 0.5).
    alpha : float, optional
        Splitting parameter, nm^-1 (overrides the tolerance choice).
    grid : int or sequence of 3 int, optional
        Grid size per box vector (>= 2 * order; default from ``tolerance``).
    order : int
        B-spline order, 4 to 6 (4 = cubic; OpenMM uses 5).
    exclusions, pairs14, scale14, neutralize, name : see :class:`~molecular.forces.ewald.Ewald`.

    References
    ----------
    .. [1] U. Essmann, L. Perera, M. L. Berkowitz, T. Darden, H. Lee, L. G. Pedersen,
       J. Chem. Phys. 103, 8577 (1995).

    Examples
    --------
    >>> pme = PME(cutoff=1.0, tolerance=5e-4)
    >>> round(pme.alpha, 4)
    2.6283
    """

    def __init__(self, cutoff=1.0, tolerance=5e-4, alpha=None, grid=None, order=5, exclusions=None, pairs14=None,
                 scale14=1.0 / 1.2, neutralize=False, name=None):
        super().__init__(cutoff, tolerance, alpha, exclusions, pairs14, scale14, neutralize, name)
        self.order = int(check_range("order", int(order), 4, 6))
        if grid is not None:
            g = np.broadcast_to(np.asarray(grid), (3,))
            for a in range(3):
                check_range(f"grid[{a}]", int(g[a]), 2 * self.order, None)
            grid = tuple(int(x) for x in g)
        self.grid_requested = grid
        self.grid = grid
        self._moduli = None

    def setup(self, system):
        super().setup(system)
        if self.grid_requested is None:
            w = system.box.widths
            self.grid = tuple(pme_grid_size(float(w[a]), self.alpha, self.tolerance, self.order) for a in range(3))
        self._moduli = [bspline_moduli(k, self.order) for k in self.grid]

    def _influence(self, h, hinv, volume):
        """Reciprocal vectors ``m`` (3 arrays, nm^-1), ``m^2`` and the influence function ``c`` (kJ/mol/e^2) on
        the rfft half-grid, with the half-grid weights; cached while the box is unchanged."""
        key = (h.tobytes(), self.alpha, self.grid)
        cache = getattr(self, "_infl", None)
        if cache is not None and cache[0] == key:
            return cache[1]
        k0, k1, k2 = self.grid
        # integer wave numbers on the rfft half-grid and reciprocal vectors m = h^-1 n (nm^-1)
        n0 = np.fft.fftfreq(k0, 1.0 / k0)[:, None, None]
        n1 = np.fft.fftfreq(k1, 1.0 / k1)[None, :, None]
        n2 = np.arange(k2 // 2 + 1, dtype=np.float64)[None, None, :]
        m = [hinv[a, 0] * n0 + hinv[a, 1] * n1 + hinv[a, 2] * n2 for a in range(3)]
        m2 = m[0] ** 2 + m[1] ** 2 + m[2] ** 2
        m2[0, 0, 0] = 1.0
        b = (self._moduli[0][:, None, None] * self._moduli[1][None, :, None]
             * self._moduli[2][None, None, : k2 // 2 + 1])
        c = self.ke * np.exp(-math.pi**2 * m2 / self.alpha**2) / (2.0 * math.pi * volume * m2) * b
        c[0, 0, 0] = 0.0
        wgt = np.full(k2 // 2 + 1, 2.0)
        wgt[0] = 1.0
        if k2 % 2 == 0:
            wgt[-1] = 1.0
        self._infl = (key, (m, m2, c, wgt))
        return self._infl[1]

    def _reciprocal(self, system, virial):
        if self._moduli is None:
            self.setup(system)
        k0, k1, k2 = self.grid
        kk = np.array(self.grid, dtype=np.float64)
        h = system.box.h
        hinv = np.linalg.inv(h)
        s = system.positions @ hinv
        s -= np.floor(s)
        u = np.ascontiguousarray(s * kk)
        u[u >= kk] -= kk[np.nonzero(u >= kk)[1]]
        q = np.ascontiguousarray(system.charges, dtype=np.float64)
        grid = np.empty(self.grid)
        n = u.shape[0]
        blocked = n >= PARALLEL_MIN_ATOMS  # also on one thread: the same sums for every thread count
        if blocked:
            bounds = row_blocks(n)
            grids = np.empty((bounds.size - 1, *self.grid))
            EK.pme_spread_parallel(bounds, u, q, self.order, grids, grid)
        else:
            EK.pme_spread(u, q, self.order, grid)
        workers = numba.get_num_threads()
        fq = scipy.fft.rfftn(grid, workers=workers)
        m, m2, c, wgt = self._influence(h, hinv, system.volume)
        a2 = self.alpha**2
        em = c * (fq.real**2 + fq.imag**2) * wgt[None, None, :]
        energy = float(em.sum())
        phi = 2.0 * (k0 * k1 * k2) * scipy.fft.irfftn(c * fq, s=self.grid, workers=workers)
        dedu = np.empty_like(u)
        if blocked:
            EK.pme_gather_parallel(bounds, u, q, self.order, np.ascontiguousarray(phi), dedu)
        else:
            EK.pme_gather(u, q, self.order, np.ascontiguousarray(phi), dedu)
        forces = -(dedu * kk) @ hinv.T
        w = np.zeros((3, 3))
        if virial:
            fac = 2.0 * (1.0 + math.pi**2 * m2 / a2) / m2
            for a_ in range(3):
                for b_ in range(a_, 3):
                    val = -float((em * fac * m[a_] * m[b_]).sum())
                    if a_ == b_:
                        val += energy
                    w[a_, b_] = w[b_, a_] = val
        return energy, forces, w

