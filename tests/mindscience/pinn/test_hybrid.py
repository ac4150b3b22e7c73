"""Hybrid PINN: a loss that mixes the PDE residual with solver-generated data (PointData) trains.

Reference data: the exact Cole-Hopf solution of Burgers (``datasets.references.burgers_cole_hopf``).
"""

import numpy as np
import pytest
import sympy as sp

from datasets.references import burgers_cole_hopf
from mindscience.nn import MLP, Adam
from mindscience.pinn import (
    PDE,
    DirichletBC,
    InitialCondition,
    Interval,
    PointData,
    Problem,
    SpaceTime,
    TimeDomain,
    Trainer,
)

NU = 0.01 / np.pi
W_BC, W_DATA = 10.0, 5.0
STEPS = 200


def _hybrid_trainer():
    x, t = sp.symbols("x t")
    u = sp.Function("u")
    pde = PDE(sp.diff(u(x, t), t) + u(x, t) * sp.diff(u(x, t), x) - NU * sp.diff(u(x, t), x, 2), (x, t), [u])
    dom = SpaceTime(Interval(-1.0, 1.0), TimeDomain(0.0, 1.0))
    xs, ts = np.linspace(-1, 1, 41), np.linspace(0.1, 1.0, 10)
    ref = burgers_cole_hopf(xs, ts, nu=NU)  # (nt, nx)
    rng = np.random.default_rng(0)
    it, ix = rng.integers(0, len(ts), 48), rng.integers(0, len(xs), 48)
    data = PointData(np.column_stack([xs[ix], ts[it]]), ref[it, ix], weight=W_DATA, name="data")
    conds = [DirichletBC(dom, 0.0, n=32, weight=W_BC),
             InitialCondition(dom, lambda z: -np.sin(np.pi * z[:, 0]), n=32, weight=W_BC), data]
    prob = Problem(pde, dom, MLP([2, 16, 16, 1]), conds, n_interior=128)
    return Trainer(prob, Adam(3e-3), seed=0), data


def test_data_plus_residual_loss_trains():
    tr, data = _hybrid_trainer()
    h = tr.train(STEPS, progress=False)
    # both terms are present, finite and positive at every step
    for name in ("pde", "data"):
        assert len(h[name]) == STEPS
        assert np.all(np.isfinite(h[name])) and np.all(np.asarray(h[name]) > 0)
    # the total is the weighted sum of the terms (so the data and the residual both drive the gradient)
    k = 0
    total = h["pde"][k] + W_DATA * h["data"][k] + W_BC * (h["dirichlet0"][k] + h["initial0"][k])
    assert h["loss"][k] == pytest.approx(total, rel=1e-12)
    # training lowers the total and the data misfit (reference values: the exact solution at the points)
    assert h["loss"][-1] < 0.25 * h["loss"][0]
    assert h["data"][-1] < 0.5 * h["data"][0]
    pred = tr.predict(data.points)[:, 0]
    assert np.sqrt(np.mean((pred - data.values[:, 0]) ** 2)) == pytest.approx(np.sqrt(h["data"][-1]), rel=0.5)
