"""Block averages: means of correlated time series with standard errors."""

import numpy as np

from mindscience.errors import InputError


def block_average(x, n_blocks=10):
    """Mean and standard error of a correlated series from ``n_blocks`` contiguous block means.

    Parameters
    ----------
    x : array_like (T,)
        A time series (energy, pressure, ...), sampled at equal intervals.
    n_blocks : int
        Number of blocks (>= 2); blocks longer than the correlation time give an unbiased error.

    Returns
    -------
    mean : float
    error : float
        Standard error of the mean, ``std(block means, ddof=1) / sqrt(n_blocks)``.

    Examples
    --------
    >>> m, e = block_average(np.arange(100.0), n_blocks=4)
    >>> float(m)
    49.5
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n_blocks = int(n_blocks)
    if n_blocks < 2 or x.size < n_blocks:
        raise InputError(f"n_blocks={n_blocks} with {x.size} samples; allowed: 2 <= n_blocks <= len(x)")
    size = x.size // n_blocks
    means = x[: size * n_blocks].reshape(n_blocks, size).mean(axis=1)
    return float(x[: size * n_blocks].mean()), float(means.std(ddof=1) / np.sqrt(n_blocks))


def block_analysis(x, min_blocks=4):
    """Standard error versus block length (Flyvbjerg-Petersen) to check the plateau.

    Returns
    -------
    sizes : ndarray of int
        Block lengths (powers of two).
    errors : ndarray
        Standard error of the mean estimated with each block length.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    sizes, errors = [], []
    size = 1
    while x.size // size >= min_blocks:
        nb = x.size // size
        means = x[: nb * size].reshape(nb, size).mean(axis=1)
        sizes.append(size)
        errors.append(means.std(ddof=1) / np.sqrt(nb))
        size *= 2
    return np.array(sizes), np.array(errors)
