"""Solvation builder: density, no overlaps, exact rigid geometry, seeding, solute cavities, ions and clear errors."""

import numpy as np
import pytest

from mindscience.errors import InputError
from molecular.system import System
from molecular.water import (
    MASS_H,
    MASS_O,
    SPCE,
    TIP3P,
    TIP4PEW,
    add_ions,
    solvate,
    water_constraints,
    water_forcefield,
    water_indices,
)

G_CM3 = 602.21407621  # amu/nm^3 per g/cm^3 (CODATA N_A)


def _min_distances(s):
    """(min O-O distance, min distance between atoms of different molecules), nm, brute force with minimum image."""
    x = s.positions
    d = x[:, None, :] - x[None, :, :]
    d = s.box.minimum_image(d.reshape(-1, 3)).reshape(d.shape)
    r = np.linalg.norm(d, axis=-1)
    mol = s.topology.molecule_ids
    other = mol[:, None] != mol[None, :]
    oxy = np.asarray(s.topology.names) == "OW"
    return r[np.ix_(oxy, oxy)][other[np.ix_(oxy, oxy)]].min(), r[other].min()


@pytest.mark.parametrize("model", [SPCE, TIP3P, TIP4PEW])
def test_solvate_density_geometry_and_no_overlaps(model):
    # references: the requested density (count = rho V N_A / M), the model geometry, the distance thresholds
    s = solvate([1.5, 1.6, 1.7], model, seed=3)
    nw = s.n_atoms // 3
    mw = MASS_O + 2 * MASS_H
    assert nw == round(0.997 * 1.5 * 1.6 * 1.7 * G_CM3 / mw)
    assert s.masses.sum() / s.volume / G_CM3 == pytest.approx(0.997, abs=0.5 * mw / s.volume / G_CM3)
    w = water_indices(s)
    x = s.positions
    assert np.allclose(np.linalg.norm(x[w[:, 1]] - x[w[:, 0]], axis=1), model.d_oh, atol=1e-12)
    assert np.allclose(np.linalg.norm(x[w[:, 2]] - x[w[:, 0]], axis=1), model.d_oh, atol=1e-12)
    assert np.allclose(np.linalg.norm(x[w[:, 2]] - x[w[:, 1]], axis=1), model.d_hh, atol=1e-12)
    doo, dany = _min_distances(s)
    assert doo >= 0.25 and dany >= 0.15
    assert s.topology.n_molecules == nw
    assert abs(s.charges.sum()) < 1e-9 or model is TIP4PEW  # TIP4P-Ew: the M sites hold the negative charge
    # orientations are random: the dipole directions average out
    dip = (x[w[:, 1]] + x[w[:, 2]]) / 2 - x[w[:, 0]]
    dip /= np.linalg.norm(dip, axis=1)[:, None]
    assert np.linalg.norm(dip.mean(axis=0)) < 4 / np.sqrt(nw)


def test_solvate_is_seeded():
    a = solvate([1.4, 1.4, 1.4], seed=5)
    b = solvate([1.4, 1.4, 1.4], seed=5)
    c = solvate([1.4, 1.4, 1.4], seed=6)
    assert np.array_equal(a.positions, b.positions)
    assert not np.array_equal(a.positions, c.positions)


def test_solvate_around_solute_removes_overlapping_waters():
    # reference: no water atom within solute_distance of the solute (brute force), solute atoms unchanged and first
    solute = System([[0.8, 0.8, 0.8], [1.0, 0.8, 0.8]], masses=[12.0, 12.0], box=[1.6, 1.6, 1.6], types=[0, 0],
                    type_names=["C"])
    empty = solvate([1.6, 1.6, 1.6], seed=2)
    s = solvate(solute=solute, seed=2, solute_distance=0.3)
    assert np.array_equal(s.positions[:2], solute.positions)
    assert s.type_names[:3] == ["C", "OW", "HW"]
    d = s.box.minimum_image(s.positions[2:, None, :] - solute.positions[None, :, :])
    assert np.linalg.norm(d, axis=-1).min() >= 0.3
    assert 0 < (empty.n_atoms - (s.n_atoms - 2)) // 3 < empty.n_atoms // 3


def test_add_ions_molarity_neutralize_and_forcefield():
    # references: n = round(c N_A V) pairs; neutrality; Joung-Cheatham LJ parameters in the built force field
    s = solvate([2.5, 2.5, 2.5], seed=1)
    s = add_ions(s, molarity=0.3, seed=2)
    n_pairs = round(0.3 * 0.602214076 * 2.5**3)
    assert int((s.charges == 1).sum()) == n_pairs == int((s.charges == -1).sum())
    assert abs(s.charges.sum()) < 1e-9
    assert "Na+" in s.type_names and "Cl-" in s.type_names
    ions = np.flatnonzero(np.abs(s.charges) == 1)
    d = s.box.minimum_image(s.positions[ions, None] - s.positions[None, ions])
    r = np.linalg.norm(d, axis=-1)[~np.eye(len(ions), dtype=bool)]
    assert r.min() >= 0.5
    # a charged solute gets counter-ions only
    solute = System([[1.0, 1.0, 1.0]], masses=[40.0], box=[2.5, 2.5, 2.5], charges=[2.0], type_names=["X"])
    s2 = add_ions(solvate(solute=solute, seed=3), molarity=0.0, seed=4)
    assert int((s2.charges == -1).sum()) == 2 and abs(s2.charges.sum()) < 1e-9
    ff = water_forcefield(s, "spce", cutoff=1.0)
    lj = ff.forces[0]
    na, cl, ow = (s.type_names.index(k) for k in ("Na+", "Cl-", "OW"))
    # JC 2008 Table 5 (SPC/E): Na+ R_min/2 = 1.212 A, eps = 0.3526418 kcal/mol; Cl- 2.711 A, 0.0127850 kcal/mol
    assert lj.sigma[na] == pytest.approx(2 * 0.1212 / 2 ** (1 / 6), rel=1e-12)
    assert lj.epsilon[cl] == pytest.approx(0.0127850 * 4.184, rel=1e-12)
    assert lj.pair_sigma[na, ow] == pytest.approx(0.5 * (lj.sigma[na] + SPCE.sigma_o), rel=1e-12)  # Lorentz
    assert water_constraints(s).n_constraints == 3 * len(water_indices(s))


def test_clear_errors():
    with pytest.raises(InputError, match="cannot fit"):
        solvate([1.2, 1.2, 1.2], density=1.4, min_distance=0.3)
    with pytest.raises(InputError, match="model='tip5p'"):
        solvate([1.2, 1.2, 1.2], model="tip5p")
    with pytest.raises(InputError, match="orthorhombic"):
        solvate([[1.5, 0, 0], [0.3, 1.5, 0], [0, 0, 1.5]])
    with pytest.raises(InputError, match="Joung-Cheatham ion"):
        add_ions(solvate([1.5, 1.5, 1.5], seed=1), molarity=0.5, cation="Mg2+")
    with pytest.raises(InputError, match="only"):
        add_ions(solvate([1.2, 1.2, 1.2], seed=1), molarity=30.0, min_ion_distance=0.0)
    # a charged system left unneutralised: PME refuses it by name
    from molecular.forces.ewald import ChargedSystemError

    solute = System([[0.7, 0.7, 0.7]], masses=[23.0], box=[1.5, 1.5, 1.5], charges=[1.0], type_names=["Na+"])
    charged = add_ions(solvate(solute=solute, seed=1), neutralize=False)
    with pytest.raises(ChargedSystemError, match=r"net charge is \+1"):
        water_forcefield(charged, cutoff=0.7).compute(charged)
    s = solvate([1.5, 1.5, 1.5], seed=1)
    s.type_names = ["OW", "HX"]
    with pytest.raises(InputError, match=r"no Lennard-Jones parameters for atom types \['HX'\]"):
        water_forcefield(s)
