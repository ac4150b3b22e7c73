"""Fixtures of the datasets tests: a private cache directory and the toy datasets."""

import pytest

from tests.datasets import toy


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Every test writes into its own $MINDSCIENCE_DATA, never into the user's cache."""
    root = tmp_path / "mindscience-data"
    monkeypatch.setenv("MINDSCIENCE_DATA", str(root))
    toy.CALLS.clear()
    toy.FAIL_AT = None
    yield root
    toy.FAIL_AT = None


@pytest.fixture
def toy_module():
    """The module that registers the toy datasets (call log and failure injection)."""
    return toy
