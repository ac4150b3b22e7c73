"""GROMACS topologies and .gro files: preprocessor, every supported directive, energies of tiny systems
against hand computations, exclusion / 1-4 rules, errors naming file:line, and (optional) OpenMM."""

import math
import os

import numpy as np
import pytest

from mindscience.errors import InputError
from molecular import Box, System, Topology
from molecular.forces.coulomb import ONE_4PI_EPS0
from molecular.integrators.constraints import Settle, ShakeRattle
from molecular.io.forcefield import TopologyError
from molecular.io.gromacs import load_gromacs, preprocess, read_gro, read_top, topology_tables, write_gro

DATA = os.path.join(os.path.dirname(__file__), "data")
EXACT = 1e-10  # hand-computed energies use the same double-precision formulas: agreement to round-off
# LJ exclusions subtract pair energies of up to ~1e5 kJ/mol at bonded distances: round-off ~1e-11 absolute
EXCL_ABS = 1e-9
PEER_TOL = 1e-5  # issue 5: term-by-term agreement with OpenMM

# a five-atom chain exercising every bonded directive; parameters either on the line or from *types
CHAIN_TOP = """\
[ defaults ]
; nbfunc comb-rule gen-pairs fudgeLJ fudgeQQ
1 2 yes 0.5 0.8333
#define MY_KB 2.5e5
[ atomtypes ]
; name btype at.num mass charge ptype sigma epsilon
CA  CT  6  12.011  0.0  A  0.34  0.36
CB      6  12.011  0.0  A  0.33  0.30
HX     1.008  0.0  A  0.25  0.07
[ bondtypes ]
CT CB 1 0.153 MY_KB
[ pairtypes ]
CB HX 1 0.29 0.11
[ angletypes ]
CT CB CB 1 111.0 400.0
[ dihedraltypes ]
X CB CB X 9 0.0 5.0 1
X CB CB X 9 180.0 2.0 2
CT CB CB CB 9 0.0 1.0 3
[ moleculetype ]
CHN 3
[ atoms ]
1 CA 1 CHN C1 1 -0.3
2 CB 1 CHN C2 2 0.2
3 CB 1 CHN C3 3 0.25 13.0
4 CB 2 CHN C4 4 -0.4
5 HX 2 CHN H5 5 0.25
[ bonds ]
1 2 1
2 3 3 0.150 400.0 20.0
3 4 1 0.152 3.0e5 ; trailing comment
4 5 5
[ pairs ]
1 4 1
2 5 1
[ angles ]
1 2 3 1
2 3 4 5 112.0 350.0 0.25 2.0e4
3 4 5 1 109.0 300.0
[ dihedrals ]
1 2 3 4 9
2 3 4 5 3 9.28 12.16 -13.12 -3.06 26.24 -31.5
1 2 3 4 4 180.0 4.6 2
5 4 3 2 2 10.0 80.0
1 2 3 4 5 1.0 2.0 3.0 0.5
[ system ]
chain
[ molecules ]
CHN 1
"""
CHAIN_X = np.array([[0.0, 0.0, 0.0], [0.15, 0.02, 0.0], [0.2, 0.16, 0.01], [0.35, 0.19, 0.08], [0.38, 0.3, 0.11]])


def _gro(path, x, box=None, names=None, v=None):
    lines = ["test", f"{len(x)}"]
    for i, p in enumerate(x):
        line = f"{1:5d}{'MOL':<5s}{(names[i] if names else 'X'):>5s}{i + 1:5d}" + "".join(f"{c:12.7f}" for c in p)
        if v is not None:
            line += "".join(f"{c:12.8f}" for c in v[i])
        lines.append(line)
    lines.append("   0.00000   0.00000   0.00000" if box is None else "".join(f"{b:10.5f}" for b in box))
    path.write_text("\n".join(lines) + "\n")
    return path


def _chain_model(tmp_path, **kw):
    (tmp_path / "chain.top").write_text(CHAIN_TOP)
    _gro(tmp_path / "chain.gro", CHAIN_X)
    return load_gromacs(tmp_path / "chain.top", tmp_path / "chain.gro", nonbonded="cutoff", cutoff=3.0,
                        constraints=None, **kw)


# ---------------------------------------------------------------- independent numpy geometry
def _dist(x, i, j):
    return float(np.linalg.norm(x[i] - x[j]))


def _angle(x, i, j, k):
    a, b = x[i] - x[j], x[k] - x[j]
    return math.acos(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


def _dihedral(x, i, j, k, l):
    """IUPAC dihedral (0 cis, pi trans, clockwise positive looking from j to k) by the atan2 formula."""
    b1, b2, b3 = x[j] - x[i], x[k] - x[j], x[l] - x[k]
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
    return math.atan2(np.dot(np.cross(n1, n2), b2 / np.linalg.norm(b2)), np.dot(n1, n2))


def _lj(r, s, e):
    return 4 * e * ((s / r) ** 12 - (s / r) ** 6)


def _terms(model):
    ff = model.forcefield()
    return ff.compute(model.system).terms


# ---------------------------------------------------------------- parsing and energies
def test_chain_every_bonded_directive_matches_hand_computation(tmp_path):
    model = _chain_model(tmp_path)
    x = CHAIN_X
    t = _terms(model)
    d = math.radians
    # reference: the GROMACS manual's functional forms evaluated with numpy on the same coordinates
    e_bond = 0.5 * 2.5e5 * (_dist(x, 0, 1) - 0.153) ** 2 + 0.5 * 3.0e5 * (_dist(x, 2, 3) - 0.152) ** 2
    e_morse = 400.0 * (1 - math.exp(-20.0 * (_dist(x, 1, 2) - 0.150))) ** 2
    e_angle = 0.5 * 400.0 * (_angle(x, 0, 1, 2) - d(111)) ** 2 + 0.5 * 300.0 * (_angle(x, 2, 3, 4) - d(109)) ** 2
    e_ub = 0.5 * 350.0 * (_angle(x, 1, 2, 3) - d(112)) ** 2 + 0.5 * 2.0e4 * (_dist(x, 1, 3) - 0.25) ** 2
    phi = _dihedral(x, 0, 1, 2, 3)
    # CT CB CB CB matches 3 real types, X CB CB X only 2: grompp takes the specific one (one term)
    e_tors = 1.0 * (1 + math.cos(3 * phi))
    e_improper_periodic = 4.6 * (1 + math.cos(2 * phi - d(180)))
    psi = _dihedral(x, 1, 2, 3, 4) - math.pi
    c = [9.28, 12.16, -13.12, -3.06, 26.24, -31.5]
    e_rb = sum(c[n] * math.cos(psi) ** n for n in range(6))
    # Fourier type 5: 1/2 [F1 (1 + cos phi) + F2 (1 - cos 2 phi) + F3 (1 + cos 3 phi) + F4 (1 - cos 4 phi)]
    e_fourier = 0.5 * (1.0 * (1 + math.cos(phi)) + 2.0 * (1 - math.cos(2 * phi)) + 3.0 * (1 + math.cos(3 * phi))
                       + 0.5 * (1 - math.cos(4 * phi)))
    xi = _dihedral(x, 4, 3, 2, 1) - d(10)
    xi -= 2 * math.pi * math.floor((xi + math.pi) / (2 * math.pi))
    e_himp = 0.5 * 80.0 * xi**2
    assert t["HarmonicBond"] == pytest.approx(e_bond, rel=EXACT)
    assert t["MorseBond"] == pytest.approx(e_morse, rel=EXACT)
    assert t["HarmonicAngle"] == pytest.approx(e_angle, rel=EXACT)
    assert t["UreyBradleyAngle"] == pytest.approx(e_ub, rel=EXACT)
    assert t["PeriodicTorsion"] == pytest.approx(e_tors, rel=EXACT)
    assert t["PeriodicImproper"] == pytest.approx(e_improper_periodic, rel=EXACT)
    assert t["RBTorsion"] == pytest.approx(e_rb + e_fourier, rel=EXACT)
    assert t["HarmonicImproper"] == pytest.approx(e_himp, rel=EXACT)
    # nonbonded: nrexcl=3 leaves only 1-5; [ pairs ] 1-4 generated (fudgeLJ x LB mix), 2-5 from [ pairtypes ]
    q = np.array([-0.3, 0.2, 0.25, -0.4, 0.25])
    e_lj = _lj(_dist(x, 0, 4), 0.5 * (0.34 + 0.25), math.sqrt(0.36 * 0.07))
    e_lj += 0.5 * _lj(_dist(x, 0, 3), 0.5 * (0.34 + 0.33), math.sqrt(0.36 * 0.30)) + _lj(_dist(x, 1, 4), 0.29, 0.11)
    e_q = ONE_4PI_EPS0 * (q[0] * q[4] / _dist(x, 0, 4)
                          + 0.8333 * (q[0] * q[3] / _dist(x, 0, 3) + q[1] * q[4] / _dist(x, 1, 4)))
    assert t["LennardJones"] + t["LJ14"] == pytest.approx(e_lj, rel=EXACT, abs=EXCL_ABS)
    assert t["Coulomb"] == pytest.approx(e_q, rel=EXACT)
    # masses and charges from [ atoms ] (mass column of atom 3 overrides its type), elements from at.num
    assert model.system.masses.tolist() == [12.011, 12.011, 13.0, 12.011, 1.008]
    assert model.system.topology.elements == ["C", "C", "C", "C", "H"]
    assert model.system.topology.residue_ids.tolist() == [0, 0, 0, 1, 1]
    assert model.system.box is None


def test_exclusions_and_pairs_from_nrexcl_and_exclusions_directive(tmp_path):
    top = CHAIN_TOP.replace("CHN 3\n", "CHN 2\n").replace("[ pairs ]\n1 4 1\n2 5 1\n", "[ pairs ]\n")
    top = top.replace("[ system ]", "[ exclusions ]\n1 5\n[ system ]")
    (tmp_path / "c.top").write_text(top)
    tab = topology_tables(read_top(tmp_path / "c.top"))
    # nrexcl=2: 1-2 and 1-3 pairs along the chain, plus the explicit 1 5; 1-4 pairs 1-4 and 2-5 interact fully
    assert sorted(map(tuple, tab.exclusions.tolist())) == [(0, 1), (0, 2), (0, 4), (1, 2), (1, 3), (2, 3), (2, 4),
                                                           (3, 4)]
    assert tab.pairs14.size == 0
    # a [ pairs ] entry that nrexcl does not exclude would be counted twice: refused with its line
    (tmp_path / "d.top").write_text(top.replace("[ pairs ]\n", "[ pairs ]\n1 4 1\n"))
    with pytest.raises(TopologyError, match=r"d.top:\d+: pair 1 4 is not excluded"):
        topology_tables(read_top(tmp_path / "d.top"))


@pytest.mark.parametrize("comb", [1, 3])
def test_combination_rules_and_nonbond_params(tmp_path, comb):
    s = {"A": 0.30, "B": 0.40}
    e = {"A": 0.5, "B": 1.2}
    if comb == 1:  # C6 = 4 eps sigma^6, C12 = 4 eps sigma^12; geometric mixing of C6/C12 = comb-rule 3
        v = {k: 4 * e[k] * s[k] ** 6 for k in s}
        w = {k: 4 * e[k] * s[k] ** 12 for k in s}
        nb = (4 * 0.9 * 0.36**6, 4 * 0.9 * 0.36**12)
    else:
        v, w, nb = s, e, (0.36, 0.9)
    top = f"""[ defaults ]
1 {comb} no 1.0 1.0
[ atomtypes ]
A 10.0 0.0 A {v['A']:.10e} {w['A']:.10e}
B 10.0 0.0 A {v['B']:.10e} {w['B']:.10e}
C 10.0 0.0 A {v['B']:.10e} {w['B']:.10e}
[ nonbond_params ]
A C 1 {nb[0]:.10e} {nb[1]:.10e}
[ moleculetype ]
M 0
[ atoms ]
1 A 1 M A 1 0.0
2 B 1 M B 1 0.0
3 C 1 M C 1 0.0
[ system ]
x
[ molecules ]
M 1
"""
    (tmp_path / "m.top").write_text(top)
    x = np.array([[0.0, 0, 0], [0.37, 0, 0], [0.0, 0.41, 0.05]])
    _gro(tmp_path / "m.gro", x)
    t = _terms(load_gromacs(tmp_path / "m.top", tmp_path / "m.gro", nonbonded="cutoff", cutoff=2.0))
    sab, eab = math.sqrt(0.3 * 0.4), math.sqrt(0.5 * 1.2)  # geometric sigma (rules 1 and 3)
    ref = _lj(_dist(x, 0, 1), sab, eab) + _lj(_dist(x, 0, 2), 0.36, 0.9) + _lj(_dist(x, 1, 2), 0.4, 1.2)
    assert t["LennardJones"] == pytest.approx(ref, rel=1e-9)


def test_atomtypes_column_layouts_and_missing_defaults(tmp_path):
    top = """[ atomtypes ]
a1 X1 6 12.0 0.1 A 0.3 0.2
a2 X2 12.0 0.2 A 0.3 0.2
a3 8 16.0 0.3 A 0.3 0.2
a4 1.0 0.4 A 0.3 0.2
"""
    (tmp_path / "t.top").write_text(top)
    p = read_top(tmp_path / "t.top")
    at = p.atomtypes
    assert (at["a1"].bonded_type, at["a1"].atomic_number, at["a1"].charge) == ("X1", 6, 0.1)
    assert (at["a2"].bonded_type, at["a2"].atomic_number, at["a2"].mass) == ("X2", -1, 12.0)
    assert (at["a3"].bonded_type, at["a3"].atomic_number, at["a3"].mass) == ("a3", 8, 16.0)
    assert (at["a4"].bonded_type, at["a4"].mass, at["a4"].charge) == ("a4", 1.0, 0.4)
    assert (p.nbfunc, p.comb_rule, p.gen_pairs, p.fudge_lj, p.fudge_qq) == (1, 1, False, 1.0, 1.0)


@pytest.mark.parametrize("types, n, k", [
    # the 2-type format means X CB CB X; adjacent type-9 lines with the same types are the terms of one dihedral
    ("CB CB 9 0.0 5.0 1\nCB CB 9 180.0 2.0 2\n", [1, 2], [5.0, 2.0]),
    # a type read backwards (CB CB CB CT for CT CB CB CB) with 4 real matches beats the wildcard one
    ("CB CB 9 0.0 5.0 1\nCB CB 9 180.0 2.0 2\nCB CB CB CT 9 0.0 9.0 4\n", [4], [9.0]),
])
def test_dihedraltype_wildcards_two_type_format_and_multiple_terms(tmp_path, types, n, k):
    block = "X CB CB X 9 0.0 5.0 1\nX CB CB X 9 180.0 2.0 2\nCT CB CB CB 9 0.0 1.0 3\n"
    (tmp_path / "w.top").write_text(CHAIN_TOP.replace(block, types))
    _gro(tmp_path / "w.gro", CHAIN_X)
    tor = load_gromacs(tmp_path / "w.top", tmp_path / "w.gro", nonbonded="cutoff", cutoff=3.0).force("PeriodicTorsion")
    assert tor.n.tolist() == n and tor.k.tolist() == k


def test_settles_constraints_hbonds_and_gro_velocities(tmp_path):
    top = """[ defaults ]
1 2 yes 0.5 0.8333
[ atomtypes ]
OW 8 15.9994 0.0 A 0.315061 0.636386
HW 1 1.008 0.0 A 0.0 0.0
CX 6 12.0 0.0 A 0.3 0.3
HC 1 1.008 0.0 A 0.25 0.1
[ constrainttypes ]
CX CX 1 0.154
[ moleculetype ]
SOL 2
[ atoms ]
1 OW 1 SOL OW 1 -0.834
2 HW 1 SOL HW1 1 0.417
3 HW 1 SOL HW2 1 0.417
[ settles ]
1 1 0.09572 0.15139
[ exclusions ]
1 2 3
2 1 3
3 1 2
[ moleculetype ]
ETH 3
[ atoms ]
1 CX 1 ETH C1 1 0.0
2 CX 1 ETH C2 1 0.0
3 HC 1 ETH H3 1 0.0
[ bonds ]
2 3 1 0.109 3.0e5
[ constraints ]
1 2 1
[ system ]
w
[ molecules ]
SOL 2
ETH 1
"""
    (tmp_path / "s.top").write_text(top)
    rng = np.random.default_rng(3)
    x = rng.random((9, 3)) * 2.0
    v = rng.standard_normal((9, 3))
    _gro(tmp_path / "s.gro", x, box=[2.5, 2.5, 2.5], v=v)
    model = load_gromacs(tmp_path / "s.top", tmp_path / "s.gro", nonbonded="pme", cutoff=1.0, constraints="h-bonds")
    settle = [c for c in model.constraints if isinstance(c, Settle)][0]
    shake = [c for c in model.constraints if isinstance(c, ShakeRattle)][0]
    assert settle.waters.tolist() == [[0, 1, 2], [3, 4, 5]] and settle.d_hh == 0.15139
    # [ constraints ] (type from [ constrainttypes ]) then the C-H bond turned into a constraint
    assert shake.pairs.tolist() == [[6, 7], [7, 8]] and np.allclose(shake.distances, [0.154, 0.109])
    assert "HarmonicBond" not in [f.name for f in model.forces]
    assert model.n_constraints == 6 + 2
    assert np.allclose(model.system.velocities, v, atol=1e-8) and np.allclose(model.system.box.h, np.eye(3) * 2.5)
    assert model.system.topology.molecule_ids.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    # the excluded in-water pairs and constraint-bonded pairs are excluded from Coulomb (nrexcl 3 for ETH)
    assert sorted(map(tuple, model.topology.exclusions.tolist())) == [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5),
                                                                      (4, 5), (6, 7), (6, 8), (7, 8)]


def test_preprocessor_include_define_ifdef_and_continuation(tmp_path, monkeypatch):
    (tmp_path / "ff").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "ff" / "types.itp").write_text("[ atomtypes ]\nAr 39.948 0.0 A SIG 0.99774\n#include \"mol.itp\"\n")
    (tmp_path / "ff" / "mol.itp").write_text("[ moleculetype ]\nAR 1\n[ atoms ]\n1 Ar 1 AR Ar 1 \\\n 0.0\n")
    (tmp_path / "lib" / "extra.itp").write_text("#define EXTRA\n")
    top = """#include "lib/extra.itp"
#define SIG 0.3405
[ defaults ]
1 2 no 1 1
#include "types.itp"
#ifdef EXTRA
[ system ]
extra was defined
#else
[ system ]
wrong branch
#endif
#ifndef POSRES
[ molecules ]
AR 2
#endif
"""
    (tmp_path / "a.top").write_text(top.replace('"lib/extra.itp"', '"extra.itp"'))
    monkeypatch.setenv("GMXLIB", str(tmp_path / "lib"))
    p = read_top(tmp_path / "a.top", include_dirs=[tmp_path / "ff"])
    assert p.atomtypes["Ar"].v == 0.3405  # macro substituted from #define
    assert p.system_name == "extra was defined"
    assert p.molecules[0][:2] == ("AR", 2)
    assert p.moleculetypes["AR"].atoms[0]["charge"] == 0.0  # continuation line joined
    lines = preprocess(tmp_path / "a.top", defines={"POSRES": ""}, include_dirs=[tmp_path / "ff"])
    assert not any("AR 2" == ln.text for ln in lines)
    # a continued line keeps the number of its first physical line, in the file it came from
    assert any(ln.path.endswith("mol.itp") and ln.number == 4 and ln.text.endswith("0.0") for ln in lines)


@pytest.mark.parametrize("bad, where, message, line", [
    ("1 CA 1 CHN C1 1 -0.3\n", "1 CA 1 CHN C1 1 x0.3\n", r"malformed charge", "1 CA 1 CHN C1 1 x0.3"),
    ("1 2 1\n", "1 2 7\n", r"\[ bonds \] function type 7 is not supported", "1 2 7"),
    ("CT CB 1 0.153 MY_KB\n", "", r"no bondtype for function 1 and atom types CT CB", "1 2 1"),
    ("1 CA 1 CHN C1 1 -0.3\n", "1 QQ 1 CHN C1 1 -0.3\n", r"unknown atom type 'QQ'", "1 QQ 1 CHN C1 1 -0.3"),
    ("[ system ]\n", "[ cmap ]\n1 2 3 4 5 1\n[ system ]\n", r"directive \[ cmap \] is not supported", "[ cmap ]"),
    ("[ system ]\n", "#ifdef X\n[ system ]\n", r"#ifdef X is never closed", "#ifdef X"),
    ("[ system ]\n", "#endif\n[ system ]\n", r"#endif without #ifdef", "#endif"),
    ("[ system ]\n", '#include "nowhere.itp"\n[ system ]\n', r"included file 'nowhere.itp' not found",
     '#include "nowhere.itp"'),
    ("[ system ]\n", "#if 1\n[ system ]\n", r"unsupported preprocessor directive #if", "#if 1"),
    ("2 3 4 5 112.0 350.0 0.25 2.0e4\n", "2 3 4 5 112.0 350.0\n", r"\[ angles \] function 5 needs 4 parameters",
     "2 3 4 5 112.0 350.0"),
    ("1 2 3 4 9\n", "1 2 3 9 9\n", r"atom number 9 is outside molecule 'CHN'", "1 2 3 9 9"),
    ("1 4 1\n", "1 4 1 0.3\n", r"\[ pairs \] function 1 needs 2 parameters", "1 4 1 0.3"),
    ("1 2 yes 0.5 0.8333\n", "2 2 yes 0.5 0.8333\n", r"nbfunc=2 is not supported", "2 2 yes 0.5 0.8333"),
    ("CT CB CB CB 9 0.0 1.0 3\n", "CT CB CB CB 9 0.0 1.0 3\nX CB CB X 9 0.0 1.0 3\n",
     r"second block of type-9 parameters", "X CB CB X 9 0.0 1.0 3"),
])
def test_errors_name_file_and_line(tmp_path, bad, where, message, line):
    text = CHAIN_TOP.replace(bad, where, 1)
    assert text != CHAIN_TOP
    (tmp_path / "e.top").write_text(text)
    _gro(tmp_path / "e.gro", CHAIN_X)
    with pytest.raises(TopologyError, match=r"e.top:\d+: " + message) as info:
        load_gromacs(tmp_path / "e.top", tmp_path / "e.gro", nonbonded="cutoff", cutoff=3.0)
    # the reported line number points at the offending line (or the unclosed #ifdef)
    assert text.splitlines()[info.value.line - 1].split(";")[0].strip() == line


def test_missing_pairtype_atom_count_mismatch_and_box_needed(tmp_path):
    (tmp_path / "n.top").write_text(CHAIN_TOP.replace("1 2 yes 0.5", "1 2 no 0.5"))
    _gro(tmp_path / "n.gro", CHAIN_X)
    with pytest.raises(TopologyError, match=r"n.top:\d+: no pairtype for atom types CA CB and gen-pairs is no"):
        load_gromacs(tmp_path / "n.top", tmp_path / "n.gro", nonbonded="cutoff", cutoff=3.0)
    (tmp_path / "c.top").write_text(CHAIN_TOP.replace("CHN 1\n", "CHN 2\n"))
    with pytest.raises(TopologyError, match=r"c.top:\d+: \[ molecules \] gives 10 atoms .* has 5"):
        load_gromacs(tmp_path / "c.top", tmp_path / "n.gro", nonbonded="cutoff", cutoff=3.0)
    (tmp_path / "p.top").write_text(CHAIN_TOP)
    with pytest.raises(InputError, match="nonbonded='pme' needs a periodic box"):
        load_gromacs(tmp_path / "p.top", tmp_path / "n.gro", nonbonded="pme")


def test_gro_round_trip_triclinic_and_malformed(tmp_path):
    h = np.array([[3.0, 0, 0], [0.5, 2.8, 0], [-0.4, 0.7, 2.6]])
    rng = np.random.default_rng(0)
    s = System(rng.random((4, 3)) * 2, box=Box(h), velocities=rng.standard_normal((4, 3)),
               topology=Topology(4, names=["OW", "HW1", "HW2", "NA"], residue_names=["SOL"] * 3 + ["NA"],
                                 residue_ids=[0, 0, 0, 1]))
    write_gro(tmp_path / "t.gro", s, precision=6)
    g = read_gro(tmp_path / "t.gro")
    assert np.allclose(g.positions, s.positions, atol=5e-7) and np.allclose(g.velocities, s.velocities, atol=5e-8)
    assert np.allclose(g.box, h, atol=1e-5)
    assert g.names == ["OW", "HW1", "HW2", "NA"] and g.residue_numbers == [1, 1, 1, 2]
    (tmp_path / "b.gro").write_text("t\n2\n    1SOL     OW    1   0.100   0.200   0.300\n    1SOL    HW1    2   0.1x0"
                                    "   0.200   0.300\n 1 1 1\n")
    with pytest.raises(TopologyError, match=r"b.gro:4: malformed atom line"):
        read_gro(tmp_path / "b.gro")
    (tmp_path / "c.gro").write_text("t\n3\n    1SOL     OW    1   0.100   0.200   0.300\n 1 1 1\n")
    with pytest.raises(TopologyError, match=r"c.gro:4: the file announces 3 atoms"):
        read_gro(tmp_path / "c.gro")


# ---------------------------------------------------------------- OpenMM peer (optional)
def _openmm_terms(mm, system, positions):
    """Energy and forces of each OpenMM force group, plus the LJ-only part of the NonbondedForce."""
    from openmm import unit

    groups = {}
    for g, f in enumerate(system.getForces()):
        f.setForceGroup(g)
        groups[type(f).__name__] = g
    ctx = mm.Context(system, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(positions)
    kj, kjnm = unit.kilojoule_per_mole, unit.kilojoule_per_mole / unit.nanometer

    def state(g):
        st = ctx.getState(getEnergy=True, getForces=True, groups={g})
        return st.getPotentialEnergy().value_in_unit(kj), np.asarray(st.getForces(asNumpy=True).value_in_unit(kjnm))

    out = {name: state(g) for name, g in groups.items()}
    nb = [f for f in system.getForces() if isinstance(f, mm.NonbondedForce)][0]
    for i in range(nb.getNumParticles()):
        _, s, e = nb.getParticleParameters(i)
        nb.setParticleParameters(i, 0.0, s, e)
    for k in range(nb.getNumExceptions()):
        i, j, _, s, e = nb.getExceptionParameters(k)
        nb.setExceptionParameters(k, i, j, 0.0, s, e)
    nb.updateParametersInContext(ctx)
    out["LJ"] = state(groups["NonbondedForce"])
    return out


def compare_with_openmm(mm, model, omm_system, label):
    """Term-by-term relative errors (energy, max force) of a model against an OpenMM system; asserts 1e-5."""
    ff = model.forcefield()
    ff.setup(model.system)
    coul = model.force("Coulomb")
    for f in omm_system.getForces():
        if isinstance(f, mm.NonbondedForce):
            f.setUseDispersionCorrection(False)
            if hasattr(coul, "grid"):
                f.setPMEParameters(coul.alpha, *coul.grid)
            elif hasattr(coul, "epsilon_rf"):
                f.setReactionFieldDielectric(coul.epsilon_rf)
    theirs = _openmm_terms(mm, omm_system, model.system.positions)
    ours = {f.name: f.compute(model.system, ff.neighbors)[:2] for f in model.forces}

    def total(*names):
        return (sum(ours[n][0] for n in names if n in ours), sum(ours[n][1] for n in names if n in ours))

    pairs = {"HarmonicBondForce": total("HarmonicBond"), "HarmonicAngleForce": total("HarmonicAngle"),
             "PeriodicTorsionForce": total("PeriodicTorsion", "PeriodicImproper"),
             "LJ": total("LennardJones", "LJ14"), "NonbondedForce": total("LennardJones", "LJ14", "Coulomb")}
    worst = {}
    for key, (e, f) in pairs.items():
        e_mm, f_mm = theirs[key]
        rel_e = abs(e - e_mm) / abs(e_mm)
        rel_f = float(np.max(np.abs(f - f_mm)) / np.max(np.abs(f_mm)))
        worst[key] = (rel_e, rel_f)
        print(f"OPENMM {label} {key}: E {e:.10g} vs {e_mm:.10g} rel {rel_e:.1e}; max|dF|/max|F| {rel_f:.1e}")
        assert rel_e < PEER_TOL and rel_f < PEER_TOL, key
    return worst


@pytest.mark.parametrize("nonbonded", ["pme", "reaction-field"])
def test_solvated_alanine_dipeptide_matches_openmm(nonbonded):
    mm = pytest.importorskip("openmm")
    from openmm import app, unit

    top, gro = os.path.join(DATA, "ala_water.top"), os.path.join(DATA, "ala_water.gro")
    # OpenMM reads the same files (ParmEd-written amber14/TIP3P, flexible water) with its own parser
    g = app.GromacsGroFile(gro)
    omm_top = app.GromacsTopFile(top, periodicBoxVectors=g.getPeriodicBoxVectors(), defines={"FLEXIBLE": True})
    method = {"pme": app.PME, "reaction-field": app.CutoffPeriodic}[nonbonded]
    omm = omm_top.createSystem(nonbondedMethod=method, nonbondedCutoff=0.9 * unit.nanometer, constraints=None,
                               rigidWater=False, removeCMMotion=False)
    model = load_gromacs(top, gro, nonbonded=nonbonded, cutoff=0.9, ewald_tolerance=5e-4, constraints=None,
                         epsilon_rf=78.3, defines={"FLEXIBLE": ""})
    assert model.system.n_atoms == 708 and len(model.topology.settles) == 0
    compare_with_openmm(mm, model, omm, f"gromacs/{nonbonded}")


def test_parameters_from_types_equal_parameters_inline():
    # ParmEd wrote the same amber14 parameters twice: on every line, and as [ bondtypes ] / [ angletypes ] /
    # [ dihedraltypes ] (type 9 multi-term, type 4 impropers) / [ pairtypes ] in an #included .itp
    gro = os.path.join(DATA, "ala_water.gro")
    kw = dict(nonbonded="reaction-field", cutoff=0.9, constraints=None, defines={"FLEXIBLE": ""})
    inline = load_gromacs(os.path.join(DATA, "ala_water.top"), gro, **kw)
    types = load_gromacs(os.path.join(DATA, "ala_water_types.top"), gro, **kw)
    t_in, t_ty = _terms(inline), _terms(types)
    assert set(t_in) == set(t_ty)
    for name in t_in:  # the .itp rounds some torsion constants to 6 digits (0.650844 vs 0.6508444)
        assert t_ty[name] == pytest.approx(t_in[name], rel=1e-7, abs=1e-6), name
    assert types.force("PeriodicTorsion").n_terms == inline.force("PeriodicTorsion").n_terms


def test_solvated_alanine_dipeptide_rigid_water_settles():
    # without FLEXIBLE the ParmEd-written water uses [ settles ]: 228 rigid TIP3P waters, no water bonds
    model = load_gromacs(os.path.join(DATA, "ala_water.top"), os.path.join(DATA, "ala_water.gro"), cutoff=0.9)
    settle = [c for c in model.constraints if isinstance(c, Settle)][0]
    assert len(settle.waters) == 228 and settle.d_oh == 0.09572
    shake = [c for c in model.constraints if isinstance(c, ShakeRattle)][0]
    assert len(shake.pairs) == 12  # the 12 bonds to hydrogen of alanine dipeptide
    assert model.force("HarmonicBond").n_terms == 21 - 12
    assert sum(model.system.charges) == pytest.approx(0.0, abs=1e-6)


def test_small_molecule_example_runs_at_reduced_size(tmp_path):
    import importlib.util

    from molecular.io import read_h5md

    path = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "molecular", "small_molecule_gromacs.py")
    spec = importlib.util.spec_from_file_location("_example_small_molecule_gromacs", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.main(tmp_path, steps=200)
    for name in ("traj.h5", "thermo.csv", "final.gro", "energies.png"):
        assert (tmp_path / name).stat().st_size > 0
    x = read_h5md(tmp_path / "traj.h5")["positions"]
    assert x.shape == (21, 9, 3)
    # the C-H and O-H bonds are constrained at the [ bondtypes ] lengths of oplsaa_ethanol.itp throughout
    for i, j, r0 in [(0, 1, 0.109), (4, 5, 0.109), (7, 8, 0.0945)]:
        assert np.allclose(np.linalg.norm(x[:, i] - x[:, j], axis=1), r0, rtol=1e-8)
    assert out["minimized_energy"] < 10.0  # from 3.3 kJ/mol above the ideal geometry's bonded energy minimum


def test_model_options_and_their_validation(tmp_path):
    model = _chain_model(tmp_path, lj_mode="shifted")
    assert model.force("LennardJones").mode == "shifted" and model.force("LJ14").lj is model.force("LennardJones")
    rf = load_gromacs(tmp_path / "chain.top", tmp_path / "chain.gro", nonbonded="reaction-field", cutoff=1.1,
                      epsilon_rf=math.inf)
    assert rf.force("Coulomb").k_rf == pytest.approx(0.5 / 1.1**3)  # conducting boundary (Tironi et al. 1995)
    for kw, msg in [({"nonbonded": "pppm"}, "nonbonded='pppm'"), ({"constraints": "h-angles"}, "constraints="),
                    ({"cutoff": -1.0}, "cutoff=-1.0"), ({"lj_mode": "switched"}, "lj_mode='switched'")]:
        with pytest.raises(InputError, match=msg):
            load_gromacs(tmp_path / "missing.top", tmp_path / "chain.gro", **kw)  # options checked before reading
    with pytest.raises(InputError, match="name='Angle' is not a force of this model"):
        model.force("Angle")


def test_chain_type_lookup_wildcards_and_gen_pairs_match_openmm(tmp_path):
    mm = pytest.importorskip("openmm")
    from openmm import app, unit

    # OpenMM's GromacsTopFile has no Morse (type 3) or connection (type 5) bonds: use harmonic ones
    top = CHAIN_TOP.replace("2 3 3 0.150 400.0 20.0", "2 3 1 0.150 3.0e5").replace("4 5 5", "4 5 1 0.11 3e5")
    (tmp_path / "o.top").write_text(top)
    _gro(tmp_path / "o.gro", CHAIN_X)
    model = load_gromacs(tmp_path / "o.top", tmp_path / "o.gro", nonbonded="cutoff", cutoff=3.0, constraints=None)
    ff = model.forcefield()
    ours = {f.name: f.compute(model.system, ff.neighbors)[:2] for f in model.forces}
    omm = app.GromacsTopFile(str(tmp_path / "o.top")).createSystem(nonbondedMethod=app.NoCutoff, constraints=None,
                                                                   removeCMMotion=False)
    for g, f in enumerate(omm.getForces()):
        f.setForceGroup(g)
    ctx = mm.Context(omm, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(CHAIN_X)
    kj, kjnm = unit.kilojoule_per_mole, unit.kilojoule_per_mole / unit.nanometer

    def theirs(kind):
        groups = {g for g, f in enumerate(omm.getForces()) if isinstance(f, kind)}
        st = ctx.getState(getEnergy=True, getForces=True, groups=groups)
        return st.getPotentialEnergy().value_in_unit(kj), np.asarray(st.getForces(asNumpy=True).value_in_unit(kjnm))

    checks = [(mm.PeriodicTorsionForce, ("PeriodicTorsion", "PeriodicImproper")), (mm.RBTorsionForce, ("RBTorsion",)),
              (mm.CustomTorsionForce, ("HarmonicImproper",)), (mm.NonbondedForce, ("LennardJones", "LJ14", "Coulomb")),
              ((mm.HarmonicBondForce, mm.HarmonicAngleForce), ("HarmonicBond", "HarmonicAngle", "UreyBradleyAngle"))]
    for kind, names in checks:
        e_mm, f_mm = theirs(kind)
        e, f = sum(ours[n][0] for n in names), sum(ours[n][1] for n in names)
        assert e == pytest.approx(e_mm, rel=PEER_TOL), names
        assert np.max(np.abs(f - f_mm)) < PEER_TOL * np.max(np.abs(f_mm)), names


def test_written_gro_read_by_mdanalysis(tmp_path):
    mda = pytest.importorskip("MDAnalysis")
    h = np.array([[3.0, 0, 0], [0.5, 2.8, 0], [-0.4, 0.7, 2.6]])
    rng = np.random.default_rng(5)
    s = System(rng.random((3, 3)) * 2, box=Box(h), velocities=rng.standard_normal((3, 3)),
               topology=Topology(3, names=["OW", "HW1", "HW2"], residue_names=["SOL"] * 3, residue_ids=[0, 0, 0]))
    write_gro(tmp_path / "m.gro", s)  # default GROMACS layout: %8.3f positions, %8.4f velocities
    u = mda.Universe(str(tmp_path / "m.gro"))
    # MDAnalysis (angstrom, angstrom/ps) parses our columns and triclinic box line independently
    assert np.allclose(u.atoms.positions / 10, s.positions, atol=6e-4)
    assert np.allclose(u.atoms.velocities / 10, s.velocities, atol=6e-5)
    assert np.allclose(mda.lib.mdamath.triclinic_vectors(u.dimensions) / 10, h, atol=1e-4)
    assert list(u.atoms.names) == ["OW", "HW1", "HW2"]
