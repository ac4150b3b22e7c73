"""Pure numba kernels of the differentiable 2D TM and TE Yee steps with CPML: each step, its tangent-linear
(forward-mode) step and its adjoint (transposed) step. TM below; TE (``te_step`` ...) at the end.

The state is ``u`` of shape ``(3, nx, ny)``: ``u[0] = Ez`` (nodes ``(i dx, j dy)``, time ``n dt``),
``u[1] = Hx`` (``(i dx, (j+1/2) dy)``, time ``(n-1/2) dt``), ``u[2] = Hy`` (``((i+1/2) dx, j dy)``,
time ``(n-1/2) dt``), plus the CPML convolution memories in one flat array ``p``: first the x layers
``px = p[:2 Lx ny].reshape(2, Lx, ny)`` (``px[0]`` of Hy, ``px[1]`` of Ez), then the y layers
``py = p[2 Lx ny:].reshape(2, nx, Ly)`` (``py[0]`` of Hx, ``py[1]`` of Ez), ``Lx``/``Ly`` being the
total CPML thickness on each axis (possibly 0). One step is, in the order and with the arithmetic of
:mod:`electromagnetics.fdtd._kernels_2d` (``update_h_2d_tm``, ``cpml_h_one``, ``update_e_2d_tm``,
``cpml_e_one``) and the source/PEC order of :class:`~electromagnetics.fdtd.FDTDSimulation`::

    Hx1 = dax Hx - dbx (fy_j Ez[i, j+1] - Ez[i, j]) / dy
    Hy1 = day Hy + dby (fx_i Ez[i+1, j] - Ez[i, j]) / dx
    x layers:  d = dEz/dx;  px0' = bh px0 + ah d;  Hy' = Hy1 + dby (kh d + px0')
    y layers:  d = dEz/dy;  py0' = bh py0 + ah d;  Hx' = Hx1 - dbx (kh d + py0')
    Ez1 = ca Ez + cb [(Hy'[i, j] - gx_i Hy'[i-1, j]) / dx - (Hx'[i, j] - gy_j Hx'[i, j-1]) / dy]
    x layers:  d = dHy'/dx; px1' = be px1 + ae d;  Ez2 = Ez1 + cb (ke d + px1')
    y layers:  d = dHx'/dy; py1' = be py1 + ae d;  Ez2 = Ez2 - cb (ke d + py1')
    Ez'  = pec (Ez2 - cb sum_k src_k amp_k)

with wrap factors ``f``/``g`` (1, or 0 at a wall) for the neighbour one past either end, ``pec`` 0 on
PEC nodes and 1 elsewhere, ``kh, ah, bh`` / ``ke, ae, be`` the CPML profiles (``1/kappa - 1``, ``a``,
``b``) at the H / E nodes of each layer, the layer derivatives one-sided at the backing wall (the
field one past the array is 0), and ``ca``, ``cb`` taken from the design arrays ``ca_d``, ``cb_d``
inside the design box ``[i0, i0 + mx) x [j0, j0 + my)`` (which lies outside the CPML layers).

The step is linear in ``(u, p)``, affine in the source amplitudes ``amp`` and bilinear in the
design coefficients and the state: :func:`tm_step_tangent` is its derivative applied to a tangent
and :func:`tm_step_adjoint` its transpose applied to a cotangent.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def _coef(ec, c, ca_w, cb_w, i0, j0, i, j):
    """``(ca, cb, inside)`` of E component ``c`` at node (i, j): from the design window ``ca_w``,
    ``cb_w`` (lower corner ``(i0, j0)``) inside it, else rows ``2c``, ``2c + 1`` of ``ec``."""
    di = i - i0
    dj = j - j0
    if 0 <= di < ca_w.shape[0] and 0 <= dj < ca_w.shape[1]:
        return ca_w[di, dj], cb_w[di, dj], True
    return ec[2 * c, i, j], ec[2 * c + 1, i, j], False


@njit(cache=True)
def _memories(p, posx, posy, nx, ny):
    """Views ``px (2, Lx, ny)`` and ``py (2, nx, Ly)`` of the flat CPML memories ``p``."""
    Lx = 0
    for i in range(nx):
        Lx += posx[i] >= 0
    Ly = 0
    for j in range(ny):
        Ly += posy[j] >= 0
    return p[:2 * Lx * ny].reshape((2, Lx, ny)), p[2 * Lx * ny:].reshape((2, nx, Ly))


# CPML layers along the first axis of their arguments; the y layers pass transposed views (``F.T``,
# ``G.T``, ``psi.T``, ``c.T``), which visit the nodes in the same order as a y loop (j outer).
@njit(cache=True)
def _layer_step(F, G, psi, c, pos, pr, o, rd, sign, forward):
    """``d = dG/dn``; ``psi = b psi + a d``; ``F += sign c (k d + psi)`` on the layer nodes.

    ``d = (G[i+1] - G[i]) rd`` with ``G[n] = 0`` (``forward``, H nodes) or ``(G[i] - G[i-1]) rd``
    with ``G[-1] = 0`` (E nodes); ``(k, a, b) = pr[o:o + 3, i]``; ``sign`` is +1 or -1 (exact)."""
    n, m = F.shape
    for i in range(n):
        l = pos[i]
        if l < 0:
            continue
        kl, al, bl = pr[o, i], pr[o + 1, i], pr[o + 2, i]
        for j in range(m):
            if forward:
                d = ((G[i + 1, j] - G[i, j]) if i < n - 1 else -G[i, j]) * rd
            else:
                d = ((G[i, j] - G[i - 1, j]) if i > 0 else G[i, j]) * rd
            q = bl * psi[l, j] + al * d
            psi[l, j] = q
            F[i, j] += sign * c[i, j] * (kl * d + q)


@njit(cache=True)
def _layer_adjoint(gF, gG, gpsi, gpsi_in, c, pos, pr, o, rd, sign, forward):
    """Transpose of :func:`_layer_step`: from the cotangents ``gF`` (of the corrected F) and ``gpsi``
    (of the new memories), accumulate into ``gG`` and set ``gpsi_in`` (of the old memories)."""
    n, m = gF.shape
    for i in range(n):
        l = pos[i]
        if l < 0:
            continue
        kl, al, bl = pr[o, i], pr[o + 1, i], pr[o + 2, i]
        for j in range(m):
            g = sign * c[i, j] * gF[i, j]
            t = gpsi[l, j] + g
            gd = (kl * g + al * t) * rd
            gpsi_in[l, j] = bl * t
            if forward:
                if i < n - 1:
                    gG[i + 1, j] += gd
                gG[i, j] -= gd
            else:
                gG[i, j] += gd
                if i > 0:
                    gG[i - 1, j] -= gd


@njit(cache=True)
def tm_step(u, p, ca_d, cb_d, amp, i0, j0, ec, hc, rdx, rdy, fx, fy, gx, gy, pec, src, posx, posy, prx, pry):
    """One 2D TM Yee step with CPML layers; returns the new ``(u, p)`` (the inputs are not modified).

    Parameters
    ----------
    u : ndarray, shape (3, nx, ny)
        ``Ez`` (V/m), ``Hx``, ``Hy`` (A/m).
    p : ndarray, shape (2 Lx ny + 2 nx Ly,)
        CPML memories (A/m^2 for Ez, V/m^2 for H), layout in the module docstring.
    ca_d, cb_d : ndarray, shape (mx, my)
        E-update coefficients inside the design box (``cb`` in m s/F).
    amp : ndarray, shape (k,)
        Current densities of the sources at this half step, A/m^2.
    i0, j0 : int
        Lower corner of the design box (node indices).
    ec : ndarray, shape (2, nx, ny)
        ``ca``, ``cb`` outside the design box.
    hc : ndarray, shape (4, nx, ny)
        ``dax, dbx, day, dby``: H-update coefficients of Hx and Hy.
    rdx, rdy : float
        ``1/dx``, ``1/dy`` (1/m).
    fx, fy, gx, gy : ndarray, shapes (nx,), (ny,), (nx,), (ny,)
        Wrap factors of the H and E updates.
    pec : ndarray, shape (nx, ny)
        0 on PEC nodes, 1 elsewhere.
    src : ndarray, shape (k, nx, ny)
        Source patterns (1 on source nodes).
    posx, posy : ndarray of int, shapes (nx,), (ny,)
        CPML layer of each grid index along x / y (-1 outside the layers).
    prx, pry : ndarray, shapes (6, nx), (6, ny)
        CPML profiles ``ke, ae, be, kh, ah, bh`` along x / y (zeros outside the layers).

    Returns
    -------
    out : ndarray, shape (3, nx, ny)
    pout : ndarray, shape of ``p``
    """
    nx, ny = u.shape[1], u.shape[2]
    out = np.empty_like(u)
    pout = p.copy()
    px, py = _memories(pout, posx, posy, nx, ny)
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
            Hxo[i, j] = hc[0, i, j] * Hx[i, j] - hc[1, i, j] * (wy * E[i, jp] - E[i, j]) * rdy
            Hyo[i, j] = hc[2, i, j] * Hy[i, j] + hc[3, i, j] * (wx * E[ip, j] - E[i, j]) * rdx
    _layer_step(Hyo, E, px[0], hc[3], posx, prx, 3, rdx, 1.0, True)
    _layer_step(Hxo.T, E.T, py[0].T, hc[1].T, posy, pry, 3, rdy, -1.0, True)
    for i in range(nx):
        im = i - 1 if i > 0 else nx - 1
        wx = gx[i]
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            a, b, _ = _coef(ec, 0, ca_d, cb_d, i0, j0, i, j)
            Eo[i, j] = a * E[i, j] + b * ((Hyo[i, j] - wx * Hyo[im, j]) * rdx - (Hxo[i, j] - wy * Hxo[i, jm]) * rdy)
    _layer_step(Eo, Hyo, px[1], ec[1], posx, prx, 0, rdx, 1.0, False)
    _layer_step(Eo.T, Hxo.T, py[1].T, ec[1].T, posy, pry, 0, rdy, -1.0, False)
    for i in range(nx):
        for j in range(ny):
            e = Eo[i, j]
            for k in range(src.shape[0]):
                if src[k, i, j] != 0.0:
                    _, b, _ = _coef(ec, 0, ca_d, cb_d, i0, j0, i, j)
                    e -= b * (src[k, i, j] * amp[k])
            Eo[i, j] = e * pec[i, j]
    return out, pout


@njit(cache=True)
def _design_curl(H2x, H2y, src, amp, i, j, rdx, rdy, gx, gy):
    """``curl H' - sum_k src_k amp_k`` at the Ez node (i, j): the factor multiplying ``cb``."""
    nx, ny = H2x.shape
    im = i - 1 if i > 0 else nx - 1
    jm = j - 1 if j > 0 else ny - 1
    c = (H2y[i, j] - gx[i] * H2y[im, j]) * rdx - (H2x[i, j] - gy[j] * H2x[i, jm]) * rdy
    for k in range(src.shape[0]):
        c -= src[k, i, j] * amp[k]
    return c


@njit(cache=True)
def tm_step_tangent(du, dp, dca, dcb, damp, u, ans, ca_d, cb_d, amp, i0, j0, ec, hc, rdx, rdy, fx, fy, gx, gy, pec,
                    src, posx, posy, prx, pry):
    """Tangent-linear step: the derivative of :func:`tm_step` at ``(u, ca_d, cb_d, amp)`` applied to the
    tangents ``(du, dp, dca, dcb, damp)``; ``ans`` is the state :func:`tm_step` returned there.

    The step is linear in ``(u, p)`` and affine in ``amp``, so that part is :func:`tm_step` of the
    tangents; the design coefficients add ``pec (dca Ez + dcb (curl H' - src amp))`` in the box.

    Returns
    -------
    du_out : ndarray, shape (3, nx, ny)
    dp_out : ndarray, shape of ``dp``
    """
    dout, dpout = tm_step(du, dp, ca_d, cb_d, damp, i0, j0, ec, hc, rdx, rdy, fx, fy, gx, gy, pec, src, posx, posy,
                          prx, pry)
    mx, my = ca_d.shape
    for di in range(mx):
        i = i0 + di
        for dj in range(my):
            j = j0 + dj
            c = _design_curl(ans[1], ans[2], src, amp, i, j, rdx, rdy, gx, gy)
            dout[0, i, j] += pec[i, j] * (dca[di, dj] * u[0, i, j] + dcb[di, dj] * c)
    return dout, dpout


@njit(cache=True)
def tm_step_adjoint(g, gp, u, ans, ca_d, cb_d, amp, i0, j0, ec, hc, rdx, rdy, fx, fy, gx, gy, pec, src, posx, posy,
                    prx, pry):
    """Transpose of :func:`tm_step` at ``(u, ca_d, cb_d, amp)`` (``ans`` = its new state) applied to the
    cotangents ``(g, gp)`` of the new state and CPML memories.

    Returns
    -------
    gu : ndarray, shape (3, nx, ny)
        Cotangent of the input state.
    gpi : ndarray, shape of ``gp``
        Cotangent of the input CPML memories.
    g_ca, g_cb : ndarray, shape (mx, my)
        Cotangents of the design coefficients ``ca_d``, ``cb_d``.
    g_amp : ndarray, shape (k,)
        Cotangents of the source amplitudes.
    """
    nx, ny = u.shape[1], u.shape[2]
    E = u[0]
    H2x = ans[1]
    H2y = ans[2]
    gu = np.zeros_like(u)
    gpi = np.zeros_like(gp)
    g_ca = np.zeros_like(ca_d)
    g_cb = np.zeros_like(cb_d)
    g_amp = np.zeros_like(amp)
    gpx, gpy = _memories(gp, posx, posy, nx, ny)
    gix, giy = _memories(gpi, posx, posy, nx, ny)
    gE = gu[0]
    ge = np.empty((nx, ny))  # cotangent of Ez after the bulk update (the PEC mask and sources are affine)
    for i in range(nx):
        for j in range(ny):
            ge[i, j] = g[0, i, j] * pec[i, j]
            for k in range(src.shape[0]):
                if src[k, i, j] != 0.0:
                    _, b, _ = _coef(ec, 0, ca_d, cb_d, i0, j0, i, j)
                    g_amp[k] -= ge[i, j] * b * src[k, i, j]
    # cotangents of the new H (direct + through the E update), accumulated in place
    gHx = g[1].copy()
    gHy = g[2].copy()
    # E layers (reverse of the x then y corrections; they only read H')
    _layer_adjoint(ge, gHy, gpx[1], gix[1], ec[1], posx, prx, 0, rdx, 1.0, False)
    _layer_adjoint(ge.T, gHx.T, gpy[1].T, giy[1].T, ec[1].T, posy, pry, 0, rdy, -1.0, False)
    # bulk E update
    for i in range(nx):
        im = i - 1 if i > 0 else nx - 1
        wx = gx[i]
        for j in range(ny):
            gij = ge[i, j]
            if gij == 0.0:
                continue
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            a, b, inside = _coef(ec, 0, ca_d, cb_d, i0, j0, i, j)
            if inside:
                g_ca[i - i0, j - j0] = gij * E[i, j]
                g_cb[i - i0, j - j0] = gij * _design_curl(H2x, H2y, src, amp, i, j, rdx, rdy, gx, gy)
            gE[i, j] += a * gij
            gc = b * gij
            gHy[i, j] += gc * rdx
            gHy[im, j] -= wx * gc * rdx
            gHx[i, j] -= gc * rdy
            gHx[i, jm] += wy * gc * rdy
    # H layers
    _layer_adjoint(gHy, gE, gpx[0], gix[0], hc[3], posx, prx, 3, rdx, 1.0, True)
    _layer_adjoint(gHx.T, gE.T, gpy[0].T, giy[0].T, hc[1].T, posy, pry, 3, rdy, -1.0, True)
    # bulk H update
    for i in range(nx):
        ip = i + 1 if i < nx - 1 else 0
        wx = fx[i]
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            gu[1, i, j] = hc[0, i, j] * gHx[i, j]
            gu[2, i, j] = hc[2, i, j] * gHy[i, j]
            a = hc[1, i, j] * gHx[i, j] * rdy
            gE[i, jp] -= wy * a
            gE[i, j] += a
            b = hc[3, i, j] * gHy[i, j] * rdx
            gE[ip, j] += wx * b
            gE[i, j] -= b
    return gu, gpi, g_ca, g_cb, g_amp


# ----------------------------------------------------------------------------- TE: (Hz, Ex, Ey)
# State ``u = (Hz, Ex, Ey)``: ``Hz`` at ``((i+1/2) dx, (j+1/2) dy)``, time ``(n-1/2) dt``; ``Ex`` at
# ``((i+1/2) dx, j dy)`` and ``Ey`` at ``(i dx, (j+1/2) dy)``, time ``n dt``. CPML memories: ``px[0]``
# (Hz, x layers), ``px[1]`` (Ey), ``py[0]`` (Hz, y layers), ``py[1]`` (Ex). One step::
#
#     Hz1 = daz Hz - dbz [(fx_i Ey[i+1, j] - Ey[i, j]) / dx - (fy_j Ex[i, j+1] - Ex[i, j]) / dy]
#     x layers:  d = dEy/dx;  px0' = bh px0 + ah d;  Hz2 = Hz1 - dbz (kh d + px0')
#     y layers:  d = dEx/dy;  py0' = bh py0 + ah d;  Hz' = Hz2 + dbz (kh d + py0')
#     Ex1 = cax Ex + cbx (Hz'[i, j] - gy_j Hz'[i, j-1]) / dy
#     Ey1 = cay Ey - cby (Hz'[i, j] - gx_i Hz'[i-1, j]) / dx
#     x layers:  d = dHz'/dx; px1' = be px1 + ae d;  Ey2 = Ey1 - cby (ke d + px1')
#     y layers:  d = dHz'/dy; py1' = be py1 + ae d;  Ex2 = Ex1 + cbx (ke d + py1')
#     E' = pec (E2 - cb sum_k src_k amp_k)      (each source on Ex or Ey)
#
# The design coefficients ``(cax, cbx)`` / ``(cay, cby)`` cover windows of Ex / Ey nodes with lower
# corners ``(ix0, jx0)`` / ``(iy0, jy0)``.
@njit(cache=True)
def te_step(u, p, cax, cbx, cay, cby, amp, ix0, jx0, iy0, jy0, ec, hc, rdx, rdy, fx, fy, gx, gy, pec, src, scomp,
            posx, posy, prx, pry):
    """One 2D TE Yee step with CPML layers; returns the new ``(u, p)`` (the inputs are not modified).

    Parameters
    ----------
    u : ndarray, shape (3, nx, ny)
        ``Hz`` (A/m), ``Ex``, ``Ey`` (V/m).
    p : ndarray, shape (2 Lx ny + 2 nx Ly,)
        CPML memories.
    cax, cbx, cay, cby : ndarray, shapes (wx, hx), (wx, hx), (wy, hy), (wy, hy)
        E-update coefficients of the Ex and Ey nodes of the design windows.
    amp : ndarray, shape (k,)
        Current densities of the sources at this half step, A/m^2.
    ix0, jx0, iy0, jy0 : int
        Lower corners of the Ex and Ey design windows (node indices).
    ec : ndarray, shape (4, nx, ny)
        ``cax, cbx, cay, cby`` outside the windows.
    hc : ndarray, shape (2, nx, ny)
        ``daz, dbz``.
    rdx, rdy, fx, fy, gx, gy, posx, posy, prx, pry
        As for :func:`tm_step`.
    pec : ndarray, shape (2, nx, ny)
        0 on the PEC nodes of Ex / Ey, 1 elsewhere.
    src : ndarray, shape (k, nx, ny)
        Source patterns.
    scomp : ndarray of int, shape (k,)
        Component of each source: 0 for Ex, 1 for Ey.

    Returns
    -------
    out : ndarray, shape (3, nx, ny)
    pout : ndarray, shape of ``p``
    """
    nx, ny = u.shape[1], u.shape[2]
    out = np.empty_like(u)
    pout = p.copy()
    px, py = _memories(pout, posx, posy, nx, ny)
    Hz = u[0]
    Ex = u[1]
    Ey = u[2]
    Hzo = out[0]
    Exo = out[1]
    Eyo = out[2]
    for i in range(nx):
        ip = i + 1 if i < nx - 1 else 0
        wx = fx[i]
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            Hzo[i, j] = hc[0, i, j] * Hz[i, j] - hc[1, i, j] * ((wx * Ey[ip, j] - Ey[i, j]) * rdx
                                                                - (wy * Ex[i, jp] - Ex[i, j]) * rdy)
    _layer_step(Hzo, Ey, px[0], hc[1], posx, prx, 3, rdx, -1.0, True)
    _layer_step(Hzo.T, Ex.T, py[0].T, hc[1].T, posy, pry, 3, rdy, 1.0, True)
    for i in range(nx):
        im = i - 1 if i > 0 else nx - 1
        wx = gx[i]
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            a, b, _ = _coef(ec, 0, cax, cbx, ix0, jx0, i, j)
            Exo[i, j] = a * Ex[i, j] + b * (Hzo[i, j] - wy * Hzo[i, jm]) * rdy
            a, b, _ = _coef(ec, 1, cay, cby, iy0, jy0, i, j)
            Eyo[i, j] = a * Ey[i, j] - b * (Hzo[i, j] - wx * Hzo[im, j]) * rdx
    _layer_step(Eyo, Hzo, px[1], ec[3], posx, prx, 0, rdx, -1.0, False)
    _layer_step(Exo.T, Hzo.T, py[1].T, ec[1].T, posy, pry, 0, rdy, 1.0, False)
    for k in range(src.shape[0]):
        c = scomp[k]
        for i in range(nx):
            for j in range(ny):
                if src[k, i, j] != 0.0:
                    if c == 0:
                        _, b, _ = _coef(ec, 0, cax, cbx, ix0, jx0, i, j)
                    else:
                        _, b, _ = _coef(ec, 1, cay, cby, iy0, jy0, i, j)
                    out[1 + c, i, j] -= b * (src[k, i, j] * amp[k])
    for i in range(nx):
        for j in range(ny):
            Exo[i, j] *= pec[0, i, j]
            Eyo[i, j] *= pec[1, i, j]
    return out, pout


@njit(cache=True)
def _te_curl(Hz2, src, scomp, amp, c, i, j, rdx, rdy, gx, gy):
    """The factor multiplying ``cb`` in the update of Ex (c = 0) or Ey (c = 1) at node (i, j)."""
    nx, ny = Hz2.shape
    if c == 0:
        jm = j - 1 if j > 0 else ny - 1
        v = (Hz2[i, j] - gy[j] * Hz2[i, jm]) * rdy
    else:
        im = i - 1 if i > 0 else nx - 1
        v = -(Hz2[i, j] - gx[i] * Hz2[im, j]) * rdx
    for k in range(src.shape[0]):
        if scomp[k] == c:
            v -= src[k, i, j] * amp[k]
    return v


@njit(cache=True)
def te_step_tangent(du, dp, dcax, dcbx, dcay, dcby, damp, u, ans, cax, cbx, cay, cby, amp, ix0, jx0, iy0, jy0, ec, hc,
                    rdx, rdy, fx, fy, gx, gy, pec, src, scomp, posx, posy, prx, pry):
    """Tangent-linear TE step (see :func:`tm_step_tangent`); ``ans`` is :func:`te_step`'s new state."""
    dout, dpout = te_step(du, dp, cax, cbx, cay, cby, damp, ix0, jx0, iy0, jy0, ec, hc, rdx, rdy, fx, fy, gx, gy,
                          pec, src, scomp, posx, posy, prx, pry)
    for c in range(2):
        dca = dcax if c == 0 else dcay
        dcb = dcbx if c == 0 else dcby
        i0 = ix0 if c == 0 else iy0
        j0 = jx0 if c == 0 else jy0
        for di in range(dca.shape[0]):
            i = i0 + di
            for dj in range(dca.shape[1]):
                j = j0 + dj
                v = _te_curl(ans[0], src, scomp, amp, c, i, j, rdx, rdy, gx, gy)
                dout[1 + c, i, j] += pec[c, i, j] * (dca[di, dj] * u[1 + c, i, j] + dcb[di, dj] * v)
    return dout, dpout


@njit(cache=True)
def te_step_adjoint(g, gp, u, ans, cax, cbx, cay, cby, amp, ix0, jx0, iy0, jy0, ec, hc, rdx, rdy, fx, fy, gx, gy, pec,
                    src, scomp, posx, posy, prx, pry):
    """Transpose of :func:`te_step` applied to the cotangents ``(g, gp)`` of the new state and memories.

    Returns
    -------
    gu, gpi : ndarray
        Cotangents of the input state and CPML memories.
    g_cax, g_cbx, g_cay, g_cby : ndarray
        Cotangents of the design-window coefficients.
    g_amp : ndarray, shape (k,)
        Cotangents of the source amplitudes.
    """
    nx, ny = u.shape[1], u.shape[2]
    Hz2 = ans[0]
    gu = np.zeros_like(u)
    gpi = np.zeros_like(gp)
    gcw = [np.zeros_like(cax), np.zeros_like(cbx), np.zeros_like(cay), np.zeros_like(cby)]
    g_amp = np.zeros_like(amp)
    gpx, gpy = _memories(gp, posx, posy, nx, ny)
    gix, giy = _memories(gpi, posx, posy, nx, ny)
    ge = np.empty((2, nx, ny))  # cotangents of Ex, Ey after the CPML corrections
    for c in range(2):
        for i in range(nx):
            for j in range(ny):
                ge[c, i, j] = g[1 + c, i, j] * pec[c, i, j]
    for k in range(src.shape[0]):
        c = scomp[k]
        for i in range(nx):
            for j in range(ny):
                if src[k, i, j] != 0.0:
                    if c == 0:
                        _, b, _ = _coef(ec, 0, cax, cbx, ix0, jx0, i, j)
                    else:
                        _, b, _ = _coef(ec, 1, cay, cby, iy0, jy0, i, j)
                    g_amp[k] -= ge[c, i, j] * b * src[k, i, j]
    gH = g[0].copy()  # cotangent of the new Hz, accumulated in place
    gEx = gu[1]
    gEy = gu[2]
    # E layers
    _layer_adjoint(ge[0].T, gH.T, gpy[1].T, giy[1].T, ec[1].T, posy, pry, 0, rdy, 1.0, False)
    _layer_adjoint(ge[1], gH, gpx[1], gix[1], ec[3], posx, prx, 0, rdx, -1.0, False)
    # bulk E update
    for i in range(nx):
        im = i - 1 if i > 0 else nx - 1
        wx = gx[i]
        for j in range(ny):
            jm = j - 1 if j > 0 else ny - 1
            wy = gy[j]
            gx_ = ge[0, i, j]
            if gx_ != 0.0:
                a, b, inside = _coef(ec, 0, cax, cbx, ix0, jx0, i, j)
                if inside:
                    gcw[0][i - ix0, j - jx0] = gx_ * u[1, i, j]
                    gcw[1][i - ix0, j - jx0] = gx_ * _te_curl(Hz2, src, scomp, amp, 0, i, j, rdx, rdy, gx, gy)
                gEx[i, j] += a * gx_
                gc = b * gx_ * rdy
                gH[i, j] += gc
                gH[i, jm] -= wy * gc
            gy_ = ge[1, i, j]
            if gy_ != 0.0:
                a, b, inside = _coef(ec, 1, cay, cby, iy0, jy0, i, j)
                if inside:
                    gcw[2][i - iy0, j - jy0] = gy_ * u[2, i, j]
                    gcw[3][i - iy0, j - jy0] = gy_ * _te_curl(Hz2, src, scomp, amp, 1, i, j, rdx, rdy, gx, gy)
                gEy[i, j] += a * gy_
                gc = b * gy_ * rdx
                gH[i, j] -= gc
                gH[im, j] += wx * gc
    # H layers
    _layer_adjoint(gH.T, gEx.T, gpy[0].T, giy[0].T, hc[1].T, posy, pry, 3, rdy, 1.0, True)
    _layer_adjoint(gH, gEy, gpx[0], gix[0], hc[1], posx, prx, 3, rdx, -1.0, True)
    # bulk H update
    for i in range(nx):
        ip = i + 1 if i < nx - 1 else 0
        wx = fx[i]
        for j in range(ny):
            jp = j + 1 if j < ny - 1 else 0
            wy = fy[j]
            gu[0, i, j] = hc[0, i, j] * gH[i, j]
            a = hc[1, i, j] * gH[i, j]
            gEy[ip, j] -= wx * a * rdx
            gEy[i, j] += a * rdx
            gEx[i, jp] += wy * a * rdy
            gEx[i, j] -= a * rdy
    return gu, gpi, gcw[0], gcw[1], gcw[2], gcw[3], g_amp
