"""problem.py: a PINN problem definition: PDE + geometry + conditions + network -> loss terms.

:class:`Problem` holds definitions only (no training state): it samples collocation points, builds the
network function (with the optional hard-constraint ansatz), and evaluates each loss term as a pure
function of the parameters, so the :class:`~mindscience.pinn.trainer.Trainer` can differentiate it.

Parameters are the pytree ``{"net": network parameters, "coefficients": {name: scalar}}``; the
``"coefficients"`` entry holds the PDE's trainable constants (inverse problems) and is absent otherwise.
"""

import numpy as np

import autodiff.numpy as anp
from mindscience.errors import InputError
from mindscience.nn.losses import get_loss
from mindscience.pinn.conditions import Condition, HardDirichlet
from mindscience.pinn.derivatives import taylor_backend
from mindscience.pinn.geometry import Geometry
from mindscience.pinn.pde import PDE
from mindscience.pinn.sampling import check_count, check_method

__all__ = ["Problem"]


class Problem:
    """Define a physics-informed problem once; train it with :class:`~mindscience.pinn.trainer.Trainer`.

    Parameters
    ----------
    pde : PDE
        The equations; its unknowns are the network's output columns, its coordinates the inputs.
    geometry : Geometry
        Domain of the collocation points (a :class:`~mindscience.pinn.geometry.SpaceTime` for evolution problems).
    network : layer
        Any :mod:`mindscience.nn.layers` object with ``init``/``apply``, ``in_features = len(pde.coords)``
        and ``out_features = len(pde.unknowns)``.
    conditions : sequence of Condition
        Boundary, initial, periodic and data conditions.
    n_interior : int
        Collocation points per sample.
    method : str
        Sampling method of the collocation points.
    pde_weight : float or sequence of float
        Fixed weight of each equation's loss term.
    hard_constraint : HardDirichlet, optional
        Ansatz ``u = g + D N`` applied to the network output.
    backend : callable
        Derivative backend (default :func:`~mindscience.pinn.derivatives.taylor_backend`).
    loss : str or callable
        Pointwise-residual loss (``"mse"`` or ``"huber"``).

    Raises
    ------
    InputError
        If the network's input or output width does not match the PDE, or a condition names an
        unknown that is not an output.

    Examples
    --------
    >>> import sympy as sp
    >>> from mindscience.nn.layers import MLP
    >>> from mindscience.pinn.geometry import Rectangle
    >>> from mindscience.pinn.conditions import DirichletBC
    >>> x, y = sp.symbols("x y"); u = sp.Function("u")
    >>> pde = PDE(sp.diff(u(x, y), x, 2) + sp.diff(u(x, y), y, 2) + 1, (x, y), [u])
    >>> dom = Rectangle([0, 0], [1, 1])
    >>> prob = Problem(pde, dom, MLP([2, 16, 1]), [DirichletBC(dom, 0.0, n=32)], n_interior=64)
    >>> sorted(prob.term_names)
    ['dirichlet0', 'pde']
    """

    def __init__(self, pde, geometry, network, conditions=(), *, n_interior=1024, method="sobol", pde_weight=1.0,
                 hard_constraint=None, backend=taylor_backend, loss="mse"):
        if not isinstance(pde, PDE):
            raise InputError(f"pde={pde!r} must be a mindscience.pinn.PDE")
        if not isinstance(geometry, Geometry):
            raise InputError(f"geometry={geometry!r} must be a Geometry")
        if geometry.dim != len(pde.coords):
            raise InputError(f"geometry is {geometry.dim}D but the PDE has {len(pde.coords)} coordinates {pde.coords}")
        self.pde, self.geometry, self.network = pde, geometry, network
        self.unknown_names = [str(u.func) for u in pde.unknowns]
        n_in, n_out = getattr(network, "in_features", None), getattr(network, "out_features", None)
        if n_in != len(pde.coords):
            raise InputError(f"network takes {n_in} inputs but the PDE has {len(pde.coords)} coordinates {pde.coords}")
        if n_out != len(pde.unknowns):
            raise InputError(f"network has {n_out} outputs but the PDE has {len(pde.unknowns)} unknowns "
                             f"{self.unknown_names}; every unknown must be a network output")
        self.n_interior = check_count("n_interior", n_interior)
        self.method = check_method(method)
        w = np.broadcast_to(np.asarray(pde_weight, dtype=float), (len(pde.equations),))
        if np.any(w < 0):
            raise InputError(f"pde_weight={pde_weight!r} is out of range; allowed: [0, inf)")
        self.pde_weights = dict(zip(pde.names, w.tolist()))
        if hard_constraint is not None and not isinstance(hard_constraint, HardDirichlet):
            raise InputError(f"hard_constraint={hard_constraint!r} must be a HardDirichlet")
        self.hard_constraint = hard_constraint
        self.backend = backend
        self.loss = get_loss(loss)
        self.conditions = self._bind(list(conditions))

    def _bind(self, conditions):
        counts, names = {}, set(self.pde.names)
        for c in conditions:
            if not isinstance(c, Condition):
                raise InputError(f"condition {c!r} is not a mindscience.pinn Condition")
            if c.name is None:
                i = counts.get(c.kind, 0)
                counts[c.kind] = i + 1
                c.name = f"{c.kind}{i}"
            if c.name in names:
                raise InputError(f"two loss terms are named {c.name!r}; give the conditions distinct names")
            names.add(c.name)
            c.bind(self.unknown_names)
        return conditions

    # -------------------------------------------------------------- names and parameters
    @property
    def term_names(self):
        """Names of all loss terms: the PDE equations, then the conditions."""
        return list(self.pde.names) + [c.name for c in self.conditions]

    def default_weights(self):
        """``{term: fixed weight}`` as given to the PDE and the conditions."""
        return {**self.pde_weights, **{c.name: c.weight for c in self.conditions}}

    def init_params(self, rng):
        """Initial parameters ``{"net": ..., "coefficients": {...}}`` drawn from ``rng`` (a Generator or seed)."""
        rng = np.random.default_rng(rng)
        params = {"net": self.network.init(rng)}
        if self.pde.trainable:
            params["coefficients"] = {str(s): np.float64(v) for s, v in self.pde.trainable.items()}
        return params

    # -------------------------------------------------------------- evaluation
    def solution_fn(self, params):
        """``x -> u(x)`` of shape ``(N, n_unknowns)`` for the given parameters (ansatz included)."""
        net = params["net"]
        hard = self.hard_constraint

        def u(x):
            raw = self.network.apply(net, x)
            return raw if hard is None else hard(x, raw)

        return u

    def sample(self, seed=None):
        """Draw the collocation points and every condition's batch: ``{"pde": (N, dim), name: batch, ...}``."""
        ss = np.random.SeedSequence(seed)
        seeds = ss.spawn(1 + len(self.conditions))
        batch = {"pde": self.geometry.sample_interior(self.n_interior, self.method, np.random.default_rng(seeds[0]))}
        for c, s in zip(self.conditions, seeds[1:]):
            batch[c.name] = c.sample(np.random.default_rng(s))
        return batch

    def pde_residuals(self, params, x):
        """The PDE residuals at ``x``: a list with one array ``(N,)`` per equation (differentiable)."""
        coeffs = params.get("coefficients")
        return self.pde.residual(self.solution_fn(params), x, self.backend, trainable=coeffs, namespace=anp)

    def loss_terms(self, params, batch, names=None):
        """Loss terms ``{name: scalar}`` for ``names`` (default all), differentiable in ``params``."""
        names = self.term_names if names is None else list(names)
        unknown = set(names) - set(self.term_names)
        if unknown:
            raise InputError(f"unknown loss terms {sorted(unknown)}; known: {self.term_names}")
        out = {}
        if any(n in self.pde_weights for n in names):
            for name, r in zip(self.pde.names, self.pde_residuals(params, batch["pde"])):
                if name in names:
                    out[name] = self.loss(r)
        u = self.solution_fn(params)
        for c in self.conditions:
            if c.name in names:
                out[c.name] = self.loss(c.residual(u, batch[c.name]))
        return out

    def predict(self, params, x):
        """The solution at points ``x`` as a numpy array ``(N, n_unknowns)``."""
        x = np.asarray(x, dtype=float)
        return np.asarray(self.solution_fn(params)(x))
