"""Differentiable molecular dynamics: an unrolled velocity-Verlet run of a Lennard-Jones system whose time-averaged
observables are differentiable (autodiff, reverse or forward mode) with respect to epsilon, sigma and the
initial state, with gradient checkpointing to bound memory.

The LJ energy, forces and virial are numba kernels (``molecular._differentiable_kernels``) registered as
:mod:`autodiff` primitives (:func:`autodiff.kernels.register_kernel`). Their derivative rules are other
registered kernels: the VJP of the forces is a Hessian-vector-product kernel (``-H g``) plus the force
derivative with respect to (epsilon, sigma), which is exactly what the backward pass through the
velocity-Verlet loop needs (the forces are evaluated inside the loop). The energy is differentiable twice
in every mode; forces and virial once (a third derivative of the energy raises a clear error naming the
missing rule).

This module imports :mod:`autodiff`; ``import molecular`` does not import it.
"""

import numpy as onp

import autodiff as ad
import autodiff.numpy as anp
from autodiff.core import raw
from autodiff.kernels import register_kernel
from mindscience.errors import InputError, check_range
from molecular import _differentiable_kernels as K

__all__ = ["lj_energy", "lj_forces", "lj_virial", "unrolled_lj", "OBSERVABLES"]

#: names accepted by :func:`unrolled_lj` (time averages over steps 1..n_steps)
OBSERVABLES = ("potential_energy", "kinetic_energy", "total_energy", "pressure")

# ----- second-derivative kernels: primitives without rules (a third derivative raises a clear error)
_force_lin = register_kernel("lj_sf_force_lin", K.lj_force_lin)
_force_vjp_p = register_kernel("lj_sf_force_vjp_p", K.lj_force_vjp_p)
_virial_dx = register_kernel("lj_sf_virial_dx", K.lj_virial_dx)
_virial_dp = register_kernel("lj_sf_virial_dp", K.lj_virial_dp)
_energy_dp2 = register_kernel("lj_sf_energy_dp2", K.lj_energy_dp2)


def _dot2(a, b):
    return anp.sum(a * b)


def _energy_dp_jvp(primals, tangents):
    x, p, c = primals
    tx, tp, _ = tangents
    return -_force_vjp_p(x, p, c, tx) + anp.sum(_energy_dp2(x, p, c) * tp[None, :], axis=1)


def _energy_dp_vjp(g, ans, x, p, c):
    return (-_force_lin(x, p, c, onp.zeros(onp.shape(x)), g), anp.sum(_energy_dp2(x, p, c) * g[None, :], axis=1),
            None)


_energy_dp = register_kernel("lj_sf_energy_dp", K.lj_energy_dp, jvp=_energy_dp_jvp, vjp=_energy_dp_vjp)


def _forces_jvp(primals, tangents):
    x, p, c = primals
    tx, tp, _ = tangents
    return _force_lin(x, p, c, tx, tp)


def _forces_vjp(g, ans, x, p, c):
    return _force_lin(x, p, c, g, onp.zeros(2)), _force_vjp_p(x, p, c, g), None


_forces = register_kernel("lj_sf_forces", K.lj_forces, jvp=_forces_jvp, vjp=_forces_vjp)


def _energy_jvp(primals, tangents):
    x, p, c = primals
    tx, tp, _ = tangents
    return -_dot2(_forces(x, p, c), tx) + _dot2(_energy_dp(x, p, c), tp)


def _energy_vjp(g, ans, x, p, c):
    return -g * _forces(x, p, c), g * _energy_dp(x, p, c), None


_energy = register_kernel("lj_sf_energy", K.lj_energy, jvp=_energy_jvp, vjp=_energy_vjp)


def _virial_jvp(primals, tangents):
    x, p, c = primals
    tx, tp, _ = tangents
    return _dot2(_virial_dx(x, p, c), tx) + _dot2(_virial_dp(x, p, c), tp)


def _virial_vjp(g, ans, x, p, c):
    return g * _virial_dx(x, p, c), g * _virial_dp(x, p, c), None


_virial = register_kernel("lj_sf_virial", K.lj_virial, jvp=_virial_jvp, vjp=_virial_vjp)


def _constants(box, cutoff):
    box = onp.asarray(box, dtype=onp.float64)
    if box.shape != (3,) or not onp.all(box > 0) or not onp.all(onp.isfinite(box)):
        raise InputError(f"box={box.tolist()!r}; allowed: 3 positive orthorhombic box lengths, nm")
    check_range("cutoff", float(cutoff), 0.0, 0.5 * float(box.min()), low_open=True)
    return onp.array([*box, float(cutoff)])


def lj_energy(positions, params, box, cutoff):
    r"""Shifted-force Lennard-Jones energy, differentiable in positions and parameters.

    ``U = sum_{i<j} u(r_ij) - u(rc) - (r_ij - rc) u'(rc)`` for ``r_ij < rc``, with
    ``u = 4 eps ((sigma/r)^12 - (sigma/r)^6)``, minimum image over all pairs (O(N^2): small systems).

    Parameters
    ----------
    positions : array (N, 3), nm (or reduced)
    params : array (2,)
        ``[epsilon (kJ/mol), sigma (nm)]``.
    box : array_like (3,)
        Orthorhombic box lengths, nm (constant).
    cutoff : float
        ``rc <= min(box) / 2``, nm (constant).

    Returns
    -------
    scalar, kJ/mol

    Examples
    --------
    >>> import numpy as np, autodiff as ad
    >>> x = np.array([[0.0, 0.0, 0.0], [1.2, 0.0, 0.0]])
    >>> g = ad.grad(lambda p: lj_energy(x, p, [5.0, 5.0, 5.0], 2.5))(np.array([1.0, 1.0]))
    >>> g.shape
    (2,)
    """
    return _energy(positions, params, _constants(box, cutoff))


def lj_forces(positions, params, box, cutoff):
    """Forces ``-dU/dx`` (N, 3) of :func:`lj_energy`, kJ/mol/nm; differentiable once (VJP = Hessian-vector product).

    Parameters
    ----------
    positions : array (N, 3)
    params : array (2,)
        ``[epsilon, sigma]``.
    box : array_like (3,)
    cutoff : float

    Returns
    -------
    array (N, 3)

    Examples
    --------
    >>> import numpy as np
    >>> f = lj_forces(np.array([[0.0, 0, 0], [1.0, 0, 0]]), np.array([1.0, 1.0]), [5.0, 5, 5], 2.5)
    >>> bool(f[0, 0] < 0 < f[1, 0])   # repulsive at r = sigma
    True
    """
    return _forces(positions, params, _constants(box, cutoff))


def lj_virial(positions, params, box, cutoff):
    """Scalar virial ``W = sum_pairs r_ij . f_ij`` (trace of the virial tensor), kJ/mol; differentiable once.

    The configurational pressure is ``W / (3 V)``.

    Parameters
    ----------
    positions : array (N, 3)
    params : array (2,)
    box : array_like (3,)
    cutoff : float

    Returns
    -------
    scalar

    Examples
    --------
    >>> import numpy as np
    >>> w = lj_virial(np.array([[0.0, 0, 0], [1.0, 0, 0]]), np.array([1.0, 1.0]), [5.0, 5, 5], 2.5)
    >>> bool(w > 0)
    True
    """
    return _virial(positions, params, _constants(box, cutoff))


def unrolled_lj(params, positions, velocities, box, masses=1.0, cutoff=2.5, dt=0.005, n_steps=100,
                observables=("potential_energy",), checkpoint_every=None):
    r"""Time averages of observables over an unrolled NVE velocity-Verlet run, differentiable end to end.

    Every step ``v += dt/2 F/m; x += dt v; F = F(x; eps, sigma); v += dt/2 F/m`` is recorded by
    autodiff, so ``autodiff.grad``/``vjp`` of the result give exact derivatives of the discrete
    trajectory's averages with respect to ``params`` (and ``positions``/``velocities``). Reverse mode
    stores every step (memory ``O(n_steps)``); with ``checkpoint_every=k`` each block of ``k`` steps is an
    :func:`autodiff.checkpoint`, storing only block inputs and recomputing a block's steps in the
    backward pass: memory ``O(n_steps / k + k)``, minimal (``O(sqrt(n_steps))``) at ``k ~ sqrt(n_steps)``,
    for one extra forward pass. Both give the same gradient to round-off.

    Parameters
    ----------
    params : array (2,)
        ``[epsilon (kJ/mol), sigma (nm)]`` of the shifted-force LJ potential (see :func:`lj_energy`).
    positions, velocities : array (N, 3)
        Initial state, nm and nm/ps.
    box : array_like (3,)
        Orthorhombic box lengths, nm (fixed: NVE).
    masses : float or array_like (N,), amu
    cutoff : float
        nm, ``<= min(box) / 2``.
    dt : float
        Time step, ps.
    n_steps : int
        Steps to unroll (>= 1).
    observables : sequence
        Names from :data:`OBSERVABLES` (``"pressure"`` is ``(sum m v^2 + W) / (3 V)``, kJ/mol/nm^3) or
        callables ``fn(x, v, params) -> scalar`` written with ``autodiff.numpy``; each is averaged over
        steps ``1..n_steps``.
    checkpoint_every : int, optional
        Block length ``k`` for gradient checkpointing (``None``: no checkpointing).

    Returns
    -------
    array (len(observables),)
        The time averages.

    Notes
    -----
    The derivative is that of the discrete, finite-time trajectory. A liquid is chaotic: the
    sensitivity of a trajectory average grows like ``exp(lambda t)``, so for long horizons the exact
    gradient stops describing the smooth ensemble-average dependence (108-atom LJ liquid, rho* = 0.8,
    T* = 1: ``d<P>/d sigma`` = 3.7 after 100 steps, -19 after 400, 9e8 after 1600, see
    ``benchmarks/md_diff_memory.py``). Fit over horizons of a fraction of a time unit, or average
    several short runs.

    Examples
    --------
    >>> import numpy as np, autodiff as ad
    >>> from molecular import lattice
    >>> s = lattice("fcc", 2, density=0.8).set_velocities(1.0, seed=1, kB=1.0)
    >>> box = np.diag(s.box.h)
    >>> f = lambda p: unrolled_lj(p, s.positions, s.velocities, box, cutoff=1.7, n_steps=10)[0]
    >>> ad.grad(f)(np.array([1.0, 1.0])).shape
    (2,)
    """
    c = _constants(box, cutoff)
    n = onp.shape(positions)[0]
    if onp.shape(positions) != (n, 3) or onp.shape(velocities) != (n, 3):
        raise InputError(f"positions/velocities have shapes {onp.shape(positions)}, {onp.shape(velocities)}; "
                         "allowed: (N, 3) each")
    if onp.shape(params) != (2,):
        raise InputError(f"params has shape {onp.shape(params)}; allowed: (2,) = [epsilon, sigma]")
    eps, sig = (float(v) for v in onp.asarray(raw(params), dtype=onp.float64))
    if not (eps >= 0 and sig > 0 and onp.isfinite(eps) and onp.isfinite(sig)):
        raise InputError(f"params=[{eps!r}, {sig!r}]; allowed: epsilon >= 0, sigma > 0 (finite)")
    if int(n_steps) != n_steps or n_steps < 1:
        raise InputError(f"n_steps={n_steps!r}; allowed: integers >= 1")
    check_range("dt", float(dt), 0.0, None, low_open=True)
    if checkpoint_every is not None and (int(checkpoint_every) != checkpoint_every or checkpoint_every < 1):
        raise InputError(f"checkpoint_every={checkpoint_every!r}; allowed: None or integers >= 1 (steps)")
    m = onp.broadcast_to(onp.asarray(masses, dtype=onp.float64), (n,)).copy()
    if not onp.all(m > 0):
        raise InputError("masses must be positive, amu")
    obs = []
    for o in observables:
        if callable(o):
            obs.append(o)
        elif o in OBSERVABLES:
            obs.append(o)
        else:
            raise InputError(f"observable {o!r} is unknown; allowed: {', '.join(OBSERVABLES)} or a callable")
    inv_m = (1.0 / m)[:, None]
    m_col = m[:, None]
    volume = float(onp.prod(c[:3]))
    half = 0.5 * float(dt)
    dt = float(dt)

    def observe(x, v, p):
        vals = []
        ke = None
        for o in obs:
            if callable(o):
                vals.append(o(x, v, p))
                continue
            if o in ("kinetic_energy", "total_energy", "pressure") and ke is None:
                ke = 0.5 * anp.sum(m_col * v * v)
            if o == "potential_energy":
                vals.append(_energy(x, p, c))
            elif o == "kinetic_energy":
                vals.append(ke)
            elif o == "total_energy":
                vals.append(ke + _energy(x, p, c))
            else:
                vals.append((2.0 * ke + _virial(x, p, c)) / (3.0 * volume))
        return anp.stack(vals)

    def block(k):
        def run(x, v, f, p):
            acc = None
            for _ in range(k):
                v = v + half * f * inv_m
                x = x + dt * v
                f = _forces(x, p, c)
                v = v + half * f * inv_m
                o = observe(x, v, p)
                acc = o if acc is None else acc + o
            return x, v, f, acc

        return run

    x, v = positions, velocities
    f = _forces(x, params, c)
    total = None
    k = int(n_steps) if checkpoint_every is None else int(checkpoint_every)
    blocks = {}
    done = 0
    while done < n_steps:
        size = min(k, int(n_steps) - done)
        if size not in blocks:
            blocks[size] = block(size) if checkpoint_every is None else ad.checkpoint(block(size))
        x, v, f, acc = blocks[size](x, v, f, params)
        total = acc if total is None else total + acc
        done += size
    return total / float(n_steps)
