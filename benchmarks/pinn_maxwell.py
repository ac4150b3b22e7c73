"""Figure of merit: per-component relative L2 error of the 2D TE Maxwell PINN vs our FDTD, and its wall time.

Runs ``examples/surrogates/maxwell2d.py`` (Gaussian source in a PEC square, zero initial fields; PINN with
hard initial/PEC ansatz, Adam then L-BFGS; FDTD reference on 200 x 200 cells sampled with the Yee staggering)
and prints one row per component next to MindElec's published figures (2.3-3.6 % per component vs FDTD,
MindElec README, time-domain Maxwell with a point source; their source is narrower, their boundary an ABC).

    python benchmarks/pinn_maxwell.py [--scale 1.0] [--widths 48 48 48] [--n-interior 2048] [--out DIR]

``--scale`` multiplies the Adam and L-BFGS budgets (0.05 for a smoke run).
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import importlib.util  # noqa: E402
from pathlib import Path  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "surrogates" / "maxwell2d.py"
MINDELEC = "2.3e-2 - 3.6e-2 (range over Ex, Ey, Hz, as quoted in issue 6)"


def _load():
    spec = importlib.util.spec_from_file_location("_example_maxwell2d", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--widths", type=int, nargs="+", default=None)
    ap.add_argument("--n-interior", type=int, default=None)
    ap.add_argument("--out", default=None, help="also write the example's HDF5 + PNG here")
    a = ap.parse_args(argv)
    mod = _load()
    over = {k: max(1, int(round(mod.PARAMS[k] * a.scale))) for k in ("adam", "lbfgs")}
    if a.widths:
        over["widths"] = a.widths
    if a.n_interior:
        over["n_interior"] = a.n_interior
    res = mod.run(progress=False, out=a.out, **over)
    budget = {k: over.get(k, mod.PARAMS[k]) for k in ("widths", "n_interior", "adam", "lbfgs")}
    print(f"# Maxwell 2D TE PINN vs FDTD, budget {budget}: training {res['seconds']:.1f} s wall, "
          f"FDTD reference {res['fdtd_seconds']:.1f} s")
    print(f"{'component':>9} {'rel. L2':>9}  MindElec (published, vs FDTD)")
    for c, e in res["errors"].items():
        print(f"{c:>9} {e:9.2e}  {MINDELEC}")
    print(f"maxwell2d: max relative L2 {res['rel_l2']:.2e} in {res['seconds']:.1f} s")
    return res


if __name__ == "__main__":
    main()
