"""autodiff.scipy.special: alias of :mod:`autodiff.numpy.special`."""

from ..numpy.special import *  # noqa: F403
from ..numpy.special import __all__  # noqa: F401
