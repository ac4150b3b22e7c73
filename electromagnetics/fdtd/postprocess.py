"""Post-processing: R/T spectra from flux monitors, resonances and Q by harmonic inversion, plots.

The near-to-far-field transform lives in :mod:`electromagnetics.fdtd.near2far`.
"""

import dataclasses

import numpy as np

from mindscience.errors import InputError


def reflection_transmission(refl, trans, norm_refl, norm_trans=None):
    """Reflectance and transmittance spectra from flux monitors and a normalisation run.

    The normalisation run is the same simulation without the structure: its flux through the
    reflection plane is the incident power, and its DFT fields there are subtracted from the
    structure run's to isolate the reflected wave (Meep's ``load_minus_flux_data``).

    Parameters
    ----------
    refl, trans : FluxMonitor
        Monitors of the structure run, in front of and behind the structure (normals along +axis,
        the propagation direction of the incident wave).
    norm_refl : FluxMonitor
        The reflection-plane monitor of the normalisation run.
    norm_trans : FluxMonitor, optional
        Its transmission-plane monitor (default: the incident flux at the reflection plane is used).

    Returns
    -------
    R, T : ndarray, shape (nf,)
        At ``refl.frequencies``.

    Examples
    --------
    >>> R, T = reflection_transmission(fr, ft, fr0)   # doctest: +SKIP
    """
    inc = norm_refl.flux()
    if np.any(inc <= 0):
        raise InputError("reflection_transmission: the normalisation run carries no incident power at some "
                         "frequencies (is the source outside the band or the monitor behind it?)")
    R = -refl.flux(minus=norm_refl) / inc
    inc_t = norm_trans.flux() if norm_trans is not None else inc
    T = trans.flux() / inc_t
    return R, T


@dataclasses.dataclass
class Resonance:
    """One decaying oscillation ``Re(A exp(-i 2 pi f t - t/tau))`` found by :func:`harmonic_inversion`.

    Attributes
    ----------
    frequency : float
        Hz.
    decay_rate : float
        1/s (>= 0 for a decaying mode): ``Im omega = -decay_rate``.
    Q : float
        ``pi f / decay_rate`` (``inf`` for an undamped mode).
    amplitude : complex
        Of the mode in the signal's units.
    """

    frequency: float
    decay_rate: float
    Q: float
    amplitude: complex


def harmonic_inversion(signal, dt, fmin=0.0, fmax=None, rel_threshold=1e-8, order=None, min_amplitude=1e-6):
    """Frequencies, decay rates and Q of the modes in a ring-down signal (matrix-pencil method [1]_).

    The signal ``y_n = sum_k A_k z_k^n`` (``z_k = exp((-gamma_k + i omega_k) dt)``) is written as a
    Hankel matrix; its dominant right singular vectors span the signal space, and the ``z_k`` are
    the eigenvalues of the shifted-pencil ``pinv(V1) V2`` (total-least-squares variant). This is a
    harmonic-inversion fit in the spirit of filter diagonalization (Mandelshtam-Taylor, Harminv):
    it resolves modes much closer than ``1/T`` from a short, noise-free record.

    Parameters
    ----------
    signal : array_like, shape (N,)
        Uniformly sampled ring-down (after the sources have ended), real or complex.
    dt : float
        Sample spacing, s.
    fmin, fmax : float
        Band of interest, Hz (default up to Nyquist).
    rel_threshold : float
        Singular values below ``rel_threshold * s_max`` are noise (sets the model order).
    order : int, optional
        Fixed model order instead of the threshold.
    min_amplitude : float
        Drop modes weaker than this fraction of the strongest in the band.

    Returns
    -------
    list of Resonance
        Sorted by frequency, positive frequencies in ``[fmin, fmax]`` only.

    References
    ----------
    .. [1] Y. Hua and T. K. Sarkar, "Matrix pencil method for estimating parameters of
       exponentially damped/undamped sinusoids in noise", IEEE Trans. Acoust. Speech Signal
       Process. 38, 814 (1990).
    """
    y = np.asarray(signal)
    if y.ndim != 1 or y.size < 8:
        raise InputError(f"harmonic_inversion: signal must be 1D with >= 8 samples, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise InputError("harmonic_inversion: signal holds NaN/inf")
    if not dt > 0:
        raise InputError(f"harmonic_inversion: dt={dt!r} must be > 0 (s)")
    if fmax is None:
        fmax = 0.5 / dt
    N = y.size
    L = N // 3
    Y = np.lib.stride_tricks.sliding_window_view(y, L + 1)  # (N - L, L + 1) Hankel
    _, s, Vh = np.linalg.svd(Y, full_matrices=False)
    M = int(np.sum(s > rel_threshold * s[0])) if order is None else int(order)
    M = max(1, min(M, L))
    V = Vh[:M].conj().T
    z = np.linalg.eigvals(np.linalg.pinv(V[:-1]) @ V[1:])
    # amplitudes by least squares on the Vandermonde system
    n = np.arange(N)
    Z = z[None, :] ** n[:, None]
    A = np.linalg.lstsq(Z, y.astype(complex), rcond=None)[0]
    lam = np.log(z) / dt
    freq = lam.imag / (2 * np.pi)
    decay = -lam.real
    keep = (freq >= fmin) & (freq <= fmax) & (freq > 0)
    if not np.any(keep):
        return []
    amp = np.abs(A)
    if np.isrealobj(y):
        amp = 2 * amp  # a real signal splits each mode over +f and -f
    big = amp[keep].max()
    out = []
    for f, g, a, ab in zip(freq[keep], decay[keep], A[keep], amp[keep]):
        if ab < min_amplitude * big:
            continue
        q = np.pi * f / g if g > 0 else np.inf
        out.append(Resonance(float(f), float(g), float(q), complex(a)))
    return sorted(out, key=lambda r: r.frequency)


def plot_field(sim, component="Ez", ax=None, cmap="RdBu_r", plane_index=None):
    """Image of a field component of a 2D simulation (or a z-slice of a 3D one).

    Parameters
    ----------
    sim : FDTDSimulation
    component : str
    ax : matplotlib Axes, optional
    plane_index : int, optional
        z index for 3D grids (default the middle).

    Returns
    -------
    matplotlib.image.AxesImage
    """
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    f = np.real(sim.fields[component])
    g = sim.grid
    if g.ndim == 1:
        raise InputError("plot_field needs a 2D or 3D grid; plot a Probe or the 1D array instead")
    k = g.shape[2] // 2 if plane_index is None else int(plane_index)
    img = f[:, :, k].T
    vmax = float(np.abs(img).max()) or 1.0
    x, y = g.size[0], g.size[1]
    im = ax.imshow(img, origin="lower", extent=(0, x, 0, y), cmap=cmap, vmin=-vmax, vmax=vmax)
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_title(f"{component} at t = {sim.time:.3g} s")
    return im


def plot_spectrum(frequencies, curves, ax=None, xlabel="frequency (Hz)", ylabel=""):
    """Plot spectra: ``curves`` maps a label to an array over ``frequencies`` (or to (f, y))."""
    import matplotlib.pyplot as plt

    if ax is None:
        ax = plt.gca()
    for label, y in curves.items():
        if isinstance(y, tuple):
            ax.plot(y[0], y[1], label=label)
        else:
            ax.plot(frequencies, y, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()
    return ax
