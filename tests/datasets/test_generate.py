"""Generation: same seed same bytes, worker-count independence, resume after interruption or kill, Dask."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

import datasets
from datasets.errors import DatasetError
from datasets.generate import compute_chunk, sample_seed
from mindscience.errors import InputError

REPO = Path(__file__).resolve().parents[2]
SMALL_POISSON = {"nx": 9, "ny": 7, "n_modes": 2}


def _content(path):
    """Every stored sample array and the recorded content hash."""
    with h5py.File(path, "r") as f:
        arrays = {k: d[()] for k, d in f["samples"].items()}
        return arrays, f.attrs["content_sha256"], {k: d.attrs["sha256"] for k, d in f["samples"].items()}


def _assert_same(p, q):
    a, ha, fa = _content(p)
    b, hb, fb = _content(q)
    assert ha == hb and fa == fb
    for k in a:
        assert a[k].dtype == b[k].dtype
        assert a[k].tobytes() == b[k].tobytes(), k


def test_sample_seed_is_the_spawned_child():
    # independent reference: numpy's own SeedSequence.spawn
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        assert np.array_equal(sample_seed(42, i).generate_state(4), child.generate_state(4))


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    kw = dict(n=12, workers=1, params=SMALL_POISSON, progress=False, rows=5)
    p1 = datasets.generate("pde-reference-poisson", seed=7, path=tmp_path / "a.h5", **kw)
    p2 = datasets.generate("pde-reference-poisson", seed=7, path=tmp_path / "b.h5", **kw)
    _assert_same(p1, p2)
    p3 = datasets.generate("pde-reference-poisson", seed=8, path=tmp_path / "c.h5", **kw)
    assert _content(p3)[1] != _content(p1)[1]


def test_workers_count_and_chunk_size_do_not_change_content(tmp_path):
    kw = dict(n=30, seed=3, params=SMALL_POISSON, progress=False)
    p1 = datasets.generate("pde-reference-poisson", workers=1, rows=4, path=tmp_path / "w1.h5", **kw)
    p2 = datasets.generate("pde-reference-poisson", workers=2, rows=4, path=tmp_path / "w2.h5", **kw)
    p3 = datasets.generate("pde-reference-poisson", workers=1, rows=30, path=tmp_path / "r30.h5", **kw)
    _assert_same(p1, p2)
    _assert_same(p1, p3)


def test_stored_arrays_equal_the_generator_output(tmp_path):
    # independent path: compute_chunk calls the generator directly, without encoding or HDF5
    params = datasets.get("toy-gauss").resolve({"dim": 5})
    path = datasets.generate("toy-gauss", n=11, seed=6, workers=1, rows=4, params=params, progress=False)
    direct = compute_chunk(("toy-gauss", ""), params, 6, 0, 11)
    stored, _, _ = _content(path)
    for k, v in direct.items():
        assert stored[k].dtype == v.dtype and np.array_equal(stored[k], v), k


def test_file_carries_schema_parameters_versions_and_units(tmp_path):
    import mindscience

    path = datasets.generate("toy-gauss", n=10, seed=1, workers=1, params={"dim": 3}, progress=False)
    with h5py.File(path, "r") as f:
        assert f.attrs["schema"] == "mindscience.datasets" and f.attrs["schema_version"] == 1
        assert f.attrs["mindscience_version"] == mindscience.__version__
        assert f.attrs["datasets_version"] == datasets.__version__
        assert '"dim": 3' in f.attrs["parameters"]
        assert f.attrs["seed"] == 1 and f.attrs["n_samples"] == 10
        assert f["samples/x"].attrs["units"] == "m"
        assert f["samples/x"].compression == "gzip" and f["samples/x"].chunks is not None
        assert np.array_equal(f["coords/axis"][()], [0.0, 1.0, 2.0])


def test_interrupted_generation_resumes_without_loss_or_repeat(tmp_path, toy_module):
    kw = dict(n=20, seed=5, workers=1, progress=False, rows=4)
    toy_module.FAIL_AT = 10  # dies inside the third chunk (samples 8..11)
    with pytest.raises(toy_module.Interrupted):
        datasets.generate("toy-gauss", **kw)
    target = datasets.dataset_path("toy-gauss", n=20, seed=5)
    assert not target.exists()
    assert len(list(target.parent.glob("*.parts/chunk-*.npz"))) == 2  # samples 0..7 committed
    assert toy_module.CALLS == list(range(10))
    toy_module.FAIL_AT = None
    toy_module.CALLS.clear()
    resumed = datasets.generate("toy-gauss", **kw)
    assert toy_module.CALLS == list(range(8, 20))  # only the uncommitted samples, each once
    assert not list(target.parent.glob("*.parts"))
    whole = datasets.generate("toy-gauss", path=tmp_path / "whole.h5", **kw)
    _assert_same(resumed, whole)


def test_killed_process_resumes_to_identical_content(tmp_path, data_dir, toy_module):
    """SIGKILL a generating process after a few committed chunks; the resumed file equals an uninterrupted one."""
    script = (
        "import datasets, tests.datasets.toy; "
        "datasets.generate('toy-gauss', n=40, seed=2, workers=1, rows=2, progress=False)"
    )
    env = dict(os.environ, MINDSCIENCE_DATA=str(data_dir), MINDSCIENCE_TOY_DELAY="0.05", PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, env=env)
    target = datasets.dataset_path("toy-gauss", n=40, seed=2)
    deadline = time.monotonic() + 60
    try:
        while len(list(target.parent.glob("*.parts/chunk-*.npz"))) < 3:
            assert proc.poll() is None, "the generating process ended before it could be killed"
            assert time.monotonic() < deadline, "no chunks committed within 60 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    committed = len(list(target.parent.glob("*.parts/chunk-*.npz")))
    assert 3 <= committed < 20 and not target.exists()
    resumed = datasets.generate("toy-gauss", n=40, seed=2, workers=1, rows=2, progress=False)
    assert sorted(toy_module.CALLS) == list(range(2 * committed, 40))
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name, target.name + ".json"]  # no debris
    whole = datasets.generate("toy-gauss", n=40, seed=2, workers=1, rows=2, progress=False, path=tmp_path / "w.h5")
    _assert_same(resumed, whole)


def test_existing_valid_file_is_reused_and_corrupt_one_regenerated(toy_module):
    path = datasets.generate("toy-gauss", n=6, seed=0, workers=1, progress=False)
    before = _content(path)[1]
    toy_module.CALLS.clear()
    assert datasets.generate("toy-gauss", n=6, seed=0, workers=1, progress=False) == path
    assert toy_module.CALLS == []
    with open(path, "r+b") as fh:
        fh.seek(os.path.getsize(path) // 2)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.warns(UserWarning, match="sha256"):
        datasets.generate("toy-gauss", n=6, seed=0, workers=1, progress=False)
    assert toy_module.CALLS == list(range(6))
    assert _content(path)[1] == before
    datasets.verify(path)


def test_concurrent_generation_is_refused_and_stale_lock_taken_over(toy_module):
    import json
    import socket

    lock = datasets.dataset_path("toy-gauss", n=4, seed=0)
    lock = lock.with_name(lock.name + ".lock")
    lock.parent.mkdir(parents=True)
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname()}))  # a live holder
    with pytest.raises(DatasetError, match=f"process {os.getpid()} .* is generating this dataset"):
        datasets.generate("toy-gauss", n=4, workers=1, progress=False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))  # a finished process
    assert datasets.generate("toy-gauss", n=4, workers=1, progress=False).exists()
    assert not lock.exists()


def test_generator_breaking_its_declaration_is_reported():
    with pytest.raises(DatasetError, match=r"field 'x' has shape \(4,\), declared \(3,\)"):
        datasets.generate("toy-bad-shape", workers=1, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, "n=0 is out of range"),
        ({"seed": -1}, "seed=-1 is out of range"),
        ({"workers": 0}, "workers=0 is out of range"),
        ({"fractions": (0.5, 0.6, 0.1)}, "must be 3 numbers >= 0 summing to 1"),
        ({"params": {"dimm": 2}}, "no parameter 'dimm'"),
    ],
)
def test_bad_generate_arguments_are_named(kwargs, message):
    with pytest.raises(InputError, match=message):
        datasets.generate("toy-gauss", progress=False, **kwargs)


def test_dask_cluster_result_identical_to_local(tmp_path):
    distributed = pytest.importorskip("distributed")
    kw = dict(n=24, seed=11, params=SMALL_POISSON, progress=False, rows=4)
    local = datasets.generate("pde-reference-poisson", workers=1, path=tmp_path / "local.h5", **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        with distributed.Client(cl) as client:
            remote = datasets.generate("pde-reference-poisson", scheduler=client, path=tmp_path / "dask.h5", **kw)
            by_address = datasets.generate(
                "pde-reference-poisson", scheduler=cl.scheduler_address, path=tmp_path / "addr.h5", **kw
            )
    _assert_same(local, remote)
    _assert_same(local, by_address)
