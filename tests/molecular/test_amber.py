"""AMBER prmtop / inpcrd: sections and units, energies of a tiny system against hand computations in AMBER
units, 1-4 and exclusion conventions, rigid water, errors naming file:line:flag, and (optional) OpenMM."""

import math
import os

import numpy as np
import pytest
from test_gromacs import DATA, EXACT, EXCL_ABS, _angle, _dihedral, _dist, compare_with_openmm

from mindscience.errors import InputError
from molecular.forces.coulomb import ONE_4PI_EPS0
from molecular.integrators.constraints import Settle, ShakeRattle
from molecular.io.amber import load_amber, prmtop_tables, read_inpcrd, read_prmtop
from molecular.io.forcefield import TopologyError

KCAL = 4.184  # kJ per kcal (thermochemical), the AMBER energy unit
# atoms: a 5-atom chain C1-C2-C3-C4-H5, a Na+ ion, a TIP3P-like water (O, H, H); angstrom
X_A = np.array([[0.0, 0.0, 0.0], [1.5, 0.2, 0.0], [2.0, 1.6, 0.1], [3.5, 1.9, 0.8], [3.8, 3.0, 1.1],
                [6.0, 6.0, 6.0], [9.0, 3.0, 4.0], [9.9572, 3.0, 4.0], [8.76, 3.927, 4.0]])
Q = np.array([-0.3, 0.2, 0.25, -0.4, 0.25, 1.0, -0.834, 0.417, 0.417])
TYPE = [1, 1, 1, 1, 2, 3, 4, 2, 2]  # 1-based LJ types: C, H, Na, O
SIGMA = {1: 3.4, 2: 2.5, 3: 2.4, 4: 3.15}  # angstrom
EPS = {1: 0.086, 2: 0.015, 3: 0.087, 4: 0.152}  # kcal/mol
BOND = [(300.0, 1.5), (340.0, 1.09), (553.0, 0.9572), (553.0, 1.5136)]  # K (kcal/mol/A^2), r0 (A)
ANGLE = [(50.0, 1.91), (35.0, 1.95), (100.0, 1.8242)]  # K (kcal/mol/rad^2), theta0 (rad)
DIHE = [(1.4, 3, 0.0), (0.25, 2, 3.14159265), (1.1, 2, 3.14159265), (0.6, 1, 0.3)]  # PK, PN, PHASE (as %16.8E)
SCEE = [1.2, 1.2, 1.2, 1.0]
SCNB = [2.0, 2.0, 2.0, 1.5]


def _fmt(kind, values):
    per, width, f = {"I": (10, 8, "{:8d}"), "E": (5, 16, "{:16.8E}"), "a": (20, 4, "{:<4s}")}[kind]
    fmt = {"I": "10I8", "E": "5E16.8", "a": "20a4"}[kind]
    rows = ["".join(f.format(v) for v in values[k:k + per]) for k in range(0, len(values), per)] or [""]
    return fmt, rows


def _sections():
    n = len(X_A)
    nt = 4
    pairs = [(a, b) for b in range(1, nt + 1) for a in range(1, b + 1)]  # AMBER's triangular order
    ico = np.zeros((nt, nt), dtype=int)
    acoef, bcoef = [], []
    for k, (a, b) in enumerate(pairs):
        ico[a - 1, b - 1] = ico[b - 1, a - 1] = k + 1
        s, e = 0.5 * (SIGMA[a] + SIGMA[b]), math.sqrt(EPS[a] * EPS[b])
        acoef.append(4 * e * s**12)
        bcoef.append(4 * e * s**6)
    p3 = lambda i: 3 * i  # noqa: E731 - prmtop stores 3 x the 0-based atom index
    excluded = {0: [1, 2, 3], 1: [2, 3, 4], 2: [3, 4], 3: [4], 6: [7, 8], 7: [8]}  # 1-2, 1-3, 1-4 (0-based)
    nex = [len(excluded.get(i, [])) or 1 for i in range(n)]
    exl = []
    for i in range(n):
        exl += [j + 1 for j in excluded.get(i, [])] or [0]
    ptr = [n, nt, 4, 3, 2, 2, 1, 3, 0, 0, sum(nex), 3, 3, 2, 3, 4, 3, 4, 4, 0] + [0] * 7 + [1, 3, 0, 0, 0]
    return {
        "TITLE": ("a", ["tiny"]),
        "POINTERS": ("I", ptr),
        "ATOM_NAME": ("a", ["C1", "C2", "C3", "C4", "H5", "Na+", "O", "H1", "H2"]),
        "CHARGE": ("E", list(Q * 18.2223)),
        "ATOMIC_NUMBER": ("I", [6, 6, 6, 6, 1, 11, 8, 1, 1]),
        "MASS": ("E", [12.01, 12.01, 13.0, 12.01, 1.008, 22.99, 16.0, 1.008, 1.008]),
        "ATOM_TYPE_INDEX": ("I", TYPE),
        "NUMBER_EXCLUDED_ATOMS": ("I", nex),
        "NONBONDED_PARM_INDEX": ("I", list(ico.ravel())),
        "RESIDUE_LABEL": ("a", ["MOL", "Na+", "WAT"]),
        "RESIDUE_POINTER": ("I", [1, 6, 7]),
        "BOND_FORCE_CONSTANT": ("E", [b[0] for b in BOND]),
        "BOND_EQUIL_VALUE": ("E", [b[1] for b in BOND]),
        "ANGLE_FORCE_CONSTANT": ("E", [a[0] for a in ANGLE]),
        "ANGLE_EQUIL_VALUE": ("E", [a[1] for a in ANGLE]),
        "DIHEDRAL_FORCE_CONSTANT": ("E", [d[0] for d in DIHE]),
        "DIHEDRAL_PERIODICITY": ("E", [float(d[1]) for d in DIHE]),
        "DIHEDRAL_PHASE": ("E", [d[2] for d in DIHE]),
        "SCEE_SCALE_FACTOR": ("E", SCEE),
        "SCNB_SCALE_FACTOR": ("E", SCNB),
        "LENNARD_JONES_ACOEF": ("E", acoef),
        "LENNARD_JONES_BCOEF": ("E", bcoef),
        "BONDS_INC_HYDROGEN": ("I", [p3(3), p3(4), 2, p3(6), p3(7), 3, p3(6), p3(8), 3, p3(7), p3(8), 4]),
        "BONDS_WITHOUT_HYDROGEN": ("I", [p3(0), p3(1), 1, p3(1), p3(2), 1, p3(2), p3(3), 1]),
        "ANGLES_INC_HYDROGEN": ("I", [p3(2), p3(3), p3(4), 2, p3(7), p3(6), p3(8), 3]),
        "ANGLES_WITHOUT_HYDROGEN": ("I", [p3(0), p3(1), p3(2), 1, p3(1), p3(2), p3(3), 1]),
        # 1-2-3-4 with SCEE 1.0 / SCNB 1.5 (type 4): its 1-4 pair 1-4
        "DIHEDRALS_INC_HYDROGEN": ("I", [p3(1), p3(2), p3(3), p3(4), 4]),
        # 0-1-2-3 with two terms (the second flagged with a negative third pointer: 1-4 counted once) and an
        # improper 0-2-1-3 (negative fourth pointer: no 1-4 pair)
        "DIHEDRALS_WITHOUT_HYDROGEN": ("I", [p3(0), p3(1), p3(2), p3(3), 1, p3(0), p3(1), -p3(2), p3(3), 2,
                                             p3(0), p3(2), -p3(1), -p3(3), 3, p3(0), p3(1), p3(2), p3(3), 1][:15]),
        "EXCLUDED_ATOMS_LIST": ("I", exl),
        "HBOND_ACOEF": ("E", []),
        "HBOND_BCOEF": ("E", []),
        "AMBER_ATOM_TYPE": ("a", ["CT", "CT", "CT", "CT", "HC", "Na+", "OW", "HW", "HW"]),
        "BOX_DIMENSIONS": ("E", [90.0, 40.0, 40.0, 40.0]),
    }


def _write_prmtop(path, sections):
    out = ["%VERSION  VERSION_STAMP = V0001.000  DATE = 01/01/26  00:00:00"]
    for name, (kind, values) in sections.items():
        fmt, rows = _fmt(kind, values)
        out += [f"%FLAG {name}", f"%FORMAT({fmt})"] + rows
    path.write_text("\n".join(out) + "\n")
    return path


def _write_inpcrd(path, x_angstrom, v=None, box="  40.0000000  40.0000000  40.0000000  90.0000000  90.0000000"
                  "  90.0000000"):
    vals = list(np.ravel(x_angstrom))
    rows = ["".join(f"{c:12.7f}" for c in vals[k:k + 6]) for k in range(0, len(vals), 6)]
    if v is not None:
        vv = list(np.ravel(v))
        rows += ["".join(f"{c:12.7f}" for c in vv[k:k + 6]) for k in range(0, len(vv), 6)]
    text = "tiny\n" + f"{len(x_angstrom):6d}  0.1000000E+01\n" + "\n".join(rows) + "\n"
    if box:
        text += box + "\n"
    path.write_text(text)
    return path


def _tiny(tmp_path, sections=None, **kw):
    p = _write_prmtop(tmp_path / "t.prmtop", sections or _sections())
    c = _write_inpcrd(tmp_path / "t.inpcrd", X_A)
    return load_amber(p, c, **kw)


def test_tiny_system_energies_match_hand_computation_in_amber_units(tmp_path):
    model = _tiny(tmp_path, nonbonded="cutoff", cutoff=1.5, constraints=None, rigid_water=False)
    t = model.forcefield().compute(model.system).terms
    x = X_A
    # reference: the AMBER functional forms K (r - r0)^2, K (theta - theta0)^2, PK (1 + cos(n phi - phase)),
    # evaluated in angstrom / kcal/mol and converted to kJ/mol once at the end
    e_bond = sum(BOND[b][0] * (_dist(x, i, j) - BOND[b][1]) ** 2
                 for i, j, b in [(0, 1, 0), (1, 2, 0), (2, 3, 0), (3, 4, 1), (6, 7, 2), (6, 8, 2), (7, 8, 3)])
    e_angle = sum(ANGLE[a][0] * (_angle(x, i, j, k) - ANGLE[a][1]) ** 2
                  for i, j, k, a in [(0, 1, 2, 0), (1, 2, 3, 0), (2, 3, 4, 1), (7, 6, 8, 2)])
    tor = lambda i, j, k, l, d: DIHE[d][0] * (1 + math.cos(DIHE[d][1] * _dihedral(x, i, j, k, l) - DIHE[d][2]))  # noqa
    e_tors = tor(0, 1, 2, 3, 0) + tor(0, 1, 2, 3, 1) + tor(1, 2, 3, 4, 3)
    e_impr = tor(0, 2, 1, 3, 2)
    assert t["HarmonicBond"] == pytest.approx(KCAL * e_bond, rel=EXACT)
    assert t["HarmonicAngle"] == pytest.approx(KCAL * e_angle, rel=EXACT)
    assert t["PeriodicTorsion"] == pytest.approx(KCAL * e_tors, rel=EXACT)
    assert t["PeriodicImproper"] == pytest.approx(KCAL * e_impr, rel=EXACT)
    # nonbonded: EXCLUDED_ATOMS_LIST removes 1-2/1-3/1-4; the dihedral 1-4 pairs (0,3) (SCEE 1.2, SCNB 2)
    # and (1,4) (SCEE 1.0, SCNB 1.5) come back scaled; everything else interacts fully (LB mixing)
    lj_pairs = {(0, 3): 1 / 2.0, (1, 4): 1 / 1.5}
    q_pairs = {(0, 3): 1 / 1.2, (1, 4): 1 / 1.0}
    excluded = {(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (2, 4), (3, 4), (6, 7), (6, 8), (7, 8)}
    e_lj = e_q = 0.0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            if (i, j) in excluded:
                continue
            s = 0.5 * (SIGMA[TYPE[i]] + SIGMA[TYPE[j]])
            e = math.sqrt(EPS[TYPE[i]] * EPS[TYPE[j]])
            r = _dist(x, i, j)
            e_lj += lj_pairs.get((i, j), 1.0) * 4 * e * ((s / r) ** 12 - (s / r) ** 6)
            e_q += q_pairs.get((i, j), 1.0) * Q[i] * Q[j] / (r / 10.0)
    assert t["LennardJones"] + t["LJ14"] == pytest.approx(KCAL * e_lj, rel=EXACT, abs=EXCL_ABS)
    assert t["Coulomb"] == pytest.approx(ONE_4PI_EPS0 * e_q, rel=1e-9)  # 18.2223 is a 6-digit constant
    s = model.system
    assert s.topology.residue_names == ["MOL"] * 5 + ["Na+"] + ["WAT"] * 3
    assert s.topology.molecule_ids.tolist() == [0, 0, 0, 0, 0, 1, 2, 2, 2]
    assert s.topology.elements[4] == "H" and s.type_names == ["CT", "HC", "Na+", "OW"]
    assert np.allclose(s.box.h, np.eye(3) * 4.0)


def test_rigid_water_and_hbond_constraints(tmp_path):
    model = _tiny(tmp_path, nonbonded="cutoff", cutoff=1.0, constraints="h-bonds", rigid_water=True)
    settle = [c for c in model.constraints if isinstance(c, Settle)][0]
    assert settle.waters.tolist() == [[6, 7, 8]]
    assert settle.d_oh == pytest.approx(0.09572) and settle.d_hh == pytest.approx(0.15136)  # H-H "bond" of the water
    shake = [c for c in model.constraints if isinstance(c, ShakeRattle)][0]
    assert shake.pairs.tolist() == [[3, 4]] and np.allclose(shake.distances, [0.109])
    # water bonds and its H-O-H angle left the forces (constant under SETTLE), as OpenMM's rigidWater
    assert model.force("HarmonicBond").n_terms == 3 and model.force("HarmonicAngle").n_terms == 3
    assert model.n_constraints == 3 + 1


def test_inpcrd_velocities_box_and_atom_count(tmp_path):
    rng = np.random.default_rng(1)
    v = rng.standard_normal((9, 3))
    p = _write_inpcrd(tmp_path / "v.rst7", X_A, v=v, box="  30.0000000  31.0000000  32.0000000  90.0000000"
                      "  90.0000000  90.0000000")
    c = read_inpcrd(p)
    assert np.allclose(c.positions, X_A / 10, atol=1e-9)
    assert np.allclose(c.velocities, v * 20.455 / 10, atol=1e-6)  # A per 1/20.455 ps -> nm/ps
    assert np.allclose(np.diag(c.box), [3.0, 3.1, 3.2]) and c.time == 1.0
    _write_prmtop(tmp_path / "t.prmtop", _sections())
    _write_inpcrd(tmp_path / "short.inpcrd", X_A[:6])
    with pytest.raises(TopologyError, match=r"short.inpcrd:2: has 6 atoms but .* NATOM = 9"):
        load_amber(tmp_path / "t.prmtop", tmp_path / "short.inpcrd")
    (tmp_path / "bad.inpcrd").write_text("t\n    2\n   1.0000000   2.000x000   3.0000000   1.0 2.0 3.0\n")
    with pytest.raises(TopologyError, match=r"bad.inpcrd:3: malformed coordinates value"):
        read_inpcrd(tmp_path / "bad.inpcrd")


def test_errors_name_file_line_and_flag(tmp_path):
    p = _write_prmtop(tmp_path / "a.prmtop", _sections())
    text = p.read_text().splitlines()
    k = text.index("%FLAG MASS") + 2
    text[k] = text[k][:20] + "  1.2x0000E+01  " + text[k][36:]
    (tmp_path / "b.prmtop").write_text("\n".join(text) + "\n")
    with pytest.raises(TopologyError, match=rf"b.prmtop:{k + 1}: %FLAG MASS: malformed value"):
        read_prmtop(tmp_path / "b.prmtop")
    sec = _sections()
    del sec["LENNARD_JONES_BCOEF"]
    with pytest.raises(TopologyError, match=r"section %FLAG LENNARD_JONES_BCOEF is missing"):
        prmtop_tables(read_prmtop(_write_prmtop(tmp_path / "c.prmtop", sec)))
    sec = _sections()
    sec["POINTERS"][1][30] = 1  # NUMEXTRA
    with pytest.raises(TopologyError, match=r"d.prmtop:\d+: %FLAG POINTERS: NUMEXTRA = 1: extra points"):
        prmtop_tables(read_prmtop(_write_prmtop(tmp_path / "d.prmtop", sec)))
    sec = _sections()
    sec["CHARGE"] = ("E", list(Q[:8]))
    with pytest.raises(TopologyError, match=r"e.prmtop:\d+: %FLAG CHARGE has 8 values; expected 9"):
        prmtop_tables(read_prmtop(_write_prmtop(tmp_path / "e.prmtop", sec)))
    sec = _sections()
    sec["BONDS_INC_HYDROGEN"][1][0] = 31  # not a multiple of 3
    with pytest.raises(TopologyError, match=r"%FLAG BONDS_INC_HYDROGEN: entry 0 .* not a valid atom pointer"):
        prmtop_tables(read_prmtop(_write_prmtop(tmp_path / "f.prmtop", sec)))
    (tmp_path / "g.prmtop").write_text(p.read_text().replace("%FORMAT(5E16.8)", "%FORMAT(5Q16.8)", 1))
    with pytest.raises(TopologyError, match=r"g.prmtop:\d+: malformed %FORMAT line"):
        read_prmtop(tmp_path / "g.prmtop")
    with pytest.raises(InputError, match="nonbonded='ewald' needs a periodic box"):
        sec = _sections()
        sec["POINTERS"][1][27] = 0  # IFBOX
        load_amber(_write_prmtop(tmp_path / "h.prmtop", sec), _write_inpcrd(tmp_path / "h.inpcrd", X_A, box=None),
                   nonbonded="ewald")


@pytest.mark.parametrize("nonbonded", ["pme", "reaction-field"])
def test_solvated_alanine_dipeptide_matches_openmm(nonbonded):
    mm = pytest.importorskip("openmm")
    from openmm import app, unit

    prmtop, inpcrd = os.path.join(DATA, "ala_water.prmtop"), os.path.join(DATA, "ala_water.inpcrd")
    method = {"pme": app.PME, "reaction-field": app.CutoffPeriodic}[nonbonded]
    omm = app.AmberPrmtopFile(prmtop).createSystem(nonbondedMethod=method, nonbondedCutoff=0.9 * unit.nanometer,
                                                   constraints=None, rigidWater=False, removeCMMotion=False)
    model = load_amber(prmtop, inpcrd, nonbonded=nonbonded, cutoff=0.9, ewald_tolerance=5e-4, constraints=None,
                       rigid_water=False, epsilon_rf=78.3)
    assert model.system.n_atoms == 708
    crd = app.AmberInpcrdFile(inpcrd)
    assert np.allclose(model.system.box.h, np.asarray(crd.boxVectors.value_in_unit(unit.nanometer)))
    compare_with_openmm(mm, model, omm, f"amber/{nonbonded}")


def test_tiny_prmtop_matches_openmm_reading_the_same_file(tmp_path):
    mm = pytest.importorskip("openmm")
    from openmm import app, unit

    model = _tiny(tmp_path, nonbonded="cutoff", cutoff=1.5, constraints=None, rigid_water=False)
    omm = app.AmberPrmtopFile(str(tmp_path / "t.prmtop")).createSystem(nonbondedMethod=app.NoCutoff,
                                                                        constraints=None, rigidWater=False,
                                                                        removeCMMotion=False)
    for g, f in enumerate(omm.getForces()):
        f.setForceGroup(g)
    ctx = mm.Context(omm, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(X_A / 10.0)
    ff = model.forcefield()
    ours = {f.name: f.compute(model.system, ff.neighbors)[:2] for f in model.forces}
    kj, kjnm = unit.kilojoule_per_mole, unit.kilojoule_per_mole / unit.nanometer
    # per-dihedral SCEE/SCNB 1-4 scaling, impropers and exclusions read identically by both
    for kind, names in [(mm.HarmonicBondForce, ("HarmonicBond",)), (mm.HarmonicAngleForce, ("HarmonicAngle",)),
                        (mm.PeriodicTorsionForce, ("PeriodicTorsion", "PeriodicImproper")),
                        (mm.NonbondedForce, ("LennardJones", "LJ14", "Coulomb"))]:
        g = {k for k, f in enumerate(omm.getForces()) if isinstance(f, kind)}
        st = ctx.getState(getEnergy=True, getForces=True, groups=g)
        e_mm = st.getPotentialEnergy().value_in_unit(kj)
        f_mm = np.asarray(st.getForces(asNumpy=True).value_in_unit(kjnm))
        e, f = sum(ours[n][0] for n in names), sum(ours[n][1] for n in names)
        assert e == pytest.approx(e_mm, rel=1e-5), names
        assert np.max(np.abs(f - f_mm)) < 1e-5 * np.max(np.abs(f_mm)), names


def test_hbond_constraints_and_rigid_water_match_openmm_selection():
    mm = pytest.importorskip("openmm")
    from openmm import app, unit

    prmtop, inpcrd = os.path.join(DATA, "ala_water.prmtop"), os.path.join(DATA, "ala_water.inpcrd")
    omm = app.AmberPrmtopFile(prmtop).createSystem(nonbondedMethod=app.CutoffPeriodic,
                                                   nonbondedCutoff=0.9 * unit.nanometer, constraints=app.HBonds,
                                                   rigidWater=True, removeCMMotion=False)
    model = load_amber(prmtop, inpcrd, nonbonded="reaction-field", cutoff=0.9, constraints="h-bonds")
    theirs = set()
    for k in range(omm.getNumConstraints()):
        i, j, _ = omm.getConstraintParameters(k)
        theirs.add((min(i, j), max(i, j)))
    shake = {tuple(sorted(p)) for c in model.constraints if isinstance(c, ShakeRattle) for p in c.pairs.tolist()}
    settle = [c for c in model.constraints if isinstance(c, Settle)][0]
    o_h = {tuple(sorted((w[0], w[k]))) for w in settle.waters.tolist() for k in (1, 2)}
    # the 12 X-H bonds of the peptide, and every water O-H, are what OpenMM constrains too; this prmtop
    # (ParmEd-written) has no H-H "bond", so OpenMM leaves the H-O-H angle flexible while SETTLE makes the
    # TIP3P water fully rigid (its H-H distance from the angle's theta0)
    assert len(shake) == 12 and theirs == shake | o_h
    assert settle.d_hh == pytest.approx(2 * 0.09572 * math.sin(math.radians(104.52) / 2), rel=1e-6)
    # the bonds left as forces (constrained ones dropped by both) have the same energy
    for g, f in enumerate(omm.getForces()):
        f.setForceGroup(g)
    ctx = mm.Context(omm, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(model.system.positions)
    g = {k for k, f in enumerate(omm.getForces()) if isinstance(f, mm.HarmonicBondForce)}
    e_mm = ctx.getState(getEnergy=True, groups=g).getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    assert model.force("HarmonicBond").compute(model.system)[0] == pytest.approx(e_mm, rel=1e-10)
