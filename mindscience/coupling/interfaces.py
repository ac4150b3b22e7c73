"""The NeuralTerm protocol: a learned energy that solvers differentiate and checkpoint.

A solver turns a :class:`NeuralTerm` into one of its force terms by evaluating
:func:`energy_and_gradient` on its own differentiable input (pair displacements, field values, ...)
and mapping the gradient back to its state (forces, virial). Models are saved with their
hyperparameters by :func:`save_term` and rebuilt by :func:`load_term`.
"""

from typing import Any, Protocol, runtime_checkable

import numpy as np

import autodiff as ad
from mindscience.errors import InputError

__all__ = ["NeuralTerm", "check_neural_term", "energy_and_gradient", "save_term", "load_term"]

#: format tag written to files by :func:`save_term`
FORMAT = "mindscience.coupling.NeuralTerm/1"


@runtime_checkable
class NeuralTerm(Protocol):
    """A learned energy with pytree parameters.

    Attributes
    ----------
    params : pytree of float arrays
        Trainable parameters (nested dicts/lists of arrays).
    state : dict of arrays
        Fixed, non-trainable arrays fitted from data (feature scaling, energy shifts); may be empty.

    Methods
    -------
    energy(params, x, context) -> scalar
        Energy (the solver's energy unit) of input ``x`` (float array, solver-defined shape) given the
        non-differentiable ``context``; written with :mod:`autodiff.numpy` and registered kernels so
        that it is differentiable in ``params`` and ``x``.
    hyperparameters() -> dict
        JSON-serialisable constructor arguments: ``type(term)(**term.hyperparameters())`` rebuilds an
        untrained term of the same architecture.
    """

    params: Any
    state: dict

    def energy(self, params, x, context):
        ...

    def hyperparameters(self):
        ...


def check_neural_term(term):
    """Raise :class:`InputError` unless ``term`` follows the :class:`NeuralTerm` protocol.

    Parameters
    ----------
    term : object

    Returns
    -------
    term
    """
    missing = [a for a in ("params", "state", "energy", "hyperparameters") if not hasattr(term, a)]
    if missing:
        raise InputError(f"{type(term).__name__} is not a NeuralTerm: missing {', '.join(missing)}; "
                         "allowed: objects with params, state, energy(params, x, context) and hyperparameters()")
    leaves, _ = ad.tree_flatten(term.params)
    for leaf in leaves:
        arr = np.asarray(leaf)
        if not np.issubdtype(arr.dtype, np.floating):
            raise InputError(f"{type(term).__name__}.params has a leaf of dtype {arr.dtype}; allowed: float arrays")
    return term


def energy_and_gradient(term, x, context, params=None):
    """Energy of ``term`` and its gradient with respect to the input ``x`` (reverse mode).

    Parameters
    ----------
    term : NeuralTerm
    x : ndarray
        Differentiable input (solver-defined shape, e.g. (P, 3) pair displacements).
    context : object
        Non-differentiable input passed through to ``term.energy``.
    params : pytree, optional
        Parameters to use instead of ``term.params``.

    Returns
    -------
    energy : float
    grad : ndarray, shape of ``x``
        ``dE/dx``; a solver's forces are minus this mapped to its degrees of freedom.
    """
    params = term.params if params is None else params
    e, g = ad.value_and_grad(lambda xx: term.energy(params, xx, context))(np.asarray(x, dtype=np.float64))
    return float(e), np.asarray(g)


def save_term(path, term, attrs=None):
    """Write ``term``'s parameters, state and hyperparameters to an HDF5 file.

    Parameters
    ----------
    path : str or os.PathLike
    term : NeuralTerm
    attrs : dict, optional
        Extra root attributes (provenance, training figures).
    """
    from mindscience.io import hdf5

    check_neural_term(term)
    cls = type(term)
    meta = {"format": FORMAT, "class": f"{cls.__module__}.{cls.__qualname__}"}
    meta.update(attrs or {})
    hdf5.save(path, {"params": term.params, "state": dict(term.state)}, parameters=term.hyperparameters(),
              attrs=meta)


def load_term(path, cls=None):
    """Rebuild a term saved by :func:`save_term` (architecture from its hyperparameters, then weights).

    Parameters
    ----------
    path : str or os.PathLike
    cls : type, optional
        The term's class; by default imported from the ``class`` attribute stored in the file.

    Returns
    -------
    NeuralTerm
    """
    import importlib

    from mindscience.io import hdf5

    meta = hdf5.read_metadata(path)
    if meta.get("format") != FORMAT:
        raise InputError(f"{path} is not a NeuralTerm file (format={meta.get('format')!r}; expected {FORMAT!r})")
    if cls is None:
        module, _, name = meta["class"].rpartition(".")
        cls = getattr(importlib.import_module(module), name)
    term = cls(**meta["parameters"])
    data = hdf5.load(path)
    template_leaves, treedef = ad.tree_flatten(term.params)
    leaves, treedef_file = ad.tree_flatten(_listify(data["params"], term.params))
    if treedef_file != treedef or any(np.shape(a) != np.shape(b) for a, b in zip(leaves, template_leaves)):
        raise InputError(f"{path}: stored parameters do not match the architecture given by its hyperparameters")
    term.params = ad.tree_unflatten(treedef, [np.asarray(v, dtype=np.float64) for v in leaves])
    term.state = {k: np.asarray(v) for k, v in data.get("state", {}).items()}
    return term


def _listify(loaded, template):
    """HDF5 trees come back with lists as lists or dicts keyed "0", "1", ...; follow ``template``."""
    if isinstance(template, dict):
        return {k: _listify(loaded[k], v) for k, v in template.items()}
    if isinstance(template, list | tuple):
        items = [loaded[str(i)] if isinstance(loaded, dict) else loaded[i] for i in range(len(template))]
        return type(template)(_listify(a, b) for a, b in zip(items, template))
    return np.asarray(loaded)
