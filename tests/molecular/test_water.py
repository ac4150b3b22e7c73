"""Water models: published parameters (cited in molecular.water), TIP4P-Ew virtual site geometry and forces."""

import math

import numpy as np
import pytest

from molecular.forces.base import ForceField
from molecular.forces.coulomb import CutoffCoulomb
from molecular.system import System
from molecular.water import SPCE, TIP3P, TIP4PEW, place_virtual_sites, spread_virtual_site_forces


def test_published_parameters():
    # references: Berendsen et al. 1987 (SPC/E), Jorgensen et al. 1983 (TIP3P), Horn et al. 2004 (TIP4P-Ew)
    assert SPCE.d_hh == pytest.approx(0.163299, abs=2e-6)
    assert TIP3P.d_hh == pytest.approx(0.151390, abs=2e-6)  # OpenMM/GROMACS tip3p H-H constraint 0.15139 nm
    for m in (SPCE, TIP3P, TIP4PEW):
        assert abs(m.charges.sum()) < 1e-12
        assert m.reference
    # OpenMM tip4pew.xml: ThreeParticleAverageSite weights 0.786646558, 0.106676721, 0.106676721
    assert TIP4PEW.virtual_site_weight == pytest.approx(0.106676721, abs=2e-8)
    g = TIP4PEW.geometry()
    assert np.linalg.norm(g[3] - g[0]) == pytest.approx(0.0125, rel=1e-12)
    ang = math.degrees(math.acos(np.dot(g[1], g[2]) / np.dot(g[1], g[1])))
    assert ang == pytest.approx(104.52, rel=1e-12)


def test_virtual_site_forces_equal_minus_fd_gradient():
    # reference: central finite differences of E(O, H1, H2) with M placed from the parents
    rng = np.random.default_rng(0)
    mols = []
    for k in range(2):
        q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
        mols.append(TIP4PEW.geometry() @ q.T + [0.3 * k, 0.05 * k, 0.0])
    x = np.concatenate(mols)
    sites = np.array([[0, 1, 2, 3], [4, 5, 6, 7]])
    a = TIP4PEW.virtual_site_weight
    place_virtual_sites(x, sites, a)
    ex = [[i + 4 * k, j + 4 * k] for k in range(2) for i in range(4) for j in range(i + 1, 4)]
    s = System(x, charges=np.tile(TIP4PEW.charges, 2))
    ff = ForceField(CutoffCoulomb(2.0, exclusions=ex))

    def energy(xp):
        s.positions = place_virtual_sites(xp.copy(), sites, a)
        return ff.compute(s).energy

    energy(x)
    f = spread_virtual_site_forces(ff.compute(s).forces, sites, a)
    assert np.all(f[[3, 7]] == 0)
    h = 1e-6
    fd = np.zeros_like(x)
    for i in [0, 1, 2, 4, 5, 6]:
        for c in range(3):
            xp = x.copy()
            xp[i, c] += h
            xm = x.copy()
            xm[i, c] -= h
            fd[i, c] = -(energy(xp) - energy(xm)) / (2 * h)
    assert np.max(np.abs(f - fd)) < 1e-7 * np.max(np.abs(fd))
