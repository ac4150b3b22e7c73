"""activations.py: differentiable activation functions, including the adaptive (learnable-slope) form.

All functions take and return arrays (or autodiff tracers) of any shape and are written with
``autodiff.numpy``, so they nest to any derivative order (Taylor mode included).
"""

import math

import autodiff.numpy as anp
from autodiff.scipy.special import expit
from mindscience.errors import InputError

__all__ = ["tanh", "sin", "gelu", "silu", "softplus", "sigmoid", "relu", "identity", "adaptive",
           "get_activation", "ACTIVATIONS"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def tanh(x):
    """Hyperbolic tangent."""
    return anp.tanh(x)


def sin(x):
    """Sine (SIREN's activation)."""
    return anp.sin(x)


def gelu(x):
    """Gaussian error linear unit, tanh form (Hendrycks & Gimpel 2016):
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``; smooth to every order."""
    return 0.5 * x * (1.0 + anp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``."""
    return expit(x)


def silu(x):
    """Sigmoid-weighted linear unit (swish): ``x sigmoid(x)``."""
    return x * expit(x)


def softplus(x):
    """``log(1 + exp(x))``, computed stably."""
    return anp.logaddexp(0.0, x)


def relu(x):
    """``max(x, 0)`` (not smooth: avoid it in PINNs, whose residuals need second derivatives)."""
    return anp.maximum(x, 0.0)


def identity(x):
    """``x``."""
    return x


ACTIVATIONS = {"tanh": tanh, "sin": sin, "gelu": gelu, "silu": silu, "swish": silu, "softplus": softplus,
               "sigmoid": sigmoid, "relu": relu, "identity": identity, "linear": identity}


def get_activation(activation):
    """Return the activation named ``activation`` (see :data:`ACTIVATIONS`), or the callable itself."""
    if callable(activation):
        return activation
    if activation not in ACTIVATIONS:
        raise InputError(f"activation={activation!r} is not known; allowed: {', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[activation]


def adaptive(activation, slope, n=10.0):
    """Adaptive activation ``sigma(n a x)`` with a trainable slope ``a`` (Jagtap, Kawaguchi & Karniadakis,
    J. Comput. Phys. 404 (2020) 109136).

    Parameters
    ----------
    activation : str or callable
        The base activation ``sigma``.
    slope : float or array
        The trainable parameter ``a`` (initialise it to ``1 / n`` so that training starts at ``sigma(x)``).
    n : float
        Fixed scale factor ``n >= 1`` that speeds up the slope's learning.

    Returns
    -------
    callable
        ``x -> sigma(n a x)``.

    Examples
    --------
    >>> import numpy as np
    >>> float(adaptive("tanh", 0.1, n=10.0)(np.array(0.5)))  # = tanh(0.5)
    0.46211715726000974
    """
    if not n >= 1:
        raise InputError(f"n={n!r} is out of range; allowed: [1, inf)")
    sigma = get_activation(activation)
    return lambda x: sigma((n * slope) * x)
