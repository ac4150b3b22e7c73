"""Property-based checks (hypothesis) of the broadcasting rules: for random broadcast-compatible shapes,
binary primitives pass check_grads in both modes (reference: central finite differences), and the
cotangent always has its argument's shape."""

import numpy as onp
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
import autodiff.numpy as anp
from autodiff.testing import check_grads

BINARY = {
    "add": anp.add,
    "subtract": anp.subtract,
    "multiply": anp.multiply,
    "divide": lambda x, y: x / (1.5 + y ** 2),
    "power": lambda x, y: (1.2 + x ** 2) ** y,
    "arctan2": lambda x, y: anp.arctan2(x, 2.0 + y),
    "maximum": lambda x, y: anp.maximum(x, y + 3.0),
}


@st.composite
def broadcast_pair(draw):
    nd = draw(st.integers(0, 3))
    full = [draw(st.integers(1, 3)) for _ in range(nd)]
    a = [d if draw(st.booleans()) else 1 for d in full]
    b = [d if draw(st.booleans()) else 1 for d in full]
    a = a[draw(st.integers(0, nd)):]
    b = b[draw(st.integers(0, nd)):]
    return tuple(a), tuple(b)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(BINARY)), broadcast_pair(), st.integers(0, 2 ** 31 - 1))
def test_binary_broadcasting_rules(name, shapes, seed):
    rng = onp.random.default_rng(seed)
    x = rng.uniform(-1, 1, shapes[0])
    y = rng.uniform(-1, 1, shapes[1])
    f = BINARY[name]
    check_grads(f, (x, y), order=1, modes=("fwd", "rev"))
    gx, gy = ad.vjp(f, x, y)[1](onp.ones(onp.broadcast_shapes(x.shape, y.shape)))
    assert onp.shape(gx) == x.shape and onp.shape(gy) == y.shape
