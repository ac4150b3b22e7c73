"""trainer.py: train a PINN Problem (Adam then L-BFGS), with loss weighting, resampling and refinement.

The :class:`Trainer` owns the training state (parameters, optimizer state, weights, collocation points)
and delegates the loop to :class:`mindscience.nn.train.Training` (engine run loop, callbacks, progress
bar with the loss terms, checkpoint/resume). Weighting schemes:

* fixed weights (``weights={"dirichlet0": 100.0}``);
* ``adaptive="gradnorm"``: learning-rate annealing by gradient statistics (Wang, Teng & Perdikaris,
  SIAM J. Sci. Comput. 43 (2021) A3055, Algorithm 1): every ``adapt_every`` steps each non-PDE term gets
  ``lambda_i <- (1 - alpha) lambda_i + alpha max|grad L_pde| / mean|grad L_i|``.

Residual-based adaptive refinement (RAR, Lu et al. 2021) adds the collocation points of largest residual.
"""

import math

import numpy as np

import autodiff as ad
from autodiff.tree import tree_flatten
from mindscience.errors import InputError
from mindscience.nn.losses import relative_l2
from mindscience.nn.optim import Adam
from mindscience.nn.train import Training, every
from mindscience.pinn.problem import Problem
from mindscience.pinn.sampling import check_count, refine_by_residual

__all__ = ["Trainer", "grid"]


def grid(bbox, n):
    """Regular grid over a bounding box: points ``(prod(n), dim)`` and the per-axis coordinates.

    Parameters
    ----------
    bbox : tuple of arrays
        ``(lo, hi)``, each of shape ``(dim,)``.
    n : int or sequence of int
        Points per axis.

    Returns
    -------
    points : ndarray, shape (prod(n), dim)
        Grid points, first axis varying slowest (``indexing="ij"``).
    axes : list of ndarray
    """
    lo, hi = (np.asarray(b, dtype=float) for b in bbox)
    n = np.broadcast_to(np.asarray(n, dtype=int), lo.shape)
    axes = [np.linspace(a, b, int(k)) for a, b, k in zip(lo, hi, n)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.column_stack([m.ravel() for m in mesh]), axes


def _abs_leaves(tree):
    leaves, _ = tree_flatten(tree)
    return np.concatenate([np.abs(np.ravel(np.asarray(x))) for x in leaves])


class Trainer:
    """Train a :class:`~mindscience.pinn.problem.Problem`.

    Parameters
    ----------
    problem : Problem
    optimizer : object, optional
        Default ``Adam(1e-3)``.
    seed : int
        Seeds the parameters and the collocation points.
    weights : dict, optional
        ``{term: weight}`` overriding the problem's fixed weights.
    adaptive : {None, "gradnorm"}
        Adaptive loss weighting (see the module docstring).
    adapt_every : int
        Steps between weight updates.
    adapt_alpha : float
        Moving-average factor ``alpha`` in ``(0, 1]``.
    resample_every : int, optional
        Draw fresh collocation points every this many steps.
    params : pytree, optional
        Start from these parameters instead of a fresh initialisation.

    Examples
    --------
    >>> tr = Trainer(problem, seed=0)                      # doctest: +SKIP
    >>> tr.train(2000, lbfgs=500)                          # doctest: +SKIP
    >>> tr.relative_l2(x_test, u_exact)                    # doctest: +SKIP
    """

    def __init__(self, problem, optimizer=None, *, seed=0, weights=None, adaptive=None, adapt_every=100,
                 adapt_alpha=0.9, resample_every=None, params=None):
        if not isinstance(problem, Problem):
            raise InputError(f"problem={problem!r} must be a mindscience.pinn.Problem")
        self.problem = problem
        self.seed = int(seed)
        self.weights = problem.default_weights()
        for name, w in (weights or {}).items():
            if name not in self.weights:
                raise InputError(f"weights names {name!r}, which is not a loss term; known: {sorted(self.weights)}")
            if not float(w) >= 0:
                raise InputError(f"weights[{name!r}]={w!r} is out of range; allowed: [0, inf)")
            self.weights[name] = float(w)
        if adaptive not in (None, "gradnorm"):
            raise InputError(f"adaptive={adaptive!r} is not a weighting scheme; allowed: None, 'gradnorm'")
        self.adaptive = adaptive
        self.adapt_every = check_count("adapt_every", adapt_every)
        if not 0 < adapt_alpha <= 1:
            raise InputError(f"adapt_alpha={adapt_alpha!r} is out of range; allowed: (0, 1]")
        self.adapt_alpha = float(adapt_alpha)
        self.resample_every = None if resample_every is None else check_count("resample_every", resample_every)
        self._samples = 0
        self.batch = problem.sample(self._next_seed())
        params = problem.init_params(self.seed) if params is None else params
        self.training = Training(self._loss, params, optimizer or Adam(1e-3))
        self.weight_history = {"step": [], **{k: [] for k in self.weights}}

    # -------------------------------------------------------------- loss
    def _next_seed(self):
        self._samples += 1
        return [self.seed, self._samples]

    def _loss(self, params):
        terms = self.problem.loss_terms(params, self.batch)
        total = None
        for name, value in terms.items():
            w = self.weights[name]
            if w:
                total = w * value if total is None else total + w * value
        return total, terms

    @property
    def params(self):
        """Current parameters ``{"net": ..., "coefficients": ...}``."""
        return self.training.params

    @property
    def history(self):
        """Loss history: ``"step"``, ``"loss"`` (weighted total) and one list per (unweighted) term."""
        return self.training.history

    @property
    def coefficients(self):
        """Current values of the PDE's trainable coefficients, ``{name: float}``."""
        return {k: float(v) for k, v in self.params.get("coefficients", {}).items()}

    # -------------------------------------------------------------- training
    def train(self, steps, lbfgs=0, *, progress=True, callbacks=(), rar_every=None, rar_points=64,
              rar_candidates=4096):
        """Run ``steps`` first-order steps, then up to ``lbfgs`` L-BFGS iterations.

        Parameters
        ----------
        steps : int
            Optimizer steps (>= 0).
        lbfgs : int
            L-BFGS iterations after the first-order phase (0: none).
        progress : bool
            Show progress bars with the loss terms.
        callbacks : sequence
            Engine reporters (e.g. :class:`~mindscience.nn.train.EarlyStopping`, ``Checkpointer``).
        rar_every : int, optional
            Every this many steps add ``rar_points`` collocation points chosen among ``rar_candidates``
            uniform candidates by largest residual (RAR).

        Returns
        -------
        dict
            The loss history.
        """
        steps = check_count("steps", steps, low=0)
        reporters = list(callbacks)
        if self.adaptive == "gradnorm":
            reporters.append(every(self.adapt_every, lambda sim: self.update_weights()))
        if self.resample_every:
            reporters.append(every(self.resample_every, lambda sim: self.resample()))
        if rar_every:
            reporters.append(every(check_count("rar_every", rar_every),
                                   lambda sim: self.refine(rar_points, rar_candidates)))
        if steps:
            self.training.run(steps, reporters=reporters, progress=progress)
        if lbfgs:
            self.training.lbfgs(check_count("lbfgs", lbfgs), progress=progress)
        return self.history

    def update_weights(self):
        """One gradient-statistics weight update (Wang, Teng & Perdikaris 2021, Algorithm 1); returns the weights."""
        params, batch = self.params, self.batch
        pde_names = list(self.problem.pde.names)
        g_pde = ad.grad(lambda p: sum(self.problem.loss_terms(p, batch, pde_names).values()))(params)
        top = float(np.max(_abs_leaves(g_pde)))
        for name in self.problem.term_names:
            if name in pde_names:
                continue
            g = ad.grad(lambda p, name=name: self.problem.loss_terms(p, batch, [name])[name])(params)
            mean = float(np.mean(_abs_leaves(g)))
            if mean > 0 and math.isfinite(top / mean):
                self.weights[name] = (1 - self.adapt_alpha) * self.weights[name] + self.adapt_alpha * top / mean
        self.weight_history["step"].append(self.training.step_count)
        for k in self.weights:
            self.weight_history[k].append(self.weights[k])
        return dict(self.weights)

    def resample(self):
        """Draw fresh collocation and condition points (the next seed of this trainer's stream)."""
        self.batch = self.problem.sample(self._next_seed())

    def refine(self, k=64, n_candidates=4096):
        """Add the ``k`` points of largest PDE residual among ``n_candidates`` uniform candidates (RAR)."""
        cand = self.problem.geometry.sample_interior(n_candidates, "uniform", self._next_seed())
        res = np.column_stack([np.asarray(r) for r in self.problem.pde_residuals(self.params, cand)])
        new = refine_by_residual(cand, res, k)
        self.batch = {**self.batch, "pde": np.vstack([self.batch["pde"], new])}
        return new

    # -------------------------------------------------------------- evaluation
    def predict(self, x):
        """Solution at points ``x`` (``(N, dim)``), shape ``(N, n_unknowns)``."""
        return self.problem.predict(self.params, x)

    def residual(self, x):
        """PDE residuals at ``x``, shape ``(N, n_equations)``."""
        return np.column_stack([np.asarray(r) for r in self.problem.pde_residuals(self.params, np.asarray(x, float))])

    def relative_l2(self, x, reference, component=None):
        """Relative L2 error ``||u - u_ref|| / ||u_ref||`` at points ``x``.

        Parameters
        ----------
        x : array, shape (N, dim)
        reference : array, shape (N,) or (N, n_unknowns), or callable ``x -> array``
        component : int, optional
            Compare only this output column (default: column 0 for a 1-D reference, all otherwise).
        """
        ref = np.asarray(reference(x) if callable(reference) else reference, dtype=float)
        pred = self.predict(x)
        if ref.ndim == 1:
            pred = pred[:, 0 if component is None else component]
        elif component is not None:
            pred, ref = pred[:, component], ref[:, component]
        return float(relative_l2(pred, ref))

    def checkpoint(self, path):
        """Write parameters, optimizer state, loss weights and history to HDF5 (atomic); see :meth:`restore`.

        Collocation points are not stored: they are redrawn from the seed stream (``resample`` count kept).
        """
        self.training.extra = {"weights": {k: np.float64(v) for k, v in self.weights.items()},
                               "samples": np.int64(self._samples)}
        self.training.checkpoint(path)

    def restore(self, path):
        """Continue from a checkpoint written by :meth:`checkpoint` of a trainer of the same problem."""
        self.training.restore(path)
        extra = self.training.extra
        if "weights" in extra:
            self.weights.update({k: float(v) for k, v in extra["weights"].items()})
        if "samples" in extra and int(extra["samples"]) != self._samples:
            self._samples = int(extra["samples"]) - 1
            self.batch = self.problem.sample(self._next_seed())
        return self

    def plot(self, x_grid_axes, reference=None, component=0, path=None):
        """Plot the solution, the reference and the error on a 2-D grid, and the loss history.

        Parameters
        ----------
        x_grid_axes : (xs, ys)
            1-D coordinate arrays of a 2-D grid (the problem must be 2-D, or use a time slice yourself).
        reference : callable, optional
            ``reference(points) -> (N,)``.
        component : int
        path : str, optional
            Save the figure here (PNG/PDF by extension).

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        xs, ys = x_grid_axes
        X, Y = np.meshgrid(xs, ys, indexing="ij")
        pts = np.column_stack([X.ravel(), Y.ravel()])
        u = self.predict(pts)[:, component].reshape(X.shape)
        panels = [("PINN", u)]
        if reference is not None:
            ref = np.asarray(reference(pts), dtype=float).reshape(X.shape)
            panels += [("reference", ref), ("|error|", np.abs(u - ref))]
        fig, axs = plt.subplots(1, len(panels) + 1, figsize=(4 * (len(panels) + 1), 3.4))
        for ax, (title, data) in zip(axs, panels):
            im = ax.pcolormesh(X, Y, data, shading="auto")
            ax.set_title(title)
            ax.set_aspect("equal")
            fig.colorbar(im, ax=ax)
        ax = axs[-1]
        h = self.history
        for name in ["loss", *self.problem.term_names]:
            if name in h and h[name]:
                ax.semilogy(h["step"], h[name], label=name)
        ax.set_xlabel("step")
        ax.legend(fontsize=7)
        ax.set_title("loss history")
        fig.tight_layout()
        if path is not None:
            fig.savefig(path, dpi=120)
        return fig
