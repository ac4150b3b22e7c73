"""Energy minimisation: FIRE (Bitzek et al. 2006) and L-BFGS (scipy) on a System's positions."""

import dataclasses

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.forces.base import ForceField


@dataclasses.dataclass
class MinimizeResult:
    """Outcome of a minimisation.

    Attributes
    ----------
    energy : float
        Final potential energy, kJ/mol.
    max_force : float
        Largest force component at the end, kJ/mol/nm.
    steps : int
        Iterations (FIRE steps or L-BFGS iterations).
    converged : bool
        ``max_force <= force_tolerance``.
    """

    energy: float
    max_force: float
    steps: int
    converged: bool


def minimize(system, forces, method="fire", force_tolerance=1e-4, max_steps=10_000, **options):
    """Move ``system.positions`` (in place) to a local energy minimum.

    Parameters
    ----------
    system : System
    forces : ForceField, Force or sequence of Force
    method : {"fire", "lbfgs"}
        FIRE [1]_ (robust from rough starts) or scipy's L-BFGS-B (fast near a minimum).
    force_tolerance : float
        Stop when every force component is below this, kJ/mol/nm.
    max_steps : int
    **options
        FIRE: ``dt`` (initial step, ps, default 0.002), ``dt_max`` (default 10 dt), ``max_move`` (nm per
        step, default 0.1).

    Returns
    -------
    MinimizeResult

    References
    ----------
    .. [1] E. Bitzek, P. Koskinen, F. Gahler, M. Moseler, P. Gumbsch, Phys. Rev. Lett. 97, 170201 (2006).

    Examples
    --------
    >>> from molecular import LennardJones, lattice
    >>> s = lattice("fcc", 3, density=0.9)
    >>> minimize(s, LennardJones(cutoff=2.0), force_tolerance=1e-6).converged
    True
    """
    ff = forces if isinstance(forces, ForceField) else ForceField(forces)
    ff.setup(system)
    check_range("force_tolerance", float(force_tolerance), 0.0, None, low_open=True)
    max_steps = int(check_range("max_steps", int(max_steps), 1, None))
    if method == "fire":
        return _fire(system, ff, force_tolerance, max_steps, **options)
    if method == "lbfgs":
        return _lbfgs(system, ff, force_tolerance, max_steps)
    raise InputError(f"method={method!r}; allowed: 'fire', 'lbfgs'")


def _fire(system, ff, ftol, max_steps, dt=0.002, dt_max=None, max_move=0.1, n_min=5, f_inc=1.1, f_dec=0.5,
          alpha_start=0.1, f_alpha=0.99):
    dt_max = 10 * dt if dt_max is None else dt_max
    x = system.positions
    m = system.masses[:, None]
    v = np.zeros_like(x)
    res = ff.compute(system)
    alpha, since_neg = alpha_start, 0
    for step in range(1, max_steps + 1):
        f = res.forces
        fmax = float(np.max(np.abs(f)))
        if fmax <= ftol:
            return MinimizeResult(res.energy, fmax, step - 1, True)
        p = float(np.sum(f * v))
        if p > 0:
            vn, fn = np.linalg.norm(v), np.linalg.norm(f)
            v = (1 - alpha) * v + alpha * vn * f / fn
            since_neg += 1
            if since_neg > n_min:
                dt = min(dt * f_inc, dt_max)
                alpha *= f_alpha
        else:
            v[:] = 0.0
            dt *= f_dec
            alpha, since_neg = alpha_start, 0
        v += dt * f / m  # semi-implicit Euler (MD step) as in the FIRE paper
        dx = dt * v
        big = np.max(np.abs(dx))
        if big > max_move:
            dx *= max_move / big
        x += dx
        res = ff.compute(system)
    fmax = float(np.max(np.abs(res.forces)))
    return MinimizeResult(res.energy, fmax, max_steps, fmax <= ftol)


def _lbfgs(system, ff, ftol, max_steps):
    from scipy.optimize import minimize as sp_minimize

    shape = system.positions.shape

    def fun(flat):
        system.positions[:] = flat.reshape(shape)
        r = ff.compute(system)
        return r.energy, -r.forces.ravel()

    out = sp_minimize(fun, system.positions.ravel().copy(), jac=True, method="L-BFGS-B",
                      options={"maxiter": max_steps, "gtol": ftol, "ftol": 0.0, "maxcor": 20})
    system.positions[:] = out.x.reshape(shape)
    r = ff.compute(system)
    fmax = float(np.max(np.abs(r.forces)))
    return MinimizeResult(r.energy, fmax, int(out.nit), fmax <= ftol)
