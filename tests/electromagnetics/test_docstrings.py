"""The examples in the docstrings of the electromagnetics package run and print what they show
(reference: the docstrings themselves; the kernels' examples compare each kernel with its twin)."""

import doctest
import importlib
import pkgutil

import pytest

import electromagnetics

MODULES = sorted(m.name for m in pkgutil.walk_packages(electromagnetics.__path__, "electromagnetics."))


def _with_examples(name):
    """True when the module has an example that doctest runs (not marked +SKIP)."""
    tests = doctest.DocTestFinder().find(importlib.import_module(name))
    return any(not ex.options.get(doctest.SKIP) for t in tests for ex in t.examples)


EXAMPLES = [name for name in MODULES if _with_examples(name)]


def test_the_kernels_and_solvers_have_examples():
    # guards the collection above: a broken walk would otherwise run nothing
    for name in ("electromagnetics.fdtd._kernels", "electromagnetics.fdtd._kernels_2d",
                 "electromagnetics.fdtd.simulation", "electromagnetics.fdtd.stability",
                 "electromagnetics.fdtd.postprocess"):
        assert name in EXAMPLES


@pytest.mark.parametrize("name", EXAMPLES)
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that name files write them here
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
