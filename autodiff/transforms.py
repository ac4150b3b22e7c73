"""transforms.py: the functional API (grad, value_and_grad, jvp, vjp, linearize, jacfwd, jacrev,
hessian, hvp, jet, derivative). Every transformation works on pytrees and nests with every other."""

from __future__ import annotations

import math

import numpy as onp

from .batching import vmap_flat
from .core import NonDifferentiableInputError, Trace, Tracer, UnsupportedOperationError, raw, zero
from .core import shape as _shape
from .forward import jvp_flat
from .fwdlap import pointwise_derivatives2
from .reverse import vjp_flat
from .taylor import jet_flat, jet_normalized
from .tree import tree_flatten, tree_unflatten

__all__ = ["grad", "value_and_grad", "jvp", "vjp", "linearize", "jacfwd", "jacrev", "hessian", "hvp", "jet",
           "derivative", "laplacian", "vmap"]


def _as_float(x, who, what):
    """Convert a differentiable input to an inexact array, with a clear error for integers/bools."""
    if isinstance(x, Tracer):
        dt = onp.result_type(raw(x))
        if not onp.issubdtype(dt, onp.inexact):
            raise NonDifferentiableInputError(f"{who}: {what} has dtype {dt}; differentiation requires a float or "
                                              f"complex input")
        return x
    a = onp.asarray(x)
    if not onp.issubdtype(a.dtype, onp.inexact):
        raise NonDifferentiableInputError(
            f"{who}: {what} has dtype {a.dtype} (value {_short(a)}); differentiation requires a float or complex "
            f"input (allowed dtypes: float16/32/64, complex64/128), e.g. pass x.astype(float)"
        )
    return a


def _short(a):
    s = repr(a)
    return s if len(s) < 60 else s[:57] + "..."


def _argnums_tuple(argnums, nargs, who):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(f"{who}: argnums={argnums!r} is out of range for a function called with {nargs} "
                             f"positional arguments; allowed 0..{nargs - 1}")
    return tuple(i % nargs for i in nums)


def _zeros_like_leaf(x):
    """Zeros with the (per-example, under vmap) shape and the dtype of ``x``."""
    return onp.zeros(_shape(x), dtype=onp.result_type(raw(x)))


def value_and_grad(f, argnums=0, has_aux=False):
    """Function returning ``(f(*args), grad f(*args))`` for a real scalar-valued ``f``.

    Parameters
    ----------
    f : callable
        Returns a real scalar (shape ``()``), or ``(scalar, aux)`` with ``has_aux=True``.
    argnums : int or tuple of int
        Positional arguments to differentiate (each may be a pytree of float arrays).
    has_aux : bool
        Whether ``f`` returns auxiliary data, passed through undifferentiated.

    Returns
    -------
    callable
        ``(*args) -> (value, grads)`` or ``((value, aux), grads)``; ``grads`` has the structure of the
        differentiated argument(s) (a tuple when ``argnums`` is a tuple).

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> v, g = ad.value_and_grad(lambda x: x ** 3)(2.0)
    >>> float(v), float(g)
    (8.0, 12.0)
    """

    def vg(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "grad")
        leaves, treedef = tree_flatten([args[i] for i in nums])
        leaves = [_as_float(x, "grad", f"argument argnums={nums}") for x in leaves]
        aux_box = []
        trace_box = []

        def flat_fun(*ls):
            trace_box.extend(x._trace for x in ls[:1])
            a = list(args)
            for i, v in zip(nums, tree_unflatten(treedef, ls)):
                a[i] = v
            out = f(*a, **kwargs)
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise ValueError("grad: has_aux=True requires f to return a pair (scalar, aux)")
                out, aux = out
                aux_box.append(aux)
            shape = _shape(out)
            if shape != ():
                raise ValueError(f"grad: f must return a scalar (shape ()), got shape {shape}; use jacrev, jacfwd "
                                 "or vjp for non-scalar outputs")
            if onp.iscomplexobj(raw(out)):
                raise ValueError("grad: f returned a complex scalar; grad requires a real output (take abs or real)")
            return [out]

        outs, vjp_fn = vjp_flat(flat_fun, leaves)
        ans = outs[0]
        cts = vjp_fn([onp.ones(_shape(ans), dtype=onp.result_type(raw(ans)))])
        cts = [_zeros_like_leaf(x) if c is None else c for c, x in zip(cts, leaves)]
        grads = tree_unflatten(treedef, cts)
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        if has_aux:
            return (ans, _unbox_tree(aux_box[0], trace_box[0] if trace_box else None)), g
        return ans, g

    return vg


def _unbox_tree(tree, trace):
    """Auxiliary outputs leave the transformation as values of the enclosing level."""
    from .reverse import RBox

    def un(x):
        return x.value if (isinstance(x, RBox) and x._trace is trace) else x

    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [un(x) for x in leaves])


def grad(f, argnums=0, has_aux=False):
    """Gradient of a real scalar-valued function (reverse mode).

    Parameters
    ----------
    f : callable
        Returns a real scalar (or ``(scalar, aux)`` with ``has_aux``).
    argnums : int or tuple of int
        Which positional arguments to differentiate.
    has_aux : bool
        Return ``(grads, aux)``.

    Returns
    -------
    callable
        Same arguments as ``f``; returns the gradient with the structure of ``args[argnums]``.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> float(ad.grad(ad.grad(ad.grad(anp.sin)))(0.0))  # -cos(0)
    -1.0
    """
    vg = value_and_grad(f, argnums, has_aux)

    def g(*args, **kwargs):
        if has_aux:
            (_, aux), gr = vg(*args, **kwargs)
            return gr, aux
        return vg(*args, **kwargs)[1]

    return g


def _check_tangent(p, t, i):
    if isinstance(t, Tracer):
        ts, td = _shape(t), onp.result_type(raw(t))
    else:
        t = onp.asarray(t)
        ts, td = t.shape, t.dtype
    ps, pd = _shape(p), onp.result_type(raw(p))
    if ts != ps:
        raise ValueError(f"jvp: tangent {i} has shape {ts} but its primal has shape {ps}; they must match")
    if td != pd:
        if not isinstance(t, Tracer) and onp.issubdtype(td, onp.integer) and onp.issubdtype(pd, onp.inexact):
            return t.astype(pd)
        raise TypeError(f"jvp: tangent {i} has dtype {td} but its primal has dtype {pd}; they must match "
                        f"(cast the tangent with .astype({pd}))")
    return t


def jvp(f, primals, tangents):
    """Forward-mode Jacobian-vector product.

    Parameters
    ----------
    f : callable
        Function of ``len(primals)`` positional pytree arguments.
    primals, tangents : tuple
        Same structure; each tangent leaf has the shape and dtype of its primal leaf.

    Returns
    -------
    primals_out, tangents_out : pytree
        ``f(*primals)`` and ``J v`` with the structure of the output.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> y, t = ad.jvp(anp.sin, (0.0,), (2.0,))
    >>> float(y), float(t)
    (0.0, 2.0)
    """
    if not isinstance(primals, tuple | list) or not isinstance(tangents, tuple | list):
        raise TypeError("jvp: primals and tangents must be tuples (one entry per positional argument), got "
                        f"{type(primals).__name__} and {type(tangents).__name__}")
    pl, ptd = tree_flatten(list(primals))
    tl, ttd = tree_flatten(list(tangents))
    if ptd != ttd:
        raise ValueError(f"jvp: primals and tangents must have the same structure, got {ptd!r} and {ttd!r}")
    pl = [_as_float(p, "jvp", f"primal {i}") for i, p in enumerate(pl)]
    tl = [_check_tangent(p, t, i) for i, (p, t) in enumerate(zip(pl, tl))]
    out_td = []

    def flat_fun(*ls):
        out = f(*tree_unflatten(ptd, ls))
        leaves, td = tree_flatten(out)
        out_td.append(td)
        return leaves

    pouts, touts = jvp_flat(flat_fun, pl, tl)
    touts = [_zeros_like_leaf(p) if t is zero else t for p, t in zip(pouts, touts)]
    return tree_unflatten(out_td[0], pouts), tree_unflatten(out_td[0], touts)


def vjp(f, *primals, has_aux=False):
    """Reverse-mode vector-Jacobian product.

    Parameters
    ----------
    f : callable
        Function of ``len(primals)`` pytree arguments.
    *primals : pytree
        Point of linearisation.
    has_aux : bool
        ``f`` returns ``(out, aux)``.

    Returns
    -------
    out : pytree
        ``f(*primals)``.
    vjp_fn : callable
        ``vjp_fn(ct) -> tuple`` of cotangents, one per primal, ``ct`` having the structure of ``out``.
        It can be called many times, and under other transformations.
    aux : optional
        With ``has_aux``.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> y, f_vjp = ad.vjp(lambda x: x * 3.0, onp.ones(2))
    >>> f_vjp(onp.array([1.0, 2.0]))
    (array([3., 6.]),)
    """
    pl, ptd = tree_flatten(list(primals))
    pl = [_as_float(p, "vjp", f"primal {i}") for i, p in enumerate(pl)]
    out_td = []
    aux_box = []

    def flat_fun(*ls):
        out = f(*tree_unflatten(ptd, ls))
        if has_aux:
            out, aux = out
            aux_box.append(aux)
        leaves, td = tree_flatten(out)
        out_td.append(td)
        return leaves

    trace_box = []
    base_fun = flat_fun

    def flat_fun(*ls):  # noqa: F811 - records the tape's trace for the aux outputs
        trace_box.extend(x._trace for x in ls[:1])
        return base_fun(*ls)

    pouts, fn = vjp_flat(flat_fun, pl)

    def vjp_fn(ct):
        cl, ctd = tree_flatten(ct)
        if ctd != out_td[0]:
            raise ValueError(f"vjp_fn: cotangent structure {ctd!r} does not match the output structure "
                             f"{out_td[0]!r}")
        for i, (c, o) in enumerate(zip(cl, pouts)):
            if _shape(c) != _shape(o):
                raise ValueError(f"vjp_fn: cotangent {i} has shape {_shape(c)} but the output has shape "
                                 f"{_shape(o)}")
        res = fn(cl)
        res = [_zeros_like_leaf(p) if r is None else r for r, p in zip(res, pl)]
        return tuple(tree_unflatten(ptd, res))

    out = tree_unflatten(out_td[0], pouts)
    if has_aux:
        return out, vjp_fn, _unbox_tree(aux_box[0], trace_box[0] if trace_box else None)
    return out, vjp_fn


def linearize(f, *primals):
    """``(f(*primals), f_jvp)`` with ``f_jvp(*tangents) = J tangents``.

    The JVP is re-evaluated on each call (forward mode), not stored as a linear program.
    """
    out = f(*primals)

    def f_jvp(*tangents):
        return jvp(f, primals, tangents)[1]

    return out, f_jvp


def _float_dtype(x):
    """dtype of ``x`` when it is inexact (float32 stays float32), else float64."""
    dt = onp.result_type(raw(x))
    return dt if onp.issubdtype(dt, onp.inexact) else onp.dtype(onp.float64)


def _basis(x):
    """The standard basis of the space of ``x``, stacked: shape (n,) + x.shape."""
    s = _shape(x)
    n = int(onp.prod(s))
    return onp.eye(n, dtype=_float_dtype(x)).reshape((n,) + tuple(s))


def _split_aux(out, has_aux, who):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise ValueError(f"{who}: has_aux=True requires f to return a pair (output, aux)")
    return out


def _unwrap_newer(tree, level):
    """Strip the tracers of traces started after ``level`` (finished inner transformations)."""

    def un(x):
        while isinstance(x, Tracer) and x._trace.level > level:
            x = x._primal_value()
        return x

    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [un(x) for x in leaves])


def _assemble(out_td, per_out, argnums):
    """Result pytree: the output structure, each output leaf replaced by the (tuple over argnums of)
    input structure(s) holding the Jacobian blocks."""
    if isinstance(argnums, int):
        return tree_unflatten(out_td, [blocks[0] for blocks in per_out])
    return tree_unflatten(out_td, [tuple(blocks) for blocks in per_out])


def jacfwd(f, argnums=0, has_aux=False):
    """Jacobian by forward mode: the whole basis of tangents is pushed through one batched JVP.

    Parameters
    ----------
    f : callable
        Returns an array or a pytree of arrays (or ``(output, aux)`` with ``has_aux``).
    argnums : int or tuple of int
        Arguments to differentiate (each may be a pytree of float arrays).
    has_aux : bool
        ``f`` returns ``(output, aux)``; ``aux`` is returned undifferentiated.

    Returns
    -------
    callable
        ``jac(*args)``: for an array output and an array argument, an array of shape
        ``out.shape + in.shape``. In general the output's pytree, each output leaf replaced by the
        argument's pytree of blocks ``out_leaf.shape + in_leaf.shape`` (a tuple of such when ``argnums``
        is a tuple). With ``has_aux``: ``(jac, aux)``.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> ad.jacfwd(lambda x: x ** 2)(onp.array([1.0, 2.0]))
    array([[2., 0.],
           [0., 4.]])
    """

    def jac(*args):
        from . import numpy as anp

        nums = _argnums_tuple(argnums, len(args), "jacfwd")
        lvl0 = Trace().level  # traces started below are newer: aux values are unwrapped from them
        out_td = []
        aux_box = []
        blocks = None  # blocks[out_leaf][k] = list over input leaves of argument nums[k]
        in_tds = []
        for k, i in enumerate(nums):
            leaves, td = tree_flatten(args[i])
            in_tds.append(td)
            leaves = [_as_float(x, "jacfwd", f"argument {i}") for x in leaves]
            for li, leaf in enumerate(leaves):
                def g(v, li=li, leaves=leaves, i=i, td=td):
                    ls = list(leaves)
                    ls[li] = v
                    a = list(args)
                    a[i] = tree_unflatten(td, ls)
                    out, aux = _split_aux(f(*a), has_aux, "jacfwd")
                    if has_aux and not aux_box:
                        aux_box.append(aux)
                    return out

                basis = _basis(leaf)
                n = basis.shape[0]

                def cols_fn(e, g=g, leaf=leaf):
                    touts = jvp(g, (leaf,), (e,))[1]
                    tl, otd = tree_flatten(touts)
                    if not out_td:
                        out_td.append(otd)
                    return tl

                cols = vmap_flat(cols_fn, [basis], [True], n)
                if blocks is None:
                    blocks = [[[] for _ in nums] for _ in cols]
                for j, c in enumerate(cols):
                    out_shape = _shape(c)[1:]
                    m = anp.moveaxis(c, 0, -1) if out_shape else c
                    blocks[j][k].append(anp.reshape(m, out_shape + _shape(leaf)))
        if blocks is None:  # no input leaves
            out, aux = _split_aux(f(*args), has_aux, "jacfwd")
            ol, otd = tree_flatten(out)
            out_td.append(otd)
            aux_box.append(aux)
            blocks = [[[] for _ in nums] for _ in ol]
        per_out = [[tree_unflatten(in_tds[k], blk[k]) for k in range(len(nums))] for blk in blocks]
        res = _assemble(out_td[0], per_out, argnums)
        if has_aux:
            return res, _unwrap_newer(aux_box[0], lvl0)
        return res

    return jac


def jacrev(f, argnums=0, has_aux=False):
    """Jacobian by reverse mode: one forward pass, then the basis of cotangents of each output leaf is
    pulled back in one batched backward pass.

    Parameters
    ----------
    f : callable
        Returns an array or a pytree of arrays (or ``(output, aux)`` with ``has_aux``).
    argnums : int or tuple of int
    has_aux : bool

    Returns
    -------
    callable
        ``jac(*args)``, same layout as :func:`jacfwd`: ``out.shape + in.shape`` for arrays, the output
        pytree of argument pytrees in general; ``(jac, aux)`` with ``has_aux``.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> ad.jacrev(lambda x: {"s": anp.sum(x), "sq": x ** 2})(onp.array([1.0, 2.0]))["s"]
    array([1., 1.])
    """

    def jac(*args):
        from . import numpy as anp

        nums = _argnums_tuple(argnums, len(args), "jacrev")

        def g(*diff):
            a = list(args)
            for i, v in zip(nums, diff):
                a[i] = v
            return f(*a)

        if has_aux:
            out, fn, aux = vjp(g, *[args[i] for i in nums], has_aux=True)
        else:
            out, fn = vjp(g, *[args[i] for i in nums])
        outs, out_td = tree_flatten(out)
        in_tds = [tree_flatten(args[i])[1] for i in nums]
        per_out = []
        for j, o in enumerate(outs):
            basis = _basis(o)
            m = basis.shape[0]

            def pull(u, j=j):
                ct = [u if jj == j else onp.zeros(_shape(oo), dtype=onp.result_type(raw(oo)))
                      for jj, oo in enumerate(outs)]
                res = fn(tree_unflatten(out_td, ct))
                return tree_flatten(list(res))[0]

            rows = vmap_flat(pull, [basis], [True], m)
            blocks = []
            pos = 0
            for k, i in enumerate(nums):
                in_leaves = tree_flatten(args[i])[0]
                lst = []
                for leaf in in_leaves:
                    lst.append(anp.reshape(rows[pos], _shape(o) + _shape(leaf)))
                    pos += 1
                blocks.append(tree_unflatten(in_tds[k], lst))
            per_out.append(blocks)
        res = _assemble(out_td, per_out, argnums)
        if has_aux:
            return res, aux
        return res

    return jac


def hessian(f, argnums=0):
    """Dense Hessian of a scalar function, ``jacfwd(grad(f))``: shape ``in.shape + in.shape``.

    The basis of tangents goes through one batched forward-over-reverse pass. For pytree parameters,
    flatten them first with :func:`autodiff.tree.ravel_pytree`.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> ad.hessian(lambda x: anp.sum(x ** 3))(onp.array([1.0, 2.0]))
    array([[ 6.,  0.],
           [ 0., 12.]])
    """
    return jacfwd(grad(f, argnums), argnums)


def hvp(f, primals, tangents):
    """Hessian-vector product ``H(x) v`` of a scalar function (forward-over-reverse).

    Parameters
    ----------
    f : callable
    primals, tangents : tuple
        As in :func:`jvp`.
    """
    return jvp(grad(f, argnums=tuple(range(len(primals))) if len(primals) > 1 else 0), primals, tangents)[1]


def jet(f, primals, series):
    """Taylor-mode propagation (JAX's ``jax.experimental.jet.jet`` signature).

    Parameters
    ----------
    f : callable
        Function of ``len(primals)`` array arguments.
    primals : tuple of arrays
        The point ``x_0``.
    series : tuple of lists
        ``series[i] = [x_1, ..., x_K]``, the derivatives ``d^k x_i(t)/dt^k`` at ``t = 0`` of the input
        curve (same shape as the primal each).

    Returns
    -------
    primal_out : array or pytree
        ``f(*primals)``.
    series_out : list or pytree of lists
        ``[y_1, ..., y_K]`` with ``y_k = d^k f(x(t))/dt^k`` at ``t = 0``.

    Examples
    --------
    >>> import autodiff as ad, autodiff.numpy as anp
    >>> y, (d1, d2, d3) = ad.jet(anp.exp, (0.0,), ([1.0, 0.0, 0.0],))
    >>> float(d3)
    1.0
    """
    if len(primals) != len(series):
        raise ValueError(f"jet: got {len(primals)} primals but {len(series)} series; one series per primal")
    pl = [_as_float(p, "jet", f"primal {i}") for i, p in enumerate(primals)]
    sl = []
    for i, (p, s) in enumerate(zip(pl, series)):
        terms = []
        for k, t in enumerate(s):
            t = t if isinstance(t, Tracer) else onp.asarray(t, dtype=onp.result_type(p))
            if _shape(t) != _shape(p):
                raise ValueError(f"jet: series[{i}][{k}] has shape {_shape(t)} but primal {i} has shape "
                                 f"{_shape(p)}")
            terms.append(t)
        sl.append(terms)
    out_td = []

    def flat_fun(*ls):
        leaves, td = tree_flatten(f(*ls))
        out_td.append(td)
        return leaves

    pouts, souts = jet_flat(flat_fun, pl, sl)
    td = out_td[0]
    return tree_unflatten(td, pouts), tree_unflatten(td, souts)


def derivative(f, order=1, all_orders=False):
    """k-th derivative of a scalar function applied elementwise, in one Taylor pass.

    Parameters
    ----------
    f : callable
        Elementwise function (``f(xs)[i]`` depends only on ``xs[i]``), built from autodiff operations.
    order : int
        k >= 0. The cost grows as O(k^2), not exponentially as nested reverse mode.
    all_orders : bool
        Return ``[f, f', ..., f^(k)]`` evaluated at ``xs`` instead of only ``f^(k)``.

    Returns
    -------
    callable
        ``xs -> f^(k)(xs)`` (same shape as ``xs``), or the list of all orders.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> ad.derivative(anp.sin, order=4)(onp.array([0.0, 1.0]))
    array([0.        , 0.84147098])
    """
    if not isinstance(order, int | onp.integer) or order < 0:
        raise ValueError(f"derivative: order={order!r} must be a non-negative integer")
    order = int(order)

    def d(xs):
        x = _as_float(xs, "derivative", "xs")
        if order == 0:
            y = f(x)
            return [y] if all_orders else y
        xr = raw(x)
        if isinstance(x, Tracer) or onp.result_type(xr) != onp.float64:
            x0 = x
            seed = [onp.ones(_shape(x), dtype=onp.result_type(xr))] + [zero] * (order - 1)
        else:
            # one (K+1, N) block holding x, 1, 0, ...: the Taylor kernels then use it without copying
            base = onp.zeros((order + 1, xr.size))
            base[0] = xr.ravel()
            base[1] = 1.0
            x0 = base[0].reshape(onp.shape(xr))
            seed = [base[k].reshape(onp.shape(xr)) for k in range(1, order + 1)]
        pouts, souts = jet_normalized(lambda z: [f(z)], [x0], [seed], order)
        y = pouts[0]
        terms = []
        for k, t in enumerate(souts[0], 1):
            if t is zero:
                terms.append(_zeros_like_leaf(y))
            else:
                c = float(math.factorial(k))
                terms.append(t * c if c != 1.0 else t)
        return [y] + terms if all_orders else terms[-1]

    return d


def laplacian(f, return_value=False):
    """Input Laplacian of a pointwise function of a batch of points, in one forward pass.

    ``f`` maps points ``x`` of shape (N, D) to values of shape (N,) or (N, M), row ``i`` of the output
    depending only on row ``i`` of the input (a PINN network applied to collocation points). One
    forward-Laplacian pass (:func:`autodiff.pointwise_derivatives2`, the primal shared by the D
    directions) computes it; if ``f`` uses an operation without a forward-Laplacian rule, the D
    coordinate directions are stacked into one jet of N*D points instead. The result can be
    differentiated again (e.g. with respect to network parameters closed over by ``f``), which is how
    PINN residuals are trained.

    Parameters
    ----------
    f : callable
        ``f(x) -> u`` with ``x`` of shape (N, D).
    return_value : bool
        Also return ``f(x)``.

    Returns
    -------
    callable
        ``x -> lap`` (shape of ``f(x)``), or ``x -> (u, lap)`` with ``return_value``.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> lap = ad.laplacian(lambda x: anp.sum(x ** 2, axis=1) * 0.5)
    >>> lap(onp.ones((2, 3)))
    array([3., 3.])
    """

    def lap(x):
        from . import numpy as anp

        s = _shape(x)
        if len(s) != 2:
            raise ValueError(f"laplacian: points must have shape (N, D), got shape {s}")
        n, d = s
        try:  # forward Laplacian: all directions share the primal (see autodiff.fwdlap)
            u, _, second = pointwise_derivatives2(f, x)
        except UnsupportedOperationError:
            pass
        else:
            total = anp.sum(second, axis=0)
            return (u, total) if return_value else total
        xs = anp.concatenate([x] * d, axis=0) if d > 1 else x
        seed = onp.repeat(onp.eye(d, dtype=_float_dtype(x)), n, axis=0)
        u, (_, d2) = jet(f, (xs,), ([seed, onp.zeros_like(seed)],))
        out_shape = _shape(u)
        per_dir = anp.reshape(d2, (d, n) + tuple(out_shape[1:]))
        total = anp.sum(per_dir, axis=0)
        if return_value:
            return u[:n], total
        return total

    return lap


def _axes_for(spec, tree, who, what):
    """Broadcast an axis spec (int, None, or a pytree prefix of ``tree``) to the leaves of ``tree``."""
    if spec is None or isinstance(spec, int) and not isinstance(spec, bool):
        return [spec] * len(tree_flatten(tree)[0])
    if isinstance(spec, dict) and isinstance(tree, dict):
        if set(spec) != set(tree):
            raise ValueError(f"{who}: {what} has keys {sorted(spec)} but the value has keys {sorted(tree)}")
        out = []
        for k in sorted(tree):
            out += _axes_for(spec[k], tree[k], who, f"{what}[{k!r}]")
        return out
    if isinstance(spec, list | tuple) and isinstance(tree, list | tuple):
        if len(spec) != len(tree):
            raise ValueError(f"{who}: {what} has {len(spec)} entries but the value has {len(tree)}")
        out = []
        for k, (sp, t) in enumerate(zip(spec, tree)):
            out += _axes_for(sp, t, who, f"{what}[{k}]")
        return out
    raise ValueError(f"{who}: {what}={spec!r} must be an int, None, or a pytree prefix of the value "
                     f"(got a {type(spec).__name__} for a {type(tree).__name__})")


def _norm_axis(ax, ndim, who, what):
    if not -ndim <= ax < ndim:
        raise ValueError(f"{who}: {what}={ax} is out of range for a value with {ndim} dimensions; allowed "
                         f"{-ndim}..{ndim - 1}" if ndim else f"{who}: {what}={ax} cannot map over a 0-d value "
                         "(use None for unbatched arguments)")
    return ax % ndim


def vmap(f, in_axes=0, out_axes=0):
    """Vectorising map: ``f`` applied to every slice of its batched arguments in one batched pass.

    Every primitive runs once on the whole batch (a batching rule per primitive; a primitive without
    one falls back to a loop). It nests with every other transformation: ``vmap(grad(loss),
    in_axes=(None, 0))`` gives per-example gradients, ``vmap(jacfwd(f))`` batched Jacobians.

    Parameters
    ----------
    f : callable
        Function of positional pytree arguments returning a pytree of arrays.
    in_axes : int, None, or tuple
        Axis of each argument that is mapped over: one int/None for all arguments, or a tuple with one
        entry per positional argument, each an int, None (not mapped: passed whole to every call) or a
        pytree prefix of that argument giving an axis per leaf.
    out_axes : int, None, or pytree prefix of the output
        Where the mapped axis goes in each output leaf; None for an output that does not depend on the
        mapped arguments (an error otherwise).

    Returns
    -------
    callable
        ``vf(*args)``; every mapped leaf must have the same length along its mapped axis.

    Examples
    --------
    >>> import numpy as onp, autodiff as ad, autodiff.numpy as anp
    >>> ad.vmap(lambda a, b: anp.dot(a, b), in_axes=(0, None))(onp.eye(2), onp.array([3.0, 4.0]))
    array([3., 4.])
    >>> loss = lambda w, x: anp.sum((x * w) ** 2)
    >>> ad.vmap(ad.grad(loss), in_axes=(None, 0))(onp.ones(2), onp.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[ 2.,  8.],
           [18., 32.]])
    """
    if not callable(f):
        raise TypeError(f"vmap: f must be callable, got {type(f).__name__}")

    def vf(*args):
        from . import numpy as anp
        from .batching import BatchTrace, BatchTracer

        if isinstance(in_axes, list | tuple):
            if len(in_axes) != len(args):
                raise ValueError(f"vmap: in_axes has {len(in_axes)} entries but f was called with {len(args)} "
                                 f"positional arguments; give one entry per argument")
            spec = tuple(in_axes)
        else:
            spec = (in_axes,) * len(args)
        leaves, td = tree_flatten(list(args))
        axes = []
        for i, (sp, a) in enumerate(zip(spec, args)):
            axes += _axes_for(sp, a, "vmap", f"in_axes[{i}]")
        sizes = {}
        moved = []
        for k, (leaf, ax) in enumerate(zip(leaves, axes)):
            if ax is None:
                moved.append(leaf)
                continue
            if not isinstance(leaf, Tracer):
                leaf = onp.asarray(leaf)
            s = _shape(leaf)
            ax = _norm_axis(ax, len(s), "vmap", f"in_axes (leaf {k} of shape {s})")
            sizes.setdefault(s[ax], []).append(f"leaf {k} (shape {s}, axis {ax})")
            moved.append(leaf if ax == 0 else anp.moveaxis(leaf, ax, 0))
        if not sizes:
            raise ValueError("vmap: no argument is mapped (every in_axes entry is None); map at least one")
        if len(sizes) > 1:
            detail = "; ".join(f"size {n}: {', '.join(w)}" for n, w in sizes.items())
            raise ValueError(f"vmap: mapped axes have different sizes ({detail}); they must all be equal")
        (size,) = sizes
        trace = BatchTrace(size)
        ins = [m if ax is None else BatchTracer(trace, m) for m, ax in zip(moved, axes)]
        out = f(*tree_unflatten(td, ins))
        ol, otd = tree_flatten(out)
        oaxes = _axes_for(out_axes, out, "vmap", "out_axes")
        res = []
        for k, (o, ax) in enumerate(zip(ol, oaxes)):
            batched = isinstance(o, BatchTracer) and o._trace is trace
            if ax is None:
                if batched:
                    raise ValueError(f"vmap: out_axes is None for output leaf {k}, but that output depends on the "
                                     f"mapped arguments")
                res.append(o)
                continue
            v = o.val if batched else anp.broadcast_to(o, (size,) + _shape(o))
            nd = len(_shape(v))
            ax = _norm_axis(ax, nd, "vmap", f"out_axes (output leaf {k} of shape {_shape(v)[1:]})")
            res.append(v if ax == 0 else anp.moveaxis(v, 0, ax))
        return tree_unflatten(otd, res)

    return vf
