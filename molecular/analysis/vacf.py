"""Velocity autocorrelation function and the Green-Kubo diffusion coefficient."""

import numpy as np

from mindscience.errors import InputError
from molecular.analysis._common import frames_from


def vacf(velocities, time=None, max_lag=None):
    """Velocity autocorrelation ``C(t) = <v(0) . v(t)>`` averaged over atoms and origins.

    Parameters
    ----------
    velocities : ndarray (T, N, 3), nm/ps, or H5MD path (written with velocities=True)
    time : ndarray (T,), ps, optional
    max_lag : int, optional
        Default T // 2.

    Returns
    -------
    lag_time : ndarray (L,), ps
    c : ndarray (L,), nm^2/ps^2
        ``c[0] = <v^2> = 3 kT/m`` at equilibrium; ``D = (1/3) int_0^inf C dt`` (Green-Kubo).

    Examples
    --------
    >>> v = np.ones((6, 4, 3))
    >>> vacf(v)[1].tolist()
    [3.0, 3.0, 3.0, 3.0]
    """
    v, t, _, _ = frames_from(velocities, "velocities")
    if time is None:
        time = t if t is not None else np.arange(len(v), dtype=np.float64)
    time = np.asarray(time, dtype=np.float64)
    nt = len(v)
    max_lag = nt // 2 if max_lag is None else int(max_lag)
    if not 0 <= max_lag < nt:
        raise InputError(f"max_lag={max_lag}; allowed: 0..{nt - 1}")
    c = np.array([np.mean(np.sum(v[lag:] * v[: nt - lag], axis=-1)) for lag in range(max_lag + 1)])
    return time[: max_lag + 1] - time[0], c
