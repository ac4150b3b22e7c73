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
(PEC/PMC/CPML-backed). A degenerate axis (``n = 1``, the unused axes of 1D and 2D grids) is
periodic with factor 1, so its differences vanish exactly: that is how 1D and 2D run on the same
kernels as 3D.
"""

import numpy as np
from numba import njit, prange


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
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)


@njit(cache=True)
def update_h_serial(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Serial twin of :func:`update_h` (small grids: no thread launch overhead)."""
    for i in range(Ex.shape[0]):
        _h_row(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)


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
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz)


@njit(cache=True)
def update_e_serial(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Serial twin of :func:`update_e`."""
    for i in range(Ex.shape[0]):
        _e_row(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz)


@njit(cache=True)
def update_h_1d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """:func:`update_h` for 1D grids (shape ``(nx, 1, 1)``, uniform ``da``/``db`` or not)."""
    nx = Ex.shape[0]
    uni = db.size == 3
    for i in range(nx):
        s = 0 if uni else i
        if i < nx - 1:
            dez = (Ez[i + 1, 0, 0] - Ez[i, 0, 0]) * rdx
            dey = (Ey[i + 1, 0, 0] - Ey[i, 0, 0]) * rdx
        else:
            dez = (fx[i] * Ez[0, 0, 0] - Ez[i, 0, 0]) * rdx
            dey = (fx[i] * Ey[0, 0, 0] - Ey[i, 0, 0]) * rdx
        Hx[i, 0, 0] = da[0, s, 0, 0] * Hx[i, 0, 0]
        Hy[i, 0, 0] = da[1, s, 0, 0] * Hy[i, 0, 0] + db[1, s, 0, 0] * dez
        Hz[i, 0, 0] = da[2, s, 0, 0] * Hz[i, 0, 0] - db[2, s, 0, 0] * dey


@njit(cache=True)
def update_e_1d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """:func:`update_e` for 1D grids (shape ``(nx, 1, 1)``)."""
    nx = Ex.shape[0]
    uni = cb.size == 3
    for i in range(nx):
        s = 0 if uni else i
        if i > 0:
            dhz = (Hz[i, 0, 0] - Hz[i - 1, 0, 0]) * rdx
            dhy = (Hy[i, 0, 0] - Hy[i - 1, 0, 0]) * rdx
        else:
            dhz = (Hz[0, 0, 0] - gx[0] * Hz[nx - 1, 0, 0]) * rdx
            dhy = (Hy[0, 0, 0] - gx[0] * Hy[nx - 1, 0, 0]) * rdx
        Ex[i, 0, 0] = ca[0, s, 0, 0] * Ex[i, 0, 0]
        Ey[i, 0, 0] = ca[1, s, 0, 0] * Ey[i, 0, 0] - cb[1, s, 0, 0] * dhz
        Ez[i, 0, 0] = ca[2, s, 0, 0] * Ez[i, 0, 0] + cb[2, s, 0, 0] * dhy


@njit(cache=True, inline="always")
def _h_row_2d(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy):
    nx, ny = Ex.shape[0], Ex.shape[1]
    ip = i + 1 if i < nx - 1 else 0
    wx = fx[i]
    if db.size == 3:
        a0, a1, a2 = da[0, 0, 0, 0], da[1, 0, 0, 0], da[2, 0, 0, 0]
        b0, b1, b2 = db[0, 0, 0, 0], db[1, 0, 0, 0], db[2, 0, 0, 0]
        for j in range(ny - 1):
            Hx[i, j, 0] = a0 * Hx[i, j, 0] - b0 * (Ez[i, j + 1, 0] - Ez[i, j, 0]) * rdy
            Hy[i, j, 0] = a1 * Hy[i, j, 0] + b1 * (wx * Ez[ip, j, 0] - Ez[i, j, 0]) * rdx
            Hz[i, j, 0] = a2 * Hz[i, j, 0] - b2 * ((wx * Ey[ip, j, 0] - Ey[i, j, 0]) * rdx
                                                  - (Ex[i, j + 1, 0] - Ex[i, j, 0]) * rdy)
        j = ny - 1
        wy = fy[j]
        Hx[i, j, 0] = a0 * Hx[i, j, 0] - b0 * (wy * Ez[i, 0, 0] - Ez[i, j, 0]) * rdy
        Hy[i, j, 0] = a1 * Hy[i, j, 0] + b1 * (wx * Ez[ip, j, 0] - Ez[i, j, 0]) * rdx
        Hz[i, j, 0] = a2 * Hz[i, j, 0] - b2 * ((wx * Ey[ip, j, 0] - Ey[i, j, 0]) * rdx
                                              - (wy * Ex[i, 0, 0] - Ex[i, j, 0]) * rdy)
    else:
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            Hx[i, j, 0] = da[0, i, j, 0] * Hx[i, j, 0] - db[0, i, j, 0] * (wy * Ez[i, jp, 0] - Ez[i, j, 0]) * rdy
            Hy[i, j, 0] = da[1, i, j, 0] * Hy[i, j, 0] + db[1, i, j, 0] * (wx * Ez[ip, j, 0] - Ez[i, j, 0]) * rdx
            Hz[i, j, 0] = da[2, i, j, 0] * Hz[i, j, 0] - db[2, i, j, 0] * (
                (wx * Ey[ip, j, 0] - Ey[i, j, 0]) * rdx - (wy * Ex[i, jp, 0] - Ex[i, j, 0]) * rdy)


@njit(cache=True, inline="always")
def _e_row_2d(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy):
    nx, ny = Ex.shape[0], Ex.shape[1]
    im = i - 1 if i > 0 else nx - 1
    wx = gx[i]
    if cb.size == 3:
        a0, a1, a2 = ca[0, 0, 0, 0], ca[1, 0, 0, 0], ca[2, 0, 0, 0]
        b0, b1, b2 = cb[0, 0, 0, 0], cb[1, 0, 0, 0], cb[2, 0, 0, 0]
        wy = gy[0]
        Ex[i, 0, 0] = a0 * Ex[i, 0, 0] + b0 * (Hz[i, 0, 0] - wy * Hz[i, ny - 1, 0]) * rdy
        Ey[i, 0, 0] = a1 * Ey[i, 0, 0] - b1 * (Hz[i, 0, 0] - wx * Hz[im, 0, 0]) * rdx
        Ez[i, 0, 0] = a2 * Ez[i, 0, 0] + b2 * ((Hy[i, 0, 0] - wx * Hy[im, 0, 0]) * rdx
                                              - (Hx[i, 0, 0] - wy * Hx[i, ny - 1, 0]) * rdy)
        for j in range(1, ny):
            Ex[i, j, 0] = a0 * Ex[i, j, 0] + b0 * (Hz[i, j, 0] - Hz[i, j - 1, 0]) * rdy
            Ey[i, j, 0] = a1 * Ey[i, j, 0] - b1 * (Hz[i, j, 0] - wx * Hz[im, j, 0]) * rdx
            Ez[i, j, 0] = a2 * Ez[i, j, 0] + b2 * ((Hy[i, j, 0] - wx * Hy[im, j, 0]) * rdx
                                                  - (Hx[i, j, 0] - Hx[i, j - 1, 0]) * rdy)
    else:
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            Ex[i, j, 0] = ca[0, i, j, 0] * Ex[i, j, 0] + cb[0, i, j, 0] * (Hz[i, j, 0] - wy * Hz[i, jm, 0]) * rdy
            Ey[i, j, 0] = ca[1, i, j, 0] * Ey[i, j, 0] - cb[1, i, j, 0] * (Hz[i, j, 0] - wx * Hz[im, j, 0]) * rdx
            Ez[i, j, 0] = ca[2, i, j, 0] * Ez[i, j, 0] + cb[2, i, j, 0] * (
                (Hy[i, j, 0] - wx * Hy[im, j, 0]) * rdx - (Hx[i, j, 0] - wy * Hx[i, jm, 0]) * rdy)


@njit(cache=True)
def update_h_2d(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """:func:`update_h` for 2D grids (shape ``(nx, ny, 1)``): no z differences, inner loop along y."""
    for i in range(Ex.shape[0]):
        _h_row_2d(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy)


@njit(cache=True, parallel=True)
def update_h_2d_parallel(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz):
    """Parallel twin of :func:`update_h_2d` (large 2D grids)."""
    for i in prange(Ex.shape[0]):
        _h_row_2d(i, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, fx, fy)


@njit(cache=True)
def update_e_2d(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """:func:`update_e` for 2D grids (shape ``(nx, ny, 1)``)."""
    for i in range(Ex.shape[0]):
        _e_row_2d(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy)


@njit(cache=True, parallel=True)
def update_e_2d_parallel(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz):
    """Parallel twin of :func:`update_e_2d`."""
    for i in prange(Ex.shape[0]):
        _e_row_2d(i, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, gx, gy)


# ----------------------------------------------------------------------------- 3D: bulk + CPML fused
# One call per half-step does the bulk update and the CPML corrections line by line (a line is
# ``F[i, j, :]``), so the slab corrections re-read fields that are still in L1 cache. Each field
# component has its own k-loop (few arrays per loop: LLVM vectorises them behind cheap alias
# checks). The psi arrays are in the grid's own axis order (no transposed views):
# ``psx: (2, Lx, ny, nz)``, ``psy: (2, nx, Ly, nz)``, ``psz: (2, nx, ny, Lz)`` where ``L*`` is the
# total thickness of the CPML layers on that axis (0 when none) and ``pos*[i]`` maps a grid index
# to its layer (-1 outside the layers).
@njit(cache=True, inline="always")
def _coef_line(c, i, j, full, arr, ubuf):
    return arr[c, i, j] if full else ubuf[c]


@njit(cache=True, inline="always")
def _h_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ua, ub, rdx, rdy, rdz, fx, fy, fz,
            posx, posy, posz, phx, phy, phz, psx, psy, psz, zlo, zhi):
    nx, ny, nz = Ex.shape
    ip = i + 1 if i < nx - 1 else 0
    jp = j + 1 if j < ny - 1 else 0
    wx, wy, wz = fx[i], fy[j], fz[nz - 1]
    fa = da.size != 3
    fb = db.size != 3
    a0, a1, a2 = _coef_line(0, i, j, fa, da, ua), _coef_line(1, i, j, fa, da, ua), _coef_line(2, i, j, fa, da, ua)
    b0, b1, b2 = _coef_line(0, i, j, fb, db, ub), _coef_line(1, i, j, fb, db, ub), _coef_line(2, i, j, fb, db, ub)
    for k in range(nz - 1):
        Hx[i, j, k] = a0[k] * Hx[i, j, k] - b0[k] * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                                    - (Ey[i, j, k + 1] - Ey[i, j, k]) * rdz)
        Hy[i, j, k] = a1[k] * Hy[i, j, k] - b1[k] * ((Ex[i, j, k + 1] - Ex[i, j, k]) * rdz
                                                    - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
        Hz[i, j, k] = a2[k] * Hz[i, j, k] - b2[k] * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                                    - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
    k = nz - 1
    Hz[i, j, k] = a2[k] * Hz[i, j, k] - b2[k] * ((wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
                                                - (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy)
    Hx[i, j, k] = a0[k] * Hx[i, j, k] - b0[k] * ((wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
                                                - (wz * Ey[i, j, 0] - Ey[i, j, k]) * rdz)
    Hy[i, j, k] = a1[k] * Hy[i, j, k] - b1[k] * ((wz * Ex[i, j, 0] - Ex[i, j, k]) * rdz
                                                - (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx)
    # CPML along x (u = y, v = z): Hy += b ((1/kappa - 1) dEz/dx + psi), Hz -= b (... dEy/dx ...)
    l = posx[i]
    if l >= 0:
        kp, ap, bp = phx[0, i], phx[1, i], phx[2, i]
        for k in range(nz):
            dv = (wx * Ez[ip, j, k] - Ez[i, j, k]) * rdx
            pu = bp * psx[0, l, j, k] + ap * dv
            psx[0, l, j, k] = pu
            Hy[i, j, k] += b1[k] * (kp * dv + pu)
        for k in range(nz):
            du = (wx * Ey[ip, j, k] - Ey[i, j, k]) * rdx
            pv = bp * psx[1, l, j, k] + ap * du
            psx[1, l, j, k] = pv
            Hz[i, j, k] -= b2[k] * (kp * du + pv)
    # CPML along y (u = z, v = x): Hz += b (... dEx/dy ...), Hx -= b (... dEz/dy ...)
    l = posy[j]
    if l >= 0:
        kp, ap, bp = phy[0, j], phy[1, j], phy[2, j]
        for k in range(nz):
            dv = (wy * Ex[i, jp, k] - Ex[i, j, k]) * rdy
            pu = bp * psy[0, i, l, k] + ap * dv
            psy[0, i, l, k] = pu
            Hz[i, j, k] += b2[k] * (kp * dv + pu)
        for k in range(nz):
            du = (wy * Ez[i, jp, k] - Ez[i, j, k]) * rdy
            pv = bp * psy[1, i, l, k] + ap * du
            psy[1, i, l, k] = pv
            Hx[i, j, k] -= b0[k] * (kp * du + pv)
    # CPML along z (u = x, v = y), only the layers' k: Hx += b (... dEy/dz ...), Hy -= b (... dEx/dz ...)
    if zlo > 0:
        _h_zlayers(i, j, 0, min(zlo, nz - 1), 0, Hx, Hy, Ex, Ey, b0, b1, rdz, phz, psz)
    if zhi < nz:
        _h_zlayers(i, j, zhi, nz - 1, zlo, Hx, Hy, Ex, Ey, b0, b1, rdz, phz, psz)
    k = nz - 1
    l = posz[k]
    if l >= 0:  # the last node: its +z neighbour is the wrapped ghost
        dv = (wz * Ey[i, j, 0] - Ey[i, j, k]) * rdz
        du = (wz * Ex[i, j, 0] - Ex[i, j, k]) * rdz
        pu = phz[2, k] * psz[0, i, j, l] + phz[1, k] * dv
        pv = phz[2, k] * psz[1, i, j, l] + phz[1, k] * du
        psz[0, i, j, l] = pu
        psz[1, i, j, l] = pv
        Hx[i, j, k] += b0[k] * (phz[0, k] * dv + pu)
        Hy[i, j, k] -= b1[k] * (phz[0, k] * du + pv)


@njit(cache=True, inline="always")
def _h_zlayers(i, j, k0, k1, l0, Hx, Hy, Ex, Ey, b0, b1, rdz, phz, psz):
    """z-CPML of H nodes ``k0 <= k < k1`` (all with an in-array +z neighbour), layer ``l0 + k - k0``."""
    for k in range(k0, k1):
        l = l0 + k - k0
        dv = (Ey[i, j, k + 1] - Ey[i, j, k]) * rdz
        pu = phz[2, k] * psz[0, i, j, l] + phz[1, k] * dv
        psz[0, i, j, l] = pu
        Hx[i, j, k] += b0[k] * (phz[0, k] * dv + pu)
    for k in range(k0, k1):
        l = l0 + k - k0
        du = (Ex[i, j, k + 1] - Ex[i, j, k]) * rdz
        pv = phz[2, k] * psz[1, i, j, l] + phz[1, k] * du
        psz[1, i, j, l] = pv
        Hy[i, j, k] -= b1[k] * (phz[0, k] * du + pv)


@njit(cache=True, inline="always")
def _e_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, ua, ub, rdx, rdy, rdz, gx, gy, gz,
            posx, posy, posz, pex, pey, pez, psx, psy, psz, zlo, zhi):
    nx, ny, nz = Ex.shape
    im = i - 1 if i > 0 else nx - 1
    jm = j - 1 if j > 0 else ny - 1
    wx, wy, wz = gx[i], gy[j], gz[0]
    fa = ca.size != 3
    fb = cb.size != 3
    a0, a1, a2 = _coef_line(0, i, j, fa, ca, ua), _coef_line(1, i, j, fa, ca, ua), _coef_line(2, i, j, fa, ca, ua)
    b0, b1, b2 = _coef_line(0, i, j, fb, cb, ub), _coef_line(1, i, j, fb, cb, ub), _coef_line(2, i, j, fb, cb, ub)
    k = 0
    Ex[i, j, k] = a0[k] * Ex[i, j, k] + b0[k] * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                                - (Hy[i, j, k] - wz * Hy[i, j, nz - 1]) * rdz)
    Ey[i, j, k] = a1[k] * Ey[i, j, k] + b1[k] * ((Hx[i, j, k] - wz * Hx[i, j, nz - 1]) * rdz
                                                - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
    Ez[i, j, k] = a2[k] * Ez[i, j, k] + b2[k] * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                                - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)
    for k in range(1, nz):
        Ex[i, j, k] = a0[k] * Ex[i, j, k] + b0[k] * ((Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
                                                    - (Hy[i, j, k] - Hy[i, j, k - 1]) * rdz)
        Ey[i, j, k] = a1[k] * Ey[i, j, k] + b1[k] * ((Hx[i, j, k] - Hx[i, j, k - 1]) * rdz
                                                    - (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx)
        Ez[i, j, k] = a2[k] * Ez[i, j, k] + b2[k] * ((Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
                                                    - (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy)
    # CPML along x (u = y, v = z): Ey -= b ((1/kappa - 1) dHz/dx + psi), Ez += b (... dHy/dx ...)
    l = posx[i]
    if l >= 0:
        kp, ap, bp = pex[0, i], pex[1, i], pex[2, i]
        for k in range(nz):
            dv = (Hz[i, j, k] - wx * Hz[im, j, k]) * rdx
            pu = bp * psx[0, l, j, k] + ap * dv
            psx[0, l, j, k] = pu
            Ey[i, j, k] -= b1[k] * (kp * dv + pu)
        for k in range(nz):
            du = (Hy[i, j, k] - wx * Hy[im, j, k]) * rdx
            pv = bp * psx[1, l, j, k] + ap * du
            psx[1, l, j, k] = pv
            Ez[i, j, k] += b2[k] * (kp * du + pv)
    # CPML along y (u = z, v = x): Ez -= b (... dHx/dy ...), Ex += b (... dHz/dy ...)
    l = posy[j]
    if l >= 0:
        kp, ap, bp = pey[0, j], pey[1, j], pey[2, j]
        for k in range(nz):
            dv = (Hx[i, j, k] - wy * Hx[i, jm, k]) * rdy
            pu = bp * psy[0, i, l, k] + ap * dv
            psy[0, i, l, k] = pu
            Ez[i, j, k] -= b2[k] * (kp * dv + pu)
        for k in range(nz):
            du = (Hz[i, j, k] - wy * Hz[i, jm, k]) * rdy
            pv = bp * psy[1, i, l, k] + ap * du
            psy[1, i, l, k] = pv
            Ex[i, j, k] += b0[k] * (kp * du + pv)
    # CPML along z (u = x, v = y), only the layers' k: Ex -= b (... dHy/dz ...), Ey += b (... dHx/dz ...)
    l = posz[0]
    if l >= 0:  # the first node: its -z neighbour is the wrapped ghost
        dv = (Hy[i, j, 0] - wz * Hy[i, j, nz - 1]) * rdz
        du = (Hx[i, j, 0] - wz * Hx[i, j, nz - 1]) * rdz
        pu = pez[2, 0] * psz[0, i, j, l] + pez[1, 0] * dv
        pv = pez[2, 0] * psz[1, i, j, l] + pez[1, 0] * du
        psz[0, i, j, l] = pu
        psz[1, i, j, l] = pv
        Ex[i, j, 0] -= b0[0] * (pez[0, 0] * dv + pu)
        Ey[i, j, 0] += b1[0] * (pez[0, 0] * du + pv)
    if zlo > 1:
        _e_zlayers(i, j, 1, zlo, 1, Ex, Ey, Hx, Hy, b0, b1, rdz, pez, psz)
    if zhi < nz:
        k0 = max(zhi, 1)
        _e_zlayers(i, j, k0, nz, zlo + k0 - zhi, Ex, Ey, Hx, Hy, b0, b1, rdz, pez, psz)


@njit(cache=True, inline="always")
def _e_zlayers(i, j, k0, k1, l0, Ex, Ey, Hx, Hy, b0, b1, rdz, pez, psz):
    """z-CPML of E nodes ``k0 <= k < k1`` (all with an in-array -z neighbour), layer ``l0 + k - k0``."""
    for k in range(k0, k1):
        l = l0 + k - k0
        dv = (Hy[i, j, k] - Hy[i, j, k - 1]) * rdz
        pu = pez[2, k] * psz[0, i, j, l] + pez[1, k] * dv
        psz[0, i, j, l] = pu
        Ex[i, j, k] -= b0[k] * (pez[0, k] * dv + pu)
    for k in range(k0, k1):
        l = l0 + k - k0
        du = (Hx[i, j, k] - Hx[i, j, k - 1]) * rdz
        pv = pez[2, k] * psz[1, i, j, l] + pez[1, k] * du
        psz[1, i, j, l] = pv
        Ey[i, j, k] += b1[k] * (pez[0, k] * du + pv)


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


@njit(cache=True, inline="always")
def _uniform_lines(c, nz):
    """(3, nz) array with each row filled with the uniform coefficient of that component."""
    out = np.empty((3, nz), c.dtype)
    for m in range(3):
        out[m, :] = c[m, 0, 0, 0]
    return out


@njit(cache=True, parallel=True)
def update_h_cpml(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz,
                  posx, posy, posz, phx, phy, phz, psx, psy, psz):
    """3D ``H^{n+1/2} = da H - db curl E`` with the CPML corrections of every layer, in one pass.

    Bulk part as :func:`update_h` (``da``/``db`` may be uniform ``(3, 1, 1, 1)`` or full
    ``(3, nx, ny, nz)``, independently). Inside a CPML layer along axis ``d`` the derivative
    ``dE/dd`` of the curl is replaced by ``dE/dd / kappa + psi`` with ``psi = b psi + a dE/dd`` [1]_,
    i.e. the update adds ``db ((1/kappa - 1) dE/dd + psi)`` with the curl's sign.

    Parameters
    ----------
    Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz
        As in :func:`update_h`.
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
    ua = _uniform_lines(da, nz)
    ub = _uniform_lines(db, nz)
    zlo, zhi = _z_layers(posz)
    for i in prange(nx):
        for j in range(ny):
            _h_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ua, ub, rdx, rdy, rdz, fx, fy, fz,
                    posx, posy, posz, phx, phy, phz, psx, psy, psz, zlo, zhi)


@njit(cache=True)
def update_h_cpml_serial(Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz,
                         posx, posy, posz, phx, phy, phz, psx, psy, psz):
    """Serial twin of :func:`update_h_cpml`."""
    nx, ny, nz = Ex.shape
    ua = _uniform_lines(da, nz)
    ub = _uniform_lines(db, nz)
    zlo, zhi = _z_layers(posz)
    for i in range(nx):
        for j in range(ny):
            _h_line(i, j, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ua, ub, rdx, rdy, rdz, fx, fy, fz,
                    posx, posy, posz, phx, phy, phz, psx, psy, psz, zlo, zhi)


@njit(cache=True, parallel=True)
def update_e_cpml(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz,
                  posx, posy, posz, pex, pey, pez, psx, psy, psz):
    """3D ``E^{n+1} = ca E + cb curl H`` with the CPML corrections of every layer, in one pass.

    The E-node twin of :func:`update_h_cpml` (backward differences, low-side wrap factors
    ``gx, gy, gz``; ``pex, pey, pez`` sampled at the E nodes).
    """
    nx, ny, nz = Ex.shape
    ua = _uniform_lines(ca, nz)
    ub = _uniform_lines(cb, nz)
    zlo, zhi = _z_layers(posz)
    for i in prange(nx):
        for j in range(ny):
            _e_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, ua, ub, rdx, rdy, rdz, gx, gy, gz,
                    posx, posy, posz, pex, pey, pez, psx, psy, psz, zlo, zhi)


@njit(cache=True)
def update_e_cpml_serial(Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, rdx, rdy, rdz, gx, gy, gz,
                         posx, posy, posz, pex, pey, pez, psx, psy, psz):
    """Serial twin of :func:`update_e_cpml`."""
    nx, ny, nz = Ex.shape
    ua = _uniform_lines(ca, nz)
    ub = _uniform_lines(cb, nz)
    zlo, zhi = _z_layers(posz)
    for i in range(nx):
        for j in range(ny):
            _e_line(i, j, Ex, Ey, Ez, Hx, Hy, Hz, ca, cb, ua, ub, rdx, rdy, rdz, gx, gy, gz,
                    posx, posy, posz, pex, pey, pez, psx, psy, psz, zlo, zhi)


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
        _h_row((t + 1) * nx // nb - 1, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
    for t in prange(nb):
        _lf_block(t * nx // nb, (t + 1) * nx // nb, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb,
                  rdx, rdy, rdz, fx, fy, fz, gx, gy, gz)


@njit(cache=True)
def leapfrog_serial(Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz, nblocks):
    """Serial twin of :func:`leapfrog` (``nblocks`` is ignored: one block)."""
    nx = Ex.shape[0]
    _h_row(nx - 1, Hx, Hy, Hz, Ex, Ey, Ez, da, db, rdx, rdy, rdz, fx, fy, fz)
    _lf_block(0, nx, Hx, Hy, Hz, Ex, Ey, Ez, da, db, ca, cb, rdx, rdy, rdz, fx, fy, fz, gx, gy, gz)


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


def bulk_kernels(ncells, ndim=3):
    """``(update_h, update_e, cpml_h, cpml_e)``: parallel kernels for large grids, serial twins for small."""
    if ndim == 1:
        return update_h_1d, update_e_1d, cpml_h_serial, cpml_e_serial
    if ndim == 2:
        if ncells >= PARALLEL_MIN_CELLS:
            return update_h_2d_parallel, update_e_2d_parallel, cpml_h, cpml_e
        return update_h_2d, update_e_2d, cpml_h_serial, cpml_e_serial
    if ncells >= PARALLEL_MIN_CELLS:
        return update_h, update_e, cpml_h, cpml_e
    return update_h_serial, update_e_serial, cpml_h_serial, cpml_e_serial


def fused_kernels(ncells):
    """``(update_h_cpml, update_e_cpml)`` of 3D grids: parallel for large grids, serial twins for small."""
    if ncells >= PARALLEL_MIN_CELLS:
        return update_h_cpml, update_e_cpml
    return update_h_cpml_serial, update_e_cpml_serial


def leapfrog_kernel(ncells):
    """The one-sweep full step of 3D grids (:func:`leapfrog`): parallel for large grids, serial twin for small."""
    return leapfrog if ncells >= PARALLEL_MIN_CELLS else leapfrog_serial


def wrap_factors(n, wrap, high):
    """Wrap-factor array of length ``n``: ones with ``wrap`` at the last (high) or first entry."""
    f = np.ones(n, dtype=np.asarray(wrap).dtype)
    f[-1 if high else 0] = wrap
    return f
