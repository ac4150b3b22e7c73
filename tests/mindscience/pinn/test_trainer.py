"""PINN training end to end: Poisson 2D accuracy in a CI budget, an inverse problem, weighting, RAR, NaN errors."""

import time

import numpy as np
import pytest
import sympy as sp

import autodiff as ad
from mindscience.errors import InputError, SimulationDiverged
from mindscience.nn.layers import MLP
from mindscience.nn.optim import Adam
from mindscience.pinn.conditions import DirichletBC, HardDirichlet, PointData
from mindscience.pinn.geometry import Interval, Rectangle
from mindscience.pinn.pde import PDE
from mindscience.pinn.problem import Problem
from mindscience.pinn.trainer import Trainer, grid

x, y = sp.symbols("x y")
u = sp.Function("u")
SQUARE = Rectangle([0, 0], [1, 1])
POISSON = PDE(sp.diff(u(x, y), x, 2) + sp.diff(u(x, y), y, 2)
              + 2 * sp.pi**2 * sp.sin(sp.pi * x) * sp.sin(sp.pi * y), (x, y), [u])


def exact_poisson(p):
    # reference: u = sin(pi x) sin(pi y) solves -lap u = 2 pi^2 sin(pi x) sin(pi y) with u = 0 on the boundary
    return np.sin(np.pi * p[:, 0]) * np.sin(np.pi * p[:, 1])


@pytest.mark.slow
def test_poisson_2d_reaches_one_percent_in_ci_budget():
    # Budget: MLP 2-16-16-1 tanh, 256 Sobol collocation + 128 boundary points (weight 100),
    # 300 Adam steps then at most 200 L-BFGS iterations; ~10 s on one core, asserted < 60 s.
    prob = Problem(POISSON, SQUARE, MLP([2, 16, 16, 1]), [DirichletBC(SQUARE, 0.0, n=128, method="sobol")],
                   n_interior=256)
    tr = Trainer(prob, Adam(1e-2), seed=0, weights={"dirichlet0": 100.0})
    t0 = time.perf_counter()
    tr.train(300, lbfgs=200, progress=False)
    elapsed = time.perf_counter() - t0
    pts, _ = grid(SQUARE.bbox, 41)
    err = tr.relative_l2(pts, exact_poisson)
    assert err < 1e-2, err
    assert elapsed < 60.0, elapsed
    assert tr.history["dirichlet0"][-1] < 1e-4


def test_hard_constraint_poisson_quick():
    # with the ansatz u = x(1-x)y(1-y) N the boundary holds exactly; 150 Adam + 100 L-BFGS iterations
    prob = Problem(POISSON, SQUARE, MLP([2, 12, 1]), n_interior=128, hard_constraint=HardDirichlet(SQUARE, 0.0))
    tr = Trainer(prob, Adam(1e-2), seed=1)
    tr.train(150, lbfgs=100, progress=False)
    pts, _ = grid(SQUARE.bbox, 21)
    assert tr.relative_l2(pts, exact_poisson) < 2e-2
    xb, _ = SQUARE.sample_boundary(32, seed=0)
    np.testing.assert_allclose(tr.predict(xb)[:, 0], 0.0, atol=1e-14)


def test_inverse_problem_identifies_diffusion_coefficient():
    # c u'' + pi^2 sin(pi x) = 0 with data from u = 2 sin(pi x): the true coefficient is c = 1/2
    c = sp.Symbol("c")
    pde = PDE(c * sp.diff(u(x), x, 2) + sp.pi**2 * sp.sin(sp.pi * x), (x,), [u], trainable={c: 1.0})
    xd = np.linspace(0.05, 0.95, 12)[:, None]
    data = PointData(xd, 2 * np.sin(np.pi * xd[:, 0]), weight=10.0)
    dom = Interval(0.0, 1.0)
    prob = Problem(pde, dom, MLP([1, 16, 1]), [data, DirichletBC(dom, 0.0, n=2)], n_interior=64)
    tr = Trainer(prob, Adam(1e-2), seed=2)
    assert tr.coefficients == {"c": 1.0}
    tr.train(300, lbfgs=300, progress=False)
    assert tr.coefficients["c"] == pytest.approx(0.5, rel=1e-2)


def test_gradnorm_weights_follow_the_published_rule():
    prob = Problem(POISSON, SQUARE, MLP([2, 8, 1]), [DirichletBC(SQUARE, 0.0, n=32)], n_interior=32)
    tr = Trainer(prob, seed=3, adaptive="gradnorm", adapt_alpha=0.5)
    p, b = tr.params, tr.batch
    # reference: Wang, Teng & Perdikaris (2021), Alg. 1: lambda_hat = max|grad L_r| / mean|grad L_b|
    gr = ad.grad(lambda q: prob.loss_terms(q, b, ["pde"])["pde"])(p)
    gb = ad.grad(lambda q: prob.loss_terms(q, b, ["dirichlet0"])["dirichlet0"])(p)
    leaves = lambda g: np.concatenate([np.abs(np.ravel(v)) for v in ad.tree_flatten(g)[0]])
    expected = 0.5 * 1.0 + 0.5 * leaves(gr).max() / leaves(gb).mean()
    assert tr.update_weights()["dirichlet0"] == pytest.approx(expected, rel=1e-12)
    assert tr.weights["pde"] == 1.0
    tr.train(4, progress=False)  # adapt_every=100: no update inside 4 steps
    assert len(tr.weight_history["step"]) == 1


def test_rar_adds_largest_residual_points():
    prob = Problem(POISSON, SQUARE, MLP([2, 8, 1]), n_interior=16, hard_constraint=HardDirichlet(SQUARE, 0.0))
    tr = Trainer(prob, seed=4)
    new = tr.refine(k=5, n_candidates=200)
    assert tr.batch["pde"].shape == (21, 2)
    assert SQUARE.contains(new).all()
    res_new = np.abs(tr.residual(new)[:, 0])
    cand = SQUARE.sample_interior(400, seed=5)
    # reference: the 5 chosen points carry larger residuals than the median of fresh candidates
    assert res_new.min() >= np.median(np.abs(tr.residual(cand)[:, 0]))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_in_pde_term_names_step_and_term():
    # sqrt(u - 10) is NaN for the small initial network output
    pde = PDE(sp.sqrt(u(x, y) - 10) + sp.diff(u(x, y), x), (x, y), [u], names=["physics"])
    prob = Problem(pde, SQUARE, MLP([2, 4, 1]), [DirichletBC(SQUARE, 0.0, n=8)], n_interior=8)
    tr = Trainer(prob, seed=5)
    with pytest.raises(SimulationDiverged, match=r"loss term 'physics' became non-finite .*step 1"):
        tr.train(3, progress=False)


def test_trainer_argument_errors():
    prob = Problem(POISSON, SQUARE, MLP([2, 4, 1]), [DirichletBC(SQUARE, 0.0, n=8)], n_interior=8)
    with pytest.raises(InputError, match="weights names 'bc'"):
        Trainer(prob, weights={"bc": 1.0})
    with pytest.raises(InputError, match="adaptive='softmax' is not a weighting scheme"):
        Trainer(prob, adaptive="softmax")
    with pytest.raises(InputError, match=r"adapt_alpha=0 is out of range"):
        Trainer(prob, adapt_alpha=0)


def test_plot_writes_solution_error_and_history(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    prob = Problem(POISSON, SQUARE, MLP([2, 4, 1]), n_interior=16, hard_constraint=HardDirichlet(SQUARE, 0.0))
    tr = Trainer(prob, seed=6)
    tr.train(3, progress=False)
    _, axes = grid(SQUARE.bbox, 11)
    fig = tr.plot(axes, exact_poisson, path=tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 1000
    assert {"PINN", "reference", "|error|", "loss history"} <= {ax.get_title() for ax in fig.axes}


def test_trainer_checkpoint_resume_matches_uninterrupted_run(tmp_path):
    def make():
        prob = Problem(POISSON, SQUARE, MLP([2, 6, 1]), [DirichletBC(SQUARE, 0.0, n=16)], n_interior=32)
        return Trainer(prob, Adam(1e-2), seed=7, adaptive="gradnorm", adapt_every=5, resample_every=4)

    ref = make()
    ref.train(12, progress=False)
    a = make()
    a.train(8, progress=False)
    a.checkpoint(tmp_path / "pinn.h5")
    b = make().restore(tmp_path / "pinn.h5")
    assert b.weights == a.weights
    b.train(4, progress=False)
    # reference: the uninterrupted run, bit for bit
    np.testing.assert_array_equal(b.params["net"]["layers"][0]["W"], ref.params["net"]["layers"][0]["W"])
    assert b.history["loss"] == ref.history["loss"]
