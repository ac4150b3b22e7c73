"""Pure numba kernels of the differentiable 2D TM Yee step and of its adjoint (transposed) step.

The state is one array ``u`` of shape ``(3, nx, ny)``: ``u[0] = Ez`` (nodes ``(i dx, j dy)``, time
``n dt``), ``u[1] = Hx`` (``(i dx, (j+1/2) dy)``, time ``(n-1/2) dt``), ``u[2] = Hy``
(``((i+1/2) dx, j dy)``, time ``(n-1/2) dt``). One step is, in the order and with the arithmetic of
:mod:`electromagnetics.fdtd._kernels` (``_h_row_2d``/``_e_row_2d``) and the source/PEC order of
:class:`~electromagnetics.fdtd.FDTDSimulation`::

    Hx'  = dax Hx - dbx (fy_j Ez[i, j+1] - Ez[i, j]) / dy
    Hy'  = day Hy + dby (fx_i Ez[i+1, j] - Ez[i, j]) / dx
    C    = (Hy'[i, j] - gx_i Hy'[i-1, j]) / dx - (Hx'[i, j] - gy_j Hx'[i, j-1]) / dy
    Ez'  = pec (ca Ez + cb C - cb sum_k src_k amp_k)

with wrap factors ``f``/``g`` (1, or 0 at a wall) for the neighbour one past either end, ``pec`` 0 on
PEC nodes and 1 elsewhere, and ``ca``, ``cb`` taken from the design arrays ``ca_d``, ``cb_d`` inside the
design box ``[i0, i0 + mx) x [j0, j0 + my)``. The adjoint kernel applies the transpose of this map to a
cotangent and returns the cotangents of the state and of the design coefficients.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def tm_step(u, ca, cb, ca_d, cb_d, i0, j0, dax, dbx, day, dby, rdx, rdy, fx, fy, gx, gy, pec, src, amp):
    """One 2D TM Yee step; returns the new state (the input is not modified).

    Parameters
    ----------
    u : ndarray, shape (3, nx, ny)
        ``Ez`` (V/m), ``Hx``, ``Hy`` (A/m).
    ca, cb : ndarray, shape (nx, ny)
        E-update coefficients outside the design box: ``ca`` (1) and ``cb = dt / (eps0 eps + sigma dt / 2)``
        (m/F times s).
    ca_d, cb_d : ndarray, shape (mx, my)
        E-update coefficients inside the design box.
    i0, j0 : int
        Lower corner of the design box (node indices).
    dax, dbx, day, dby : ndarray, shape (nx, ny)
        H-update coefficients of Hx and Hy.
    rdx, rdy : float
        ``1/dx``, ``1/dy`` (1/m).
    fx, fy, gx, gy : ndarray, shapes (nx,), (ny,), (nx,), (ny,)
        Wrap factors of the H and E updates.
    pec : ndarray, shape (nx, ny)
        0 on PEC nodes, 1 elsewhere.
    src : ndarray, shape (k, nx, ny)
        Source patterns (1 on source nodes).
    amp : ndarray, shape (k,)
        Current densities of the sources at this half step, A/m^2.
    """
    nx, ny = u.shape[1], u.shape[2]
    mx, my = ca_d.shape
    out = np.empty_like(u)
    E = u[0]
    Hx = u[1]
    Hy = u[2]
    Eo = out[0]
    Hxo = out[1]
    Hyo = out[2]
    for i in range(nx):
        ip = i + 1 if i < nx - 1 else 0
        wx = fx[i]
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            Hxo[i, j] = dax[i, j] * Hx[i, j] - dbx[i, j] * (wy * E[i, jp] - E[i, j]) * rdy
            Hyo[i, j] = day[i, j] * Hy[i, j] + dby[i, j] * (wx * E[ip, j] - E[i, j]) * rdx
    for i in range(nx):
        im = i - 1 if i > 0 else nx - 1
        wx = gx[i]
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            a = ca[i, j]
            b = cb[i, j]
            di = i - i0
            dj = j - j0
            if 0 <= di < mx and 0 <= dj < my:
                a = ca_d[di, dj]
                b = cb_d[di, dj]
            e = a * E[i, j] + b * ((Hyo[i, j] - wx * Hyo[im, j]) * rdx - (Hxo[i, j] - wy * Hxo[i, jm]) * rdy)
            for k in range(src.shape[0]):
                if src[k, i, j] != 0.0:
                    e -= b * (src[k, i, j] * amp[k])
            Eo[i, j] = e * pec[i, j]
    return out


@njit(cache=True)
def tm_step_adjoint(g, u, ans, ca, cb, ca_d, cb_d, i0, j0, dax, dbx, day, dby, rdx, rdy, fx, fy, gx, gy, pec, src,
                    amp):
    """Transpose of :func:`tm_step` at ``u`` (``ans = tm_step(u, ...)``) applied to the cotangent ``g``.

    Returns
    -------
    gu : ndarray, shape (3, nx, ny)
        Cotangent of the input state.
    g_ca, g_cb : ndarray, shape (mx, my)
        Cotangents of the design coefficients ``ca_d``, ``cb_d``.
    """
    nx, ny = u.shape[1], u.shape[2]
    mx, my = ca_d.shape
    E = u[0]
    Hxn = ans[1]
    Hyn = ans[2]
    gu = np.zeros_like(u)
    g_ca = np.zeros_like(ca_d)
    g_cb = np.zeros_like(cb_d)
    gE = gu[0]
    # cotangents of the new H (direct + through the E update), accumulated in place
    gHx = g[1].copy()
    gHy = g[2].copy()
    for i in range(nx):
        im = i - 1 if i > 0 else nx - 1
        wx = gx[i]
        for j in range(ny):
            ge = g[0, i, j] * pec[i, j]
            if ge == 0.0:
                continue
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            a = ca[i, j]
            b = cb[i, j]
            di = i - i0
            dj = j - j0
            inside = 0 <= di < mx and 0 <= dj < my
            if inside:
                a = ca_d[di, dj]
                b = cb_d[di, dj]
                c = (Hyn[i, j] - wx * Hyn[im, j]) * rdx - (Hxn[i, j] - wy * Hxn[i, jm]) * rdy
                for k in range(src.shape[0]):
                    c -= src[k, i, j] * amp[k]
                g_ca[di, dj] = ge * E[i, j]
                g_cb[di, dj] = ge * c
            gE[i, j] += a * ge
            gc = b * ge
            gHy[i, j] += gc * rdx
            gHy[im, j] -= wx * gc * rdx
            gHx[i, j] -= gc * rdy
            gHx[i, jm] += wy * gc * rdy
    for i in range(nx):
        ip = i + 1 if i < nx - 1 else 0
        wx = fx[i]
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            gu[1, i, j] = dax[i, j] * gHx[i, j]
            gu[2, i, j] = day[i, j] * gHy[i, j]
            a = dbx[i, j] * gHx[i, j] * rdy
            gE[i, jp] -= wy * a
            gE[i, j] += a
            b = dby[i, j] * gHy[i, j] * rdx
            gE[ip, j] += wx * b
            gE[i, j] -= b
    return gu, g_ca, g_cb
