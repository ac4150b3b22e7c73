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


# ----------------------------------------------------------------------------- TIP4P-Ew in a periodic box
def _tip4p_box(seed=11, tail_correction=True):
    from molecular.water import solvate, water_forcefield

    s = solvate([1.3, 1.3, 1.3], "tip4pew", seed=seed)
    ff = water_forcefield(s, "tip4pew", cutoff=0.6, electrostatics="pme", tolerance=1e-5, skin=0.1,
                          tail_correction=tail_correction)
    return s, ff


def test_tip4pew_forces_and_virial_are_derivatives_of_the_energy():
    # reference: central finite differences of E(real atoms) (M sites rebuilt from O, H, H) for the forces, and of
    # E under an isotropic affine scaling of the real atoms and box for the virial trace: tr W = -3 V dE/dV
    from molecular.system import Box
    from molecular.virtual_sites import VirtualSiteForceField

    # no dispersion correction here: its pressure is the virial-route tail, not -dE_tail/dV at fixed cutoff
    s, ff = _tip4p_box(tail_correction=False)
    assert isinstance(ff, VirtualSiteForceField) and ff.n_sites == s.n_atoms // 3
    assert np.all(s.charges[::3] == 0.0)  # the M site carries the oxygen charge
    assert abs(s.charges.sum() + ff.site_charges.sum()) < 1e-9
    res = ff.compute(s, virial=True)
    x0 = s.positions.copy()
    h = 1e-5
    rng = np.random.default_rng(0)
    for i in rng.choice(s.n_atoms, 6, replace=False):
        for c in range(3):
            s.positions = x0.copy()
            s.positions[i, c] += h
            ep = ff.compute(s).energy
            s.positions[i, c] -= 2 * h
            em = ff.compute(s).energy
            fd = -(ep - em) / (2 * h)
            assert abs(res.forces[i, c] - fd) < 1e-5 * np.abs(res.forces).max(), (i, c, res.forces[i, c], fd)
    s.positions = x0.copy()
    # Newton's third law up to PME's interpolation error (net force ~ tolerance * typical force)
    assert np.allclose(res.forces.sum(axis=0), 0.0, atol=1e-4 * np.abs(res.forces).max())
    h0 = s.box.h.copy()
    v0 = s.volume
    eps = 1e-6
    es = []
    for sign in (1, -1):
        lam = 1 + sign * eps
        s.positions = x0 * lam
        s.box = Box(h0 * lam)
        es.append(ff.compute(s).energy)
    s.positions, s.box = x0.copy(), Box(h0)
    dedv = (es[0] - es[1]) / (v0 * ((1 + eps) ** 3 - (1 - eps) ** 3))
    assert np.trace(res.virial) == pytest.approx(-3 * v0 * dedv, rel=1e-5)


def test_tip4pew_settle_nve_conserves_energy():
    # reference: conservation of energy (RATTLE/SETTLE velocity Verlet with forces = -grad E of the real atoms);
    # reaction field and shifted LJ: pair energies vanish at the cutoff, so pairs crossing it make no energy jumps
    # (the PME path of the virtual sites is checked against finite differences above)
    from molecular.integrators.constraints import ConstrainedVelocityVerlet
    from molecular.integrators.langevin import LangevinBAOAB
    from molecular.water import solvate, water_constraints, water_forcefield

    s = solvate([1.1, 1.1, 1.1], "tip4pew", seed=12)
    ff = water_forcefield(s, "tip4pew", cutoff=0.5, electrostatics="reaction-field", skin=0.1, lj_mode="shifted",
                          tail_correction=False)
    s.set_velocities(300.0, seed=13)
    LangevinBAOAB(300.0, 50.0, seed=1, constraints=water_constraints(s, "tip4pew")).attach(s, ff).step(0.001, 150)
    integ = ConstrainedVelocityVerlet(water_constraints(s, "tip4pew")).attach(s, ff)
    e = []
    for _ in range(50):
        integ.step(0.001, 3)
        e.append(integ.result.energy + s.kinetic_energy())
    e = np.array(e)
    ke = s.kinetic_energy()
    print(f"\nTIP4P-Ew NVE (SETTLE, M site): energy range {np.ptp(e):.3e} kJ/mol over 0.15 ps, KE {ke:.1f} kJ/mol")
    assert np.ptp(e) < 1e-3 * ke


def _example(name):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "molecular" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_example_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_water_examples_run_at_reduced_size(tmp_path):
    # references: H5MD frame count from the run length; liquid-water density range; the Na-O first-shell distance
    # of Joung-Cheatham Na+ in SPC/E, about 0.24 nm (J. Phys. Chem. B 112, 9020 (2008))
    import h5py

    out = _example("water_spce").main(tmp_path / "w", box=1.3, cutoff=0.6, relax_steps=30, nvt_steps=20,
                                      npt_steps=60, sample=10)
    assert (tmp_path / "w" / "rdf_oo.png").stat().st_size > 0
    with h5py.File(tmp_path / "w" / "traj.h5", "r") as f:
        assert f["particles/all/position/value"].shape[0] == 60 // 10 + 1  # frames at steps 0, 10, ..., 60
    assert 0.8 < out["density"] < 1.2 and 0.25 < out["peak"] < 0.30
    # the constrained Langevin piston needs a relaxed start (it follows the instantaneous pressure)
    out = _example("water_spce").main(tmp_path / "p", box=1.3, cutoff=0.6, relax_steps=200, nvt_steps=100,
                                      npt_steps=100, sample=10, barostat="piston")
    assert 0.9 < out["density"] < 1.1 and 0.26 < out["peak"] < 0.29
    peaks = _example("nacl_solution").main(tmp_path / "n", box=1.6, molarity=1.0, cutoff=0.7, relax_steps=30,
                                           equilibration=20, steps=40, sample=10)
    assert (tmp_path / "n" / "rdf_nacl.png").stat().st_size > 0
    assert 0.22 < peaks["Na-O"][0] < 0.26
