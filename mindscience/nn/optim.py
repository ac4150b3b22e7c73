"""optim.py: first-order optimizers, learning-rate schedules and gradient clipping on pytrees; L-BFGS.

An optimizer is a small object with two pure methods (optax's contract):

``init(params) -> state``
    The optimizer state, a pytree of arrays and numbers (so it is checkpointed like the parameters).
``update(grads, state, params) -> (new_params, new_state)``
    One step; nothing is modified in place.

Learning rates may be numbers or schedules ``lr(step) -> float`` (step counted from 0).
:func:`lbfgs` minimises over the flattened pytree with ``scipy.optimize.minimize(method="L-BFGS-B")``.
"""

import math

import numpy as np
import scipy.optimize

from autodiff.tree import tree_flatten, tree_leaves, tree_map, tree_structure, tree_unflatten
from mindscience.errors import InputError, check_range

__all__ = ["SGD", "Adam", "AdamW", "constant", "exponential_decay", "step_decay", "cosine_decay", "warmup",
           "clip_by_global_norm", "clip_by_value", "global_norm", "lbfgs", "get_optimizer"]


# ---------------------------------------------------------------- schedules
def constant(lr):
    """Schedule ``step -> lr``."""
    lr = check_range("lr", float(lr), 0.0, None, low_open=True)
    return lambda step: lr


def exponential_decay(lr, decay_rate, decay_steps, staircase=False):
    """``lr * decay_rate ** (step / decay_steps)`` (floored exponent if ``staircase``).

    Examples
    --------
    >>> round(exponential_decay(1e-3, 0.1, 1000)(2000), 12)
    1e-05
    """
    lr = check_range("lr", float(lr), 0.0, None, low_open=True)
    decay_rate = check_range("decay_rate", float(decay_rate), 0.0, 1.0, low_open=True)
    decay_steps = check_range("decay_steps", int(decay_steps), 1, None)

    def schedule(step):
        e = step / decay_steps
        return lr * decay_rate ** (math.floor(e) if staircase else e)

    return schedule


def step_decay(lr, step_size, gamma=0.1):
    """``lr * gamma ** floor(step / step_size)`` (PyTorch ``StepLR``)."""
    lr = check_range("lr", float(lr), 0.0, None, low_open=True)
    step_size = check_range("step_size", int(step_size), 1, None)
    gamma = check_range("gamma", float(gamma), 0.0, 1.0, low_open=True)
    return lambda step: lr * gamma ** (step // step_size)


def cosine_decay(lr, total_steps, final_lr=0.0):
    """Cosine annealing from ``lr`` to ``final_lr`` over ``total_steps``, then constant (Loshchilov & Hutter 2017).

    ``final_lr + (lr - final_lr) (1 + cos(pi min(step, T) / T)) / 2``.
    """
    lr = check_range("lr", float(lr), 0.0, None, low_open=True)
    total_steps = check_range("total_steps", int(total_steps), 1, None)
    final_lr = check_range("final_lr", float(final_lr), 0.0, lr)

    def schedule(step):
        s = min(step, total_steps) / total_steps
        return final_lr + 0.5 * (lr - final_lr) * (1.0 + math.cos(math.pi * s))

    return schedule


def warmup(schedule, warmup_steps):
    """Linear warm-up: ``schedule(warmup_steps) * (step + 1) / warmup_steps`` for the first steps, then ``schedule``."""
    schedule = _as_schedule(schedule)
    warmup_steps = check_range("warmup_steps", int(warmup_steps), 1, None)

    def wrapped(step):
        if step < warmup_steps:
            return schedule(warmup_steps) * (step + 1) / warmup_steps
        return schedule(step)

    return wrapped


def _as_schedule(lr):
    return lr if callable(lr) else constant(lr)


# ---------------------------------------------------------------- clipping
def global_norm(tree):
    """Euclidean norm of all leaves of a pytree taken together."""
    return math.sqrt(sum(float(np.sum(np.square(g))) for g in tree_flatten(tree)[0]))


def clip_by_global_norm(grads, max_norm):
    """Scale ``grads`` so that their global norm is at most ``max_norm`` (Pascanu et al. 2013).

    Returns
    -------
    clipped : pytree
    norm : float
        The global norm before clipping.
    """
    max_norm = check_range("max_norm", float(max_norm), 0.0, None, low_open=True)
    norm = global_norm(grads)
    if norm <= max_norm:
        return grads, norm
    scale = max_norm / norm
    return tree_map(lambda g: g * scale, grads), norm


def clip_by_value(grads, limit):
    """Clip every gradient component to ``[-limit, limit]``."""
    limit = check_range("limit", float(limit), 0.0, None, low_open=True)
    return tree_map(lambda g: np.clip(g, -limit, limit), grads)


# ---------------------------------------------------------------- optimizers
class _Optimizer:
    """Shared parts: learning-rate schedule, optional clipping, step counter in the state."""

    def __init__(self, lr, clip_norm=None):
        self.schedule = _as_schedule(lr)
        self.clip_norm = None if clip_norm is None else check_range("clip_norm", float(clip_norm), 0.0, None,
                                                                       low_open=True)

    def lr(self, step):
        """Learning rate used at ``step``."""
        return float(self.schedule(int(step)))

    def init(self, params):
        return {"step": np.int64(0), **self._init(params)}

    def update(self, grads, state, params):
        if tree_structure(grads) != tree_structure(params):
            raise InputError("grads and params have different pytree structures")
        if self.clip_norm is not None:
            grads, _ = clip_by_global_norm(grads, self.clip_norm)
        step = int(state["step"])
        new_params, new_state = self._update(grads, state, params, step, self.lr(step))
        new_state["step"] = np.int64(step + 1)
        return new_params, new_state


class SGD(_Optimizer):
    """Stochastic gradient descent with (optionally Nesterov) momentum, PyTorch's convention.

    ``v <- mu v + g``; ``p <- p - lr v`` (Nesterov: ``p <- p - lr (g + mu v)``).

    Parameters
    ----------
    lr : float or callable
        Learning rate or schedule ``step -> lr``.
    momentum : float
        ``mu`` in ``[0, 1)``.
    nesterov : bool
    clip_norm : float, optional
        Clip the gradients to this global norm first.

    Examples
    --------
    >>> opt = SGD(0.1, momentum=0.9)
    >>> p = {"w": np.array([1.0])}
    >>> s = opt.init(p)
    >>> p, s = opt.update({"w": np.array([2.0])}, s, p)
    >>> p["w"]
    array([0.8])
    """

    def __init__(self, lr, momentum=0.0, nesterov=False, clip_norm=None):
        super().__init__(lr, clip_norm)
        self.momentum = check_range("momentum", float(momentum), 0.0, 1.0, high_open=True)
        self.nesterov = bool(nesterov)

    def _init(self, params):
        return {"velocity": tree_map(np.zeros_like, params)}

    def _update(self, grads, state, params, step, lr):
        mu = self.momentum
        v = tree_map(lambda v, g: mu * v + g, state["velocity"], grads)
        if self.nesterov:
            new = tree_map(lambda p, g, v: p - lr * (g + mu * v), params, grads, v)
        else:
            new = tree_map(lambda p, v: p - lr * v, params, v)
        return new, {"velocity": v}


class Adam(_Optimizer):
    """Adam (Kingma & Ba 2015, Algorithm 1) with bias correction.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2``,
    ``p <- p - lr m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 - b2^t)``.

    Parameters
    ----------
    lr : float or callable
    b1, b2 : float
        Moment decay rates in ``[0, 1)``.
    eps : float
        ``> 0``.
    clip_norm : float, optional
    """

    weight_decay = 0.0

    def __init__(self, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, clip_norm=None):
        super().__init__(lr, clip_norm)
        self.b1 = check_range("b1", float(b1), 0.0, 1.0, high_open=True)
        self.b2 = check_range("b2", float(b2), 0.0, 1.0, high_open=True)
        self.eps = check_range("eps", float(eps), 0.0, None, low_open=True)

    def _init(self, params):
        return {"m": tree_map(np.zeros_like, params), "v": tree_map(np.zeros_like, params)}

    def _update(self, grads, state, params, step, lr):
        b1, b2, eps, t = self.b1, self.b2, self.eps, step + 1
        c1, c2 = 1 - b1**t, 1 - b2**t
        wd = self.weight_decay
        # one flattening per tree, then a few in-place operations per leaf on fresh buffers (the trees
        # are small - a network's layers - so this is Python overhead saved, with float32 kept float32)
        gl, td = tree_flatten(grads)
        pl, ml, vl = tree_leaves(params), tree_leaves(state["m"]), tree_leaves(state["v"])
        new_p, new_m, new_v = [], [], []
        for g, p, m, v in zip(gl, pl, ml, vl):
            g = np.asarray(g)
            m = np.multiply(m, b1)
            m += (1 - b1) * g
            v = np.multiply(v, b2)
            v += (1 - b2) * (g * g)
            den = np.sqrt(v / c2)
            den += eps
            upd = m / den
            upd *= lr / c1
            if wd:
                p = p * (1 - lr * wd)
            new_p.append(p - upd)
            new_m.append(m)
            new_v.append(v)
        return tree_unflatten(td, new_p), {"m": tree_unflatten(td, new_m), "v": tree_unflatten(td, new_v)}


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019), PyTorch's convention:
    ``p <- p (1 - lr wd)`` and then the Adam step.

    Parameters
    ----------
    lr, b1, b2, eps, clip_norm
        As :class:`Adam`.
    weight_decay : float
        ``wd >= 0``.
    """

    def __init__(self, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, weight_decay=1e-2, clip_norm=None):
        super().__init__(lr, b1, b2, eps, clip_norm)
        self.weight_decay = check_range("weight_decay", float(weight_decay), 0.0, None)


OPTIMIZERS = {"sgd": SGD, "adam": Adam, "adamw": AdamW}


def get_optimizer(optimizer, **kwargs):
    """Return ``optimizer`` if it is an optimizer object, else build the one named ``sgd``, ``adam`` or ``adamw``."""
    if hasattr(optimizer, "init") and hasattr(optimizer, "update"):
        return optimizer
    if optimizer not in OPTIMIZERS:
        raise InputError(f"optimizer={optimizer!r} is not known; allowed: {', '.join(sorted(OPTIMIZERS))}")
    return OPTIMIZERS[optimizer](**kwargs)


# ---------------------------------------------------------------- L-BFGS
def _flatten(tree):
    leaves, td = tree_flatten(tree)
    arrays = [np.asarray(x, dtype=np.float64) for x in leaves]
    shapes = [a.shape for a in arrays]
    flat = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)
    dtypes = [np.asarray(x).dtype for x in leaves]

    def unflatten(v):
        out, i = [], 0
        for s, dt in zip(shapes, dtypes):
            n = int(np.prod(s))
            out.append(v[i:i + n].reshape(s).astype(dt))
            i += n
        return tree_unflatten(td, out)

    return flat, unflatten


def lbfgs(value_and_grad, params, maxiter=500, *, history=50, gtol=1e-12, ftol=1e-15, callback=None):
    """Minimise a function of a pytree with scipy's L-BFGS-B over the flattened parameters.

    Parameters
    ----------
    value_and_grad : callable
        ``value_and_grad(params) -> (loss, grads)``; ``grads`` has the structure of ``params``.
    params : pytree of arrays
        Starting point.
    maxiter : int
        Maximum number of L-BFGS iterations (>= 1).
    history : int
        Number of stored correction pairs (scipy's ``maxcor``).
    gtol, ftol : float
        scipy's projected-gradient and relative-reduction stopping tolerances.
    callback : callable, optional
        ``callback(iteration, loss)`` after every iteration.

    Returns
    -------
    params : pytree
        The minimiser found.
    info : dict
        ``{"loss", "nit", "nfev", "message", "success"}``.

    Examples
    --------
    >>> vg = lambda p: (float(np.sum((p["x"] - 3.0) ** 2)), {"x": 2 * (p["x"] - 3.0)})
    >>> p, info = lbfgs(vg, {"x": np.zeros(2)}, maxiter=20)
    >>> np.allclose(p["x"], 3.0)
    True
    """
    maxiter = check_range("maxiter", int(maxiter), 1, None)
    x0, unflatten = _flatten(params)
    last = {"loss": math.nan}
    it = [0]

    def fun(v):
        loss, grads = value_and_grad(unflatten(v))
        g, _ = _flatten(grads)
        if g.shape != x0.shape:
            raise InputError(f"grads have {g.size} entries but params have {x0.size}")
        last["loss"] = float(loss)
        return float(loss), g

    def cb(_v):
        it[0] += 1
        if callback is not None:
            callback(it[0], last["loss"])

    res = scipy.optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", callback=cb,
                                  options={"maxiter": maxiter, "maxcor": int(history), "gtol": gtol, "ftol": ftol,
                                           "maxfun": 2 * maxiter + 20})
    info = {"loss": float(res.fun), "nit": int(res.nit), "nfev": int(res.nfev), "message": str(res.message),
            "success": bool(res.success)}
    return unflatten(res.x), info
