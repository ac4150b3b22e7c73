"""Conditions on known functions (not networks): residuals vs analytic values; hard constraints; errors."""

import numpy as np
import pytest
import sympy as sp

import autodiff.numpy as anp
from mindscience.errors import InputError
from mindscience.nn.layers import MLP
from mindscience.pinn.conditions import (
    DirichletBC,
    HardDirichlet,
    InitialCondition,
    NeumannBC,
    PeriodicBC,
    PointData,
    RobinBC,
)
from mindscience.pinn.geometry import Disk, Interval, PointCloud, Rectangle, SpaceTime, TimeDomain
from mindscience.pinn.pde import PDE
from mindscience.pinn.problem import Problem

EXACT = 1e-13  # residuals of exact solutions: rounding only
SQUARE = Rectangle([0, 0], [1, 1])


def u_poly(x):
    # u = x^2 + y^3 (written with autodiff.numpy so that conditions can differentiate it)
    return (x[:, 0] ** 2 + x[:, 1] ** 3)[:, None]


def _bound(cond, names=("u",)):
    cond.name = cond.name or "c"
    cond.bind(list(names))
    return cond


def test_dirichlet_residual_is_u_minus_g():
    bc = _bound(DirichletBC(SQUARE, lambda x: x[:, 0] ** 2 + x[:, 1] ** 3, n=64, method="halton"))
    batch = bc.sample(seed=0)
    np.testing.assert_allclose(bc.residual(u_poly, batch), 0.0, atol=EXACT)
    bc0 = _bound(DirichletBC(SQUARE, 0.0, n=64))
    b0 = bc0.sample(seed=1)
    np.testing.assert_allclose(bc0.residual(u_poly, b0), u_poly(b0["x"])[:, 0], rtol=EXACT)


def test_dirichlet_where_selects_part_of_the_boundary():
    bc = _bound(DirichletBC(SQUARE, 1.0, n=200, where=lambda x: np.isclose(x[:, 1], 1.0)))
    x = bc.sample(seed=2)["x"]
    np.testing.assert_array_equal(x[:, 1], 1.0)
    assert 20 < len(x) < 80  # about a quarter of 200


def test_neumann_residual_equals_analytic_normal_derivative():
    # reference: grad(x^2 + y^3) . n = 2 x n_x + 3 y^2 n_y
    bc = _bound(NeumannBC(SQUARE, 0.0, n=128, method="sobol"))
    batch = bc.sample(seed=3)
    x, n = batch["x"], batch["normal"]
    np.testing.assert_allclose(bc.residual(u_poly, batch), 2 * x[:, 0] * n[:, 0] + 3 * x[:, 1] ** 2 * n[:, 1],
                               atol=EXACT)


def test_neumann_on_disk_uses_radial_normal():
    # reference: for u = r^2 on a disk of radius 2 centred at 0, du/dn = 2 r = 4
    bc = _bound(NeumannBC(Disk([0, 0], 2.0), 4.0, n=64))
    batch = bc.sample(seed=4)
    np.testing.assert_allclose(bc.residual(lambda x: anp.sum(x * x, axis=1)[:, None], batch), 0.0, atol=1e-12)


def test_robin_residual():
    bc = _bound(RobinBC(SQUARE, 1.5, a=2.0, b=-0.5, n=64))
    batch = bc.sample(seed=5)
    x, n = batch["x"], batch["normal"]
    dn = 2 * x[:, 0] * n[:, 0] + 3 * x[:, 1] ** 2 * n[:, 1]
    np.testing.assert_allclose(bc.residual(u_poly, batch), 2.0 * (x[:, 0] ** 2 + x[:, 1] ** 3) - 0.5 * dn - 1.5,
                               atol=EXACT)


def test_periodic_condition():
    periodic = lambda x: (anp.sin(2 * np.pi * x[:, 0]) + x[:, 1] ** 2)[:, None]
    for order in (0, 1):
        bc = _bound(PeriodicBC(SQUARE, axis=0, n=32, derivative_order=order))
        batch = bc.sample(seed=6)
        np.testing.assert_array_equal(batch["lo"][:, 0], 0.0)
        np.testing.assert_array_equal(batch["hi"][:, 0], 1.0)
        np.testing.assert_allclose(bc.residual(periodic, batch), 0.0, atol=1e-12)
    # reference: u = x^2 + y^3 differs by -1 between x = 0 and x = 1, and u_x by -2
    bc = _bound(PeriodicBC(SQUARE, axis=0, n=8, derivative_order=1))
    np.testing.assert_allclose(bc.residual(u_poly, bc.sample(seed=7)), -2.0, atol=EXACT)


def test_initial_conditions_value_and_rate():
    st = SpaceTime(Interval(0.0, np.pi), TimeDomain(0.0, 1.0))
    u = lambda z: (anp.sin(z[:, 0]) * anp.exp(-3.0 * z[:, 1]))[:, None]
    ic = _bound(InitialCondition(st, lambda z: np.sin(z[:, 0]), n=32))
    np.testing.assert_allclose(ic.residual(u, ic.sample(seed=8)), 0.0, atol=EXACT)
    # reference: u_t(x, 0) = -3 sin(x)
    ic1 = _bound(InitialCondition(st, lambda z: -3 * np.sin(z[:, 0]), n=32, derivative_order=1))
    np.testing.assert_allclose(ic1.residual(u, ic1.sample(seed=9)), 0.0, atol=1e-12)


def test_point_data_several_components():
    pts = np.array([[0.1, 0.2], [0.3, 0.4]])
    data = PointData(pts, np.array([[1.0, 2.0], [3.0, 4.0]]), component=["v", "u"])
    data.name = "obs"
    data.bind(["u", "v"])
    u = lambda x: anp.stack([x[:, 0], x[:, 1]], axis=1)
    # columns: v = y, u = x
    np.testing.assert_allclose(data.residual(u, data.sample()), [[0.2 - 1.0, 0.1 - 2.0], [0.4 - 3.0, 0.3 - 4.0]],
                               rtol=EXACT)


@pytest.mark.parametrize("geometry", [SQUARE, Disk([0.5, 0.5], 0.5)])
def test_hard_dirichlet_holds_exactly_on_the_boundary(geometry, rng):
    net = MLP([2, 8, 1])
    params = net.init(rng)
    hard = HardDirichlet(geometry, lambda x: x[:, 0] + 2.0)
    xb, _ = geometry.sample_boundary(64, seed=10)
    out = hard(xb, net.apply(params, xb))
    np.testing.assert_allclose(out[:, 0], xb[:, 0] + 2.0, atol=1e-12)
    xi = geometry.sample_interior(64, seed=11)
    assert np.all(np.abs(hard(xi, net.apply(params, xi))[:, 0] - xi[:, 0] - 2.0) > 0)


def test_condition_errors():
    with pytest.raises(InputError, match="PointCloud, which has no boundary; a DirichletBC needs a geometry"):
        DirichletBC(PointCloud(np.zeros((3, 2))), 0.0)
    with pytest.raises(InputError, match="an InitialCondition needs a SpaceTime"):
        InitialCondition(SQUARE, 0.0)
    with pytest.raises(InputError, match="PeriodicBC needs an Interval, Rectangle or Box"):
        PeriodicBC(Disk([0, 0], 1.0), axis=0)
    with pytest.raises(InputError, match=r"axis=2 is out of range; allowed: \[0, 1\]"):
        PeriodicBC(SQUARE, axis=2)
    with pytest.raises(InputError, match="a=0 and b=0"):
        RobinBC(SQUARE, 0.0, a=0.0, b=0.0)
    with pytest.raises(InputError, match=r"values has shape \(2, 1\); expected \(3, 1\)"):
        PointData(np.zeros((3, 2)), np.zeros(2))
    bc = DirichletBC(SQUARE, lambda x: np.zeros(3), n=8)
    bc.name = "bad"
    with pytest.raises(InputError, match=r"value of 'bad' gave shape \(3,\); expected \(8,\)"):
        bc.sample(0)


def test_problem_checks_network_and_components():
    x, y = sp.symbols("x y")
    u, v = sp.Function("u"), sp.Function("v")
    pde = PDE([sp.diff(u(x, y), x, 2) + v(x, y), sp.diff(v(x, y), y)], (x, y), [u, v])
    with pytest.raises(InputError, match=r"network has 1 outputs but the PDE has 2 unknowns \['u', 'v'\]"):
        Problem(pde, SQUARE, MLP([2, 4, 1]))
    with pytest.raises(InputError, match="network takes 3 inputs but the PDE has 2 coordinates"):
        Problem(pde, SQUARE, MLP([3, 4, 2]))
    with pytest.raises(InputError, match=r"component 'w' is not an unknown; known: \['u', 'v'\]"):
        Problem(pde, SQUARE, MLP([2, 4, 2]), [DirichletBC(SQUARE, 0.0, component="w")])
    with pytest.raises(InputError, match="geometry is 1D but the PDE has 2 coordinates"):
        Problem(pde, Interval(0, 1), MLP([2, 4, 2]))
    with pytest.raises(InputError, match="two loss terms are named 'b'"):
        Problem(pde, SQUARE, MLP([2, 4, 2]), [DirichletBC(SQUARE, 0.0, name="b"), NeumannBC(SQUARE, 0.0, name="b")])
    prob = Problem(pde, SQUARE, MLP([2, 4, 2]), [DirichletBC(SQUARE, 0.0, component="v"), DirichletBC(SQUARE, 1.0)],
                   n_interior=16)
    assert prob.term_names == ["pde0", "pde1", "dirichlet0", "dirichlet1"]
    assert [c.index for c in prob.conditions] == [1, 0]
