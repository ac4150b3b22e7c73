"""Reference solutions on grids: pure functions on arrays (Burgers, Poisson, heat, Helmholtz, thin-film stacks).

These are the ground truth of the ``pde-reference-*`` datasets and are meant to be imported directly by
PINN code for evaluation; :func:`multilayer_rt` is the transfer-matrix check of FDTD multilayer
spectra. Every function takes plain arrays and numbers and returns new arrays; the PDE quantities are
dimensionless.
"""

import numpy as np
from scipy.special import roots_hermite

__all__ = [
    "burgers_cole_hopf",
    "multilayer_rt",
    "heat2d_modes",
    "helmholtz2d_product",
    "poisson2d_modes",
]

#: Gauss-Hermite nodes used by :func:`burgers_cole_hopf` unless told otherwise (see its Notes).
BURGERS_QUADRATURE_NODES = 160


def burgers_cole_hopf(x, t, nu=0.01 / np.pi, amplitude=1.0, n_quad=BURGERS_QUADRATURE_NODES):
    r"""Viscous Burgers solution for :math:`u_0(x) = -A \sin(\pi x)` by the Cole-Hopf transformation.

    Solves :math:`u_t + u u_x = \nu u_{xx}` on the real line with the 2-periodic, odd initial condition
    :math:`u_0(x) = -A\sin(\pi x)`; restricted to :math:`x \in [-1, 1]` this is the Dirichlet problem
    :math:`u(\pm 1, t) = 0` of Raissi et al. [1]_ (there :math:`A = 1`, :math:`\nu = 0.01/\pi`).

    With :math:`u = -2\nu\,\varphi_x/\varphi` the equation becomes the heat equation
    :math:`\varphi_t = \nu\varphi_{xx}` with :math:`\varphi_0(y) = \exp(-\frac{1}{2\nu}\int_0^y u_0)
    = \exp\big(-A(\cos\pi y - 1)/(2\pi\nu)\big)`. Convolving with the heat kernel and substituting
    :math:`y = x - \sqrt{4\nu t}\,z` gives

    .. math:: u(x, t) = \frac{\int u_0(y)\,\varphi_0(y)\,e^{-z^2}\,dz}{\int \varphi_0(y)\,e^{-z^2}\,dz},

    evaluated with ``n_quad``-point Gauss-Hermite quadrature. The exponent of :math:`\varphi_0` reaches
    :math:`A/(\pi\nu) \approx 100`, so it is shifted by its maximum over the nodes (log-sum-exp) before
    exponentiation.

    Parameters
    ----------
    x : array_like, shape (nx,)
        Positions (dimensionless).
    t : array_like, shape (nt,)
        Times, ``t >= 0`` (dimensionless).
    nu : float
        Viscosity, > 0.
    amplitude : float
        :math:`A` in the initial condition.
    n_quad : int
        Number of Gauss-Hermite nodes.

    Returns
    -------
    u : ndarray, shape (nt, nx)
        Solution at every (t, x) pair.

    Notes
    -----
    Against an independent Fourier pseudo-spectral ETDRK4 solution with 4096 modes the default quadrature
    agrees to about 4e-13 (max norm) on the Raissi setup at t = 0.1 ... 1; 100 nodes already suffice, 60
    give 1e-9 at t = 1. Reproduce with ``python benchmarks/datasets_burgers_reference.py``.

    References
    ----------
    .. [1] M. Raissi, P. Perdikaris, G. E. Karniadakis, "Physics-informed neural networks", J. Comput.
       Phys. 378, 686-707 (2019); the Cole-Hopf route follows C. Basdevant et al., "Spectral and finite
       difference solutions of the Burgers equation", Comput. Fluids 14, 23-41 (1986).
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if x.ndim != 1 or t.ndim != 1:
        raise ValueError(f"x and t must be 1-D arrays; got shapes {x.shape} and {t.shape}")
    if not nu > 0:
        raise ValueError(f"nu={nu!r} is out of range; allowed: (0, inf)")
    if np.any(t < 0):
        raise ValueError(f"t must be >= 0; got min(t)={t.min()!r}")
    z, w = roots_hermite(int(n_quad))
    keep = w > 0  # the outermost weights underflow to zero: skip those nodes
    z, logw = z[keep], np.log(w[keep])
    out = np.empty((t.size, x.size))
    for i, ti in enumerate(t):
        if ti == 0.0:
            out[i] = -amplitude * np.sin(np.pi * x)
            continue
        y = x[:, None] - np.sqrt(4.0 * nu * ti) * z[None, :]
        logphi = -amplitude * np.cos(np.pi * y) / (2.0 * np.pi * nu) + logw[None, :]
        weight = np.exp(logphi - logphi.max(axis=1, keepdims=True))
        out[i] = (-amplitude * np.sin(np.pi * y) * weight).sum(axis=1) / weight.sum(axis=1)
    return out


def _sin_modes(x, y, modes):
    """sin(m pi x) sin(n pi y) for each (m, n): shape (n_modes, ny, nx)."""
    modes = np.asarray(modes)
    sx = np.sin(np.pi * modes[:, 0, None] * np.asarray(x, dtype=np.float64)[None, :])
    sy = np.sin(np.pi * modes[:, 1, None] * np.asarray(y, dtype=np.float64)[None, :])
    return sy[:, :, None] * sx[:, None, :]


def poisson2d_modes(x, y, modes, amplitudes):
    r"""Solution and source of :math:`-\Delta u = f` on :math:`[0,1]^2` with :math:`u = 0` on the boundary.

    :math:`u = \sum_k a_k \sin(m_k\pi x)\sin(n_k\pi y)` and
    :math:`f = \sum_k a_k \pi^2 (m_k^2 + n_k^2) \sin(m_k\pi x)\sin(n_k\pi y)`.

    Parameters
    ----------
    x : array_like, shape (nx,)
    y : array_like, shape (ny,)
    modes : array_like of int, shape (n_modes, 2)
        Mode numbers ``(m_k, n_k)``, >= 1.
    amplitudes : array_like, shape (n_modes,)

    Returns
    -------
    u, f : ndarray, shape (ny, nx)
        Solution and source (index ``[j, i]`` is the point ``(x[i], y[j])``).
    """
    modes = np.asarray(modes)
    a = np.asarray(amplitudes, dtype=np.float64)
    basis = _sin_modes(x, y, modes)
    lam = np.pi**2 * (modes[:, 0] ** 2 + modes[:, 1] ** 2)
    return np.tensordot(a, basis, axes=1), np.tensordot(a * lam, basis, axes=1)


def heat2d_modes(x, y, t, modes, amplitudes, alpha):
    r"""Solution of :math:`u_t = \alpha\Delta u` on :math:`[0,1]^2`, :math:`u = 0` on the boundary.

    :math:`u = \sum_k a_k e^{-\alpha\pi^2(m_k^2+n_k^2)t}\sin(m_k\pi x)\sin(n_k\pi y)`.

    Parameters
    ----------
    x : array_like, shape (nx,)
    y : array_like, shape (ny,)
    t : array_like, shape (nt,)
    modes : array_like of int, shape (n_modes, 2)
    amplitudes : array_like, shape (n_modes,)
        Initial amplitudes :math:`a_k`.
    alpha : float
        Diffusivity, > 0.

    Returns
    -------
    u : ndarray, shape (nt, ny, nx)
    """
    modes = np.asarray(modes)
    a = np.asarray(amplitudes, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    lam = np.pi**2 * (modes[:, 0] ** 2 + modes[:, 1] ** 2)
    coef = a[None, :] * np.exp(-alpha * lam[None, :] * t[:, None])
    return np.tensordot(coef, _sin_modes(x, y, modes), axes=1)


def helmholtz2d_product(x, y, a1, a2, k):
    r"""Solution and source of :math:`\Delta u + k^2 u = f` on :math:`[-1,1]^2`, :math:`u = 0` on the boundary.

    The PINN benchmark family :math:`u = \sin(a_1\pi x)\sin(a_2\pi y)`, for which
    :math:`f = (k^2 - (a_1^2 + a_2^2)\pi^2)\,u` (integers :math:`a_1, a_2` make :math:`u` vanish on the boundary).

    Parameters
    ----------
    x : array_like, shape (nx,)
    y : array_like, shape (ny,)
    a1, a2 : int
        Mode numbers.
    k : float
        Wavenumber.

    Returns
    -------
    u, f : ndarray, shape (ny, nx)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    u = np.sin(a2 * np.pi * y)[:, None] * np.sin(a1 * np.pi * x)[None, :]
    return u, (k**2 - (a1**2 + a2**2) * np.pi**2) * u


def multilayer_rt(n_layers, thicknesses, wavelengths, n_in=1.0, n_out=1.0):
    r"""Reflectance and transmittance of a planar multilayer at normal incidence (transfer matrices).

    Each layer :math:`j` (refractive index :math:`n_j`, thickness :math:`d_j`) has the characteristic
    matrix [1]_

    .. math:: M_j = \begin{pmatrix} \cos\delta_j & -i\sin\delta_j/n_j \\ -i n_j\sin\delta_j & \cos\delta_j
              \end{pmatrix}, \qquad \delta_j = 2\pi n_j d_j/\lambda,

    and with :math:`M = M_1 M_2 \cdots` (layer 1 faces the incident medium :math:`n_0`, the last one the
    exit medium :math:`n_s`), :math:`r = (n_0 M_{11} + n_0 n_s M_{12} - M_{21} - n_s M_{22}) / D`,
    :math:`t = 2 n_0 / D` with :math:`D = n_0 M_{11} + n_0 n_s M_{12} + M_{21} + n_s M_{22}`. The time
    convention is :math:`e^{-i\omega t}` (absorbing media have :math:`\operatorname{Im} n > 0`).

    Parameters
    ----------
    n_layers : array_like, shape (L,)
        Complex refractive indices of the layers (``sqrt(eps_r)`` for non-magnetic media).
    thicknesses : array_like, shape (L,), m
        Layer thicknesses (any length unit, the same as ``wavelengths``).
    wavelengths : array_like, shape (W,), m
        Vacuum wavelengths.
    n_in, n_out : complex
        Refractive indices of the incident and exit half-spaces (real for a lossless incident medium).

    Returns
    -------
    R, T : ndarray, shape (W,)
        Power reflectance and transmittance; :math:`R + T = 1` when every layer is lossless.
    r, t : ndarray of complex, shape (W,)
        Amplitude coefficients of the electric field.

    References
    ----------
    .. [1] M. Born, E. Wolf, *Principles of Optics*, 7th ed., section 1.6 (Cambridge University Press, 1999).
    """
    n = np.atleast_1d(np.asarray(n_layers, dtype=np.complex128))
    d = np.atleast_1d(np.asarray(thicknesses, dtype=np.float64))
    lam = np.atleast_1d(np.asarray(wavelengths, dtype=np.float64))
    if n.shape != d.shape or n.ndim != 1:
        raise ValueError(f"n_layers and thicknesses must be 1-D of equal length; got {n.shape} and {d.shape}")
    if np.any(lam <= 0):
        raise ValueError(f"wavelengths must be > 0; got min {lam.min()!r}")
    m11 = np.ones(lam.size, dtype=np.complex128)
    m12 = np.zeros(lam.size, dtype=np.complex128)
    m21 = np.zeros(lam.size, dtype=np.complex128)
    m22 = np.ones(lam.size, dtype=np.complex128)
    for nj, dj in zip(n, d):
        delta = 2.0 * np.pi * nj * dj / lam
        c, s = np.cos(delta), np.sin(delta)
        a11, a12, a21, a22 = c, -1j * s / nj, -1j * nj * s, c
        m11, m12, m21, m22 = m11 * a11 + m12 * a21, m11 * a12 + m12 * a22, m21 * a11 + m22 * a21, m21 * a12 + m22 * a22
    n0, ns = complex(n_in), complex(n_out)
    den = n0 * m11 + n0 * ns * m12 + m21 + ns * m22
    r = (n0 * m11 + n0 * ns * m12 - m21 - ns * m22) / den
    t = 2.0 * n0 / den
    return np.abs(r) ** 2, (ns.real / n0.real) * np.abs(t) ** 2, r, t
