"""AMBER files: parameter/topology files (prmtop, parm7) and ASCII coordinates/restarts (inpcrd, rst7),
turned into a System, its Forces and its constraints (:func:`load_amber`)."""

import dataclasses
import math
import os
import re

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph

from mindscience.errors import InputError
from molecular.io.forcefield import (
    BondedTables,
    ForceFieldTopology,
    TopologyError,
    build_model,
    check_options,
    lj_from_c6_c12,
)
from molecular.io.pdb import box_from_cryst1

#: AMBER charge unit: q_amber = q[e] * 18.2223 (sqrt of the Coulomb constant in kcal/mol A e^-2)
CHARGE_UNIT = 18.2223
KCAL = 4.184
#: AMBER time unit is 1/20.455 ps: velocities in A/(1/20.455 ps)
VELOCITY_UNIT = 20.455
WATER_RESIDUES = ("WAT", "HOH", "TIP3", "T3P", "SOL", "SPC", "TP3")
POINTER_NAMES = ("NATOM", "NTYPES", "NBONH", "MBONA", "NTHETH", "MTHETA", "NPHIH", "MPHIA", "NHPARM", "NPARM", "NNB",
                 "NRES", "NBONA", "NTHETA", "NPHIA", "NUMBND", "NUMANG", "NPTRA", "NATYP", "NPHB", "IFPERT", "NBPER",
                 "NGPER", "NDPER", "MBPER", "MGPER", "MDPER", "IFBOX", "NMXRS", "IFCAP", "NUMEXTRA", "NCOPY")
ELEMENTS = {1: "H", 6: "C", 7: "N", 8: "O", 9: "F", 11: "Na", 12: "Mg", 15: "P", 16: "S", 17: "Cl", 19: "K",
            20: "Ca", 35: "Br", 53: "I"}


@dataclasses.dataclass
class Prmtop:
    """The raw sections of a prmtop file: ``flags[name] = list of values`` and where each section starts
    (``lines[name]``, 1-based line of its ``%FLAG``)."""

    path: str
    flags: dict
    lines: dict

    def get(self, name, length=None, required=True):
        """Section ``name`` (checked to have ``length`` values); ``None`` if absent and not ``required``."""
        if name not in self.flags:
            if required:
                raise TopologyError(f"section %FLAG {name} is missing", self.path)
            return None
        vals = self.flags[name]
        if length is not None and len(vals) != length:
            raise TopologyError(f"%FLAG {name} has {len(vals)} values; expected {length} (from POINTERS)", self.path,
                                self.lines[name])
        return vals

    def error(self, name, message):
        return TopologyError(f"%FLAG {name}: {message}", self.path, self.lines.get(name))


_FORMAT = re.compile(r"^\(?\s*(\d*)\s*([aAiIeEfF])(\d+)(?:\.\d+)?\s*\)?$")


def read_prmtop(path):
    """Read the ``%FLAG``/``%FORMAT`` sections of an AMBER prmtop file (fixed-width Fortran fields).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Prmtop

    Raises
    ------
    TopologyError
        Naming the file, line and flag of a malformed format or value.

    Examples
    --------
    >>> parm = read_prmtop("complex.prmtop")          # doctest: +SKIP
    >>> parm.get("POINTERS")[0]                        # NATOM  # doctest: +SKIP
    """
    path = os.fspath(path)
    flags, lines = {}, {}
    name = fmt = None
    with open(path) as fh:
        text = fh.read().splitlines()
    if not text or not text[0].startswith("%VERSION"):
        if not any(t.startswith("%FLAG") for t in text[:5]):
            raise TopologyError("not a prmtop file: no %VERSION/%FLAG header (old-style prmtop is not supported)",
                                path, 1)
    for number, line in enumerate(text, start=1):
        if line.startswith("%FLAG"):
            parts = line.split()
            if len(parts) < 2:
                raise TopologyError(f"malformed %FLAG line {line!r}", path, number)
            name = parts[1]
            flags[name] = []
            lines[name] = number
            fmt = None
        elif line.startswith("%FORMAT"):
            m = _FORMAT.match(line[len("%FORMAT"):].strip())
            if name is None or not m:
                raise TopologyError(f"malformed %FORMAT line {line!r}; expected e.g. %FORMAT(10I8)", path, number)
            fmt = (int(m.group(1) or 1), m.group(2).upper(), int(m.group(3)))
        elif line.startswith("%"):
            continue
        elif name is not None:
            if fmt is None:
                raise TopologyError(f"%FLAG {name} has data before its %FORMAT line", path, number)
            count, kind, width = fmt
            if kind == "A" and count == 1:
                flags[name].append(line.strip())
                continue
            for k in range(count):
                field = line[k * width:(k + 1) * width]
                if not field.strip():
                    if kind == "A" and field and k * width < len(line.rstrip()):
                        flags[name].append("")
                    continue
                try:
                    flags[name].append(field.strip() if kind == "A" else int(field) if kind == "I" else
                                       float(field.replace("D", "E")))
                except ValueError:
                    raise TopologyError(f"%FLAG {name}: malformed value {field!r} for format {kind}{width}", path,
                                        number) from None
    if "POINTERS" not in flags:
        raise TopologyError("section %FLAG POINTERS is missing", path)
    return Prmtop(path, flags, lines)


def _atoms(parm, name, step, natom, nterm):
    """Atom-index tuples of a bonded section (indices stored as 3 x 0-based), sign flags kept."""
    raw = np.asarray(parm.get(name, step * nterm), dtype=np.int64).reshape(-1, step)
    idx = raw[:, :step - 1]
    atoms = np.abs(idx) // 3
    if np.any(np.abs(idx) % 3) or (atoms.size and atoms.max() >= natom):
        bad = int(np.argmax((np.abs(idx) % 3 != 0).any(axis=1) | (atoms >= natom).any(axis=1)))
        raise parm.error(name, f"entry {bad} = {raw[bad].tolist()} is not a valid atom pointer (3 x index < "
                               f"3 x NATOM = {3 * natom})")
    types = raw[:, step - 1] - 1
    return atoms, idx, types


def _param_index(parm, name, types, n):
    if types.size and (types.min() < 0 or types.max() >= n):
        raise parm.error(name, f"parameter index {int(types.max()) + 1} is outside 1..{n}")


def prmtop_tables(parm):
    """A :class:`ForceFieldTopology` (without coordinates) from the sections of a prmtop file.

    Units converted to nm, kJ/mol, rad, e; harmonic constants doubled (AMBER's ``K (x - x0)^2``).

    Examples
    --------
    >>> tables = prmtop_tables(read_prmtop("complex.prmtop"))   # doctest: +SKIP
    """
    if "CTITLE" in parm.flags:
        raise TopologyError("CHAMBER (CHARMM) prmtop files are not supported", parm.path, parm.lines["CTITLE"])
    ptr = parm.get("POINTERS")
    if len(ptr) < 30:
        raise parm.error("POINTERS", f"has {len(ptr)} values; expected at least 30")
    p = dict(zip(POINTER_NAMES, ptr))
    n, nt = p["NATOM"], p["NTYPES"]
    if p["IFPERT"]:
        raise parm.error("POINTERS", "IFPERT != 0: perturbation topologies are not supported")
    if p["IFCAP"]:
        raise parm.error("POINTERS", "IFCAP != 0: solvent caps are not supported")
    if p.get("NUMEXTRA", 0):
        raise parm.error("POINTERS", f"NUMEXTRA = {p['NUMEXTRA']}: extra points (virtual sites) are not supported")
    names = [str(s) for s in parm.get("ATOM_NAME", n)]
    charges = np.asarray(parm.get("CHARGE", n), dtype=np.float64) / CHARGE_UNIT
    masses = np.asarray(parm.get("MASS", n), dtype=np.float64)
    if np.any(masses <= 0):
        raise parm.error("MASS", f"atom {int(np.argmax(masses <= 0)) + 1} has mass {masses[masses <= 0][0]}; "
                                 "allowed: > 0 (virtual sites are not supported)")
    tidx = np.asarray(parm.get("ATOM_TYPE_INDEX", n), dtype=np.int64) - 1
    _param_index(parm, "ATOM_TYPE_INDEX", tidx, nt)
    amber_types = parm.get("AMBER_ATOM_TYPE", n, required=False) or names
    atnum = parm.get("ATOMIC_NUMBER", n, required=False)
    nbidx = np.asarray(parm.get("NONBONDED_PARM_INDEX", nt * nt), dtype=np.int64).reshape(nt, nt)
    acoef = np.asarray(parm.get("LENNARD_JONES_ACOEF"), dtype=np.float64)
    bcoef = np.asarray(parm.get("LENNARD_JONES_BCOEF"), dtype=np.float64)
    if nbidx.max() > len(acoef) or len(acoef) != len(bcoef):
        raise parm.error("NONBONDED_PARM_INDEX", f"points beyond LENNARD_JONES_ACOEF/BCOEF ({len(acoef)} values)")
    hb = np.asarray(parm.flags.get("HBOND_ACOEF", []) + parm.flags.get("HBOND_BCOEF", []), dtype=np.float64)
    if np.any(nbidx < 0) and np.any(hb != 0):
        raise parm.error("NONBONDED_PARM_INDEX", "10-12 hydrogen-bond terms (negative indices with nonzero "
                                                 "HBOND_ACOEF/BCOEF) are not supported")
    k = np.maximum(nbidx, 1) - 1
    c12 = np.where(nbidx > 0, acoef[k], 0.0) * KCAL * 1e-12  # kcal/mol A^12 -> kJ/mol nm^12
    c6 = np.where(nbidx > 0, bcoef[k], 0.0) * KCAL * 1e-6
    try:
        sig, eps = lj_from_c6_c12(c6, c12)
    except InputError as exc:
        raise parm.error("LENNARD_JONES_ACOEF", str(exc)) from None

    # ---- bonded terms
    L = {}
    kb = np.asarray(parm.get("BOND_FORCE_CONSTANT", p["NUMBND"]), dtype=np.float64)
    rb = np.asarray(parm.get("BOND_EQUIL_VALUE", p["NUMBND"]), dtype=np.float64)
    bond_atoms = []
    for name, m in (("BONDS_INC_HYDROGEN", p["NBONH"]), ("BONDS_WITHOUT_HYDROGEN", p["MBONA"])):
        a, _, t = _atoms(parm, name, 3, n, m)
        _param_index(parm, name, t, len(kb))
        bond_atoms.append(a)
        L.setdefault("bond_idx", []).extend(a.tolist())
        L.setdefault("bond_k", []).extend((2.0 * KCAL * 100.0 * kb[t]).tolist())  # U = K (r - r0)^2, kcal/A^2
        L.setdefault("bond_r0", []).extend((0.1 * rb[t]).tolist())
    ka = np.asarray(parm.get("ANGLE_FORCE_CONSTANT", p["NUMANG"]), dtype=np.float64)
    ta = np.asarray(parm.get("ANGLE_EQUIL_VALUE", p["NUMANG"]), dtype=np.float64)
    for name, m in (("ANGLES_INC_HYDROGEN", p["NTHETH"]), ("ANGLES_WITHOUT_HYDROGEN", p["MTHETA"])):
        a, _, t = _atoms(parm, name, 4, n, m)
        _param_index(parm, name, t, len(ka))
        L.setdefault("angle_idx", []).extend(a.tolist())
        L.setdefault("angle_k", []).extend((2.0 * KCAL * ka[t]).tolist())
        L.setdefault("angle_theta0", []).extend(ta[t].tolist())
    pk = np.asarray(parm.get("DIHEDRAL_FORCE_CONSTANT", p["NPTRA"]), dtype=np.float64)
    pn = np.asarray(parm.get("DIHEDRAL_PERIODICITY", p["NPTRA"]), dtype=np.float64)
    phase = np.asarray(parm.get("DIHEDRAL_PHASE", p["NPTRA"]), dtype=np.float64)
    scee = parm.get("SCEE_SCALE_FACTOR", p["NPTRA"], required=False)
    scnb = parm.get("SCNB_SCALE_FACTOR", p["NPTRA"], required=False)
    scee = np.full(p["NPTRA"], 1.2) if scee is None else np.asarray(scee, dtype=np.float64)
    scnb = np.full(p["NPTRA"], 2.0) if scnb is None else np.asarray(scnb, dtype=np.float64)
    if np.any(np.abs(pn) > 6) or np.any(np.abs(pn) != np.round(np.abs(pn))):
        raise parm.error("DIHEDRAL_PERIODICITY", "periodicities must be integers 0..6")
    pairs14 = {}
    for name, m in (("DIHEDRALS_INC_HYDROGEN", p["NPHIH"]), ("DIHEDRALS_WITHOUT_HYDROGEN", p["MPHIA"])):
        a, raw, t = _atoms(parm, name, 5, n, m)
        _param_index(parm, name, t, len(pk))
        improper = raw[:, 3] < 0
        for key, sel in (("improper", improper), ("torsion", ~improper)):
            L.setdefault(f"{key}_idx", []).extend(a[sel].tolist())
            L.setdefault(f"{key}_k", []).extend((KCAL * pk[t[sel]]).tolist())
            L.setdefault(f"{key}_n", []).extend(np.abs(np.round(pn[t[sel]])).astype(int).tolist())
            L.setdefault(f"{key}_phi0", []).extend(phase[t[sel]].tolist())
        # 1-4 pairs: a negative third pointer means "already counted" (multi-term / ring), a negative fourth
        # an improper; the last definition of a pair wins, as OpenMM's exceptions
        for (i, _, _, l), (_, _, kraw, lraw), tt in zip(a.tolist(), raw.tolist(), t.tolist()):
            if kraw >= 0 and lraw >= 0:
                if not (scee[tt] > 0 and scnb[tt] > 0):
                    raise parm.error("SCEE_SCALE_FACTOR", f"dihedral type {tt + 1} has SCEE={scee[tt]}, "
                                                          f"SCNB={scnb[tt]} for a 1-4 pair; allowed: > 0")
                pairs14[(min(i, l), max(i, l))] = (1.0 / scee[tt], 1.0 / scnb[tt])

    # ---- exclusions
    nex = np.asarray(parm.get("NUMBER_EXCLUDED_ATOMS", n), dtype=np.int64)
    exl = np.asarray(parm.get("EXCLUDED_ATOMS_LIST", int(nex.sum())), dtype=np.int64)
    owner = np.repeat(np.arange(n), nex)
    keep = exl > 0
    if np.any(exl > n):
        raise parm.error("EXCLUDED_ATOMS_LIST", f"atom {int(exl.max())} is outside 1..{n}")
    ei, ej = owner[keep], exl[keep] - 1
    excl = {(min(i, j), max(i, j)) for i, j in zip(ei.tolist(), ej.tolist()) if i != j}
    p14 = sorted(pairs14)
    ex = np.array(sorted(excl - set(p14)), dtype=np.int64).reshape(-1, 2)
    p14a = np.array(p14, dtype=np.int64).reshape(-1, 2)
    ti, tj = tidx[p14a[:, 0]], tidx[p14a[:, 1]]
    sig14, eps14 = sig[ti, tj], eps[ti, tj] * np.array([pairs14[q][1] for q in p14])
    qs14 = np.array([pairs14[q][0] for q in p14])

    # ---- residues, molecules, elements, waters
    rptr = np.asarray(parm.get("RESIDUE_POINTER", p["NRES"]), dtype=np.int64) - 1
    rlab = [str(s) for s in parm.get("RESIDUE_LABEL", p["NRES"])]
    if rptr.size and (rptr[0] != 0 or np.any(np.diff(rptr) <= 0) or rptr[-1] >= n):
        raise parm.error("RESIDUE_POINTER", "residue pointers must start at 1 and increase within 1..NATOM")
    resid = np.searchsorted(rptr, np.arange(n), side="right") - 1
    resn = [rlab[r] for r in resid]
    if atnum is not None and all(int(z) > 0 for z in atnum):
        elements = [ELEMENTS.get(int(z), str(amber_types[i])[:1].upper()) for i, z in enumerate(atnum)]
    else:
        elements = ["H" if m < 4.5 else (str(nm)[:1].upper() or "X") for m, nm in zip(masses, names)]
    bonds = np.concatenate(bond_atoms) if bond_atoms else np.zeros((0, 2), dtype=np.int64)
    graph = scipy.sparse.coo_matrix((np.ones(len(bonds)), (bonds[:, 0], bonds[:, 1])), shape=(n, n))
    _, molid = scipy.sparse.csgraph.connected_components(graph, directed=False)
    waters = []
    starts = list(rptr) + [n]
    for r in range(len(rptr)):
        a, b = starts[r], starts[r + 1]
        if b - a == 3 and rlab[r].upper() in WATER_RESIDUES:
            el = [elements[i] for i in range(a, b)]
            if sorted(el) == ["H", "H", "O"]:
                o = a + el.index("O")
                h = [i for i in range(a, b) if i != o]
                waters.append((o, h[0], h[1]))
    type_names = []
    for t in range(nt):
        first = np.flatnonzero(tidx == t)
        type_names.append(str(amber_types[first[0]]) if first.size else f"type{t + 1}")
    box = None
    if p["IFBOX"]:
        bd = parm.get("BOX_DIMENSIONS", 4)
        # IFBOX = 1: monoclinic at most (angle beta); IFBOX = 2: truncated octahedron (all angles = beta)
        other = bd[0] if p["IFBOX"] == 2 else 90.0
        box = box_from_cryst1(bd[1], bd[2], bd[3], other, bd[0], other) / 10.0
    title = " ".join(str(s) for s in parm.flags.get("TITLE", [])).strip()
    return ForceFieldTopology(
        names=names, residue_names=resn, elements=elements, residue_ids=resid.astype(np.int64),
        molecule_ids=molid.astype(np.int64), charges=charges, masses=masses, types=tidx, type_names=type_names,
        lj_sigma=sig, lj_epsilon=eps, bonded=BondedTables.from_lists(L), graph_bonds=bonds, exclusions=ex,
        pairs14=p14a, sigma14=sig14, epsilon14=eps14, qscale14=qs14, constraint_pairs=np.zeros((0, 2), np.int64),
        constraint_lengths=np.zeros(0), settles=np.zeros((0, 3), np.int64), settle_doh=np.zeros(0),
        settle_dhh=np.zeros(0), waters=np.array(waters, dtype=np.int64).reshape(-1, 3), box=box, title=title,
        source=parm.path)


@dataclasses.dataclass
class AmberCoordinates:
    """Contents of an inpcrd/rst7 file: ``positions`` (N, 3) nm, ``velocities`` (N, 3) nm/ps or None,
    ``box`` (3, 3) nm or None, ``time`` ps, ``title``."""

    title: str
    positions: np.ndarray
    velocities: np.ndarray | None
    box: np.ndarray | None
    time: float


def read_inpcrd(path):
    """Read an ASCII AMBER coordinate or restart file (inpcrd / rst7).

    Layout: title; ``NATOM [TIME]``; coordinates (6F12.7, angstrom); optional velocities (same layout,
    angstrom per 1/20.455 ps); optional box line ``a b c alpha beta gamma`` (angstrom, degrees).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    AmberCoordinates

    Raises
    ------
    TopologyError
        Naming the file and line of a malformed value or missing lines (NetCDF restarts are not supported).

    Examples
    --------
    >>> _ = open("two.inpcrd", "w").write("two atoms\\n    2\\n   1.0000000   2.0000000   3.0000000"
    ...                                   "   4.0000000   5.0000000   6.0000000\\n")
    >>> read_inpcrd("two.inpcrd").positions.tolist()
    [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    """
    path = os.fspath(path)
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head[:3] == b"CDF" or head == b"\x89HDF":
        raise TopologyError("NetCDF restart files are not supported; convert to ASCII rst7 (e.g. cpptraj)", path, 1)
    with open(path) as fh:
        lines = fh.read().splitlines()
    if len(lines) < 3:
        raise TopologyError("an inpcrd file needs a title, an atom-count line and coordinates", path)
    try:
        head = lines[1].split()
        n = int(head[0])
        t = float(head[1]) if len(head) > 1 else 0.0
    except (ValueError, IndexError):
        raise TopologyError(f"malformed atom-count line {lines[1]!r}", path, 2) from None
    per = math.ceil(3 * n / 6)

    def block(first, what):
        vals = []
        for k in range(first, first + per):
            if k >= len(lines):
                raise TopologyError(f"{what} stop after {len(vals) // 3} of {n} atoms", path, len(lines))
            ln = lines[k]
            for c in range(6):
                f = ln[12 * c:12 * (c + 1)]
                if not f.strip():
                    break
                try:
                    vals.append(float(f))
                except ValueError:
                    raise TopologyError(f"malformed {what} value {f!r}", path, k + 1) from None
        if len(vals) != 3 * n:
            raise TopologyError(f"{what} have {len(vals)} values; expected {3 * n}", path, first + per)
        return np.array(vals).reshape(n, 3)

    x = block(2, "coordinates") / 10.0
    rest = [k for k in range(2 + per, len(lines)) if lines[k].strip()]
    v = None
    box = None
    if len(rest) > 1:  # velocities (per lines) and/or the box (one line); one line alone is the box
        v = block(rest[0], "velocities") * VELOCITY_UNIT / 10.0
        rest = [k for k in rest if k >= rest[0] + per]
    if rest:
        k = rest[0]
        try:
            b = [float(lines[k][12 * c:12 * (c + 1)]) for c in range(6) if lines[k][12 * c:12 * (c + 1)].strip()]
        except ValueError:
            raise TopologyError(f"malformed box line {lines[k]!r}", path, k + 1) from None
        if len(b) == 3:
            b += [90.0, 90.0, 90.0]
        if len(b) != 6 or len(rest) > 1:
            raise TopologyError(f"unexpected line {lines[k]!r}; expected the box line a b c alpha beta gamma", path,
                                k + 1)
        box = box_from_cryst1(*b) / 10.0
    return AmberCoordinates(lines[0], x, v, box, t)


def load_amber(prmtop, inpcrd=None, nonbonded="pme", cutoff=1.0, ewald_tolerance=5e-4, constraints="h-bonds",
               rigid_water=True, lj_mode="truncated", dispersion_correction=False, epsilon_rf=78.5,
               neutralize=False):
    """Read an AMBER prmtop and its coordinates into a System, its Forces and its constraints.

    Charges are converted from AMBER units (``/ 18.2223``), Lennard-Jones type pairs from
    ``LENNARD_JONES_ACOEF/BCOEF`` via ``NONBONDED_PARM_INDEX``, harmonic constants from ``K (x - x0)^2`` to
    ``k/2 (x - x0)^2``. Pairs in ``EXCLUDED_ATOMS_LIST`` are excluded; the 1-4 pairs of dihedrals whose
    third and fourth pointers are not negative interact with Coulomb scaled by ``1/SCEE`` and
    Lennard-Jones by ``1/SCNB`` (per dihedral type; defaults 1.2 and 2.0). Dihedrals with a negative
    fourth pointer are impropers (force ``"PeriodicImproper"``).

    Parameters
    ----------
    prmtop : str or os.PathLike
    inpcrd : str or os.PathLike
        ASCII inpcrd / rst7 (positions, optional velocities and box; the box overrides the prmtop's).
    nonbonded, cutoff, ewald_tolerance, constraints, lj_mode, dispersion_correction, epsilon_rf, neutralize :
        see :func:`molecular.io.gromacs.load_gromacs`.
    rigid_water : bool
        Make three-site waters (residues WAT/HOH/...) rigid with SETTLE; their bonds and H-O-H angle
        leave the bonded forces (as OpenMM's ``rigidWater``).

    Returns
    -------
    ForceFieldModel

    Raises
    ------
    TopologyError
        Naming the file, line and flag of malformed or unsupported sections (CHAMBER, extra points,
        10-12 terms, perturbation), and an atom count that differs between the two files.

    Examples
    --------
    >>> model = load_amber("complex.prmtop", "complex.inpcrd", nonbonded="pme", cutoff=0.9)  # doctest: +SKIP
    >>> from molecular import LangevinBAOAB, MDSimulation                                  # doctest: +SKIP
    >>> sim = MDSimulation(model.system, model.forcefield(),                               # doctest: +SKIP
    ...                    LangevinBAOAB(300.0, 1.0, constraints=model.constraints), dt=0.002)
    """
    check_options(nonbonded, cutoff, ewald_tolerance, constraints, lj_mode)
    if inpcrd is None:
        raise InputError("inpcrd is None; allowed: an inpcrd/rst7 file with the coordinates of the prmtop")
    parm = read_prmtop(prmtop)
    tables = prmtop_tables(parm)
    crd = read_inpcrd(inpcrd)
    if len(crd.positions) != tables.n_atoms:
        raise TopologyError(f"has {len(crd.positions)} atoms but {parm.path} has NATOM = {tables.n_atoms}",
                            os.fspath(inpcrd), 2)
    tables.positions = crd.positions
    tables.velocities = crd.velocities
    if crd.box is not None:
        tables.box = crd.box
    return build_model(tables, nonbonded=nonbonded, cutoff=cutoff, ewald_tolerance=ewald_tolerance,
                       constraints=constraints, rigid_water=rigid_water, lj_mode=lj_mode,
                       dispersion_correction=dispersion_correction, epsilon_rf=epsilon_rf, neutralize=neutralize)
