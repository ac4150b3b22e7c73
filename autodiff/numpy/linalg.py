"""autodiff.numpy.linalg: differentiable ``numpy.linalg`` subset."""

from ._linalg import cholesky, det, eigh, inv, norm, qr, slogdet, solve

__all__ = ["cholesky", "det", "eigh", "inv", "norm", "qr", "slogdet", "solve"]
