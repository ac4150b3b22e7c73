"""Matplotlib plots of the analysis results: g(r), MSD, VACF and thermo time series."""

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(5, 3.5), constrained_layout=True)
    return ax


def plot_rdf(r, g, ax=None, label=None):
    """Plot g(r) with the ideal-gas line; returns the axes.

    Examples
    --------
    >>> ax = plot_rdf(np.linspace(0.1, 2, 20), np.ones(20))   # doctest: +SKIP
    """
    ax = _axes(ax)
    ax.plot(r, g, label=label)
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel("r")
    ax.set_ylabel("g(r)")
    return ax


def plot_msd(lag_time, msd_values, D=None, ax=None):
    """Plot MSD(t) and, if ``D`` is given, the Einstein line ``6 D t``; returns the axes."""
    ax = _axes(ax)
    ax.plot(lag_time, msd_values, label="MSD")
    if D is not None:
        ax.plot(lag_time, 6 * D * np.asarray(lag_time), "--", label=f"6 D t, D = {D:.4g}")
        ax.legend()
    ax.set_xlabel("t")
    ax.set_ylabel("MSD")
    return ax


def plot_vacf(lag_time, c, ax=None):
    """Plot the normalised velocity autocorrelation ``C(t)/C(0)``; returns the axes."""
    ax = _axes(ax)
    ax.plot(lag_time, np.asarray(c) / c[0])
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set_xlabel("t")
    ax.set_ylabel("C(t)/C(0)")
    return ax


def plot_thermo(data, quantities=("potential_energy", "temperature", "pressure"), axes=None):
    """Plot thermo time series (``ThermoReporter.data`` or its HDF5 group as a dict); returns the axes."""
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, len(quantities), figsize=(4 * len(quantities), 3), constrained_layout=True)
    axes = np.atleast_1d(axes)
    for ax, q in zip(axes, quantities):
        ax.plot(data["time"], data[q])
        ax.set_xlabel("time")
        ax.set_ylabel(q.replace("_", " "))
    return axes
