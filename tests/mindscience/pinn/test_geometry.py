"""Geometry and samplers: membership, outward unit normals, uniformity, seeds, errors."""

import math

import numpy as np
import pytest
from scipy.stats import qmc

from mindscience.errors import InputError
from mindscience.pinn.geometry import (
    Box,
    Difference,
    Disk,
    Interval,
    PointCloud,
    Polygon,
    Rectangle,
    SpaceTime,
    Sphere,
    TimeDomain,
    Triangle,
)
from mindscience.pinn.sampling import METHODS, UnitCubeSampler, refine_by_residual

L_SHAPE = [[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2]]

GEOMETRIES = {
    "interval": lambda: Interval(-1.0, 2.0),
    "rectangle": lambda: Rectangle([0, 0], [1, 2]),
    "box": lambda: Box([0, 0, 0], [1, 2, 3]),
    "disk": lambda: Disk([0.5, -1.0], 2.0),
    "sphere": lambda: Sphere([0, 0, 1], 0.5),
    "triangle": lambda: Triangle([0, 0], [2, 0], [0.5, 1.5]),
    "polygon": lambda: Polygon(L_SHAPE),
    "clockwise_polygon": lambda: Polygon(L_SHAPE[::-1]),
    "union": lambda: Rectangle([0, 0], [2, 1]) | Disk([2, 0.5], 0.5),
    "difference": lambda: Rectangle([-1, -1], [1, 1]) - Disk([0, 0], 0.5),
    "intersection": lambda: Disk([0, 0], 1.0) & Rectangle([0, 0], [2, 2]),
    "box_minus_sphere": lambda: Box([-1, -1, -1], [1, 1, 1]) - Sphere([1, 1, 1], 1.0),
    "spacetime": lambda: SpaceTime(Disk([0, 0], 1.0), TimeDomain(0.0, 2.0)),
}

# Step along the normal used to check that it points outward: far below the shapes' sizes (>= 0.5)
# and far above the membership tolerance (1e-9 x diameter).
NORMAL_STEP = 1e-6
# Monte Carlo checks use this many standard errors as tolerance (false-failure rate ~ 6e-7).
Z = 5.0


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_samples_lie_in_domain_and_on_boundary_with_outward_unit_normals(name, method):
    g = GEOMETRIES[name]()
    x = g.sample_interior(257, method, seed=3)
    assert x.shape == (257, g.dim)
    assert g.contains(x).all()
    b, nrm = g.sample_boundary(129, method, seed=4)
    assert b.shape == nrm.shape == (129, g.dim)
    assert g.on_boundary(b).all()
    # reference: definition of a unit outward normal
    np.testing.assert_allclose(np.linalg.norm(nrm, axis=1), 1.0, rtol=0, atol=1e-12)
    assert not g.contains(b + NORMAL_STEP * nrm, tol=0.0).any()
    assert g.contains(b - NORMAL_STEP * nrm, tol=0.0).all()


@pytest.mark.parametrize("method", METHODS)
def test_same_seed_same_points_other_seed_other_points(method):
    g = GEOMETRIES["difference"]()
    np.testing.assert_array_equal(g.sample_interior(100, method, seed=7), g.sample_interior(100, method, seed=7))
    b1, n1 = g.sample_boundary(50, method, seed=7)
    b2, n2 = g.sample_boundary(50, method, seed=7)
    np.testing.assert_array_equal(b1, b2)
    np.testing.assert_array_equal(n1, n2)
    assert not np.array_equal(g.sample_interior(100, method, seed=7), g.sample_interior(100, method, seed=8))


def test_seed_accepts_generator():
    g = Rectangle([0, 0], [1, 1])
    a = g.sample_interior(10, "halton", seed=np.random.default_rng(5))
    b = g.sample_interior(10, "halton", seed=np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)


def test_disk_and_sphere_normals_are_radial():
    # reference: the outward normal of a ball is (x - c) / R
    d = Disk([1.0, 2.0], 3.0)
    x, nrm = d.sample_boundary(64, "sobol", seed=0)
    np.testing.assert_allclose(nrm, (x - d.center) / 3.0, atol=1e-14)
    s = Sphere([0.0, 1.0, -1.0], 0.5)
    x, nrm = s.sample_boundary(64, "halton", seed=0)
    np.testing.assert_allclose(nrm, (x - s.center) / 0.5, atol=1e-14)


def test_interval_boundary_is_both_end_points():
    x, nrm = Interval(-1.0, 2.0).sample_boundary(200, seed=0)
    assert set(np.unique(x[:, 0])) == {-1.0, 2.0}
    np.testing.assert_array_equal(np.sign(x[:, 0]), nrm[:, 0])


def test_low_discrepancy_maps_keep_the_sobol_advantage():
    # reference: scipy.stats.qmc centred L2 discrepancy of the points mapped back to the unit square
    g = Rectangle([2.0, -1.0], [4.0, 3.0])
    lo, hi = g.bbox
    d_sobol = qmc.discrepancy((g.sample_interior(512, "sobol", seed=1) - lo) / (hi - lo))
    d_unif = qmc.discrepancy((g.sample_interior(512, "uniform", seed=1) - lo) / (hi - lo))
    assert d_sobol < 0.2 * d_unif


def _mean_close(values, expected, std):
    values = np.asarray(values, dtype=float)
    assert abs(values.mean() - expected) < Z * std / math.sqrt(len(values)), (values.mean(), expected)


def test_interior_uniform_in_disk_area_fraction():
    # reference: P(r < R/2) = 1/4 for a uniform point in a disk (area ratio); binomial standard error
    x = Disk([0, 0], 2.0).sample_interior(4000, seed=11)
    inside = np.linalg.norm(x, axis=1) < 1.0
    _mean_close(inside, 0.25, math.sqrt(0.25 * 0.75))


def test_interior_uniform_in_sphere_radius_moment():
    # reference: E[r^2] = 3/5 R^2 in a uniform ball; Var(r^2) = R^4 (3/7 - 9/25)
    x = Sphere([0, 0, 0], 1.0).sample_interior(4000, seed=12)
    _mean_close(np.sum(x**2, axis=1), 0.6, math.sqrt(3 / 7 - 9 / 25))


def test_interior_uniform_in_triangle_and_polygon_centroids():
    # reference: a triangle's centroid is the vertex mean; the L shape's is (5/6, 5/6) (three unit squares)
    t = Triangle([0, 0], [2, 0], [0.5, 1.5])
    x = t.sample_interior(4000, seed=13)
    _mean_close(x[:, 0], 2.5 / 3, x[:, 0].std())
    _mean_close(x[:, 1], 0.5, x[:, 1].std())
    x = Polygon(L_SHAPE).sample_interior(4000, seed=14)
    _mean_close(x[:, 0], 5 / 6, x[:, 0].std())
    _mean_close(x[:, 1], 5 / 6, x[:, 1].std())


def test_difference_interior_second_moment():
    # reference: for [-1,1]^2 minus the disk of radius 1/2, E[r^2] = (8/3 - pi/32) / (4 - pi/4)
    g = Rectangle([-1, -1], [1, 1]) - Disk([0, 0], 0.5)
    x = g.sample_interior(4000, seed=15)
    r2 = np.sum(x**2, axis=1)
    _mean_close(r2, (8 / 3 - math.pi / 32) / (4 - math.pi / 4), r2.std())


def test_boundary_uniform_in_length():
    # reference: each edge's share of the samples is its share of the perimeter (binomial error)
    x, _ = Rectangle([0, 0], [1, 2]).sample_boundary(4000, seed=16)
    left = np.isclose(x[:, 0], 0.0)
    _mean_close(left, 2 / 6, math.sqrt(2 / 6 * 4 / 6))
    g = Rectangle([-1, -1], [1, 1]) - Disk([0, 0], 0.5)
    x, nrm = g.sample_boundary(4000, seed=17)
    on_hole = np.isclose(np.linalg.norm(x, axis=1), 0.5)
    p = math.pi / (8 + math.pi)  # circumference / (square perimeter + circumference)
    _mean_close(on_hole, p, math.sqrt(p * (1 - p)))
    # the hole's normals point into the hole (towards the centre)
    np.testing.assert_allclose(nrm[on_hole], -x[on_hole] / 0.5, atol=1e-12)


def test_union_boundary_excludes_inner_parts():
    g = Rectangle([0, 0], [2, 1]) | Disk([2, 0.5], 0.5)
    x, _ = g.sample_boundary(2000, seed=18)
    # the rectangle's right edge lies inside the disk and is not boundary of the union
    assert not np.any(np.isclose(x[:, 0], 2.0) & (np.abs(x[:, 1] - 0.5) < 0.49))
    assert np.all(x[:, 0] >= -1e-12) and np.all(x[:, 0] <= 2.5 + 1e-12)


def test_box_face_normals():
    x, nrm = Box([0, 0, 0], [1, 2, 3]).sample_boundary(600, "lhs", seed=19)
    # reference: on the face x_i = hi_i the outward normal is +e_i, on x_i = lo_i it is -e_i
    for i, (lo, hi) in enumerate(zip([0, 0, 0], [1, 2, 3])):
        np.testing.assert_array_equal(nrm[np.isclose(x[:, i], hi) & (nrm[:, i] != 0), i], 1.0)
        np.testing.assert_array_equal(nrm[np.isclose(x[:, i], lo) & (nrm[:, i] != 0), i], -1.0)
    assert np.all(np.count_nonzero(nrm, axis=1) == 1)


def test_spacetime_initial_slice_and_lateral_boundary():
    st = SpaceTime(Interval(-1.0, 1.0), TimeDomain(0.0, 2.0))
    x0 = st.sample_initial(50, "sobol", seed=1)
    np.testing.assert_array_equal(x0[:, 1], 0.0)
    assert np.all(np.abs(x0[:, 0]) <= 1.0)
    b, nrm = st.sample_boundary(100, "halton", seed=2)
    np.testing.assert_array_equal(np.abs(b[:, 0]), 1.0)
    assert np.all((b[:, 1] >= 0.0) & (b[:, 1] <= 2.0))
    np.testing.assert_array_equal(nrm[:, 1], 0.0)
    np.testing.assert_array_equal(nrm[:, 0], b[:, 0])


def test_volumes_and_boundary_measures():
    # reference: closed-form areas and perimeters
    assert Polygon(L_SHAPE).volume == pytest.approx(3.0, rel=1e-15)
    assert Polygon(L_SHAPE).boundary_measure == pytest.approx(8.0, rel=1e-15)
    assert Disk([0, 0], 2.0).volume == pytest.approx(4 * math.pi, rel=1e-15)
    assert Sphere([0, 0, 0], 2.0).boundary_measure == pytest.approx(16 * math.pi, rel=1e-15)
    assert Box([0, 0, 0], [1, 2, 3]).boundary_measure == pytest.approx(22.0, rel=1e-15)


def test_contains_and_on_boundary_on_known_points():
    g = Rectangle([-1, -1], [1, 1]) - Disk([0, 0], 0.5)
    pts = np.array([[0.0, 0.0], [0.75, 0.0], [1.0, 0.3], [0.5, 0.0], [1.5, 0.0]])
    np.testing.assert_array_equal(g.contains(pts), [False, True, True, True, False])
    np.testing.assert_array_equal(g.on_boundary(pts), [False, False, True, True, False])


def test_point_cloud_has_no_boundary():
    pc = PointCloud(np.arange(10.0).reshape(5, 2))
    x = pc.sample_interior(3, seed=0)
    assert pc.contains(x).all()
    with pytest.raises(InputError, match="no boundary"):
        pc.sample_boundary(2)
    with pytest.raises(InputError, match=r"n=6 is out of range"):
        pc.sample_interior(6)


@pytest.mark.parametrize(("make", "match"), [
    (lambda: Interval(1.0, 1.0), "must exceed lo"),
    (lambda: Rectangle([0, 0], [1, 1, 1]), r"hi=.*shape \(2,\)"),
    (lambda: Disk([0, 0], -1.0), r"radius=-1.0 is out of range; allowed: \(0, inf\)"),
    (lambda: Sphere([0, 0, 0], float("nan")), "radius=nan"),
    (lambda: Triangle([0, 0], [1, 1], [2, 2]), "zero area"),
    (lambda: Polygon([[0, 0], [1, 1], [1, 0], [0, 1]]), "self-intersecting"),
    (lambda: Polygon([[0, 0], [1, 1]]), r"V >= 3"),
    (lambda: Disk([0, 0], 1.0) | Sphere([0, 0, 0], 1.0), "2D geometry with a 3D"),
    (lambda: Disk([0, 0], 1.0) & Disk([5, 5], 1.0), "intersection is empty"),
    (lambda: Disk([0, 0], 1.0).sample_interior(0), r"n=0 must be an integer >= 1"),
    (lambda: Disk([0, 0], 1.0).sample_interior(10, method="grid"), "method='grid' is not a sampling method"),
    (lambda: Disk([0, 0], 1.0).contains(np.zeros((3, 3))), r"points of shape \(N, 2\)"),
    (lambda: SpaceTime(Disk([0, 0], 1.0), 5.0), "must be a TimeDomain"),
])
def test_bad_input_raises_clear_errors(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_unit_cube_sampler_continues_the_sequence():
    # reference: scipy's Sobol engine drawn in one go
    s = UnitCubeSampler(2, "sobol", seed=3)
    first, second = s.draw(8), s.draw(8)
    whole = UnitCubeSampler(2, "sobol", seed=3).draw(16)
    np.testing.assert_array_equal(np.vstack([first, second]), whole)
    assert np.all((whole >= 0) & (whole < 1))


def test_refine_by_residual_picks_largest_residuals():
    pts = np.arange(12.0).reshape(6, 2)
    res = np.array([[0.1, 0.0], [3.0, 4.0], [-2.0, 0.0], [0.0, 0.0], [0.0, -6.0], [1.0, 1.0]])
    # norms 0.1, 5, 2, 0, 6, 1.414 -> rows 4, 1, 2
    np.testing.assert_array_equal(refine_by_residual(pts, res, 3), pts[[4, 1, 2]])
    with pytest.raises(InputError, match=r"k=7 is out of range"):
        refine_by_residual(pts, res, 7)


def test_difference_keeps_subclass_type():
    assert isinstance(Rectangle([0, 0], [1, 1]) - Disk([0, 0], 0.5), Difference)
