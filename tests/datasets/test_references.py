"""Reference PDE solutions against independent solvers: a spectral Burgers solver and finite differences."""

import numpy as np
import pytest

import datasets
from datasets import references

NU = 0.01 / np.pi
BURGERS_TOL = 1e-5  # the 1024-mode spectral solver's own error at t = 0.5 is about 4e-6 (4e-13 with 4096 modes)


def etdrk4_burgers(n_modes, dt, nu, times, amplitude=1.0):
    """Independent reference: Fourier pseudo-spectral ETDRK4 (Kassam & Trefethen 2005) on the period [-1, 1)."""
    x = -1.0 + 2.0 * np.arange(n_modes) / n_modes
    v = np.fft.rfft(-amplitude * np.sin(np.pi * x))
    k = np.pi * np.arange(n_modes // 2 + 1)
    lin = -nu * k**2
    e, e2 = np.exp(dt * lin), np.exp(dt * lin / 2)
    r = np.exp(1j * np.pi * (np.arange(1, 33) - 0.5) / 32)
    lr = dt * lin[:, None] + r[None, :]
    q = dt * np.real(np.mean((np.exp(lr / 2) - 1) / lr, axis=1))
    f1 = dt * np.real(np.mean((-4 - lr + np.exp(lr) * (4 - 3 * lr + lr**2)) / lr**3, axis=1))
    f2 = dt * np.real(np.mean((2 + lr + np.exp(lr) * (-2 + lr)) / lr**3, axis=1))
    f3 = dt * np.real(np.mean((-4 - 3 * lr - lr**2 + np.exp(lr) * (4 - lr)) / lr**3, axis=1))
    g = -0.5j * k
    keep = np.arange(n_modes // 2 + 1) < n_modes // 3  # 2/3 dealiasing

    def nonlin(w):
        return g * np.fft.rfft(np.fft.irfft(w * keep, n_modes) ** 2)

    out, step = [], 0
    for t in times:
        while step < round(t / dt):
            nv = nonlin(v)
            a = e2 * v + q * nv
            na = nonlin(a)
            b = e2 * v + q * na
            nb = nonlin(b)
            c = e2 * a + q * (2 * nb - nv)
            v = e * v + nv * f1 + 2 * (na + nb) * f2 + nonlin(c) * f3
            step += 1
        out.append(np.fft.irfft(v, n_modes))
    return x, np.array(out)


def test_burgers_cole_hopf_matches_spectral_solver():
    times = np.array([0.25, 0.5, 1.0])
    x, spectral = etdrk4_burgers(1024, 4e-4, NU, times)
    exact = references.burgers_cole_hopf(x, times, NU)
    err = np.abs(exact - spectral).max(axis=1)
    assert np.all(err < BURGERS_TOL), f"max |cole-hopf - spectral| per time: {err}"


def test_burgers_initial_boundary_and_known_features():
    x = np.linspace(-1, 1, 201)
    u = references.burgers_cole_hopf(x, np.array([0.0, 0.3, 1.0]), NU)
    assert np.array_equal(u[0], -np.sin(np.pi * x))
    assert np.abs(u[:, [0, -1]]).max() < 1e-12  # u(+-1, t) = 0
    assert np.allclose(u, -u[:, ::-1], atol=1e-12)  # odd in x
    # published value: the steepest slope |u_x(0, t)| = 152.00516 at t = 1.6037/pi (Basdevant et al. 1986)
    h = 1e-7
    u0 = references.burgers_cole_hopf(np.array([-h, h]), np.array([1.6037 / np.pi]), NU)[0]
    slope = (u0[1] - u0[0]) / (2 * h)
    assert abs(slope + 152.00516) < 1e-4, slope
    with pytest.raises(ValueError, match="nu="):
        references.burgers_cole_hopf(x, np.array([0.1]), nu=0.0)


def _laplacian(u, h):
    c = u[1:-1, 1:-1]
    return (u[1:-1, 2:] + u[1:-1, :-2] - 2 * c) / h**2 + (u[2:, 1:-1] + u[:-2, 1:-1] - 2 * c) / h**2


def test_poisson_heat_helmholtz_satisfy_their_equations():
    # independent reference: second-order finite differences; error O(h^2 * max mode^4 * pi^4)
    h = 1.0 / 400
    x = np.linspace(0, 1, 401)
    modes, a = np.array([[1, 2], [3, 1]]), np.array([0.7, -1.3])
    u, f = references.poisson2d_modes(x, x, modes, a)
    assert np.abs(-_laplacian(u, h) - f[1:-1, 1:-1]).max() < 2e-3 * np.abs(f).max()
    assert np.abs(u[[0, -1], :]).max() < 1e-12 and np.abs(u[:, [0, -1]]).max() < 1e-12
    dt, alpha = 1e-6, 0.3
    heat = references.heat2d_modes(x, x, np.array([0.05 - dt, 0.05, 0.05 + dt]), modes, a, alpha)
    ut = (heat[2] - heat[0]) / (2 * dt)
    assert np.abs(ut[1:-1, 1:-1] - alpha * _laplacian(heat[1], h)).max() < 2e-3 * np.abs(ut).max()
    xs = np.linspace(-1, 1, 801)
    u, f = references.helmholtz2d_product(xs, xs, 2, 3, 2.5)
    res = _laplacian(u, 2.0 / 800) + 2.5**2 * u[1:-1, 1:-1] - f[1:-1, 1:-1]
    assert np.abs(res).max() < 2e-3 * np.abs(f).max()


def test_pde_reference_datasets_reproduce_the_reference_functions():
    path = datasets.generate("pde-reference-burgers", workers=1, progress=False, params={"nx": 65, "nt": 11})
    ds = datasets.load("pde-reference-burgers", params={"nx": 65, "nt": 11})
    u = ds.arrays()["u"][0]
    assert np.array_equal(u, references.burgers_cole_hopf(ds.coords["x"], ds.coords["t"], NU))
    assert ds.arrays()["nu"][0] == NU
    assert path.exists()
    small = {"nx": 9, "ny": 9}
    for name in ("pde-reference-poisson", "pde-reference-heat", "pde-reference-helmholtz"):
        params = dict(small, nt=4) if name.endswith("heat") else small
        datasets.generate(name, n=5, seed=2, workers=1, progress=False, params=params)
        arrays = datasets.load(name, n=5, seed=2, params=params).arrays()
        assert np.isfinite(arrays["u"]).all() and arrays["u"].shape[0] == 5
        if name.endswith("poisson"):
            u, f = references.poisson2d_modes(
                np.linspace(0, 1, 9), np.linspace(0, 1, 9), arrays["modes"][3], arrays["amplitudes"][3]
            )
            assert np.array_equal(arrays["u"][3], u) and np.array_equal(arrays["f"][3], f)
            assert np.all((arrays["modes"] >= 1) & (arrays["modes"] <= 4))


def test_multilayer_transfer_matrix_against_closed_forms():
    lam = np.array([400e-9, 550e-9, 700e-9])
    # no layers: the Fresnel coefficient of one interface
    R, T, r, _ = references.multilayer_rt([], [], lam, 1.0, 1.5)
    assert np.allclose(r, (1 - 1.5) / (1 + 1.5), atol=1e-15) and np.allclose(R + T, 1.0, atol=1e-15)
    # quarter-wave stack (HL)^N at its design wavelength: admittance Y = (nH/nL)^(2N) ns (Born & Wolf 1.6)
    nh, nl, ns, lam0, pairs = 2.3, 1.38, 1.52, 600e-9, 4
    n_layers = [nh, nl] * pairs
    d = [lam0 / (4 * nh), lam0 / (4 * nl)] * pairs
    R, T, _, _ = references.multilayer_rt(n_layers, d, [lam0], 1.0, ns)
    y = (nh / nl) ** (2 * pairs) * ns
    assert np.isclose(R[0], ((1 - y) / (1 + y)) ** 2, rtol=1e-12)
    # a half-wave layer is absent at its design wavelength
    R_half, _, _, _ = references.multilayer_rt([2.0], [lam0 / (2 * 2.0)], [lam0], 1.0, ns)
    assert np.isclose(R_half[0], ((1 - ns) / (1 + ns)) ** 2, rtol=1e-12)


def test_multilayer_conserves_energy_without_loss_and_absorbs_with_loss(rng):
    lam = np.linspace(300e-9, 900e-9, 50)
    n_layers = rng.uniform(1.2, 3.5, 7)
    d = rng.uniform(20e-9, 300e-9, 7)
    R, T, _, _ = references.multilayer_rt(n_layers, d, lam, 1.0, 1.45)
    assert np.allclose(R + T, 1.0, atol=1e-12)
    R, T, _, _ = references.multilayer_rt(n_layers + 0.05j, d, lam, 1.0, 1.45)
    assert np.all(R + T < 1.0) and np.all(R >= 0) and np.all(T >= 0)
