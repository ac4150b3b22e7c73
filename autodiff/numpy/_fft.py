"""_fft.py: the discrete Fourier transform primitive (linear, symmetric) and the FFT family built on it.

Cotangents follow JAX's convention (transpose with respect to the bilinear pairing ``Re(a * b)``): the
DFT matrix is symmetric, so the transpose of ``fft`` is ``fft`` and that of ``ifft`` is ``ifft``.
"""

from __future__ import annotations

import numpy as onp

from ._base import Primitive, deflinear, dtype_of, ops, shape_of

__all__ = ["fft", "ifft", "rfft", "irfft", "fftn", "ifftn", "rfftn", "irfftn", "fftfreq", "rfftfreq",
           "fftshift", "ifftshift"]

fft_p = Primitive("fft")
fft_p.impl = lambda x, axis, inverse, norm: (onp.fft.ifft if inverse else onp.fft.fft)(x, axis=axis, norm=norm)
deflinear(fft_p, lambda g, ans, x, axis, inverse, norm: fft_p.bind(g, axis=axis, inverse=inverse, norm=norm))


def _complex(x):
    return x if onp.issubdtype(dtype_of(x), onp.complexfloating) else ops.astype(x, onp.complex128)


def _resize(x, n, axis):
    if n is None:
        return x
    m = shape_of(x)[axis]
    if n == m:
        return x
    if n < m:
        idx = [slice(None)] * len(shape_of(x))
        idx[axis] = slice(0, n)
        return ops.getitem(x, tuple(idx))
    pw = [(0, 0)] * len(shape_of(x))
    pw[axis] = (0, n - m)
    return ops.pad(x, pw)


def fft(x, n=None, axis=-1, norm=None):
    """1-D discrete Fourier transform along ``axis`` (``numpy.fft.fft``), complex output."""
    axis %= len(shape_of(x))
    return fft_p.bind(_complex(_resize(x, n, axis)), axis=axis, inverse=False, norm=norm)


def ifft(x, n=None, axis=-1, norm=None):
    """1-D inverse discrete Fourier transform along ``axis``."""
    axis %= len(shape_of(x))
    return fft_p.bind(_complex(_resize(x, n, axis)), axis=axis, inverse=True, norm=norm)


def rfft(x, n=None, axis=-1, norm=None):
    """FFT of real input, non-negative frequencies only: ``n // 2 + 1`` terms along ``axis``."""
    axis %= len(shape_of(x))
    x = _resize(x, n, axis)
    m = shape_of(x)[axis] // 2 + 1
    y = fft(x, axis=axis, norm=norm)
    idx = [slice(None)] * len(shape_of(y))
    idx[axis] = slice(0, m)
    return ops.getitem(y, tuple(idx))


def irfft(y, n=None, axis=-1, norm=None):
    """Inverse of :func:`rfft` (real output of length ``n``, default ``2 (m - 1)``)."""
    axis %= len(shape_of(y))
    m = shape_of(y)[axis]
    n = 2 * (m - 1) if n is None else n
    y = _resize(y, n // 2 + 1, axis)
    m = shape_of(y)[axis]
    nd = len(shape_of(y))
    idx = [slice(None)] * nd
    idx[axis] = slice(n - m, 0, -1)
    full = ops.concatenate([y, ops.conj(ops.getitem(y, tuple(idx)))], axis=axis)
    return ops.real(fft_p.bind(_complex(full), axis=axis, inverse=True, norm=norm))


def _axes(x, s, axes):
    nd = len(shape_of(x))
    if axes is None:
        axes = tuple(range(nd)) if s is None else tuple(range(nd - len(s), nd))
    axes = tuple(a % nd for a in axes)
    s = [None] * len(axes) if s is None else list(s)
    return axes, s


def fftn(x, s=None, axes=None, norm=None):
    """N-D FFT over ``axes`` (all by default)."""
    axes, s = _axes(x, s, axes)
    for a, n in zip(axes, s):
        x = fft(x, n, a, norm)
    return x


def ifftn(x, s=None, axes=None, norm=None):
    """N-D inverse FFT over ``axes``."""
    axes, s = _axes(x, s, axes)
    for a, n in zip(axes, s):
        x = ifft(x, n, a, norm)
    return x


def rfftn(x, s=None, axes=None, norm=None):
    """N-D FFT of real input; the last axis is halved as in :func:`rfft`."""
    axes, s = _axes(x, s, axes)
    x = rfft(x, s[-1], axes[-1], norm)
    for a, n in zip(axes[:-1], s[:-1]):
        x = fft(x, n, a, norm)
    return x


def irfftn(x, s=None, axes=None, norm=None):
    """Inverse of :func:`rfftn`."""
    axes, s = _axes(x, s, axes)
    for a, n in zip(axes[:-1], s[:-1]):
        x = ifft(x, n, a, norm)
    return irfft(x, s[-1], axes[-1], norm)


fftfreq = onp.fft.fftfreq
rfftfreq = onp.fft.rfftfreq


def fftshift(x, axes=None):
    """Shift the zero frequency to the centre."""
    nd = len(shape_of(x))
    axes = range(nd) if axes is None else ([axes] if isinstance(axes, int) else axes)
    for a in axes:
        x = ops.roll(x, shape_of(x)[a] // 2, a)
    return x


def ifftshift(x, axes=None):
    """Inverse of :func:`fftshift`."""
    nd = len(shape_of(x))
    axes = range(nd) if axes is None else ([axes] if isinstance(axes, int) else axes)
    for a in axes:
        x = ops.roll(x, -(shape_of(x)[a] // 2), a)
    return x
