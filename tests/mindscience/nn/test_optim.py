"""Optimizers, schedules, clipping and L-BFGS against hand-computed updates and known minima."""

import math

import numpy as np
import pytest

from mindscience.errors import InputError
from mindscience.nn.optim import (
    SGD,
    Adam,
    AdamW,
    clip_by_global_norm,
    clip_by_value,
    cosine_decay,
    exponential_decay,
    get_optimizer,
    lbfgs,
    step_decay,
    warmup,
)

EXACT = 1e-15  # hand-computed updates are a few flops: agree to rounding


def _params():
    return {"w": np.array([1.0, -2.0]), "layers": [{"b": np.array(0.5)}]}


def _grads():
    return {"w": np.array([0.5, 1.0]), "layers": [{"b": np.array(-2.0)}]}


def test_sgd_momentum_two_steps_by_hand():
    # reference: PyTorch SGD, v1 = g, p1 = p0 - lr g; v2 = mu v1 + g, p2 = p1 - lr v2
    opt = SGD(0.1, momentum=0.9)
    p, s = _params(), opt.init(_params())
    p, s = opt.update(_grads(), s, p)
    np.testing.assert_allclose(p["w"], [1.0 - 0.05, -2.0 - 0.1], rtol=EXACT)
    p, s = opt.update(_grads(), s, p)
    np.testing.assert_allclose(p["w"], [0.95 - 0.1 * 1.9 * 0.5, -2.1 - 0.1 * 1.9], rtol=EXACT)
    np.testing.assert_allclose(p["layers"][0]["b"], 0.5 + 0.2 + 0.1 * 1.9 * 2.0, rtol=EXACT)
    assert int(s["step"]) == 2


def test_sgd_nesterov_by_hand():
    # reference: PyTorch nesterov: p1 = p0 - lr (g + mu v1), v1 = g
    opt = SGD(0.1, momentum=0.5, nesterov=True)
    p, _ = opt.update(_grads(), opt.init(_params()), _params())
    np.testing.assert_allclose(p["w"], [1.0 - 0.1 * 0.75, -2.0 - 0.1 * 1.5], rtol=EXACT)


def test_adam_first_steps_by_hand():
    # reference: Kingma & Ba, Algorithm 1; at t = 1 the bias-corrected step is lr g / (|g| + eps)
    lr, eps = 0.01, 1e-8
    opt = Adam(lr, eps=eps)
    p, s = opt.update(_grads(), opt.init(_params()), _params())
    g = np.array([0.5, 1.0])
    np.testing.assert_allclose(p["w"], [1.0, -2.0] - lr * g / (np.abs(g) + eps), rtol=EXACT)
    # second step with a different gradient, written out
    g2 = np.array([-1.0, 0.25])
    m = 0.9 * 0.1 * g + 0.1 * g2
    v = 0.999 * 0.001 * g**2 + 0.001 * g2**2
    expected = p["w"] - lr * (m / (1 - 0.9**2)) / (np.sqrt(v / (1 - 0.999**2)) + eps)
    p, s = opt.update({"w": g2, "layers": [{"b": np.array(0.0)}]}, s, p)
    np.testing.assert_allclose(p["w"], expected, rtol=1e-14)


def test_adamw_decouples_weight_decay():
    # reference: Loshchilov & Hutter (2019) / PyTorch AdamW: p <- p (1 - lr wd) - lr m_hat / (sqrt(v_hat) + eps)
    lr, wd = 0.01, 0.1
    opt = AdamW(lr, weight_decay=wd)
    p, _ = opt.update(_grads(), opt.init(_params()), _params())
    g = np.array([0.5, 1.0])
    np.testing.assert_allclose(p["w"], np.array([1.0, -2.0]) * (1 - lr * wd) - lr * g / (g + 1e-8), rtol=EXACT)


def test_adam_minimises_a_quadratic():
    # reference: the minimiser of sum((p - c)^2) is c
    c = np.array([3.0, -1.0, 0.5])
    opt = Adam(0.05)
    p = {"x": np.zeros(3)}
    s = opt.init(p)
    for _ in range(2000):
        p, s = opt.update({"x": 2 * (p["x"] - c)}, s, p)
    np.testing.assert_allclose(p["x"], c, atol=1e-3)


def test_schedules_by_hand():
    # reference: the closed forms in each docstring
    assert exponential_decay(1.0, 0.5, 10)(5) == pytest.approx(0.5**0.5, rel=EXACT)
    assert exponential_decay(1.0, 0.5, 10, staircase=True)(19) == 0.5
    assert step_decay(1.0, 100, 0.1)(250) == pytest.approx(0.01, rel=EXACT)
    cos = cosine_decay(1.0, 100, final_lr=0.1)
    assert cos(0) == 1.0
    assert cos(50) == pytest.approx(0.55, rel=EXACT)
    assert cos(100) == pytest.approx(0.1, rel=EXACT)
    assert cos(500) == pytest.approx(0.1, rel=EXACT)
    w = warmup(1e-3, 10)
    assert [w(0), w(4), w(9), w(50)] == pytest.approx([1e-4, 5e-4, 1e-3, 1e-3], rel=EXACT)


def test_schedule_drives_the_optimizer():
    opt = SGD(step_decay(1.0, 1, 0.5))
    p = {"x": np.array(0.0)}
    s = opt.init(p)
    for _ in range(3):
        p, s = opt.update({"x": np.array(1.0)}, s, p)
    # reference: steps of 1, 0.5, 0.25
    assert float(p["x"]) == pytest.approx(-1.75, rel=EXACT)


def test_gradient_clipping():
    g = {"a": np.array([3.0]), "b": [np.array([4.0])]}
    clipped, norm = clip_by_global_norm(g, 1.0)
    assert norm == pytest.approx(5.0, rel=EXACT)
    np.testing.assert_allclose(clipped["a"], [0.6], rtol=EXACT)
    np.testing.assert_allclose(clipped["b"][0], [0.8], rtol=EXACT)
    same, _ = clip_by_global_norm(g, 10.0)
    np.testing.assert_array_equal(same["a"], [3.0])
    np.testing.assert_array_equal(clip_by_value(g, 3.5)["b"][0], [3.5])
    opt = SGD(1.0, clip_norm=1.0)
    p, _ = opt.update(g, opt.init({"a": np.zeros(1), "b": [np.zeros(1)]}), {"a": np.zeros(1), "b": [np.zeros(1)]})
    np.testing.assert_allclose(p["a"], [-0.6], rtol=EXACT)


def test_lbfgs_rosenbrock():
    # reference: the Rosenbrock function has its minimum 0 at (1, 1, ..., 1)
    def vg(p):
        x = p["x"]
        f = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
        g = np.zeros_like(x)
        g[:-1] = -400.0 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
        g[1:] += 200.0 * (x[1:] - x[:-1] ** 2)
        return f, {"x": g}

    seen = []
    p, info = lbfgs(vg, {"x": np.full(6, -1.2)}, maxiter=500, callback=lambda i, f: seen.append((i, f)))
    np.testing.assert_allclose(p["x"], 1.0, atol=1e-6)
    assert info["loss"] < 1e-12
    assert seen and seen[-1][0] == info["nit"]
    assert info["nfev"] < 200  # cost: L-BFGS needs far fewer evaluations than first-order methods


@pytest.mark.parametrize(("make", "match"), [
    (lambda: Adam(lr=-1.0), r"lr=-1.0 is out of range; allowed: \(0, inf\)"),
    (lambda: SGD(0.1, momentum=1.0), r"momentum=1.0 is out of range; allowed: \[0, 1\)"),
    (lambda: Adam(b2=1.5), r"b2=1.5 is out of range"),
    (lambda: AdamW(weight_decay=-0.1), r"weight_decay=-0.1"),
    (lambda: cosine_decay(1.0, 0), r"total_steps=0"),
    (lambda: get_optimizer("rmsprop"), r"optimizer='rmsprop' is not known"),
    (lambda: clip_by_global_norm({"a": np.ones(1)}, 0.0), r"max_norm=0.0"),
])
def test_bad_hyperparameters_raise(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_mismatched_trees_raise():
    opt = Adam()
    with pytest.raises(InputError, match="different pytree structures"):
        opt.update({"a": np.ones(1)}, opt.init({"b": np.ones(1)}), {"b": np.ones(1)})


def test_lr_of_step():
    assert Adam(cosine_decay(1.0, 10)).lr(10) == pytest.approx(0.0, abs=EXACT)
    assert math.isclose(SGD(0.3).lr(1000), 0.3)
