"""layers.py: neural-network layers as thin objects over pure functions; parameters are pytrees.

A layer has two methods (the functional style of JAX/stax):

``init(rng) -> params``
    A pytree (nested dict/list) of float arrays, drawn from a ``numpy.random.Generator``.
``apply(params, x) -> y``
    Pure function of the parameters and the input, written with ``autodiff.numpy`` so that it can be
    differentiated with respect to both, to any order; ``x`` has shape ``(N, in_features)``.

Layers hold only hyper-parameters (and fixed, non-trainable arrays such as Fourier-feature
frequencies); they never hold parameter values.
"""

import math

import numpy as np

import autodiff.numpy as anp
from mindscience.errors import InputError
from mindscience.nn.activations import adaptive, get_activation
from mindscience.nn.init import get_initializer, siren_uniform

__all__ = ["Dense", "MLP", "ResidualMLP", "FourierFeatures", "SIREN", "Sequential"]


def _width(name, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise InputError(f"{name}={value!r} must be an integer >= 1")
    return int(value)


def dense(params, x):
    """``x @ W + b`` for ``params = {"W": (in, out), "b": (out,)}`` (``b`` optional)."""
    y = anp.matmul(x, params["W"])
    return y + params["b"] if "b" in params else y


class Dense:
    """Affine layer ``y = x W + b``.

    Parameters
    ----------
    in_features, out_features : int
    init : str or callable
        Weight initializer (:mod:`mindscience.nn.init`); biases start at zero.
    bias : bool
    dtype : numpy dtype

    Examples
    --------
    >>> layer = Dense(2, 3)
    >>> p = layer.init(np.random.default_rng(0))
    >>> layer.apply(p, np.ones((5, 2))).shape
    (5, 3)
    """

    def __init__(self, in_features, out_features, init="glorot_uniform", bias=True, dtype=np.float64):
        self.in_features = _width("in_features", in_features)
        self.out_features = _width("out_features", out_features)
        self.init_fn = get_initializer(init)
        self.bias = bool(bias)
        self.dtype = np.dtype(dtype)

    def init(self, rng):
        p = {"W": self.init_fn(rng, (self.in_features, self.out_features), dtype=self.dtype)}
        if self.bias:
            p["b"] = np.zeros(self.out_features, dtype=self.dtype)
        return p

    def apply(self, params, x):
        return dense(params, x)


class MLP:
    """Multilayer perceptron with one activation per hidden layer and optional adaptive slopes.

    Parameters
    ----------
    widths : sequence of int
        ``[in, hidden_1, ..., hidden_k, out]`` (at least two entries).
    activation : str, callable, or sequence of them
        Activation of each hidden layer (one value for all, or one per hidden layer).
    init : str or callable
        Weight initializer.
    adaptive_slope : float or None
        If given (the scale ``n`` of Jagtap et al. 2020), each hidden layer gets a trainable slope ``a``
        (initialised to ``1/n``) and uses ``sigma(n a z)``; parameters then hold ``"slopes"``.
    output_activation : str or callable, optional
        Applied to the last layer (default: none).
    dtype : numpy dtype

    Examples
    --------
    >>> net = MLP([2, 16, 16, 1], activation="tanh")
    >>> params = net.init(np.random.default_rng(0))
    >>> net.apply(params, np.zeros((4, 2))).shape
    (4, 1)
    """

    def __init__(self, widths, activation="tanh", init="glorot_uniform", adaptive_slope=None,
                 output_activation=None, dtype=np.float64):
        widths = [_width("widths[i]", w) for w in widths]
        if len(widths) < 2:
            raise InputError(f"widths={widths!r} needs at least an input and an output width")
        self.widths = widths
        n_hidden = len(widths) - 2
        if isinstance(activation, (list, tuple)):
            if len(activation) != n_hidden:
                raise InputError(f"activation has {len(activation)} entries but there are {n_hidden} hidden layers")
            acts = list(activation)
        else:
            acts = [activation] * n_hidden
        for a in acts:
            get_activation(a)
        self.activations = acts
        self.adaptive_slope = None if adaptive_slope is None else float(adaptive_slope)
        if self.adaptive_slope is not None and not self.adaptive_slope >= 1:
            raise InputError(f"adaptive_slope={adaptive_slope!r} is out of range; allowed: [1, inf)")
        self.output_activation = None if output_activation is None else get_activation(output_activation)
        self.layers = [Dense(a, b, init=init, dtype=dtype) for a, b in zip(widths[:-1], widths[1:])]
        self.dtype = np.dtype(dtype)

    @property
    def in_features(self):
        return self.widths[0]

    @property
    def out_features(self):
        return self.widths[-1]

    def init(self, rng):
        p = {"layers": [layer.init(rng) for layer in self.layers]}
        if self.adaptive_slope is not None:
            p["slopes"] = np.full(len(self.layers) - 1, 1.0 / self.adaptive_slope, dtype=self.dtype)
        return p

    def apply(self, params, x):
        layers = params["layers"]
        h = x
        for i, (lp, act) in enumerate(zip(layers[:-1], self.activations)):
            z = dense(lp, h)
            if self.adaptive_slope is not None:
                h = adaptive(act, params["slopes"][i], self.adaptive_slope)(z)
            else:
                h = get_activation(act)(z)
        y = dense(layers[-1], h)
        return y if self.output_activation is None else self.output_activation(y)


class ResidualMLP:
    """MLP with residual (skip) connections: ``h <- h + sigma(h W + b)`` in each of ``depth`` blocks.

    Parameters
    ----------
    in_features, out_features : int
    width : int
        Width of the residual stream.
    depth : int
        Number of residual blocks (>= 1).
    activation, init, dtype
        As :class:`MLP`.

    Examples
    --------
    >>> net = ResidualMLP(2, 1, width=8, depth=2)
    >>> net.apply(net.init(np.random.default_rng(0)), np.ones((3, 2))).shape
    (3, 1)
    """

    def __init__(self, in_features, out_features, width=64, depth=3, activation="tanh", init="glorot_uniform",
                 dtype=np.float64):
        self.in_features = _width("in_features", in_features)
        self.out_features = _width("out_features", out_features)
        width = _width("width", width)
        self.depth = _width("depth", depth)
        self.activation = get_activation(activation)
        self.lift = Dense(in_features, width, init=init, dtype=dtype)
        self.blocks = [Dense(width, width, init=init, dtype=dtype) for _ in range(self.depth)]
        self.head = Dense(width, out_features, init=init, dtype=dtype)

    def init(self, rng):
        return {"lift": self.lift.init(rng), "blocks": [b.init(rng) for b in self.blocks], "head": self.head.init(rng)}

    def apply(self, params, x):
        h = self.activation(dense(params["lift"], x))
        for bp in params["blocks"]:
            h = h + self.activation(dense(bp, h))
        return dense(params["head"], h)


class FourierFeatures:
    """Random Fourier-feature embedding ``[cos(2 pi x B), sin(2 pi x B)]`` (Tancik et al. 2020), multi-scale
    when several scales are given (Wang, Wang & Perdikaris 2021).

    ``B`` is fixed (not trained), drawn at construction from ``N(0, sigma^2)`` per scale.

    Parameters
    ----------
    in_features : int
    n_features : int
        Number of frequencies per scale; the output has ``2 * n_features * len(scales)`` columns.
    scales : float or sequence of float
        Standard deviations ``sigma`` of the frequencies (in inverse units of the inputs).
    seed : int, optional
        Seed of the frequency draw.

    Examples
    --------
    >>> ff = FourierFeatures(2, 8, scales=[1.0, 10.0], seed=0)
    >>> ff.apply({}, np.zeros((5, 2))).shape
    (5, 32)
    """

    def __init__(self, in_features, n_features, scales=1.0, seed=0):
        self.in_features = _width("in_features", in_features)
        n_features = _width("n_features", n_features)
        scales = [float(s) for s in np.atleast_1d(scales)]
        for s in scales:
            if not (s > 0 and math.isfinite(s)):
                raise InputError(f"scales entry {s!r} is out of range; allowed: (0, inf)")
        rng = np.random.default_rng(seed)
        self.B = np.concatenate([s * rng.standard_normal((self.in_features, n_features)) for s in scales], axis=1)
        self.out_features = 2 * self.B.shape[1]

    def init(self, rng):
        return {}

    def apply(self, params, x):
        z = (2 * math.pi) * anp.matmul(x, self.B)
        return anp.concatenate([anp.cos(z), anp.sin(z)], axis=1)


class SIREN:
    """Sinusoidal representation network (Sitzmann et al. 2020): ``sin(w0 (x W + b))`` hidden layers.

    Parameters
    ----------
    widths : sequence of int
        ``[in, hidden..., out]``.
    w0 : float
        Frequency factor of the first layer (30 in the paper).
    w0_hidden : float
        Factor of the later hidden layers (the paper uses 1 after folding it into the initializer;
        here the initializer divides by ``w0_hidden`` so any value keeps unit pre-activation variance).

    Examples
    --------
    >>> net = SIREN([1, 16, 1])
    >>> net.apply(net.init(np.random.default_rng(0)), np.zeros((2, 1))).shape
    (2, 1)
    """

    def __init__(self, widths, w0=30.0, w0_hidden=30.0, dtype=np.float64):
        widths = [_width("widths[i]", w) for w in widths]
        if len(widths) < 2:
            raise InputError(f"widths={widths!r} needs at least an input and an output width")
        for name, v in (("w0", w0), ("w0_hidden", w0_hidden)):
            if not (float(v) > 0 and math.isfinite(float(v))):
                raise InputError(f"{name}={v!r} is out of range; allowed: (0, inf)")
        self.widths, self.w0, self.w0_hidden = widths, float(w0), float(w0_hidden)
        self.dtype = np.dtype(dtype)
        self.in_features, self.out_features = widths[0], widths[-1]

    def init(self, rng):
        layers = []
        for i, (a, b) in enumerate(zip(self.widths[:-1], self.widths[1:])):
            W = siren_uniform(rng, (a, b), dtype=self.dtype, w0=self.w0_hidden, first=(i == 0))
            bound = 1.0 / math.sqrt(a)
            layers.append({"W": W, "b": rng.uniform(-bound, bound, b).astype(self.dtype)})
        return {"layers": layers}

    def apply(self, params, x):
        layers = params["layers"]
        h = x
        for i, lp in enumerate(layers[:-1]):
            h = anp.sin((self.w0 if i == 0 else self.w0_hidden) * dense(lp, h))
        return dense(layers[-1], h)


class Sequential:
    """Chain of layers; parameters are the list of the layers' parameters.

    Examples
    --------
    >>> net = Sequential([FourierFeatures(2, 4, seed=0), MLP([8, 8, 1])])
    >>> net.apply(net.init(np.random.default_rng(0)), np.zeros((3, 2))).shape
    (3, 1)
    """

    def __init__(self, layers):
        self.layers = list(layers)
        if not self.layers:
            raise InputError("layers is empty")
        for a, b in zip(self.layers[:-1], self.layers[1:]):
            if a.out_features != b.in_features:
                raise InputError(f"{type(a).__name__} gives {a.out_features} features but {type(b).__name__} "
                                 f"expects {b.in_features}")
        self.in_features = self.layers[0].in_features
        self.out_features = self.layers[-1].out_features

    def init(self, rng):
        return [layer.init(rng) for layer in self.layers]

    def apply(self, params, x):
        for layer, p in zip(self.layers, params):
            x = layer.apply(p, x)
        return x
