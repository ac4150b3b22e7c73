"""Differentiable 2D TM FDTD: gradients against central finite differences, checkpointing, the adjoint
kernel against the forward kernel (dot-product test) and the run against the regular FDTDSimulation."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.constants import c as C0

from electromagnetics import _diff_kernels as DK
from electromagnetics.differentiable import FluxLine, ProbeEnergy, TMDesign, absorbing_layers
from electromagnetics.fdtd import CPML, Grid, ModulatedGaussian, Periodic, PlaneCurrent, PointDipole, Source
from mindscience.errors import InputError

GRAD_RTOL = 1e-4      # the bound for gradient vs central differences (float64, 300 steps)
FD_STEP = 1e-4        # central-difference step in eps (truncation ~ h^2, far below GRAD_RTOL)
ROUNDOFF = 1e-11      # two evaluations of the same float64 sums in a different grouping


def _problem(observable, n_steps=300, boundaries=None):
    g = Grid((30, 20), spacing=1e-3)
    f0 = C0 / 12e-3
    src = Source(PlaneCurrent("x", 0.008), ModulatedGaussian(f0, 0.3 * f0), "Ez")
    return TMDesign(g, (0.012, 0.006), (0.015, 0.011), [src], observable, n_steps,
                    geometry=absorbing_layers(g, 6, "x"), boundaries=boundaries or {"y": Periodic()})


def _eps(prob, seed=0):
    return 1.0 + 3.0 * np.random.default_rng(seed).random(prob.design_shape)


@pytest.mark.parametrize("observable", [ProbeEnergy([(0.021, 0.009)]), FluxLine(0.02)], ids=["probe", "flux"])
def test_gradient_matches_central_differences(observable):
    prob = _problem(observable)
    eps = _eps(prob)
    _, grad = prob.value_and_grad(eps, checkpoint=None)
    fd = np.zeros_like(eps)
    for idx in np.ndindex(eps.shape):  # reference: central differences of the forward run, every design cell
        e = eps.copy()
        e[idx] += FD_STEP
        fp = prob.states(e)[1]
        e[idx] -= 2 * FD_STEP
        fm = prob.states(e)[1]
        fd[idx] = (fp - fm) / (2 * FD_STEP)
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


def test_run_equals_regular_fdtd_simulation():
    # reference: FDTDSimulation with the design painted cell by cell (same materials, sources, walls)
    prob = _problem(FluxLine(0.02), n_steps=200)
    eps = _eps(prob, 2)
    assert prob.verify(eps) == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)
    # PEC walls on y as well (zeroed Ez rows and zero wrap factors)
    g = Grid((24, 18), spacing=1e-3)
    prob = TMDesign(g, (0.01, 0.006), (0.013, 0.01), [Source(PointDipole((0.005, 0.009)),
                    ModulatedGaussian(C0 / 10e-3, C0 / 40e-3), "Ez")], ProbeEnergy([(0.018, 0.009)]), 150)
    eps = _eps(prob, 3)
    assert prob.verify(eps) == pytest.approx(prob.states(eps)[1], rel=ROUNDOFF)


def test_adjoint_kernel_is_the_transpose():
    # reference: <g, A v> = <A^T g, v> for the (source-free, linear) step A, and d step / d(ca, cb) by linearity
    prob = _problem(FluxLine(0.02))
    rng = np.random.default_rng(4)
    ca, cb = prob.coefficients(_eps(prob))
    v = rng.standard_normal(prob.state_shape)
    g = rng.standard_normal(prob.state_shape)
    zero = np.zeros(1)
    c = prob._consts()
    Av = DK.tm_step(v, prob._ca, prob._cb, ca, cb, *c, zero)
    gu, gca, gcb = DK.tm_step_adjoint(g, v, Av, prob._ca, prob._cb, ca, cb, *c, zero)
    assert np.sum(g * Av) == pytest.approx(np.sum(gu * v), rel=1e-12)
    dca, dcb = rng.standard_normal(ca.shape), rng.standard_normal(cb.shape) * np.mean(cb)
    dA = (DK.tm_step(v, prob._ca, prob._cb, ca + dca, cb + dcb, *c, zero) - Av)  # affine in (ca, cb)
    assert np.sum(g * dA) == pytest.approx(np.sum(gca * dca) + np.sum(gcb * dcb), rel=1e-9)


def test_bad_input_raises():
    prob = _problem(FluxLine(0.02), n_steps=10)
    with pytest.raises(InputError, match="design shape"):
        prob.objective(np.ones((2, 2)))
    with pytest.raises(InputError, match="positive"):
        prob.objective(-np.ones(prob.design_shape))
    with pytest.raises(InputError, match="checkpoint"):
        prob.value_and_grad(np.ones(prob.design_shape), checkpoint=0)
    g = Grid((20, 20), spacing=1e-3)
    with pytest.raises(InputError, match="PEC wall"):
        TMDesign(g, (0.0, 0.005), (0.003, 0.01), [Source(PointDipole((0.01, 0.01)), ModulatedGaussian(1e10, 1e9))],
                 ProbeEnergy([(0.015, 0.01)]), 10)
    with pytest.raises(InputError, match="Ez"):
        TMDesign(g, (0.005, 0.005), (0.008, 0.01), [Source(PointDipole((0.01, 0.01)), ModulatedGaussian(1e10, 1e9),
                                                          "Hz")], ProbeEnergy([(0.015, 0.01)]), 10)
    with pytest.raises(InputError, match="cells"):
        absorbing_layers(g, 10)
    with pytest.raises(InputError, match="PEC and Periodic"):
        _problem(FluxLine(0.02), boundaries={"y": Periodic(), "x-": CPML(4)})


def test_optimize_dielectric_example_small():
    path = Path(__file__).resolve().parents[2] / "examples" / "electromagnetics" / "optimize_dielectric.py"
    sys.path.insert(0, str(path.parent))
    try:
        spec = importlib.util.spec_from_file_location("optimize_dielectric", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        r = mod.run(nx=60, ny=24, absorber=8, source_x=10e-3, design_x=(18e-3, 24e-3), probe=(40e-3, 12e-3),
                    n_steps=200, maxiter=4)
    finally:
        sys.path.remove(str(path.parent))
    # the optimiser raises the focal energy; the regular FDTDSimulation reproduces the objective (round-off)
    assert r["enhancement"] > r["enhancement_initial"]
    assert r["objective_fdtd"] == pytest.approx(r["objective_diff"], rel=ROUNDOFF)
    assert np.all((r["eps"] >= 1.0) & (r["eps"] <= 4.0))
