"""GROMACS files: topologies (.top/.itp with the C preprocessor subset grompp uses) and .gro coordinates,
turned into a System, its Forces and its constraints (:func:`load_gromacs`)."""

import dataclasses
import math
import os
import re

import numpy as np

from mindscience.errors import InputError
from molecular.io.forcefield import (
    BondedTables,
    ForceFieldTopology,
    TopologyError,
    build_model,
    check_options,
    exclusions_within,
    lj_from_c6_c12,
)
from molecular.io.gro import GroFrame, read_gro, write_gro  # noqa: F401 - the .gro functions belong here too

DEG = math.pi / 180.0
#: directives that only define parameters of interactions we do not model; harmless unless used
IGNORED_TYPE_DIRECTIVES = ("cmaptypes", "implicit_genborn_params", "implicit_surface_params")
TYPE_DIRECTIVES = ("defaults", "atomtypes", "bondtypes", "pairtypes", "angletypes", "dihedraltypes",
                   "constrainttypes", "nonbond_params")
MOLECULE_DIRECTIVES = ("atoms", "bonds", "pairs", "angles", "dihedrals", "settles", "exclusions", "constraints")
#: [ bonds ] function types that make a chemical bond (count for nrexcl exclusions): harmonic, Morse, connection
CHEMICAL_BONDS = (1, 3, 5)
#: number of parameters per function type (A state; a B state may follow and is ignored)
N_PARAMS = {"bonds": {1: 2, 3: 3, 5: 0, 6: 2}, "angles": {1: 2, 5: 4}, "pairs": {1: 2},
            "dihedrals": {1: 3, 2: 2, 3: 6, 4: 3, 5: 4, 9: 3}, "constraints": {1: 1, 2: 1}}
N_ATOMS = {"bonds": 2, "pairs": 2, "angles": 3, "dihedrals": 4, "constraints": 2}
DIHEDRAL_TABLE = {1: "proper", 9: "proper", 4: "improper-periodic", 2: "improper-harmonic", 3: "rb", 5: "fourier"}
ELEMENTS = {1: "H", 6: "C", 7: "N", 8: "O", 9: "F", 11: "Na", 12: "Mg", 15: "P", 16: "S", 17: "Cl", 19: "K",
            20: "Ca", 35: "Br", 53: "I"}


# ---------------------------------------------------------------------------------------------- preprocessor
@dataclasses.dataclass(frozen=True)
class Line:
    """One logical topology line after preprocessing: its tokens and where it came from."""

    path: str
    number: int
    text: str

    def error(self, message):
        return TopologyError(message, self.path, self.number)


def _include_path(name, here, include_dirs):
    candidates = [os.path.join(os.path.dirname(here), name)] + [os.path.join(d, name) for d in include_dirs]
    for c in candidates:
        if os.path.isfile(c):
            return c
    return None


def preprocess(path, defines=None, include_dirs=()):
    """Run the grompp preprocessor subset on a topology and return its logical lines.

    Handles comments (``;``), continuation lines (trailing ``\\``), ``#include "file"`` (searched next to
    the including file, then in ``include_dirs``, then in the folders of ``$GMXLIB``), ``#define NAME
    [value]``, ``#undef``, ``#ifdef``, ``#ifndef``, ``#else``, ``#endif``, and substitutes defined macros
    in the other lines (whole words, as GROMOS ``gb_1`` parameters).

    Parameters
    ----------
    path : str or os.PathLike
    defines : dict or iterable of str, optional
        Macros defined before reading (as ``grompp -DNAME``), e.g. ``{"FLEXIBLE": ""}``.
    include_dirs : sequence of str
        Extra include folders.

    Returns
    -------
    list of Line

    Raises
    ------
    TopologyError
        Naming file and line of a missing include, an unbalanced ``#ifdef``/``#else``/``#endif`` or an
        unsupported preprocessor directive.

    Examples
    --------
    >>> _ = open("pp.top", "w").write("#ifdef FLEXIBLE\\n[ bonds ]\\n#else\\n[ settles ]\\n#endif\\n")
    >>> [ln.text for ln in preprocess("pp.top", defines={"FLEXIBLE": ""})]
    ['[ bonds ]']
    """
    macros = {}
    if defines is not None:
        macros.update(defines if isinstance(defines, dict) else {d: "" for d in defines})
    dirs = [os.fspath(d) for d in include_dirs]
    dirs += [d for d in os.environ.get("GMXLIB", "").split(os.pathsep) if d]
    out = []
    _preprocess_file(os.fspath(path), macros, dirs, out, [], None)
    return out


def _preprocess_file(path, macros, dirs, out, chain, include_line):
    if len(chain) > 64 or path in chain:
        raise include_line.error(f"#include of {path!r} recurses (include chain: {' -> '.join(chain)})")
    try:
        with open(path) as fh:
            raw = fh.read().splitlines()
    except OSError as exc:
        if include_line is not None:
            raise include_line.error(f"cannot read included file {path!r} ({exc.strerror})") from None
        raise TopologyError(f"cannot read topology ({exc.strerror})", path) from None
    stack = []  # (active_before, this_branch_active, ifdef Line, seen_else)
    active = True
    k = 0
    while k < len(raw):
        number = k + 1
        text = raw[k]
        while text.rstrip().endswith("\\") and k + 1 < len(raw):
            k += 1
            text = text.rstrip()[:-1] + " " + raw[k]
        k += 1
        here = Line(path, number, text)
        stripped = text.strip()
        if stripped.startswith("#"):
            words = stripped[1:].split(None, 1)
            word = words[0] if words else ""
            arg = words[1].split(";")[0].strip() if len(words) > 1 else ""
            if word in ("ifdef", "ifndef"):
                if not arg:
                    raise here.error(f"#{word} needs a macro name")
                cond = (arg.split()[0] in macros) == (word == "ifdef")
                stack.append((active, cond, here, False))
                active = active and cond
            elif word == "else":
                if not stack:
                    raise here.error("#else without #ifdef/#ifndef")
                before, cond, opener, seen_else = stack[-1]
                if seen_else:
                    raise here.error(f"second #else for the #ifdef at line {opener.number}")
                stack[-1] = (before, not cond, opener, True)
                active = before and not cond
            elif word == "endif":
                if not stack:
                    raise here.error("#endif without #ifdef/#ifndef")
                active = stack.pop()[0]
            elif not active:
                continue
            elif word == "include":
                m = re.match(r'^["<]([^">]+)[">]$', arg)
                if not m:
                    raise here.error(f'malformed #include {arg!r}; allowed: #include "file"')
                found = _include_path(m.group(1), path, dirs)
                if found is None:
                    raise here.error(f"included file {m.group(1)!r} not found next to {path!r}, in include_dirs "
                                     f"{dirs} or $GMXLIB")
                _preprocess_file(found, macros, dirs, out, chain + [path], here)
            elif word == "define":
                if not arg:
                    raise here.error("#define needs a macro name")
                parts = arg.split(None, 1)
                macros[parts[0]] = parts[1] if len(parts) > 1 else ""
            elif word == "undef":
                macros.pop(arg.split()[0] if arg else "", None)
            else:
                raise here.error(f"unsupported preprocessor directive #{word}; allowed: include, define, undef, "
                                 "ifdef, ifndef, else, endif")
            continue
        if not active:
            continue
        body = text.split(";", 1)[0].strip()
        if not body:
            continue
        if macros and not body.startswith("["):
            body = " ".join(macros.get(t, t) if macros.get(t) else t for t in body.split())
        out.append(Line(path, number, body))
    if stack:
        opener = stack[-1][2]
        raise opener.error(f"{opener.text.split(';')[0].strip()} is never closed by #endif in this file")


# ---------------------------------------------------------------------------------------------- parsed data
@dataclasses.dataclass
class AtomType:
    name: str
    bonded_type: str
    atomic_number: int
    mass: float
    charge: float
    ptype: str
    v: float
    w: float
    line: Line


@dataclasses.dataclass
class MoleculeType:
    name: str
    nrexcl: int
    line: Line
    atoms: list = dataclasses.field(default_factory=list)
    sections: dict = dataclasses.field(default_factory=lambda: {d: [] for d in MOLECULE_DIRECTIVES})


@dataclasses.dataclass
class GromacsTopology:
    """The parsed content of a GROMACS topology (before coordinates).

    Attributes
    ----------
    nbfunc, comb_rule : int
    gen_pairs : bool
    fudge_lj, fudge_qq : float
    atomtypes : dict str -> AtomType
    moleculetypes : dict str -> MoleculeType
    molecules : list of (name, count, Line)
    system_name : str
    path : str
    """

    path: str
    nbfunc: int = 1
    comb_rule: int = 1
    gen_pairs: bool = False
    fudge_lj: float = 1.0
    fudge_qq: float = 1.0
    atomtypes: dict = dataclasses.field(default_factory=dict)
    bondtypes: dict = dataclasses.field(default_factory=dict)
    angletypes: dict = dataclasses.field(default_factory=dict)
    pairtypes: dict = dataclasses.field(default_factory=dict)
    constrainttypes: dict = dataclasses.field(default_factory=dict)
    nonbond_params: dict = dataclasses.field(default_factory=dict)
    dihedraltypes: dict = dataclasses.field(default_factory=dict)
    moleculetypes: dict = dataclasses.field(default_factory=dict)
    molecules: list = dataclasses.field(default_factory=list)
    system_name: str = ""
    seen_defaults: bool = False

    @property
    def n_atoms(self):
        return sum(len(self.moleculetypes[name].atoms) * count for name, count, _ in self.molecules)


def _floats(line, tokens, what):
    try:
        return [float(t) for t in tokens]
    except ValueError:
        raise line.error(f"malformed {what}: expected numbers, got {' '.join(tokens)!r}") from None


def _int(line, token, what):
    try:
        return int(token)
    except ValueError:
        raise line.error(f"malformed {what}: expected an integer, got {token!r}") from None


def _func(line, token, section, allowed):
    f = _int(line, token, f"[ {section} ] function type")
    if f not in allowed:
        raise line.error(f"[ {section} ] function type {f} is not supported; allowed: "
                         f"{', '.join(str(a) for a in sorted(allowed))}")
    return f


def read_top(path, defines=None, include_dirs=()):
    """Parse a GROMACS topology (``.top``, with its ``#include`` files) into a :class:`GromacsTopology`.

    Parameters
    ----------
    path : str or os.PathLike
    defines, include_dirs : see :func:`preprocess`.

    Returns
    -------
    GromacsTopology

    Raises
    ------
    TopologyError
        Naming the file and line of a malformed line, an unknown or unsupported directive or function type.

    Examples
    --------
    >>> _ = open("d.top", "w").write("[ defaults ]\\n1 2 yes 0.5 0.8333\\n")
    >>> t = read_top("d.top")
    >>> t.comb_rule, t.gen_pairs, t.fudge_qq
    (2, True, 0.8333)
    """
    top = GromacsTopology(os.fspath(path))
    section = None
    mol = None
    dih_last = None  # last [ dihedraltypes ] key, to group adjacent type-9 lines
    for ln in preprocess(path, defines, include_dirs):
        if ln.text.startswith("["):
            m = re.match(r"^\[\s*([A-Za-z0-9_]+)\s*\]$", ln.text)
            if not m:
                raise ln.error(f"malformed directive {ln.text!r}; allowed: [ name ]")
            section = m.group(1).lower()
            known = TYPE_DIRECTIVES + MOLECULE_DIRECTIVES + IGNORED_TYPE_DIRECTIVES + ("moleculetype", "system",
                                                                                        "molecules")
            if section not in known:
                raise ln.error(f"directive [ {section} ] is not supported; allowed: {', '.join(known)}")
            if section in MOLECULE_DIRECTIVES and mol is None:
                raise ln.error(f"[ {section} ] before any [ moleculetype ]")
            if section == "defaults" and top.seen_defaults:
                raise ln.error("second [ defaults ] directive")
            dih_last = None
            continue
        if section is None:
            raise ln.error(f"line {ln.text!r} outside any [ directive ]")
        tok = ln.text.split()
        if section == "defaults":
            _parse_defaults(top, ln, tok)
        elif section == "atomtypes":
            at = _parse_atomtype(top, ln, tok)
            top.atomtypes[at.name] = at
        elif section in ("bondtypes", "angletypes", "constrainttypes"):
            nat = {"bondtypes": 2, "angletypes": 3, "constrainttypes": 2}[section]
            sec = {"bondtypes": "bonds", "angletypes": "angles", "constrainttypes": "constraints"}[section]
            if len(tok) < nat + 1:
                raise ln.error(f"[ {section} ] line needs {nat} atom types and a function type; got {ln.text!r}")
            f = _func(ln, tok[nat], section, N_PARAMS[sec])
            params = _params(ln, tok[nat + 1:], N_PARAMS[sec][f], section, f)
            if params is None and N_PARAMS[sec][f]:
                raise ln.error(f"[ {section} ] function {f} needs {N_PARAMS[sec][f]} parameters")
            table = getattr(top, section)
            for key in (tuple(tok[:nat]), tuple(tok[:nat][::-1])):
                table[(f,) + key] = (params, ln)
        elif section in ("pairtypes", "nonbond_params"):
            if len(tok) < 3:
                raise ln.error(f"[ {section} ] line needs 2 atom types and a function type; got {ln.text!r}")
            _func(ln, tok[2], section, (1,))
            params = _params(ln, tok[3:], 2, section, 1)
            if params is None:
                raise ln.error(f"[ {section} ] function 1 needs 2 parameters")
            for key in ((tok[0], tok[1]), (tok[1], tok[0])):
                getattr(top, section)[key] = (params, ln)
        elif section == "dihedraltypes":
            dih_last = _parse_dihedraltype(top, ln, tok, dih_last)
        elif section in IGNORED_TYPE_DIRECTIVES:
            continue
        elif section == "moleculetype":
            if len(tok) != 2:
                raise ln.error(f"[ moleculetype ] line needs a name and nrexcl; got {ln.text!r}")
            nrexcl = _int(ln, tok[1], "nrexcl")
            if nrexcl < 0:
                raise ln.error(f"nrexcl={nrexcl} is out of range; allowed: >= 0")
            if tok[0] in top.moleculetypes:
                raise ln.error(f"moleculetype {tok[0]!r} is defined twice (first at "
                               f"{top.moleculetypes[tok[0]].line.path}:{top.moleculetypes[tok[0]].line.number})")
            mol = MoleculeType(tok[0], nrexcl, ln)
            top.moleculetypes[mol.name] = mol
        elif section == "atoms":
            _parse_atom(top, mol, ln, tok)
        elif section in MOLECULE_DIRECTIVES:
            mol.sections[section].append((ln, tok))
        elif section == "system":
            top.system_name = (top.system_name + " " + ln.text).strip()
        elif section == "molecules":
            if len(tok) != 2:
                raise ln.error(f"[ molecules ] line needs a molecule name and a count; got {ln.text!r}")
            count = _int(ln, tok[1], "molecule count")
            if tok[0] not in top.moleculetypes:
                raise ln.error(f"molecule {tok[0]!r} has no [ moleculetype ]; defined: {list(top.moleculetypes)}")
            if count < 0:
                raise ln.error(f"molecule count {count} is negative")
            top.molecules.append((tok[0], count, ln))
    return top


def _params(ln, tokens, n, section, func):
    """The first ``n`` numbers of ``tokens`` (A state); ``None`` if the line gives none (look up the type)."""
    if not tokens:
        return None
    if len(tokens) < n:
        raise ln.error(f"[ {section} ] function {func} needs {n} parameters; got {len(tokens)} ({' '.join(tokens)!r})")
    if len(tokens) > n and len(tokens) != 2 * n:
        raise ln.error(f"[ {section} ] function {func} takes {n} parameters (or {2 * n} with a B state); got "
                       f"{len(tokens)} ({' '.join(tokens)!r})")
    return _floats(ln, tokens[:n], f"[ {section} ] parameters")


def _parse_defaults(top, ln, tok):
    if len(tok) < 2:
        raise ln.error(f"[ defaults ] needs at least nbfunc and comb-rule; got {ln.text!r}")
    top.nbfunc = _int(ln, tok[0], "nbfunc")
    if top.nbfunc != 1:
        raise ln.error(f"nbfunc={top.nbfunc} is not supported; allowed: 1 (Lennard-Jones; 2 = Buckingham)")
    top.comb_rule = _int(ln, tok[1], "comb-rule")
    if top.comb_rule not in (1, 2, 3):
        raise ln.error(f"comb-rule={top.comb_rule} is out of range; allowed: 1, 2, 3")
    if len(tok) > 2:
        if tok[2].lower() not in ("yes", "no"):
            raise ln.error(f"gen-pairs={tok[2]!r}; allowed: yes, no")
        top.gen_pairs = tok[2].lower() == "yes"
    if len(tok) > 3:
        top.fudge_lj = _floats(ln, tok[3:4], "fudgeLJ")[0]
    if len(tok) > 4:
        top.fudge_qq = _floats(ln, tok[4:5], "fudgeQQ")[0]
    top.seen_defaults = True


def _is_ptype(s):
    return len(s) == 1 and s.isalpha()


def _parse_atomtype(top, ln, tok):
    # grompp's rule: the single-letter particle type locates the optional bonded-type and atomic-number columns
    if len(tok) >= 6 and _is_ptype(tok[5]):
        name, btype, atnum, rest = tok[0], tok[1], tok[2], tok[3:]
    elif len(tok) >= 5 and _is_ptype(tok[4]):
        if tok[1][0].isalpha():
            name, btype, atnum, rest = tok[0], tok[1], None, tok[2:]
        else:
            name, btype, atnum, rest = tok[0], tok[0], tok[1], tok[2:]
    elif len(tok) >= 4 and _is_ptype(tok[3]):
        name, btype, atnum, rest = tok[0], tok[0], None, tok[1:]
    else:
        raise ln.error(f"malformed [ atomtypes ] line {ln.text!r}; expected name [bonded-type] [atomic-number] "
                       "mass charge ptype V W")
    if len(rest) != 5:
        raise ln.error(f"[ atomtypes ] line needs mass charge ptype V W after the names; got {' '.join(rest)!r}")
    mass, charge = _floats(ln, rest[:2], "[ atomtypes ] mass/charge")
    ptype = rest[2].upper()
    if ptype not in ("A", "V", "D"):
        raise ln.error(f"particle type {rest[2]!r} is not supported; allowed: A (atom), V/D (virtual site)")
    v, w = _floats(ln, rest[3:], "[ atomtypes ] V/W")
    an = -1 if atnum is None else _int(ln, atnum, "atomic number")
    return AtomType(name, btype, an, mass, charge, ptype, v, w, ln)


def _parse_dihedraltype(top, ln, tok, last):
    if len(tok) >= 3 and len(tok[2]) == 1 and tok[2].isdigit():  # old 2-type format
        f = _func(ln, tok[2], "dihedraltypes", DIHEDRAL_TABLE)
        # grompp: the two types are atoms 1 and 4 of an improper (type 2), atoms 2 and 3 otherwise
        types = (tok[0], "X", "X", tok[1]) if f == 2 else ("X", tok[0], tok[1], "X")
        rest = tok[3:]
    elif len(tok) >= 5:
        f = _func(ln, tok[4], "dihedraltypes", DIHEDRAL_TABLE)
        types = tuple(tok[:4])
        rest = tok[5:]
    else:
        raise ln.error(f"malformed [ dihedraltypes ] line {ln.text!r}; expected 4 (or 2) atom types, function "
                       "type and parameters")
    n = N_PARAMS["dihedrals"][f]
    params = _params(ln, rest, n, "dihedraltypes", f)
    if params is None:
        raise ln.error(f"[ dihedraltypes ] function {f} needs {n} parameters")
    table = top.dihedraltypes.setdefault(DIHEDRAL_TABLE[f], [])
    key = (DIHEDRAL_TABLE[f], types)
    if f == 9 and last == key:  # adjacent type-9 lines with the same types: several terms
        table[-1][2].append(params)
        return key
    for entry in table:
        if entry[0] == types:
            if f == 9 and entry[1] == 9:
                raise ln.error(f"second block of type-9 parameters for dihedral types {' '.join(types)} (first at "
                               f"line {entry[3].number}); the terms of one dihedral must be on adjacent lines")
            entry[1], entry[2], entry[3] = f, [params], ln  # a redefinition overrides, as in grompp
            return key
    table.append([types, f, [params], ln])
    return key


def _parse_atom(top, mol, ln, tok):
    if len(tok) < 5:
        raise ln.error(f"[ atoms ] line needs nr type resnr residue atom [cgnr charge mass]; got {ln.text!r}")
    nr = _int(ln, tok[0], "atom number")
    if nr != len(mol.atoms) + 1:
        raise ln.error(f"atom number {nr} out of order in molecule {mol.name!r}; expected {len(mol.atoms) + 1}")
    if tok[1] not in top.atomtypes:
        raise ln.error(f"unknown atom type {tok[1]!r} in molecule {mol.name!r}; define it in [ atomtypes ]")
    at = top.atomtypes[tok[1]]
    if at.ptype != "A":
        raise ln.error(f"atom type {tok[1]!r} is a virtual site (ptype {at.ptype}); virtual sites are not supported")
    resnr = _int(ln, tok[2], "residue number") if tok[2].lstrip("-").isdigit() else tok[2]
    charge = _floats(ln, tok[6:7], "charge")[0] if len(tok) > 6 else at.charge
    mass = _floats(ln, tok[7:8], "mass")[0] if len(tok) > 7 else at.mass
    if not mass > 0:
        raise ln.error(f"atom {tok[4]!r} has mass {mass!r}; allowed: > 0 amu")
    mol.atoms.append({"type": tok[1], "resnr": resnr, "residue": tok[3], "name": tok[4], "charge": charge,
                      "mass": mass, "line": ln})


# ---------------------------------------------------------------------------------------------- parameter lookup
def _bonded_types(top, mol, idx):
    return tuple(top.atomtypes[mol.atoms[i]["type"]].bonded_type for i in idx)


def _lookup(top, table, func, types, ln, section):
    entry = table.get((func,) + types)
    if entry is None:
        raise ln.error(f"no {section[:-1]}type for function {func} and atom types {' '.join(types)}; add it to "
                       f"[ {section[:-1]}types ] or give the parameters on the line")
    return entry[0]


def _match_dihedral(top, kind, types, ln):
    """grompp's rule: the first type with the most non-wildcard matches, forwards or backwards."""
    best, best_n = None, -1
    for entry in top.dihedraltypes.get(kind, []):
        for cand in (entry[0], entry[0][::-1]):
            if all(c == "X" or c == t for c, t in zip(cand, types)):
                n = sum(c != "X" for c in cand)
                if n > best_n:
                    best, best_n = entry, n
        if best_n == 4:
            break
    if best is None:
        raise ln.error(f"no dihedraltype for atom types {' '.join(types)} ({kind}); add it to [ dihedraltypes ] "
                       "or give the parameters on the line")
    return best


def _lj_pair(top, a, b):
    """Normal (sigma, epsilon) or (C6, C12) of atom types ``a``, ``b`` from the combination rule."""
    ta, tb = top.atomtypes[a], top.atomtypes[b]
    if top.comb_rule == 2:
        return 0.5 * (ta.v + tb.v), math.sqrt(ta.w * tb.w)
    return math.sqrt(ta.v * tb.v), math.sqrt(ta.w * tb.w)


def _to_sigma_eps(top, v, w):
    if top.comb_rule == 1:
        s, e = lj_from_c6_c12(v, w)
        return float(s), float(e)
    return v, w


# ---------------------------------------------------------------------------------------------- molecule templates
@dataclasses.dataclass
class _Template:
    n: int
    bonded: BondedTables
    graph: np.ndarray
    exclusions: np.ndarray
    pairs14: np.ndarray
    sigma14: np.ndarray
    epsilon14: np.ndarray
    constraint_pairs: np.ndarray
    constraint_lengths: np.ndarray
    settles: np.ndarray
    settle_geom: np.ndarray


def _atom_indices(ln, tok, n_atoms, mol, section):
    if len(tok) < n_atoms + 1:
        raise ln.error(f"[ {section} ] line needs {n_atoms} atom numbers and a function type; got {ln.text!r}")
    idx = [_int(ln, t, "atom number") - 1 for t in tok[:n_atoms]]
    for i in idx:
        if not 0 <= i < len(mol.atoms):
            raise ln.error(f"atom number {i + 1} is outside molecule {mol.name!r} (1..{len(mol.atoms)})")
    if len(set(idx)) != len(idx):
        raise ln.error(f"[ {section} ] line repeats an atom: {' '.join(tok[:n_atoms])}")
    return idx


def _template(top, mol):
    L = {}  # python lists per BondedTables field
    add = lambda key, *vals: [L.setdefault(k, []).append(v) for k, v in zip(key.split(), vals)]  # noqa: E731
    graph, cons, cons_len, pairs, sig14, eps14, settles, geom, excl = [], [], [], [], [], [], [], [], set()

    for ln, tok in mol.sections["bonds"]:
        i, j = _atom_indices(ln, tok, 2, mol, "bonds")
        f = _func(ln, tok[2], "bonds", N_PARAMS["bonds"])
        p = _params(ln, tok[3:], N_PARAMS["bonds"][f], "bonds", f)
        if p is None and f != 5:
            p = _lookup(top, top.bondtypes, f, _bonded_types(top, mol, (i, j)), ln, "bonds")
        if f in CHEMICAL_BONDS:
            graph.append((i, j))
        if f in (1, 6):
            add("bond_idx bond_r0 bond_k", (i, j), p[0], p[1])
        elif f == 3:
            add("morse_idx morse_r0 morse_D morse_a", (i, j), p[0], p[1], p[2])

    for ln, tok in mol.sections["constraints"]:
        i, j = _atom_indices(ln, tok, 2, mol, "constraints")
        f = _func(ln, tok[2], "constraints", N_PARAMS["constraints"])
        p = _params(ln, tok[3:], 1, "constraints", f)
        if p is None:
            p = _lookup(top, top.constrainttypes, f, _bonded_types(top, mol, (i, j)), ln, "constraints")
        if f == 1:
            graph.append((i, j))
        cons.append((i, j))
        cons_len.append(p[0])

    for ln, tok in mol.sections["settles"]:
        if len(tok) != 4:
            raise ln.error(f"[ settles ] line needs OW funct doh dhh; got {ln.text!r}")
        o = _int(ln, tok[0], "settle oxygen") - 1
        _func(ln, tok[1], "settles", (1,))
        if not 0 <= o <= len(mol.atoms) - 3:
            raise ln.error(f"settle oxygen {o + 1} needs atoms {o + 1}..{o + 3} in molecule {mol.name!r} "
                           f"(1..{len(mol.atoms)})")
        doh, dhh = _floats(ln, tok[2:], "[ settles ] distances")
        if not (doh > 0 and 0 < dhh < 2 * doh):
            raise ln.error(f"settle distances doh={doh}, dhh={dhh}; allowed: doh > 0, 0 < dhh < 2 doh")
        settles.append((o, o + 1, o + 2))
        geom.append((doh, dhh))
        graph += [(o, o + 1), (o, o + 2)]

    for ln, tok in mol.sections["angles"]:
        i, j, k = _atom_indices(ln, tok, 3, mol, "angles")
        f = _func(ln, tok[3], "angles", N_PARAMS["angles"])
        p = _params(ln, tok[4:], N_PARAMS["angles"][f], "angles", f)
        if p is None:
            p = _lookup(top, top.angletypes, f, _bonded_types(top, mol, (i, j, k)), ln, "angles")
        if not 0 <= p[0] <= 180:
            raise ln.error(f"angle theta0={p[0]} deg is out of range; allowed: [0, 180]")
        if f == 1:
            add("angle_idx angle_theta0 angle_k", (i, j, k), p[0] * DEG, p[1])
        else:
            add("ub_idx ub_theta0 ub_k ub_rub ub_kub", (i, j, k), p[0] * DEG, p[1], p[2], p[3])

    for ln, tok in mol.sections["dihedrals"]:
        idx = _atom_indices(ln, tok, 4, mol, "dihedrals")
        f = _func(ln, tok[4], "dihedrals", N_PARAMS["dihedrals"])
        rest = tok[5:]
        n = N_PARAMS["dihedrals"][f]
        p = _params(ln, rest, n, "dihedrals", f)
        terms = [p] if p is not None else None
        if terms is None:
            entry = _match_dihedral(top, DIHEDRAL_TABLE[f], _bonded_types(top, mol, idx), ln)
            terms = entry[2] if f == 9 else entry[2][:1]
        idx = tuple(idx)
        for p in terms:
            if f in (1, 9, 4):
                mult = p[2]
                if mult != round(mult) or not 0 <= mult <= 6:
                    raise ln.error(f"dihedral multiplicity {mult} is not supported; allowed: integers 0..6")
                key = "improper" if f == 4 else "torsion"
                add(f"{key}_idx {key}_phi0 {key}_k {key}_n", idx, p[0] * DEG, p[1], int(round(mult)))
            elif f == 2:
                add("himproper_idx himproper_xi0 himproper_k", idx, p[0] * DEG, p[1])
            elif f == 3:
                add("rb_idx rb_c", idx, list(p))
            else:  # Fourier -> Ryckaert-Bellemans (GROMACS manual, eq. for dihedral type 5)
                f1, f2, f3, f4 = p
                add("rb_idx rb_c", idx, [f2 + 0.5 * (f1 + f3), 0.5 * (-f1 + 3 * f3), -f2 + 4 * f4, -2 * f3, -4 * f4,
                                         0.0])

    for ln, tok in mol.sections["exclusions"]:
        idx = [_int(ln, t, "atom number") - 1 for t in tok]
        for i in idx:
            if not 0 <= i < len(mol.atoms):
                raise ln.error(f"atom number {i + 1} is outside molecule {mol.name!r} (1..{len(mol.atoms)})")
        excl.update((min(idx[0], j), max(idx[0], j)) for j in idx[1:] if j != idx[0])

    gen = exclusions_within(len(mol.atoms), graph, mol.nrexcl)
    excl.update(map(tuple, gen.tolist()))

    pair_set = {}
    for ln, tok in mol.sections["pairs"]:
        i, j = _atom_indices(ln, tok, 2, mol, "pairs")
        f = _func(ln, tok[2], "pairs", N_PARAMS["pairs"])
        p = _params(ln, tok[3:], 2, "pairs", f)
        ta, tb = mol.atoms[i]["type"], mol.atoms[j]["type"]
        if p is not None:
            s, e = _to_sigma_eps(top, *p)
        elif (ta, tb) in top.pairtypes:
            s, e = _to_sigma_eps(top, *top.pairtypes[(ta, tb)][0])
        elif top.gen_pairs:
            v, w = _lj_pair(top, ta, tb)
            if top.comb_rule == 1:
                s, e = _to_sigma_eps(top, v, w)
            else:
                s, e = v, w
            e *= top.fudge_lj
        else:
            raise ln.error(f"no pairtype for atom types {ta} {tb} and gen-pairs is no; add it to [ pairtypes ] or "
                           "give the parameters on the line")
        key = (min(i, j), max(i, j))
        if key not in excl:
            raise ln.error(f"pair {i + 1} {j + 1} is not excluded by nrexcl={mol.nrexcl} or [ exclusions ]: its "
                           "normal nonbonded interaction would be added to the 1-4 one, which is not supported")
        pair_set[key] = (s, e)
    pairs = sorted(pair_set)
    sig14 = [pair_set[k][0] for k in pairs]
    eps14 = [pair_set[k][1] for k in pairs]
    ex = sorted(excl - set(pairs))
    return _Template(len(mol.atoms), BondedTables.from_lists(L), np.array(graph, dtype=np.int64).reshape(-1, 2),
                     np.array(ex, dtype=np.int64).reshape(-1, 2), np.array(pairs, dtype=np.int64).reshape(-1, 2),
                     np.array(sig14, dtype=np.float64), np.array(eps14, dtype=np.float64),
                     np.array(cons, dtype=np.int64).reshape(-1, 2), np.array(cons_len, dtype=np.float64),
                     np.array(settles, dtype=np.int64).reshape(-1, 3), np.array(geom, dtype=np.float64).reshape(-1, 2))


def _element(at, name, mass):
    if at.atomic_number > 0:
        return ELEMENTS.get(at.atomic_number, name[:1].upper())
    if name[:1].upper() == "H":  # grompp's rule for h-bonds constraints: the atom name starts with H
        return "H"
    letters = "".join(c for c in name if c.isalpha())
    return letters[:1].upper() or "X"


def topology_tables(top):
    """Expand a parsed :class:`GromacsTopology` over ``[ molecules ]`` into a :class:`ForceFieldTopology`
    (without coordinates): per-atom arrays, type-pair LJ matrices, bonded tables with global indices,
    exclusions and 1-4 pairs.

    Examples
    --------
    >>> tables = topology_tables(read_top("topol.top"))   # doctest: +SKIP
    >>> tables.exclusions.shape, tables.pairs14.shape      # doctest: +SKIP
    """
    if not top.molecules:
        raise TopologyError("the topology has no [ molecules ] entries", top.path)
    templates = {}
    names, resn, resid, elements, charges, masses, atypes, molid = [], [], [], [], [], [], [], []
    parts, offsets = [], []
    res_offset, mol_index, start = 0, 0, 0
    for name, count, _ in top.molecules:
        mol = top.moleculetypes[name]
        if count == 0:
            continue
        if name not in templates:
            templates[name] = _template(top, mol)
        t = templates[name]
        res_keys = list(dict.fromkeys(a["resnr"] for a in mol.atoms))
        local_res = [res_keys.index(a["resnr"]) for a in mol.atoms]
        n_res = len(res_keys)
        el = [_element(top.atomtypes[a["type"]], a["name"], a["mass"]) for a in mol.atoms]
        for _ in range(count):
            names += [a["name"] for a in mol.atoms]
            resn += [a["residue"] for a in mol.atoms]
            resid += [res_offset + r for r in local_res]
            elements += el
            charges += [a["charge"] for a in mol.atoms]
            masses += [a["mass"] for a in mol.atoms]
            atypes += [a["type"] for a in mol.atoms]
            molid += [mol_index] * t.n
            res_offset += n_res
            mol_index += 1
        parts += [t] * count
        offsets += list(start + t.n * np.arange(count))
        start += t.n * count
    type_names = list(dict.fromkeys(atypes))
    tindex = {n: i for i, n in enumerate(type_names)}
    sig, eps = _type_matrices(top, type_names)
    cat = lambda attr: np.concatenate([getattr(p, attr) + o for p, o in zip(parts, offsets)])  # noqa: E731
    cat0 = lambda attr: np.concatenate([getattr(p, attr) for p in parts])  # noqa: E731
    geom = cat0("settle_geom")
    return ForceFieldTopology(
        names=names, residue_names=resn, elements=elements, residue_ids=np.array(resid, dtype=np.int64),
        molecule_ids=np.array(molid, dtype=np.int64), charges=np.array(charges), masses=np.array(masses),
        types=np.array([tindex[a] for a in atypes], dtype=np.int64), type_names=type_names, lj_sigma=sig,
        lj_epsilon=eps, bonded=BondedTables.concatenate([p.bonded for p in parts], offsets),
        graph_bonds=cat("graph"), exclusions=cat("exclusions"), pairs14=cat("pairs14"), sigma14=cat0("sigma14"),
        epsilon14=cat0("epsilon14"), qscale14=np.full(sum(len(p.pairs14) for p in parts), top.fudge_qq),
        constraint_pairs=cat("constraint_pairs"), constraint_lengths=cat0("constraint_lengths"),
        settles=cat("settles"), settle_doh=geom[:, 0], settle_dhh=geom[:, 1], title=top.system_name,
        molecules=[(n, c) for n, c, _ in top.molecules], source=top.path)


def _type_matrices(top, type_names):
    t = len(type_names)
    v = np.zeros((t, t))
    w = np.zeros((t, t))
    for a, na in enumerate(type_names):
        for b, nb in enumerate(type_names):
            if (na, nb) in top.nonbond_params:
                v[a, b], w[a, b] = top.nonbond_params[(na, nb)][0]
            else:
                v[a, b], w[a, b] = _lj_pair(top, na, nb)
    if top.comb_rule == 1:
        try:
            return lj_from_c6_c12(v, w)
        except InputError as exc:
            raise TopologyError(f"atom types {type_names}: {exc}", top.path) from None
    return v, w


# ---------------------------------------------------------------------------------------------- the model
def load_gromacs(top, gro=None, nonbonded="pme", cutoff=1.0, ewald_tolerance=5e-4, constraints="h-bonds",
                 lj_mode="truncated", dispersion_correction=False, epsilon_rf=78.5, neutralize=False, defines=None,
                 include_dirs=()):
    """Read a GROMACS topology and its coordinates into a System, its Forces and its constraints.

    Lennard-Jones uses the type-pair parameters from ``[ atomtypes ]`` with the ``[ defaults ]``
    combination rule (or ``[ nonbond_params ]``), excluded pairs (``nrexcl`` bonds along the bond graph
    plus ``[ exclusions ]``) are removed exactly, and ``[ pairs ]`` interact with their 1-4 parameters
    (``[ pairtypes ]``, or generated with ``fudgeLJ`` when ``gen-pairs = yes``) and ``fudgeQQ``-scaled
    charges, all through :class:`~molecular.forces.bonded.LJExceptions` and the electrostatics' own
    exclusion machinery.

    Parameters
    ----------
    top : str or os.PathLike
        ``.top`` file.
    gro : str or os.PathLike, optional
        ``.gro`` coordinates (positions, velocities, box); its atom count must match ``[ molecules ]``.
        Without it only :attr:`ForceFieldModel.topology` can be used (``load_gromacs`` raises).
    nonbonded : {"pme", "ewald", "reaction-field", "cutoff"}
        Electrostatics (``"pme"`` and ``"ewald"`` need a periodic box).
    cutoff : float
        Real-space / Lennard-Jones cutoff, nm.
    ewald_tolerance : float
        Relative accuracy of Ewald/PME (chooses the splitting parameter and grid as OpenMM), (0, 0.5).
    constraints : {None, "h-bonds", "all-bonds"}
        Bonds (harmonic or Morse) turned into SHAKE/RATTLE constraints and removed from the bond force;
        ``[ constraints ]`` and ``[ settles ]`` (SETTLE) of the file always apply.
    lj_mode : {"truncated", "shifted"}
        Lennard-Jones cutoff treatment (GROMACS' default ``vdw-modifier = Potential-shift`` is "shifted").
    dispersion_correction : bool
        Analytic long-range LJ energy and pressure (``DispCorr = EnerPres``).
    epsilon_rf : float
        Reaction-field dielectric.
    neutralize : bool
        Allow a net charge with Ewald/PME (uniform neutralising background).
    defines : dict or iterable of str, optional
        Preprocessor macros (``-DFLEXIBLE``, ``-DPOSRES``).
    include_dirs : sequence of str
        Extra ``#include`` folders (``$GMXLIB`` is searched too).

    Returns
    -------
    ForceFieldModel
        ``.system``, ``.forces``, ``.constraints``, ``.topology``.

    Raises
    ------
    TopologyError
        Naming the file and line of malformed or unsupported directives and lines, missing parameters,
        unknown atom types, or a .gro whose atom count differs from ``[ molecules ]``.

    Examples
    --------
    >>> _ = open("ar.top", "w").write('''[ defaults ]
    ... 1 2 no 1.0 1.0
    ... [ atomtypes ]
    ... Ar 39.948 0.0 A 0.3405 0.99774
    ... [ moleculetype ]
    ... AR 1
    ... [ atoms ]
    ... 1 Ar 1 AR Ar 1 0.0
    ... [ system ]
    ... argon pair
    ... [ molecules ]
    ... AR 2
    ... ''')
    >>> _ = open("ar.gro", "w").write("argon\\n2\\n    1AR      Ar    1   0.000   0.000   0.000\\n"
    ...                               "    2AR      Ar    2   0.400   0.000   0.000\\n   3.0 3.0 3.0\\n")
    >>> model = load_gromacs("ar.top", "ar.gro", nonbonded="cutoff", cutoff=1.2)
    >>> round(model.forcefield().compute(model.system).energy, 6)   # 4 eps ((s/r)^12 - (s/r)^6)
    -0.940738
    """
    check_options(nonbonded, cutoff, ewald_tolerance, constraints, lj_mode)
    if gro is None:
        raise InputError("gro is None; allowed: a .gro file with the coordinates of the topology")
    parsed = read_top(top, defines, include_dirs)
    tables = topology_tables(parsed)
    frame = read_gro(gro)
    if len(frame.positions) != tables.n_atoms:
        ln = parsed.molecules[-1][2]
        raise TopologyError(f"[ molecules ] gives {tables.n_atoms} atoms "
                            f"({', '.join(f'{n} x{c}' for n, c, _ in parsed.molecules)}) but {os.fspath(gro)} has "
                            f"{len(frame.positions)}", ln.path, ln.number)
    tables.positions = frame.positions
    tables.velocities = frame.velocities
    tables.box = frame.box
    return build_model(tables, nonbonded=nonbonded, cutoff=cutoff, ewald_tolerance=ewald_tolerance,
                       constraints=constraints, rigid_water=True, lj_mode=lj_mode,
                       dispersion_correction=dispersion_correction, epsilon_rf=epsilon_rf, neutralize=neutralize)
