"""XYZ and PDB files: round trips, the CRYST1 box, and errors naming the malformed line."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mindscience.errors import InputError
from molecular import Box, System, Topology, lattice
from molecular.io import read_pdb, read_xyz, write_pdb, write_xyz
from molecular.io.pdb import box_from_cryst1, cryst1_from_box


def test_xyz_round_trip_with_lattice(tmp_path):
    s = lattice("fcc", 2, lattice_constant=0.54)
    names = ["Ar"] * 16 + ["Kr"] * 16
    write_xyz(tmp_path / "a.xyz", s.positions, names, box=s.box.h)
    write_xyz(tmp_path / "a.xyz", s.positions + 0.1, names, box=s.box.h, append=True)
    t = read_xyz(tmp_path / "a.xyz", frame=-1)
    assert np.allclose(t.positions, s.positions + 0.1, atol=1e-9)
    assert np.allclose(t.box.h, s.box.h, atol=1e-9)
    assert t.type_names == ["Ar", "Kr"] and t.types[20] == 1


def test_xyz_malformed_line_named(tmp_path):
    p = tmp_path / "bad.xyz"
    p.write_text("2\ncomment\nAr 0 0 0\nAr 1.0 x 2.0\n")
    with pytest.raises(InputError, match=r"bad.xyz:4"):
        read_xyz(p)
    p.write_text("three\ncomment\n")
    with pytest.raises(InputError, match=r"bad.xyz:1"):
        read_xyz(p)


def test_pdb_round_trip_triclinic(tmp_path):
    h = box_from_cryst1(3.0, 3.2, 3.4, 80.0, 95.0, 70.0)
    s = System(np.random.default_rng(0).random((5, 3)) * 2, box=Box(h),
               topology=Topology(5, names=["OW", "HW1", "HW2", "NA", "CL"], elements=["O", "H", "H", "Na", "Cl"],
                                 residue_names=["SOL"] * 3 + ["NA", "CL"], residue_ids=[0, 0, 0, 1, 2]))
    write_pdb(tmp_path / "a.pdb", s)
    t = read_pdb(tmp_path / "a.pdb")
    assert np.allclose(t.positions, s.positions, atol=5e-4)  # PDB keeps 3 decimals in angstrom
    assert np.allclose(t.box.h, h, atol=5e-4)
    assert t.topology.names == ["OW", "HW1", "HW2", "NA", "CL"]
    assert list(t.topology.residue_ids) == [0, 0, 0, 1, 2]
    assert t.type_names == ["O", "H", "Na", "Cl"]


def test_pdb_malformed_record_named(tmp_path):
    p = tmp_path / "bad.pdb"
    p.write_text("CRYST1   30.000   30.000   30.000  90.00  90.00  90.00 P 1           1\n"
                 "ATOM      1  AR  ARG A   1       1.000   2.000   3.000  1.00  0.00          AR\n"
                 "ATOM      2  AR  ARG A   2       1.000   abc     3.000  1.00  0.00          AR\n")
    with pytest.raises(InputError, match=r"bad.pdb:3"):
        read_pdb(p)


@settings(max_examples=40, deadline=None)
@given(st.floats(2.0, 9.0), st.floats(2.0, 9.0), st.floats(2.0, 9.0), st.floats(60.0, 120.0),
       st.floats(60.0, 120.0), st.floats(60.0, 120.0))
def test_cryst1_box_conversion_round_trip(a, b, c, al, be, ga):
    # reference: the definition of the cell parameters (lengths and angles of the box vectors)
    h = box_from_cryst1(a, b, c, al, be, ga)
    if h[2, 2] < 0.1:  # degenerate (flat) cell: not a valid box
        return
    got = cryst1_from_box(h)
    assert np.allclose(got, (a, b, c, al, be, ga), rtol=1e-9, atol=1e-7)
