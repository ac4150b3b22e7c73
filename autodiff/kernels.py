"""kernels.py: numba kernels registered as differentiable primitives.

A solver kernel (pure ``@njit`` function on arrays) becomes a :class:`~autodiff.core.Primitive`:
its value is computed by the kernel, and its JVP/VJP are given either as other kernels (themselves
registered, so they can be differentiated again) or as ``autodiff.numpy`` expressions. This puts
fine-grained scientific kernels and coarse network operations in one differentiable computation.

Examples
--------
>>> import numpy as onp
>>> from numba import njit
>>> import autodiff as ad
>>> from autodiff.kernels import register_kernel
>>> @njit(cache=False)
... def _square_kernel(x):
...     return x * x
>>> square = register_kernel("square_kernel", _square_kernel,
...                          vjp=lambda g, ans, x: (2.0 * g * x,),
...                          jvp=lambda primals, tangents: 2.0 * primals[0] * tangents[0])
>>> ad.grad(lambda x: square(x).sum())(onp.array([1.0, 2.0]))
array([2., 4.])
"""

from __future__ import annotations

import numpy as onp

from .core import Primitive, raw, zero
from .taylor import jet_normalized

__all__ = ["register_kernel", "KernelPrimitive"]


class KernelPrimitive:
    """Callable wrapper binding a numba-kernel primitive; ``.primitive`` is the underlying Primitive."""

    def __init__(self, prim, n_args):
        self.primitive = prim
        self.n_args = n_args

    def __call__(self, *args):
        if len(args) != self.n_args:
            raise TypeError(f"kernel primitive '{self.primitive.name}' takes {self.n_args} array arguments, "
                            f"got {len(args)}")
        return self.primitive.bind(*args)

    def __repr__(self):
        return f"KernelPrimitive({self.primitive.name})"


def register_kernel(name, kernel, jvp=None, vjp=None, n_args=None, taylor=None):
    """Register a numba kernel as a differentiable primitive.

    Parameters
    ----------
    name : str
        Primitive name (used in error messages).
    kernel : callable
        ``kernel(*arrays) -> ndarray``: pure function of float arrays (typically ``@njit(cache=True)``).
        It is called on plain numpy arrays only.
    jvp : callable, optional
        ``jvp(primals, tangents) -> tangent_out``, linear in the tangents (``None`` entries are zero
        tangents, replaced by zero arrays). Written with ``autodiff.numpy`` or other registered
        kernels; forward mode raises a clear error when missing.
    vjp : callable, optional
        ``vjp(g, ans, *args) -> tuple`` of cotangents, one per argument (``None`` = zero). Written with
        ``autodiff.numpy`` or registered kernels, so that it is differentiable again (second order).
    n_args : int, optional
        Number of array arguments (taken from the kernel signature when omitted).
    taylor : callable, optional
        An ``autodiff.numpy`` expression equal to the kernel, used for Taylor mode.

    Returns
    -------
    KernelPrimitive
        Call it like the kernel; it works under every transformation for which rules were given.
    """
    if n_args is None:
        py = getattr(kernel, "py_func", kernel)
        n_args = py.__code__.co_argcount
    prim = Primitive(name)
    prim.impl = lambda *args: kernel(*[onp.asarray(a) for a in args])

    if jvp is not None:
        def _jvp(primals, tangents):
            ans = prim.bind(*primals)
            if all(t is zero for t in tangents):
                return ans, zero
            ts = [onp.zeros_like(raw(p)) if t is zero else t for p, t in zip(primals, tangents)]
            return ans, jvp(tuple(primals), tuple(ts))

        prim.jvp = _jvp

    if vjp is not None:
        def _vjp(g, ans, args, params, which):
            cts = vjp(g, ans, *args)
            if not isinstance(cts, tuple | list) or len(cts) != len(args):
                raise ValueError(f"kernel '{name}': vjp must return a tuple of {len(args)} cotangents, got "
                                 f"{type(cts).__name__}")
            return [cts[i] for i in which]

        prim.vjp = _vjp

    if taylor is not None:
        def _taylor(order, primals, series):
            ans = prim.bind(*primals)
            _, souts = jet_normalized(lambda *a: [taylor(*a)], primals, series, order)
            return ans, souts[0]

        prim.taylor = _taylor
    return KernelPrimitive(prim, n_args)

