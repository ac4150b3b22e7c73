"""Formats: extended-XYZ round trips (property test), ASE conventions (and ASE itself when installed), npz."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import datasets
from datasets.formats import (
    ExtXYZError,
    export_extxyz,
    export_npz,
    frames_to_arrays,
    read_extxyz,
    read_npz,
    write_extxyz,
    write_npz,
)

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)


@st.composite
def frames(draw):
    n = draw(st.integers(1, 6))
    frame = {
        "symbols": draw(st.lists(st.sampled_from(["H", "C", "O", "Ar", "Na"]), min_size=n, max_size=n)),
        "positions": draw(hnp.arrays(np.float64, (n, 3), elements=finite)),
    }
    if draw(st.booleans()):
        frame["forces"] = draw(hnp.arrays(np.float64, (n, 3), elements=finite))
    if draw(st.booleans()):
        frame["energy"] = draw(finite)
    if draw(st.booleans()):
        frame["cell"] = draw(hnp.arrays(np.float64, (3, 3), elements=finite))
        frame["pbc"] = draw(hnp.arrays(bool, 3))
    if draw(st.booleans()):
        frame["arrays"] = {"charge": draw(hnp.arrays(np.int64, n, elements=st.integers(-3, 3)))}
    frame["info"] = {"step": draw(st.integers(0, 10**6)), "config_type": "md"}
    return frame


@given(st.lists(frames(), min_size=1, max_size=3))
@settings(max_examples=40, deadline=None)
def test_extxyz_round_trip_is_exact(tmp_path_factory, frames_in):
    path = tmp_path_factory.mktemp("xyz") / "f.xyz"
    write_extxyz(path, frames_in)
    back = read_extxyz(path)
    assert len(back) == len(frames_in)
    for a, b in zip(frames_in, back):
        assert b["symbols"] == a["symbols"]
        assert np.array_equal(b["positions"], a["positions"])
        assert ("forces" in b) == ("forces" in a) and ("energy" in b) == ("energy" in a)
        if "forces" in a:
            assert np.array_equal(b["forces"], a["forces"])
        if "energy" in a:
            assert b["energy"] == a["energy"]
        if "cell" in a:
            assert np.array_equal(b["cell"], a["cell"]) and np.array_equal(b["pbc"], a["pbc"])
        else:
            assert b["cell"] is None and not b["pbc"].any()
        if "arrays" in a:
            assert np.array_equal(b["arrays"]["charge"], a["arrays"]["charge"])
        assert b["info"] == a["info"]


ASE_STYLE = """2
Lattice="5.0 0.0 0.0 0.0 6.0 0.0 0.0 0.0 7.0" Properties=species:S:1:pos:R:3:forces:R:3 energy=-12.5 pbc="T T F"
Ar       0.00000000       0.00000000       0.00000000       0.10000000       0.00000000      -0.20000000
Ar       3.80000000       0.00000000       0.00000000      -0.10000000       0.00000000       0.20000000
1
Properties=species:S:1:pos:R:3 config_type=isolated
He 1.0 2.0 3.0
"""


def test_reads_ase_style_header_columns_and_defaults(tmp_path):
    path = tmp_path / "ase.xyz"
    path.write_text(ASE_STYLE)
    a, b = read_extxyz(path)
    assert a["symbols"] == ["Ar", "Ar"] and a["energy"] == -12.5
    assert np.array_equal(a["cell"], np.diag([5.0, 6.0, 7.0])) and list(a["pbc"]) == [True, True, False]
    assert np.array_equal(a["forces"][1], [-0.1, 0.0, 0.2])
    assert b["cell"] is None and not b["pbc"].any() and b["info"] == {"config_type": "isolated"}
    assert "forces" not in b and "energy" not in b


def test_ase_reads_what_we_write_and_we_read_what_ase_writes(tmp_path):
    ase_io = pytest.importorskip("ase.io")
    from ase import Atoms
    from ase.calculators.singlepoint import SinglePointCalculator

    frame = {
        "symbols": ["O", "H", "H"],
        "positions": np.array([[0.0, 0.0, 0.1], [0.76, 0.0, -0.5], [-0.76, 0.0, -0.5]]),
        "forces": np.array([[0.0, 0.0, -0.3], [0.1, 0.0, 0.15], [-0.1, 0.0, 0.15]]),
        "energy": -14.2,
        "cell": np.diag([10.0, 11.0, 12.0]),
        "pbc": [True, True, True],
    }
    ours = tmp_path / "ours.xyz"
    write_extxyz(ours, frame)
    atoms = ase_io.read(ours, format="extxyz")
    assert atoms.get_chemical_symbols() == frame["symbols"]
    assert np.allclose(atoms.positions, frame["positions"]) and np.allclose(atoms.cell.array, frame["cell"])
    assert atoms.get_potential_energy() == pytest.approx(-14.2)
    assert np.allclose(atoms.get_forces(), frame["forces"])

    mol = Atoms("ArAr", positions=[[0, 0, 0], [3.8, 0, 0]], cell=[8, 8, 8], pbc=True)
    mol.calc = SinglePointCalculator(mol, energy=-0.01, forces=[[0.02, 0, 0], [-0.02, 0, 0]])
    theirs = tmp_path / "ase.xyz"
    ase_io.write(theirs, mol, format="extxyz")
    (back,) = read_extxyz(theirs)
    assert back["symbols"] == ["Ar", "Ar"] and back["energy"] == pytest.approx(-0.01)
    assert np.allclose(back["forces"], [[0.02, 0, 0], [-0.02, 0, 0]]) and np.allclose(back["cell"], np.eye(3) * 8)


def test_malformed_extxyz_names_file_and_line(tmp_path):
    path = tmp_path / "bad.xyz"
    path.write_text("2\nProperties=species:S:1:pos:R:3\nAr 0 0 0\n")
    with pytest.raises(ExtXYZError, match=r"bad\.xyz:1: frame of 2 atoms is truncated"):
        read_extxyz(path)
    path.write_text("1\nProperties=species:S:1:pos:R:3\nAr 0 0\n")
    with pytest.raises(ExtXYZError, match=r"bad\.xyz:3: expected 4 columns"):
        read_extxyz(path)


def test_npz_round_trip_with_units_and_dataset_export(tmp_path):
    arrays = {"u": np.arange(6.0).reshape(2, 3), "k": np.array([1, 2])}
    write_npz(tmp_path / "a.npz", arrays, units={"u": "V/m"}, attrs={"seed": 3})
    back, meta = read_npz(tmp_path / "a.npz")
    assert all(np.array_equal(back[k], arrays[k]) for k in arrays)
    assert meta == {"units": {"u": "V/m"}, "attrs": {"seed": 3}}
    datasets.generate("toy-gauss", n=10, seed=1, workers=1, progress=False)
    view = datasets.load("toy-gauss", "val", n=10, seed=1)
    export_npz(view, tmp_path / "val.npz")
    back, meta = read_npz(tmp_path / "val.npz")
    assert np.array_equal(back["x"], view.arrays("x")["x"]) and np.array_equal(back["indices"], view.indices)
    assert meta["units"]["x"] == "m" and meta["attrs"]["split"] == "val"
    assert np.array_equal(back["coords_axis"], np.arange(8.0))


def test_dataset_exports_to_extxyz_and_stacks_back(tmp_path):
    datasets.generate("toy-atoms", workers=1, progress=False)
    ds = datasets.load("toy-atoms")
    export_extxyz(ds, tmp_path / "atoms.xyz", symbols="Ar", cell="box")
    frames = read_extxyz(tmp_path / "atoms.xyz")
    back = frames_to_arrays(frames)
    ref = ds.arrays()
    assert back["symbols"] == ["Ar"] * 4
    for key in ("positions", "forces", "energy"):
        assert np.array_equal(back[key], ref[key]), key
    assert np.array_equal(back["cell"], np.stack([np.eye(3)] * 6))
    assert frames[0]["info"]["energy_units"] == "kJ/mol" and frames[5]["info"]["sample"] == 5
    with pytest.raises(ValueError, match="different atom counts"):
        frames_to_arrays([frames[0], dict(frames[1], symbols=["Ar"])])
