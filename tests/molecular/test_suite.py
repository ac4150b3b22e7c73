"""The suite's registration: demo, run_config (TOML), examples and the quickstart notebook."""

import h5py
import numpy as np
import pytest

from mindscience.errors import ConfigError
from mindscience.io import load_config
from mindscience.plugins import examples_root
from molecular.demo import run_config
from molecular.suite import SUITE


def test_demo_writes_hdf5_png_and_summary(tmp_path):
    res = SUITE.demo(tmp_path)
    files = res["files"]
    assert any(f.endswith(".png") for f in files) and any(f.endswith(".h5") for f in files)
    for f in files:
        assert (tmp_path / f).exists() or __import__("os").path.exists(f)
    with h5py.File([f for f in files if f.endswith("traj.h5")][0], "r") as f:
        assert f["particles/all/position/value"].shape[1:] == (256, 3)
    text = "\n".join(res["summary"])
    assert "temperature" in text
    # the Langevin thermostat holds T* = 1 (block-averaged mean within a few percent)
    t_line = [ln for ln in res["summary"] if "<temperature>" in ln][0]
    assert abs(float(t_line.split("=")[1].split("+-")[0]) - 1.0) < 0.06


def test_run_config_from_example_toml(tmp_path):
    cfg = load_config(examples_root() / "molecular" / "lj_nvt.toml")
    assert cfg.pop("suite") == "molecular"
    cfg["system"]["cells"] = 3
    cfg["force"]["cutoff"] = 2.0
    cfg["run"].update(equilibration=100, steps=200, thermo_interval=10, trajectory_interval=50)
    res = run_config(cfg, tmp_path)
    assert len(res["files"]) == 4
    rows = np.loadtxt(tmp_path / "lj_nvt_thermo.csv", delimiter=",", skiprows=1)
    assert rows.shape[0] == 21


def test_run_config_rejects_unknown_keys(tmp_path):
    with pytest.raises(ConfigError, match="integrator"):
        run_config({"integrator": {"knd": "verlet"}}, tmp_path)
    with pytest.raises(ConfigError, match="allowed"):
        run_config({"integrator": {"kind": "leapfrog"}}, tmp_path)


def test_registered_examples_exist():
    root = examples_root()
    for ex in SUITE.examples:
        assert (root / ex.path).exists(), ex.path


@pytest.mark.slow
def test_quickstart_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(examples_root() / "notebooks" / "molecular_quickstart.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    out = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "identical: True" in out
