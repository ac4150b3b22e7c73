"""Von Neumann stability of the Yee + ADE update in dispersive media, checked before the first step.

The vacuum Courant condition of :class:`~electromagnetics.fdtd.grid.Grid` is not enough once
Drude/Lorentz poles are present: the explicit central ADE adds the poles' frequencies to the
highest discrete frequency of the grid (for a lossless Drude pole the condition becomes
``(c dt)^2 sum_i 4/d_i^2 + (omega_p dt)^2 <= 4 eps_inf``), so a strong pole diverges at a Courant
number the grid accepts. This module builds the one-step amplification matrix of the *exact*
update of :meth:`FDTDSimulation._half_steps <electromagnetics.fdtd.simulation.FDTDSimulation>`
for one plane-wave mode of a uniform medium and takes its spectral radius.

Derivation
----------
In a uniform medium a discrete Fourier mode ``exp(i k.x)`` of the staggered Yee grid turns each
spatial difference into ``i K_j`` with ``K_j = (2/d_j) sin(k_j d_j/2)``; a transverse mode then
has the discrete curl-curl eigenvalue ``lam = |K|^2`` in ``[0, lam_max]``,
``lam_max = sum_i (2/d_i)^2`` over the active axes (longitudinal modes are the case ``lam = 0``); with
the simulation's boundaries each axis contributes the top of its own discrete spectrum instead
(:func:`lambda_max`: slightly less between PEC/PMC walls or for an odd periodic axis).
With the scaled, dimensionless variables ``h = eta0 H`` (``eta0 = sqrt(mu0/eps0)``, the H amplitude
multiplied by ``i`` to make the matrix real), ``p = P/eps0`` and ``a = c dt sqrt(lam)``, the steps of
the simulation for one E component read, per pole ``j`` of fill weight ``w_j``:

1. H bulk: ``h' = da h - a/(mu (1 + sm)) E``, ``sm = sigma_m dt/(2 mu0 mu)``, ``da = (1-sm)/(1+sm)``.
2. Drude/Lorentz (explicit): ``p_j' = c1 p_j + c2 pm_j + (c3/eps0) w_j E``, ``pm_j' = p_j``;
   Debye (trapezoidal): ``t_j = q d_j + (k/eps0) w_j E``.
3. E bulk and ADE coupling: ``E' = ca E + (a/D) h' - dp/D`` with
   ``dp = sum_explicit (p_j' - p_j) + sum_Debye (q - 1) d_j``,
   ``D = eps + sigma dt/(2 eps0) + sum_Debye w_j k/eps0`` and ``ca = (eps - sigma dt/(2 eps0)
   - sum_Debye w_j k/eps0)/D`` (the ``ca``/``cb`` of ``_build_materials`` times ``eps0``).
4. Debye: ``d_j' = t_j + (k/eps0) w_j E'``.

Substituting 1-2 into 3 and 3 into 4 gives ``x' = A(lam) x`` for the state
``x = (E, h, p_1, pm_1, ..., d_1, ...)`` of size ``2 + 2 (explicit poles) + (Debye poles)``
(:func:`amplification_matrices`). The scheme is stable when the spectral radius of ``A(lam)`` is
at most 1 for every ``lam`` in ``[0, lam_max]``.

Which lam: for a passive lossless medium every branch ``Omega^2(lam)`` of the discrete dispersion
relation ``Omega^2 eps_eff(Omega) = c^2 lam/mu`` grows with ``lam`` (Foster's reactance theorem:
``Omega^2 eps_eff`` increases between poles), so the top of the range decides; losses only damp.
The range is nevertheless sampled (endpoints included, denser near both ends) to also cover fitted
models with negative strengths.

Marginal case: a lossless medium keeps every eigenvalue on the unit circle; at the stability limit
two of them meet at -1 and form a Jordan block (linear growth of the mode). A collisionless Drude
pole has another one at +1 for every ``lam > 0``: a persistent current (P growing linearly in time
with static H and zero E, as in a perfect conductor), which leaves the fields bounded. Round-off of
the eigenvalue solver at such a defective pair is ``~sqrt(machine eps) ~ 1e-8``, so a radius is
counted as unstable only above ``1 + RADIUS_TOL`` with ``RADIUS_TOL = 1e-6``: a mode amplified by
at most ``1 + 1e-6`` per step grows by less than ``e`` in a million steps, and beyond a collision
at -1 the radius grows like ``1 + O(sqrt(dt - dt_max))``, so the limit found by bisection is
exact to ``~1e-12`` relative there.

Cut cells hold mixtures (volume-averaged ``eps``, ``sigma`` and pole weights < 1): every distinct
combination found at the E nodes is checked with frozen coefficients, with the smaller permeability
and magnetic conductivity of the two neighbouring H components (the conservative choice).
Not analysed: the modified update inside CPML slabs, and non-dispersive media (whose limit,
``sqrt(eps mu)`` times the vacuum one, the grid's Courant check covers for ``eps mu >= 1``).
"""

import math

import numpy as np
from scipy.constants import c as C0
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0

from electromagnetics.fdtd.grid import AXES, Grid
from electromagnetics.fdtd.materials import Material, Pole
from mindscience.errors import InputError

RADIUS_TOL = 1e-6
"""Spectral radius above ``1 + RADIUS_TOL`` counts as unstable (module docstring: marginal case)."""

N_LAMBDA = 16
"""Samples of the curl-curl eigenvalue in ``[0, lam_max]`` (both ends included)."""

_ROUND_BITS = 40  # significant bits kept when looking for distinct node materials (~12 digits)
_STABLE_CAP = 1024.0  # max_stable_courant reports inf beyond this multiple of the vacuum limit


def _axis_fraction(grid, axis, lo, hi):
    """Largest eigenvalue of the 1D curl-curl along ``axis`` with faces ``lo``/``hi``, in units of (2/d)^2."""
    from electromagnetics.fdtd.boundaries import PEC, PMC, Bloch, Periodic

    n = grid.shape[axis]
    if type(lo) is type(hi) and isinstance(lo, (Periodic, Bloch)):
        # modes exp(i (2 pi m + phi) x/L), phi = k L (Bloch phase): (2/d)^2 sin^2((2 pi m + phi)/(2n))
        phi = lo.k * n * grid.spacing[axis] if isinstance(lo, Bloch) else 0.0
        return float(np.max(np.sin((2 * np.pi * np.arange(n) + phi) / (2 * n)) ** 2))
    if not (isinstance(lo, (PEC, PMC)) and isinstance(hi, (PEC, PMC))):
        return 1.0  # open (CPML) or unknown faces: the whole Fourier range
    # walls: H_j = (E_{j+1} - E_j)/d with the ghost E_n = 0 and H_{-1} = 0; a PEC low face also pins
    # E_0 = 0, a PMC high face H_{n-1} = 0 (boundaries/pec.py). The curl-curl is D^T D, tridiagonal.
    from scipy.linalg import eigvalsh_tridiagonal

    e0 = 1 if isinstance(lo, PEC) else 0
    hn = n - 1 if isinstance(hi, PMC) else n            # H nodes 0 .. hn-1
    i = np.arange(e0, n)                                 # E nodes
    if i.size == 0:
        return 0.0
    diag = ((i < hn).astype(float) + (i - 1 >= 0) * (i - 1 < hn)).astype(float)
    off = -np.ones(i.size - 1) * (i[:-1] < hn)
    if i.size == 1:
        return float(diag[0]) / 4
    top = eigvalsh_tridiagonal(diag, off, select="i", select_range=(i.size - 1, i.size - 1))
    return float(top[0]) / 4


def lambda_max(grid, boundaries=None):
    """Largest discrete curl-curl eigenvalue ``|K|^2`` of ``grid``, 1/m^2.

    Without ``boundaries`` (an unbounded or periodic medium with an even number of cells) it is
    ``sum_i (2/d_i)^2`` over the active axes. With the simulation's boundaries each axis contributes
    the top of its own discrete spectrum: ``(2/d)^2 sin^2(pi (n-1)/(2n))`` between PEC walls,
    ``(2/d)^2 max_m sin^2((2 pi m + k L)/(2n))`` for periodic/Bloch axes, the full ``(2/d)^2`` with CPML.

    Parameters
    ----------
    grid : Grid
    boundaries : dict, optional
        ``{face: Boundary}`` as resolved by ``FDTDSimulation`` (``sim.boundaries``).

    Returns
    -------
    float

    Examples
    --------
    >>> round(lambda_max(Grid((10, 10), spacing=1.0)), 6)
    8.0
    """
    out = 0.0
    for ax in range(3):
        if not grid.active[ax]:
            continue
        f = 1.0 if boundaries is None else _axis_fraction(grid, ax, boundaries[AXES[ax] + "-"],
                                                          boundaries[AXES[ax] + "+"])
        out += (2.0 / grid.spacing[ax]) ** 2 * f
    return float(out)


def lambda_samples(lam_max, n=N_LAMBDA):
    """``n`` values in ``[0, lam_max]``, ``lam_max sin^2(pi j / (2 (n-1)))``: both ends, denser there."""
    return lam_max * np.sin(0.5 * np.pi * np.arange(n) / (n - 1)) ** 2


def _split(poles):
    exp_ = [i for i, p in enumerate(poles) if not p.implicit]
    imp = [i for i, p in enumerate(poles) if p.implicit]
    return exp_, imp


def _matrices(dt, lam, eps, sigma, mu, sigma_m, poles, W):
    """Amplification matrices of T node materials at L values of lam: shape (T, L, M, M).

    ``dt, eps, sigma, mu, sigma_m`` have shape (T,), ``W`` (T, P) pole weights, ``lam`` (L,).
    """
    dt = np.asarray(dt, float)
    T = dt.shape[0]
    L = lam.shape[0]
    ex, im = _split(poles)
    M = 2 + 2 * len(ex) + len(im)
    A = np.zeros((T, L, M, M))
    a = C0 * dt[:, None] * np.sqrt(lam)[None, :]                 # (T, L)
    sm = sigma_m * dt / (2 * MU0 * mu)
    da = (1 - sm) / (1 + sm)
    A[:, :, 1, 1] = da[:, None]
    A[:, :, 1, 0] = -a / (mu * (1 + sm))[:, None]
    kk = np.zeros(T)
    dq = []
    for j in im:
        q, k = poles[j].ade_coefficients(dt)
        dq.append((q, k / EPS0 * W[:, j]))
        kk = kk + k / EPS0 * W[:, j]
    s = sigma * dt / (2 * EPS0)
    D = eps + s + kk
    ca = (eps - s - kk) / D
    dp = np.zeros((T, L, M))
    for n, j in enumerate(ex):
        c1, c2, c3 = poles[j].ade_coefficients(dt)
        ip = 2 + 2 * n
        A[:, :, ip, ip] = c1[:, None]
        A[:, :, ip, ip + 1] = c2[:, None]
        A[:, :, ip, 0] = (c3 / EPS0 * W[:, j])[:, None]
        A[:, :, ip + 1, ip] = 1.0
        dp += A[:, :, ip, :]
        dp[:, :, ip] -= 1.0
    i0 = 2 + 2 * len(ex)
    for n, (q, _) in enumerate(dq):
        dp[:, :, i0 + n] += (q - 1)[:, None]
    row_e = (a / D[:, None])[..., None] * A[:, :, 1, :] - dp / D[:, None, None]
    row_e[:, :, 0] += ca[:, None]
    A[:, :, 0, :] = row_e
    for n, (q, kw) in enumerate(dq):
        i = i0 + n
        A[:, :, i, :] = kw[:, None, None] * row_e
        A[:, :, i, i] += q[:, None]
        A[:, :, i, 0] += kw[:, None]
    return A


def amplification_matrices(dt, lam, material=None, *, eps=1.0, sigma=0.0, poles=(), weights=None, mu=1.0,
                           sigma_m=0.0):
    """One-step amplification matrices of the Yee + ADE update for plane-wave modes of a uniform medium.

    Parameters
    ----------
    dt : float
        Time step, s.
    lam : array_like, shape (L,)
        Discrete curl-curl eigenvalues ``|K|^2`` of the modes, 1/m^2 (``0 <= lam <= lambda_max(grid)``).
    material : Material, optional
        Takes ``eps, sigma, poles, mu, sigma_m`` from it (weights 1); otherwise give them directly.
    eps, sigma, mu, sigma_m : float
        eps_inf (relative), conductivity S/m, relative permeability, magnetic conductivity ohm/m.
    poles : sequence of Pole
    weights : sequence of float, optional
        Fill weight of each pole (default 1).

    Returns
    -------
    ndarray, shape (L, M, M)
        ``x^{n+1} = A x^n`` for ``x = (E^n, eta0 i H^{n-1/2}, P_1^n/eps0, P_1^{n-1}/eps0, ...,
        D_1^n/eps0, ...)``: the Drude/Lorentz poles first (two states each), then the Debye poles
        (one state each); ``M = 2 + 2 n_explicit + n_Debye``.

    Examples
    --------
    >>> from electromagnetics.fdtd import DrudePole
    >>> A = amplification_matrices(1e-17, [0.0, 1e17], poles=(DrudePole(1e16, 0.0),))
    >>> A.shape
    (2, 4, 4)
    """
    if material is not None:
        if not isinstance(material, Material):
            raise InputError(f"material={material!r} must be an electromagnetics.fdtd.Material")
        eps, sigma, poles, mu, sigma_m = material.eps, material.sigma, material.poles, material.mu, material.sigma_m
    poles = tuple(poles)
    for p in poles:
        if not isinstance(p, Pole):
            raise InputError(f"poles entry {p!r} must be a DrudePole, LorentzPole or DebyePole")
    w = np.ones(len(poles)) if weights is None else np.asarray(weights, float).reshape(len(poles))
    lam = np.atleast_1d(np.asarray(lam, float))
    one = np.ones(1)
    return _matrices(float(dt) * one, lam, float(eps) * one, float(sigma) * one, float(mu) * one,
                     float(sigma_m) * one, poles, w[None, :])[0]


def _radius(dt, lam, eps, sigma, mu, sigma_m, poles, W):
    """Spectral radius over the lam samples, per node material: shape (T,)."""
    A = _matrices(dt, lam, eps, sigma, mu, sigma_m, poles, W)
    ev = np.linalg.eigvals(A)
    return np.abs(ev).max(axis=(1, 2))


def spectral_radius(grid, material, courant=None, boundaries=None):
    """Largest amplification factor per step over all plane-wave modes of ``grid`` in a uniform ``material``.

    Parameters
    ----------
    grid : Grid
    material : Material
    courant : float, optional
        Courant number to analyse (default ``grid.courant``).
    boundaries : dict, optional
        Face boundaries (see :func:`lambda_max`); default: an unbounded medium.

    Returns
    -------
    float
        Stable when ``<= 1 + RADIUS_TOL``.

    Examples
    --------
    >>> g = Grid((10, 10, 10), spacing=1e-8)
    >>> spectral_radius(g, Material(eps=2.0)) <= 1 + RADIUS_TOL
    True
    """
    t = _tuples_of(material)
    S = grid.courant if courant is None else float(courant)
    dt = S * min(grid.spacing[: grid.ndim]) / C0
    return float(_radius(np.full(1, dt), lambda_samples(lambda_max(grid, boundaries)), *t)[0])


def _tuples_of(material):
    if not isinstance(material, Material):
        raise InputError(f"material={material!r} must be an electromagnetics.fdtd.Material")
    one = np.ones(1)
    return (material.eps * one, material.sigma * one, material.mu * one, material.sigma_m * one,
            material.poles, np.ones((1, len(material.poles))))


def _max_courant(grid, eps, sigma, mu, sigma_m, poles, W, lam_max=None, iters=60):
    """Bisection for the largest stable Courant number of T node materials at once: shape (T,)."""
    lam = lambda_samples(lambda_max(grid) if lam_max is None else lam_max)
    dmin = min(grid.spacing[: grid.ndim])
    T = eps.shape[0]

    def stable(S):
        return _radius(S * dmin / C0, lam, eps, sigma, mu, sigma_m, poles, W) <= 1 + RADIUS_TOL

    lo = np.zeros(T)
    hi = np.full(T, grid.courant_limit)
    ok = stable(hi)
    # expand the bracket for media that are stable beyond the vacuum limit (eps_inf mu > 1)
    while ok.any() and np.max(hi[ok]) < _STABLE_CAP * grid.courant_limit:
        lo = np.where(ok, hi, lo)
        hi = np.where(ok, 2 * hi, hi)
        ok = np.where(ok, stable(hi), False)
    capped = ok
    tiny = 1e-9 * grid.courant_limit
    dead = ~capped & (lo == 0) & ~stable(np.full(T, tiny))
    lo = np.where(lo == 0, tiny, lo)
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        s = stable(mid)
        lo = np.where(s, mid, lo)
        hi = np.where(s, hi, mid)
        if np.all(hi - lo <= 1e-13 * hi):
            break
    out = np.where(capped, np.inf, lo)
    return np.where(dead, 0.0, out)


def max_stable_courant(grid, material, boundaries=None):
    """Largest Courant number ``c dt / min(d)`` at which ``material`` is stable on ``grid``'s spacings.

    Found by bisection on the spectral radius of :func:`amplification_matrices` (assumes the stable
    set is an interval ``(0, S_max]``, true for passive media). May exceed ``grid.courant_limit``
    (the vacuum limit) for ``eps_inf mu > 1``.

    Parameters
    ----------
    grid : Grid
        Only its spacings and active axes (and shape, with ``boundaries``) matter.
    material : Material
    boundaries : dict, optional
        Face boundaries (see :func:`lambda_max`); default: an unbounded medium.

    Returns
    -------
    float
        ``S_max``; ``inf`` when stable beyond 1024 times the vacuum limit, ``0.0`` when no time
        step is stable (a non-passive fitted model).

    Examples
    --------
    >>> g = Grid((10, 10, 10), spacing=1e-8)
    >>> round(max_stable_courant(g, Material()), 6)   # vacuum: the Courant limit 1/sqrt(3)
    0.57735
    """
    if not isinstance(grid, Grid):
        raise InputError(f"grid={grid!r} must be an electromagnetics.fdtd.Grid")
    return float(_max_courant(grid, *_tuples_of(material), lam_max=lambda_max(grid, boundaries))[0])


# ----------------------------------------------------------------------------- rasterized media
def _unique_rows(R):
    """Indices of the first occurrence of each distinct row of ``R`` (n, m), in row order.

    A 64-bit multiplicative hash of the rows' bit patterns, then a 1-D unique: several times faster
    than ``np.unique(axis=0)`` on the many identical interior rows. Rows with equal hashes are compared
    afterwards, so a collision can only split, never merge, two materials.
    """
    bits = np.ascontiguousarray(R).view(np.uint64)
    mult = (np.arange(1, bits.shape[1] + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)
    with np.errstate(over="ignore"):
        h = (bits * mult).sum(axis=1, dtype=np.uint64)
    _, first, inv = np.unique(h, return_index=True, return_inverse=True)
    inv = inv.reshape(-1)
    clash = np.flatnonzero(np.any(R != R[first[inv]], axis=1))
    return np.sort(np.concatenate([first, clash]))


def _node_materials(mats):
    """Distinct ``(eps, sigma, mu, sigma_m, weights)`` at the E nodes that hold a pole.

    Returns ``eps, sigma, mu, sigma_m`` (T,), ``W`` (T, P), the poles and ``where`` (T,) of
    ``(component, i, j, k)``, one node where each combination occurs.
    """
    poles = [p for p, _ in mats.poles]
    if not poles:
        return None
    rows, where = [], []
    for c in (2, 1, 0):  # Ez first: the representative node is then transverse in 1D and 2D
        # the poles of one material share one weight array: work on the distinct arrays only
        ws, col_of = [], []
        for _, w in mats.poles:
            for n, u in enumerate(ws):
                if u is w[c] or (u.shape == w[c].shape and np.array_equal(u, w[c])):
                    col_of.append(n)
                    break
            else:
                col_of.append(len(ws))
                ws.append(w[c])
        o = [(c + 1) % 3, (c + 2) % 3]
        mu = np.minimum(mats.mu[o[0]], mats.mu[o[1]])
        sm = np.minimum(mats.sigma_m[o[0]], mats.sigma_m[o[1]])
        cols = (mats.eps[c], mats.sigma[c], mu, sm, *ws)
        shp = np.broadcast_shapes(*(np.shape(x) for x in cols))
        mask = np.broadcast_to(ws[0], shp) > 0
        for w in ws[1:]:
            mask = mask | (np.broadcast_to(w, shp) > 0)
        idx = np.flatnonzero(mask)
        if idx.size == 0:
            continue
        R = np.stack([np.broadcast_to(x, shp).reshape(-1)[idx] for x in cols], axis=1)
        m, e = np.frexp(R)  # keep _ROUND_BITS significant bits: merges averaging round-off
        R = np.ldexp(np.round(m * 2.0**_ROUND_BITS) / 2.0**_ROUND_BITS, e)
        first = _unique_rows(R)
        R = R[first]
        rows.append(np.concatenate([R[:, :4], R[:, 4:][:, col_of]], axis=1))
        where.extend((c, *map(int, ix)) for ix in zip(*np.unravel_index(idx[first], shp)))
    if not rows:
        return None
    R = np.concatenate(rows)
    first = _unique_rows(R)
    R = R[first]
    where = [where[i] for i in first]
    return R[:, 0], R[:, 1], R[:, 2], R[:, 3], R[:, 4:], poles, where


def _describe(eps, sigma, poles, w, named):
    """Human description of one node material: its name when it matches a named Material."""
    act = [(p, wi) for p, wi in zip(poles, w) if wi > 0]
    for m in named:
        if (m.poles and set(m.poles) == {p for p, _ in act} and all(abs(wi - 1) < 1e-9 for _, wi in act)
                and math.isclose(m.eps, eps, rel_tol=1e-9) and math.isclose(m.sigma, sigma, rel_tol=1e-9,
                                                                           abs_tol=1e-300)):
            head = f"material {m.name!r}" if m.name else "a material"
            break
    else:
        head = "a cut-cell mixture (volume-averaged, weights = fill fractions)"
    pole_txt = "; ".join(f"{p!r}" + ("" if abs(wi - 1) < 1e-9 else f" x weight {wi:.4g}") for p, wi in act)
    return f"{head} with eps_inf={eps:.6g}, sigma={sigma:.6g} S/m, poles: {pole_txt}"


def check_dispersive_stability(grid, materials, named=(), boundaries=None):
    """Raise :class:`~mindscience.errors.InputError` if a dispersive medium makes the update unstable.

    Every distinct dispersive node material (``eps_inf``, ``sigma``, poles with their fill
    weights) is analysed with the amplification matrix of the exact Yee + ADE update (module
    docstring) over all plane-wave modes of ``grid``. Called by ``FDTDSimulation`` at construction.

    Parameters
    ----------
    grid : Grid
    materials : MaterialArrays or Material or sequence of Material
        The rasterized media (:func:`~electromagnetics.fdtd.geometry.rasterize`), or materials
        taken as uniform.
    named : sequence of Material
        Materials whose names the message should use when a node material matches one of them.
    boundaries : dict, optional
        The simulation's ``{face: Boundary}``: the modes then range over the domain's own discrete
        spectrum (:func:`lambda_max`); default: an unbounded medium.

    Returns
    -------
    float
        The largest spectral radius found (1.0 when nothing is dispersive).

    Raises
    ------
    InputError
        When a node material's spectral radius exceeds ``1 + RADIUS_TOL``; the message names the
        material and its poles, the grid's Courant number and the largest stable one.

    Examples
    --------
    >>> from electromagnetics.fdtd import DrudePole
    >>> g = Grid((20, 20, 20), spacing=1e-8, courant=0.5)
    >>> check_dispersive_stability(g, Material(poles=(DrudePole(1e16, 1e14),))) <= 1 + RADIUS_TOL
    True
    """
    if not isinstance(grid, Grid):
        raise InputError(f"grid={grid!r} must be an electromagnetics.fdtd.Grid")
    if isinstance(materials, Material):
        materials = [materials]
    if isinstance(materials, (list, tuple)):
        named = list(named) + list(materials)
        groups = [_tuples_of(m) + ([None],) for m in materials if m.poles]
    else:
        t = _node_materials(materials)
        if t is None:
            return 1.0
        eps, sigma, mu, sm, W, poles, where = t
        # one group per set of poles present, so absent poles add no (marginal) states
        groups = []
        pat = W > 0
        for key in np.unique(pat, axis=0):
            sel = np.all(pat == key, axis=1)
            idx = np.flatnonzero(key)
            groups.append((eps[sel], sigma[sel], mu[sel], sm[sel], [poles[i] for i in idx],
                           W[sel][:, idx], [where[i] for i in np.flatnonzero(sel)]))
    if not groups:
        return 1.0
    lam_max = lambda_max(grid, boundaries)
    lam = lambda_samples(lam_max)
    worst = 1.0
    for eps, sigma, mu, sm, poles, W, where in groups:
        # pure materials (weights 0 or 1) on all N_LAMBDA samples; cut-cell mixtures on every fifth
        # (ends included): for passive lossless media lam_max decides (module docstring) and the
        # dispersion relation is linear in the fill fraction, so a mixture of stable media is stable
        pure = np.all((W == 1) | (W == 0), axis=1)
        r = np.empty(eps.shape)
        for sel, lm in ((pure, lam), (~pure, lam[::5] if (len(lam) - 1) % 5 == 0 else lam)):
            if sel.any():
                r[sel] = _radius(np.full(int(sel.sum()), grid.dt), lm, eps[sel], sigma[sel], mu[sel], sm[sel],
                                 poles, W[sel])
        worst = max(worst, float(r.max()))
        bad = np.flatnonzero(r > 1 + RADIUS_TOL)
        if bad.size == 0:
            continue
        smax = _max_courant(grid, eps[bad], sigma[bad], mu[bad], sm[bad], poles, W[bad], lam_max=lam_max)
        b = int(np.argmin(smax))
        i = bad[b]
        S = float(smax[b])
        what = _describe(float(eps[i]), float(sigma[i]), poles, W[i], named)
        at = "" if where[i] is None else f" (at E{AXES[where[i][0]]} node {where[i][1:]})"
        dmin = min(grid.spacing[: grid.ndim])
        if S > 0:
            fix = (f"The largest stable courant for it on this grid is {S:.6g} (dt <= {S * dmin / C0:.4g} s): "
                   f"use Grid(..., courant={math.floor(S * 0.99e4) / 1e4:.4g}) or smaller. What matters is the "
                   "time step: the ADE adds the poles' (omega dt)^2 to the grid's (c dt)^2 |K|^2_max "
                   "(lossless Drude: (c dt)^2 |K|^2_max + (omega_p dt)^2 <= 4 eps_inf, |K|^2_max = "
                   "sum_i 4/d_i^2 in an unbounded grid), so more cells per "
                   "wavelength do not help by themselves, a coarser grid at the same courant makes it worse, "
                   "and a finer grid helps only through the smaller dt it brings; a larger eps_inf in the "
                   "material model also raises the limit")
        else:
            fix = ("No time step is stable for it (a non-passive pole model, e.g. a Lorentz pole with "
                   "delta_eps < -eps_inf): fix the material model")
        raise InputError(
            f"dispersive medium unstable: {what}{at} makes the Yee + ADE update "
            f"grow by a factor {float(r[i]):.6g} per step at the grid's courant={grid.courant:.6g} "
            f"(dt={grid.dt:.4g} s; von Neumann analysis, electromagnetics.fdtd.stability). {fix}.")
    return worst
