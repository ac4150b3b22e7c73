"""The mindscience command: info, run, demo, errors as one clear line."""

import subprocess
import sys

import h5py
import numpy as np

from mindscience.cli import main
from mindscience.demo import engine_demo


def test_info_lists_both_suites(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "mindscience 0.1.0" in out and "numba threading layer" in out
    assert "electromagnetics" in out and "molecular" in out


def test_run_with_misspelt_suite_key_is_one_clear_line(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('suite = "no-such-suite"\n')
    assert main(["run", str(cfg)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no suite named 'no-such-suite'" in err[0]


def test_run_missing_file(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml")]) == 1
    assert "config file not found" in capsys.readouterr().err


def test_console_script_exits_nonzero_without_traceback(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("steps = 3\n")
    proc = subprocess.run([sys.executable, "-m", "mindscience.cli", "run", str(cfg)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "missing required key 'suite'" in proc.stderr


def test_engine_demo_writes_real_results(tmp_path):
    # The demo's figure is checked against the closed form, not just for existence.
    res = engine_demo(tmp_path)
    with h5py.File(tmp_path / "oscillator.h5") as f:
        err = np.max(np.abs(f["x"][()] - f["x_exact"][()]))
        assert f["time"].attrs["units"] == "1"
    # Verlet phase error ~ omega*t*(omega*dt)**2/24 = 31.4 * 3.9e-5 / 24 ~ 5e-5 rad at t = 5 (amplitude <= 1)
    assert 1e-6 < err < 1e-4
    assert (tmp_path / "oscillator.png").stat().st_size > 1000
    assert "max |x - x_exact|" in res["summary"][0]
