"""mindscience.nn: layers, initializers, activations, losses, optimizers and the training loop.

Parameters are pytrees (nested dicts/lists of arrays); every function differentiates with ``autodiff``.

Examples
--------
>>> import numpy as np
>>> from mindscience.nn import MLP, Adam, Training, mse
>>> net = MLP([1, 16, 1])
>>> x = np.linspace(-1, 1, 32)[:, None]
>>> loss = lambda p: (mse(net.apply(p, x), np.sin(3 * x)), {})
>>> tr = Training(loss, net.init(np.random.default_rng(0)), Adam(1e-2))
>>> _ = tr.run(50, progress=False)
"""

from mindscience.nn.activations import adaptive, gelu, get_activation, sigmoid, silu, sin, softplus, tanh
from mindscience.nn.init import (
    get_initializer,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
    siren_uniform,
)
from mindscience.nn.layers import MLP, SIREN, Dense, FourierFeatures, ResidualMLP, Sequential
from mindscience.nn.losses import huber, mse, relative_l2
from mindscience.nn.optim import (
    SGD,
    Adam,
    AdamW,
    clip_by_global_norm,
    clip_by_value,
    constant,
    cosine_decay,
    exponential_decay,
    lbfgs,
    step_decay,
    warmup,
)
from mindscience.nn.train import Checkpointer, EarlyStopping, ProgressBar, Training, every

__all__ = [
    "Dense", "MLP", "ResidualMLP", "FourierFeatures", "SIREN", "Sequential",
    "tanh", "sin", "gelu", "silu", "softplus", "sigmoid", "adaptive", "get_activation",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "siren_uniform",
    "get_initializer", "mse", "relative_l2", "huber",
    "SGD", "Adam", "AdamW", "constant", "exponential_decay", "step_decay", "cosine_decay", "warmup",
    "clip_by_global_norm", "clip_by_value", "lbfgs",
    "Training", "ProgressBar", "EarlyStopping", "Checkpointer", "every",
]
