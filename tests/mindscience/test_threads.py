"""BLAS thread limits during training (small products run faster on one thread on shared cores)."""

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import autodiff.numpy as anp
from mindscience._threads import blas_threads
from mindscience.engine import at_every
from mindscience.nn.optim import Adam
from mindscience.nn.train import Training


def _blas_thread_counts():
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_training_runs_with_one_blas_thread_and_restores_the_setting():
    before = _blas_thread_counts()
    seen = []
    tr = Training(lambda p: (anp.sum((p["x"] - 1.0) ** 2), {}), {"x": np.zeros(3)}, Adam(0.1))
    tr.run(steps=20, reporters=[at_every(10, lambda sim, st: seen.append(_blas_thread_counts()))], progress=False)
    assert seen and all(counts == [1] * len(counts) for counts in seen)
    assert _blas_thread_counts() == before


def test_blas_threads_none_and_bad_values():
    before = _blas_thread_counts()
    with blas_threads(None):
        assert _blas_thread_counts() == before
    with pytest.raises(ValueError, match="blas_threads=0"):
        with blas_threads(0):
            pass
