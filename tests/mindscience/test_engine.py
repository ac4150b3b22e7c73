"""The run loop: clock, reporters, stop conditions, divergence guard and exact checkpoint/restart."""

import numpy as np
import pytest

from mindscience.engine import Recorder, ReportRequest, SimulationDiverged, at_end, at_every, stop_when
from mindscience.engine.oscillator import DampedOscillator, oscillator_solution
from mindscience.errors import InputError


def make_sim(dt=1e-3, **kw):
    return DampedOscillator([1.0, 0.5, -0.2], [0.0, 1.0, 2.0], omega=2 * np.pi, gamma=0.3, dt=dt, **kw)


def test_oscillator_matches_closed_form_to_second_order():
    # Reference: closed-form underdamped solution; the Strang splitting is second order in dt,
    # so halving dt must divide the error by ~4.
    errors = []
    for dt in (4e-3, 2e-3, 1e-3):
        sim = make_sim(dt)
        sim.run(until=2.0, progress=False)
        exact = oscillator_solution(sim.time, np.array([1.0, 0.5, -0.2]), np.array([0.0, 1.0, 2.0]),
                                    2 * np.pi, 0.3)
        errors.append(np.max(np.abs(sim.x - exact)))
    assert errors[-1] < 1e-5
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    np.testing.assert_allclose(ratios, 4.0, rtol=0.05)


def test_clock_until_and_steps():
    sim = make_sim(dt=0.01)
    sim.run(until=0.995, progress=False)  # ceil(99.5) = 100 steps
    assert sim.step_count == 100
    assert sim.time == pytest.approx(1.0, abs=1e-15)
    sim.run(steps=5, progress=False)
    assert sim.step_count == 105
    sim.dt = 0.02  # re-based clock keeps time continuous
    sim.step(10)
    assert sim.time == pytest.approx(1.05 + 0.2, abs=1e-14)


def test_reporters_get_one_snapshot_at_their_steps():
    sim = make_sim()
    rec3 = Recorder(3, ["x"])
    rec5 = Recorder(5, ["energy"])
    snapshots = []

    class Spy:
        def next_report(self, sim):
            return ReportRequest((-sim.step_count) % 15 or 15 if snapshots else 0, frozenset({"x"}))

        def report(self, sim, state):
            snapshots.append(state)

    spy = Spy()
    sim.run(steps=30, reporters=[rec3, rec5, spy], progress=False)
    np.testing.assert_array_equal(rec3.data["step"], np.arange(0, 31, 3))
    np.testing.assert_array_equal(rec5.data["step"], np.arange(0, 31, 5))
    assert [s["step"] for s in snapshots] == [0, 15, 30]
    # at step 15 and 30 the spy and rec5 (and rec3 at 15, 30) share a single snapshot dict with both quantities
    assert {"x", "energy"} <= set(snapshots[1])
    # a second run continues the schedule without reporting step 30 twice
    sim.run(steps=6, reporters=[rec3], progress=False)
    np.testing.assert_array_equal(rec3.data["step"], np.r_[np.arange(0, 31, 3), 33, 36])


def test_recorded_energy_matches_closed_form():
    # Reference: analytic x(t); the recorder's x rows must equal the solution at the recorded times.
    sim = make_sim()
    rec = Recorder(100, ["x"])
    sim.run(steps=1000, reporters=[rec], progress=False)
    exact = oscillator_solution(rec.data["time"][:, None], np.array([1.0, 0.5, -0.2]),
                                np.array([0.0, 1.0, 2.0]), 2 * np.pi, 0.3)
    np.testing.assert_allclose(rec.data["x"], exact, atol=1e-5)


def test_at_every_at_end_stop_when():
    sim = make_sim()
    seen, ended = [], []
    sim.run(steps=50, progress=False, reporters=[
        at_every(10, lambda s, st: seen.append(st["step"])),
        at_end(lambda s: ended.append(s.step_count)),
        stop_when(lambda s, st: st["step"] >= 27, interval=1),
    ])
    assert seen == [0, 10, 20]
    assert sim.step_count == 27 and sim.status == "stopped"
    assert ended == [27]


def test_close_is_called_when_the_run_fails():
    closed = []

    class Closing:
        def next_report(self, sim):
            return ReportRequest(1)

        def report(self, sim, state):
            if sim.step_count == 3:
                raise OSError("disk full")

        def close(self):
            closed.append(True)

    with pytest.raises(OSError):
        make_sim().run(steps=10, reporters=[Closing()], progress=False)
    assert closed == [True]


def test_divergence_guard_names_step_and_quantity():
    # omega*dt = 10 is far beyond the Verlet limit 2: amplitude grows ~100x per step and overflows to inf
    sim = DampedOscillator([1.0], [0.0], omega=10.0, gamma=0.0, dt=1.0, check_stability=False, guard_interval=50)
    with pytest.raises(SimulationDiverged) as info, np.errstate(over="ignore", invalid="ignore"):
        sim.run(steps=10_000, progress=False)
    exc = info.value
    assert exc.quantity in ("x", "v")
    assert exc.step % 50 == 0 and 100 <= exc.step <= 400
    assert f"step {exc.step}" in str(exc)
    assert sim.status == "failed"
    with pytest.raises(RuntimeError, match="restore"):
        sim.run(steps=1, progress=False)


def test_unstable_time_step_rejected_at_construction():
    with pytest.raises(InputError, match=r"omega\*dt=.*allowed: \[0, 2\)"):
        DampedOscillator([1.0], [0.0], omega=10.0, gamma=0.0, dt=0.5)


def test_checkpoint_restore_continues_bit_identically(tmp_path):
    reference = make_sim()
    reference.run(steps=700, progress=False)
    sim = make_sim()
    sim.run(steps=300, progress=False)
    sim.checkpoint(tmp_path / "ck.h5")
    sim.run(steps=50, progress=False)  # wander off, then come back
    fresh = make_sim()
    fresh.restore(tmp_path / "ck.h5")
    assert fresh.step_count == 300
    fresh.run(steps=400, progress=False)
    assert fresh.step_count == reference.step_count and fresh.time == reference.time
    np.testing.assert_array_equal(fresh.x, reference.x)  # bit-identical, not approximately equal
    np.testing.assert_array_equal(fresh.v, reference.v)


def test_restore_rejects_foreign_checkpoint(tmp_path):
    from mindscience.io import save

    save(tmp_path / "other.h5", {"a": np.zeros(3)})
    with pytest.raises(InputError, match="not a mindscience checkpoint"):
        make_sim().restore(tmp_path / "other.h5")


def test_rng_state_round_trip():
    from mindscience.engine import pack_rng, unpack_rng

    rng = np.random.default_rng(7)
    rng.normal(size=5)
    text = pack_rng(rng)
    expected = rng.normal(size=4)
    np.testing.assert_array_equal(unpack_rng(text).normal(size=4), expected)


def test_progress_bar_runs(capsys):
    make_sim().run(steps=2000, progress=True)
    err = capsys.readouterr().err
    assert "2000/2000" in err and "step" in err


class RunningSum:
    """A reporter with accumulated state (like a running DFT): sum of x over its reports."""

    name = "xsum"

    def __init__(self):
        self.total = np.zeros(3)

    def next_report(self, sim):
        return ReportRequest(1, frozenset({"x"}))

    def report(self, sim, state):
        self.total += state["x"]

    def get_state(self):
        return {"total": self.total.copy()}

    def set_state(self, state):
        self.total = np.array(state["total"])


def test_reporter_state_survives_checkpoint_restore(tmp_path):
    # Reference: one uninterrupted run; the restarted accumulation must equal it bit for bit.
    ref_sum = RunningSum()
    make_sim().run(steps=200, reporters=[ref_sum], progress=False)
    acc = RunningSum()
    sim = make_sim()
    sim.run(steps=120, reporters=[acc], progress=False)
    sim.checkpoint(tmp_path / "ck.h5", reporters=[acc])
    fresh_acc, fresh = RunningSum(), make_sim()
    fresh.restore(tmp_path / "ck.h5", reporters=[fresh_acc])
    fresh.run(steps=80, reporters=[fresh_acc], progress=False)
    np.testing.assert_array_equal(fresh_acc.total, ref_sum.total)
    bare = tmp_path / "bare.h5"
    make_sim().checkpoint(bare)
    with pytest.raises(InputError, match="no state for reporter 'xsum'"):
        make_sim().restore(bare, reporters=[RunningSum()])


def test_checkpointer_writes_periodically_and_resumes(tmp_path):
    from mindscience.engine import Checkpointer

    path = tmp_path / "run.h5"
    sim = make_sim()
    sim.run(steps=250, reporters=[Checkpointer(path, 100)], progress=False)
    assert make_sim().restore(path).step_count == 250  # written at the end of the run
    interrupted = make_sim()

    class Crash:
        def next_report(self, sim):
            return ReportRequest(1)

        def report(self, sim, state):
            if sim.step_count == 150:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted.run(steps=250, reporters=[Checkpointer(path, 100), Crash()], progress=False)
    resumed = make_sim().restore(path)
    assert resumed.step_count == 100  # the last periodic checkpoint before the crash
    resumed.run(steps=150, progress=False)
    np.testing.assert_array_equal(resumed.x, sim.x)


def test_interval_reporter_at_start_option():
    sim = make_sim()
    seen = []
    rep = at_every(10, lambda s, st: seen.append(st["step"]))
    rep.at_start = False
    sim.run(steps=30, reporters=[rep], progress=False)
    assert seen == [10, 20, 30]
