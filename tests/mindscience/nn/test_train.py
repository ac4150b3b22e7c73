"""Training loop: convergence, history, callbacks, early stopping, NaN reporting, checkpoint/resume, L-BFGS."""

import numpy as np
import pytest

import autodiff.numpy as anp
from mindscience.errors import InputError, SimulationDiverged
from mindscience.nn.layers import MLP
from mindscience.nn.losses import mse
from mindscience.nn.optim import SGD, Adam
from mindscience.nn.train import Checkpointer, EarlyStopping, Training, every

TARGET = np.array([1.0, -2.0])


def quadratic(p):
    d = p["x"] - TARGET
    return anp.sum(d * d), {"sq": anp.sum(d * d), "abs0": anp.abs(d[0])}


def test_gradient_descent_matches_closed_form():
    # reference: SGD on |x - c|^2 with lr 0.1 contracts the error by (1 - 2 lr) = 0.8 per step
    tr = Training(quadratic, {"x": np.zeros(2)}, SGD(0.1))
    tr.run(10, progress=False)
    np.testing.assert_allclose(tr.params["x"], TARGET * (1 - 0.8**10), rtol=1e-13)
    assert tr.history["step"] == list(range(1, 11))
    # history holds the loss *before* each update: |c|^2 0.8^(2k)
    np.testing.assert_allclose(tr.history["loss"], 5.0 * 0.64 ** np.arange(10), rtol=1e-12)
    np.testing.assert_allclose(tr.history["sq"], tr.history["loss"], rtol=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_nan_loss_names_step_and_term():
    def loss(p):
        data = anp.sum(p["x"] ** 2)
        physics = 1e-3 * anp.log(p["x"][0] - 0.5)  # -inf once x[0] reaches 0.5
        return data + physics, {"data": data, "physics": physics}

    tr = Training(loss, {"x": np.array([1.0, 0.0])}, SGD(0.25))
    # x[0] = 1 before step 1; after it 1 - 0.25 (2 + 1e-3/0.5) < 0.5, so step 2 evaluates log of a negative
    with pytest.raises(SimulationDiverged, match=r"loss term 'physics' became non-finite.*step 2") as info:
        tr.run(5, progress=False)
    assert info.value.step == 2
    assert tr.status == "failed"


def test_early_stopping_stops_on_plateau():
    tr = Training(lambda p: (anp.sum(p["x"] * 0.0) + 1.0, {"c": anp.sum(p["x"] * 0.0) + 1.0}), {"x": np.zeros(1)},
                  SGD(0.1))
    stop = EarlyStopping(patience=5, monitor="c")
    tr.run(100, reporters=[stop], progress=False)
    assert tr.step_count == 6  # best at step 1, five checks without improvement
    assert stop.stopped_at == 6
    assert tr.status == "stopped"


def test_checkpoint_resume_is_bit_identical(tmp_path, rng):
    net = MLP([1, 8, 1])
    x = np.linspace(-1, 1, 32)[:, None]
    y = np.sin(3 * x)

    def loss(p):
        r = mse(net.apply(p, x), y)
        return r, {"mse": r}

    p0 = net.init(rng)
    ref = Training(loss, p0, Adam(1e-2))
    ref.run(40, progress=False)
    a = Training(loss, p0, Adam(1e-2))
    path = tmp_path / "ck.h5"
    a.run(25, reporters=[Checkpointer(path, interval=10)], progress=False)
    b = Training(loss, net.init(np.random.default_rng(99)), Adam(1e-2)).restore(path)
    assert b.step_count == 25
    b.run(15, progress=False)
    for la, lb in zip(ref.params["layers"], b.params["layers"]):
        np.testing.assert_array_equal(la["W"], lb["W"])
        np.testing.assert_array_equal(la["b"], lb["b"])
    assert b.history["loss"] == ref.history["loss"]


def test_callbacks_and_progress_bar_run(capsys):
    seen = []
    tr = Training(quadratic, {"x": np.zeros(2)}, Adam(0.1))
    tr.run(20, reporters=[every(5, lambda sim: seen.append(sim.step_count))], progress=True, progress_interval=5)
    assert seen == [5, 10, 15, 20]
    err = capsys.readouterr().err
    assert "sq=" in err and "abs0=" in err  # the bar shows the loss terms


def test_adam_then_lbfgs_recipe(rng):
    # reference: least squares fit of a line has the exact normal-equation solution
    X = rng.normal(size=(50, 1))
    Y = 3.0 * X - 0.5

    def loss(p):
        r = mse(X * p["w"] + p["b"], Y)
        return r, {"mse": r}

    tr = Training(loss, {"w": np.zeros(1), "b": np.zeros(1)}, Adam(0.05))
    tr.run(50, progress=False)
    info = tr.lbfgs(100)
    assert info["success"]
    np.testing.assert_allclose(tr.params["w"], [3.0], atol=1e-7)
    np.testing.assert_allclose(tr.params["b"], [-0.5], atol=1e-7)
    assert tr.step_count == 50 + info["nit"]
    assert len(tr.history["loss"]) == tr.step_count


def test_bad_arguments():
    with pytest.raises(InputError, match="loss_fn=3 must be callable"):
        Training(3, {}, Adam())
    with pytest.raises(InputError, match="patience=0"):
        EarlyStopping(patience=0)
    tr = Training(quadratic, {"x": np.zeros(2)}, Adam())
    with pytest.raises(InputError, match=r"monitor='nope' is not a loss term"):
        tr.run(3, reporters=[EarlyStopping(monitor="nope")], progress=False)
