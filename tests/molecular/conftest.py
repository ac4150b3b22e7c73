"""Fixtures of the molecular tests (LJ reduced units, kB = 1); helpers live in md_helpers.py."""

import os
import sys

import pytest

# the helpers module sits next to this file; make it importable for the test modules
sys.path.insert(0, os.path.dirname(__file__))

from md_helpers import perturbed_fcc  # noqa: E402


@pytest.fixture
def fcc108():
    """108-atom fcc LJ crystal at rho* = 0.8 with 0.05 sigma random displacements."""
    return perturbed_fcc(3)
