"""Figure of merit: accuracy of the Burgers reference (Cole-Hopf + Gauss-Hermite) of ``pde-reference-burgers``.

Independent references: (1) a Fourier pseudo-spectral ETDRK4 solution (Kassam & Trefethen 2005) with
4096 modes and dt = 5e-5, (2) the published steepest slope |u_x(0, t)| = 152.00516 at t = 1.6037/pi
(Basdevant et al., Comput. Fluids 14, 23 (1986)). Prints the max-norm error per time and the slope error;
the last line is the figure: the max error over t in {0.1, 0.25, 0.5, 0.75, 1}.

Run: ``python benchmarks/datasets_burgers_reference.py`` (about 10 s).
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from datasets.references import burgers_cole_hopf  # noqa: E402
from tests.datasets.test_references import etdrk4_burgers  # noqa: E402

NU = 0.01 / np.pi


def main():
    times = np.array([0.1, 0.25, 0.5, 0.75, 1.0])
    t0 = time.perf_counter()
    x, spectral = etdrk4_burgers(4096, 5e-5, NU, times)
    t_spec = time.perf_counter() - t0
    for n_quad in (60, 100, 160):
        t0 = time.perf_counter()
        exact = burgers_cole_hopf(x, times, NU, n_quad=n_quad)
        t_ch = time.perf_counter() - t0
        err = np.abs(exact - spectral).max(axis=1)
        print(
            f"n_quad={n_quad:4d}: max |cole-hopf - spectral(4096)| per t {np.array2string(err, precision=2)} "
            f"({t_ch * 1e3:.0f} ms for {x.size} x {times.size} points; spectral {t_spec:.1f} s)"
        )
    h = 1e-7
    u = burgers_cole_hopf(np.array([-h, h]), np.array([1.6037 / np.pi]), NU)[0]
    slope = (u[1] - u[0]) / (2 * h)
    print(
        f"steepest slope at t = 1.6037/pi: {slope:.6f} (published -152.00516; difference {abs(slope + 152.00516):.1e})"
    )
    print(f"burgers reference max error vs spectral (default n_quad=160): {err.max():.2e}")


if __name__ == "__main__":
    main()
