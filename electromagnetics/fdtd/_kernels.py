"""Pure numba kernels of the Yee scheme: field updates, CPML slab corrections, ADE poles, DFT sums.

Every kernel works on plain arrays and scalars (no objects, no globals), writes in place into
arrays the caller allocated, and is tested against a short numpy version in
``tests/electromagnetics/test_kernels.py``.

Staggering (cell indices ``i, j, k``, spacing ``dx, dy, dz``; all six arrays have shape ``(nx, ny, nz)``):

======  =========================  ======  =========================
``Ex``  ``((i+1/2)dx, j dy, k dz)``   ``Hx``  ``(i dx, (j+1/2)dy, (k+1/2)dz)``
``Ey``  ``(i dx, (j+1/2)dy, k dz)``   ``Hy``  ``((i+1/2)dx, j dy, (k+1/2)dz)``
``Ez``  ``(i dx, j dy, (k+1/2)dz)``   ``Hz``  ``((i+1/2)dx, (j+1/2)dy, k dz)``
======  =========================  ======  =========================

E lives at integer times ``n dt``, H at half-integer times ``(n+1/2) dt``.

Boundaries enter the bulk kernels only through *wrap factors*: along an axis of ``n`` cells the H
update needs E at index ``n`` (one past the end) and uses ``fhi[n-1] * E[0]``; the E update needs H
at index ``-1`` and uses ``glo[0] * H[n-1]``. All other entries of ``fhi``/``glo`` are 1. The wrap
factor is 1 for periodic, ``exp(±i k L)`` for Bloch-periodic (complex fields) and 0 for a wall
(PEC/PMC/CPML-backed). A degenerate axis (``n = 1``) is periodic with factor 1, so its differences
vanish exactly. 1D and 2D grids have their own kernels in :mod:`electromagnetics.fdtd._kernels_2d`
(one or both polarisations), chosen by :func:`bulk_kernels`.

The 3D kernels (and the 2D bulk kernels) flush subnormal floats to zero while they run
(:mod:`mindscience.fpenv`): decaying fields make subnormals at every wavefront, and arithmetic on
them is tens of times slower.
"""

import numpy as np
from numba import njit, prange

from mindscience.fpenv import flush_subnormals, restore_fpenv


# ----------------------------------------------------------------------------- bulk Yee updates
@njit(cache=True, inline="always")
def _h_bulk_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Bulk H update of the line ``(i, j, :)``."""
    nx, ny, nz = Ex.shape
    ip = i + 1 if i < nx - 1 else 0
    wx = fx[i]
    jp = j + 1 if j < ny - 1 else 0
    wy = fy[j]
    if db.size == 3:
        a0, a1, a2 = da[0, 0, 0, 0], da[1, 0, 0, 0], da[2, 0, 0, 0]
        b0, b1, b2 = db[0, 0, 0, 0], db[1, 0, 0, 0], db[2, 0, 0, 0]
        for k in range(nz - 1):
            Hx[i, j, k] = a0 * Hx[i, j, k] - b0 * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                                  - (Ey[i, j, k + 1] - Ey[i, j, k]) * rdz)
            Hy[i, j, k] = a1 * Hy[i, j, k] - b1 * ((Ex[i, j, k + 1] - Ex[i, j, k]) * rdz
                                                  - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
            Hz[i, j, k] = a2 * Hz[i, j, k] - b2 * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                                  - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
        k = nz - 1
        wz = fz[k]
        Hx[i, j, k] = a0 * Hx[i, j, k] - b0 * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                              - (wz * Ey[i, j, 0] - Ey[i, j, k]) * rdz)
        Hy[i, j, k] = a1 * Hy[i, j, k] - b1 * ((wz * Ex[i, j, 0] - Ex[i, j, k]) * rdz
                                              - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
        Hz[i, j, k] = a2 * Hz[i, j, k] - b2 * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                              - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
    else:
        for k in range(nz):
            kp = k + 1 if k < nz - 1 else 0
            wz = fz[k]
            Hx[i, j, k] = da[0, i, j, k] * Hx[i, j, k] - db[0, i, j, k] * (
                (wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy - (wz * Ey[i, j, kp] - Ey[i, j, k]) * rdz)
            Hy[i, j, k] = da[1, i, j, k] * Hy[i, j, k] - db[1, i, j, k] * (
                (wz * Ex[i, j, kp] - Ex[i, j, k]) * rdz - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
            Hz[i, j, k] = da[2, i, j, k] * Hz[i, j, k] - db[2, i, j, k] * (
                (wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)


@njit(cache=True, inline="always")
def _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    for j in range(Ex.shape[1]):
        _h_bulk_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)


@njit(cache=True, parallel=True)
def update_h(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """H^{n+1/2} = da*H^{n-1/2} - db*curl E^n on the whole grid.

    Parameters
    ----------
    Hx, Hy, Hz : ndarray, shape (nx, ny, nz), A/m
        Magnetic field, updated in place.
    Ex, Ey, Ez : ndarray, shape (nx, ny, nz), V/m
        Electric field at time ``n dt``.
    da, db : ndarray, shape (3, nx, ny, nz) or (3, 1, 1, 1)
        Per-component coefficients ``(1 - s)/(1 + s)`` and ``dt/mu/(1 + s)`` with
        ``s = sigma_m dt / (2 mu)`` (units 1 and m/(H/m) s = A s/(V ...)); shape ``(3,1,1,1)``
        means uniform (one value per component).
    rdx, rdy, rdz : float
        Inverse spacings, 1/m.
    fx, fy, fz : ndarray, shape (nx,), (ny,), (nz,)
        High-side wrap factors (see module docstring).
    """
    for i in prange(Ex.shape[0]):
        old = flush_subnormals()
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
        restore_fpenv(old)


@njit(cache=True)
def update_h_serial(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Serial twin of :func:`update_h` (small grids: no thread launch overhead)."""
    old = flush_subnormals()
    for i in range(Ex.shape[0]):
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
    restore_fpenv(old)


@njit(cache=True, inline="always")
def _e_bulk_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Bulk E update of the line ``(i, j, :)``."""
    nx, ny, nz = Ex.shape
    im = i - 1 if i > 0 else nx - 1
    wx = gx[i]
    jm = j - 1 if j > 0 else ny - 1
    wy = gy[j]
    if cb.size == 3:
        a0, a1, a2 = ca[0, 0, 0, 0], ca[1, 0, 0, 0], ca[2, 0, 0, 0]
        b0, b1, b2 = cb[0, 0, 0, 0], cb[1, 0, 0, 0], cb[2, 0, 0, 0]
        k = 0
        wz = gz[0]
        Ex[i, j, k] = a0 * Ex[i, j, k] + b0 * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                              - (Hy[i, j, k] - wz * Hy[i, j, nz - 1]) * rdz)
        Ey[i, j, k] = a1 * Ey[i, j, k] + b1 * ((Hx[i, j, k] - wz * Hx[i, j, nz - 1]) * rdz
                                              - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
        Ez[i, j, k] = a2 * Ez[i, j, k] + b2 * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                              - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)
        for k in range(1, nz):
            Ex[i, j, k] = a0 * Ex[i, j, k] + b0 * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                                  - (Hy[i, j, k] - Hy[i, j, k - 1]) * rdz)
            Ey[i, j, k] = a1 * Ey[i, j, k] + b1 * ((Hx[i, j, k] - Hx[i, j, k - 1]) * rdz
                                                  - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
            Ez[i, j, k] = a2 * Ez[i, j, k] + b2 * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                                  - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)
    else:
        for k in range(nz):
            km = k - 1 if k > 0 else nz - 1
            wz = gz[k]
            Ex[i, j, k] = ca[0, i, j, k] * Ex[i, j, k] + cb[0, i, j, k] * (
                (Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy - (Hy[i, j, k] - wz * Hy[i, j, km]) * rdz)
            Ey[i, j, k] = ca[1, i, j, k] * Ey[i, j, k] + cb[1, i, j, k] * (
                (Hx[i, j, k] - wz * Hx[i, j, km]) * rdz - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
            Ez[i, j, k] = ca[2, i, j, k] * Ez[i, j, k] + cb[2, i, j, k] * (
                (Hy[i, j, k] - wx * Hy[im, j, k]) * rdx - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)


@njit(cache=True, inline="always")
def _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    for j in range(Ex.shape[1]):
        _e_bulk_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz)


@njit(cache=True, parallel=True)
def update_e(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """E^{n+1} = ca*E^n + cb*curl H^{n+1/2} on the whole grid.

    Parameters
    ----------
    Ex, Ey, Ez : ndarray, shape (nx, ny, nz), V/m
        Electric field, updated in place.
    Hx, Hy, Hz : ndarray, shape (nx, ny, nz), A/m
        Magnetic field at time ``(n+1/2) dt``.
    ca, cb : ndarray, shape (3, nx, ny, nz) or (3, 1, 1, 1)
        ``(1 - s)/(1 + s)`` and ``dt/eps/(1 + s)`` with ``s = sigma dt/(2 eps)``.
    rdx, rdy, rdz : float
        Inverse spacings, 1/m.
    gx, gy, gz : ndarray, shape (nx,), (ny,), (nz,)
        Low-side wrap factors (see module docstring).
    """
    for i in prange(Ex.shape[0]):
        old = flush_subnormals()
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz)
        restore_fpenv(old)


@njit(cache=True)
def update_e_serial(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Serial twin of :func:`update_e`."""
    old = flush_subnormals()
    for i in range(Ex.shape[0]):
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz)
    restore_fpenv(old)


# ----------------------------------------------------------------------------- 3D: bulk + CPML fused
# One call per half-step does the bulk update and the CPML corrections plane by plane: on each x
# plane, the bulk update of every line ``F[i, j, :]``, then the corrections of the x, y and z layers
# (each node sees them in that order), while the plane is still in L2 cache. One small loop nest per
# phase compiles to tighter code than one line kernel that does everything. The psi arrays
# are in the grid's own axis order (no transposed views): ``psx: (2, Lx, ny, nz)``,
# ``psy: (2, nx, Ly, nz)``, ``psz: (2, nx, ny, Lz)`` where ``L*`` is the total thickness of the
# CPML layers on that axis (0 when none) and ``pos*[i]`` maps a grid index to its layer (-1 outside).
#
# Coefficients come as *line tables* (:func:`coefficient_lines`): the distinct lines ``c[m, i, j, :]``
# of the coefficient arrays are rows of one table ``tab (nrows, nz)``, and ``ida[m, i, j]`` is the row
# of component ``m`` of line ``(i, j)``. A dielectric sphere in vacuum has one row for every line
# outside it, so its coefficients cost almost no memory traffic; rows flagged in ``uni`` are constant
# and run a loop with scalar coefficients. The kernels index the big arrays directly and never slice
# them: a slice inside the line loop is an array object whose reference count numba updates
# atomically, which measured 20-30 % of the step.
@njit(cache=True, inline="always")
def _all_uniform(uni, r0, r1, r2, r3, r4, r5):
    return uni[r0] and uni[r1] and uni[r2] and uni[r3] and uni[r4] and uni[r5]


@njit(cache=True, inline="always")
def _h_tab_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz):
    """Bulk H update of the line ``(i, j, :)`` with line-table coefficients."""
    nx, ny, nz = Ex.shape
    ip = i + 1 if i < nx - 1 else 0
    jp = j + 1 if j < ny - 1 else 0
    wx, wy, wz = fx[i], fy[j], fz[nz - 1]
    ra0, ra1, ra2 = ida[0, i, j], ida[1, i, j], ida[2, i, j]
    r0, r1, r2 = idb[0, i, j], idb[1, i, j], idb[2, i, j]
    if _all_uniform(uni, ra0, ra1, ra2, r0, r1, r2):
        a0, a1, a2, b0, b1, b2 = tab[ra0, 0], tab[ra1, 0], tab[ra2, 0], tab[r0, 0], tab[r1, 0], tab[r2, 0]
        for k in range(nz - 1):
            Hx[i, j, k] = a0 * Hx[i, j, k] - b0 * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                                  - (Ey[i, j, k + 1] - Ey[i, j, k]) * rdz)
            Hy[i, j, k] = a1 * Hy[i, j, k] - b1 * ((Ex[i, j, k + 1] - Ex[i, j, k]) * rdz
                                                  - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
            Hz[i, j, k] = a2 * Hz[i, j, k] - b2 * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                                  - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
    else:
        for k in range(nz - 1):
            Hx[i, j, k] = tab[ra0, k] * Hx[i, j, k] - tab[r0, k] * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                                                   - (Ey[i, j, k + 1] - Ey[i, j, k]) * rdz)
            Hy[i, j, k] = tab[ra1, k] * Hy[i, j, k] - tab[r1, k] * ((Ex[i, j, k + 1] - Ex[i, j, k]) * rdz
                                                                   - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
            Hz[i, j, k] = tab[ra2, k] * Hz[i, j, k] - tab[r2, k] * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                                                   - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
    k = nz - 1
    Hz[i, j, k] = tab[ra2, k] * Hz[i, j, k] - tab[r2, k] * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                                           - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
    Hx[i, j, k] = tab[ra0, k] * Hx[i, j, k] - tab[r0, k] * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                                           - (wz * Ey[i, j, 0] - Ey[i, j, k]) * rdz)
    Hy[i, j, k] = tab[ra1, k] * Hy[i, j, k] - tab[r1, k] * ((wz * Ex[i, j, 0] - Ex[i, j, k]) * rdz
                                                           - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)


@njit(cache=True, inline="always")
def _psi_z(p, psz, i, j, l, k, dv, du):
    """Advance the two z-CPML memories of node ``(i, j, k)`` (layer ``l``) by one step,
    ``psi = b psi + a d`` with ``a, b = p[1, k], p[2, k]``; returns the new ``(psi_u, psi_v)``."""
    pu = p[2, k] * psz[0, i, j, l] + p[1, k] * dv
    pv = p[2, k] * psz[1, i, j, l] + p[1, k] * du
    psz[0, i, j, l] = pu
    psz[1, i, j, l] = pv
    return pu, pv


@njit(cache=True, inline="always")
def _h_zlayers(i, j, k0, k1, l0, Hx, Hy, Ex, Ey, tab, r0, r1, rdz, phz, psz):
    """z-CPML of H nodes ``k0 <= k < k1`` (all with an in-array +z neighbour), layer ``l0 + k - k0``.

    Unsigned ``k`` and ``l`` (numba emits no negative-index wraparound code for them) and E carried
    from one node to the next. These 10-node loops run scalar (too short to vectorise); this form
    measured 3.6-3.9 against 4.5-5.1 ns per node pair for the plain signed loop (float32, cache-hot,
    two runs); in float64 the two were within the noise. Two vectorised forms were measured and not
    adopted: 4- or 8-wide straight-line blocks (all loads, then all stores) vectorise only under
    LLVM's SLP vectoriser, which numba leaves off by default (numba PR 8852, miscompilations); with
    it on they took 1.0-2.0 against 2.6-4.1 ns per node cache-hot, but the 148^3 sphere + CPML step
    did not get measurably faster (fastest of 15: 13.1 against 13.5 ms in float32), so in the full
    step this phase is not compute-bound. Four single-output loops (few enough arrays for the loop
    vectoriser's alias checks) were slower: 4.1 against 3.1 ns per node."""
    ui, uj, uk0, ul0 = np.uint64(i), np.uint64(j), np.uint64(k0), np.uint64(l0)
    one = np.uint64(1)
    ey, ex = Ey[ui, uj, uk0], Ex[ui, uj, uk0]
    for k in range(uk0, np.uint64(k1)):
        l = ul0 + k - uk0
        ey1, ex1 = Ey[ui, uj, k + one], Ex[ui, uj, k + one]
        dv = (ey1 - ey) * rdz
        du = (ex1 - ex) * rdz
        pu, pv = _psi_z(phz, psz, ui, uj, l, k, dv, du)
        Hx[ui, uj, k] += tab[r0, k] * (phz[0, k] * dv + pu)
        Hy[ui, uj, k] -= tab[r1, k] * (phz[0, k] * du + pv)
        ey, ex = ey1, ex1


@njit(cache=True, inline="always")
def _cpml_line(F, G, i, j, gi, gj, w, psi, c, p1, p2, tab, r, kp, ap, bp, rd, high, add):
    """x- or y-CPML correction of the line ``F[i, j, :]`` from the normal derivative of ``G``.

    ``d = (w G[gi, gj] - G[i, j]) rd`` for an H line (``high``: neighbour on the high side) or
    ``(G[i, j] - w G[gi, gj]) rd`` for an E line; ``psi[c, p1, p2] = b psi + a d`` and
    ``F += tab[r] ((1/kappa - 1) d + psi)`` (``add``) or ``-=``. Literal flags at every call, so
    each inlined copy is one branch-free, vectorised loop."""
    for k in range(F.shape[2]):
        if high:
            d = (w * G[gi, gj, k] - G[i, j, k]) * rd
        else:
            d = (G[i, j, k] - w * G[gi, gj, k]) * rd
        p = bp * psi[c, p1, p2, k] + ap * d
        psi[c, p1, p2, k] = p
        if add:
            F[i, j, k] += tab[r, k] * (kp * d + p)
        else:
            F[i, j, k] -= tab[r, k] * (kp * d + p)


@njit(cache=True)
def _h_plane(i, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
             posx, posy, posz, phx, phy, phz, psx, psy, psz, zlo, zhi):
    """H on the x plane ``i``: the bulk update of every line, then the CPML corrections along x, y
    and z (each node sees them in that order). A phase per loop nest keeps each loop small."""
    nx, ny, nz = Ex.shape
    for j in range(ny):
        _h_tab_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz)
    ip = i + 1 if i < nx - 1 else 0
    wx = fx[i]
    # CPML along x (u = y, v = z): Hy += b ((1/kappa - 1) dEz/dx + psi), Hz -= b (... dEy/dx ...)
    l = posx[i]
    if l >= 0:
        kp, ap, bp = phx[0, i], phx[1, i], phx[2, i]
        for j in range(ny):
            _cpml_line(Hy, Ez, i, j, ip, j, wx, psx, 0, l, j, tab, idb[1, i, j], kp, ap, bp, rdx, True, True)
            _cpml_line(Hz, Ey, i, j, ip, j, wx, psx, 1, l, j, tab, idb[2, i, j], kp, ap, bp, rdx, True, False)
    # CPML along y (u = z, v = x): Hz += b (... dEx/dy ...), Hx -= b (... dEz/dy ...)
    for j in range(ny):
        l = posy[j]
        if l >= 0:
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            kp, ap, bp = phy[0, j], phy[1, j], phy[2, j]
            _cpml_line(Hz, Ex, i, j, i, jp, wy, psy, 0, i, l, tab, idb[2, i, j], kp, ap, bp, rdy, True, True)
            _cpml_line(Hx, Ez, i, j, i, jp, wy, psy, 1, i, l, tab, idb[0, i, j], kp, ap, bp, rdy, True, False)
    # CPML along z (u = x, v = y), only the layers' k: Hx += b (... dEy/dz ...), Hy -= b (... dEx/dz ...)
    if zlo > 0 or zhi < nz:
        k = nz - 1
        wz = fz[k]
        l = posz[k]
        for j in range(ny):
            r0, r1 = idb[0, i, j], idb[1, i, j]
            if zlo > 0:
                _h_zlayers(i, j, 0, min(zlo, nz - 1), 0, Hx, Hy, Ex, Ey, tab, r0, r1, rdz, phz, psz)
            if zhi < nz:
                _h_zlayers(i, j, zhi, nz - 1, zlo, Hx, Hy, Ex, Ey, tab, r0, r1, rdz, phz, psz)
            if l >= 0:  # the last node: its +z neighbour is the wrapped ghost
                dv = (wz * Ey[i, j, 0] - Ey[i, j, k]) * rdz
                du = (wz * Ex[i, j, 0] - Ex[i, j, k]) * rdz
                pu, pv = _psi_z(phz, psz, i, j, l, k, dv, du)
                Hx[i, j, k] += tab[r0, k] * (phz[0, k] * dv + pu)
                Hy[i, j, k] -= tab[r1, k] * (phz[0, k] * du + pv)


@njit(cache=True, inline="always")
def _e_tab_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, tab, ida, idb, uni, rdx, rdy, rdz, gx, gy, gz):
    """Bulk E update of the line ``(i, j, :)`` with line-table coefficients."""
    nx, ny, nz = Ex.shape
    im = i - 1 if i > 0 else nx - 1
    jm = j - 1 if j > 0 else ny - 1
    wx, wy, wz = gx[i], gy[j], gz[0]
    ra0, ra1, ra2 = ida[0, i, j], ida[1, i, j], ida[2, i, j]
    r0, r1, r2 = idb[0, i, j], idb[1, i, j], idb[2, i, j]
    k = 0
    Ex[i, j, k] = tab[ra0, k] * Ex[i, j, k] + tab[r0, k] * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                                           - (Hy[i, j, k] - wz * Hy[i, j, nz - 1]) * rdz)
    Ey[i, j, k] = tab[ra1, k] * Ey[i, j, k] + tab[r1, k] * ((Hx[i, j, k] - wz * Hx[i, j, nz - 1]) * rdz
                                                           - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
    Ez[i, j, k] = tab[ra2, k] * Ez[i, j, k] + tab[r2, k] * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                                           - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)
    if _all_uniform(uni, ra0, ra1, ra2, r0, r1, r2):
        a0, a1, a2, b0, b1, b2 = tab[ra0, 0], tab[ra1, 0], tab[ra2, 0], tab[r0, 0], tab[r1, 0], tab[r2, 0]
        for k in range(1, nz):
            Ex[i, j, k] = a0 * Ex[i, j, k] + b0 * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                                  - (Hy[i, j, k] - Hy[i, j, k - 1]) * rdz)
            Ey[i, j, k] = a1 * Ey[i, j, k] + b1 * ((Hx[i, j, k] - Hx[i, j, k - 1]) * rdz
                                                  - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
            Ez[i, j, k] = a2 * Ez[i, j, k] + b2 * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                                  - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)
    else:
        for k in range(1, nz):
            Ex[i, j, k] = tab[ra0, k] * Ex[i, j, k] + tab[r0, k] * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                                                   - (Hy[i, j, k] - Hy[i, j, k - 1]) * rdz)
            Ey[i, j, k] = tab[ra1, k] * Ey[i, j, k] + tab[r1, k] * ((Hx[i, j, k] - Hx[i, j, k - 1]) * rdz
                                                                   - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
            Ez[i, j, k] = tab[ra2, k] * Ez[i, j, k] + tab[r2, k] * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                                                   - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)


@njit(cache=True, inline="always")
def _e_zlayers(i, j, k0, k1, l0, Ex, Ey, Hx, Hy, tab, r0, r1, rdz, pez, psz):
    """z-CPML of E nodes ``k0 <= k < k1`` (all with an in-array -z neighbour), layer ``l0 + k - k0``
    (unsigned indices, H carried: as :func:`_h_zlayers`)."""
    ui, uj, uk0, ul0 = np.uint64(i), np.uint64(j), np.uint64(k0), np.uint64(l0)
    one = np.uint64(1)
    hy, hx = Hy[ui, uj, uk0 - one], Hx[ui, uj, uk0 - one]
    for k in range(uk0, np.uint64(k1)):
        l = ul0 + k - uk0
        hy1, hx1 = Hy[ui, uj, k], Hx[ui, uj, k]
        dv = (hy1 - hy) * rdz
        du = (hx1 - hx) * rdz
        pu, pv = _psi_z(pez, psz, ui, uj, l, k, dv, du)
        Ex[ui, uj, k] -= tab[r0, k] * (pez[0, k] * dv + pu)
        Ey[ui, uj, k] += tab[r1, k] * (pez[0, k] * du + pv)
        hy, hx = hy1, hx1


@njit(cache=True)
def _e_plane(i, Ex, Ey, Ez, Hx, Hy, Hz, tab, ida, idb, uni, rdx, rdy, rdz, gx, gy, gz,
             posx, posy, posz, pex, pey, pez, psx, psy, psz, zlo, zhi):
    """E on the x plane ``i``: the E-node twin of :func:`_h_plane`."""
    nx, ny, nz = Ex.shape
    for j in range(ny):
        _e_tab_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, tab, ida, idb, uni, rdx, rdy, rdz, gx, gy, gz)
    im = i - 1 if i > 0 else nx - 1
    wx = gx[i]
    # CPML along x (u = y, v = z): Ey -= b ((1/kappa - 1) dHz/dx + psi), Ez += b (... dHy/dx ...)
    l = posx[i]
    if l >= 0:
        kp, ap, bp = pex[0, i], pex[1, i], pex[2, i]
        for j in range(ny):
            _cpml_line(Ey, Hz, i, j, im, j, wx, psx, 0, l, j, tab, idb[1, i, j], kp, ap, bp, rdx, False, False)
            _cpml_line(Ez, Hy, i, j, im, j, wx, psx, 1, l, j, tab, idb[2, i, j], kp, ap, bp, rdx, False, True)
    # CPML along y (u = z, v = x): Ez -= b (... dHx/dy ...), Ex += b (... dHz/dy ...)
    for j in range(ny):
        l = posy[j]
        if l >= 0:
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            kp, ap, bp = pey[0, j], pey[1, j], pey[2, j]
            _cpml_line(Ez, Hx, i, j, i, jm, wy, psy, 0, i, l, tab, idb[2, i, j], kp, ap, bp, rdy, False, False)
            _cpml_line(Ex, Hz, i, j, i, jm, wy, psy, 1, i, l, tab, idb[0, i, j], kp, ap, bp, rdy, False, True)
    # CPML along z (u = x, v = y), only the layers' k: Ex -= b (... dHy/dz ...), Ey += b (... dHx/dz ...)
    if zlo > 0 or zhi < nz:
        wz = gz[0]
        l = posz[0]
        k0 = max(zhi, 1)
        for j in range(ny):
            r0, r1 = idb[0, i, j], idb[1, i, j]
            if l >= 0:  # the first node: its -z neighbour is the wrapped ghost
                dv = (Hy[i, j, 0] - wz * Hy[i, j, nz - 1]) * rdz
                du = (Hx[i, j, 0] - wz * Hx[i, j, nz - 1]) * rdz
                pu, pv = _psi_z(pez, psz, i, j, l, 0, dv, du)
                Ex[i, j, 0] -= tab[r0, 0] * (pez[0, 0] * dv + pu)
                Ey[i, j, 0] += tab[r1, 0] * (pez[0, 0] * du + pv)
            if zlo > 1:
                _e_zlayers(i, j, 1, zlo, 1, Ex, Ey, Hx, Hy, tab, r0, r1, rdz, pez, psz)
            if zhi < nz:
                _e_zlayers(i, j, k0, nz, zlo + k0 - zhi, Ex, Ey, Hx, Hy, tab, r0, r1, rdz, pez, psz)


@njit(cache=True, inline="always")
def _z_layers(posz):
    """``(zlo, zhi)``: CPML layers along z occupy ``k < zlo`` and ``k >= zhi``."""
    nz = posz.shape[0]
    zlo = 0
    while zlo < nz and posz[zlo] >= 0:
        zlo += 1
    zhi = nz
    while zhi > zlo and posz[zhi - 1] >= 0:
        zhi -= 1
    return zlo, zhi


def coefficient_lines(coefficients, shape):
    """Line tables of update coefficients for the fused 3D kernels.

    Parameters
    ----------
    coefficients : sequence of ndarray, each shape (3, nx, ny, nz) or (3, 1, 1, 1)
        Per-component coefficient arrays (e.g. ``da, db`` or ``ca, cb``; unitless or s/(F/m) and
        s/(H/m)); ``(3, 1, 1, 1)`` means uniform.
    shape : tuple of 3 int
        Grid shape ``(nx, ny, nz)``.

    Returns
    -------
    tab : ndarray, shape (nrows, nz)
        The distinct coefficient lines of all arrays (dtype of the coefficients).
    ids : list of ndarray of int32, each shape (3, nx, ny)
        ``tab[ids[a][m, i, j]]`` is line ``(i, j)`` of component ``m`` of ``coefficients[a]``.
    uni : ndarray of bool, shape (nrows,)
        True for constant rows (the kernels use scalar coefficients on a line whose six rows are
        all constant).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.ones((3, 2, 2, 4)); c[2, 1, 1, 3] = 0.5
    >>> tab, (ids,), uni = coefficient_lines([c], (2, 2, 4))
    >>> tab.shape, ids[2], uni
    ((2, 4), array([[1, 1],
           [1, 0]], dtype=int32), array([False,  True]))
    """
    nx, ny, nz = shape
    rows = []
    for c in coefficients:
        if c.shape == (3, 1, 1, 1):
            rows.append(np.repeat(c.reshape(3, 1), nz, axis=1))
        else:
            rows.append(np.ascontiguousarray(np.broadcast_to(c, (3, nx, ny, nz))).reshape(-1, nz))
    tab, inv = np.unique(np.concatenate(rows), axis=0, return_inverse=True)
    inv = np.asarray(inv).reshape(-1)
    ids, start = [], 0
    for r in rows:
        seg = inv[start:start + r.shape[0]].astype(np.int32)
        start += r.shape[0]
        ids.append(np.ascontiguousarray(np.broadcast_to(seg.reshape(3, 1, 1), (3, nx, ny)) if r.shape[0] == 3
                                        else seg.reshape(3, nx, ny)))
    uni = np.all(tab == tab[:, :1], axis=1)
    return np.ascontiguousarray(tab), ids, uni


@njit(cache=True, parallel=True)
def update_h_cpml(Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
                  posx, posy, posz, phx, phy, phz, psx, psy, psz):
    """3D ``H^{n+1/2} = da H - db curl E`` with the CPML corrections of every layer, in one pass.

    Inside a CPML layer along axis ``d`` the derivative ``dE/dd`` of the curl is replaced by
    ``dE/dd / kappa + psi`` with ``psi = b psi + a dE/dd`` [1]_, i.e. the update adds
    ``db ((1/kappa - 1) dE/dd + psi)`` with the curl's sign.

    Parameters
    ----------
    Hx, Hy, Hz, Ex, Ey, Ez, rdx, rdy, rdz, fx, fy, fz
        As in :func:`update_h`.
    tab, ida, idb, uni
        Line tables of ``da`` and ``db`` (:func:`coefficient_lines`).
    posx, posy, posz : ndarray of int32, shapes (nx,), (ny,), (nz,)
        Layer index of each grid index along the axis, -1 outside the CPML layers.
    phx, phy, phz : ndarray, shapes (3, nx), (3, ny), (3, nz)
        ``1/kappa - 1``, ``a`` and ``b`` at the H nodes along each axis (used where ``pos >= 0``).
    psx, psy, psz : ndarray, shapes (2, Lx, ny, nz), (2, nx, Ly, nz), (2, nx, ny, Lz), A/m^2
        Convolution memories (grid axis order); ``[0]`` corrects the component ``u = d + 1``,
        ``[1]`` the component ``v = d + 2`` (cyclic). Updated in place.

    References
    ----------
    .. [1] J. A. Roden and S. D. Gedney, Microw. Opt. Technol. Lett. 27, 334 (2000).
    """
    nx, ny, nz = Ex.shape
    zlo, zhi = _z_layers(posz)
    for i in prange(nx):
        old = flush_subnormals()
        _h_plane(i, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
                 posx, posy, posz, phx, phy, phz, psx, psy, psz, zlo, zhi)
        restore_fpenv(old)


@njit(cache=True)
def update_h_cpml_serial(Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
                         posx, posy, posz, phx, phy, phz, psx, psy, psz):
    """Serial twin of :func:`update_h_cpml`."""
    nx, ny, nz = Ex.shape
    zlo, zhi = _z_layers(posz)
    old = flush_subnormals()
    for i in range(nx):
        _h_plane(i, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
                 posx, posy, posz, phx, phy, phz, psx, psy, psz, zlo, zhi)
    restore_fpenv(old)


@njit(cache=True, parallel=True)
def update_e_cpml(Ex, Ey, Ez, Hx, Hy, Hz, tab, ica, icb, uni, rdx, rdy, rdz, gx, gy, gz,
                  posx, posy, posz, pex, pey, pez, psx, psy, psz):
    """3D ``E^{n+1} = ca E + cb curl H`` with the CPML corrections of every layer, in one pass.

    The E-node twin of :func:`update_h_cpml` (backward differences, low-side wrap factors
    ``gx, gy, gz``; line tables of ``ca`` and ``cb``; ``pex, pey, pez`` sampled at the E nodes).
    """
    nx, ny, nz = Ex.shape
    zlo, zhi = _z_layers(posz)
    for i in prange(nx):
        old = flush_subnormals()
        _e_plane(i, Ex, Ey, Ez, Hx, Hy, Hz, tab, ica, icb, uni, rdx, rdy, rdz, gx, gy, gz,
                 posx, posy, posz, pex, pey, pez, psx, psy, psz, zlo, zhi)
        restore_fpenv(old)


@njit(cache=True)
def update_e_cpml_serial(Ex, Ey, Ez, Hx, Hy, Hz, tab, ica, icb, uni, rdx, rdy, rdz, gx, gy, gz,
                         posx, posy, posz, pex, pey, pez, psx, psy, psz):
    """Serial twin of :func:`update_e_cpml`."""
    nx, ny, nz = Ex.shape
    zlo, zhi = _z_layers(posz)
    old = flush_subnormals()
    for i in range(nx):
        _e_plane(i, Ex, Ey, Ez, Hx, Hy, Hz, tab, ica, icb, uni, rdx, rdy, rdz, gx, gy, gz,
                 posx, posy, posz, pex, pey, pez, psx, psy, psz, zlo, zhi)
    restore_fpenv(old)


# ----------------------------------------------------------------------------- 3D: one-sweep leapfrog
# A full step (H half then E half) in ONE sweep over the grid, so each field array crosses the
# memory bus once per step instead of twice: 6 reads + 6 writes per cell (48 bytes in float32, 96
# in float64) instead of the 72/144 of two sweeps. Legal because H^{n+1/2} at line (i, j) needs E^n
# only at lines (i, j), (i+1, j), (i, j+1), and E^{n+1} at (i, j) needs H^{n+1/2} only at (i, j),
# (i-1, j), (i, j-1): sweeping plane by plane and line by line, "H(i, j) then E(i, j)" reads old E
# and new H exactly where the two-sweep order does. The wrapped neighbours are served first: the H
# plane before a block of planes' first (x wrap / block boundary) and, in every plane, the H line
# before the first line (y wrap). Every cell does the arithmetic of the two-sweep kernels, so the
# result is bit-identical to them, for any number of threads.
#
# Threads: the x planes are cut into ``nb`` blocks [a_t, b_t). Pass 1 updates H on each block's last
# plane b_t - 1 (it reads E^n of planes b_t - 1 and b_t only: nobody has written E yet). Pass 2 sweeps
# each block: planes a_t .. b_t - 2 do "H then E" line by line, then E on plane b_t - 1. A block reads
# another block's data only in pass 2's first plane (H^{n+1/2} of plane a_t - 1, written in pass 1).
@njit(cache=True, inline="always")
def _lf_block(a, b, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz):
    """Pass 2 of block ``[a, b)`` (see the section comment)."""
    ny = Ex.shape[1]
    for i in range(a, b):  # the last plane: E only
        for s in range(ny + 1):  # H(ny - 1), then H(j), E(j) for j < ny - 1, then E(ny - 1)
            if s < ny and i < b - 1:
                _h_bulk_line(i, (s + ny - 1) % ny, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
            if s > 0:
                _e_bulk_line(i, s - 1, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz)


@njit(cache=True, parallel=True)
def leapfrog(Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz, nblocks):
    """One full Yee step, :func:`update_h` then :func:`update_e`, in a single sweep (bit-identical).

    Parameters
    ----------
    Hx, Hy, Hz : ndarray, shape (nx, ny, nz), A/m
        ``H^{n-1/2}`` on entry, ``H^{n+1/2}`` on return.
    Ex, Ey, Ez : ndarray, shape (nx, ny, nz), V/m
        ``E^n`` on entry, ``E^{n+1}`` on return.
    da, db, ca, cb : ndarray, shape (3, nx, ny, nz) or (3, 1, 1, 1)
        As in :func:`update_h` and :func:`update_e` (``da``/``db`` and ``ca``/``cb`` are each a
        pair of the same shape).
    rdx, rdy, rdz : float
        Inverse spacings, 1/m.
    fx, fy, fz, gx, gy, gz : ndarray, shapes (nx,), (ny,), (nz,)
        High-side (H) and low-side (E) wrap factors.
    nblocks : int
        Blocks of x planes run in parallel (>= 1; use the thread count). The result does not
        depend on it.

    Examples
    --------
    >>> import numpy as np
    >>> F = [np.random.default_rng(0).standard_normal((4, 5, 6)) for _ in range(6)]  # Hx..Hz, Ex..Ez
    >>> G = [f.copy() for f in F]
    >>> c, fx, fy, fz = np.ones((3, 1, 1, 1)), np.ones(4), np.ones(5), np.ones(6)  # periodic, unit coefficients
    >>> update_h(*G[:3], *G[3:], c, c, 1.0, 1.0, 1.0, fx, fy, fz)
    >>> update_e(*G[3:], *G[:3], c, c, 1.0, 1.0, 1.0, fx, fy, fz)
    >>> leapfrog(*F, c, c, c, c, 1.0, 1.0, 1.0, fx, fy, fz, fx, fy, fz, 2)
    >>> all(np.array_equal(f, g) for f, g in zip(F, G))
    True
    """
    nx = Ex.shape[0]
    nb = max(1, min(nblocks, nx))
    for t in prange(nb):
        old = flush_subnormals()
        _h_row((t + 1) * nx // nb - 1, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
        restore_fpenv(old)
    for t in prange(nb):
        old = flush_subnormals()
        _lf_block(t * nx // nb, (t + 1) * nx // nb, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb,
                  rdx, rdy, rdz, fx, fy, fz, gx, gy, gz)
        restore_fpenv(old)


@njit(cache=True)
def leapfrog_serial(Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz, nblocks):
    """Serial twin of :func:`leapfrog` (``nblocks`` is ignored: one block)."""
    nx = Ex.shape[0]
    old = flush_subnormals()
    _h_row(nx - 1, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
    _lf_block(0, nx, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz)
    restore_fpenv(old)


# The same single sweep with CPML and line-table coefficients, interleaved by *planes*: H on plane i
# (all lines, with their CPML corrections), then E on plane i. E^{n+1}(i) needs H^{n+1/2} on planes i
# and i - 1 only, H^{n+1/2}(i) needs E^n on planes i and i + 1 only, so the order is legal with the
# same two passes over blocks of planes as :func:`leapfrog`. Interleaving line by line measured
# slower with CPML (0.9x two sweeps: two large line kernels in one loop body); by planes, the three
# planes in use stay in L2/L3 and each field crosses the memory bus about once per step.
@njit(cache=True)
def _lf_cpml_block(a, b, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, ica, icb, uni, rdx, rdy, rdz,
                   fx, fy, fz, gx, gy, gz, posx, posy, posz, phx, phy, phz, shx, shy, shz,
                   pex, pey, pez, sex, sey, sez, zlo, zhi):
    for i in range(a, b):
        if i < b - 1:  # the block's last plane had its H in pass 1
            _h_plane(i, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
                     posx, posy, posz, phx, phy, phz, shx, shy, shz, zlo, zhi)
        _e_plane(i, Ex, Ey, Ez, Hx, Hy, Hz, tab, ica, icb, uni, rdx, rdy, rdz, gx, gy, gz,
                 posx, posy, posz, pex, pey, pez, sex, sey, sez, zlo, zhi)


@njit(cache=True, parallel=True)
def leapfrog_cpml(Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, ica, icb, uni, rdx, rdy, rdz,
                  fx, fy, fz, gx, gy, gz, posx, posy, posz, phx, phy, phz, shx, shy, shz,
                  pex, pey, pez, sex, sey, sez, nblocks):
    """One full step, :func:`update_h_cpml` then :func:`update_e_cpml`, in a single sweep (bit-identical).

    Parameters
    ----------
    Hx, Hy, Hz, Ex, Ey, Ez, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz, nblocks
        As in :func:`leapfrog`.
    tab, ida, idb, ica, icb, uni
        One line table of ``da, db, ca, cb`` (:func:`coefficient_lines`).
    posx, posy, posz
        As in :func:`update_h_cpml`.
    phx, phy, phz, shx, shy, shz
        H-node profiles and psi arrays (``phx, ..., psx, ...`` of :func:`update_h_cpml`).
    pex, pey, pez, sex, sey, sez
        E-node profiles and psi arrays (of :func:`update_e_cpml`).
    """
    nx, ny, nz = Ex.shape
    zlo, zhi = _z_layers(posz)
    nb = max(1, min(nblocks, nx))
    for t in prange(nb):
        old = flush_subnormals()
        _h_plane((t + 1) * nx // nb - 1, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
                 posx, posy, posz, phx, phy, phz, shx, shy, shz, zlo, zhi)
        restore_fpenv(old)
    for t in prange(nb):
        old = flush_subnormals()
        _lf_cpml_block(t * nx // nb, (t + 1) * nx // nb, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, ica, icb, uni,
                       rdx, rdy, rdz, fx, fy, fz, gx, gy, gz, posx, posy, posz, phx, phy, phz, shx, shy, shz,
                       pex, pey, pez, sex, sey, sez, zlo, zhi)
        restore_fpenv(old)


@njit(cache=True)
def leapfrog_cpml_serial(Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, ica, icb, uni, rdx, rdy, rdz,
                         fx, fy, fz, gx, gy, gz, posx, posy, posz, phx, phy, phz, shx, shy, shz,
                         pex, pey, pez, sex, sey, sez, nblocks):
    """Serial twin of :func:`leapfrog_cpml` (``nblocks`` is ignored: one block)."""
    nx, ny, nz = Ex.shape
    zlo, zhi = _z_layers(posz)
    old = flush_subnormals()
    _h_plane(nx - 1, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, uni, rdx, rdy, rdz, fx, fy, fz,
             posx, posy, posz, phx, phy, phz, shx, shy, shz, zlo, zhi)
    _lf_cpml_block(0, nx, Hx, Hy, Hz, Ex, Ey, Ez, tab, ida, idb, ica, icb, uni, rdx, rdy, rdz,
                   fx, fy, fz, gx, gy, gz, posx, posy, posz, phx, phy, phz, shx, shy, shz,
                   pex, pey, pez, sex, sey, sez, zlo, zhi)
    restore_fpenv(old)


# ----------------------------------------------------------------------------- CPML slab corrections
@njit(cache=True, inline="always")
def _cpml_e_row(j, Fu, Fv, Gu, Gv, psi_u, psi_v, cu, cv, i0, kinv1, a, b, rd):
    L = psi_u.shape[0]
    m2 = Fu.shape[2]
    full_u = cu.shape[0] > 1 or cu.shape[1] > 1 or cu.shape[2] > 1
    full_v = cv.shape[0] > 1 or cv.shape[1] > 1 or cv.shape[2] > 1
    for l in range(L):
        i = i0 + l
        bl, al, kl = b[l], a[l], kinv1[l]
        cu0, cv0 = cu[0, 0, 0], cv[0, 0, 0]
        for k in range(m2):
            if i > 0:
                dgv = (Gv[i, j, k] - Gv[i - 1, j, k]) * rd
                dgu = (Gu[i, j, k] - Gu[i - 1, j, k]) * rd
            else:
                dgv = Gv[i, j, k] * rd
                dgu = Gu[i, j, k] * rd
            pu = bl * psi_u[l, j, k] + al * dgv
            pv = bl * psi_v[l, j, k] + al * dgu
            psi_u[l, j, k] = pu
            psi_v[l, j, k] = pv
            Fu[i, j, k] -= (cu[i, j, k] if full_u else cu0) * (kl * dgv + pu)
            Fv[i, j, k] += (cv[i, j, k] if full_v else cv0) * (kl * dgu + pv)


@njit(cache=True, parallel=True)
def cpml_e(Fu, Fv, Gu, Gv, psi_u, psi_v, cu, cv, i0, kinv1, a, b, rd):
    """CPML correction of the two E components tangential to axis 0 inside one slab.

    All arrays are views with the PML's normal axis first (the caller transposes). After the bulk
    update (which used ``dG/dd`` with kappa = 1) this adds the CPML terms [1]_::

        psi_u = b psi_u + a dGv/dd ;   Fu -= cu * ((1/kappa - 1) dGv/dd + psi_u)
        psi_v = b psi_v + a dGu/dd ;   Fv += cv * ((1/kappa - 1) dGu/dd + psi_v)

    with ``dG/dd = (G[i] - G[i-1]) * rd`` (``G[-1] = 0``: the slab is PEC-backed).

    Parameters
    ----------
    Fu, Fv : ndarray, shape (n, m1, m2), V/m
        The E components (u, v) of the right-handed triple (d, u, v); updated in place.
    Gu, Gv : ndarray, shape (n, m1, m2), A/m
        The H components (u, v).
    psi_u, psi_v : ndarray, shape (L, m1, m2), A/m^2
        Convolution memory of this slab, updated in place.
    cu, cv : ndarray, shape (n|1, m1|1, m2|1)
        The ``cb`` coefficients of Fu and Fv (broadcast views allowed).
    i0 : int
        Index along axis 0 of the slab's first layer.
    kinv1, a, b : ndarray, shape (L,)
        ``1/kappa - 1``, ``a`` and ``b`` of the CPML recursion at the E nodes of the slab.
    rd : float
        Inverse spacing along the normal, 1/m.

    References
    ----------
    .. [1] J. A. Roden and S. D. Gedney, "Convolution PML (CPML): an efficient FDTD implementation
       of the CFS-PML for arbitrary media", Microw. Opt. Technol. Lett. 27, 334 (2000).
    """
    for j in prange(Fu.shape[1]):
        _cpml_e_row(j, Fu, Fv, Gu, Gv, psi_u, psi_v, cu, cv, i0, kinv1, a, b, rd)


@njit(cache=True)
def cpml_e_serial(Fu, Fv, Gu, Gv, psi_u, psi_v, cu, cv, i0, kinv1, a, b, rd):
    """Serial twin of :func:`cpml_e`."""
    for j in range(Fu.shape[1]):
        _cpml_e_row(j, Fu, Fv, Gu, Gv, psi_u, psi_v, cu, cv, i0, kinv1, a, b, rd)


@njit(cache=True, inline="always")
def _cpml_h_row(j, Gu, Gv, Fu, Fv, psi_u, psi_v, du, dv, i0, kinv1, a, b, rd):
    L = psi_u.shape[0]
    n = Fu.shape[0]
    m2 = Fu.shape[2]
    full_u = du.shape[0] > 1 or du.shape[1] > 1 or du.shape[2] > 1
    full_v = dv.shape[0] > 1 or dv.shape[1] > 1 or dv.shape[2] > 1
    for l in range(L):
        i = i0 + l
        bl, al, kl = b[l], a[l], kinv1[l]
        du0, dv0 = du[0, 0, 0], dv[0, 0, 0]
        for k in range(m2):
            if i < n - 1:
                dfv = (Fv[i + 1, j, k] - Fv[i, j, k]) * rd
                dfu = (Fu[i + 1, j, k] - Fu[i, j, k]) * rd
            else:
                dfv = -Fv[i, j, k] * rd
                dfu = -Fu[i, j, k] * rd
            pu = bl * psi_u[l, j, k] + al * dfv
            pv = bl * psi_v[l, j, k] + al * dfu
            psi_u[l, j, k] = pu
            psi_v[l, j, k] = pv
            Gu[i, j, k] += (du[i, j, k] if full_u else du0) * (kl * dfv + pu)
            Gv[i, j, k] -= (dv[i, j, k] if full_v else dv0) * (kl * dfu + pv)


@njit(cache=True, parallel=True)
def cpml_h(Gu, Gv, Fu, Fv, psi_u, psi_v, du, dv, i0, kinv1, a, b, rd):
    """CPML correction of the two H components tangential to axis 0 inside one slab.

    Same layout as :func:`cpml_e`; with ``dF/dd = (F[i+1] - F[i]) * rd`` (``F[n] = 0``)::

        psi_u = b psi_u + a dFv/dd ;   Gu += du * ((1/kappa - 1) dFv/dd + psi_u)
        psi_v = b psi_v + a dFu/dd ;   Gv -= dv * ((1/kappa - 1) dFu/dd + psi_v)

    ``du, dv`` are the ``db`` coefficients; ``kinv1, a, b`` are sampled at the H nodes.
    """
    for j in prange(Fu.shape[1]):
        _cpml_h_row(j, Gu, Gv, Fu, Fv, psi_u, psi_v, du, dv, i0, kinv1, a, b, rd)


@njit(cache=True)
def cpml_h_serial(Gu, Gv, Fu, Fv, psi_u, psi_v, du, dv, i0, kinv1, a, b, rd):
    """Serial twin of :func:`cpml_h`."""
    for j in range(Fu.shape[1]):
        _cpml_h_row(j, Gu, Gv, Fu, Fv, psi_u, psi_v, du, dv, i0, kinv1, a, b, rd)


# ----------------------------------------------------------------------------- dispersive poles (ADE)
@njit(cache=True)
def ade_pole(P, Pm, E, w, c1, c2, c3, dP):
    """Advance one polarization pole and accumulate its increment.

    ``P^{n+1} = c1 P^n + c2 P^{n-1} + c3 w E^n`` (coefficients from
    :meth:`electromagnetics.fdtd.materials.Pole.ade_coefficients`), then ``dP += P^{n+1} - P^n``,
    ``Pm <- P^n``, ``P <- P^{n+1}``.

    Parameters
    ----------
    P, Pm : ndarray, shape (m1, m2, m3), C/m^2
        Polarization at steps n and n-1 in the pole's bounding box; updated in place.
    E : ndarray, shape (m1, m2, m3), V/m
        The E component in the same box (a view), at step n.
    w : ndarray, shape (m1, m2, m3)
        Fill fraction of the pole's material at each E node (0..1).
    c1, c2, c3 : float
        Recursion coefficients (1, 1, C/(m^2 V/m)).
    dP : ndarray, shape (m1, m2, m3), C/m^2
        Accumulator of ``P^{n+1} - P^n`` over poles; updated in place.
    """
    m1, m2, m3 = P.shape
    for i in range(m1):
        for j in range(m2):
            for k in range(m3):
                new = c1 * P[i, j, k] + c2 * Pm[i, j, k] + c3 * w[i, j, k] * E[i, j, k]
                dP[i, j, k] += new - P[i, j, k]
                Pm[i, j, k] = P[i, j, k]
                P[i, j, k] = new


# ----------------------------------------------------------------------------- frequency domain
@njit(cache=True)
def dft_accumulate(acc, values, phasors, weight):
    """``acc[f, m] += weight * phasors[f] * values[m]``: one time sample of a running DFT.

    Parameters
    ----------
    acc : ndarray, complex, shape (nf, m)
        Running sums, updated in place.
    values : ndarray, shape (m,)
        Field samples at this time step (flattened).
    phasors : ndarray, complex, shape (nf,)
        ``exp(i omega_f t)`` at the sample time.
    weight : float
        Quadrature weight (the time step, s).
    """
    nf, m = acc.shape
    for f in range(nf):
        p = phasors[f] * weight
        for q in range(m):
            acc[f, q] += p * values[q]


PARALLEL_MIN_CELLS = 150_000
"""Grids smaller than this use the serial twins (a parallel launch costs tens of microseconds)."""


def bulk_kernels(ncells, ndim=3, polarization="both"):
    """``(update_h, update_e, cpml_h, cpml_e)``: parallel kernels for large grids, serial twins for small.

    1D and 2D grids: ``polarization`` ("both", "TM" or "TE") selects bulk kernels that update both
    polarisations or one (:mod:`electromagnetics.fdtd._kernels_2d`), and the CPML kernels are the
    one-component ``cpml_h_one``/``cpml_e_one`` (see ``CPMLSlab.set_kernels``). 3D grids update both.
    """
    parallel = ncells >= PARALLEL_MIN_CELLS
    if ndim in (1, 2):
        from electromagnetics.fdtd import _kernels_2d

        return _kernels_2d.kernels(parallel, polarization, ndim)
    if parallel:
        return update_h, update_e, cpml_h, cpml_e
    return update_h_serial, update_e_serial, cpml_h_serial, cpml_e_serial


def fused_kernels(ncells):
    """``(update_h_cpml, update_e_cpml, leapfrog_cpml)`` of 3D grids: parallel for large grids, serial
    twins for small."""
    if ncells >= PARALLEL_MIN_CELLS:
        return update_h_cpml, update_e_cpml, leapfrog_cpml
    return update_h_cpml_serial, update_e_cpml_serial, leapfrog_cpml_serial


def leapfrog_kernel(ncells):
    """The one-sweep full step of 3D grids (:func:`leapfrog`): parallel for large grids, serial twin for small."""
    return leapfrog if ncells >= PARALLEL_MIN_CELLS else leapfrog_serial


def wrap_factors(n, wrap, high):
    """Wrap-factor array of length ``n``: ones with ``wrap`` at the last (high) or first entry."""
    f = np.ones(n, dtype=np.asarray(wrap).dtype)
    f[-1 if high else 0] = wrap
    return f
