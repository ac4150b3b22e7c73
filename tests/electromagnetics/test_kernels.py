"""Each numba kernel against a short numpy version of the same formula (STYLE rule 8)."""

import numpy as np
import pytest

from electromagnetics.fdtd import _kernels as K
from electromagnetics.fdtd import _kernels_2d as K2

RTOL = 1e-12  # float64 kernels and numpy references do the same arithmetic up to reassociation


def _curl_e_np(E, d, whi):
    """numpy curl E at H nodes with high-side wrap factors ``whi`` (ghost = whi * F[0])."""
    def fwd(F, ax):
        ghost = whi[ax] * np.take(F, [0], axis=ax)
        return (np.diff(np.concatenate([F, ghost], axis=ax), axis=ax)) / d[ax]
    Ex, Ey, Ez = E
    return [fwd(Ez, 1) - fwd(Ey, 2), fwd(Ex, 2) - fwd(Ez, 0), fwd(Ey, 0) - fwd(Ex, 1)]


def _curl_h_np(H, d, wlo):
    def bwd(F, ax):
        ghost = wlo[ax] * np.take(F, [F.shape[ax] - 1], axis=ax)
        return (np.diff(np.concatenate([ghost, F], axis=ax), axis=ax)) / d[ax]
    Hx, Hy, Hz = H
    return [bwd(Hz, 1) - bwd(Hy, 2), bwd(Hx, 2) - bwd(Hz, 0), bwd(Hy, 0) - bwd(Hx, 1)]


CASES = ([(s, w) for s in [(7, 5, 4), (9, 6, 1), (11, 1, 1)] for w in ("parallel", "serial")]
         + [((11, 1, 1), "1d"), ((9, 6, 1), "2d"), ((9, 6, 1), "2d_parallel")])


@pytest.mark.parametrize(("shape", "which"), CASES)
@pytest.mark.parametrize("uniform", [True, False])
def test_bulk_updates_match_numpy(rng, shape, uniform, which):
    d = (0.3, 0.7, 1.1)
    E = [rng.standard_normal(shape) for _ in range(3)]
    H = [rng.standard_normal(shape) for _ in range(3)]
    cshape = (3, 1, 1, 1) if uniform else (3, *shape)
    ca, cb, da, db = (rng.uniform(0.5, 1.5, cshape) for _ in range(4))
    # walls on x, periodic on y, Bloch-like real factor on z (degenerate axes must be periodic)
    whi = [0.0 if shape[0] > 1 else 1.0, 1.0, -0.5 if shape[2] > 1 else 1.0]
    wlo = [0.0 if shape[0] > 1 else 1.0, 1.0, -2.0 if shape[2] > 1 else 1.0]
    if which.startswith(("1d", "2d")):
        whi[2] = wlo[2] = 1.0
    f = [K.wrap_factors(n, np.asarray(w), True) for n, w in zip(shape, whi)]
    g = [K.wrap_factors(n, np.asarray(w), False) for n, w in zip(shape, wlo)]
    Hn = [da[c] * H[c] - db[c] * _curl_e_np(E, d, whi)[c] for c in range(3)]
    kh, ke = {"parallel": (K.update_h, K.update_e), "serial": (K.update_h_serial, K.update_e_serial),
              "1d": (K2.update_h_1d, K2.update_e_1d), "2d": (K2.update_h_2d, K2.update_e_2d),
              "2d_parallel": (K2.update_h_2d_parallel, K2.update_e_2d_parallel)}[which]
    kh(*H, *E, da, db, 1 / d[0], 1 / d[1], 1 / d[2], *f)
    for c in range(3):
        np.testing.assert_allclose(H[c], Hn[c], rtol=RTOL, atol=1e-12)
    En = [ca[c] * E[c] + cb[c] * _curl_h_np(H, d, wlo)[c] for c in range(3)]
    ke(*E, *H, ca, cb, 1 / d[0], 1 / d[1], 1 / d[2], *g)
    for c in range(3):
        np.testing.assert_allclose(E[c], En[c], rtol=RTOL, atol=1e-12)


@pytest.mark.parametrize("kernel", ["parallel", "serial"])
def test_cpml_slab_kernels_match_numpy(rng, kernel):
    n, m1, m2, L, i0 = 12, 4, 3, 4, 8  # a high-side slab: nodes 8..11
    Fu, Fv, Gu, Gv = (rng.standard_normal((n, m1, m2)) for _ in range(4))
    psi_u, psi_v = rng.standard_normal((L, m1, m2)), rng.standard_normal((L, m1, m2))
    cu = rng.uniform(0.5, 1, (n, m1, m2))
    cv = np.full((1, 1, 1), 0.7)
    kinv1, a, b = rng.uniform(-0.5, 0, L), rng.uniform(-0.3, 0, L), rng.uniform(0.5, 1, L)
    rd = 2.0
    # numpy: backward differences with G[-1] = 0 inside the slab rows i0..i0+L-1
    Gv_pad = np.concatenate([np.zeros((1, m1, m2)), Gv])
    Gu_pad = np.concatenate([np.zeros((1, m1, m2)), Gu])
    dgv = (Gv_pad[1:] - Gv_pad[:-1])[i0:] * rd
    dgu = (Gu_pad[1:] - Gu_pad[:-1])[i0:] * rd
    pu = b[:, None, None] * psi_u + a[:, None, None] * dgv
    pv = b[:, None, None] * psi_v + a[:, None, None] * dgu
    Fu_ref, Fv_ref = Fu.copy(), Fv.copy()
    Fu_ref[i0:] -= cu[i0:] * (kinv1[:, None, None] * dgv + pu)
    Fv_ref[i0:] += 0.7 * (kinv1[:, None, None] * dgu + pv)
    ke = K.cpml_e if kernel == "parallel" else K.cpml_e_serial
    ke(Fu, Fv, Gu, Gv, psi_u, psi_v, cu, cv, i0, kinv1, a, b, rd)
    np.testing.assert_allclose(psi_u, pu, rtol=RTOL)
    np.testing.assert_allclose(psi_v, pv, rtol=RTOL)
    np.testing.assert_allclose(Fu, Fu_ref, rtol=RTOL)
    np.testing.assert_allclose(Fv, Fv_ref, rtol=RTOL)
    # H slab: forward differences with F[n] = 0
    Gu2, Gv2 = Gu.copy(), Gv.copy()
    hu, hv = psi_u.copy(), psi_v.copy()
    Fv_pad = np.concatenate([Fv, np.zeros((1, m1, m2))])
    Fu_pad = np.concatenate([Fu, np.zeros((1, m1, m2))])
    dfv = (Fv_pad[1:] - Fv_pad[:-1])[i0:] * rd
    dfu = (Fu_pad[1:] - Fu_pad[:-1])[i0:] * rd
    hu_ref = b[:, None, None] * hu + a[:, None, None] * dfv
    hv_ref = b[:, None, None] * hv + a[:, None, None] * dfu
    Gu_ref, Gv_ref = Gu2.copy(), Gv2.copy()
    Gu_ref[i0:] += cu[i0:] * (kinv1[:, None, None] * dfv + hu_ref)
    Gv_ref[i0:] -= 0.7 * (kinv1[:, None, None] * dfu + hv_ref)
    kh = K.cpml_h if kernel == "parallel" else K.cpml_h_serial
    kh(Gu2, Gv2, Fu, Fv, hu, hv, cu, cv, i0, kinv1, a, b, rd)
    np.testing.assert_allclose(Gu2, Gu_ref, rtol=RTOL)
    np.testing.assert_allclose(Gv2, Gv_ref, rtol=RTOL)


@pytest.mark.parametrize("pol", ["TM", "TE"])
@pytest.mark.parametrize("which", ["2d_parallel", "2d", "1d"])
@pytest.mark.parametrize("uniform", [True, False])
def test_single_polarization_updates_match_numpy(rng, pol, which, uniform):
    """TM kernels update Ez, Hx, Hy and TE kernels Hz, Ex, Ey by the numpy curl; the others are untouched."""
    shape, d = (9, 6, 1) if which != "1d" else (11, 1, 1), (0.3, 0.7, 1.1)
    E = [rng.standard_normal(shape) for _ in range(3)]
    H = [rng.standard_normal(shape) for _ in range(3)]
    cshape = (3, 1, 1, 1) if uniform else (3, *shape)
    ca, cb, da, db = (rng.uniform(0.5, 1.5, cshape) for _ in range(4))
    whi, wlo = [0.0, -0.5, 1.0], [0.0, -2.0, 1.0]  # wall on x, Bloch-like factor on y
    if which == "1d":
        whi, wlo = [-0.5, 1.0, 1.0], [-2.0, 1.0, 1.0]
    f = [K.wrap_factors(n, np.asarray(w), True) for n, w in zip(shape, whi)]
    g = [K.wrap_factors(n, np.asarray(w), False) for n, w in zip(shape, wlo)]
    active_h, active_e = ((0, 1), (2,)) if pol == "TM" else ((2,), (0, 1))
    Hn = [da[c] * H[c] - db[c] * _curl_e_np(E, d, whi)[c] if c in active_h else H[c].copy() for c in range(3)]
    kh, ke = {("TM", "2d"): (K2.update_h_2d_tm, K2.update_e_2d_tm),
              ("TM", "2d_parallel"): (K2.update_h_2d_tm_parallel, K2.update_e_2d_tm_parallel),
              ("TM", "1d"): (K2.update_h_1d_tm, K2.update_e_1d_tm),
              ("TE", "2d"): (K2.update_h_2d_te, K2.update_e_2d_te),
              ("TE", "2d_parallel"): (K2.update_h_2d_te_parallel, K2.update_e_2d_te_parallel),
              ("TE", "1d"): (K2.update_h_1d_te, K2.update_e_1d_te)}[(pol, which)]
    kh(*H, *E, da, db, 1 / d[0], 1 / d[1], 1 / d[2], *f)
    for c in range(3):
        np.testing.assert_allclose(H[c], Hn[c], rtol=RTOL, atol=1e-12)
    En = [ca[c] * E[c] + cb[c] * _curl_h_np(H, d, wlo)[c] if c in active_e else E[c].copy() for c in range(3)]
    ke(*E, *H, ca, cb, 1 / d[0], 1 / d[1], 1 / d[2], *g)
    for c in range(3):
        np.testing.assert_allclose(E[c], En[c], rtol=RTOL, atol=1e-12)


def _slab_view(a, transposed):
    """``a`` itself (x slab: normal axis outer in memory) or an equal view of a transposed copy (y slab)."""
    if not transposed:
        return a
    return np.transpose(np.ascontiguousarray(np.transpose(a, (1, 0, 2))), (1, 0, 2))


# serial twins on x-slab (C-contiguous) and y-slab (transposed) views; the parallel kernels (same block
# function, compiled in ~4 s each) on y-slab views only
@pytest.mark.parametrize(("parallel", "transposed"), [(False, False), (False, True), (True, True)])
@pytest.mark.parametrize("subtract", [True, False])
def test_one_component_cpml_slab_kernels_match_numpy(rng, parallel, subtract, transposed):
    n, m1, L, i0, rd = 12, 1100, 4, 0, 2.0  # a low-side slab: nodes 0..3 (G[-1] = 0 at the wall); 3 j blocks
    F, G = (_slab_view(rng.standard_normal((n, m1, 1)), transposed) for _ in range(2))
    psi = _slab_view(rng.standard_normal((L, m1, 1)), transposed)
    coef = _slab_view(rng.uniform(0.5, 1, (n, m1, 1)), transposed)
    kinv1, a, b = rng.uniform(-0.5, 0, L), rng.uniform(-0.3, 0, L), rng.uniform(0.5, 1, L)
    sign = -1.0 if subtract else 1.0
    col = (slice(None), None, None)
    # E: backward difference of G with G[-1] = 0 (Roden & Gedney CPML recursion, as in cpml_e)
    dg = np.diff(np.concatenate([np.zeros((1, m1, 1)), G]), axis=0)[i0:i0 + L] * rd
    p_ref = b[col] * psi + a[col] * dg
    F_ref = F.copy()
    F_ref[i0:i0 + L] += sign * coef[i0:i0 + L] * (kinv1[col] * dg + p_ref)
    (K2.cpml_e_one if parallel else K2.cpml_e_one_serial)(F, G, psi, coef, i0, kinv1, a, b, rd, subtract)
    np.testing.assert_allclose(psi, p_ref, rtol=RTOL)
    np.testing.assert_allclose(F, F_ref, rtol=RTOL)
    # H: forward difference of F with F[n] = 0, on a high-side slab with a uniform coefficient
    i0 = n - L
    df = np.diff(np.concatenate([F, np.zeros((1, m1, 1))]), axis=0)[i0:] * rd
    h_ref = b[col] * psi + a[col] * df
    G_ref = G.copy()
    G_ref[i0:] += sign * 0.7 * (kinv1[col] * df + h_ref)
    (K2.cpml_h_one if parallel else K2.cpml_h_one_serial)(G, F, psi, np.full((1, 1, 1), 0.7), i0, kinv1, a, b,
                                                          rd, subtract)
    np.testing.assert_allclose(psi, h_ref, rtol=RTOL)
    np.testing.assert_allclose(G, G_ref, rtol=RTOL)


def test_ade_pole_matches_numpy(rng):
    P, Pm, E, w = (rng.standard_normal((3, 4, 2)) for _ in range(4))
    dP = np.zeros_like(P)
    c1, c2, c3 = 1.7, -0.8, 0.3
    new = c1 * P + c2 * Pm + c3 * w * E
    P0 = P.copy()
    K.ade_pole(P, Pm, E, w, c1, c2, c3, dP)
    np.testing.assert_allclose(P, new, rtol=RTOL)
    np.testing.assert_allclose(Pm, P0, rtol=RTOL)
    np.testing.assert_allclose(dP, new - P0, rtol=RTOL, atol=1e-14)


def test_dft_accumulate_matches_numpy(rng):
    acc = np.zeros((3, 5), complex)
    vals = rng.standard_normal(5)
    ph = np.exp(1j * rng.uniform(0, 6, 3))
    K.dft_accumulate(acc, vals, ph, 0.25)
    np.testing.assert_allclose(acc, 0.25 * np.outer(ph, vals), rtol=RTOL)


def _fwd(F, ax, w, d):
    ghost = w * np.take(F, [0], axis=ax)
    return np.diff(np.concatenate([F, ghost], axis=ax), axis=ax) / d


def _bwd(F, ax, w, d):
    ghost = w * np.take(F, [F.shape[ax] - 1], axis=ax)
    return np.diff(np.concatenate([ghost, F], axis=ax), axis=ax) / d


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("uniform", ["none", "a", "both"])
@pytest.mark.parametrize("layers", [[(2, 3), (0, 2), (3, 0)], [(0, 0), (3, 3), (2, 5)]])
@pytest.mark.parametrize("shape", [(9, 8, 7), (6, 9, 130)])  # z layers far apart: long interior k-run
def test_fused_cpml_kernels_match_numpy(rng, parallel, uniform, layers, shape):
    """Bulk update + CPML layers ((low, high) thickness per axis) in one call, against numpy."""
    d = (0.3, 0.7, 1.1)
    E = [rng.standard_normal(shape) for _ in range(3)]
    H = [rng.standard_normal(shape) for _ in range(3)]
    ca, cb, da, db = (rng.uniform(0.5, 1.5, (3, *shape)) for _ in range(4))
    if uniform in ("a", "both"):
        ca, da = rng.uniform(0.5, 1.5, (3, 1, 1, 1)), rng.uniform(0.5, 1.5, (3, 1, 1, 1))
    if uniform == "both":
        cb, db = rng.uniform(0.5, 1.5, (3, 1, 1, 1)), rng.uniform(0.5, 1.5, (3, 1, 1, 1))
    whi = [0.0, 1.0, -0.5]
    wlo = [0.0, 1.0, -2.0]
    f = [K.wrap_factors(n, np.asarray(w), True) for n, w in zip(shape, whi)]
    g = [K.wrap_factors(n, np.asarray(w), False) for n, w in zip(shape, wlo)]
    pos, pe, ph, se, sh, idx = [], [], [], [], [], []
    for ax, (lo, hi) in enumerate(layers):
        n = shape[ax]
        ii = np.r_[np.arange(lo), np.arange(n - hi, n)].astype(int)
        p = np.full(n, -1, np.int32)
        p[ii] = np.arange(ii.size)
        pos.append(p)
        idx.append(ii)
        pe.append(rng.uniform(-0.5, 0.5, (3, n)))
        ph.append(rng.uniform(-0.5, 0.5, (3, n)))
        s = list(shape)
        s[ax] = ii.size
        se.append(rng.standard_normal((2, *s)))
        sh.append(rng.standard_normal((2, *s)))

    def reference(F, G, a, b, prof, psi, deriv, w, sign):
        # bulk: F = a F + sign b curl G; CPML along d: F_u -= sign b (k dG_v + psi_u), F_v += sign b (...)
        dG = [[deriv(G[c], ax, w[ax], d[ax]) for ax in range(3)] for c in range(3)]
        curl = [dG[2][1] - dG[1][2], dG[0][2] - dG[2][0], dG[1][0] - dG[0][1]]
        out = [a[c] * F[c] + sign * b[c] * curl[c] for c in range(3)]
        out = [np.broadcast_to(o, shape).copy() for o in out]
        new_psi = []
        for ax in range(3):
            u, v = (ax + 1) % 3, (ax + 2) % 3
            ii = idx[ax]
            bshape = [1, 1, 1]
            bshape[ax] = ii.size
            kk, aa, bb = (prof[ax][r][ii].reshape(bshape) for r in range(3))
            dv, du = np.take(dG[v][ax], ii, axis=ax), np.take(dG[u][ax], ii, axis=ax)
            pu = bb * psi[ax][0] + aa * dv
            pv = bb * psi[ax][1] + aa * du
            sl = [slice(None)] * 3
            sl[ax] = ii
            sl = tuple(sl)
            out[u][sl] -= sign * np.broadcast_to(b[u], shape)[sl] * (kk * dv + pu)
            out[v][sl] += sign * np.broadcast_to(b[v], shape)[sl] * (kk * du + pv)
            new_psi.append(np.stack([pu, pv]))
        return out, new_psi

    # H = da H - db curl E  (sign -1), forward differences with high-side wrap factors
    H_ref, sh_ref = reference(H, E, da, db, ph, sh, _fwd, whi, -1.0)
    tab, (ia, ib, ja, jb), uni = K.coefficient_lines([da, db, ca, cb], shape)
    kh = K.update_h_cpml if parallel else K.update_h_cpml_serial
    kh(*H, *E, tab, ia, ib, uni, *(1 / np.array(d)), *f, *pos, *ph, *sh)
    for c in range(3):
        np.testing.assert_allclose(H[c], H_ref[c], rtol=RTOL, atol=1e-12)
    for ax in range(3):
        np.testing.assert_allclose(sh[ax], sh_ref[ax], rtol=RTOL, atol=1e-12)
    # E = ca E + cb curl H (sign +1), backward differences with low-side wrap factors
    E_ref, se_ref = reference(E, H, ca, cb, pe, se, _bwd, wlo, 1.0)
    ke = K.update_e_cpml if parallel else K.update_e_cpml_serial
    ke(*E, *H, tab, ja, jb, uni, *(1 / np.array(d)), *g, *pos, *pe, *se)
    for c in range(3):
        np.testing.assert_allclose(E[c], E_ref[c], rtol=RTOL, atol=1e-12)
    for ax in range(3):
        np.testing.assert_allclose(se[ax], se_ref[ax], rtol=RTOL, atol=1e-12)


def test_fused_3d_path_equals_per_slab_path():
    # the same 3D run (lossy sphere, CPML on some faces only) through the fused kernels and through the
    # bulk kernels + per-slab CPML kernels used by 1D/2D grids: two implementations, identical arithmetic
    from scipy.constants import c

    from electromagnetics.fdtd import CPML, FDTDSimulation, Grid, Material, PointDipole, Ricker, Source, Sphere

    def make():
        return FDTDSimulation(Grid((16, 14, 12), spacing=1e-3),
                              geometry=[Sphere((0.008, 0.007, 0.006), 0.003, Material(eps=3.0, sigma=0.1))],
                              sources=[Source(PointDipole((0.006, 0.007, 0.007)), Ricker(c / 8e-3), "Ez")],
                              boundaries={"x": CPML(3), "y-": CPML(2), "z+": CPML(4)})

    fused, slabs, two = make(), make(), make()
    assert fused._one_sweep()  # CPML and E sources only: one sweep by planes (leapfrog_cpml)
    two._lf_call = None  # the fused two-sweep path
    slabs._fused, slabs._lf_call = False, None
    for s in slabs._slabs:
        s.kernels = (K.cpml_h_serial, K.cpml_e_serial)
        s.attach(slabs.fields, slabs.cb, slabs.db)
    for sim in (fused, slabs, two):
        sim.run(steps=60, progress=False)
    for comp in ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz"):
        ref = slabs.fields[comp]
        assert np.abs(ref).max() > 0
        np.testing.assert_allclose(fused.fields[comp], ref, rtol=0, atol=1e-12 * np.abs(ref).max())
        np.testing.assert_array_equal(fused.fields[comp], two.fields[comp])


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("uniform", [True, False])
def test_one_sweep_step_equals_two_sweeps(rng, parallel, uniform):
    """leapfrog = update_h then update_e (each checked against numpy above), bit for bit, for any
    number of x-plane blocks (1 plane per block included) and wrap factors on every axis."""
    d = (0.3, 0.7, 1.1)
    rd = tuple(1 / x for x in d)
    shape = (7, 5, 6)
    cshape = (3, 1, 1, 1) if uniform else (3, *shape)
    da, db, ca, cb = (rng.uniform(0.5, 1.5, cshape) for _ in range(4))
    f = [K.wrap_factors(n, np.asarray(w), True) for n, w in zip(shape, (0.0, 1.0, -0.5))]
    g = [K.wrap_factors(n, np.asarray(w), False) for n, w in zip(shape, (0.0, 1.0, -2.0))]
    lf = K.leapfrog if parallel else K.leapfrog_serial
    for nblocks in (1, 2, 3, 7, 9):
        F = [rng.standard_normal(shape) for _ in range(6)]  # Hx, Hy, Hz, Ex, Ey, Ez
        ref = [x.copy() for x in F]
        for _ in range(2):
            K.update_h_serial(*ref[:3], *ref[3:], da, db, *rd, *f)
            K.update_e_serial(*ref[3:], *ref[:3], ca, cb, *rd, *g)
            lf(*F, da, db, ca, cb, *rd, *f, *g, nblocks)
        for a, b in zip(F, ref):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("coefficients", ["uniform", "sphere", "random"])
def test_one_sweep_cpml_step_equals_two_sweeps(rng, parallel, coefficients):
    """leapfrog_cpml = update_h_cpml then update_e_cpml (each checked against numpy above), bit for
    bit, for any number of x-plane blocks, with CPML layers on some faces and wrap factors elsewhere,
    and coefficient lines that are uniform, piecewise (a ball: uniform and non-uniform rows mixed) or
    all distinct."""
    shape = (9, 7, 8)
    rd = (1 / 0.3, 1 / 0.7, 1 / 1.1)
    x = np.stack(np.meshgrid(*(np.arange(n) - n / 2 for n in shape), indexing="ij"))
    ball = (x**2).sum(0) < 9
    coef = []
    for _ in range(4):
        if coefficients == "uniform":
            coef.append(rng.uniform(0.5, 1.5, (3, 1, 1, 1)))
        elif coefficients == "sphere":
            c = np.broadcast_to(rng.uniform(0.5, 1.5, (3, 1, 1, 1)), (3, *shape)).copy()
            c[:, ball] *= 0.5
            coef.append(c)
        else:
            coef.append(rng.uniform(0.5, 1.5, (3, *shape)))
    tab, (ia, ib, ja, jb), uni = K.coefficient_lines(coef, shape)
    assert (coefficients == "random") == (not uni.any())
    f = [K.wrap_factors(n, np.asarray(w), True) for n, w in zip(shape, (0.0, 0.0, -0.5))]
    g = [K.wrap_factors(n, np.asarray(w), False) for n, w in zip(shape, (0.0, 0.0, -2.0))]
    layers = [(2, 3), (0, 2), (0, 0)]  # CPML on x-, x+ and y+; z Bloch-like wrap
    pos, pe, ph = [], [], []
    for n, (lo, hi) in zip(shape, layers):
        p = np.full(n, -1, np.int32)
        p[np.r_[np.arange(lo), np.arange(n - hi, n)].astype(int)] = np.arange(lo + hi)
        pos.append(p)
        pe.append(rng.uniform(-0.5, 0.5, (3, n)))
        ph.append(rng.uniform(-0.5, 0.5, (3, n)))
    L = [lo + hi for lo, hi in layers]
    psi_shapes = [(2, L[0], *shape[1:]), (2, shape[0], L[1], shape[2]), (2, *shape[:2], L[2])]
    lf = K.leapfrog_cpml if parallel else K.leapfrog_cpml_serial
    for nblocks in (1, 2, 3, 9, 11):
        F = [rng.standard_normal(shape) for _ in range(6)]  # Hx, Hy, Hz, Ex, Ey, Ez
        sh = [rng.standard_normal(s) for s in psi_shapes]
        se = [rng.standard_normal(s) for s in psi_shapes]
        ref, sh_ref, se_ref = [a.copy() for a in F], [a.copy() for a in sh], [a.copy() for a in se]
        for _ in range(2):
            K.update_h_cpml_serial(*ref[:3], *ref[3:], tab, ia, ib, uni, *rd, *f, *pos, *ph, *sh_ref)
            K.update_e_cpml_serial(*ref[3:], *ref[:3], tab, ja, jb, uni, *rd, *g, *pos, *pe, *se_ref)
            lf(*F, tab, ia, ib, ja, jb, uni, *rd, *f, *g, *pos, *ph, *sh, *pe, *se, nblocks)
        for a, b in zip(F + sh + se, ref + sh_ref + se_ref):
            np.testing.assert_array_equal(a, b)
