"""The examples in the public docstrings run and print what they claim (reference: the docstrings)."""

import doctest
import importlib

import pytest

MODULES = ["autodiff", "autodiff.transforms", "autodiff.custom", "autodiff.tree", "autodiff.kernels",
           "autodiff.extend", "autodiff.testing", "autodiff.core", "autodiff.numpy",
           "autodiff.numpy._elementwise", "autodiff.numpy._reductions", "autodiff.numpy._shape",
           "autodiff.numpy._linalg", "autodiff.fwdlap"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    failures, attempted = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failures == 0
