"""autodiff.numpy.special: differentiable ``scipy.special`` functions physics uses."""

from ._special import (
    digamma,
    erf,
    erfc,
    expit,
    gammaln,
    log_softmax,
    logit,
    logsumexp,
    polygamma,
    sigmoid,
    softmax,
    softplus,
    xlog1py,
    xlogy,
)

__all__ = ["digamma", "erf", "erfc", "expit", "gammaln", "log_softmax", "logit", "logsumexp", "polygamma",
           "sigmoid", "softmax", "softplus", "xlog1py", "xlogy"]
