"""extend.py: the whole surface for authors of new primitives (autograd's ``extend.py``).

Examples
--------
>>> import numpy as onp
>>> import autodiff as ad
>>> from autodiff.extend import Primitive, defjvp, defvjp, def_deriv
>>> import autodiff.numpy as anp
>>> softsign_p = Primitive("softsign")
>>> softsign_p.impl = lambda x: x / (1 + onp.abs(x))
>>> _d = lambda x: 1.0 / (1.0 + anp.abs(x)) ** 2
>>> _ = defjvp(softsign_p, lambda t, ans, x: t * _d(x))
>>> _ = defvjp(softsign_p, lambda g, ans, x: g * _d(x))
>>> _ = def_deriv(softsign_p, _d)
>>> float(ad.grad(softsign_p.bind)(0.0))
1.0
"""

from .core import Primitive, Trace, Tracer, Zero, jvp_rules, primitives, taylor_rules, vjp_rules, zero
from .forward import defjvp, defjvp_rule, deflinear_jvp
from .numpy._base import deflinear, unbroadcast
from .reverse import defvjp, defvjp_rule
from .taylor import def_comp, def_deriv, def_joint_linear, def_linear, def_taylor, def_zero

__all__ = ["Primitive", "Trace", "Tracer", "Zero", "zero", "jvp_rules", "vjp_rules", "taylor_rules", "primitives",
           "defjvp", "defjvp_rule", "deflinear_jvp", "defvjp", "defvjp_rule", "deflinear", "unbroadcast",
           "def_taylor", "def_linear", "def_joint_linear", "def_zero", "def_deriv", "def_comp"]
