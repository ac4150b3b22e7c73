"""losses.py: loss functions (MSE, relative L2, Huber), differentiable with autodiff.

Each takes a prediction and an optional target of the same shape (default: zero, as for a PDE
residual) and returns a scalar.
"""

import autodiff.numpy as anp
from mindscience.errors import InputError

__all__ = ["mse", "relative_l2", "huber", "get_loss", "LOSSES"]


def _diff(pred, target):
    if target is None:
        return pred
    if anp.shape(pred) != anp.shape(target):
        raise InputError(f"pred has shape {anp.shape(pred)} but target has shape {anp.shape(target)}; they must match")
    return pred - target


def mse(pred, target=None):
    """Mean squared error ``mean((pred - target)^2)``.

    Examples
    --------
    >>> import numpy as np
    >>> float(mse(np.array([1.0, 3.0]), np.array([0.0, 1.0])))
    2.5
    """
    d = _diff(pred, target)
    return anp.mean(d * d)


def relative_l2(pred, target):
    """Relative L2 error ``||pred - target||_2 / ||target||_2`` (the PINN accuracy metric).

    Examples
    --------
    >>> import numpy as np
    >>> round(float(relative_l2(np.array([3.0, 4.0]), np.array([3.0, 5.0]))), 6)  # 1 / sqrt(34)
    0.171499
    """
    d = _diff(pred, target)
    return anp.sqrt(anp.sum(d * d) / anp.sum(target * target))


def huber(pred, target=None, delta=1.0):
    """Huber loss, mean over elements: ``0.5 d^2`` for ``|d| <= delta``, ``delta (|d| - 0.5 delta)`` beyond.

    Examples
    --------
    >>> import numpy as np
    >>> float(huber(np.array([0.5, 3.0]), delta=1.0))  # (0.125 + 2.5) / 2
    1.3125
    """
    if not delta > 0:
        raise InputError(f"delta={delta!r} is out of range; allowed: (0, inf)")
    d = _diff(pred, target)
    a = anp.abs(d)
    quad = anp.minimum(a, delta)
    return anp.mean(0.5 * quad * quad + delta * (a - quad))


LOSSES = {"mse": mse, "huber": huber}


def get_loss(loss):
    """Return the loss named ``loss`` (``"mse"``, ``"huber"``) or the callable itself."""
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise InputError(f"loss={loss!r} is not known; allowed: {', '.join(sorted(LOSSES))}")
    return LOSSES[loss]
