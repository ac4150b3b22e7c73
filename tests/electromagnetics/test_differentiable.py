"""Differentiable 2D TM FDTD with CPML: gradients (reverse) and directional derivatives (forward) against
central finite differences, the adjoint and tangent kernels against each other and the forward kernel
(dot-product tests), checkpointing, and the run against the regular FDTDSimulation."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.constants import c as C0

import autodiff as ad
import autodiff.numpy as anp
from autodiff.core import UnsupportedOperationError
from electromagnetics.differentiable import FluxLine, ProbeEnergy, TEDesign, TMDesign, absorbing_layers
from electromagnetics.fdtd import CPML, PMC, Grid, ModulatedGaussian, Periodic, PlaneCurrent, PointDipole, Source
from mindscience.errors import InputError

GRAD_RTOL = 1e-4      # the bound for gradient vs central differences (float64, 300 steps)
FD_STEP = 1e-4        # central-difference step in eps (truncation ~ h^2, far below GRAD_RTOL)
ROUNDOFF = 1e-11      # two evaluations of the same float64 sums in a different grouping
DOT_RTOL = 1e-12      # <g, A v> vs <A^T g, v>: a few float64 round-offs of sums of ~1e3 terms


def _problem(observable, n_steps=300, boundaries=None, geometry=()):
    g = Grid((30, 20), spacing=1e-3)
    f0 = C0 / 12e-3
    src = Source(PlaneCurrent("x", 0.008), ModulatedGaussian(f0, 0.3 * f0), "Ez")
    return TMDesign(g, (0.012, 0.006), (0.015, 0.011), [src], observable, n_steps, geometry=geometry,
                    boundaries=boundaries or {"x": CPML(6), "y": Periodic()})


def _dipole_problem(boundaries, n_steps=200):
    # a point source radiating into CPML on several faces (corners and kappa/alpha profiles included)
    g = Grid((28, 24), spacing=1e-3)
    src = Source(PointDipole((0.008, 0.011)), ModulatedGaussian(C0 / 10e-3, C0 / 40e-3), "Ez")
    return TMDesign(g, (0.012, 0.008), (0.016, 0.014), [src], ProbeEnergy([(0.019, 0.013)]), n_steps,
                    boundaries=boundaries)


def _eps(prob, seed=0):
    return 1.0 + 3.0 * np.random.default_rng(seed).random(prob.design_shape)


def _central_differences(f, x, direction=None):
    """Reference: central differences of the forward run, per design cell (or along one direction)."""
    if direction is not None:
        return (f(x + FD_STEP * direction) - f(x - FD_STEP * direction)) / (2 * FD_STEP)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = x.copy()
        e[idx] += FD_STEP
        fp = f(e)
        e[idx] -= 2 * FD_STEP
        out[idx] = (fp - f(e)) / (2 * FD_STEP)
    return out


@pytest.mark.parametrize("observable", [ProbeEnergy([(0.021, 0.009)]), FluxLine(0.02)], ids=["probe", "flux"])
def test_gradient_with_cpml_matches_central_differences(observable):
    prob = _problem(observable)
    eps = _eps(prob)
    _, grad = prob.value_and_grad(eps, checkpoint=None)
    fd = _central_differences(lambda e: prob.states(e)[1], eps)
    assert np.max(np.abs(fd)) > 0
    assert np.max(np.abs(grad - fd)) <= GRAD_RTOL * np.max(np.abs(fd))


def test_checkpointing_gives_the_same_gradient():
    prob = _problem(FluxLine(0.02))
    eps = _eps(prob, 1)
    v0, g0 = prob.value_and_grad(eps, checkpoint=None)  # reference: the fully taped run
    for ck in ("sqrt", 7, 1000):
        v, g = prob.value_and_grad(eps, checkpoint=ck)
        assert v == pytest.approx(v0, rel=ROUNDOFF)
        assert np.max(np.abs(g - g0)) <= ROUNDOFF * np.max(np.abs(g0))


@pytest.mark.parametrize("boundaries", [
    {"x": CPML(6), "y": Periodic()},
    CPML(5, kappa_max=3.0, alpha_max=0.05),
    {"x-": CPML(5), "y+": CPML(4, order=2.0)},     # the other faces are PEC
], ids=["x-cpml", "all-cpml-kappa-alpha", "mixed-pec-cpml"])
def test_run_equals_regular_fdtd_simulation_with_cpml(boundaries):
    # reference: FDTDSimulation with the same CPML walls and the design painted cell by cell
    prob = _dipole_problem(boundaries)
    eps = _eps(prob, 2)
    assert prob.n_psi > 0
    assert prob.verify(eps) == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)


def test_run_equals_regular_fdtd_simulation_with_absorbing_layers():
    # reference: FDTDSimulation with the same graded conductive layers (ordinary materials), PEC walls on y
    g = Grid((30, 20), spacing=1e-3)
    prob = _problem(FluxLine(0.02), n_steps=200, boundaries={"y": Periodic()}, geometry=absorbing_layers(g, 6, "x"))
    eps = _eps(prob, 3)
    assert prob.n_psi == 0
    assert prob.verify(eps) == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)


def test_cpml_absorbs():
    # reference: a PEC box traps the pulse, CPML walls let it out: the probe energy in the second half of
    # the run must drop by orders of magnitude (nominal CPML reflection well below 1e-2 in amplitude)
    late = []
    for b in (None, CPML(8)):
        prob = _dipole_problem(b, n_steps=400)
        terms = np.asarray(prob.signal(np.full(prob.design_shape, 1.0)))
        late.append(np.sum(terms[200:]))
    assert late[1] < 1e-3 * late[0]


def _te_problem(boundaries, observable=None, n_steps=200):
    g = Grid((28, 24), spacing=1e-3)
    f0 = C0 / 10e-3
    srcs = [Source(PointDipole((0.008, 0.011)), ModulatedGaussian(f0, f0 / 4), "Ey"),
            Source(PointDipole((0.009, 0.015)), ModulatedGaussian(f0, f0 / 4), "Ex")]
    return TEDesign(g, (0.012, 0.008), (0.016, 0.014), srcs, observable or FluxLine(0.02), n_steps,
                    boundaries=boundaries)


@pytest.mark.parametrize("pol", ["TM", "TE"])
def test_step_kernels_are_transposes_and_derivatives(pol):
    b = CPML(5, kappa_max=2.0, alpha_max=0.02)
    prob = _dipole_problem(b) if pol == "TM" else _te_problem(b)
    step, tangent, adjoint = prob._kernels
    rng = np.random.default_rng(4)
    c = prob._consts()
    co = prob.coefficients(_eps(prob))
    u, du, gu = (rng.standard_normal(prob.state_shape) for _ in range(3))
    p, dp, gp = (rng.standard_normal(prob.n_psi) for _ in range(3))
    k = len(prob.sources)
    amp, damp, zero = rng.standard_normal(k), rng.standard_normal(k), np.zeros(k)
    dco = [0.1 * rng.standard_normal(x.shape) * np.mean(x) for x in co]
    # reference: the source-free step A is linear in (u, p), so <g, A v> = <A^T g, v> (dot-product test)
    Au, Ap = step(u, p, *co, zero, *c)
    bu, bp, *_ = adjoint(gu, gp, u, Au, *co, zero, *c)
    assert np.sum(gu * Au) + np.sum(gp * Ap) == pytest.approx(np.sum(bu * u) + np.sum(bp * p), rel=DOT_RTOL)
    # reference: central differences of the step kernel in all its differentiable inputs (quadratic at most,
    # so the central difference is exact up to round-off)
    Su, Sp = step(u, p, *co, amp, *c)
    Tu, Tp = tangent(du, dp, *dco, damp, u, Su, *co, amp, *c)
    h = 1e-6
    Pu, Pp = step(u + h * du, p + h * dp, *[x + h * d for x, d in zip(co, dco)], amp + h * damp, *c)
    Mu, Mp = step(u - h * du, p - h * dp, *[x - h * d for x, d in zip(co, dco)], amp - h * damp, *c)
    assert np.max(np.abs((Pu - Mu) / (2 * h) - Tu)) <= 1e-8 * np.max(np.abs(Tu))
    assert np.max(np.abs((Pp - Mp) / (2 * h) - Tp)) <= 1e-8 * np.max(np.abs(Tp))
    # reference: the tangent kernel; adjoint identity <g, T d> = <T^T g, d> over every input
    bu, bp, *gco, gamp = adjoint(gu, gp, u, Su, *co, amp, *c)
    lhs = np.sum(gu * Tu) + np.sum(gp * Tp)
    rhs = np.sum(bu * du) + np.sum(bp * dp) + sum(np.sum(a * d) for a, d in zip(gco, dco)) + np.sum(gamp * damp)
    assert lhs == pytest.approx(rhs, rel=DOT_RTOL)


@pytest.mark.parametrize("boundaries", [
    {"x": CPML(6), "y": Periodic()},
    {"x-": CPML(5), "y+": CPML(4, kappa_max=3.0, alpha_max=0.05)},     # the other faces are PEC
], ids=["x-cpml", "mixed-pec-cpml"])
def test_te_run_equals_regular_fdtd_simulation(boundaries):
    # reference: FDTDSimulation (TE: Ex and Ey sources) with the design pixels painted as boxes, whose
    # volume-fraction averaging onto the Ex/Ey nodes TEDesign reproduces
    prob = _te_problem(boundaries)
    eps = _eps(prob, 10)
    assert prob.verify(eps) == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)


def test_te_gradient_and_forward_mode_match_central_differences():
    prob = _te_problem(CPML(5), ProbeEnergy([(0.02, 0.012)]), n_steps=200)
    eps = _eps(prob, 11)
    _, grad = prob.value_and_grad(eps, checkpoint="sqrt")
    fd = _central_differences(lambda e: prob.states(e)[1], eps)
    assert np.max(np.abs(fd)) > 0
    assert np.max(np.abs(grad - fd)) <= GRAD_RTOL * np.max(np.abs(fd))
    d = np.random.default_rng(12).standard_normal(prob.design_shape)  # reference: the reverse-mode gradient
    assert prob.value_and_jvp(eps, d)[1] == pytest.approx(np.sum(grad * d), rel=ROUNDOFF)


def test_forward_mode_matches_central_differences_and_reverse_mode():
    prob = _problem(FluxLine(0.02), n_steps=200)
    eps = _eps(prob, 5)
    d = np.random.default_rng(6).standard_normal(prob.design_shape)
    v, slope = prob.value_and_jvp(eps, d)
    fd = _central_differences(lambda e: prob.states(e)[1], eps, d)  # reference: central differences along d
    assert v == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)
    assert slope == pytest.approx(fd, rel=GRAD_RTOL)
    # reference: the reverse-mode gradient (independent kernel) projected on d
    _, grad = prob.value_and_grad(eps, checkpoint="sqrt")
    assert slope == pytest.approx(np.sum(grad * d), rel=ROUNDOFF)


def test_jacfwd_of_the_time_trace_and_the_adjoint_identity():
    # two parameters (a uniform eps and a linear ramp), 200 outputs (the probe energy of every step)
    prob = _problem(ProbeEnergy([(0.021, 0.009)]), n_steps=200)
    ramp = np.linspace(-1.0, 1.0, prob.design_shape[0])[:, None] * np.ones(prob.design_shape)
    theta = np.array([2.0, 0.4])

    def trace(th):
        return prob.signal(th[0] + th[1] * ramp)

    jac = np.asarray(ad.jacfwd(trace)(theta))
    assert jac.shape == (200, 2)
    for k in range(2):  # reference: central differences of the time trace, per parameter
        e = np.eye(2)[k]
        fd = (np.asarray(trace(theta + FD_STEP * e)) - np.asarray(trace(theta - FD_STEP * e))) / (2 * FD_STEP)
        assert np.max(np.abs(jac[:, k] - fd)) <= GRAD_RTOL * np.max(np.abs(fd))
    # reference: <v, J u> (forward mode) = <J^T v, u> (reverse mode) for the whole run, random u and v
    rng = np.random.default_rng(7)
    eps = _eps(prob, 8)
    u, v = rng.standard_normal(prob.design_shape), rng.standard_normal(200)
    _, ju = ad.jvp(prob.signal, (eps,), (u,))
    _, pullback = ad.vjp(prob.signal, eps)
    (jtv,) = pullback(v)
    assert np.sum(v * np.asarray(ju)) == pytest.approx(np.sum(np.asarray(jtv) * u), rel=DOT_RTOL)


# ----------------------------------------------------------------------------- 1D: a multilayer stack
class _Trace:
    """Per-step term: Ez at one node (so that :meth:`TMDesign.signal` is the time trace there)."""

    def __init__(self, x):
        self.x = x

    def bind(self, grid):
        self.i = grid.nearest_index("Ez", (self.x,))[0]
        return self

    def __call__(self, u_prev, u_next):
        return u_prev[0, self.i, 0]


def _tmm_transmittance(eps_layers, thickness, f):
    """Reference: transfer (characteristic) matrix of a lossless stack in vacuum, normal incidence [Born & Wolf
    1.6]: ``T = |2 / (M11 + M12 + M21 + M22)|^2``."""
    k0 = 2 * np.pi * f / C0
    m = np.eye(2, dtype=complex)
    for e, d in zip(eps_layers, thickness):
        n = np.sqrt(e)
        ph = n * k0 * d
        m = m @ np.array([[np.cos(ph), -1j * np.sin(ph) / n], [-1j * n * np.sin(ph), np.cos(ph)]])
    return abs(2 / (m[0, 0] + m[0, 1] + m[1, 0] + m[1, 1])) ** 2


def test_1d_run_equals_regular_fdtd_simulation():
    # reference: the regular 1D FDTDSimulation (its own 1D kernels) with the same CPML walls
    g = Grid((120,), spacing=0.5e-3)
    src = Source(PointDipole((0.01,)), ModulatedGaussian(C0 / 30e-3, 0.4 * C0 / 30e-3), "Ez")
    prob = TMDesign(g, (0.025,), (0.035,), [src], FluxLine(0.045), 200, boundaries=CPML(10))
    eps = _eps(prob, 9)
    assert prob.design_shape == (21,)
    assert prob.verify(eps) == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)


def test_1d_multilayer_transmittance_derivatives():
    # three layers (30 mm in all) between CPML walls; T(f) = |DFT of the transmitted Ez|^2 / |DFT incident|^2
    # at 5 frequencies, differentiated by forward mode w.r.t. the 3 layer permittivities (few in, many out)
    dx, n_steps, f0 = 0.5e-3, 1600, C0 / 30e-3
    g = Grid((240,), spacing=dx)
    src = Source(PointDipole((0.015,)), ModulatedGaussian(f0, 0.4 * f0), "Ez")
    prob = TMDesign(g, (0.05,), (0.05 + 59 * dx,), [src], _Trace(0.095), n_steps, boundaries=CPML(10))
    edges = np.array([0, 18, 36, 60])
    masks = np.zeros((3, 60))
    for k in range(3):
        masks[k, edges[k]:edges[k + 1]] = 1.0
    t = np.arange(n_steps) * g.dt
    freqs = np.linspace(0.7, 1.3, 5) * f0
    cos, sin = np.cos(2 * np.pi * freqs[:, None] * t), np.sin(2 * np.pi * freqs[:, None] * t)
    inc = np.asarray(prob.signal(np.ones(60)))
    inc_power = (cos @ inc) ** 2 + (sin @ inc) ** 2

    def transmittance(e3):
        s = prob.signal(1.0 + anp.sum((e3[:, None] - 1.0) * masks, axis=0))
        re, im = anp.matmul(cos, s), anp.matmul(sin, s)
        return (re * re + im * im) / inc_power

    e3 = np.array([2.0, 3.0, 1.5])
    jac = np.asarray(ad.jacfwd(transmittance)(e3))
    assert jac.shape == (5, 3)
    # reference 1: central differences of the FDTD transmittance
    fd = np.stack([(np.asarray(transmittance(e3 + FD_STEP * e)) - np.asarray(transmittance(e3 - FD_STEP * e)))
                   / (2 * FD_STEP) for e in np.eye(3)], axis=1)
    assert np.max(np.abs(jac - fd)) <= GRAD_RTOL * np.max(np.abs(fd))
    # reference 2: the transfer-matrix derivative (central differences of the exact stack). They differ by the
    # FDTD discretisation error, second order in dx: measured 2.4e-2 here and 6.0e-3 at dx/2
    # (benchmarks/fdtd_diff_1d_tmm.py), so 5e-2 catches a wrong derivative, not the discretisation
    h, d = 1e-5, np.diff(edges) * dx
    tmm = np.stack([[(_tmm_transmittance(e3 + h * e, d, f) - _tmm_transmittance(e3 - h * e, d, f)) / (2 * h)
                     for e in np.eye(3)] for f in freqs])
    assert np.max(np.abs(jac - tmm)) <= 5e-2 * np.max(np.abs(tmm))


def test_vmap_over_designs():
    # reference: the gradient of each design on its own (batching loops over the step and adjoint kernels)
    # FluxLine under vmap + checkpoint needs zeros_like with the per-example shape (autodiff.numpy)
    for obs, ck in ((ProbeEnergy([(0.021, 0.009)]), None), (ProbeEnergy([(0.021, 0.009)]), "sqrt"),
                    (FluxLine(0.02), "sqrt")):
        prob = _problem(obs, n_steps=60)
        designs = np.stack([_eps(prob, s) for s in range(3)])
        grads = np.asarray(ad.vmap(ad.grad(lambda e, p=prob, ck=ck: p.objective(e, ck)))(designs))
        for k in range(3):
            g = prob.value_and_grad(designs[k], checkpoint=None)[1]
            assert np.max(np.abs(grads[k] - g)) <= ROUNDOFF * np.max(np.abs(g))


def test_second_order_is_refused_with_a_clear_error():
    prob = _problem(FluxLine(0.02), n_steps=5)
    with pytest.raises(UnsupportedOperationError, match="fdtd_tm_step"):
        ad.hessian(prob.objective)(_eps(prob))


def test_bad_input_raises():
    prob = _problem(FluxLine(0.02), n_steps=10)
    with pytest.raises(InputError, match="design shape"):
        prob.objective(np.ones((2, 2)))
    with pytest.raises(InputError, match="positive"):
        prob.objective(-np.ones(prob.design_shape))
    with pytest.raises(InputError, match="checkpoint"):
        prob.value_and_grad(np.ones(prob.design_shape), checkpoint=0)
    with pytest.raises(InputError, match="deps"):
        prob.value_and_jvp(np.ones(prob.design_shape), np.ones(3))
    g = Grid((20, 20), spacing=1e-3)
    src = Source(PointDipole((0.01, 0.01)), ModulatedGaussian(1e10, 1e9))
    with pytest.raises(InputError, match="PEC wall"):
        TMDesign(g, (0.0, 0.005), (0.003, 0.01), [src], ProbeEnergy([(0.015, 0.01)]), 10)
    with pytest.raises(InputError, match="CPML layer"):
        TMDesign(g, (0.002, 0.005), (0.006, 0.01), [src], ProbeEnergy([(0.015, 0.01)]), 10, boundaries=CPML(4))
    with pytest.raises(InputError, match="Ez"):
        TMDesign(g, (0.005, 0.005), (0.008, 0.01), [Source(PointDipole((0.01, 0.01)), ModulatedGaussian(1e10, 1e9),
                                                          "Hz")], ProbeEnergy([(0.015, 0.01)]), 10)
    with pytest.raises(InputError, match="cells"):
        absorbing_layers(g, 10)
    with pytest.raises(InputError, match="'Ex' or 'Ey'"):
        TEDesign(g, (0.005, 0.005), (0.008, 0.01), [src], FluxLine(0.015), 10)
    with pytest.raises(InputError, match="2D"):
        TEDesign(Grid((40,), spacing=1e-3), (0.01,), (0.02,), [src], FluxLine(0.03), 10)
    with pytest.raises(InputError, match="PEC, Periodic and CPML"):
        _problem(FluxLine(0.02), boundaries={"y": Periodic(), "x-": PMC()})


def test_optimize_dielectric_example_small():
    path = Path(__file__).resolve().parents[2] / "examples" / "electromagnetics" / "optimize_dielectric.py"
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location("optimize_dielectric", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        r = mod.run(nx=60, ny=24, cpml=8, source_x=10e-3, design_x=(18e-3, 24e-3), probe=(40e-3, 12e-3),
                    n_steps=200, maxiter=4)
    finally:
        sys.path.remove(str(path.parent))
    # the optimiser raises the focal energy; the regular FDTDSimulation with the same CPML walls reproduces
    # the objective (round-off); forward and reverse mode give the same directional derivative
    assert r["enhancement"] > r["enhancement_initial"]
    assert r["objective_fdtd"] == pytest.approx(r["objective_diff"], rel=ROUNDOFF)
    assert r["slope_fwd"] == pytest.approx(r["slope_rev"], rel=ROUNDOFF)
    assert np.all((r["eps"] >= 1.0) & (r["eps"] <= 4.0))
