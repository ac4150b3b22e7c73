"""autodiff: higher-order mixed-mode automatic differentiation (forward, reverse, Taylor) on numpy.

Transformations take functions and return functions, as in JAX, and nest to any order in any mix
(``grad(grad(f))``, ``jacfwd(jacrev(f))``, ``jvp`` of ``vjp``, ``grad`` of ``jet``, ``vmap(grad(f))`` for
per-example gradients). Perturbation confusion is prevented by trace levels.

Examples
--------
>>> import autodiff as ad
>>> import autodiff.numpy as anp
>>> float(ad.grad(lambda x: anp.tanh(x) ** 2)(0.0))
0.0
>>> float(ad.derivative(anp.sin, order=3)(0.0))
-1.0
>>> ad.vmap(lambda x: anp.sum(x ** 2))(anp.ones((3, 2)))
array([2., 2., 2.])
"""

from . import numpy, scipy, tree  # noqa: F401
from .batching import _register as _register_batch_rules
from .core import NonDifferentiableInputError, Primitive, UnsupportedOperationError
from .custom import checkpoint, custom_jvp, custom_vjp
from .fwdlap import pointwise_derivatives2
from .transforms import (
    derivative,
    grad,
    hessian,
    hvp,
    jacfwd,
    jacrev,
    jet,
    jvp,
    laplacian,
    linearize,
    value_and_grad,
    vjp,
    vmap,
)
from .tree import ravel_pytree, tree_flatten, tree_map, tree_unflatten

__all__ = [
    "grad", "value_and_grad", "jvp", "vjp", "linearize", "jacfwd", "jacrev", "hessian", "hvp", "jet",
    "derivative", "laplacian", "vmap", "custom_jvp", "custom_vjp", "checkpoint", "tree_flatten", "tree_unflatten",
    "tree_map", "pointwise_derivatives2",
    "ravel_pytree", "Primitive", "UnsupportedOperationError", "NonDifferentiableInputError", "numpy", "tree",
    "scipy",
]

jacobian = jacrev
_register_batch_rules()
