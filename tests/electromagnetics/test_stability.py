"""Von Neumann stability check of the Yee + ADE update (electromagnetics.fdtd.stability).

References: the simulation itself (a seeded discrete Fourier mode must grow by the matrix
eigenvalue), the vacuum Courant limit, and the analytic marginal condition at the Nyquist frequency
of the time grid (z = e^{i omega dt} = -1), derived here from the difference equations: there the
damping terms (P^{n+1} - P^{n-1})/(2dt), the trapezoidal Debye pole and the conductivity average
(E^{n+1} + E^n)/2 all vanish, the second difference gives -4/dt^2, so a second-order pole contributes
chi(-1) = b dt^2/(a0 dt^2 - 4) (Drude: -omega_p^2 dt^2/4) and a mode of curl-curl eigenvalue lam
sits at z = -1 when (eps_inf + sum chi(-1)) mu = (c dt)^2 lam/4.
"""

import math

import numpy as np
import pytest
from scipy.constants import c as C0
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import mu_0 as MU0
from scipy.optimize import brentq

from electromagnetics.fdtd import (
    DebyePole,
    DrudePole,
    FDTDSimulation,
    Grid,
    LorentzPole,
    Material,
    Periodic,
    Slab,
    get_material,
    stability,
)
from electromagnetics.fdtd.stability import (
    amplification_matrices,
    check_dispersive_stability,
    max_stable_courant,
    spectral_radius,
)
from mindscience.errors import InputError

ETA0 = math.sqrt(MU0 / EPS0)
MODE_TOL = 1e-8      # |measured per-step factor - eigenvalue| (round-off ~1e-14; issue asks ~1e-8)
ANALYTIC_RTOL = 1e-7  # bisection stops at radius 1 + 1e-6: ~1e-12 (lossless) to ~1e-9 (lossy) in courant
DX = 1e-8
W15 = 2 * math.pi * C0 / (15 * DX)  # angular frequency with 15 cells per vacuum wavelength


def _mixed():
    """Every term of the update: eps_inf, sigma, lossy Drude, Lorentz and Debye poles."""
    dt = 0.5 * DX / C0
    return Material(eps=2.0, sigma=0.04 * EPS0 / dt,
                    poles=(DrudePole(0.6 / dt, 0.05 / dt), LorentzPole(1.5, 0.4 / dt, 0.02 / dt),
                           DebyePole(3.0, 4 * dt)), name="mixed")


def _seed(sim, v, k, material):
    """Fields of the 1D mode Re(v exp(i k x)) on Ez/Hy and the Ez pole states (matrix state order)."""
    g = sim.grid
    x = np.arange(g.shape[0]) * DX
    ph, phh = np.exp(1j * k * x), np.exp(1j * k * (x + 0.5 * DX))
    sim.fields.E[2][:, 0, 0] = np.real(v[0] * ph)
    sim.fields.H[1][:, 0, 0] = np.real(-1j * v[1] / ETA0 * phh)  # h = i eta0 H (stability docstring)
    ez = [p for p in sim._poles if p["axis"] == 2]  # one entry per pole, in material order
    explicit = [e for e, p in zip(ez, material.poles) if not p.implicit]
    debye = [e for e, p in zip(ez, material.poles) if p.implicit]
    for n, e in enumerate(explicit):
        e["P"][:, 0, 0] = np.real(EPS0 * v[2 + 2 * n] * ph)
        e["Pm"][:, 0, 0] = np.real(EPS0 * v[3 + 2 * n] * ph)
    for n, e in enumerate(debye):
        e["P"][:, 0, 0] = np.real(EPS0 * v[2 + 2 * len(explicit) + n] * ph)


@pytest.mark.parametrize("material,courant,m", [(_mixed(), 0.5, 3), (_mixed(), 0.5, 15),
                                                (Material(poles=(DrudePole(2 * W15, 0.0),)), 0.99, 15)])
def test_matrix_eigenvalues_match_simulated_mode(material, courant, m, monkeypatch):
    # reference: the simulation. Each eigenvector of A(lam) for the wavenumber k = 2 pi m/(N dx)
    # (lam = (2/dx sin(k dx/2))^2), seeded as Re(v e^{ikx}), must make the mode's Fourier
    # coefficient grow by exactly the eigenvalue per step. The last case is unstable (check bypassed).
    monkeypatch.setattr(stability, "check_dispersive_stability", lambda *a, **kw: 1.0)
    n_cells = 32
    g = Grid((n_cells,), spacing=DX, courant=courant)
    k = 2 * np.pi * m / (n_cells * DX)
    lam = (2 / DX * np.sin(k * DX / 2)) ** 2
    A = amplification_matrices(g.dt, [lam], material)[0]
    mu, V = np.linalg.eig(A)
    x = np.arange(n_cells) * DX
    checked = 0
    for j in range(len(mu)):
        v = V[:, j]
        if abs(v[0]) < 0.1 * np.abs(v).max() or abs(mu[j]) < 0.4:
            continue  # no E part to measure, or decays too fast to measure to 1e-8
        sim = FDTDSimulation(g, background=material, boundaries=Periodic())
        _seed(sim, v, k, material)
        coef = [np.mean(sim.fields.E[2][:, 0, 0] * np.exp(-1j * k * x))]
        for _ in range(4):  # few steps: round-off seeds the other modes, which may outgrow this one
            sim.step(1)
            coef.append(np.mean(sim.fields.E[2][:, 0, 0] * np.exp(-1j * k * x)))
        ratio = np.array(coef[1:]) / np.array(coef[:-1])
        assert np.abs(ratio - mu[j]).max() < MODE_TOL * max(1.0, abs(mu[j])), (mu[j], ratio)
        checked += 1
    assert checked >= 2
    if courant == 0.99:
        assert np.abs(mu).max() > 1.1  # the unstable case really has a growing mode


def _drude_limit(grid, eps, wp, mu=1.0):
    # lossless Drude at z = -1: (eps - (wp dt)^2/4) mu = (c dt)^2 lam_max/4, solved for courant
    dmin = min(grid.spacing[: grid.ndim])
    inv2 = sum(1 / d**2 for d in grid.spacing[: grid.ndim])
    return math.sqrt(eps * mu) / math.sqrt(dmin**2 * inv2 + mu * (wp * dmin / (2 * C0)) ** 2)


def test_unstable_blows_up_and_stable_stays_bounded(monkeypatch):
    # the check's verdict against the run itself (check bypassed): growth rate = spectral radius
    monkeypatch.setattr(stability, "check_dispersive_stability", lambda *a, **kw: 1.0)
    metal = Material(poles=(DrudePole(2 * W15, 0.0),))
    rng = np.random.default_rng(1)
    g0 = Grid((64,), spacing=DX)
    s_max = max_stable_courant(g0, metal)
    for factor, steps in ((1.02, 400), (0.98, 3000)):
        g = Grid((64,), spacing=DX, courant=factor * s_max)
        r = spectral_radius(g, metal)
        sim = FDTDSimulation(g, background=metal, boundaries=Periodic())
        sim.fields.E[2][...] = rng.standard_normal(sim.fields.E[2].shape)
        e0 = np.abs(sim.fields.E[2]).max()
        peaks = []
        for _ in range(steps // 100):
            sim.step(100)
            peaks.append(np.abs(sim.fields.E[2]).max())
        if factor > 1:
            assert r > 1.01
            rate = math.exp(math.log(peaks[-1] / peaks[-2]) / 100)  # dominant mode once it has taken over
            assert rate == pytest.approx(r, rel=1e-3)
            assert peaks[-1] / e0 > 1e10
        else:
            assert r <= 1 + stability.RADIUS_TOL
            assert max(peaks) < 10 * e0  # lossless: the discrete energy is conserved


@pytest.mark.parametrize("spacing", [(DX,), (DX, DX), (DX, DX, DX), (DX, 2 * DX, 1.5 * DX)])
def test_vacuum_dielectric_and_drude_analytic_limits(spacing):
    g = Grid((4,) * len(spacing), spacing=spacing)
    # vacuum: the Yee Courant limit 1/(dmin sqrt(sum 1/d_i^2)); a dielectric: sqrt(eps mu) times it
    assert max_stable_courant(g, Material()) == pytest.approx(g.courant_limit, rel=ANALYTIC_RTOL)
    assert max_stable_courant(g, Material(eps=4.0, mu=2.0)) == pytest.approx(
        math.sqrt(8) * g.courant_limit, rel=ANALYTIC_RTOL)
    # Drude, lossless and lossy (the damping term vanishes at z = -1), eps_inf 1 and 3
    for eps, wp, gamma in ((1.0, 2 * W15, 0.0), (3.0, 5 * W15, 0.0), (1.0, 2 * W15, 0.3 * W15)):
        m = Material(eps=eps, poles=(DrudePole(wp, gamma),))
        assert max_stable_courant(g, m) == pytest.approx(_drude_limit(g, eps, wp), rel=ANALYTIC_RTOL)


def _nyquist_limit(grid, m):
    """Courant number at which eps_eff(z=-1) mu = (c dt)^2 lam_max/4 (module docstring)."""
    dmin = min(grid.spacing[: grid.ndim])
    lmax = sum(4 / d**2 for d in grid.spacing[: grid.ndim])

    def f(S):
        dt = S * dmin / C0
        e = m.eps
        for p in m.poles:
            a2, a1, a0, b = p._abc()
            if a2:  # Debye (a2 = 0) contributes nothing at z = -1
                e += b * dt**2 / (a0 * dt**2 - 4)
        return e * m.mu - (C0 * dt) ** 2 * lmax / 4

    # below the first resonance omega_0 dt = 2, where f is monotone decreasing
    hi = min([2 * C0 / (p.omega_0 * dmin) for p in m.poles if isinstance(p, LorentzPole)] + [50.0])
    return brentq(f, 1e-6, hi * (1 - 1e-12), xtol=1e-15)


@pytest.mark.parametrize("name", ["Au", "Ag", "Al", "water"])
@pytest.mark.parametrize("spacing", [(5e-9,), (2.5e-9, 5e-9, 4e-9), (5e-9, 5e-9, 5e-9)])
def test_library_materials_match_nyquist_condition(name, spacing):
    # lossy multi-pole media: the limit from the eigenvalues equals the z = -1 condition
    g = Grid((4,) * len(spacing), spacing=spacing)
    m = get_material(name)
    assert max_stable_courant(g, m) == pytest.approx(_nyquist_limit(g, m), rel=ANALYTIC_RTOL)


def test_mixed_medium_matches_nyquist_condition():
    g = Grid((4, 4), spacing=DX)
    m = _mixed()
    assert max_stable_courant(g, m) == pytest.approx(_nyquist_limit(g, m), rel=ANALYTIC_RTOL)


def test_construction_error_names_material_courant_and_limit():
    g = Grid((6, 6, 6), spacing=DX)  # default courant 0.99/sqrt(3) = 0.571577
    metal = Material(poles=(DrudePole(2 * W15, 0.0),), name="metal")
    with pytest.raises(InputError) as err:
        FDTDSimulation(g, background=metal, boundaries=Periodic())
    msg = str(err.value)
    assert "material 'metal'" in msg and "DrudePole(omega_p=" in msg and "eps_inf=1" in msg
    assert f"courant={g.courant:.6g}" in msg
    s_max = float(msg.split("largest stable courant for it on this grid is ")[1].split()[0])
    assert s_max == pytest.approx(_drude_limit(g, 1.0, 2 * W15), rel=1e-5)  # analytic: 0.561173
    # the advice holds: just below the reported limit the simulation is built
    FDTDSimulation(Grid((6, 6, 6), spacing=DX, courant=0.999 * s_max), background=metal,
                   boundaries=Periodic())


def test_cut_cells_and_named_shape_material():
    # a gold slab over vacuum in 1D: pure and cut-cell node materials; the message names the shape's material
    gold = get_material("Au")
    geo = [Slab("x", 100.3e-9, 200e-9, gold)]
    g = Grid((60,), spacing=5e-9)                    # default courant 0.99 > 0.9634 (the limit, PEC walls)
    with pytest.raises(InputError, match=r"material 'Au' with eps_inf=1.*courant=0\.99 .*0\.9633"):
        FDTDSimulation(g, geometry=geo)
    sim = FDTDSimulation(Grid((60,), spacing=5e-9, courant=0.95), geometry=geo)
    assert check_dispersive_stability(sim.grid, sim.materials) <= 1 + stability.RADIUS_TOL


def test_amplification_matrix_shape_and_bad_input():
    A = amplification_matrices(1e-17, [0.0, 1e16], _mixed())
    assert A.shape == (2, 2 + 2 * 2 + 1, 7)
    with pytest.raises(InputError, match="material"):
        amplification_matrices(1e-17, [0.0], material="gold")
    with pytest.raises(InputError, match="grid"):
        check_dispersive_stability("grid", Material())


def test_domain_spectrum_of_a_pec_cavity(monkeypatch):
    # between PEC walls the top mode of n cells is sin(pi (n-1) i/n): |K|^2_max = (2/dx)^2 sin^2(pi (n-1)/(2n))
    # (analytic), so a small cavity is stable a little above the unbounded-medium limit; the run agrees
    monkeypatch.setattr(stability, "check_dispersive_stability", lambda *a, **kw: 1.0)
    n = 8
    wp = 2 * W15
    metal = Material(poles=(DrudePole(wp, 0.0),))
    g = Grid((n,), spacing=DX)
    sim = FDTDSimulation(g, background=metal)               # default: PEC walls
    frac = math.sin(math.pi * (n - 1) / (2 * n)) ** 2
    assert stability.lambda_max(g, sim.boundaries) == pytest.approx((2 / DX) ** 2 * frac, rel=1e-12)
    s_dom = 1 / math.sqrt(frac + (wp * DX / (2 * C0)) ** 2)  # Drude at z = -1 with that |K|^2_max
    assert max_stable_courant(g, metal, sim.boundaries) == pytest.approx(s_dom, rel=ANALYTIC_RTOL)
    assert max_stable_courant(g, metal) < 0.99 * s_dom
    rng = np.random.default_rng(2)
    for factor, grows in ((0.99, False), (1.01, True)):
        sim = FDTDSimulation(Grid((n,), spacing=DX, courant=factor * s_dom), background=metal)
        sim.fields.E[2][1:] = rng.standard_normal(n - 1)[:, None, None]
        e0 = np.abs(sim.fields.E[2]).max()
        sim.step(2000)
        assert (np.abs(sim.fields.E[2]).max() > 1e6 * e0) == grows
