"""train.py: the training loop, written on the engine's Simulation (one optimizer step = one step).

:class:`Training` follows the :class:`~mindscience.engine.Simulation` contract, so training gets the
engine's run loop, reporters, stop requests and atomic HDF5 checkpoint/restore for free. A loss
function returns the total loss and its named terms; the loop takes value-and-gradient with
``autodiff`` (reverse mode), applies the optimizer, records the history and stops with
:class:`~mindscience.errors.SimulationDiverged` naming the step and the loss term that became NaN/inf.

Callbacks are engine reporters; this module adds :class:`ProgressBar` (a tqdm bar that shows the loss
terms), :class:`EarlyStopping`, :class:`Checkpointer` and :func:`every` (call a function every k steps).
"""

import math

import numpy as np

import autodiff as ad
from autodiff.tree import tree_flatten
from mindscience._threads import blas_threads as _blas_threads
from mindscience.engine.reporters import Checkpointer, IntervalReporter
from mindscience.engine.simulation import Simulation
from mindscience.errors import InputError, SimulationDiverged
from mindscience.nn.optim import lbfgs as _lbfgs

__all__ = ["Training", "ProgressBar", "EarlyStopping", "Checkpointer", "every"]


def _to_float(x):
    return float(np.asarray(x))


class Training(Simulation):
    """Minimise ``loss_fn(params)`` with a first-order optimizer, then optionally L-BFGS.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> (total, terms)`` where ``terms`` is a dict ``{name: scalar}`` (the total is
        usually their weighted sum), or ``loss_fn(params) -> total`` with ``terms_in_loss=False``.
    params : pytree of float arrays
        Initial parameters (not modified).
    optimizer : object
        Has ``init(params)`` and ``update(grads, state, params)`` (:mod:`mindscience.nn.optim`).
    terms_in_loss : bool
        Whether ``loss_fn`` returns ``(total, terms)``.
    blas_threads : int or None
        BLAS threads while training (default 1: network products are small, and a multi-threaded BLAS
        was measured 7-11x slower on shared cores); ``None`` leaves the BLAS configuration alone.

    Attributes
    ----------
    params : pytree
        Current parameters.
    history : dict of list
        ``"step"``, ``"loss"`` and one list per loss term, one entry per step (L-BFGS iterations included).
    extra : dict
        Numbers and arrays saved with checkpoints on behalf of an owner object (restored by ``restore``).

    Examples
    --------
    >>> import autodiff.numpy as anp
    >>> from mindscience.nn.optim import Adam
    >>> tr = Training(lambda p: (anp.sum((p["x"] - 1.0) ** 2), {}), {"x": np.zeros(2)}, Adam(0.1))
    >>> _ = tr.run(steps=200, progress=False)
    >>> bool(tr.history["loss"][-1] < 1e-4)
    True
    """

    time_unit = "step"

    def __init__(self, loss_fn, params, optimizer, *, terms_in_loss=True, blas_threads=1):
        super().__init__(1.0, guard_interval=10)
        self.blas_threads = blas_threads
        if not callable(loss_fn):
            raise InputError(f"loss_fn={loss_fn!r} must be callable")
        self.loss_fn = loss_fn if terms_in_loss else (lambda p: (loss_fn(p), {}))
        self.optimizer = optimizer
        self.params = params
        self.opt_state = optimizer.init(params)
        self.history = {"step": [], "loss": []}
        self.extra = {}  # numbers/arrays an owner (e.g. the PINN Trainer) wants checkpointed with the run
        self.last_terms = {}
        self._vg = ad.value_and_grad(self.loss_fn, has_aux=True)

    # ------------------------------------------------------------------ one step
    def _evaluate(self, params, step):
        (total, terms), grads = self._vg(params)
        total = _to_float(total)
        terms = {k: _to_float(v) for k, v in terms.items()}
        for name, value in {**terms, "loss": total}.items():
            if not math.isfinite(value):
                self.status = "failed"
                raise SimulationDiverged(step, f"loss term {name!r}", f"{name} = {value} at training step {step}")
        return total, terms, grads

    def _record(self, step, total, terms):
        self.history["step"].append(step)
        self.history["loss"].append(total)
        for name, value in terms.items():
            self.history.setdefault(name, []).append(value)
        self.last_terms = {"loss": total, **terms}

    def _step_impl(self, n):
        for i in range(n):
            step = self.step_count + i + 1  # the engine adds n to step_count after _step_impl
            total, terms, grads = self._evaluate(self.params, step)
            self.params, self.opt_state = self.optimizer.update(grads, self.opt_state, self.params)
            self._record(step, total, terms)

    # ------------------------------------------------------------------ L-BFGS phase
    def lbfgs(self, maxiter=500, *, progress=False, **options):
        """Continue with L-BFGS (scipy) from the current parameters: the Adam-then-L-BFGS recipe.

        Each L-BFGS iteration counts as one step in :attr:`history`.

        Parameters
        ----------
        maxiter : int
            Maximum number of iterations.
        progress : bool
            Print a tqdm bar.
        **options
            Passed to :func:`mindscience.nn.optim.lbfgs` (``history``, ``gtol``, ``ftol``).

        Returns
        -------
        dict
            scipy's summary (``loss``, ``nit``, ``nfev``, ``message``, ``success``).
        """
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=int(maxiter), desc="L-BFGS", unit="it", mininterval=0.5)
        latest = {}

        def value_and_grad(p):
            total, terms, grads = self._evaluate(p, self.step_count + 1)
            latest["terms"] = terms
            return total, grads

        def callback(it, loss):
            self.step_count += 1
            self._record(self.step_count, loss, latest.get("terms", {}))
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(_fmt(self.last_terms), refresh=False)

        try:
            with _blas_threads(self.blas_threads):
                self.params, info = _lbfgs(value_and_grad, self.params, maxiter, callback=callback, **options)
        finally:
            if bar is not None:
                bar.close()
        return info

    # ------------------------------------------------------------------ engine contract
    def run(self, steps=None, *, until=None, reporters=(), progress=True, progress_interval=10):
        """Take ``steps`` optimizer steps, feeding reporters (callbacks); see :meth:`Simulation.run`.

        ``progress=True`` shows a :class:`ProgressBar` with the loss terms instead of the engine's bar.
        """
        reporters = list(reporters)
        if progress:
            total = steps if steps is not None else max(0, math.ceil(until - self.time))
            reporters.append(ProgressBar(progress_interval, total=total))
        with _blas_threads(self.blas_threads):
            return super().run(steps, until=until, reporters=reporters, progress=False)

    def _get_state(self):
        return {"params": self.params, "opt_state": self.opt_state, "extra": dict(self.extra),
                "history": {k: np.asarray(v, dtype=np.float64 if k != "step" else np.int64)
                            for k, v in self.history.items()}}

    def _set_state(self, state):
        self.params = _restore_tree(state["params"], self.params)
        self.opt_state = _restore_tree(state["opt_state"], self.opt_state)
        self.history = {k: list(np.asarray(v).tolist()) for k, v in state["history"].items()}
        self.extra = dict(state.get("extra", {}))

    def _observe(self, include):
        known = {"params": self.params, "loss": self.last_terms.get("loss", math.nan), "terms": dict(self.last_terms),
                 "history": self.history}
        missing = [k for k in include if k not in known]
        if missing:
            raise KeyError(f"Training cannot report {missing}; available: {sorted(known)}")
        return {k: known[k] for k in include}

    def _guard_arrays(self):
        leaves, _ = tree_flatten(self.params)
        return {f"params[{i}]": np.asarray(x) for i, x in enumerate(leaves)}

    def _parameters(self):
        return {"optimizer": type(self.optimizer).__name__}


def _restore_tree(loaded, template):
    """Put arrays read from HDF5 back into the structure (and dtypes) of ``template``."""
    leaves, td = tree_flatten(template)
    new, _ = tree_flatten(loaded)
    if len(new) != len(leaves):
        raise InputError(f"checkpoint holds {len(new)} arrays where {len(leaves)} are expected")
    from autodiff.tree import tree_unflatten

    out = [np.asarray(n, dtype=np.asarray(t).dtype).reshape(np.shape(t)) for n, t in zip(new, leaves)]
    return tree_unflatten(td, out)


def _fmt(terms):
    return " ".join(f"{k}={v:.3e}" for k, v in terms.items())


class ProgressBar(IntervalReporter):
    """tqdm progress bar showing the total loss and every loss term, refreshed every ``interval`` steps.

    Parameters
    ----------
    interval : int
        Steps between refreshes.
    total : int, optional
        Steps of the run (for the bar's length).
    """

    def __init__(self, interval=10, total=None):
        super().__init__(interval, include=("terms",))
        self.total = total
        self._bar = None
        self._start = None

    def _report(self, sim, state):
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=type(sim).__name__, unit="step", mininterval=0.5,
                             dynamic_ncols=True)
            self._start = sim.step_count
        self._bar.update(sim.step_count - self._start - self._bar.n)
        if state["terms"]:
            self._bar.set_postfix_str(_fmt(state["terms"]), refresh=False)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class EarlyStopping(IntervalReporter):
    """Stop training when the monitored loss has not improved by ``min_delta`` for ``patience`` checks.

    Parameters
    ----------
    patience : int
        Number of consecutive checks without improvement before stopping (>= 1).
    min_delta : float
        Minimum decrease that counts as an improvement (relative to the best value so far).
    monitor : str
        ``"loss"`` or the name of a loss term.
    interval : int
        Steps between checks.

    Examples
    --------
    >>> stop = EarlyStopping(patience=20, min_delta=1e-8)   # training.run(10000, reporters=[stop])
    """

    def __init__(self, patience=100, min_delta=0.0, monitor="loss", interval=1):
        super().__init__(interval, include=("terms",))
        if int(patience) != patience or patience < 1:
            raise InputError(f"patience={patience!r} must be an integer >= 1")
        self.patience, self.min_delta, self.monitor = int(patience), float(min_delta), str(monitor)
        self.best = math.inf
        self.bad = 0
        self.stopped_at = None

    def _report(self, sim, state):
        terms = state["terms"]
        if not terms:
            return
        if self.monitor not in terms:
            raise InputError(f"monitor={self.monitor!r} is not a loss term; available: {sorted(terms)}")
        value = terms[self.monitor]
        if value < self.best - self.min_delta:
            self.best, self.bad = value, 0
        else:
            self.bad += 1
            if self.bad >= self.patience:
                self.stopped_at = sim.step_count
                sim.request_stop(f"early stopping: {self.monitor} did not improve for {self.patience} checks")


class _Every(IntervalReporter):
    def __init__(self, interval, fn):
        # never at the step a run starts from: the previous run (or a restored one) already handled it
        super().__init__(interval, at_start=False)
        self.fn = fn

    def _report(self, sim, state):
        self.fn(sim)


def every(interval, fn):
    """Callback calling ``fn(training)`` at every step that is a multiple of ``interval``, e.g. to resample points.

    It never fires at the step a run starts from, so successive or resumed runs call ``fn`` once per multiple.
    """
    return _Every(interval, fn)
