"""The examples in the public docstrings of the molecular package run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import molecular

MODULES = sorted(m.name for m in pkgutil.walk_packages(molecular.__path__, "molecular.")
                 if not m.name.endswith(("_kernels", "suite", "demo")))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that name files write them here
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
