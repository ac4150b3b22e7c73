"""Post-processing: R/T spectra from flux monitors, resonances and Q by harmonic inversion, plots.

The near-to-far-field transform lives in :mod:`electromagnetics.fdtd.near2far`.
"""

import dataclasses

import numpy as np
from scipy.constants import c as C0

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


def k_parallel(frequency, angle, n=1.0):
    """Parallel wavevector (rad/m) of a plane wave at ``angle`` from the normal in a medium of index ``n``.

    ``k_par = 2 pi f n sin(angle) / c``: the Bloch wavevector to give both the
    :class:`~electromagnetics.fdtd.boundaries.Bloch` boundaries and ``PlaneCurrent(..., k=...)`` so
    that the wave at ``frequency`` travels at ``angle``.

    Parameters
    ----------
    frequency : float
        Hz (> 0).
    angle : float
        Incidence angle, rad, in ``[0, pi/2)``.
    n : float
        Real refractive index of the incidence medium (> 0).

    Returns
    -------
    float
        rad/m.

    Examples
    --------
    >>> import math
    >>> round(k_parallel(C0, math.radians(30)) / math.pi, 12)   # 2 pi sin(30 deg) at 1 m wavelength
    1.0
    """
    f = float(frequency)
    if not (f > 0 and np.isfinite(f)):
        raise InputError(f"k_parallel: frequency={frequency!r} must be > 0 (Hz)")
    a = float(angle)
    if not 0 <= a < np.pi / 2:
        raise InputError(f"k_parallel: angle={angle!r} is out of range; allowed: [0, pi/2) rad")
    if not (float(n) > 0 and np.isfinite(float(n))):
        raise InputError(f"k_parallel: n={n!r} must be a real index > 0")
    return float(2 * np.pi * f * float(n) * np.sin(a) / C0)


def incidence_angle(frequencies, k_par, n=1.0):
    """Angle from the normal (rad) of the plane wave with parallel wavevector ``k_par`` at each frequency.

    ``theta(f) = asin(k_par c / (2 pi f n))``: with a Bloch-phased planar source the parallel
    wavevector is fixed, so a broadband pulse sweeps the angle with frequency (Meep's oblique
    planar source). Below the cut-off ``f = k_par c / (2 pi n)`` the wave is evanescent: ``nan``.

    Parameters
    ----------
    frequencies : array_like
        Hz.
    k_par : float
        Parallel wavevector magnitude, rad/m (>= 0).
    n : float
        Real refractive index of the incidence medium (> 0).

    Returns
    -------
    ndarray
        rad, shape of ``frequencies``.

    Examples
    --------
    >>> import math
    >>> th = incidence_angle([1e9, 2e9], k_parallel(1e9, math.radians(60)))
    >>> [round(math.degrees(t), 6) for t in th]
    [60.0, 25.658906]
    """
    f = np.asarray(frequencies, dtype=float)
    if np.any(~(f > 0)):
        raise InputError("incidence_angle: frequencies must be > 0 (Hz)")
    if not float(k_par) >= 0:
        raise InputError(f"incidence_angle: k_par={k_par!r} must be >= 0 (rad/m)")
    s = float(k_par) * C0 / (2 * np.pi * f * float(n))
    with np.errstate(invalid="ignore"):
        return np.where(s <= 1, np.arcsin(np.minimum(s, 1.0)), np.nan)


def transfer_matrix(frequencies, k_par, indices, thicknesses=(), polarization="s"):
    """Reflectance and transmittance of a planar multilayer (transfer-matrix / Airy result).

    Plane waves ``exp(i (k_par x + k_z z - omega t))`` in layers of relative permittivity
    ``n_j^2`` (``mu = 1``): the tangential fields (``E_y`` for s, ``H_y`` for p) and their
    normal derivatives over ``q_j`` (``q = k_z`` for s, ``k_z / n^2`` for p) are continuous at
    each interface [1]_. For one interface this is Fresnel's formula, for one layer Airy's.
    ``k_z = sqrt((n k0)^2 - k_par^2)`` with ``Im k_z >= 0`` (evanescent or absorbed forward).

    Parameters
    ----------
    frequencies : array_like, shape (nf,)
        Hz (> 0).
    k_par : float
        Parallel wavevector, rad/m (fixed for all frequencies; see :func:`k_parallel`).
    indices : sequence
        Refractive indices ``[n_in, n_1, ..., n_L, n_out]``: each a number or an array over
        ``frequencies`` (dispersive media: ``Material.refractive_index(f)``), ``Im n >= 0``; the
        incidence medium must be lossless and the wave must propagate in it.
    thicknesses : sequence of float
        ``L`` layer thicknesses, m (>= 0).
    polarization : {'s', 'p'}
        s (TE: E normal to the plane of incidence) or p (TM: H normal to it).

    Returns
    -------
    R, T : ndarray, shape (nf,)
        Power reflectance and transmittance (``R + T = 1`` for lossless layers).

    References
    ----------
    .. [1] M. Born and E. Wolf, Principles of Optics, 7th ed. (1999), secs. 1.5-1.6.

    Examples
    --------
    >>> R, T = transfer_matrix([1e9], 0.0, [1.0, 2.0])      # normal incidence on n = 2
    >>> round(float(R[0]), 6), round(float(T[0]), 6)
    (0.111111, 0.888889)
    """
    f = np.atleast_1d(np.asarray(frequencies, dtype=float))
    if f.ndim != 1 or np.any(~(f > 0)) or np.any(~np.isfinite(f)):
        raise InputError("transfer_matrix: frequencies must be a 1D list of finite values > 0 (Hz)")
    if polarization not in ("s", "p"):
        raise InputError(f"transfer_matrix: polarization={polarization!r} must be 's' or 'p'")
    if len(indices) != len(thicknesses) + 2:
        raise InputError(f"transfer_matrix: {len(indices)} indices need {len(indices) - 2} thicknesses "
                         f"(one per inner layer), got {len(thicknesses)}")
    kp = float(k_par)
    if not (kp >= 0 and np.isfinite(kp)):
        raise InputError(f"transfer_matrix: k_par={k_par!r} must be finite and >= 0 (rad/m)")
    d = [float(x) for x in thicknesses]
    if any(not (x >= 0 and np.isfinite(x)) for x in d):
        raise InputError(f"transfer_matrix: thicknesses={thicknesses!r} must be finite and >= 0 (m)")
    n = [np.broadcast_to(np.asarray(x, dtype=complex), f.shape) for x in indices]
    if any(np.any(x.imag < 0) for x in n) or np.any(n[0].imag != 0) or np.any(n[0].real <= 0):
        raise InputError("transfer_matrix: indices need Im n >= 0, and a real n > 0 for the incidence medium")
    k0 = 2 * np.pi * f / C0
    if np.any(kp >= n[0].real * k0):
        raise InputError("transfer_matrix: k_par >= n_in k0 at some frequencies (evanescent incident wave)")
    kz = [np.sqrt((nj * k0) ** 2 - kp**2 + 0j) for nj in n]
    kz = [np.where(k.imag < 0, -k, k) for k in kz]
    q = kz if polarization == "s" else [k / nj**2 for k, nj in zip(kz, n)]

    def dyn(qj):  # (nf, 2, 2): amplitudes (forward, backward) -> (field, q-weighted derivative)
        one = np.ones_like(qj)
        return np.stack([np.stack([one, one], -1), np.stack([qj, -qj], -1)], -2)

    M = np.linalg.inv(dyn(q[0]))
    for j in range(1, len(n) - 1):
        ph = np.exp(1j * kz[j] * d[j - 1])
        P = np.zeros(f.shape + (2, 2), complex)
        P[:, 0, 0], P[:, 1, 1] = 1 / ph, ph     # amplitudes at the layer's start from those at its end
        M = M @ dyn(q[j]) @ P @ np.linalg.inv(dyn(q[j]))
    M = M @ dyn(q[-1])
    r = M[:, 1, 0] / M[:, 0, 0]
    t = 1 / M[:, 0, 0]
    R = np.abs(r) ** 2
    T = np.abs(t) ** 2 * np.real(q[-1]) / np.real(q[0])
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
