"""pde.py: PDE systems written in sympy, analysed into a derivative plan and compiled to residual functions.

The user writes equations with sympy: coordinates are symbols, unknowns are (undefined) functions of
them, coefficients are trainable constants, fixed constants, or fields (sympy expressions of the
coordinates, or callables of the points). :class:`PDE` checks the system, finds every derivative
multi-index that the residual needs (each one once, whatever the number of equations using it) and
compiles each equation with :func:`sympy.lambdify` into a function of those derivative arrays.

How the derivatives are computed is pluggable: :meth:`PDE.residual` takes a *backend*, a callable
``backend(fn, x, plan) -> {alpha: array (N, n_unknowns)}`` (the autodiff one lives in
:mod:`mindscience.pinn.derivatives`).
"""

import itertools
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from mindscience.errors import InputError

__all__ = ["PDE", "DerivativePlan", "derivative_name"]

# numpy-like functions the lambdified residuals may call; looked up in the namespace module given
# to PDE.residual (numpy for plain arrays, autodiff.numpy when differentiating).
_FUNCTIONS = ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "arcsinh",
              "arccosh", "arctanh", "exp", "expm1", "log", "log1p", "sqrt", "abs", "sign", "power", "maximum",
              "minimum", "where", "hypot", "square", "cbrt")
_SYMPY_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2", "asinh": "arcsinh",
                "acosh": "arccosh", "atanh": "arctanh", "Abs": "abs", "Max": "maximum", "Min": "minimum"}


def derivative_name(alpha, coords):
    """Readable name of a multi-index, e.g. ``(2, 0) -> "xx"`` for coordinates ``(x, y)``; ``""`` for 0."""
    return "".join(str(c) * k for c, k in zip(coords, alpha))


@dataclass(frozen=True)
class DerivativePlan:
    """The input derivatives a residual needs, organised so that shared work is done once.

    Attributes
    ----------
    dim : int
        Number of coordinates (network inputs).
    alphas : tuple of tuple of int
        Every multi-index needed (the zero index is always included), sorted by order.
    pure : dict
        ``{axis: max_order}`` for the multi-indices along a single axis: one Taylor pass of that order
        along the axis gives all of them.
    mixed : tuple of tuple of int
        The maximal mixed multi-indices (no other needed mixed index contains them); one nested
        forward pass per entry yields it and every index below it.

    Examples
    --------
    >>> plan = DerivativePlan.from_alphas(2, [(2, 0), (0, 2), (1, 1), (1, 0)])
    >>> plan.pure, plan.mixed
    ({0: 2, 1: 2}, ((1, 1),))
    """

    dim: int
    alphas: tuple
    pure: dict
    mixed: tuple

    @classmethod
    def from_alphas(cls, dim, alphas):
        """Build the plan for a set of multi-indices of length ``dim``."""
        alphas = {tuple(int(k) for k in a) for a in alphas} | {(0,) * dim}
        for a in alphas:
            if len(a) != dim or min(a) < 0:
                raise InputError(f"multi-index {a} must have {dim} non-negative entries")
        pure, mixed = {}, []
        for a in alphas:
            nz = [i for i, k in enumerate(a) if k]
            if len(nz) == 1:
                pure[nz[0]] = max(pure.get(nz[0], 0), a[nz[0]])
            elif len(nz) > 1:
                mixed.append(a)
        maximal = [a for a in mixed if not any(b != a and all(p <= q for p, q in zip(a, b)) for b in mixed)]
        return cls(dim, tuple(sorted(alphas, key=lambda a: (sum(a), tuple(-k for k in a)))), dict(sorted(pure.items())),
                   tuple(sorted(maximal)))

    @property
    def max_order(self):
        """Highest total derivative order in the plan."""
        return max(sum(a) for a in self.alphas)


def _as_expr(eq):
    if isinstance(eq, sp.Equality):
        return sp.sympify(eq.lhs - eq.rhs)
    return sp.sympify(eq)


class PDE:
    """A system of PDEs in sympy form, compiled into residual functions.

    Parameters
    ----------
    equations : sympy expression, Eq, or sequence of them
        Each ``Eq(lhs, rhs)`` means ``lhs - rhs = 0``; a bare expression means ``expr = 0``.
    coords : sequence of sympy.Symbol
        Coordinates, in the order of the network's input columns (e.g. ``(x, y, t)``).
    unknowns : sequence of sympy functions
        The unknowns, in the order of the network's output columns; either applied (``u(x, y)``) or
        bare (``u``, applied to all coordinates).
    trainable : dict, optional
        ``{symbol: initial value}``: coefficients identified during training (inverse problems).
        Their current values are passed to :meth:`residual` as ``{name: value}``.
    constants : dict, optional
        ``{symbol: value}``: fixed coefficients, substituted at compile time.
    fields : dict, optional
        ``{symbol or function: value}``: spatially varying coefficients. A sympy expression of the
        coordinates is substituted (so its derivatives are exact); a callable ``f(x) -> (N,)`` is
        evaluated at the points (derivatives of such a field cannot appear in the equations).
    names : sequence of str, optional
        Names of the equations (for loss terms and messages); default ``"pde0", "pde1", ...``.

    Raises
    ------
    InputError
        If an equation uses a function that is neither an unknown nor a field, a symbol that is
        not a coordinate, coefficient or constant, or differentiates with respect to a non-coordinate.

    Examples
    --------
    >>> x, y = sp.symbols("x y")
    >>> u = sp.Function("u")
    >>> pde = PDE(sp.diff(u(x, y), x, 2) + sp.diff(u(x, y), y, 2) + 2 * sp.pi**2 * sp.sin(sp.pi * x)
    ...           * sp.sin(sp.pi * y), (x, y), [u])
    >>> [derivative_name(a, pde.coords) for a in pde.plan.alphas]
    ['', 'xx', 'yy']
    """

    def __init__(self, equations, coords, unknowns, *, trainable=None, constants=None, fields=None, names=None):
        if isinstance(equations, (list, tuple)):
            exprs = [_as_expr(e) for e in equations]
        else:
            exprs = [_as_expr(equations)]
        if not exprs:
            raise InputError("equations is empty; give at least one equation")
        self.coords = self._check_coords(coords)
        self.unknowns = self._check_unknowns(unknowns)
        self.trainable = {self._symbol("trainable", s): float(v) for s, v in (trainable or {}).items()}
        constants = {self._symbol("constants", s): v for s, v in (constants or {}).items()}
        self.names = self._check_names(names, len(exprs))
        exprs, self._callable_fields = self._substitute_fields(exprs, fields or {}, constants)
        self.equations = tuple(exprs)
        self._requests = [self._analyse(e, n) for e, n in zip(exprs, self.names)]
        alphas = {a for req in self._requests for (_, a) in req}
        self.plan = DerivativePlan.from_alphas(len(self.coords), alphas)
        self._compiled = {}

    # -------------------------------------------------------------- validation
    @staticmethod
    def _check_coords(coords):
        coords = tuple(coords)
        if not coords or not all(isinstance(c, sp.Symbol) for c in coords):
            raise InputError(f"coords={coords!r} must be a non-empty sequence of sympy Symbols")
        if len(set(coords)) != len(coords):
            raise InputError(f"coords={coords!r} has repeated symbols")
        return coords

    def _check_unknowns(self, unknowns):
        if isinstance(unknowns, (sp.Expr, sp.FunctionClass)):
            unknowns = [unknowns]
        out = []
        for u in unknowns:
            if isinstance(u, sp.FunctionClass):
                u = u(*self.coords)
            if not isinstance(u, AppliedUndef):
                raise InputError(f"unknown {u!r} must be an undefined sympy function such as Function('u')")
            if not set(u.args) <= set(self.coords) or len(set(u.args)) != len(u.args):
                raise InputError(f"unknown {u} must depend on distinct coordinates among {self.coords}")
            out.append(u)
        if not out:
            raise InputError("unknowns is empty; give at least one unknown function")
        funcs = [u.func for u in out]
        if len(set(funcs)) != len(funcs):
            raise InputError(f"unknowns={out} has repeated functions")
        return tuple(out)

    @staticmethod
    def _symbol(what, s):
        if isinstance(s, str):
            s = sp.Symbol(s)
        if not isinstance(s, sp.Symbol):
            raise InputError(f"{what} keys must be sympy Symbols or names, got {s!r}")
        return s

    @staticmethod
    def _check_names(names, n):
        if names is None:
            return tuple(f"pde{i}" if n > 1 else "pde" for i in range(n))
        names = tuple(str(s) for s in names)
        if len(names) != n or len(set(names)) != n:
            raise InputError(f"names={names!r} must give {n} distinct names, one per equation")
        return names

    def _substitute_fields(self, exprs, fields, constants):
        callables = {}
        subs = dict(constants)
        for key, value in fields.items():
            if isinstance(key, sp.FunctionClass):
                key = key(*self.coords)
            elif isinstance(key, str):
                key = sp.Symbol(key)
            if callable(value) and not isinstance(value, sp.Basic):
                callables[key] = value
            else:
                value = sp.sympify(value)
                extra = value.free_symbols - set(self.coords)
                if extra:
                    names = sorted(map(str, extra))
                    raise InputError(f"field {key} = {value} uses symbols {names} that are not coords")
                subs[key] = value
        out = []
        for e in exprs:
            e = e.subs(subs)
            # the applied-function form of a field, e.g. k(x, y), is matched by function name too
            fsubs = {a: subs[k] for k in subs if isinstance(k, AppliedUndef)
                     for a in e.atoms(AppliedUndef) if a.func == k.func}
            out.append(e.subs(fsubs).doit())
        return out, callables

    def _analyse(self, expr, name):
        """Return the ``(unknown index, alpha)`` pairs used by ``expr``; raise on foreign symbols."""
        funcs = {u.func: i for i, u in enumerate(self.unknowns)}
        field_funcs = {k.func for k in self._callable_fields if isinstance(k, AppliedUndef)}
        requests = set()
        for d in expr.atoms(sp.Derivative):
            if not isinstance(d.expr, AppliedUndef) or d.expr.func not in funcs:
                what = "a field given as a callable" if getattr(d.expr, "func", None) in field_funcs else "an unknown"
                raise InputError(f"equation {name!r} differentiates {d.expr}, which is not {what} that can be "
                                 f"differentiated; unknowns (network outputs): {list(self.unknowns)}"
                                 + ("; give the field as a sympy expression instead" if what != "an unknown" else ""))
            alpha = [0] * len(self.coords)
            for var, count in d.variable_count:
                if var not in self.coords:
                    raise InputError(f"equation {name!r} differentiates with respect to {var}, which is not a "
                                     f"coordinate {self.coords}")
                alpha[self.coords.index(var)] += int(count)
            requests.add((funcs[d.expr.func], tuple(alpha)))
        for a in expr.atoms(AppliedUndef):
            if a.func in funcs:
                if a != self.unknowns[funcs[a.func]]:
                    raise InputError(f"equation {name!r} uses {a}, but the unknown is {self.unknowns[funcs[a.func]]}")
                requests.add((funcs[a.func], (0,) * len(self.coords)))
            elif a.func not in field_funcs:
                raise InputError(f"equation {name!r} references {a}, which is not among the network outputs "
                                 f"(unknowns {list(self.unknowns)}) nor a field")
        field_symbols = {k for k in self._callable_fields if isinstance(k, sp.Symbol)}
        allowed = set(self.coords) | set(self.trainable) | field_symbols
        free = expr.free_symbols - allowed
        if free:
            raise InputError(f"equation {name!r} uses symbols {sorted(map(str, free))} that are neither coords "
                             f"{self.coords}, trainable coefficients, constants nor fields")
        return requests

    # -------------------------------------------------------------- compilation
    def _derivative_symbol(self, j, alpha):
        return sp.Symbol(f"_d{j}_" + "_".join(map(str, alpha)))

    def _compile(self, namespace):
        key = id(namespace)
        if key in self._compiled:
            return self._compiled[key][1]
        funcs = {u.func: i for i, u in enumerate(self.unknowns)}
        pairs = sorted({p for req in self._requests for p in req})
        dsyms = [self._derivative_symbol(j, a) for j, a in pairs]
        field_keys = list(self._callable_fields)
        fsyms = [sp.Symbol(f"_field{k}") for k in range(len(field_keys))]
        tsyms = list(self.trainable)
        args = [*self.coords, *dsyms, *fsyms, *tsyms]
        mapping = _namespace_dict(namespace)
        compiled = []
        for expr in self.equations:
            rep = {}
            for d in expr.atoms(sp.Derivative):
                alpha = [0] * len(self.coords)
                for var, count in d.variable_count:
                    alpha[self.coords.index(var)] += int(count)
                rep[d] = self._derivative_symbol(funcs[d.expr.func], tuple(alpha))
            expr = expr.xreplace(rep)
            rep = {u: self._derivative_symbol(j, (0,) * len(self.coords)) for j, u in enumerate(self.unknowns)}
            rep.update({k: s for k, s in zip(field_keys, fsyms)})
            expr = expr.xreplace(rep)
            compiled.append(sp.lambdify(args, expr, modules=[mapping], cse=True))
        entry = (pairs, field_keys, tsyms, compiled)
        self._compiled[key] = (namespace, entry)  # keep the namespace alive so its id stays unique
        return entry

    # -------------------------------------------------------------- evaluation
    def evaluate(self, derivatives, x, trainable=None, namespace=np):
        """Residuals from precomputed derivatives.

        Parameters
        ----------
        derivatives : dict
            ``{alpha: array (N, n_unknowns)}`` for every ``alpha`` in :attr:`plan`.
        x : array, shape (N, dim)
            The points (coordinates in the order of :attr:`coords`).
        trainable : dict, optional
            ``{name: value}`` for the trainable coefficients (default: their initial values).
        namespace : module
            numpy-like module the compiled expressions call (``autodiff.numpy`` when differentiating).

        Returns
        -------
        list of arrays, shape (N,)
            One residual per equation, in the order of :attr:`names`.
        """
        pairs, field_keys, tsyms, compiled = self._compile(namespace)
        values = self.trainable_values(trainable)
        n = x.shape[0]
        cols = [x[:, i] for i in range(len(self.coords))]
        dvals = [derivatives[a][:, j] for j, a in pairs]
        fvals = [self._field_value(k, x) for k in field_keys]
        tvals = [values[str(s)] for s in tsyms]
        out = []
        for f in compiled:
            r = f(*cols, *dvals, *fvals, *tvals)
            if np.ndim(r) == 0 or np.shape(r)[0] != n:
                r = r + namespace.zeros(n)
            out.append(r)
        return out

    def residual(self, fn, x, backend, trainable=None, namespace=np):
        """Residuals of the network (or any function) ``fn`` at the points ``x``.

        Parameters
        ----------
        fn : callable
            ``fn(x) -> array (N, n_unknowns)``, columns in the order of :attr:`unknowns`.
        x : array, shape (N, dim)
        backend : callable
            ``backend(fn, x, plan) -> {alpha: (N, n_unknowns)}`` computing every derivative of the plan.
        trainable : dict, optional
            Current values of the trainable coefficients, ``{name: value}``.
        namespace : module
            See :meth:`evaluate`.

        Returns
        -------
        list of arrays, shape (N,)
        """
        derivs = backend(fn, x, self.plan)
        missing = [a for a in self.plan.alphas if a not in derivs]
        if missing:
            raise RuntimeError(f"derivative backend {backend!r} did not return the multi-indices {missing}")
        return self.evaluate(derivs, x, trainable, namespace)

    def trainable_values(self, trainable=None):
        """``{name: value}`` of the trainable coefficients, defaults filled from the initial values."""
        values = {str(s): v for s, v in self.trainable.items()}
        for key, v in (trainable or {}).items():
            if key not in values:
                raise InputError(f"trainable coefficient {key!r} is not in the PDE; known: {sorted(values)}")
            values[key] = v
        return values

    def _field_value(self, key, x):
        v = self._callable_fields[key](x)
        if np.shape(v) != (x.shape[0],):
            raise InputError(f"field {key} returned shape {np.shape(v)}; expected ({x.shape[0]},)")
        return v

    def __repr__(self):
        eqs = "; ".join(f"{n}: {e} = 0" for n, e in zip(self.names, self.equations))
        return f"PDE({eqs})"


def _namespace_dict(namespace):
    mapping = {name: getattr(namespace, name) for name in _FUNCTIONS if hasattr(namespace, name)}
    for sym, name in _SYMPY_NAMES.items():
        if name in mapping:
            mapping[sym] = mapping[name]
    mapping.update({"pi": np.pi, "E": np.e, "I": 1j})
    return mapping


def sympy_function_backend(expressions, coords):
    """Exact derivatives of a *known* function given in sympy, as a derivative backend.

    Useful as an independent reference and for manufactured solutions: the returned backend ignores
    ``fn`` and evaluates the sympy derivatives of ``expressions`` at the points.

    Parameters
    ----------
    expressions : sequence of sympy expressions
        One expression of ``coords`` per unknown.
    coords : sequence of sympy.Symbol

    Returns
    -------
    callable
        ``backend(fn, x, plan) -> {alpha: (N, n_unknowns)}``.
    """
    coords = tuple(coords)
    expressions = [sp.sympify(e) for e in expressions]

    def backend(fn, x, plan):
        out = {}
        for alpha in plan.alphas:
            cols = []
            for e in expressions:
                d = e
                for c, k in zip(coords, alpha):
                    if k:
                        d = sp.diff(d, c, k)
                f = sp.lambdify(coords, d, modules="numpy")
                cols.append(np.broadcast_to(np.asarray(f(*[x[:, i] for i in range(len(coords))]), float), (len(x),)))
            out[alpha] = np.column_stack(cols)
        return out

    return backend


def multi_indices(dim, order):
    """All multi-indices of length ``dim`` with total order ``<= order`` (sorted by order)."""
    out = [a for a in itertools.product(range(order + 1), repeat=dim) if sum(a) <= order]
    return sorted(out, key=lambda a: (sum(a), tuple(-k for k in a)))
