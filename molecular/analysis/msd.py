"""Mean-squared displacement of unwrapped coordinates and the diffusion coefficient."""

import numpy as np

from mindscience.errors import InputError
from molecular.analysis._common import frames_from


def msd(positions, time=None, max_lag=None):
    """Mean-squared displacement averaged over atoms and time origins.

    Parameters
    ----------
    positions : ndarray (T, N, 3), nm, or H5MD path
        **Unwrapped** coordinates (our H5MD files store them).
    time : ndarray (T,), ps, optional
        Frame times (taken from the file for a path; default frame index).
    max_lag : int, optional
        Largest lag in frames (default T // 2).

    Returns
    -------
    lag_time : ndarray (L,), ps
    msd : ndarray (L,), nm^2

    Examples
    --------
    >>> x = np.cumsum(np.ones((10, 2, 3)), axis=0)     # ballistic: msd = 3 lag^2
    >>> float(msd(x)[1][2])
    12.0
    """
    x, t, _, _ = frames_from(positions, "positions")
    if time is None:
        time = t if t is not None else np.arange(len(x), dtype=np.float64)
    time = np.asarray(time, dtype=np.float64)
    nt = len(x)
    if nt < 2:
        raise InputError(f"msd needs at least 2 frames; got {nt}")
    max_lag = nt // 2 if max_lag is None else int(max_lag)
    if not 1 <= max_lag < nt:
        raise InputError(f"max_lag={max_lag}; allowed: 1..{nt - 1}")
    out = np.empty(max_lag + 1)
    out[0] = 0.0
    for lag in range(1, max_lag + 1):
        d = x[lag:] - x[:-lag]
        out[lag] = np.mean(np.sum(d * d, axis=-1))
    return time[: max_lag + 1] - time[0], out


def diffusion_coefficient(lag_time, msd_values, fit_from=0.2, fit_to=1.0):
    """Einstein diffusion coefficient ``D = slope / 6`` of a straight-line fit of MSD(t).

    Parameters
    ----------
    lag_time, msd_values : ndarray (L,)
        From :func:`msd`, ps and nm^2.
    fit_from, fit_to : float
        Fit window as fractions of the largest lag (skips the ballistic start).

    Returns
    -------
    float
        nm^2/ps.
    """
    t = np.asarray(lag_time)
    m = np.asarray(msd_values)
    sel = (t >= fit_from * t[-1]) & (t <= fit_to * t[-1])
    if sel.sum() < 2:
        raise InputError("the fit window holds fewer than 2 points; widen fit_from/fit_to")
    return float(np.polyfit(t[sel], m[sel], 1)[0] / 6.0)
