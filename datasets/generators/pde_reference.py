"""The ``pde-reference-*`` datasets: reference solutions of Burgers, Poisson, heat and Helmholtz on grids.

The solutions themselves are the pure functions of :mod:`datasets.references`; this file only draws
their random parameters from each sample's generator and declares fields, units (all dimensionless)
and grids.
"""

import numpy as np

from datasets import references
from datasets.extend import Field, check_range, register_dataset

_CITE_PINN = (
    "M. Raissi, P. Perdikaris, G. E. Karniadakis, Physics-informed neural networks, J. Comput. Phys. 378, "
    "686-707 (2019)"
)


def _check_grid(params, *names, minimum=2):
    for name in names:
        check_range(name, params[name], minimum)


def _check_interval(params, low, high, positive=False):
    if positive:
        check_range(low, params[low], 0.0, low_open=True)
    check_range(high, params[high], params[low])


def _modes(rng, params):
    modes = rng.integers(1, params["max_mode"] + 1, size=(params["n_modes"], 2))
    amplitudes = rng.standard_normal(params["n_modes"])
    return modes.astype(np.int64), amplitudes


# ----- Burgers 1D -----
def _burgers_validate(p):
    _check_grid(p, "nx", "nt")
    _check_interval(p, "nu_min", "nu_max", positive=True)
    _check_interval(p, "amplitude_min", "amplitude_max")
    check_range("t_max", p["t_max"], 0.0, low_open=True)
    check_range("n_quad", p["n_quad"], 20)


def _burgers_coords(p):
    return {"x": np.linspace(-1.0, 1.0, p["nx"]), "t": np.linspace(0.0, p["t_max"], p["nt"])}


@register_dataset(
    "pde-reference-burgers",
    description="Viscous Burgers u_t + u u_x = nu u_xx, u0 = -A sin(pi x) on [-1, 1], u(+-1) = 0 (Cole-Hopf, exact)",
    fields=(
        Field("u", ("nt", "nx"), "1", "velocity u(t_i, x_j)"),
        Field("nu", (), "1", "viscosity (log-uniform in [nu_min, nu_max])"),
        Field("amplitude", (), "1", "initial amplitude A (uniform in [amplitude_min, amplitude_max])"),
    ),
    coords=(Field("x", ("nx",), "1", "positions in [-1, 1]"), Field("t", ("nt",), "1", "times in [0, t_max]")),
    make_coords=_burgers_coords,
    parameters={
        "nx": 256,
        "nt": 101,
        "t_max": 1.0,
        "nu_min": 0.01 / np.pi,
        "nu_max": 0.01 / np.pi,
        "amplitude_min": 1.0,
        "amplitude_max": 1.0,
        "n_quad": references.BURGERS_QUADRATURE_NODES,
    },
    validate=_burgers_validate,
    citation=_CITE_PINN + "; solution by the Cole-Hopf transformation with Gauss-Hermite quadrature",
    default_n=1,
    expected_size="0.2 MB per sample at the defaults (the Raissi et al. reference: one sample)",
)
def pde_reference_burgers(rng, params, index):
    r = rng.uniform(0.0, 1.0, size=2)
    lo, hi = params["nu_min"], params["nu_max"]
    nu = lo if lo == hi else float(np.exp(np.log(lo) + r[0] * (np.log(hi) - np.log(lo))))
    a_lo, a_hi = params["amplitude_min"], params["amplitude_max"]
    amplitude = a_lo + r[1] * (a_hi - a_lo)
    c = _burgers_coords(params)
    u = references.burgers_cole_hopf(c["x"], c["t"], nu, amplitude, params["n_quad"])
    return {"u": u, "nu": nu, "amplitude": amplitude}


# ----- Poisson 2D -----
def _modes_validate(p, grid=("nx", "ny")):
    _check_grid(p, *grid)
    check_range("n_modes", p["n_modes"], 1)
    check_range("max_mode", p["max_mode"], 1)


def _unit_square(p):
    return {"x": np.linspace(0.0, 1.0, p["nx"]), "y": np.linspace(0.0, 1.0, p["ny"])}


_XY = (Field("x", ("nx",), "1", "x in [0, 1]"), Field("y", ("ny",), "1", "y in [0, 1]"))
_MODE_FIELDS = (
    Field("modes", ("n_modes", 2), "1", "mode numbers (m_k, n_k), uniform in 1..max_mode", dtype="int64"),
    Field("amplitudes", ("n_modes",), "1", "amplitudes a_k, standard normal"),
)


@register_dataset(
    "pde-reference-poisson",
    description="Poisson -lap u = f on [0, 1]^2, u = 0 on the boundary; u = sum_k a_k sin(m_k pi x) sin(n_k pi y)",
    fields=(Field("u", ("ny", "nx"), "1", "solution u(y_j, x_i)"), Field("f", ("ny", "nx"), "1", "source"))
    + _MODE_FIELDS,
    coords=_XY,
    make_coords=_unit_square,
    parameters={"nx": 65, "ny": 65, "n_modes": 4, "max_mode": 4},
    validate=_modes_validate,
    citation="analytic manufactured solutions",
    default_n=200,
    expected_size="68 kB per sample at the defaults",
)
def pde_reference_poisson(rng, params, index):
    modes, amplitudes = _modes(rng, params)
    c = _unit_square(params)
    u, f = references.poisson2d_modes(c["x"], c["y"], modes, amplitudes)
    return {"u": u, "f": f, "modes": modes, "amplitudes": amplitudes}


# ----- heat 2D -----
def _heat_validate(p):
    _modes_validate(p, ("nx", "ny", "nt"))
    _check_interval(p, "alpha_min", "alpha_max", positive=True)
    check_range("t_max", p["t_max"], 0.0, low_open=True)


def _heat_coords(p):
    return dict(_unit_square(p), t=np.linspace(0.0, p["t_max"], p["nt"]))


@register_dataset(
    "pde-reference-heat",
    description="Heat u_t = alpha lap u on [0, 1]^2, u = 0 on the boundary; decaying sums of sine modes",
    fields=(
        Field("u", ("nt", "ny", "nx"), "1", "solution u(t_k, y_j, x_i)"),
        Field("alpha", (), "1", "diffusivity, uniform in [alpha_min, alpha_max]"),
    )
    + _MODE_FIELDS,
    coords=_XY + (Field("t", ("nt",), "1", "times in [0, t_max]"),),
    make_coords=_heat_coords,
    parameters={
        "nx": 33,
        "ny": 33,
        "nt": 21,
        "t_max": 0.1,
        "alpha_min": 0.1,
        "alpha_max": 1.0,
        "n_modes": 3,
        "max_mode": 3,
    },
    validate=_heat_validate,
    citation="analytic solutions (separation of variables)",
    default_n=200,
    expected_size="183 kB per sample at the defaults",
)
def pde_reference_heat(rng, params, index):
    modes, amplitudes = _modes(rng, params)
    alpha = rng.uniform(params["alpha_min"], params["alpha_max"])
    c = _heat_coords(params)
    u = references.heat2d_modes(c["x"], c["y"], c["t"], modes, amplitudes, alpha)
    return {"u": u, "alpha": alpha, "modes": modes, "amplitudes": amplitudes}


# ----- Helmholtz 2D -----
def _helmholtz_validate(p):
    _check_grid(p, "nx", "ny")
    check_range("max_mode", p["max_mode"], 1)
    _check_interval(p, "k_min", "k_max", positive=True)


def _square(p):
    return {"x": np.linspace(-1.0, 1.0, p["nx"]), "y": np.linspace(-1.0, 1.0, p["ny"])}


@register_dataset(
    "pde-reference-helmholtz",
    description="Helmholtz lap u + k^2 u = f on [-1, 1]^2, u = 0 on the boundary; u = sin(a1 pi x) sin(a2 pi y)",
    fields=(
        Field("u", ("ny", "nx"), "1", "solution u(y_j, x_i)"),
        Field("f", ("ny", "nx"), "1", "source (k^2 - (a1^2 + a2^2) pi^2) u"),
        Field("a", (2,), "1", "mode numbers (a1, a2), uniform in 1..max_mode", dtype="int64"),
        Field("k", (), "1", "wavenumber, uniform in [k_min, k_max]"),
    ),
    coords=(Field("x", ("nx",), "1", "x in [-1, 1]"), Field("y", ("ny",), "1", "y in [-1, 1]")),
    make_coords=_square,
    parameters={"nx": 65, "ny": 65, "max_mode": 4, "k_min": 1.0, "k_max": 4.0},
    validate=_helmholtz_validate,
    citation="the PINN benchmark family of S. Wang, Y. Teng, P. Perdikaris, SIAM J. Sci. Comput. 43, A3055 (2021)",
    default_n=200,
    expected_size="68 kB per sample at the defaults",
)
def pde_reference_helmholtz(rng, params, index):
    a = rng.integers(1, params["max_mode"] + 1, size=2).astype(np.int64)
    k = rng.uniform(params["k_min"], params["k_max"])
    c = _square(params)
    u, f = references.helmholtz2d_product(c["x"], c["y"], int(a[0]), int(a[1]), k)
    return {"u": u, "f": f, "a": a, "k": k}


__all__ = ["pde_reference_burgers", "pde_reference_heat", "pde_reference_helmholtz", "pde_reference_poisson"]
