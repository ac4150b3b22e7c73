"""autodiff.numpy.fft: differentiable ``numpy.fft``."""

from ._fft import fft, fftfreq, fftn, fftshift, ifft, ifftn, ifftshift, irfft, irfftn, rfft, rfftfreq, rfftn

__all__ = ["fft", "fftfreq", "fftn", "fftshift", "ifft", "ifftn", "ifftshift", "irfft", "irfftn", "rfft",
           "rfftfreq", "rfftn"]
