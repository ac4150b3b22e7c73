"""Smoke test: every example in examples/surrogates runs end to end at a tiny budget (so none can rot).

Accuracy at the default budgets is measured by benchmarks/pinn_accuracy.py, not here.
"""

import importlib.util
import math
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "surrogates"
TINY = {"adam": 2, "lbfgs": 2, "steps": 2, "n_interior": 32}


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", sorted(p.stem for p in EXAMPLES.glob("*.py")))
def test_example_runs_at_tiny_budget(name):
    mod = _load(name)
    overrides = {k: v for k, v in TINY.items() if k in mod.PARAMS}
    out = mod.run(progress=False, **overrides)
    assert math.isfinite(out["rel_l2"]) and out["rel_l2"] > 0
    assert out["seconds"] >= 0
