"""Dielectric slab at normal incidence vs the closed-form Fabry-Perot/Fresnel result (1D, flux monitors)."""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import (
    CPML,
    FDTDSimulation,
    FluxMonitor,
    Grid,
    Material,
    ModulatedGaussian,
    PlaneCurrent,
    Slab,
    Source,
)
from electromagnetics.fdtd.postprocess import reflection_transmission

PPW = 20            # cells per wavelength in the material at the top of the band (the resolution)
R_TOL = 0.01        # max |R - R_exact| over the band (issue)
SUM_TOL = 0.005     # |R + T - 1| for the lossless slab (issue: 0.5 %)


def fabry_perot_R(n, d, f):
    """Closed-form reflectance of a lossless slab (index n, thickness d) in vacuum at normal incidence.

    Airy formula with the Fresnel coefficient r12 = (1 - n)/(1 + n), r23 = -r12 (Born & Wolf, sec. 7.6).
    """
    k0 = 2 * np.pi * f / c
    r12 = (1 - n) / (1 + n)
    ph = np.exp(2j * n * k0 * d)
    r = (r12 - r12 * ph) / (1 - r12**2 * ph)
    return np.abs(r) ** 2


def slab_spectra(n, d_cells, dx=1e-3):
    fmax = c / (PPW * n * dx)
    fmin = fmax / 2
    freqs = np.linspace(fmin, fmax, 41)
    wf = ModulatedGaussian((fmin + fmax) / 2, (fmax - fmin) / 4)
    N = 600 + d_cells
    runs = []
    for with_slab in (False, True):
        grid = Grid((N,), spacing=dx, courant=0.5)
        # faces between E nodes, so every node is fully inside or outside and the thickness is exact
        geo = [Slab("x", 300.5 * dx, (300.5 + d_cells) * dx, Material(eps=n**2))] if with_slab else []
        fr = FluxMonitor("x", 200 * dx, freqs)
        ft = FluxMonitor("x", (N - 100) * dx, freqs)
        sim = FDTDSimulation(grid, geometry=geo, sources=[Source(PlaneCurrent("x", 100 * dx), wf, "Ez")],
                             boundaries=CPML(20), monitors=[fr, ft])
        sim.run(until_decayed=("Ez", ((N - 100) * dx,), 1e-6), progress=False)
        runs.append((fr, ft))
    (fr0, ft0), (fr1, ft1) = runs
    R, T = reflection_transmission(fr1, ft1, fr0, ft0)
    return freqs, R, T, d_cells * dx


@pytest.mark.parametrize(("n", "d_cells"), [(2.0, 15), (3.5, 10)])
def test_slab_reflection_transmission_vs_fabry_perot(n, d_cells):
    f, R, T, d = slab_spectra(n, d_cells)
    R_exact = fabry_perot_R(n, d, f)
    err_R = np.abs(R - R_exact).max()
    err_T = np.abs(T - (1 - R_exact)).max()
    err_sum = np.abs(R + T - 1).max()
    print(f"VALIDATION slab n={n}: max |R - R_FP| {err_R:.4f}, max |T - T_FP| {err_T:.4f}, max |R+T-1| {err_sum:.2e}")
    assert err_R <= R_TOL, f"n={n}: max |R - R_FP| = {err_R:.4f} > {R_TOL}"
    assert err_T <= R_TOL, f"n={n}: max |T - T_FP| = {err_T:.4f} > {R_TOL}"
    assert err_sum <= SUM_TOL, f"R + T - 1 up to {err_sum:.2e}"
    # the band covers a real Fabry-Perot swing, so the comparison is not trivially flat
    assert R_exact.max() - R_exact.min() > 0.2
