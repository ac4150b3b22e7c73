"""Subnormal flushing inside kernels (mindscience.fpenv) and its confinement to them.

Reference: IEEE 754 binary32 - the smallest normal float32 is 2**-126 (``np.finfo(np.float32).tiny``);
half of it is a subnormal number, which IEEE arithmetic (numpy) returns and flush-to-zero returns as 0.
"""

import doctest

import numpy as np
import pytest

import mindscience.fpenv as fpenv
from electromagnetics.fdtd import _kernels as K

TINY = np.finfo(np.float32).tiny

pytestmark = pytest.mark.skipif(not fpenv.FLUSH_SUPPORTED, reason="FTZ/DAZ exists on x86-64 only")


def test_docstring_example():
    failures, attempted = doctest.testmod(fpenv, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failures == 0


@pytest.mark.parametrize("kernel", ["update_h", "update_h_serial"])
def test_fdtd_kernels_flush_subnormals_and_restore_ieee_mode(kernel):
    # H = da H - db curl E with da = 0.5, db = 0, E = 0: IEEE gives TINY/2 (subnormal), FTZ gives 0
    shape = (4, 3, 5)
    H = [np.full(shape, TINY, np.float32) for _ in range(3)]
    E = [np.zeros(shape, np.float32) for _ in range(3)]
    da, db = np.full((3, 1, 1, 1), 0.5, np.float32), np.zeros((3, 1, 1, 1), np.float32)
    one = np.float32(1.0)
    f = [np.ones(n, np.float32) for n in shape]
    getattr(K, kernel)(*H, *E, da, db, one, one, one, *f)
    assert all(np.all(h == 0) for h in H)
    # the calling thread is back in IEEE mode: numpy makes the subnormal again
    assert np.float32(TINY) * np.float32(0.5) == np.float32(2.0**-127)
    assert float(np.float32(TINY) * np.float32(0.5)) > 0


def test_fdtd_step_results_are_unchanged_above_the_subnormal_range():
    # the flush only touches values below TINY: a step on O(1) random fields equals a numpy step
    rng = np.random.default_rng(3)
    shape = (5, 4, 6)
    H = [rng.standard_normal(shape) for _ in range(3)]
    E = [rng.standard_normal(shape) for _ in range(3)]
    da, db = np.full((3, 1, 1, 1), 0.9), np.full((3, 1, 1, 1), 0.3)
    ref = [h.copy() for h in H]
    f = [np.ones(n) for n in shape]
    K.update_h_serial(*H, *E, da, db, 1.0, 1.0, 1.0, *f)
    d = [[np.roll(E[c], -1, axis=ax) - E[c] for ax in range(3)] for c in range(3)]  # periodic forward diffs
    curl = [d[2][1] - d[1][2], d[0][2] - d[2][0], d[1][0] - d[0][1]]
    for c in range(3):
        np.testing.assert_allclose(H[c], 0.9 * ref[c] - 0.3 * curl[c], rtol=1e-13, atol=1e-14)
