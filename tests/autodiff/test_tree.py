"""Pytrees: flatten/unflatten round trips (property-based), tree_map and ravel_pytree."""

from collections import namedtuple

import numpy as onp
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff.tree import tree_flatten, tree_map, tree_unflatten

Point = namedtuple("Point", ["x", "y"])

leaves = st.floats(-10, 10, allow_nan=False)
trees = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
    | st.dictionaries(st.sampled_from("abcd"), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(trees)
def test_flatten_unflatten_round_trip(tree):
    ls, td = tree_flatten(tree)
    assert tree_unflatten(td, ls) == tree
    assert td.num_leaves == len(ls)


def test_namedtuple_and_none_and_tree_map():
    tree = {"p": Point(1.0, onp.array([2.0, 3.0])), "n": None, "l": [4.0]}
    doubled = tree_map(lambda v: v * 2, tree)
    assert isinstance(doubled["p"], Point) and doubled["n"] is None and doubled["l"] == [8.0]
    onp.testing.assert_array_equal(doubled["p"].y, [4.0, 6.0])


def test_ravel_pytree_round_trip_and_gradient():
    tree = {"w": onp.arange(6.0).reshape(2, 3), "b": onp.array([1.0, -1.0])}
    flat, unravel = ad.ravel_pytree(tree)
    assert flat.shape == (8,)
    back = unravel(flat)
    onp.testing.assert_array_equal(back["w"], tree["w"])
    # gradient through unravel: d/dflat sum(w^2) + sum(b) = [2 w, 1] (analytic)
    g = ad.grad(lambda f: (unravel(f)["w"] ** 2).sum() + unravel(f)["b"].sum())(flat)
    onp.testing.assert_allclose(g, onp.concatenate([[1.0, 1.0], 2 * onp.arange(6.0)]))  # keys sorted: b, w
