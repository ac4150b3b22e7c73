"""init.py: weight initializers (Glorot/Xavier, He, LeCun, SIREN) for dense layers.

Every initializer has the signature ``init(rng, shape, dtype=float64) -> ndarray`` where ``shape`` is
``(fan_in, fan_out)`` for a weight matrix used as ``x @ W``. Scales follow the papers cited per function.
"""

import math

import numpy as np

from mindscience.errors import InputError

__all__ = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal",
           "siren_uniform", "zeros", "get_initializer", "INITIALIZERS"]


def _fans(shape):
    shape = tuple(int(s) for s in shape)
    if len(shape) != 2 or min(shape) < 1:
        raise InputError(f"shape={shape!r} must be (fan_in, fan_out) with both >= 1")
    return shape


def _uniform(rng, shape, limit, dtype):
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


def _normal(rng, shape, std, dtype):
    return (std * rng.standard_normal(shape)).astype(dtype)


def glorot_uniform(rng, shape, dtype=np.float64, gain=1.0):
    """Glorot/Xavier uniform: ``U(-a, a)``, ``a = gain sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio 2010).

    Examples
    --------
    >>> glorot_uniform(np.random.default_rng(0), (2, 3)).shape
    (2, 3)
    """
    fi, fo = _fans(shape)
    return _uniform(rng, (fi, fo), gain * math.sqrt(6.0 / (fi + fo)), dtype)


def glorot_normal(rng, shape, dtype=np.float64, gain=1.0):
    """Glorot/Xavier normal: ``N(0, s^2)``, ``s = gain sqrt(2 / (fan_in + fan_out))``."""
    fi, fo = _fans(shape)
    return _normal(rng, (fi, fo), gain * math.sqrt(2.0 / (fi + fo)), dtype)


def he_uniform(rng, shape, dtype=np.float64):
    """He/Kaiming uniform: ``U(-a, a)``, ``a = sqrt(6 / fan_in)`` (He et al. 2015), for ReLU-like units."""
    fi, fo = _fans(shape)
    return _uniform(rng, (fi, fo), math.sqrt(6.0 / fi), dtype)


def he_normal(rng, shape, dtype=np.float64):
    """He/Kaiming normal: ``N(0, 2 / fan_in)``."""
    fi, fo = _fans(shape)
    return _normal(rng, (fi, fo), math.sqrt(2.0 / fi), dtype)


def lecun_uniform(rng, shape, dtype=np.float64):
    """LeCun uniform: ``U(-a, a)``, ``a = sqrt(3 / fan_in)`` (variance ``1 / fan_in``, LeCun et al. 1998)."""
    fi, fo = _fans(shape)
    return _uniform(rng, (fi, fo), math.sqrt(3.0 / fi), dtype)


def lecun_normal(rng, shape, dtype=np.float64):
    """LeCun normal: ``N(0, 1 / fan_in)``."""
    fi, fo = _fans(shape)
    return _normal(rng, (fi, fo), math.sqrt(1.0 / fi), dtype)


def siren_uniform(rng, shape, dtype=np.float64, w0=30.0, first=False):
    """SIREN initialization (Sitzmann et al. 2020, Sec. 3.2).

    First layer ``U(-1/fan_in, 1/fan_in)``; later layers ``U(-sqrt(6/fan_in)/w0, sqrt(6/fan_in)/w0)``, so
    that ``sin(w0 (x W + b))`` keeps unit-variance pre-activations.
    """
    fi, fo = _fans(shape)
    if not w0 > 0:
        raise InputError(f"w0={w0!r} is out of range; allowed: (0, inf)")
    limit = 1.0 / fi if first else math.sqrt(6.0 / fi) / w0
    return _uniform(rng, (fi, fo), limit, dtype)


def zeros(rng, shape, dtype=np.float64):
    """All zeros (biases)."""
    return np.zeros(tuple(shape), dtype=dtype)


INITIALIZERS = {
    "glorot_uniform": glorot_uniform, "xavier_uniform": glorot_uniform,
    "glorot_normal": glorot_normal, "xavier_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
    "siren": siren_uniform, "zeros": zeros,
}


def get_initializer(init):
    """Return the initializer named ``init`` (see :data:`INITIALIZERS`), or ``init`` itself if callable."""
    if callable(init):
        return init
    if init not in INITIALIZERS:
        raise InputError(f"init={init!r} is not an initializer; allowed: {', '.join(sorted(INITIALIZERS))}")
    return INITIALIZERS[init]
