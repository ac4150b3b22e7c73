"""Helpers shared by the molecular tests: small LJ systems and plain numpy references."""

import numpy as np

from molecular import lattice


def perturbed_fcc(cells=3, density=0.8, amplitude=0.05, seed=7, **kwargs):
    """fcc LJ crystal with Gaussian displacements of ``amplitude`` sigma (no overlaps)."""
    s = lattice("fcc", cells, density=density, **kwargs)
    rng = np.random.default_rng(seed)
    s.positions += amplitude * rng.standard_normal(s.positions.shape)
    return s


def lj_double_loop(x, h, rc, eps=1.0, sig=1.0, shift=False):
    """Plain numpy minimum-image double loop: energy, forces, virial of truncated (or shifted) LJ.

    Works for any cell shape when rc < half the smallest width, by checking all 27 neighbouring
    images and keeping those within rc (at most one per pair).
    """
    n = len(x)
    shifts = np.array([[a, b, c] for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)]) @ h
    e = 0.0
    f = np.zeros((n, 3))
    w = np.zeros((3, 3))
    uc = 4 * eps * ((sig / rc) ** 12 - (sig / rc) ** 6) if shift else 0.0
    for i in range(n):
        for j in range(i + 1, n):
            for s in shifts:
                d = x[i] - x[j] - s  # r_ij
                r2 = d @ d
                if r2 < rc * rc:
                    sr6 = (sig * sig / r2) ** 3
                    e += 4 * eps * (sr6 * sr6 - sr6) - uc
                    fij = 4 * eps * (12 * sr6 * sr6 - 6 * sr6) / r2 * d
                    f[i] += fij
                    f[j] -= fij
                    w += np.outer(d, fij)
    return e, f, w


STRAIN_COMPONENTS = [(0, 0), (1, 1), (2, 2), (1, 0), (2, 0), (2, 1)]  # lower triangle: the suite's box convention


def strain_derivatives(energy, x, h0, step=1e-6):
    """Central differences ``-dE/d(eps_ab)`` under the affine deformation ``x -> x (1 + eps)``,
    ``h -> h (1 + eps)`` for the lower-triangular components ``STRAIN_COMPONENTS``: the reference for a
    virial. ``energy(x, h)`` returns the energy of positions ``x`` (N, 3) in box ``h`` (3, 3)."""
    out = {}
    for a, b in STRAIN_COMPONENTS:
        eps = np.zeros((3, 3))
        eps[a, b] = step
        ep = energy(x @ (np.eye(3) + eps), h0 @ (np.eye(3) + eps))
        em = energy(x @ (np.eye(3) - eps), h0 @ (np.eye(3) - eps))
        out[a, b] = -(ep - em) / (2 * step)
    return out
