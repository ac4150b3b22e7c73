"""The suite's demo and `mindscience run` configs: real results, checked against closed forms."""

import re
from pathlib import Path

import numpy as np
import pytest

from electromagnetics.demo import run_config
from electromagnetics.suite import SUITE
from mindscience.errors import ConfigError
from mindscience.io import load, load_config
from mindscience.plugins import examples_root

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_demo_writes_files_and_matches_hankel(tmp_path):
    res = SUITE.demo(tmp_path)
    assert len(res["files"]) == 2 and all(Path(f).stat().st_size > 1000 for f in res["files"])
    data = load(res["files"][0])
    assert data["Ez"].shape == (200, 200) and np.abs(data["Ez"]).max() > 0
    # |E(r)|/|E(2r)| of a 2D line source vs |H0(kr)|/|H0(2kr)| (closed form): within 0.1 %
    err = float(re.search(r"error ([0-9.]+) %", res["summary"][1]).group(1))
    assert err < 0.1


def test_example_config_runs(tmp_path):
    cfg = load_config(EXAMPLES / "electromagnetics" / "dipole2d.toml")
    assert cfg.pop("suite") == "electromagnetics"
    res = run_config(cfg, tmp_path)
    data = load(res["files"][0])
    assert data["Ez"].shape == (150, 120, 1)
    assert np.abs(data["probe0_Ez"]).max() > 0
    assert res["files"][1].endswith(".png")


def test_bad_config_is_a_clear_error(tmp_path):
    cfg = load_config(EXAMPLES / "electromagnetics" / "dipole2d.toml")
    cfg.pop("suite")
    cfg["grid"]["spacng"] = 1.0
    with pytest.raises(ConfigError, match="unknown key 'spacng' in config.grid"):
        run_config(cfg, tmp_path)
    cfg = load_config(EXAMPLES / "electromagnetics" / "dipole2d.toml")
    cfg.pop("suite")
    cfg["sources"][0]["position"] = [0.5, 0.06]
    with pytest.raises(ConfigError, match="outside the domain"):
        run_config(cfg, tmp_path)


def test_registered_examples_exist():
    for ex in SUITE.examples:
        assert (examples_root() / ex.path).exists(), ex.path
