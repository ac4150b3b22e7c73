"""SchNet message-passing neural-network potential (continuous-filter convolutions) as a Force.

Schütt et al., J. Chem. Phys. 148, 241722 (2018). Every atom starts from a learned embedding of its
element, ``h_i^0 = emb[t_i]`` (F features), and ``n_interactions`` blocks update it:

.. math::

    W_p = \\mathrm{MLP}_\\ell(e(r_p))\\, f_c(r_p), \\qquad
    m_i = \\sum_{p:\\, i(p) = i} W_p \\odot (h^{\\ell} A_\\ell)_{j(p)}, \\qquad
    h_i^{\\ell+1} = h_i^{\\ell} + \\mathrm{MLP}'_\\ell(m_i)

with the Gaussian radial basis ``e_k(r) = exp(-gamma (r - mu_k)^2)`` (``mu_k`` evenly spaced in
``[0, r_c]``), the cosine cutoff ``f_c(r) = (cos(pi r / r_c) + 1) / 2`` (so the energy and forces go
smoothly to zero at ``r_c``), filter-generating MLPs ``K -> F -> F`` and atom-wise MLPs ``F -> F -> F``
with the shifted softplus ``ssp(x) = ln(0.5 e^x + 0.5)``. The energy is
``E = sum_i [s * MLP_out(h_i) + b_{t_i}]`` (``MLP_out``: ``F -> F/2 -> 1``).

The filter network and the convolution are one fused numba primitive, :func:`filter_conv`
(:mod:`molecular.forces._schnet_kernels`): per chunk of pair rows the kernel evaluates the Gaussians (a
three-exponential recurrence), the filter MLP (small BLAS products) and the cosine cutoff, and scatters
``W_p * y_j`` into ``m_i``; no (P, K) or (P, F) array goes through autodiff. Its hand-written VJP gives the
cotangents of the features (the transposed convolution), of the displacements (``dW/dr`` contracted with
``m_bar_i * y_j``; forces) and of the filter weights (backpropagation through the filter MLP per chunk).
That VJP is itself a primitive whose VJP (the mixed second derivatives: the gradient of forces with respect
to the weights, what force matching needs) is a third kernel call with ``dW/dr`` and its weight derivatives
(``ssp'' = sigma (1 - sigma)``). Second derivatives in the geometry (Hessians in the positions) and pure
second derivatives in the filter weights raise :class:`autodiff.core.UnsupportedOperationError`. Within one
evaluation the sweeps share the per-pair filter intermediates through a small cache (up to
:data:`CACHE_ENTRY_BYTES` per block). The atom-wise part (embeddings, in-projections, update and readout
MLPs with the numba shifted softplus) is :mod:`autodiff.numpy`. Forces and virial come from one reverse
pass over the pair displacements ``d_p = r_j - r_i``, as for
:class:`molecular.forces.neural.NeuralPotential` (which also runs this model).
"""

import math
from collections import OrderedDict

import numba
import numpy as np

import autodiff as ad
import autodiff.numpy as anp
from autodiff.core import Primitive, UnsupportedOperationError, raw
from autodiff.kernels import register_kernel
from autodiff.reverse import defvjp_rule
from mindscience.coupling import check_neural_term, load_term, save_term
from mindscience.errors import InputError, check_range
from mindscience.nn import MLP, Adam, get_activation
from molecular.forces import _schnet_kernels as K
from molecular.forces.neural import NeuralPotential, _evaluate, batch_graph, pair_graph

__all__ = ["SchNet", "SchNetPotential", "cfconv", "filter_conv", "shifted_softplus", "train_schnet", "force_rmse",
           "predict"]



def _ssp_impl(x):
    x = np.asarray(x, dtype=np.float64)
    return K.ssp(np.ascontiguousarray(x).reshape(-1)).reshape(x.shape)


def _sigmoid_impl(x):
    x = np.asarray(x, dtype=np.float64)
    return K.sigmoid(np.ascontiguousarray(x).reshape(-1)).reshape(x.shape)


# ssp' = sigmoid, sigmoid' = sigmoid (1 - sigmoid) (written on the answer, so every order nests)
_sigmoid = register_kernel("schnet_sigmoid", _sigmoid_impl, n_args=1,
                           vjp=lambda g, ans, x: (g * ans * (1.0 - ans),),
                           jvp=lambda primals, tangents: tangents[0] * _sigmoid(primals[0])
                           * (1.0 - _sigmoid(primals[0])))
_ssp = register_kernel("schnet_ssp", _ssp_impl, n_args=1, vjp=lambda g, ans, x: (g * _sigmoid(x),),
                       jvp=lambda primals, tangents: tangents[0] * _sigmoid(primals[0]))


def shifted_softplus(x):
    """``ssp(x) = ln(0.5 e^x + 0.5) = softplus(x) - ln 2`` (zero at zero; SchNet's activation).

    A numba elementwise primitive (one exponential and one ``log1p``, stable for any ``x``) whose
    derivative is the logistic function, itself a primitive, so derivatives of any order are available.

    Examples
    --------
    >>> float(shifted_softplus(np.array(0.0)))
    0.0
    """
    return _ssp(x)


# ---------------------------------------------------------------- fused filter network + convolution
# filter_conv(y, d, W1, b1, W2, b2; graph, basis): m_i = sum_{p: dst(p)=i} Phi0(r_p) * y[src(p)], the filter
# Phi0(r) = fc(r) [ssp(e(r) W1 + b1) W2 + b2] computed per chunk of pairs inside the numba sweep.
# Its VJP is filter_conv_vjp (a multiple-result primitive: cotangents of y, d and the filter weights); the
# VJP of that (what force matching needs: forces are the d-cotangent, and their gradient with respect to the
# weights is a mixed second derivative) is a third primitive without derivative rules, so third derivatives
# and second derivatives in the geometry (Hessians in the positions) raise instead of dropping terms.
_EMPTY2 = np.zeros((0, 0))
_EMPTY1 = np.zeros(0)


def _f64(x):
    return np.ascontiguousarray(raw(x), dtype=np.float64)


_NO_CACHE = (_EMPTY2,) * 8
#: bytes of per-pair filter intermediates kept between the sweeps of one evaluation (forward, VJP, second order),
#: in all and per entry (larger problems recompute the filters in every sweep, which measured faster for them)
CACHE_BYTES = 256 * 2**20
CACHE_ENTRY_BYTES = 96 * 2**20
_cache = OrderedDict()  # key -> (copies of d and the filter weights, the 8 cache arrays); least recently used first


def _filter_cache(index, d, w1, b1, w2, b2):
    """``(flags, arrays)``: the cached filter intermediates of these displacements and weights (``K.USE``), or
    fresh arrays for the sweep to fill (``K.FILL``), or none when they would exceed :data:`CACHE_BYTES`.

    The forward pass, its VJP and the force-matching second-order sweep of one evaluation share the
    filters; entries are matched by value (copies of ``d`` and the weights), so in-place changes are safe."""
    key = (id(index), id(w1), id(w2))
    inputs = (d, w1, b1, w2, b2)
    hit = _cache.get(key)
    if hit is not None and all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(hit[0], inputs)):
        _cache.move_to_end(key)
        return K.USE, hit[1]
    nk, nf = w1.shape
    npairs = d.shape[0]
    nbytes = 8 * npairs * (2 * nk + 5 * nf + 2)
    _cache.pop(key, None)
    if nbytes > min(CACHE_BYTES, CACHE_ENTRY_BYTES):
        return 0, _NO_CACHE
    while _cache and sum(8 * v[1][0].shape[0] * sum(a.shape[1] for a in v[1]) for v in _cache.values()) + nbytes \
            > CACHE_BYTES:
        _cache.popitem(last=False)
    arrays = tuple(np.empty((npairs, c)) for c in (nk, nk, nf, nf, nf, nf, nf, 2))
    _cache[key] = (tuple(np.array(a, copy=True) for a in inputs), arrays)
    return K.FILL, arrays


def _sweep(index, basis, d, w1, b1, w2, b2, flags, s=_EMPTY1, xa=_EMPTY2, xb=_EMPTY2, ga=_EMPTY2, gb=_EMPTY2,
           pg=_EMPTY2, py=_EMPTY2, tag=_EMPTY2, tay=_EMPTY2, tbg=_EMPTY2, tby=_EMPTY2):
    src, dst, start, chunk, ord_src, st_src = index
    d, w1, b1, w2, b2 = _f64(d), _f64(w1), _f64(b1), _f64(w2), _f64(b2)
    cflag, cache = _filter_cache(index, d, w1, b1, w2, b2)
    return K.sweep(d, src, dst, start, chunk, ord_src, st_src, basis, w1, b1, w2, b2, _f64(s), _f64(xa), _f64(xb),
                   _f64(ga), _f64(gb), _f64(pg), _f64(py), _f64(tag), _f64(tay), _f64(tbg), _f64(tby), flags | cflag,
                   cache, numba.get_num_threads())


def _split_theta(theta, w1):
    """Flat weight gradient -> (dW1, db1, dW2, db2) (works on tracers: differentiable slicing)."""
    k, f = raw(w1).shape
    o1, o2, o3 = k * f, k * f + f, k * f + f + f * f
    return (anp.reshape(theta[:o1], (k, f)), theta[o1:o2], anp.reshape(theta[o2:o3], (f, f)), theta[o3:])


def _filter_conv_impl(y, d, w1, b1, w2, b2, *, index, basis):
    return _sweep(index, basis, d, w1, b1, w2, b2, K.CONV, xa=y)[0]


def _filter_conv_vjp_rule(g, ans, args, params, which):
    y, d, w1, b1, w2, b2 = args
    want = (0 in which, 1 in which, any(k in which for k in range(2, 6)))
    gy, gd, gt = _filter_conv_vjp_p.bind(g, y, d, w1, b1, w2, b2, want=want, **params)
    out = {0: gy, 1: gd}
    if want[2]:
        out.update(zip(range(2, 6), _split_theta(gt, w1)))
    return [out[k] for k in which]


def _filter_conv_vjp_impl(g, y, d, w1, b1, w2, b2, *, want, index, basis):
    flags = (K.CONVT if want[0] else 0) | (K.PAIR if want[1] else 0) | (K.THETA if want[2] else 0)
    _, gy, gd, gt = _sweep(index, basis, d, w1, b1, w2, b2, flags, ga=g, pg=g, py=y, tag=g, tay=y)
    return gy, gd, gt


def _filter_conv_vjp_vjp_rule(cts, ans, args, params, which):
    a, c, t = cts
    if 2 in which:
        raise UnsupportedOperationError("SchNet filter_conv: second derivatives in the displacements (Hessians in "
                                        "the positions) are not implemented")
    if raw(t).size and np.any(raw(t)):
        raise UnsupportedOperationError("SchNet filter_conv: second derivatives in the filter weights are not "
                                        "implemented (only the mixed weight/displacement terms of force matching)")
    g, y, d, w1, b1, w2, b2 = args
    want = (0 in which, 1 in which, any(k in which for k in range(3, 7)))
    gg, gy, gt = _filter_conv_second_p.bind(a, c, g, y, d, w1, b1, w2, b2, want=want, index=params["index"],
                                            basis=params["basis"])
    out = {0: gg, 1: gy}
    if want[2]:
        out.update(zip(range(3, 7), _split_theta(gt, w1)))
    return [out[k] for k in which]


def _filter_conv_second_impl(a, c, g, y, d, w1, b1, w2, b2, *, want, index, basis):
    # cotangents a (N, F) of the y-output and c (P, 3) of the d-output: with s_p = c_p . d_p / r_p,
    # d/dg = conv(a) + conv1(s, y), d/dy = conv1^T(s, g), d/dtheta from (g_dst a_src) on Phi0, s (g_dst y_src) on Phi1
    a, c, d = raw(a), raw(c), _f64(d)
    has_a = a.size > 0 and bool(np.any(a))
    has_c = c.size > 0 and bool(np.any(c))
    if has_c:
        r = np.sqrt(np.einsum("pk,pk->p", d, d))
        s = np.einsum("pk,pk->p", raw(c), d) / np.where(r > 0.0, r, 1.0)
    else:
        s = _EMPTY1
    a = a if has_a else _EMPTY2
    flags = (K.CONV if want[0] else 0) | (K.CONVT if want[1] else 0) | (K.THETA if want[2] else 0)
    out_dst, out_src, _, gt = _sweep(index, basis, d, w1, b1, w2, b2, flags, s=s, xa=a, xb=y, gb=g, tag=g, tay=a,
                                     tbg=g, tby=y)
    n, f = raw(y).shape
    if want[0] and out_dst.shape[0] == 0:
        out_dst = np.zeros((n, f))
    return (out_dst if want[0] else np.zeros((n, f)), out_src if want[1] else np.zeros((n, f)),
            gt if want[2] else np.zeros(0))


_filter_conv_p = Primitive("schnet_filter_conv")
_filter_conv_p.impl = _filter_conv_impl
defvjp_rule(_filter_conv_p, _filter_conv_vjp_rule)
_filter_conv_vjp_p = Primitive("schnet_filter_conv_vjp", multiple_results=True)
_filter_conv_vjp_p.impl = _filter_conv_vjp_impl
defvjp_rule(_filter_conv_vjp_p, _filter_conv_vjp_vjp_rule)
_filter_conv_second_p = Primitive("schnet_filter_conv_vjp_vjp", multiple_results=True)
_filter_conv_second_p.impl = _filter_conv_second_impl


def _filter_index(graph):
    """Index arrays of the fused sweep over ``graph`` (cached on the graph)."""
    idx = getattr(graph, "_filter_index", None)
    if idx is None:
        n = graph.n_atoms
        ord_src = np.argsort(graph.neighbor, kind="stable").astype(np.int64)
        st_src = np.concatenate([[0], np.cumsum(np.bincount(graph.neighbor, minlength=n))]).astype(np.int64)
        idx = (graph.neighbor, graph.center, graph.start, K.chunks(graph.start), ord_src, st_src)
        graph._filter_index = idx
    return idx


def filter_conv(y, d, filter_params, graph, basis):
    """Fused filter network + continuous-filter convolution ``m_i = sum_{p: center[p]=i} W(r_p) * y[neighbor[p]]``.

    ``W(r) = f_c(r) [ssp(e(r) W1 + b1) W2 + b2]`` is computed per pair inside the numba sweep (no (P, K) or
    (P, F) array); differentiable in ``y``, ``d`` and the filter weights, and the force-matching mixed second
    derivatives (weights x displacements) are available too.

    Parameters
    ----------
    y : array (N, F)
        Atom features (the convolution's input).
    d : array (P, 3)
        Pair displacements ``r_j - r_i`` of ``graph``'s rows, length unit.
    filter_params : dict
        ``{"layers": [{"W": (K, F), "b": (F,)}, {"W": (F, F), "b": (F,)}]}``.
    graph : PairGraph
    basis : ndarray (4,)
        ``(mu_0, h, gamma, r_c)``: first Gaussian centre and spacing (length), width (length^-2), cutoff.

    Returns
    -------
    array (N, F)

    Examples
    --------
    >>> from molecular.forces.neural import pair_graph
    >>> m = SchNet(1.5, n_features=4, n_rbf=5, n_interactions=1)
    >>> g, d = pair_graph(np.array([[0.0, 0, 0], [1.0, 0, 0]]), None, 1.5)
    >>> filter_conv(np.ones((2, 4)), d, m.params["interactions"][0]["filter"], g, m.basis).shape
    (2, 4)
    """
    l1, l2 = filter_params["layers"]
    return _filter_conv_p.bind(y, d, l1["W"], l1["b"], l2["W"], l2["b"], index=_filter_index(graph), basis=basis)


# ---------------------------------------------------------------- differentiable convolution primitives
# conv(x, w, src, dst, ord_src, st_src, ord_dst, st_dst): out[i] = sum_{dst[p]=i} w[p] x[src[p]] (scatter by dst)
# prod(a, b, ia, ib, ord_a, st_a, ord_b, st_b):           out[p] = a[ia[p]] b[ib[p]]
# Both are bilinear; the transposes are conv/prod with the roles of the two index sets swapped.
def _conv_impl(x, w, src, dst, ord_src, st_src, ord_dst, st_dst):
    return K.conv(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(w, dtype=np.float64), src,
                  ord_dst, st_dst)


def _prod_impl(a, b, ia, ib, ord_a, st_a, ord_b, st_b):
    return K.gather_product(np.ascontiguousarray(a, dtype=np.float64), np.ascontiguousarray(b, dtype=np.float64),
                            ia, ib)


def _conv_vjp(g, ans, x, w, src, dst, ord_src, st_src, ord_dst, st_dst):
    return (_conv(g, w, dst, src, ord_dst, st_dst, ord_src, st_src),
            _prod(g, x, dst, src, ord_dst, st_dst, ord_src, st_src)) + (None,) * 6


def _prod_vjp(g, ans, a, b, ia, ib, ord_a, st_a, ord_b, st_b):
    return (_conv(b, g, ib, ia, ord_b, st_b, ord_a, st_a),
            _conv(a, g, ia, ib, ord_a, st_a, ord_b, st_b)) + (None,) * 6


def _conv_jvp(primals, tangents):
    x, w, *idx = primals
    return _conv(tangents[0], w, *idx) + _conv(x, tangents[1], *idx)


def _prod_jvp(primals, tangents):
    a, b, *idx = primals
    return _prod(tangents[0], b, *idx) + _prod(a, tangents[1], *idx)


_conv = register_kernel("schnet_cfconv", _conv_impl, jvp=_conv_jvp, vjp=_conv_vjp, n_args=8)
_prod = register_kernel("schnet_gather_product", _prod_impl, jvp=_prod_jvp, vjp=_prod_vjp, n_args=8)


def _conv_index(graph):
    """Index arrays of the convolution over ``graph`` (cached on the graph): sources are neighbours,
    destinations centres (rows already sorted by centre)."""
    idx = getattr(graph, "_cfconv_index", None)
    if idx is None:
        n = graph.n_atoms
        ord_dst = np.arange(graph.center.size, dtype=np.int64)
        ord_src = np.argsort(graph.neighbor, kind="stable").astype(np.int64)
        st_src = np.concatenate([[0], np.cumsum(np.bincount(graph.neighbor, minlength=n))]).astype(np.int64)
        idx = (graph.neighbor, graph.center, ord_src, st_src, ord_dst, graph.start)
        graph._cfconv_index = idx
    return idx


def cfconv(x, w, graph):
    """Continuous-filter convolution ``m_i = sum_{p: center[p] = i} w[p] * x[neighbor[p]]``.

    Parameters
    ----------
    x : array (N, F)
        Atom features (differentiable).
    w : array (P, F)
        Pair filters (differentiable).
    graph : PairGraph

    Returns
    -------
    array (N, F)

    Examples
    --------
    >>> import numpy as np
    >>> from molecular.forces.neural import pair_graph
    >>> g, d = pair_graph(np.array([[0.0, 0, 0], [1.0, 0, 0]]), None, 1.5)
    >>> cfconv(np.array([[1.0], [2.0]]), np.ones((2, 1)), g)[:, 0]
    array([2., 1.])
    """
    return _conv(x, w, *_conv_index(graph))


# ---------------------------------------------------------------- model
class SchNet:
    """SchNet energy model (a :class:`mindscience.coupling.NeuralTerm`; see the module docstring).

    Parameters
    ----------
    cutoff : float
        ``r_c``, length unit (interactions and filters vanish beyond it).
    n_features : int
        ``F``, width of the atom features and filters.
    n_rbf : int
        ``K``, Gaussians of the radial basis (centres evenly spaced on ``[0, r_c]``).
    n_interactions : int
        Interaction blocks.
    n_elements : int
        Number of elements (embedding rows).
    gamma : float, optional
        Width parameter of the Gaussians, length^-2 (default ``1 / (2 h^2)`` with the centre spacing
        ``h = r_c / (K - 1)``: neighbouring Gaussians cross at ``exp(-1/16)``).
    activation : str
        Activation of the atom-wise networks: ``"ssp"`` (shifted softplus, default) or a
        :mod:`mindscience.nn` activation name (the filter networks always use ``ssp``, inside the fused kernel).
    seed : int
        Seed of the weight initialisation.

    Attributes
    ----------
    params : dict
        ``embedding`` (T, F), ``interactions`` (list of dicts ``filter``, ``in``, ``update``), ``readout``,
        ``bias`` (T,) (trainable).
    state : dict
        ``scale`` (1,): energy scale of the readout (fixed; set by :func:`train_schnet`).

    Examples
    --------
    >>> import numpy as np
    >>> model = SchNet(cutoff=1.6, n_features=8, n_rbf=6, n_interactions=2)
    >>> e, forces, virial = model.energy_forces_virial(np.array([[0, 0, 0], [1.0, 0, 0], [0, 1.1, 0]]), None)
    >>> forces.shape, bool(np.allclose(forces.sum(axis=0), 0.0))
    ((3, 3), True)
    """

    def __init__(self, cutoff, n_features=32, n_rbf=20, n_interactions=3, n_elements=1, gamma=None,
                 activation="ssp", seed=0):
        self.cutoff = check_range("cutoff", float(cutoff), 0.0, None, low_open=True)
        self.n_features = int(check_range("n_features", int(n_features), 2, None))
        self.n_rbf = int(check_range("n_rbf", int(n_rbf), 2, None))
        self.n_interactions = int(check_range("n_interactions", int(n_interactions), 1, None))
        self.n_elements = int(check_range("n_elements", int(n_elements), 1, None))
        self.mu = np.linspace(0.0, self.cutoff, self.n_rbf)
        spacing = self.mu[1] - self.mu[0]
        self.gamma = 0.5 / spacing**2 if gamma is None else check_range("gamma", float(gamma), 0.0, None,
                                                                           low_open=True)
        if not isinstance(activation, str):
            raise InputError(f"activation={activation!r}; allowed: 'ssp' or a mindscience.nn activation name")
        self.activation = activation
        self._act = shifted_softplus if activation == "ssp" else get_activation(activation)
        self.seed = int(seed)
        f, k = self.n_features, self.n_rbf
        # the MLPs give the parameter layout and initialisation; _mlp applies them with the model's activation
        self._filter = MLP([k, f, f])
        self._update = MLP([f, f, f])
        self._readout = MLP([f, max(f // 2, 1), 1])
        rng = np.random.default_rng(self.seed)
        self.params = {
            "embedding": rng.standard_normal((self.n_elements, f)) / math.sqrt(f),
            "interactions": [{"filter": self._filter.init(rng),
                              "in": {"W": rng.standard_normal((f, f)) / math.sqrt(f)},
                              "update": self._update.init(rng)} for _ in range(self.n_interactions)],
            "readout": self._readout.init(rng),
            "bias": np.zeros(self.n_elements),
        }
        self.state = {"scale": np.ones(1)}

    def hyperparameters(self):
        return {"cutoff": self.cutoff, "n_features": self.n_features, "n_rbf": self.n_rbf,
                "n_interactions": self.n_interactions, "n_elements": self.n_elements, "gamma": self.gamma,
                "activation": self.activation, "seed": self.seed}

    def _mlp(self, p, x, act=None):
        """Two-layer perceptron ``act(x W1 + b1) W2 + b2`` (default: the model's activation)."""
        l1, l2 = p["layers"]
        return anp.matmul((act or self._act)(anp.matmul(x, l1["W"]) + l1["b"]), l2["W"]) + l2["b"]

    @property
    def basis(self):
        """``(mu_0, h, gamma, r_c)`` of the radial basis, as the fused kernel takes it (float64 (4,))."""
        return np.array([self.mu[0], self.mu[1] - self.mu[0], self.gamma, self.cutoff])

    def radial_basis(self, d):
        """Distances (P,), Gaussian expansion (P, K) and cosine cutoff (P,) of displacements ``d`` (P, 3)
        (plain autodiff expressions: a reference for the fused kernel, not used by the energy)."""
        r = anp.sqrt(anp.sum(d * d, axis=1))
        rbf = anp.exp(-self.gamma * (r[:, None] - self.mu) ** 2)
        inside = raw(r) < self.cutoff  # the pair list holds r < r_c; a stale list must not see fc(r > r_c)
        fc = anp.where(inside, 0.5 * (anp.cos((math.pi / self.cutoff) * r) + 1.0), 0.0)
        return r, rbf, fc

    def filters(self, params, d):
        """Filters ``W_p`` (P, F) of every interaction block from the plain expressions (reference for tests)."""
        _, rbf, fc = self.radial_basis(d)
        return [self._mlp(blk["filter"], rbf, shifted_softplus) * fc[:, None] for blk in params["interactions"]]

    def atomic_energies(self, params, d, graph):
        """Per-atom energies (N,) at displacements ``d`` (P, 3) (autodiff-differentiable in both)."""
        if graph.types.size and graph.types.max() >= self.n_elements:
            raise InputError(f"atom types go up to {graph.types.max()}; the model knows {self.n_elements} "
                             f"elements (0..{self.n_elements - 1})")
        basis = self.basis
        h = anp.getitem(params["embedding"], graph.types)
        for blk in params["interactions"]:
            m = filter_conv(anp.matmul(h, blk["in"]["W"]), d, blk["filter"], graph, basis)
            h = h + self._mlp(blk["update"], m)
        return self._mlp(params["readout"], h)[:, 0] * self.state["scale"][0] + anp.getitem(params["bias"],
                                                                                             graph.types)

    def energy(self, params, d, graph):
        """Total energy of the configuration(s) in ``graph`` at displacements ``d`` (P, 3)."""
        return anp.sum(self.atomic_energies(params, d, graph))

    def config_energies(self, params, d, graph):
        """Energies (S,) of the ``S`` configurations of a concatenated graph."""
        return anp.index_add(np.zeros(graph.n_configs), graph.config, self.atomic_energies(params, d, graph))

    def energy_forces_virial(self, positions, box, types=None, params=None):
        """Energy, forces (N, 3) and virial (3, 3) of one configuration (helper for tests and analysis)."""
        graph, d = pair_graph(positions, box, self.cutoff, types)
        return _evaluate(self, self.params if params is None else params, d, graph)

    def save(self, path, attrs=None):
        """Write weights, state and hyperparameters to HDF5 (see :func:`mindscience.coupling.save_term`)."""
        save_term(path, self, attrs=attrs)

    @classmethod
    def load(cls, path):
        """Rebuild a model written by :meth:`save`."""
        return load_term(path, cls)


class SchNetPotential(NeuralPotential):
    """A :class:`SchNet` model as a Force of the molecular suite (energy, forces, virial).

    Parameters
    ----------
    model : SchNet
    name : str, optional
        Key in ``ForceResult.terms`` (default ``"SchNet"``).

    Examples
    --------
    >>> from molecular import ForceField, lattice
    >>> system = lattice("fcc", 2, density=0.8)
    >>> ff = ForceField([SchNetPotential(SchNet(1.5, n_features=4, n_rbf=4, n_interactions=1))], skin=0.2)
    >>> ff.compute(system, virial=True).forces.shape
    (32, 3)
    """

    def __init__(self, model, name=None):
        if not isinstance(model, SchNet):
            raise InputError(f"model is a {type(model).__name__}; allowed: SchNet")
        super().__init__(check_neural_term(model), name=name or "SchNet")


# ---------------------------------------------------------------- training
def predict(model, params, graph, d):
    """Configuration energies (S,) and forces (N, 3) of a (concatenated) graph; differentiable in ``params``.

    Parameters
    ----------
    model : SchNet or another term with ``config_energies(params, d, graph)``
    params : pytree
    graph : PairGraph
    d : ndarray (P, 3)

    Returns
    -------
    energies : array (S,)
    forces : array (N, 3)
    """
    energies, back = ad.vjp(lambda dd: model.config_energies(params, dd, graph), d)
    (gbar,) = back(np.ones(graph.n_configs))
    return energies, graph.forces(gbar)


def force_rmse(model, data, params=None):
    """Root-mean-square force error of ``model`` on a data set (force unit of the data).

    Parameters
    ----------
    model : SchNet
    data : dict
        ``positions`` (S, N, 3), ``forces`` (S, N, 3), ``box`` (S, 3) or (S, 3, 3); optional ``types`` (N,).

    Returns
    -------
    float
    """
    graph, d = batch_graph(np.asarray(data["positions"]), np.asarray(data["box"]), model.cutoff, data.get("types"))
    _, f = predict(model, model.params if params is None else params, graph, d)
    return float(np.sqrt(np.mean((np.asarray(f) - np.asarray(data["forces"]).reshape(-1, 3)) ** 2)))


def train_schnet(model, data, steps=200, lr=3e-3, force_weight=1.0, energy_weight=0.1, batch_size=None,
                 lbfgs_steps=0, seed=0, callback=None, monitor=None):
    """Fit ``model`` by energy + force matching (Adam on mini-batches, then optional full-batch L-BFGS).

    The loss is ``energy_weight * mean(((E - E_ref) / N)^2) / var(E_ref / N) + force_weight *
    mean((F - F_ref)^2) / mean(F_ref^2)`` with forces minus the autodiff gradient of the energy
    (differentiated again with respect to the weights through the fused kernel's second-order rule).
    ``benchmarks/schnet_fit.py`` reports the held-out force error against training time. The per-element
    bias starts from the mean per-atom energy; the energy scale ``state["scale"]`` is the larger of the
    per-atom energy spread and ``rms(F) r_c / (K - 1)`` (forces of the data's size for unit-size network outputs).

    Parameters
    ----------
    model : SchNet
    data : dict
        ``positions`` (S, N, 3), ``forces`` (S, N, 3), ``energy`` (S,), ``box`` (S, 3) or (S, 3, 3); optional
        ``types`` (N,). E.g. ``datasets.load("md-lj-forces", ...).arrays()``.
    steps : int
        Adam steps.
    lr : float
        Adam learning rate.
    force_weight, energy_weight : float
        Loss weights (>= 0).
    batch_size : int, optional
        Configurations per Adam step (default: all).
    lbfgs_steps : int
        Full-batch L-BFGS iterations after Adam (0: none).
    seed : int
        Seed of the mini-batch draws.
    callback : callable, optional
        ``callback(step, loss)`` after every Adam step and L-BFGS iteration.
    monitor : callable, optional
        ``monitor(step, loss, params)``, likewise, with the current weights (e.g. to follow a held-out error).

    Returns
    -------
    dict
        ``{"loss": [...], "force_rmse": float, "energy_rmse_per_atom": float}`` on the training data.

    Examples
    --------
    >>> import datasets                                                   # doctest: +SKIP
    >>> data = datasets.load("md-lj-forces", n=16).arrays()               # doctest: +SKIP
    >>> train_schnet(SchNet(2.5, n_features=16), data, steps=100)         # doctest: +SKIP
    """
    from mindscience.nn import lbfgs

    pos = np.asarray(data["positions"], dtype=np.float64)
    if pos.ndim != 3 or pos.shape[2] != 3:
        raise InputError(f"data['positions'] has shape {pos.shape}; allowed: (S, N, 3)")
    s_tot, n_atoms = pos.shape[:2]
    f_ref = np.asarray(data["forces"], dtype=np.float64).reshape(s_tot, n_atoms, 3)
    e_ref = np.asarray(data["energy"], dtype=np.float64).reshape(-1)
    if e_ref.shape[0] != s_tot:
        raise InputError("data['energy'] does not match data['positions'] (S, N, 3)")
    check_range("force_weight", float(force_weight), 0.0, None)
    check_range("energy_weight", float(energy_weight), 0.0, None)
    batch_size = s_tot if batch_size is None else int(check_range("batch_size", int(batch_size), 1, s_tot))
    boxes = np.asarray(data["box"])
    types = data.get("types")
    e_atom = e_ref / n_atoms
    # unit-size network outputs vary over about the Gaussian spacing h = r_c / (K - 1), so an energy scale of
    # rms(F) h gives forces of the data's size from the start (the energy spread alone is far too small for LJ)
    f_scale = float(np.sqrt(np.mean(f_ref**2))) * model.cutoff / (model.n_rbf - 1)
    model.state = {"scale": np.array([max(float(e_atom.std()), f_scale, 1e-3 * max(abs(float(e_atom.mean())), 1.0))])}
    model.params["bias"] = np.full(model.n_elements, float(e_atom.mean()))
    e_var = max(float(np.var(e_atom)), 1e-12)
    f_ms = max(float(np.mean(f_ref**2)), 1e-12)
    batches = {}

    def batch(idx):
        key = tuple(idx)
        if key not in batches:
            if len(batches) > 64:
                batches.clear()
            batches[key] = batch_graph(pos[idx], boxes[idx], model.cutoff, types)
        return batches[key]

    def loss_on(idx):
        graph, d = batch(idx)
        fr, er = f_ref[idx].reshape(-1, 3), e_ref[idx]

        def loss(params):
            e, f = predict(model, params, graph, d)
            le = anp.mean(((e - er) / n_atoms) ** 2) / e_var
            lf = anp.mean((f - fr) ** 2) / f_ms
            return energy_weight * le + force_weight * lf

        return ad.value_and_grad(loss)

    rng = np.random.default_rng(seed)
    opt = Adam(lr)
    params = model.params
    st = opt.init(params)
    history = []
    full = np.arange(s_tot)
    def notify(k, val, p):
        if callback is not None:
            callback(k, val)
        if monitor is not None:
            monitor(k, val, p)

    for k in range(int(steps)):
        idx = full if batch_size == s_tot else np.sort(rng.choice(s_tot, batch_size, replace=False))
        val, g = loss_on(idx)(params)
        params, st = opt.update(g, st, params)
        history.append(float(val))
        notify(k, float(val), params)
    if lbfgs_steps:
        vg = loss_on(full)
        last = [params]

        def vg_float(p):
            val, g = vg(p)
            last[0] = p
            return float(val), g

        def after(it, val):
            history.append(float(val))
            notify(steps + it, float(val), last[0])

        params, _ = lbfgs(vg_float, params, maxiter=int(lbfgs_steps), callback=after)
    model.params = params
    graph, d = batch(full)
    e, f = predict(model, params, graph, d)
    _cache.clear()  # release the filter intermediates of the training batches
    return {"loss": history, "force_rmse": float(np.sqrt(np.mean((np.asarray(f) - f_ref.reshape(-1, 3)) ** 2))),
            "energy_rmse_per_atom": float(np.sqrt(np.mean(((np.asarray(e) - e_ref) / n_atoms) ** 2)))}
