"""Loaders and store: splits, normalisation, arrays and batches, lazy bounded-memory reads, corruption errors."""

import os
import tracemalloc

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import datasets
from datasets import cli
from datasets.errors import CorruptDatasetError, DatasetError, DatasetNotFoundError
from mindscience.errors import InputError

NORM_TOL = 1e-12  # normalised train data: mean 0 and std 1 up to rounding


@pytest.fixture
def toy_path():
    return datasets.generate("toy-gauss", n=50, seed=4, workers=1, rows=8, progress=False)


@given(n=st.integers(0, 400), a=st.floats(0, 1), b=st.floats(0, 1), seed=st.integers(0, 2**32))
@settings(max_examples=60, deadline=None)
def test_splits_disjoint_covering_and_reproducible(n, a, b, seed):
    lo, hi = sorted((a, b))
    fractions = (lo, hi - lo, 1.0 - hi)
    s = datasets.split_indices(n, fractions, seed)
    together = np.concatenate([s["train"], s["val"], s["test"]])
    assert np.array_equal(np.sort(together), np.arange(n))  # disjoint and covering
    assert s["val"].size == round(fractions[1] * n) and s["test"].size == round(fractions[2] * n)
    again = datasets.split_indices(n, fractions, seed)
    assert all(np.array_equal(s[k], again[k]) for k in s)


def test_stored_splits_match_and_views_partition_the_data(toy_path):
    full = datasets.load("toy-gauss", n=50, seed=4)
    assert len(full) == 50
    ref = datasets.split_indices(50, (0.8, 0.1, 0.1), 4)
    x_all = full.arrays("x")["x"]
    for name in ("train", "val", "test"):
        view = datasets.load("toy-gauss", name, n=50, seed=4)
        assert np.array_equal(view.indices, ref[name])
        assert np.array_equal(view.arrays("x")["x"], x_all[ref[name]])
        assert np.array_equal(full.subset(name).indices, ref[name])
    assert sum(len(full.subset(k)) for k in ("train", "val", "test")) == 50
    custom = datasets.load("toy-gauss", "test", n=50, seed=4, fractions=(0.5, 0.25, 0.25), split_seed=9)
    assert np.array_equal(custom.indices, datasets.split_indices(50, (0.5, 0.25, 0.25), 9)["test"])
    with pytest.raises(DatasetError, match="statistics"):
        custom.normalize("x", 1.0)
    with pytest.raises(InputError, match="split='dev'"):
        datasets.load("toy-gauss", "dev", n=50, seed=4)


def test_arrays_equal_direct_hdf5_read_and_carry_metadata(toy_path):
    ds = datasets.load("toy-gauss", n=50, seed=4)
    with h5py.File(toy_path, "r") as f:
        for k in ("x", "label", "scale"):
            assert np.array_equal(ds.arrays(k)[k], f["samples"][k][()])
    assert ds.fields["x"]["units"] == "m" and ds.fields["x"]["shape"] == (8,)
    assert ds.parameters == {"dim": 8, "offset": 3.0}
    assert np.array_equal(ds.coords["axis"], np.arange(8.0))
    with pytest.raises(InputError, match="no field 'y'"):
        ds.arrays("y")


def test_normalisation_statistics_are_train_split_and_round_trip(toy_path):
    train = datasets.load("toy-gauss", "train", n=50, seed=4)
    x = train.arrays("x")["x"]
    # independent reference: numpy statistics of the train split
    assert np.allclose(train.stats["x"]["mean"], x.mean(0), rtol=0, atol=1e-13)
    assert np.allclose(train.stats["x"]["std"], x.std(0), rtol=0, atol=1e-13)
    assert np.isclose(train.stats["x"]["scalar_mean"], x.mean(), rtol=0, atol=1e-13)
    assert np.isclose(train.stats["x"]["scalar_std"], x.std(), rtol=0, atol=1e-13)
    for mode, axis in (("scalar", None), ("pointwise", 0)):
        z = train.arrays("x", normalize=mode)["x"]
        assert np.allclose(z.mean(axis), 0.0, atol=NORM_TOL) and np.allclose(z.std(axis), 1.0, atol=NORM_TOL)
        assert np.allclose(train.denormalize("x", z, mode), x, rtol=0, atol=1e-12)
    assert "label" not in train.stats  # integers are never normalised
    batch = next(train.batches(10, seed=0, normalize=True))
    assert np.array_equal(batch["label"], batch["label"].astype(np.int64))


def test_batches_seeded_complete_and_shuffled(toy_path):
    ds = datasets.load("toy-gauss", "train", n=50, seed=4)
    scale = ds.arrays("scale")["scale"]

    def order(seed, **kw):
        return np.concatenate([b["scale"] for b in ds.batches(7, seed=seed, **kw)])

    first = order(1)
    assert np.array_equal(first, order(1))  # same seed, same batches
    assert not np.array_equal(first, order(2))
    assert np.array_equal(np.sort(first), np.sort(scale))  # every sample exactly once
    assert np.array_equal(order(0, shuffle=False), scale)
    sizes = [len(b["x"]) for b in ds.batches(7, seed=0, buffer_chunks=1)]
    assert sizes == [7] * 5 + [5]
    assert [len(b["x"]) for b in ds.batches(7, seed=0, drop_last=True)] == [7] * 5
    with pytest.raises(InputError, match="batch_size=0"):
        next(ds.batches(0))


def test_dataset_view_pickles_and_reopens(toy_path):
    import pickle

    view = datasets.load("toy-gauss", "val", n=50, seed=4)
    view.arrays("x")  # opens the file
    clone = pickle.loads(pickle.dumps(view))
    assert np.array_equal(clone.arrays("x")["x"], view.arrays("x")["x"]) and clone.split == "val"


def test_iteration_reads_lazily_with_bounded_memory():
    # 1000 samples x 1000 floats = 8 MB on disk; 64 kB per HDF5 chunk (rows=8), 2 chunks buffered
    path = datasets.generate("toy-gauss", n=1000, seed=0, workers=1, rows=8, params={"dim": 1000}, progress=False)
    ds = datasets.load("toy-gauss", n=1000, seed=0, params={"dim": 1000}, verify=False)
    total = 0.0
    tracemalloc.start()
    try:
        for batch in ds.batches(8, seed=3, buffer_chunks=2, fields="x"):
            total += batch["x"].sum()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    with h5py.File(path, "r") as f:
        assert np.isclose(total, f["samples/x"][()].sum(), rtol=1e-12)
    assert peak < 1_000_000, f"peak traced memory {peak} B for an 8 MB dataset"


def _flip_byte(path, where=0.5):
    with open(path, "r+b") as fh:
        fh.seek(int(os.path.getsize(path) * where))
        b = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([b[0] ^ 0x01]))


def test_flipped_byte_detected_by_verify_load_and_cli(toy_path, capsys):
    datasets.verify(toy_path)
    _flip_byte(toy_path)
    cmd = "mindscience datasets generate toy-gauss --n 50 --seed 4"
    with pytest.raises(CorruptDatasetError, match="sha256") as err:
        datasets.verify("toy-gauss", n=50, seed=4)
    assert str(toy_path) in str(err.value) and cmd in str(err.value)
    with pytest.raises(CorruptDatasetError) as err:
        datasets.load("toy-gauss", n=50, seed=4)
    assert str(toy_path) in str(err.value) and cmd in str(err.value)
    assert cli.main(["verify", "toy-gauss", "--n", "50", "--seed", "4"]) == 1
    assert cmd in capsys.readouterr().err


def test_truncated_and_unrecorded_files_give_clear_errors(toy_path):
    cmd = "mindscience datasets generate toy-gauss --n 50 --seed 4"
    size = os.path.getsize(toy_path)
    with open(toy_path, "r+b") as fh:
        fh.truncate(size // 3)
    with pytest.raises(CorruptDatasetError, match=f"is truncated: {size // 3} bytes, expected {size}") as err:
        datasets.load("toy-gauss", n=50, seed=4)
    assert cmd in str(err.value)
    with pytest.raises(CorruptDatasetError, match="not a readable HDF5 file") as err:
        datasets.load("toy-gauss", n=50, seed=4, verify=False)
    assert str(toy_path) in str(err.value) and cmd in str(err.value)
    os.remove(str(toy_path) + ".json")
    with pytest.raises(CorruptDatasetError, match="no checksum record") as err:
        datasets.load("toy-gauss", n=50, seed=4)
    assert cmd in str(err.value)


def test_missing_dataset_says_how_to_generate():
    with pytest.raises(DatasetNotFoundError, match="mindscience datasets generate toy-gauss --n 5 --seed 2"):
        datasets.load("toy-gauss", n=5, seed=2)
    with pytest.raises(DatasetNotFoundError, match="--param dim=3"):
        datasets.load("toy-gauss", n=5, seed=2, params={"dim": 3})


def test_newer_schema_is_refused(toy_path):
    ds = datasets.load("toy-gauss", n=50, seed=4)
    ds.close()
    with h5py.File(toy_path, "r+") as f:
        f.attrs["schema_version"] = 99
    with pytest.raises(DatasetError, match="schema version 99, newer"):
        datasets.load("toy-gauss", n=50, seed=4, verify=False)
