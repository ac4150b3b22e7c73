"""Minimisers: the LJ13 icosahedral global minimum (Cambridge Cluster Database) and a crystal."""

import numpy as np
import pytest
from md_helpers import perturbed_fcc

from mindscience.errors import InputError
from molecular import LennardJones, System
from molecular.minimize import minimize

LJ13_MINIMUM = -44.326801  # Wales & Doye, J. Phys. Chem. A 101, 5111 (1997), Cambridge Cluster Database


def icosahedron(r=1.1, noise=0.05, seed=0):
    g = (1 + 5**0.5) / 2
    v = []
    for a in (-1, 1):
        for b in (-g, g):
            v += [[0, a, b], [a, b, 0], [b, 0, a]]
    v = np.array(v) / np.linalg.norm([0, 1, g]) * r
    x = np.vstack([[0, 0, 0], v])
    return x + noise * np.random.default_rng(seed).standard_normal(x.shape)


@pytest.mark.parametrize("method", ["fire", "lbfgs"])
def test_lj13_reaches_icosahedral_minimum(method):
    s = System(icosahedron(), box=None)
    res = minimize(s, LennardJones(cutoff=5.0), method=method, force_tolerance=1e-6)
    assert res.converged
    assert res.energy == pytest.approx(LJ13_MINIMUM, abs=1e-5)


def test_fcc_crystal_relaxes_to_lattice():
    # reference: the perfect lattice is a stationary point; relaxing a perturbed crystal lowers the
    # energy to within the tolerance of the perfect-lattice energy
    perfect = perturbed_fcc(3, density=1.0, amplitude=0.0)
    lj = LennardJones(cutoff=2.0, mode="shifted-force")
    from molecular import ForceField

    e_perfect = ForceField(lj).compute(perfect).energy
    s = perturbed_fcc(3, density=1.0, amplitude=0.03)
    res = minimize(s, lj, method="fire", force_tolerance=1e-7)
    assert res.converged and res.energy == pytest.approx(e_perfect, abs=1e-9 * abs(e_perfect))


def test_bad_method():
    with pytest.raises(InputError, match="method"):
        minimize(System(icosahedron(), box=None), LennardJones(cutoff=5.0), method="cg")
