"""autodiff.scipy: differentiable scipy subsets (``autodiff.scipy.special``)."""

from . import special

__all__ = ["special"]
