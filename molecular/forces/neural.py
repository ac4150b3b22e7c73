"""Neural-network potentials: Behler-Parrinello symmetry functions + per-element MLPs, as a Force.

The energy is ``E = sum_i [s * NN_{t_i}((G_i - mu) / sigma) + b_{t_i}]`` with ``G_i`` the atom-centred
symmetry functions of atom ``i`` (radial G2, angular G4 or G5, cosine cutoff; Behler, J. Chem. Phys.
134, 074106 (2011)). Descriptors are numba kernels registered as differentiable primitives
(:func:`autodiff.kernels.register_kernel`), so the energy is differentiable with respect to the pair
displacements ``d_p = r_j - r_i`` and the network weights. Forces and virial come from one reverse
pass: with ``gbar_p = dE/dd_p``, ``F_i = sum_{p: i(p)=i} gbar_p - sum_{p: j(p)=i} gbar_p`` and
``W = -sum_p d_p (x) gbar_p`` (the same convention as the pair forces, ``W = sum r_ij (x) f_ij``).

Units are those of the training data (LJ reduced units for ``md-lj-forces``; nm and kJ/mol for the
molecular suite's usual systems).
"""

import numpy as np

import autodiff as ad
import autodiff.numpy as anp
from autodiff.kernels import register_kernel
from mindscience.coupling import check_neural_term, load_term, save_term
from mindscience.errors import InputError, check_range
from mindscience.nn import MLP, Adam
from molecular.forces import _neural_kernels as K
from molecular.forces.base import Force
from molecular.neighbors import NeighborList

__all__ = ["PairGraph", "SymmetryFunctions", "RepulsiveCore", "BehlerParrinello", "NeuralPotential", "pair_graph",
           "train_energy_force", "force_rmse", "delta_targets"]


# ---------------------------------------------------------------- differentiable descriptor primitive
# The reverse pass never forms the (P, M, 3) Jacobian: bp_descriptor_vjp recomputes each term's derivative and
# contracts it with dE/dG in one sweep (dE/dd = sum_m dE/dG_m dG_m/dd). It and bp_descriptor_jvp are linear in
# their first argument and each other's transpose, so derivatives of any order in the weights (force matching)
# work. The geometry enters them through bp_descriptor_jacobian, an identity without derivative rules:
# differentiating the descriptors twice in the geometry (Hessians of the NN energy) raises autodiff's
# UnsupportedOperationError instead of silently dropping terms.
def _static_args(static):
    center, nbtype, start, pairidx, radial, angular, cfg = static
    return center, nbtype, start, pairidx, radial, angular, float(cfg[0]), int(cfg[1]), int(cfg[2])


def _desc_kernel(d, *static):
    g, _ = K.descriptors(d, *_static_args(static), False)
    return g


def _vjp_kernel(gbar, d, *static):
    return K.descriptors_vjp(np.ascontiguousarray(gbar, dtype=np.float64), d, *_static_args(static))


def _jvp_kernel(t, d, *static):
    return K.descriptors_jvp(np.ascontiguousarray(t, dtype=np.float64), d, *_static_args(static))


_geometry = register_kernel("bp_descriptor_jacobian", lambda d: d)
descriptor_vjp = register_kernel(
    "bp_descriptor_vjp", _vjp_kernel, n_args=9,
    vjp=lambda c, ans, gbar, d, *static: (descriptor_jvp(c, d, *static),) + (None,) * (len(static) + 1),
    jvp=lambda primals, tangents: descriptor_vjp(tangents[0], *primals[1:]))
descriptor_jvp = register_kernel(
    "bp_descriptor_jvp", _jvp_kernel, n_args=9,
    vjp=lambda c, ans, t, d, *static: (descriptor_vjp(c, d, *static),) + (None,) * (len(static) + 1),
    jvp=lambda primals, tangents: descriptor_jvp(tangents[0], *primals[1:]))
descriptor_primitive = register_kernel(
    "bp_descriptors", _desc_kernel, n_args=8,
    vjp=lambda gbar, ans, d, *static: (descriptor_vjp(gbar, _geometry(d), *static),) + (None,) * len(static),
    jvp=lambda primals, tangents: descriptor_jvp(tangents[0], _geometry(primals[0]), *primals[1:]))


def _core_energy_kernel(d, cfg):
    e, _ = K.core_pairs(np.ascontiguousarray(d, dtype=np.float64), cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], False)
    return e


def _core_grad_kernel(d, cfg):
    _, g = K.core_pairs(np.ascontiguousarray(d, dtype=np.float64), cfg[0], cfg[1], cfg[2], cfg[3], cfg[4], True)
    return g


# per-row core energies (P,); the gradient kernel has no derivative rules (core Hessians raise, as for descriptors)
_core_grad = register_kernel("bp_core_grad", _core_grad_kernel, n_args=2)
core_primitive = register_kernel(
    "bp_core", _core_energy_kernel, n_args=2,
    vjp=lambda gbar, ans, d, cfg: (anp.reshape(gbar, (-1, 1)) * _core_grad(d, cfg), None))


class RepulsiveCore:
    """Fixed short-range repulsive pair prior ``u(r) = epsilon (sigma / r)^power S(r)``.

    ``S`` is the C2 switch of :func:`molecular.forces._neural_kernels.core_switch`: 1 for ``r <= r_on``,
    0 for ``r >= r_off`` (energy, force and force derivative continuous). Added to a neural potential's
    energy, it keeps atoms apart where the training data has no pairs (the network alone is unconstrained
    there and may turn attractive); the network is then trained on the residual ``data - core``.

    Parameters
    ----------
    sigma : float
        Length scale, length unit (> 0).
    epsilon : float
        Energy scale, energy unit (>= 0).
    r_on, r_off : float
        Switch interval, length unit, ``0 <= r_on < r_off`` (``r_off`` at most the model's cutoff).
    power : float
        Exponent (> 0; 12: the Lennard-Jones repulsion).

    Examples
    --------
    >>> core = RepulsiveCore(sigma=1.0, epsilon=4.0, r_on=0.7, r_off=0.88)
    >>> round(core.pair_energy(0.7), 3), core.pair_energy(0.9)
    (288.99, 0.0)
    """

    def __init__(self, sigma, epsilon, r_on, r_off, power=12.0):
        self.sigma = check_range("core sigma", float(sigma), 0.0, None, low_open=True)
        self.epsilon = check_range("core epsilon", float(epsilon), 0.0, None)
        self.r_on = check_range("core r_on", float(r_on), 0.0, None)
        self.r_off = check_range("core r_off", float(r_off), self.r_on, None, low_open=True)
        self.power = check_range("core power", float(power), 0.0, None, low_open=True)
        self._cfg = np.array([self.sigma, self.epsilon, self.power, self.r_on, self.r_off])

    @classmethod
    def coerce(cls, core):
        """``None``, a :class:`RepulsiveCore` or a dict of its parameters -> ``None`` or a :class:`RepulsiveCore`."""
        if core is None or isinstance(core, cls):
            return core
        if isinstance(core, dict):
            allowed = {"sigma", "epsilon", "r_on", "r_off", "power"}
            if not set(core) <= allowed or not {"sigma", "epsilon", "r_on", "r_off"} <= set(core):
                raise InputError(f"core keys {sorted(core)}; allowed: sigma, epsilon, r_on, r_off (required), power")
            return cls(**core)
        raise InputError(f"core={core!r}; allowed: None, a RepulsiveCore or a dict of its parameters")

    def pair_energy(self, r):
        """``u(r)`` of one pair distance (float, energy unit)."""
        d = np.array([[float(r), 0.0, 0.0]])
        return float(2.0 * K.core_pairs(d, *self._cfg, False)[0][0])

    def row_energies(self, d):
        """Per-row energies (P,) of a directed pair list ``d`` (P, 3) (half a pair each; differentiable)."""
        return core_primitive(d, self._cfg)

    def rows(self, d):
        """Plain arrays ``(e (P,), de/dd (P, 3))`` of a directed pair list."""
        return K.core_pairs(np.ascontiguousarray(d, dtype=np.float64), *self._cfg, True)

    def hyperparameters(self):
        return {"sigma": self.sigma, "epsilon": self.epsilon, "r_on": self.r_on, "r_off": self.r_off,
                "power": self.power}


# ---------------------------------------------------------------- geometry
class PairGraph:
    """Directed pair list within a cutoff, rows sorted by centre atom (non-differentiable context).

    Attributes
    ----------
    center, neighbor : int64 (P,)
        Atoms ``i`` and ``j`` of row ``p`` (both directions of each pair are listed).
    start : int64 (N + 1,)
        Rows of atom ``i`` are ``start[i]:start[i+1]``.
    types : int64 (N,)
        Element of every atom.
    shift : float64 (P, 3)
        Constant image shift: ``d_p = x[j] - x[i] + shift[p]`` for the positions the graph was built from.
    config : int64 (N,)
        Configuration index of every atom (all zero for one configuration; batches of disjoint
        configurations are concatenated by :meth:`concatenate`).
    """

    def __init__(self, center, neighbor, types, shift, config=None):
        self.center = np.ascontiguousarray(center, dtype=np.int64)
        self.neighbor = np.ascontiguousarray(neighbor, dtype=np.int64)
        self.types = np.ascontiguousarray(types, dtype=np.int64)
        self.shift = np.ascontiguousarray(shift, dtype=np.float64)
        n = self.types.shape[0]
        if self.center.size and np.any(np.diff(self.center) < 0):
            raise InputError("PairGraph rows must be sorted by centre atom")
        self.start = np.concatenate([[0], np.cumsum(np.bincount(self.center, minlength=n))]).astype(np.int64)
        self.config = np.zeros(n, dtype=np.int64) if config is None else np.asarray(config, dtype=np.int64)
        self.n_configs = int(self.config.max()) + 1 if n else 0

    @property
    def n_atoms(self):
        return self.types.shape[0]

    def displacements(self, positions):
        """``d_p = x[j] - x[i] + shift`` (P, 3); differentiable in ``positions`` (N, 3)."""
        return anp.getitem(positions, self.neighbor) - anp.getitem(positions, self.center) + self.shift

    def forces(self, gbar):
        """Forces (N, 3) = minus the position gradient from ``gbar = dE/dd`` (P, 3) (autodiff-differentiable)."""
        z = np.zeros((self.n_atoms, 3))
        return anp.index_add(z, self.center, gbar) - anp.index_add(z, self.neighbor, gbar)

    @staticmethod
    def concatenate(graphs):
        """One graph of disjoint configurations (atoms renumbered, ``config`` set)."""
        off = np.cumsum([0] + [g.n_atoms for g in graphs])
        return PairGraph(np.concatenate([g.center + o for g, o in zip(graphs, off)]),
                         np.concatenate([g.neighbor + o for g, o in zip(graphs, off)]),
                         np.concatenate([g.types for g in graphs]),
                         np.concatenate([g.shift for g in graphs]),
                         np.concatenate([np.full(g.n_atoms, k) for k, g in enumerate(graphs)]))


def _graph_from_list(x, types, nbr, code, nn, shifts, cutoff):
    center, neighbor, shift, d = K.pair_rows(x, nbr, code, np.asarray(nn, dtype=np.int64), shifts, float(cutoff))
    return PairGraph(center, neighbor, types, shift), d


def pair_graph(positions, box, cutoff, types=None):
    """Pair graph and displacements of one configuration.

    Parameters
    ----------
    positions : array_like (N, 3)
        Length unit of the model.
    box : Box, array_like (3,) or (3, 3), or None
        Periodic cell (None: open boundaries).
    cutoff : float
        Pairs with ``|d| < cutoff`` are listed (at most half the smallest box width).
    types : array_like (N,), optional
        Element of every atom (default all 0).

    Returns
    -------
    graph : PairGraph
    d : ndarray (P, 3)
        Displacements ``r_j - r_i`` (minimum-image or explicit periodic images).
    """
    from molecular.system import Box, System

    x = np.ascontiguousarray(positions, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 3:
        raise InputError(f"positions has shape {x.shape}; allowed: (N, 3)")
    types = np.zeros(x.shape[0], dtype=np.int64) if types is None else np.asarray(types, dtype=np.int64)
    if types.shape != (x.shape[0],) or (types.size and types.min() < 0):
        raise InputError(f"types has shape {types.shape} (min {types.min() if types.size else 0}); allowed: (N,) "
                         "non-negative element indices")
    if box is None:  # open boundaries: all pairs (clusters are small; cell lists degenerate for flat ones)
        d = x[None, :, :] - x[:, None, :]
        r2 = np.einsum("ijk,ijk->ij", d, d)
        np.fill_diagonal(r2, np.inf)
        ii, jj = np.nonzero(r2 < cutoff * cutoff)
        return PairGraph(ii, jj, types, np.zeros((ii.size, 3))), np.ascontiguousarray(d[ii, jj])
    if not isinstance(box, Box):
        box = Box(box)
    xw, nbr, code, nn, shifts = NeighborList(cutoff, skin=0.0).data(System(x, box=box))
    graph, d = _graph_from_list(xw, types, nbr, code, nn, shifts, cutoff)
    # the shift is stored relative to the *given* positions, so displacements(positions) reproduces d
    graph.shift = np.ascontiguousarray(d - (x[graph.neighbor] - x[graph.center]))
    return graph, d


# ---------------------------------------------------------------- descriptors
class SymmetryFunctions:
    """Behler-Parrinello atom-centred symmetry functions (element-resolved).

    Parameters
    ----------
    cutoff : float
        ``r_c`` of the cosine cutoff, length unit.
    radial : array_like (n_rad, 2)
        ``(eta [length^-2], r_s [length])`` of each G2 function.
    angular : array_like (n_ang, 3)
        ``(eta [length^-2], zeta >= 1, lambda = +-1)`` of each angular function (may be empty).
    kind : {"G4", "G5"}
        Angular form: G4 includes the ``r_jk`` exponential and cutoff, G5 does not.
    n_elements : int
        Number of elements; columns are resolved by neighbour element (pair) as in
        :mod:`molecular.forces._neural_kernels`.

    Examples
    --------
    >>> sf = SymmetryFunctions.default(cutoff=2.5, n_radial=4, n_angular=2)
    >>> sf.n_features
    6
    """

    def __init__(self, cutoff, radial, angular=(), kind="G4", n_elements=1):
        self.cutoff = check_range("cutoff", float(cutoff), 0.0, None, low_open=True)
        self.radial = np.asarray(radial, dtype=np.float64).reshape(-1, 2)
        self.angular = np.asarray(angular, dtype=np.float64).reshape(-1, 3)
        if kind not in ("G4", "G5"):
            raise InputError(f"kind={kind!r}; allowed: 'G4', 'G5'")
        self.kind = kind
        self.n_elements = int(check_range("n_elements", int(n_elements), 1, None))
        if self.radial.shape[0] + self.angular.shape[0] == 0:
            raise InputError("no symmetry functions: give at least one radial or angular set")
        if np.any(self.radial[:, 0] < 0):
            raise InputError(f"radial eta {self.radial[:, 0].tolist()} must be >= 0")
        if np.any(self.angular[:, 0] < 0) or np.any(self.angular[:, 1] < 1):
            raise InputError(f"angular (eta, zeta) {self.angular[:, :2].tolist()}: allowed eta >= 0, zeta >= 1")
        if np.any(np.abs(np.abs(self.angular[:, 2]) - 1) > 0):
            raise InputError(f"angular lambda {self.angular[:, 2].tolist()}; allowed: +1 or -1")
        t = self.n_elements
        self.pairidx = np.zeros((t, t), dtype=np.int64)
        k = 0
        for a in range(t):
            for b in range(a, t):
                self.pairidx[a, b] = self.pairidx[b, a] = k
                k += 1
        self._cfg = np.array([self.cutoff, 4.0 if kind == "G4" else 5.0, float(t)])

    @classmethod
    def default(cls, cutoff, n_radial=12, n_angular=4, r_min=None, kind="G5", n_elements=1):
        """A generic set: ``n_radial`` Gaussians with centres evenly spaced in ``[r_min, cutoff)`` and width
        about their spacing, plus ``n_angular`` G4/G5 functions with ``zeta`` in 1, 2, 4, ... and
        ``lambda = +-1`` (``r_min`` defaults to ``0.3 cutoff``)."""
        r_min = 0.3 * cutoff if r_min is None else float(r_min)
        rs = np.linspace(r_min, cutoff, n_radial + 1)[:-1]
        step = rs[1] - rs[0] if n_radial > 1 else cutoff - r_min
        radial = np.stack([np.full(n_radial, 0.5 / step**2), rs], axis=1)
        eta_a = 0.5 / cutoff**2
        angular = [(eta_a, 2.0 ** (k // 2), 1.0 if k % 2 == 0 else -1.0) for k in range(n_angular)]
        return cls(cutoff, radial, angular, kind=kind, n_elements=n_elements)

    @property
    def n_features(self):
        t = self.n_elements
        return self.radial.shape[0] * t + self.angular.shape[0] * t * (t + 1) // 2

    def _static(self, graph):
        if graph.types.size and graph.types.max() >= self.n_elements:
            raise InputError(f"atom types go up to {graph.types.max()}; the descriptors know {self.n_elements} "
                             f"elements (0..{self.n_elements - 1})")
        nbtype = graph.types[graph.neighbor]
        return (graph.center, nbtype, graph.start, self.pairidx, self.radial, self.angular, self._cfg)

    def __call__(self, d, graph):
        """Descriptors ``G`` (N, n_features) of displacements ``d`` (P, 3) (a differentiable primitive)."""
        return descriptor_primitive(d, *self._static(graph))

    def jacobian(self, d, graph):
        """Plain arrays ``(G (N, M), dG/dd (P, M, 3))`` (row ``p`` holds ``dG[center[p]] / dd[p]``)."""
        static = self._static(graph)
        g, jac = K.descriptors(np.ascontiguousarray(d, dtype=np.float64), *static[:-1], self.cutoff,
                               int(self._cfg[1]), self.n_elements, True)
        return g, jac

    def hyperparameters(self):
        return {"cutoff": self.cutoff, "radial": self.radial.tolist(), "angular": self.angular.tolist(),
                "kind": self.kind, "n_elements": self.n_elements}


# ---------------------------------------------------------------- model
class BehlerParrinello:
    """Behler-Parrinello neural-network potential (a :class:`mindscience.coupling.NeuralTerm`).

    Parameters
    ----------
    cutoff : float
        Descriptor cutoff, length unit.
    radial, angular, kind, n_elements :
        See :class:`SymmetryFunctions`; ``radial=None`` uses :meth:`SymmetryFunctions.default`
        (12 radial, 4 angular G5 functions).
    hidden : sequence of int
        Hidden-layer widths of each element's MLP.
    activation : str
        Hidden activation (``mindscience.nn`` name).
    seed : int
        Seed of the weight initialisation.
    core : RepulsiveCore or dict, optional
        Fixed repulsive pair prior added to the network energy (default none); the network is trained on
        the residual (:func:`train_energy_force`). Saved with the hyperparameters.

    Attributes
    ----------
    params : dict
        ``{"networks": [MLP params per element], "bias": (T,)}`` (trainable).
    state : dict
        ``mean``, ``std`` (M,) feature scaling and ``scale`` (1,) energy scale, fitted by
        :meth:`fit_scaling` (fixed during training).

    Examples
    --------
    >>> import numpy as np
    >>> model = BehlerParrinello(cutoff=1.6, hidden=(8,), radial=[(4.0, 1.0)], angular=[(0.1, 1.0, 1.0)])
    >>> e, forces, virial = model.energy_forces_virial(np.array([[0, 0, 0], [1.0, 0, 0], [0, 1.1, 0]]), None)
    >>> forces.shape, bool(np.allclose(forces.sum(axis=0), 0.0))
    ((3, 3), True)
    """

    def __init__(self, cutoff, radial=None, angular=None, kind="G5", n_elements=1, hidden=(32, 32),
                 activation="tanh", seed=0, core=None):
        self.core = RepulsiveCore.coerce(core)
        if self.core is not None and self.core.r_off > float(cutoff):
            raise InputError(f"core r_off={self.core.r_off} exceeds cutoff={cutoff}; allowed: r_off <= cutoff "
                             "(the core acts on the model's pair graph)")
        if radial is None:
            sf = SymmetryFunctions.default(cutoff, kind=kind, n_elements=n_elements)
            radial, angular = sf.radial, sf.angular if angular is None else angular
        self.descriptors = SymmetryFunctions(cutoff, radial, () if angular is None else angular, kind, n_elements)
        self.hidden = [int(check_range("hidden[i]", int(h), 1, None)) for h in hidden]
        if not isinstance(activation, str):
            raise InputError(f"activation={activation!r}; allowed: a mindscience.nn activation name (saved with the "
                             "model's hyperparameters)")
        self.activation = activation
        self.seed = int(seed)
        m = self.descriptors.n_features
        self.networks = [MLP([m, *self.hidden, 1], activation=activation) for _ in range(n_elements)]
        rng = np.random.default_rng(self.seed)
        self.params = {"networks": [net.init(rng) for net in self.networks], "bias": np.zeros(n_elements)}
        self.state = {"mean": np.zeros(m), "std": np.ones(m), "scale": np.ones(1)}

    @property
    def cutoff(self):
        return self.descriptors.cutoff

    @property
    def n_elements(self):
        return self.descriptors.n_elements

    def hyperparameters(self):
        hp = self.descriptors.hyperparameters()
        hp.update({"hidden": list(self.hidden), "activation": self.activation, "seed": self.seed})
        if self.core is not None:  # absent key = no core (files written before the core existed)
            hp["core"] = self.core.hyperparameters()
        return hp

    def fit_scaling(self, features, energies=None, n_atoms=None):
        """Set the feature scaling from descriptors (N, M) and the energy scale/bias from per-atom energies.

        Parameters
        ----------
        features : ndarray (N, M)
        energies : ndarray (S,), optional
            Reference energies of ``S`` configurations.
        n_atoms : ndarray (S,), optional
            Atoms per configuration (with ``energies``; single-element bias only).
        """
        features = np.asarray(features, dtype=np.float64)
        std = features.std(axis=0)
        self.state = {"mean": features.mean(axis=0), "std": np.maximum(std, 1e-3 * max(std.max(), 1e-12)),
                      "scale": np.ones(1)}
        if energies is not None:
            e_atom = np.asarray(energies, dtype=np.float64) / np.asarray(n_atoms, dtype=np.float64)
            self.state["scale"] = np.array([max(float(e_atom.std()), 1e-3 * max(abs(float(e_atom.mean())), 1.0))])
            self.params["bias"] = np.full(self.n_elements, float(e_atom.mean()))

    def atomic_energies_from_features(self, params, features, types):
        """Per-atom energies (N,) from descriptors (N, M) (autodiff-differentiable in both)."""
        z = (features - self.state["mean"]) / self.state["std"]
        out = anp.getitem(params["bias"], types)
        for t, net in enumerate(self.networks):
            idx = np.nonzero(types == t)[0]
            if idx.size == 0:
                continue
            e_t = net.apply(params["networks"][t], anp.getitem(z, idx))[:, 0] * self.state["scale"][0]
            out = anp.index_add(out, idx, e_t)
        return out

    def energy(self, params, d, graph):
        """Total energy of the configuration(s) in ``graph`` at displacements ``d`` (P, 3)
        (summed over all configurations of a concatenated graph), repulsive core included."""
        e = anp.sum(self.atomic_energies_from_features(params, self.descriptors(d, graph), graph.types))
        if self.core is not None:
            e = e + anp.sum(self.core.row_energies(d))
        return e

    def config_energies(self, params, d, graph):
        """Energies (S,) of the ``S`` configurations of a concatenated graph, repulsive core included."""
        e = self.atomic_energies_from_features(params, self.descriptors(d, graph), graph.types)
        out = anp.index_add(np.zeros(graph.n_configs), graph.config, e)
        if self.core is not None:
            out = anp.index_add(out, graph.config[graph.center], self.core.row_energies(d))
        return out

    def core_energies_forces(self, d, graph):
        """Core energies (S,) and forces (N, 3) of a (concatenated) graph (zeros without a core)."""
        e = np.zeros(graph.n_configs)
        f = np.zeros((graph.n_atoms, 3))
        if self.core is None:
            return e, f
        rows, gbar = self.core.rows(d)
        e = np.bincount(graph.config[graph.center], rows, graph.n_configs)
        for c in range(3):
            f[:, c] = (np.bincount(graph.center, gbar[:, c], graph.n_atoms)
                       - np.bincount(graph.neighbor, gbar[:, c], graph.n_atoms))
        return e, f

    def energy_forces_virial(self, positions, box, types=None, params=None):
        """Energy, forces (N, 3) and virial (3, 3) of one configuration (helper for tests and analysis)."""
        graph, d = pair_graph(positions, box, self.cutoff, types)
        return _evaluate(self, self.params if params is None else params, d, graph)

    def save(self, path, attrs=None):
        """Write weights, scaling and hyperparameters to HDF5 (see :func:`mindscience.coupling.save_term`)."""
        save_term(path, self, attrs=attrs)

    @classmethod
    def load(cls, path):
        """Rebuild a model written by :meth:`save`."""
        return load_term(path, cls)


def _evaluate(model, params, d, graph):
    e, gbar = ad.value_and_grad(lambda dd: model.energy(params, dd, graph))(d)
    gbar = np.asarray(gbar)
    forces = np.zeros((graph.n_atoms, 3))
    for c in range(3):
        forces[:, c] = (np.bincount(graph.center, gbar[:, c], graph.n_atoms)
                        - np.bincount(graph.neighbor, gbar[:, c], graph.n_atoms))
    virial = -d.T @ gbar
    return float(e), forces, virial


# ---------------------------------------------------------------- Force
class NeuralPotential(Force):
    """A neural-network potential as a Force of the molecular suite.

    Parameters
    ----------
    model : NeuralTerm with ``cutoff`` and ``energy(params, d, graph)``
        E.g. a trained :class:`BehlerParrinello`. Its units must be the system's.
    name : str, optional
        Key in ``ForceResult.terms``.

    Examples
    --------
    >>> from molecular import ForceField, lattice
    >>> model = BehlerParrinello(cutoff=1.5, hidden=(4,), radial=[(2.0, 1.0)], angular=[])
    >>> system = lattice("fcc", 2, density=0.8)
    >>> result = ForceField([NeuralPotential(model)], skin=0.2).compute(system, virial=True)
    >>> result.forces.shape, result.virial.shape
    ((32, 3), (3, 3))
    """

    def __init__(self, model, name=None):
        self.model = check_neural_term(model)
        self.cutoff = check_range("model.cutoff", float(model.cutoff), 0.0, None, low_open=True)
        self.name = name or "NeuralPotential"

    def setup(self, system):
        if system.n_types > self.model.n_elements:
            raise InputError(f"system has {system.n_types} atom types; the model knows {self.model.n_elements}")

    def compute(self, system, neighbors, virial=False):
        xw, nbr, code, nn, shifts = neighbors.data(system)
        graph, d = _graph_from_list(xw, np.asarray(system.types), nbr, code, nn, shifts, self.cutoff)
        e, f, w = _evaluate(self.model, self.model.params, d, graph)
        return e, f, (w if virial else None)


# ---------------------------------------------------------------- training
def batch_graph(positions, boxes, cutoff, types=None):
    """One :class:`PairGraph` of S snapshots (configurations numbered 0..S-1) and its pair vectors.

    Parameters
    ----------
    positions : array (S, N, 3), nm (or reduced)
    boxes : array (S, 3) or (S, 3, 3), same length unit
    cutoff : float
    types : array (N,), optional

    Returns
    -------
    graph : PairGraph
    d : ndarray (P, 3), pair vectors of all snapshots
    """
    graphs, ds = zip(*(pair_graph(positions[k], boxes[k], cutoff, types) for k in range(positions.shape[0])))
    return PairGraph.concatenate(list(graphs)), np.concatenate(ds)


def _batch(model, positions, boxes, types):
    graph, d = batch_graph(positions, boxes, model.cutoff, types)
    feats, jac = model.descriptors.jacobian(d, graph)
    return graph, d, feats, jac


def _predict(model, params, graph, feats, jac):
    """Configuration energies (S,) and forces (N, 3) from cached descriptors and Jacobians."""
    def e_of(f):
        return anp.sum(model.atomic_energies_from_features(params, f, graph.types))

    atom_e = model.atomic_energies_from_features(params, feats, graph.types)
    energies = anp.index_add(np.zeros(graph.n_configs), graph.config, atom_e)
    gfeat = ad.grad(e_of)(feats)
    gbar = anp.einsum("pm,pmk->pk", anp.getitem(gfeat, graph.center), jac)
    return energies, graph.forces(gbar)


def force_rmse(model, data, params=None):
    """Root-mean-square force error of ``model`` on a data set (force unit of the data).

    Parameters
    ----------
    model : BehlerParrinello
    data : dict
        ``positions`` (S, N, 3), ``forces`` (S, N, 3), ``box`` (S, 3) or (S, 3, 3); optional ``types`` (N,).

    Returns
    -------
    float
    """
    graph, d, feats, jac = _batch(model, np.asarray(data["positions"]), np.asarray(data["box"]), data.get("types"))
    _, f = _predict(model, model.params if params is None else params, graph, feats, jac)
    f = np.asarray(f) + _core_of(model, d, graph)[1]
    return float(np.sqrt(np.mean((f - np.asarray(data["forces"]).reshape(-1, 3)) ** 2)))


def _core_of(model, d, graph):
    """Core energies (S,) and forces (N, 3) of a model with or without ``core_energies_forces``."""
    if getattr(model, "core", None) is None:
        return np.zeros(graph.n_configs), np.zeros((graph.n_atoms, 3))
    return model.core_energies_forces(d, graph)


def train_energy_force(model, data, steps=200, lr=3e-3, force_weight=1.0, energy_weight=0.1, lbfgs_steps=0,
                       callback=None):
    """Fit ``model`` by energy + force matching (Adam, then optional L-BFGS); updates ``model.params``.

    The loss is ``energy_weight * mean(((E - E_ref) / N)^2) / var(E_ref / N) + force_weight *
    mean((F - F_ref)^2) / mean(F_ref^2)``, with forces minus the autodiff gradient of the energy through
    the descriptor Jacobian. Descriptors and their Jacobians of the (fixed) training configurations are
    computed once by the same kernels; the feature scaling is fitted first. With a repulsive core
    (``model.core``) the network is fitted to ``E_ref - E_core`` and ``F_ref - F_core`` (the core is fixed,
    so the total ``E_core + E_NN`` matches the data exactly as the network alone does without a core).

    Parameters
    ----------
    model : BehlerParrinello
    data : dict
        ``positions`` (S, N, 3), ``forces`` (S, N, 3), ``energy`` (S,), ``box`` (S, 3) or (S, 3, 3); optional
        ``types`` (N,). E.g. ``datasets.load("md-lj-forces", ...).arrays()``.
    steps : int
        Adam steps (full batch).
    lr : float
        Adam learning rate.
    force_weight, energy_weight : float
        Loss weights (>= 0).
    lbfgs_steps : int
        L-BFGS iterations after Adam (0: none).
    callback : callable, optional
        ``callback(step, loss)``.

    Returns
    -------
    dict
        ``{"loss": [...], "force_rmse": float, "energy_rmse_per_atom": float}`` on the training data.
    """
    from mindscience.nn import lbfgs

    pos = np.asarray(data["positions"], dtype=np.float64)
    if pos.ndim != 3 or pos.shape[2] != 3:
        raise InputError(f"data['positions'] has shape {pos.shape}; allowed: (S, N, 3)")
    f_ref = np.asarray(data["forces"], dtype=np.float64).reshape(-1, 3)
    e_ref = np.asarray(data["energy"], dtype=np.float64).reshape(-1)
    if f_ref.shape[0] != pos.shape[0] * pos.shape[1] or e_ref.shape[0] != pos.shape[0]:
        raise InputError("data['forces'] / data['energy'] do not match data['positions'] (S, N, 3)")
    check_range("force_weight", float(force_weight), 0.0, None)
    check_range("energy_weight", float(energy_weight), 0.0, None)
    n_atoms = pos.shape[1]
    graph, d, feats, jac = _batch(model, pos, np.asarray(data["box"]), data.get("types"))
    e_core, f_core = _core_of(model, d, graph)
    e_ref, f_ref = e_ref - e_core, f_ref - f_core  # the network fits the residual
    model.fit_scaling(feats, e_ref, np.full(e_ref.shape, n_atoms))
    e_var = max(float(np.var(e_ref / n_atoms)), 1e-12)
    f_ms = max(float(np.mean(f_ref**2)), 1e-12)

    def loss(params):
        e, f = _predict(model, params, graph, feats, jac)
        le = anp.mean(((e - e_ref) / n_atoms) ** 2) / e_var
        lf = anp.mean((f - f_ref) ** 2) / f_ms
        return energy_weight * le + force_weight * lf

    vg = ad.value_and_grad(loss)
    opt = Adam(lr)
    params = model.params
    st = opt.init(params)
    history = []
    for k in range(int(steps)):
        val, g = vg(params)
        params, st = opt.update(g, st, params)
        history.append(float(val))
        if callback is not None:
            callback(k, float(val))
    if lbfgs_steps:
        def vg_float(p):
            val, g = vg(p)
            return float(val), g

        params, _ = lbfgs(vg_float, params, maxiter=int(lbfgs_steps),
                          callback=None if callback is None else (lambda it, val: callback(steps + it, val)))
    model.params = params
    e, f = _predict(model, params, graph, feats, jac)
    return {"loss": history, "force_rmse": float(np.sqrt(np.mean((np.asarray(f) - f_ref) ** 2))),
            "energy_rmse_per_atom": float(np.sqrt(np.mean(((np.asarray(e) - e_ref) / n_atoms) ** 2)))}


# ---------------------------------------------------------------- Delta-learning
def delta_targets(data, base, skin=0.3):
    """Labels minus those of a classical base force field: what a learned correction must fit.

    Delta-learning: the hybrid model is ``ForceField([*base, NeuralPotential(correction)])``, the
    classical terms plus a network trained (:func:`train_energy_force`) on these residuals. Energies,
    forces and (if present) virials are replaced by ``reference - base``; other fields are copied.

    Parameters
    ----------
    data : dict
        ``positions`` (S, N, 3), ``forces`` (S, N, 3), ``energy`` (S,), ``box`` (S, 3) or (S, 3, 3);
        optional ``virial`` (S, 3, 3) and ``types`` (N,).
    base : Force or sequence of Force
        The classical part (units of the data).
    skin : float
        Neighbour-list skin used to evaluate ``base`` (length unit).

    Returns
    -------
    dict
        A copy of ``data`` with residual ``energy``, ``forces`` (and ``virial``), plus ``base_energy``
        (S,) and ``base_forces`` (S, N, 3).

    Examples
    --------
    >>> import numpy as np
    >>> from molecular import WCA, lattice
    >>> s = lattice("fcc", 2, density=0.8)
    >>> data = {"positions": s.positions[None], "forces": np.zeros((1, 32, 3)), "energy": np.zeros(1),
    ...         "box": np.diag(s.box.h)[None]}
    >>> delta_targets(data, WCA())["forces"].shape
    (1, 32, 3)
    """
    from molecular.forces.base import ForceField
    from molecular.system import Box, System

    pos = np.asarray(data["positions"], dtype=np.float64)
    if pos.ndim != 3 or pos.shape[2] != 3:
        raise InputError(f"data['positions'] has shape {pos.shape}; allowed: (S, N, 3)")
    ff = ForceField(base, skin=skin)
    types = data.get("types")
    e_base = np.empty(pos.shape[0])
    f_base = np.empty_like(pos)
    w_base = np.empty((pos.shape[0], 3, 3))
    for k in range(pos.shape[0]):
        res = ff.compute(System(pos[k], box=Box(np.asarray(data["box"][k])), types=types), virial=True)
        e_base[k], f_base[k], w_base[k] = res.energy, res.forces, res.virial
    out = dict(data)
    out["energy"] = np.asarray(data["energy"], dtype=np.float64) - e_base
    out["forces"] = np.asarray(data["forces"], dtype=np.float64).reshape(pos.shape) - f_base
    if "virial" in data:
        out["virial"] = np.asarray(data["virial"], dtype=np.float64) - w_base
    out["base_energy"], out["base_forces"] = e_base, f_base
    return out
