"""HDF5 helpers (atomic writes, metadata, nested trees) and TOML config validation."""

import json

import h5py
import numpy as np
import pytest

from mindscience import __version__
from mindscience.errors import ConfigError
from mindscience.io import REQUIRED, atomic_h5, load, load_config, read_metadata, save, validate_config


def test_tree_round_trip_is_exact(tmp_path, rng):
    tree = {
        "positions": rng.normal(size=(5, 3)),
        "step": np.int64(42),
        "dt": 0.005,
        "name": "lj",
        "nested": {"a": np.arange(4, dtype=np.int32), "b": {"c": np.complex128(1 + 2j)}},
        "items": [np.ones(2), "x", {"k": 1.5}],
        "pair": (1.0, 2.0),
        "nothing": None,
    }
    save(tmp_path / "t.h5", tree)
    back = load(tmp_path / "t.h5")
    np.testing.assert_array_equal(back["positions"], tree["positions"])
    assert back["step"] == 42 and back["step"].dtype == np.int64
    assert back["dt"] == 0.005 and back["name"] == "lj"
    assert back["nested"]["a"].dtype == np.int32 and back["nested"]["b"]["c"] == 1 + 2j
    assert back["items"][1] == "x" and back["items"][2]["k"] == 1.5
    np.testing.assert_array_equal(back["pair"], [1.0, 2.0])
    assert back["nothing"] is None


def test_metadata_units_version_parameters(tmp_path):
    save(tmp_path / "m.h5", {"t": np.arange(3.0)}, units={"t": "ps"}, parameters={"n": 3, "arr": np.arange(2)})
    meta = read_metadata(tmp_path / "m.h5")
    assert meta["mindscience_version"] == __version__
    assert meta["parameters"] == {"n": 3, "arr": [0, 1]}
    assert "T" in meta["created"]
    with h5py.File(tmp_path / "m.h5") as f:
        assert f["t"].attrs["units"] == "ps"


def test_crash_mid_write_leaves_previous_file_intact(tmp_path):
    path = tmp_path / "result.h5"
    save(path, {"value": np.arange(10.0)})
    before = path.read_bytes()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with atomic_h5(path) as f:
            f["value"] = np.zeros(1000)
            f.flush()
            raise Boom("crash while writing")
    assert path.read_bytes() == before
    np.testing.assert_array_equal(load(path)["value"], np.arange(10.0))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.h5"]  # no partial temp file left


def test_unreadable_file_gives_clear_error(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"not hdf5 at all")
    with pytest.raises(OSError, match="bad.h5 is not a readable HDF5 file"):
        load(bad)
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        load(tmp_path / "missing.h5")


SCHEMA = {"suite": REQUIRED, "steps": REQUIRED, "dt": 0.005, "grid": {"nx": 64, "ny": REQUIRED}}


def test_config_defaults_and_nesting(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('suite = "molecular"\nsteps = 10\n[grid]\nny = 3\n')
    cfg = validate_config(load_config(p), SCHEMA)
    assert cfg == {"suite": "molecular", "steps": 10, "dt": 0.005, "grid": {"nx": 64, "ny": 3}}


def test_config_misspelt_key_is_named(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('suite = "molecular"\nsteps = 10\nd_t = 0.01\n[grid]\nny = 3\n')
    expected = r"unknown key 'd_t' in config \(did you mean 'dt'\?\); allowed keys: dt, grid"
    with pytest.raises(ConfigError, match=expected):
        validate_config(load_config(p), SCHEMA)


def test_config_missing_and_nested_unknown(tmp_path):
    with pytest.raises(ConfigError, match="missing required key 'steps' in config"):
        validate_config({"suite": "x", "grid": {"ny": 1}}, SCHEMA)
    with pytest.raises(ConfigError, match=r"unknown key 'nz' in config.grid"):
        validate_config({"suite": "x", "steps": 1, "grid": {"ny": 1, "nz": 2}}, SCHEMA)


def test_config_syntax_error_names_file(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("steps = = 3\n")
    with pytest.raises(ConfigError, match=r"broken.toml: invalid TOML.*line 1"):
        load_config(p)


def test_parameters_json_is_valid(tmp_path):
    save(tmp_path / "p.h5", {"a": 1.0}, parameters={"x": np.float32(2.5)})
    with h5py.File(tmp_path / "p.h5") as f:
        assert json.loads(f.attrs["parameters"]) == {"x": 2.5}
