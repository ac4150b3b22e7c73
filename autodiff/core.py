"""core.py: Primitive, Trace/Tracer with levels, the symbolic Zero and the rule registries.

Every differentiable operation is a :class:`Primitive`. ``prim.bind(*args, **params)`` looks at its
arguments, picks the tracer of the highest trace level (the innermost live transformation) and hands
the operation to that trace; with no tracer it runs ``prim.impl`` on plain numpy values. Traces are
numbered by a global counter, so a trace started inside another always has the higher level; values
of outer traces reaching an inner trace are constants to it. This is what makes perturbation confusion
impossible: ``d/dx [x * d/dy (x + y)] = 1``.

Rules are stored on the primitive (fast path) and mirrored in module-level registries keyed by the
primitive (``jvp_rules``, ``vjp_rules``, ``taylor_rules``), as in JAX.
"""

from __future__ import annotations

import itertools

import numpy as onp

__all__ = [
    "Primitive",
    "Trace",
    "Tracer",
    "Zero",
    "zero",
    "jvp_rules",
    "vjp_rules",
    "taylor_rules",
    "primitives",
    "raw",
    "shape",
    "is_tracer",
    "batch_rules",
    "UnsupportedOperationError",
    "NonDifferentiableInputError",
]

jvp_rules: dict = {}
vjp_rules: dict = {}
taylor_rules: dict = {}
batch_rules: dict = {}
primitives: dict = {}

_level_counter = itertools.count(1)


class UnsupportedOperationError(NotImplementedError):
    """A numpy function or rule that has no autodiff primitive/rule was reached while tracing."""


class NonDifferentiableInputError(TypeError):
    """Differentiation was requested with respect to a non-float (e.g. integer) input."""


class Zero:
    """Symbolic zero tangent/cotangent: skipped by rules instead of materialised."""

    __slots__ = ()

    def __repr__(self):
        return "zero"


zero = Zero()


class Primitive:
    """An operation with an implementation and derivative rules.

    Parameters
    ----------
    name : str
        Name used in error messages and in the registries.
    multiple_results : bool
        Whether ``impl`` returns a tuple of arrays.

    Notes
    -----
    ``impl(*args, **params)`` computes the value on plain numpy arrays. ``jvp(primals, tangents,
    **params) -> (out, tangent_out)`` is the forward rule (tangents may be :data:`zero`).
    ``vjp(g, ans, args, params, which) -> list`` gives the cotangent of each argument index in
    ``which``. ``taylor(primals, series, **params) -> (out, series_out)`` propagates normalised Taylor
    coefficients. All rules are written with differentiable operations so every mode nests.
    ``vjp_accumulate(acc, g, ans, args, params) -> acc + cotangent`` (optional, single-argument
    primitives) lets the backward pass add a cotangent into an existing one without materialising it
    (``getitem``: a scatter-add into the accumulated array instead of zeros-plus-add).

    Examples
    --------
    >>> import numpy as onp
    >>> from autodiff.core import Primitive
    >>> cube_p = Primitive("cube")
    >>> cube_p.impl = lambda x: x ** 3
    >>> float(cube_p.bind(onp.float64(2.0)))
    8.0
    """

    __slots__ = ("name", "impl", "jvp", "vjp", "vjp_accumulate", "taylor", "multiple_results", "__weakref__")

    def __init__(self, name, multiple_results=False):
        self.name = name
        self.multiple_results = multiple_results
        self.impl = None
        self.jvp = None
        self.vjp = None
        self.vjp_accumulate = None
        self.taylor = None
        primitives[name] = self

    def __repr__(self):
        return f"Primitive({self.name})"

    def def_impl(self, impl):
        self.impl = impl
        return impl

    def bind(self, *args, **params):
        trace = None
        lvl = 0
        for a in args:
            if isinstance(a, Tracer):
                t = a._trace
                if t.level > lvl:
                    trace = t
                    lvl = t.level
        if trace is None:
            return self.impl(*args, **params)
        return trace.process(self, args, params)


def missing_rule(prim, mode):
    return UnsupportedOperationError(
        f"Differentiation rule for primitive '{prim.name}' is not implemented in {mode} mode; "
        "register one with autodiff.extend (defjvp/defvjp/def_taylor)."
    )


class Trace:
    """Base of the interpreters (JVP, reverse tape, jet). ``level`` orders nested traces."""

    __slots__ = ("level",)

    def __init__(self):
        self.level = next(_level_counter)

    def process(self, prim, args, params):  # pragma: no cover - abstract
        raise NotImplementedError


class _Ops:
    """Filled by ``autodiff.numpy`` so that tracer operators dispatch to differentiable functions."""


ops = _Ops()


def _unsupported(name):
    return UnsupportedOperationError(
        f"numpy function '{name}' was called on a traced value but has no autodiff primitive; it is "
        f"not supported for differentiation (use autodiff.numpy, 'import autodiff.numpy as anp', and "
        f"an operation it provides) instead of silently dropping the derivative."
    )


class Tracer:
    """A value being traced by a transformation. Behaves like a read-only ndarray."""

    __slots__ = ("_trace",)
    __array_priority__ = 1000

    # -- array-like attributes --------------------------------------------------------------
    @property
    def aval(self):
        return raw(self)

    def _shape(self):
        return shape(self._primal_value())

    @property
    def shape(self):
        return self._shape()

    @property
    def dtype(self):
        return onp.result_type(raw(self))

    @property
    def ndim(self):
        return len(self._shape())

    @property
    def size(self):
        return int(onp.prod(self._shape()))

    def __len__(self):
        s = self.shape
        if not s:
            raise TypeError("len() of unsized (0-d) traced value")
        return s[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    @property
    def T(self):
        return ops.transpose(self)

    @property
    def real(self):
        return ops.real(self)

    @property
    def imag(self):
        return ops.imag(self)

    @property
    def at(self):
        return ops._IndexUpdateHelper(self)

    def conj(self):
        return ops.conj(self)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return ops.reshape(self, shape)

    def transpose(self, *axes):
        if not axes:
            axes = None
        elif len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return ops.transpose(self, axes)

    def sum(self, axis=None, keepdims=False):
        return ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return ops.mean(self, axis=axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        return ops.prod(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return ops.min(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        return ops.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return ops.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def dot(self, other):
        return ops.dot(self, other)

    def ravel(self):
        return ops.ravel(self)

    def flatten(self):
        return ops.ravel(self)

    def squeeze(self, axis=None):
        return ops.squeeze(self, axis)

    def astype(self, dtype):
        return ops.astype(self, dtype)

    def cumsum(self, axis=None):
        return ops.cumsum(self, axis)

    def clip(self, a_min=None, a_max=None):
        return ops.clip(self, a_min, a_max)

    def swapaxes(self, a, b):
        return ops.swapaxes(self, a, b)

    def copy(self):
        return self

    def item(self):
        raise _concrete_error("item()")

    # -- operators -------------------------------------------------------------------------------
    def __neg__(self):
        return ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ops.abs(self)

    def __add__(self, o):
        return ops.add(self, o)

    def __radd__(self, o):
        return ops.add(o, self)

    def __sub__(self, o):
        return ops.subtract(self, o)

    def __rsub__(self, o):
        return ops.subtract(o, self)

    def __mul__(self, o):
        return ops.multiply(self, o)

    def __rmul__(self, o):
        return ops.multiply(o, self)

    def __truediv__(self, o):
        return ops.divide(self, o)

    def __rtruediv__(self, o):
        return ops.divide(o, self)

    def __pow__(self, o):
        return ops.power(self, o)

    def __rpow__(self, o):
        return ops.power(o, self)

    def __matmul__(self, o):
        return ops.matmul(self, o)

    def __rmatmul__(self, o):
        return ops.matmul(o, self)

    def __mod__(self, o):
        return ops.mod(self, o)

    def __floordiv__(self, o):
        return ops.floor_divide(self, o)

    def __rfloordiv__(self, o):
        return ops.floor_divide(o, self)

    def __getitem__(self, idx):
        return ops.getitem(self, idx)

    def __setitem__(self, idx, v):
        raise TypeError(
            "traced values are immutable: item assignment is not differentiable; use "
            "x.at[idx].set(v) or x.at[idx].add(v) (or anp.index_add) instead"
        )

    def __lt__(self, o):
        return ops.less(self, o)

    def __le__(self, o):
        return ops.less_equal(self, o)

    def __gt__(self, o):
        return ops.greater(self, o)

    def __ge__(self, o):
        return ops.greater_equal(self, o)

    def __eq__(self, o):
        return ops.equal(self, o)

    def __ne__(self, o):
        return ops.not_equal(self, o)

    __hash__ = object.__hash__

    def __bool__(self):
        return bool(raw(self))

    def __float__(self):
        raise _concrete_error("float()")

    def __int__(self):
        raise _concrete_error("int()")

    def __complex__(self):
        raise _concrete_error("complex()")

    def __index__(self):
        raise _concrete_error("used as an index")

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "a traced value was converted to a plain numpy array (numpy.asarray / numpy function), "
            "which would silently drop its derivative; use autodiff.numpy ('import autodiff.numpy as "
            "anp') for operations on values being differentiated"
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fn = getattr(ops, ufunc.__name__, None) if method == "__call__" else None
        if fn is None or kwargs:
            raise _unsupported(f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else "." + method))
        return fn(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        mod = func.__module__ or ""
        name = func.__name__
        fn = None
        if mod in ("numpy", "numpy.core.fromnumeric", "numpy._core.fromnumeric", "numpy.linalg", "numpy.fft",
                   "numpy._core.numeric", "numpy._core.shape_base", "numpy.lib._shape_base_impl",
                   "numpy.lib._function_base_impl", "numpy._core.einsumfunc", "numpy.lib._twodim_base_impl",
                   "numpy.lib._arraypad_impl"):
            fn = getattr(ops, name, None)
        if fn is None:
            raise _unsupported(f"{mod}.{name}")
        return fn(*args, **kwargs)

    def __repr__(self):
        return f"{type(self).__name__}(level={self._trace.level}, value={raw(self)!r})"


def _concrete_error(what):
    return TypeError(
        f"a traced value was {what}, which converts it to a Python number and drops its derivative; "
        "keep it as an array and use autodiff.numpy operations"
    )


def raw(x):
    """Strip every tracer layer and return the plain numpy value underneath."""
    while isinstance(x, Tracer):
        x = x._primal_value()
    return x


def shape(x):
    """Shape of ``x`` as seen by the function being traced (per example under batching)."""
    if isinstance(x, Tracer):
        return x._shape()
    return onp.shape(x)


def is_tracer(x):
    return isinstance(x, Tracer)
