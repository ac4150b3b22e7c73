"""Pure numba kernels of 2D Yee grids (both polarisations, TM only, TE only) and TM/TE-only 1D updates.

A 2D grid in the xy-plane carries two polarisations that the Yee scheme decouples exactly:

* TM: ``Ez, Hx, Hy`` (``Hx`` and ``Hy`` from ``dEz/dy`` and ``dEz/dx``; ``Ez`` from ``curl_z H``);
* TE: ``Hz, Ex, Ey`` (``Hz`` from ``curl_z E``; ``Ex``, ``Ey`` from ``dHz/dy`` and ``-dHz/dx``).

The "both" kernels (``update_h_2d``, ``update_e_2d`` and parallel twins) update all six components;
the ``_tm``/``_te`` kernels update one polarisation's three and leave the other three untouched
(they take the same arguments, so they are drop-in replacements). A single-polarisation step moves
half the bytes of the "both" step and does half the arithmetic. Every updated value is computed
with the operands and the operation order of the "both" kernels, so the active components are
bit-identical to the "both" run whenever the other polarisation is zero (it then stays zero).

1D grids (shape ``(nx, 1, 1)``, along x) split the same way: TM is ``Ez, Hy`` (and the static
``Hx``), TE is ``Ey, Hz`` (and ``Ex``); ``update_h_1d_tm`` etc. are the halves of the 1D kernels.

Conventions as in :mod:`electromagnetics.fdtd._kernels` (module docstring): staggering, wrap
factors ``fx, fy`` (H, high side) and ``gx, gy`` (E, low side), coefficient arrays of shape
``(3, nx, ny, 1)`` or ``(3, 1, 1, 1)`` (uniform). The unused z arguments (``rdz``, ``fz``, ``gz``)
are accepted and ignored.

The one-component CPML slab corrections (:func:`cpml_e_one`, :func:`cpml_h_one`) are the halves of
:func:`~electromagnetics.fdtd._kernels.cpml_e` / :func:`~electromagnetics.fdtd._kernels.cpml_h`:
inside an x or y slab each polarisation has exactly one tangential E and one tangential H
component, so a single-polarisation step makes one call per slab and half step, a "both" step two
(:class:`~electromagnetics.fdtd.boundaries.pml.CPMLSlab`). They sweep the slab in memory order
(section comment below): at 2048^2 float32, one thread, both components of a 10-layer x slab take
0.10 ms (two-component kernel: 0.28-0.33 ms), of a y slab 0.26 ms (0.30-0.62 ms).
"""

from numba import njit, prange

from mindscience.fpenv import flush_subnormals, restore_fpenv

COMPONENTS = {"TM": ("Ez", "Hx", "Hy"), "TE": ("Hz", "Ex", "Ey")}
"""The field components of each polarisation of a 2D grid in the xy-plane."""


# ----------------------------------------------------------------------------- rows
# One row ``i`` of the H or E update; the literal flags ``tm`` and ``te`` select the polarisations, so
# each driver compiles to the loop of its own components only (the "both" loop updates all three per
# cell, which measured 8 % faster than the TM loop and then the TE loop over the row).
@njit(cache=True, inline="always")
def _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, tm, te):
    nx, ny = Ex.shape[0], Ex.shape[1]
    ip = i + 1 if i < nx - 1 else 0
    wx = fx[i]
    if db.size == 3:
        a0, a1, a2 = da[0, 0, 0, 0], da[1, 0, 0, 0], da[2, 0, 0, 0]
        b0, b1, b2 = db[0, 0, 0, 0], db[1, 0, 0, 0], db[2, 0, 0, 0]
        for j in range(ny - 1):
            if tm:
                Hx[i, j, 0] = a0 * Hx[i, j, 0] - b0 * (Ez[i, j + 1, 0] - Ez[i, j, 0]) * rdy
                Hy[i, j, 0] = a1 * Hy[i, j, 0] + b1 * (wx * Ez[ip, j, 0] - Ez[i, j, 0]) * rdx
            if te:
                Hz[i, j, 0] = a2 * Hz[i, j, 0] - b2 * ((wx * Ey[ip, j, 0] - Ey[i, j, 0]) * rdx
                                                      - (Ex[i, j + 1, 0] - Ex[i, j, 0]) * rdy)
        j = ny - 1
        wy = fy[j]
        if tm:
            Hx[i, j, 0] = a0 * Hx[i, j, 0] - b0 * (wy * Ez[i, 0, 0] - Ez[i, j, 0]) * rdy
            Hy[i, j, 0] = a1 * Hy[i, j, 0] + b1 * (wx * Ez[ip, j, 0] - Ez[i, j, 0]) * rdx
        if te:
            Hz[i, j, 0] = a2 * Hz[i, j, 0] - b2 * ((wx * Ey[ip, j, 0] - Ey[i, j, 0]) * rdx
                                                  - (wy * Ex[i, 0, 0] - Ex[i, j, 0]) * rdy)
    else:
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            if tm:
                Hx[i, j, 0] = da[0, i, j, 0] * Hx[i, j, 0] - db[0, i, j, 0] * (wy * Ez[i, jp, 0] - Ez[i, j, 0]) * rdy
                Hy[i, j, 0] = da[1, i, j, 0] * Hy[i, j, 0] + db[1, i, j, 0] * (wx * Ez[ip, j, 0] - Ez[i, j, 0]) * rdx
            if te:
                Hz[i, j, 0] = da[2, i, j, 0] * Hz[i, j, 0] - db[2, i, j, 0] * (
                    (wx * Ey[ip, j, 0] - Ey[i, j, 0]) * rdx - (wy * Ex[i, jp, 0] - Ex[i, j, 0]) * rdy)


@njit(cache=True, inline="always")
def _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, tm, te):
    nx, ny = Ex.shape[0], Ex.shape[1]
    im = i - 1 if i > 0 else nx - 1
    wx = gx[i]
    if cb.size == 3:
        a0, a1, a2 = ca[0, 0, 0, 0], ca[1, 0, 0, 0], ca[2, 0, 0, 0]
        b0, b1, b2 = cb[0, 0, 0, 0], cb[1, 0, 0, 0], cb[2, 0, 0, 0]
        wy = gy[0]
        if te:
            Ex[i, 0, 0] = a0 * Ex[i, 0, 0] + b0 * (Hz[i, 0, 0] - wy * Hz[i, ny - 1, 0]) * rdy
            Ey[i, 0, 0] = a1 * Ey[i, 0, 0] - b1 * (Hz[i, 0, 0] - wx * Hz[im, 0, 0]) * rdx
        if tm:
            Ez[i, 0, 0] = a2 * Ez[i, 0, 0] + b2 * ((Hy[i, 0, 0] - wx * Hy[im, 0, 0]) * rdx
                                                  - (Hx[i, 0, 0] - wy * Hx[i, ny - 1, 0]) * rdy)
        for j in range(1, ny):
            if te:
                Ex[i, j, 0] = a0 * Ex[i, j, 0] + b0 * (Hz[i, j, 0] - Hz[i, j - 1, 0]) * rdy
                Ey[i, j, 0] = a1 * Ey[i, j, 0] - b1 * (Hz[i, j, 0] - wx * Hz[im, j, 0]) * rdx
            if tm:
                Ez[i, j, 0] = a2 * Ez[i, j, 0] + b2 * ((Hy[i, j, 0] - wx * Hy[im, j, 0]) * rdx
                                                      - (Hx[i, j, 0] - Hx[i, j - 1, 0]) * rdy)
    else:
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            if te:
                Ex[i, j, 0] = ca[0, i, j, 0] * Ex[i, j, 0] + cb[0, i, j, 0] * (Hz[i, j, 0] - wy * Hz[i, jm, 0]) * rdy
                Ey[i, j, 0] = ca[1, i, j, 0] * Ey[i, j, 0] - cb[1, i, j, 0] * (Hz[i, j, 0] - wx * Hz[im, j, 0]) * rdx
            if tm:
                Ez[i, j, 0] = ca[2, i, j, 0] * Ez[i, j, 0] + cb[2, i, j, 0] * (
                    (Hy[i, j, 0] - wx * Hy[im, j, 0]) * rdx - (Hx[i, j, 0] - wy * Hx[i, jm, 0]) * rdy)


# ----------------------------------------------------------------------------- both polarisations
@njit(cache=True)
def update_h_2d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """:func:`~electromagnetics.fdtd._kernels.update_h` for 2D grids (shape ``(nx, ny, 1)``): no z
    differences, inner loop along y; both polarisations."""
    old = flush_subnormals()
    for i in range(Ex.shape[0]):
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, True, True)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_h_2d_parallel(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Parallel twin of :func:`update_h_2d` (large 2D grids)."""
    for i in prange(Ex.shape[0]):
        old = flush_subnormals()
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, True, True)
        restore_fpenv(old)


@njit(cache=True)
def update_e_2d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """:func:`~electromagnetics.fdtd._kernels.update_e` for 2D grids (shape ``(nx, ny, 1)``)."""
    old = flush_subnormals()
    for i in range(Ex.shape[0]):
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, True, True)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_e_2d_parallel(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Parallel twin of :func:`update_e_2d`."""
    for i in prange(Ex.shape[0]):
        old = flush_subnormals()
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, True, True)
        restore_fpenv(old)


# ----------------------------------------------------------------------------- TM: Ez, Hx, Hy
@njit(cache=True)
def update_h_2d_tm(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """TM half of :func:`update_h_2d`: ``Hx``, ``Hy`` from ``Ez``; ``Hz`` is not touched.

    ``Hx <- da_x Hx - db_x dEz/dy`` and ``Hy <- da_y Hy + db_y dEz/dx`` (forward differences,
    high-side wrap factors ``fx``, ``fy``).

    Parameters
    ----------
    Hx, Hy, Hz : ndarray, shape (nx, ny, 1), A/m
        Magnetic field; ``Hx`` and ``Hy`` updated in place, ``Hz`` ignored.
    Ex, Ey, Ez : ndarray, shape (nx, ny, 1), V/m
        Electric field at time ``n dt`` (only ``Ez`` is read).
    da, db : ndarray, shape (3, nx, ny, 1) or (3, 1, 1, 1)
        Coefficients as in :func:`~electromagnetics.fdtd._kernels.update_h` (rows 0 and 1 are read).
    rdx, rdy, rdz : float
        Inverse spacings, 1/m (``rdz`` unused).
    fx, fy, fz : ndarray, shape (nx,), (ny,), (1,)
        High-side wrap factors (``fz`` unused).

    Examples
    --------
    >>> import numpy as np
    >>> F = [np.random.default_rng(0).standard_normal((4, 5, 1)) for _ in range(6)]  # Hx..Hz, Ex..Ez
    >>> F[2][...] = F[3][...] = F[4][...] = 0.0  # no TE fields
    >>> G = [f.copy() for f in F]
    >>> c, fx, fy, fz = np.ones((3, 1, 1, 1)), np.ones(4), np.ones(5), np.ones(1)
    >>> update_h_2d(*F, c, c, 1.0, 1.0, 1.0, fx, fy, fz)
    >>> update_h_2d_tm(*G, c, c, 1.0, 1.0, 1.0, fx, fy, fz)
    >>> all(np.array_equal(f, g) for f, g in zip(F, G))
    True
    """
    old = flush_subnormals()
    for i in range(Ez.shape[0]):
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, True, False)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_h_2d_tm_parallel(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Parallel twin of :func:`update_h_2d_tm`."""
    for i in prange(Ez.shape[0]):
        old = flush_subnormals()
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, True, False)
        restore_fpenv(old)


@njit(cache=True)
def update_e_2d_tm(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """TM half of :func:`update_e_2d`: ``Ez <- ca_z Ez + cb_z (dHy/dx - dHx/dy)``; ``Ex``, ``Ey`` not touched.

    Arguments as in :func:`~electromagnetics.fdtd._kernels.update_e` (2D shapes; only ``Hx``,
    ``Hy`` and row 2 of ``ca``/``cb`` are read; ``rdz``, ``gz`` unused).
    """
    old = flush_subnormals()
    for i in range(Ez.shape[0]):
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, True, False)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_e_2d_tm_parallel(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Parallel twin of :func:`update_e_2d_tm`."""
    for i in prange(Ez.shape[0]):
        old = flush_subnormals()
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, True, False)
        restore_fpenv(old)


# ----------------------------------------------------------------------------- TE: Hz, Ex, Ey
@njit(cache=True)
def update_h_2d_te(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """TE half of :func:`update_h_2d`: ``Hz <- da_z Hz - db_z (dEy/dx - dEx/dy)``; ``Hx``, ``Hy`` not touched.

    Arguments as in :func:`update_h_2d_tm` (only ``Ex``, ``Ey`` and row 2 of ``da``/``db`` are read).
    """
    old = flush_subnormals()
    for i in range(Ex.shape[0]):
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, False, True)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_h_2d_te_parallel(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Parallel twin of :func:`update_h_2d_te`."""
    for i in prange(Ex.shape[0]):
        old = flush_subnormals()
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy, False, True)
        restore_fpenv(old)


@njit(cache=True)
def update_e_2d_te(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """TE half of :func:`update_e_2d`: ``Ex <- ca_x Ex + cb_x dHz/dy``, ``Ey <- ca_y Ey - cb_y dHz/dx``.

    ``Ez`` is not touched; arguments as in :func:`update_e_2d_tm` (rows 0 and 1 of ``ca``/``cb``).
    """
    old = flush_subnormals()
    for i in range(Ex.shape[0]):
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, False, True)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_e_2d_te_parallel(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Parallel twin of :func:`update_e_2d_te`."""
    for i in prange(Ex.shape[0]):
        old = flush_subnormals()
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy, False, True)
        restore_fpenv(old)


# ----------------------------------------------------------------------------- one-component CPML slabs
# The slab views have the normal axis first (the caller transposes), shape (n, m, 1). The kernels
# sweep blocks of _JBLOCK values of j, and inside a block layer by layer (l outer, j inner). For an x
# slab (normal axis outer in memory) that streams contiguous runs; for a y slab (normal axis inner)
# a layer touches _JBLOCK rows whose loads are independent, so their cache and TLB misses overlap,
# and the next layers find those rows in cache. The obvious j-outer order hops across L rows with a
# 2^k-byte stride (x slab: same cache sets) or walks one row at a time (y slab: one miss at a time):
# measured 12x (x slab) and 2.5x (y slab) slower at 2048^2. Every cell is computed from the same
# operands in any order.
_JBLOCK = 64  # j values per block (and per parallel task)


@njit(cache=True, inline="always")
def _cpml_cell(F, G, psi, cij, n, i, l, j, bl, al, kl, rd, subtract, h_node):
    """Correct ``F[i, j]`` from the normal difference of ``G``: forward with ``G[n] = 0`` at an H node
    (``h_node``, a literal flag), backward with ``G[-1] = 0`` at an E node."""
    if h_node:
        if i < n - 1:
            dg = (G[i + 1, j, 0] - G[i, j, 0]) * rd
        else:
            dg = -G[i, j, 0] * rd
    else:
        if i > 0:
            dg = (G[i, j, 0] - G[i - 1, j, 0]) * rd
        else:
            dg = G[i, j, 0] * rd
    p = bl * psi[l, j, 0] + al * dg
    psi[l, j, 0] = p
    t = cij * (kl * dg + p)
    if subtract:
        F[i, j, 0] -= t
    else:
        F[i, j, 0] += t


@njit(cache=True, inline="always")
def _cpml_one_block(j0, j1, F, G, psi, c, i0, kinv1, a, b, rd, subtract, h_node):
    """The cells ``j0 <= j < j1`` of every layer (``F`` corrected from ``G``; see :func:`_cpml_cell`)."""
    L = psi.shape[0]
    n = G.shape[0]
    full = c.shape[0] > 1 or c.shape[1] > 1
    c0 = c[0, 0, 0]
    for jb in range(j0, j1, _JBLOCK):
        je = min(j1, jb + _JBLOCK)
        for l in range(L):
            bl, al, kl = b[l], a[l], kinv1[l]
            i = i0 + l
            # two loops, not a per-cell "c[i, j] if full else c0": that conditional load blocks
            # vectorisation (measured 10x slower)
            if full:
                for j in range(jb, je):
                    _cpml_cell(F, G, psi, c[i, j, 0], n, i, l, j, bl, al, kl, rd, subtract, h_node)
            else:
                for j in range(jb, je):
                    _cpml_cell(F, G, psi, c0, n, i, l, j, bl, al, kl, rd, subtract, h_node)


@njit(cache=True, parallel=True)
def cpml_e_one(F, G, psi, c, i0, kinv1, a, b, rd, subtract):
    """CPML correction of ONE E component tangential to axis 0 inside a slab of a 2D grid.

    The single-component half of :func:`~electromagnetics.fdtd._kernels.cpml_e` (same layout:
    views with the slab's normal axis first, here with a unit third axis)::

        psi = b psi + a dG/dd ;   F -= c ((1/kappa - 1) dG/dd + psi)   (subtract=True, F = E_u, G = H_v)
                                  F += c (...)                         (subtract=False, F = E_v, G = H_u)

    with ``dG/dd = (G[i] - G[i-1]) * rd`` (``G[-1] = 0``: the slab is PEC-backed). The arithmetic
    is that of ``cpml_e`` for the same component, so the results are bit-identical; a slab's two
    components (a 2D run of both polarisations) are two calls.

    Parameters
    ----------
    F : ndarray, shape (n, m, 1), V/m
        The corrected E component; updated in place.
    G : ndarray, shape (n, m, 1), A/m
        The H component whose normal derivative drives ``F``.
    psi : ndarray, shape (L, m, 1), A/m^2
        Convolution memory of ``F`` in this slab; updated in place.
    c : ndarray, shape (n|1, m|1, 1)
        The ``cb`` coefficient of ``F`` (broadcast views allowed).
    i0 : int
        Index along axis 0 of the slab's first layer.
    kinv1, a, b : ndarray, shape (L,)
        CPML profiles at the slab's E nodes.
    rd : float
        Inverse spacing along the normal, 1/m.
    subtract : bool
        True for the slab's ``u`` component, False for ``v`` (right-handed triple (d, u, v)).

    Examples
    --------
    >>> import numpy as np
    >>> F, G = np.zeros((6, 3, 1)), np.ones((6, 3, 1))
    >>> psi = np.zeros((2, 3, 1))
    >>> one = np.ones(2)
    >>> cpml_e_one(F, G, psi, np.ones((1, 1, 1)), 4, 0 * one, 0.5 * one, one, 1.0, False)
    >>> F[:, 0, 0].tolist()  # dG/dd = 0 inside the slab (rows 4, 5): nothing to add
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    m = F.shape[1]
    for t in prange((m + _JBLOCK - 1) // _JBLOCK):
        _cpml_one_block(t * _JBLOCK, min(m, (t + 1) * _JBLOCK), F, G, psi, c, i0, kinv1, a, b, rd, subtract, False)


@njit(cache=True)
def cpml_e_one_serial(F, G, psi, c, i0, kinv1, a, b, rd, subtract):
    """Serial twin of :func:`cpml_e_one`."""
    m = F.shape[1]
    for t in range((m + _JBLOCK - 1) // _JBLOCK):
        _cpml_one_block(t * _JBLOCK, min(m, (t + 1) * _JBLOCK), F, G, psi, c, i0, kinv1, a, b, rd, subtract, False)


@njit(cache=True, parallel=True)
def cpml_h_one(G, F, psi, d, i0, kinv1, a, b, rd, subtract):
    """CPML correction of ONE H component tangential to axis 0 inside a slab of a 2D grid.

    The single-component half of :func:`~electromagnetics.fdtd._kernels.cpml_h`, with
    ``dF/dd = (F[i+1] - F[i]) * rd`` (``F[n] = 0``)::

        psi = b psi + a dF/dd ;   G += d ((1/kappa - 1) dF/dd + psi)   (subtract=False, G = H_u, F = E_v)
                                  G -= d (...)                         (subtract=True,  G = H_v, F = E_u)

    ``d`` is the ``db`` coefficient of ``G``; ``kinv1, a, b`` are sampled at the H nodes. Other
    arguments as in :func:`cpml_e_one`.
    """
    m = F.shape[1]
    for t in prange((m + _JBLOCK - 1) // _JBLOCK):
        _cpml_one_block(t * _JBLOCK, min(m, (t + 1) * _JBLOCK), G, F, psi, d, i0, kinv1, a, b, rd, subtract, True)


@njit(cache=True)
def cpml_h_one_serial(G, F, psi, d, i0, kinv1, a, b, rd, subtract):
    """Serial twin of :func:`cpml_h_one`."""
    m = F.shape[1]
    for t in range((m + _JBLOCK - 1) // _JBLOCK):
        _cpml_one_block(t * _JBLOCK, min(m, (t + 1) * _JBLOCK), G, F, psi, d, i0, kinv1, a, b, rd, subtract, True)


# ----------------------------------------------------------------------------- 1D grids: the same split
# A 1D grid (shape (nx, 1, 1), along x) carries the TM pair Ez/Hy and the TE pair Ey/Hz (plus the
# static longitudinal Hx, in TM, and Ex, in TE, which only decay with da/ca); both polarisations
# are the two halves in turn (:func:`update_h_1d`, :func:`update_e_1d`).
@njit(cache=True, inline="always")
def _h_1d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, fx, tm, te):
    """H of a 1D grid; literal flags ``tm`` (``Hy`` from ``dEz/dx``, ``Hx`` decays) and ``te``
    (``Hz`` from ``dEy/dx``)."""
    nx = Ex.shape[0]
    uni = db.size == 3
    for i in range(nx):
        s = 0 if uni else i
        if tm:
            if i < nx - 1:
                dez = (Ez[i + 1, 0, 0] - Ez[i, 0, 0]) * rdx
            else:
                dez = (fx[i] * Ez[0, 0, 0] - Ez[i, 0, 0]) * rdx
            Hx[i, 0, 0] = da[0, s, 0, 0] * Hx[i, 0, 0]
            Hy[i, 0, 0] = da[1, s, 0, 0] * Hy[i, 0, 0] + db[1, s, 0, 0] * dez
        if te:
            if i < nx - 1:
                dey = (Ey[i + 1, 0, 0] - Ey[i, 0, 0]) * rdx
            else:
                dey = (fx[i] * Ey[0, 0, 0] - Ey[i, 0, 0]) * rdx
            Hz[i, 0, 0] = da[2, s, 0, 0] * Hz[i, 0, 0] - db[2, s, 0, 0] * dey


@njit(cache=True, inline="always")
def _e_1d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, gx, tm, te):
    """E of a 1D grid; literal flags ``tm`` (``Ez`` from ``dHy/dx``) and ``te`` (``Ey`` from
    ``dHz/dx``, ``Ex`` decays)."""
    nx = Ex.shape[0]
    uni = cb.size == 3
    for i in range(nx):
        s = 0 if uni else i
        if tm:
            if i > 0:
                dhy = (Hy[i, 0, 0] - Hy[i - 1, 0, 0]) * rdx
            else:
                dhy = (Hy[0, 0, 0] - gx[0] * Hy[nx - 1, 0, 0]) * rdx
            Ez[i, 0, 0] = ca[2, s, 0, 0] * Ez[i, 0, 0] + cb[2, s, 0, 0] * dhy
        if te:
            if i > 0:
                dhz = (Hz[i, 0, 0] - Hz[i - 1, 0, 0]) * rdx
            else:
                dhz = (Hz[0, 0, 0] - gx[0] * Hz[nx - 1, 0, 0]) * rdx
            Ex[i, 0, 0] = ca[0, s, 0, 0] * Ex[i, 0, 0]
            Ey[i, 0, 0] = ca[1, s, 0, 0] * Ey[i, 0, 0] - cb[1, s, 0, 0] * dhz


@njit(cache=True)
def update_h_1d_tm(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """TM half of :func:`update_h_1d`: ``Hy`` from ``dEz/dx``, ``Hx`` decays."""
    _h_1d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, fx, True, False)


@njit(cache=True)
def update_e_1d_tm(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """TM half of :func:`update_e_1d`: ``Ez`` from ``dHy/dx``."""
    _e_1d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, gx, True, False)


@njit(cache=True)
def update_h_1d_te(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """TE half of :func:`update_h_1d`: ``Hz`` from ``dEy/dx``."""
    _h_1d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, fx, False, True)


@njit(cache=True)
def update_e_1d_te(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """TE half of :func:`update_e_1d`: ``Ey`` from ``dHz/dx``, ``Ex`` decays."""
    _e_1d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, gx, False, True)


@njit(cache=True)
def update_h_1d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """:func:`~electromagnetics.fdtd._kernels.update_h` for 1D grids (shape ``(nx, 1, 1)``, uniform
    ``da``/``db`` or not): the TM and the TE half, which share no component."""
    _h_1d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, fx, True, True)


@njit(cache=True)
def update_e_1d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """:func:`~electromagnetics.fdtd._kernels.update_e` for 1D grids: the TM and the TE half."""
    _e_1d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, gx, True, True)


_BULK = {("both", False): (update_h_2d, update_e_2d),
         ("both", True): (update_h_2d_parallel, update_e_2d_parallel),
         ("TM", False): (update_h_2d_tm, update_e_2d_tm),
         ("TM", True): (update_h_2d_tm_parallel, update_e_2d_tm_parallel),
         ("TE", False): (update_h_2d_te, update_e_2d_te),
         ("TE", True): (update_h_2d_te_parallel, update_e_2d_te_parallel)}


def kernels(parallel, polarization, ndim=2):
    """``(update_h, update_e, cpml_h_one, cpml_e_one)`` of a 2D grid for ``polarization`` "both", "TM"
    or "TE": parallel kernels or serial twins (a "both" slab calls the one-component kernels twice).

    ``ndim=1``: the kernels of 1D grids (serial).
    """
    if ndim == 1:
        kh, ke = {"TM": (update_h_1d_tm, update_e_1d_tm), "TE": (update_h_1d_te, update_e_1d_te),
                  "both": (update_h_1d, update_e_1d)}[polarization]
        return kh, ke, cpml_h_one_serial, cpml_e_one_serial
    kh, ke = _BULK[(polarization, bool(parallel))]
    if parallel:
        return kh, ke, cpml_h_one, cpml_e_one
    return kh, ke, cpml_h_one_serial, cpml_e_one_serial
