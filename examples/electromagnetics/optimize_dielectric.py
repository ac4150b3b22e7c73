"""Inverse design of a 2D dielectric lens by gradients through an unrolled FDTD run with CPML walls.

A Gaussian-modulated plane-wave pulse (TM, Ez) crosses a design slab of per-cell permittivity
1 <= eps <= 4 in a domain periodic along y and terminated along x by convolutional PML (CPML) walls;
the objective is the pulse energy ``dt sum_n Ez^2`` at a focal probe behind the slab, relative to the
empty domain. Its gradient with respect to all design cells comes from one reverse pass through the
run (:mod:`electromagnetics.differentiable`: numba step kernel with the CPML memories in the state,
adjoint kernel, sqrt(n) gradient checkpointing), and L-BFGS-B (scipy) enforces the bounds. The final
design is re-simulated with the regular :class:`~electromagnetics.fdtd.FDTDSimulation` (same CPML
walls: the objective must agree to round-off), and a forward-mode (tangent-linear) derivative along
the last step checks the gradient's directional slope.

Run: python examples/electromagnetics/optimize_dielectric.py [OUTDIR]   (about 30 s)
"""

import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from _common import out_dir, save_png  # noqa: E402
from scipy.constants import c  # noqa: E402
from scipy.optimize import minimize  # noqa: E402

from electromagnetics.differentiable import ProbeEnergy, TMDesign  # noqa: E402
from electromagnetics.fdtd import CPML, Grid, ModulatedGaussian, Periodic, PlaneCurrent, Source  # noqa: E402
from mindscience.io import save  # noqa: E402

PARAMS = {
    "dx": 1e-3,            # m
    "nx": 100, "ny": 60,   # cells (y is periodic: a lens array of period ny dx)
    "cpml": 12,            # cells of CPML at each x end
    "wavelength": 20e-3,   # m, centre of the pulse's band
    "bandwidth": 0.25,     # spectral standard deviation / centre frequency
    "source_x": 16e-3,     # m
    "design_x": (28e-3, 40e-3),
    "probe": (70e-3, 30e-3),
    "n_steps": 400,
    "eps_bounds": (1.0, 4.0),
    "maxiter": 30,
}


def build(p):
    """The differentiable problem and the empty-domain objective used for normalisation."""
    grid = Grid((p["nx"], p["ny"]), spacing=p["dx"])
    f0 = c / p["wavelength"]
    src = Source(PlaneCurrent("x", p["source_x"]), ModulatedGaussian(f0, p["bandwidth"] * f0), "Ez")
    ly = p["ny"] * p["dx"]
    prob = TMDesign(grid, (p["design_x"][0], 0.0), (p["design_x"][1], ly - p["dx"]), [src],
                    ProbeEnergy([p["probe"]]), p["n_steps"], boundaries={"x": CPML(p["cpml"]), "y": Periodic()})
    return prob, prob.states(np.ones(prob.design_shape))[1]


def run(**overrides):
    """Optimise; return a dict with the design, the history and the verification figures."""
    p = {**PARAMS, **overrides}
    prob, j0 = build(p)
    lo, hi = p["eps_bounds"]
    history = []

    def fun(x):
        v, g = prob.value_and_grad(x.reshape(prob.design_shape), checkpoint="sqrt")
        history.append(v / j0)
        return -v / j0, -g.ravel() / j0

    t0 = time.perf_counter()
    x0 = np.full(prob.design_shape, 0.5 * (lo + hi)).ravel()
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=[(lo, hi)] * x0.size,
                   options={"maxiter": p["maxiter"]})
    seconds = time.perf_counter() - t0
    eps = res.x.reshape(prob.design_shape)
    j_diff = prob.states(eps)[1]
    j_fdtd = prob.verify(eps)
    # forward mode along a random direction vs the reverse-mode gradient (both exact derivatives of the run)
    d = np.random.default_rng(0).standard_normal(prob.design_shape)
    _, slope_fwd = prob.value_and_jvp(eps, d)
    slope_rev = float(np.sum(prob.value_and_grad(eps, checkpoint="sqrt")[1] * d))
    return {"eps": eps, "history": np.array(history), "enhancement": j_diff / j0, "enhancement_initial": history[0],
            "objective_diff": j_diff, "objective_fdtd": j_fdtd, "slope_fwd": slope_fwd, "slope_rev": slope_rev,
            "seconds": seconds, "evaluations": len(history), "problem": prob, "params": p}


def main():
    out = out_dir("optimize_dielectric")
    r = run()
    rel = abs(r["objective_fdtd"] - r["objective_diff"]) / abs(r["objective_fdtd"])
    print(f"focal energy / empty domain: {r['enhancement_initial']:.3f} (uniform eps=2.5) -> {r['enhancement']:.3f} "
          f"after {r['evaluations']} gradient evaluations in {r['seconds']:.1f} s")
    srel = abs(r["slope_fwd"] - r["slope_rev"]) / abs(r["slope_rev"])
    print(f"FDTDSimulation (CPML) check: objective {r['objective_fdtd']:.6e} vs differentiable run "
          f"{r['objective_diff']:.6e} (relative difference {rel:.1e})")
    print(f"forward-mode slope {r['slope_fwd']:.6e} vs reverse-mode gradient . direction {r['slope_rev']:.6e} "
          f"(relative difference {srel:.1e})")
    p = r["params"]
    save(out / "optimize_dielectric.h5", {"eps": r["eps"], "objective_history": r["history"]},
         units={"eps": "1", "objective_history": "1"},
         parameters={k: (list(v) if isinstance(v, tuple) else v) for k, v in p.items()} | {
             "enhancement": r["enhancement"], "slope_fwd": r["slope_fwd"], "slope_rev": r["slope_rev"],
             "objective_fdtd": r["objective_fdtd"], "objective_diff": r["objective_diff"]})
    prob = r["problem"]
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    x = (prob.i0 + np.arange(prob.design_shape[0])) * p["dx"] * 1e3
    y = (prob.j0 + np.arange(prob.design_shape[1])) * p["dx"] * 1e3
    im = ax[0].pcolormesh(x, y, r["eps"].T, cmap="viridis", vmin=p["eps_bounds"][0], vmax=p["eps_bounds"][1])
    ax[0].plot(p["probe"][0] * 1e3, p["probe"][1] * 1e3, "r*", ms=12, label="focal probe")
    ax[0].set_xlim(0, p["nx"] * p["dx"] * 1e3)
    ax[0].set_xlabel("x (mm)")
    ax[0].set_ylabel("y (mm)")
    ax[0].set_title("optimised permittivity")
    ax[0].legend(loc="upper right")
    fig.colorbar(im, ax=ax[0], label="eps_r")
    ax[1].plot(np.arange(1, len(r["history"]) + 1), r["history"], "o-", ms=3)
    ax[1].set_xlabel("objective evaluation (L-BFGS-B)")
    ax[1].set_ylabel("focal energy / empty domain")
    ax[1].set_title("objective history")
    fig.tight_layout()
    save_png(fig, out / "optimize_dielectric.png")


if __name__ == "__main__":
    main()
