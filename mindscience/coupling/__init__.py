"""mindscience.coupling: learned models and numerical solvers in one differentiable computation.

A :class:`NeuralTerm` is a model whose parameters are a pytree and whose scalar energy is a function
``energy(params, x, context)`` differentiable by :mod:`autodiff` in ``params`` and ``x``. Solver
suites wrap such terms as their own force/source objects (the molecular suite's
``molecular.forces.neural.NeuralPotential``); this package stays suite-agnostic.
"""

from mindscience.coupling.interfaces import (
    NeuralTerm,
    check_neural_term,
    energy_and_gradient,
    load_term,
    save_term,
)

__all__ = ["NeuralTerm", "check_neural_term", "energy_and_gradient", "load_term", "save_term"]
