"""Every FDTD example script runs (``--quick``: coarse grids) and writes its HDF5 and PNG outputs."""

import runpy
import sys
from pathlib import Path

import h5py
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "electromagnetics"
# optimize_dielectric.py is exercised by test_differentiable.py::test_optimize_dielectric_example_small
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")
                 and p.name != "optimize_dielectric.py")


def test_every_example_is_listed():
    # a new example is picked up automatically; this guards against the glob silently finding nothing
    assert {"dipole2d.py", "slab_spectrum.py", "pec_cavity.py", "gold_film.py", "dipole_pattern.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs_and_writes_outputs(script, tmp_path, monkeypatch):
    # in-process (runpy) so that imports and compiled kernels are shared between the examples
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setattr(sys, "argv", [script, str(tmp_path), "--quick"])
    monkeypatch.delitem(sys.modules, "_common", raising=False)
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    h5 = list(tmp_path.glob("*.h5"))
    png = list(tmp_path.glob("*.png"))
    assert h5 and png, f"{script} wrote {sorted(p.name for p in tmp_path.iterdir())}"
    assert all(p.stat().st_size > 1000 for p in png)   # a real image, not an empty file
    for path in h5:
        with h5py.File(path, "r") as f:
            assert len(f.keys()) > 0
