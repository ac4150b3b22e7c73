"""sampling.py: point sequences in the unit cube (uniform, Latin hypercube, Halton, Sobol) and refinement.

Geometries map unit-cube samples onto their interior and boundary (:mod:`mindscience.pinn.geometry`);
this module only produces the unit-cube points, reproducibly from a seed, and holds the
residual-based adaptive refinement rule (RAR) used by the PINN trainer.
"""

import math
import warnings

import numpy as np
from scipy.stats import qmc

from mindscience.errors import InputError

METHODS = ("uniform", "lhs", "halton", "sobol")


def check_count(name, n, low=1):
    """Return ``int(n)`` or raise :class:`InputError` unless ``n`` is an integer ``>= low``."""
    if isinstance(n, bool) or int(n) != n or n < low:
        raise InputError(f"{name}={n!r} must be an integer >= {low}")
    return int(n)


def check_method(method):
    """Return ``method`` or raise :class:`InputError` naming the allowed sampling methods."""
    if method not in METHODS:
        raise InputError(f"method={method!r} is not a sampling method; allowed: {', '.join(METHODS)}")
    return method


class UnitCubeSampler:
    """A stream of points in ``[0, 1)^dim`` drawn with one method from one seed.

    Successive :meth:`draw` calls continue the sequence (Halton, Sobol) or draw fresh independent
    batches (uniform, Latin hypercube), so rejection sampling can ask for more points until it has
    enough, and the whole stream is reproducible from ``seed``.

    Parameters
    ----------
    dim : int
        Dimension of the cube (>= 1).
    method : {"uniform", "lhs", "halton", "sobol"}
        ``"uniform"``: i.i.d. pseudo-random; ``"lhs"``: Latin hypercube per batch; ``"halton"`` and
        ``"sobol"``: scrambled low-discrepancy sequences (``scipy.stats.qmc``).
    seed : int, numpy.random.Generator or None
        Seed of the generator (or of the scrambling). ``None`` draws fresh entropy.

    Examples
    --------
    >>> s = UnitCubeSampler(2, "halton", seed=0)
    >>> s.draw(4).shape
    (4, 2)
    """

    def __init__(self, dim, method="uniform", seed=None):
        self.dim = check_count("dim", dim)
        self.method = check_method(method)
        self._rng = np.random.default_rng(seed)
        if method == "halton":
            self._engine = qmc.Halton(self.dim, scramble=True, seed=self._rng)
        elif method == "sobol":
            self._engine = qmc.Sobol(self.dim, scramble=True, seed=self._rng)
        elif method == "lhs":
            self._engine = qmc.LatinHypercube(self.dim, seed=self._rng)
        else:
            self._engine = None

    def draw(self, n):
        """Return the next ``n`` points, shape ``(n, dim)``, values in ``[0, 1)``."""
        n = check_count("n", n, low=0)
        if n == 0:
            return np.zeros((0, self.dim))
        if self._engine is None:
            return self._rng.random((n, self.dim))
        if self.method == "sobol":
            # Sobol' points keep their balance properties in blocks of 2^m; draw a whole block.
            m = 1 << max(0, math.ceil(math.log2(n)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return self._engine.random(m)[:n]
        return self._engine.random(n)


def rejection_sample(draw, n, sampler, *, max_rounds=64, what="points"):
    """Collect ``n`` accepted points from a proposal map applied to unit-cube samples.

    Parameters
    ----------
    draw : callable
        ``draw(u) -> (points, extra, keep)`` with ``u`` of shape ``(m, sampler.dim)``; ``points`` shape
        ``(m, d)``, ``extra`` an array with ``m`` rows or ``None`` (e.g. normals), ``keep`` bool ``(m,)``.
    n : int
        Number of points wanted.
    sampler : UnitCubeSampler
        Source of unit-cube points.
    max_rounds : int
        Give up after this many batches (a proposal that almost never hits the set is a bug).
    what : str
        Name used in the error message.

    Returns
    -------
    points : ndarray, shape (n, d)
    extra : ndarray with n rows, or None
    """
    got, extras, count, acc_rate = [], [], 0, None
    for _ in range(max_rounds):
        need = n - count
        if need <= 0:
            break
        m = max(16, int(1.2 * need / acc_rate) + 8) if acc_rate else max(16, 2 * need)
        m = min(m, 50 * n + 1000)
        x, extra, keep = draw(sampler.draw(m))
        keep = np.asarray(keep, dtype=bool)
        rate = keep.mean()
        acc_rate = max(rate, 1e-3) if acc_rate is None else max(0.5 * (acc_rate + rate), 1e-3)
        got.append(x[keep])
        extras.append(None if extra is None else extra[keep])
        count += int(keep.sum())
    if count < n:
        raise RuntimeError(f"could only sample {count} of {n} {what}: the region is (almost) empty")
    points = np.concatenate(got)[:n]
    extra = None if extras[0] is None else np.concatenate(extras)[:n]
    return points, extra


def refine_by_residual(candidates, residual, k):
    """Residual-based adaptive refinement (RAR): pick the ``k`` candidates with the largest |residual|.

    Lu et al., DeepXDE, SIAM Review 63 (2021), Sec. 2.8: add the points where the PDE residual is
    largest to the collocation set and keep training.

    Parameters
    ----------
    candidates : ndarray, shape (m, d)
        Candidate points (e.g. a dense uniform sample of the domain).
    residual : ndarray, shape (m,) or (m, n_eq)
        Residual at the candidates; several equations are combined by the Euclidean norm.
    k : int
        Number of points to return (``1 <= k <= m``).

    Returns
    -------
    ndarray, shape (k, d)
        The selected points, largest residual first.

    Examples
    --------
    >>> pts = np.array([[0.0], [0.5], [1.0]])
    >>> refine_by_residual(pts, np.array([0.1, -3.0, 2.0]), 2)
    array([[0.5],
           [1. ]])
    """
    candidates = np.asarray(candidates)
    r = np.asarray(residual, dtype=float)
    if r.shape[0] != candidates.shape[0]:
        raise InputError(f"residual has {r.shape[0]} rows but candidates has {candidates.shape[0]}; they must match")
    k = check_count("k", k)
    if k > candidates.shape[0]:
        raise InputError(f"k={k} is out of range; allowed: [1, {candidates.shape[0]}] (number of candidates)")
    score = np.abs(r) if r.ndim == 1 else np.sqrt(np.sum(r * r, axis=tuple(range(1, r.ndim))))
    order = np.argsort(-score, kind="stable")[:k]
    return candidates[order]
