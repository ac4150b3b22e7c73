"""Figure of merit: relative L2 error and wall time of every PINN example at its default budget.

Runs ``examples/surrogates/*.py`` (each against its reference: analytic, or the in-repo Cole-Hopf
solution for Burgers) and prints one table row per problem, next to the published vanilla-PINN figures
where they exist. The last line is the Poisson figure (the issue's acceptance target: < 1e-3 in < 4 min).

    python benchmarks/pinn_accuracy.py [--only poisson2d heat2d ...] [--scale 1.0]

``--scale`` multiplies every step budget (0.1 for a smoke run).
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "surrogates"

# name: (published figure, source). PINNacle: Hao et al., "PINNacle: A Comprehensive Benchmark of
# Physics-Informed Neural Networks for Solving PDEs" (NeurIPS 2024), vanilla PINN L2RE.
PUBLISHED = {
    "poisson2d": ("-", "analytic reference"),
    "heat2d": ("-", "analytic reference"),
    "helmholtz2d": ("-", "analytic reference (MindElec-style sin-sin)"),
    "burgers1d": ("1.45e-2 (PINNacle vanilla); 6.7e-4 (Raissi 2019, L-BFGS)", "Cole-Hopf reference"),
    "inverse_diffusion": ("-", "true coefficient D = 0.7"),
    "regression": ("-", "the sampled function"),
}
BUDGET_KEYS = ("adam", "lbfgs", "steps")


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_example_{name}", EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", default=list(PUBLISHED), choices=list(PUBLISHED))
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    rows = []
    for name in args.only:
        mod = _load(name)
        budget = {k: max(1, int(round(v * args.scale))) for k, v in mod.PARAMS.items() if k in BUDGET_KEYS}
        out = mod.run(progress=False, **budget)
        extra = f" D={out['D']:.4f}" if "D" in out else ""
        rows.append((name, out["rel_l2"], out["seconds"], budget, extra))
        print(f"# {name}: rel L2 {out['rel_l2']:.2e}, {out['seconds']:.1f} s, budget {budget}{extra}", flush=True)
    print(f"{'problem':>18} {'rel. L2':>9} {'time [s]':>9}  budget / published vanilla PINN / reference")
    for name, err, sec, budget, extra in rows:
        pub, ref = PUBLISHED[name]
        print(f"{name:>18} {err:9.2e} {sec:9.1f}  {budget}{extra} / {pub} / {ref}")
    for name, err, sec, _, _ in rows:
        if name == "poisson2d":
            print(f"Poisson 2D default recipe: relative L2 {err:.2e} in {sec:.1f} s")


if __name__ == "__main__":
    main()
