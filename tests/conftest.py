"""Shared fixtures: every test starts from seeded random generators."""

import random

import numpy as np
import pytest

SEED = 20261129


@pytest.fixture(autouse=True)
def _seed_random_generators():
    random.seed(SEED)
    np.random.seed(SEED % 2**32)  # noqa: NPY002 - seeds the legacy global RNG that older code still uses
    yield


@pytest.fixture
def rng():
    """A seeded numpy Generator for tests that draw random numbers."""
    return np.random.default_rng(SEED)
