"""Numba threading defaults: a non-spinning threading layer unless the user chose one."""

import os

# On shared cores the OpenMP layer spin-waits between parallel regions and was measured several
# times slower with 2 threads than with 1; workqueue (always available) and tbb sleep instead.
_NON_SPINNING = "workqueue"


def configure_threading():
    """Select a non-spinning numba threading layer unless ``NUMBA_THREADING_LAYER`` is set.

    Must run before the first parallel numba kernel is launched; importing :mod:`mindscience`
    (which every suite does) calls it. The user's explicit choice always wins.

    Returns
    -------
    str
        The threading layer requested (numba reports the one actually used after the first
        parallel launch, see ``numba.threading_layer()``).
    """
    chosen = os.environ.get("NUMBA_THREADING_LAYER")
    if chosen:
        return chosen
    import numba

    if numba.config.THREADING_LAYER in ("default", ""):
        layer = _NON_SPINNING
        try:  # tbb also does not spin and balances load better, when it is installed
            import tbb  # noqa: F401

            layer = "tbb"
        except ImportError:
            pass
        numba.config.THREADING_LAYER = layer
    return numba.config.THREADING_LAYER
