"""Fit Lennard-Jones epsilon and sigma to a target mean pressure and potential energy by differentiating
through an unrolled MD run.

The target comes from an NVE velocity-Verlet run (shifted-force LJ, fcc start at rho* = 0.8, T* ~ 1,
reduced units) with the known parameters ``TRUE = (1.0, 1.0)``. Starting from ``START`` the fit
minimises ``sum_k ((A_k(p) - A_k*) / A_k*)^2`` for the time averages ``A = (<P>, <U>/N)`` of the same
run (same initial state), by Levenberg-Marquardt steps whose Jacobian comes from two reverse passes
(``autodiff.vjp``) through the whole unrolled trajectory, gradient-checkpointed every ``CHECKPOINT``
steps. Because the run is deterministic and both observables are smooth in (epsilon, sigma), the fit
recovers the true parameters within ``TOLERANCE`` (relative); the script checks it.

The horizon is short on purpose (100 steps = 0.5 tau): the liquid is chaotic, so the sensitivity of a
trajectory average to the parameters grows like ``exp(lambda t)`` and the loss of a longer unrolled run
becomes rugged (with 200 steps the same fit stalls in a spurious local minimum); ``MAX_STEP`` bounds each
Levenberg-Marquardt step for the same reason.

Outputs (in ``outdir``): ``fit_lj_parameters.h5`` (history of parameters, observables, loss) and
``fit_lj_parameters.png``.

Run: ``python examples/molecular/fit_lj_parameters.py [outdir] [--quick]`` (about 10 s; ``--quick``
uses 32 atoms and 50 steps).
"""

import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import autodiff as ad  # noqa: E402
from mindscience.errors import InputError  # noqa: E402
from mindscience.io import save  # noqa: E402
from molecular import lattice  # noqa: E402
from molecular.differentiable import unrolled_lj  # noqa: E402

# ---- parameters (LJ reduced units)
CELLS, DENSITY, T_START = 2, 0.8, 1.0  # 32 atoms in the fcc start (cells=(2, 2, 4): 64)
CUTOFF, DT, STEPS, CHECKPOINT = 1.7, 0.005, 100, 10
TRUE = np.array([1.0, 1.0])  # epsilon, sigma
START = np.array([1.3, 0.92])
TOLERANCE = 1e-3  # relative error of the recovered parameters
MAX_ITER = 30
MAX_STEP = 0.1  # largest relative change of a parameter per iteration


def make_problem(cells=(2, 2, 4), steps=STEPS):
    s = lattice("fcc", cells, density=DENSITY).set_velocities(T_START, seed=5, kB=1.0)
    box = np.diag(s.box.h).copy()
    n = s.n_atoms

    def observables(p):
        a = unrolled_lj(p, s.positions, s.velocities, box, cutoff=CUTOFF, dt=DT, n_steps=steps,
                        observables=("pressure", "potential_energy"), checkpoint_every=CHECKPOINT)
        return a * np.array([1.0, 1.0 / n])

    return observables, n


def fit(observables, start=START, true=TRUE, max_iter=MAX_ITER):
    """Levenberg-Marquardt on relative residuals; Jacobian rows from reverse-mode VJPs."""
    target = np.asarray(observables(true))
    p = np.array(start, dtype=float)
    lam = 1e-3
    history = []

    def residual_and_jacobian(p):
        try:
            out, vjp_fn = ad.vjp(lambda q: (observables(q) - target) / np.abs(target), p)
        except InputError:  # a trial step left the allowed range (sigma <= 0): reject it
            return np.full(len(target), np.inf), None
        if not np.all(np.isfinite(out)):
            return np.asarray(out), None
        jac = np.array([vjp_fn(e)[0] for e in np.eye(len(target))])
        return np.asarray(out), jac

    r, jac = residual_and_jacobian(p)
    for it in range(max_iter):
        loss = float(r @ r)
        history.append((*p, *(r * np.abs(target) + target), loss))
        if loss < 1e-14:
            break
        while True:
            a = jac.T @ jac
            step = np.linalg.solve(a + lam * np.diag(np.diag(a)), -jac.T @ r)
            step *= min(1.0, MAX_STEP / np.max(np.abs(step) / p))  # trust region: <= MAX_STEP relative
            trial = p + step
            r_new, jac_new = residual_and_jacobian(trial)
            print(f"  iteration {it}: trial epsilon={trial[0]:.6f} sigma={trial[1]:.6f} "
                  f"loss={float(r_new @ r_new):.3e}")
            if np.isfinite(r_new).all() and float(r_new @ r_new) < loss:
                p, r, jac, lam = trial, r_new, jac_new, max(lam / 10, 1e-9)
                break
            lam *= 10
            if lam > 1e8:
                break
        if lam > 1e8:
            break
    loss = float(r @ r)
    history.append((*p, *(r * np.abs(target) + target), loss))
    return p, target, np.array(history)


def main(outdir="fit_lj_parameters_out", *flags):
    quick = "--quick" in flags
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    observables, n = make_problem(cells=2 if quick else (2, 2, 4), steps=50 if quick else STEPS)
    p, target, hist = fit(observables)
    wall = time.perf_counter() - t0
    err = np.abs(p - TRUE) / TRUE
    print(f"N={n}, {50 if quick else STEPS} steps unrolled (checkpoint every {CHECKPOINT}); target <P>={target[0]:.5f},"
          f" <U>/N={target[1]:.5f}")
    print(f"start epsilon={START[0]}, sigma={START[1]} -> fitted epsilon={p[0]:.6f}, sigma={p[1]:.6f} in "
          f"{len(hist) - 1} iterations, {wall:.1f} s; relative errors {err[0]:.1e}, {err[1]:.1e} "
          f"(tolerance {TOLERANCE:g})")
    save(out / "fit_lj_parameters.h5",
         {"epsilon": hist[:, 0], "sigma": hist[:, 1], "pressure": hist[:, 2], "potential_energy_per_atom": hist[:, 3],
          "loss": hist[:, 4], "target": target, "true": TRUE},
         parameters={"n_atoms": n, "dt": DT, "cutoff": CUTOFF, "start": START.tolist(), "quick": quick})
    fig, ax = plt.subplots(1, 2, figsize=(8, 3.2), constrained_layout=True)
    ax[0].plot(hist[:, 0], hist[:, 1], "o-")
    ax[0].plot(*TRUE, "k*", ms=12, label="true")
    ax[0].set_xlabel(r"$\epsilon$")
    ax[0].set_ylabel(r"$\sigma$")
    ax[0].legend()
    ax[1].semilogy(np.maximum(hist[:, 4], 1e-30), "o-")
    ax[1].set_xlabel("iteration")
    ax[1].set_ylabel("loss")
    fig.savefig(out / "fit_lj_parameters.png", dpi=110)
    print(f"wrote {out / 'fit_lj_parameters.h5'} and {out / 'fit_lj_parameters.png'}")
    if not np.all(err < TOLERANCE):
        raise SystemExit(f"fit did not recover the parameters within {TOLERANCE:g}: errors {err}")
    return p, err


if __name__ == "__main__":
    main(*sys.argv[1:])
