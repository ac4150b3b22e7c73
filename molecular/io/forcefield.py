"""Force-field files to models: the parameter tables shared by the GROMACS and AMBER readers and the
builder that turns them into a System, its Forces and its constraints."""

import dataclasses
import math
import os

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.forces.base import ForceField
from molecular.forces.bonded import (
    HarmonicAngle,
    HarmonicBond,
    HarmonicImproper,
    LJExceptions,
    MorseBond,
    PeriodicTorsion,
    RBTorsion,
    UreyBradleyAngle,
)
from molecular.forces.coulomb import CutoffCoulomb, ReactionField
from molecular.forces.ewald import Ewald
from molecular.forces.pair import LennardJones
from molecular.forces.pme import PME
from molecular.integrators.constraints import Settle, ShakeRattle
from molecular.system import System
from molecular.topology import Topology

NONBONDED = ("cutoff", "reaction-field", "ewald", "pme")
CONSTRAINTS = (None, "h-bonds", "all-bonds")
#: sigma (nm) stored for type pairs with epsilon = 0 (their energy is zero whatever sigma is)
PLACEHOLDER_SIGMA = 0.1


class TopologyError(InputError):
    """A force-field file is malformed, unsupported or incomplete; ``path`` and ``line`` locate it.

    Attributes
    ----------
    path : str or None
    line : int or None
        1-based line number in ``path``.
    """

    def __init__(self, message, path=None, line=None):
        self.path = None if path is None else os.fspath(path)
        self.line = line
        where = "" if path is None else (f"{self.path}:{line}: " if line is not None else f"{self.path}: ")
        super().__init__(where + message)


def lj_from_c6_c12(c6, c12):
    """``(sigma, epsilon)`` (nm, kJ/mol) of ``C12/r^12 - C6/r^6``; ``(PLACEHOLDER_SIGMA, 0)`` when both vanish.

    Raises :class:`InputError` for a purely repulsive (``C6 = 0 < C12``) or negative pair, which the
    sigma/epsilon form cannot express.
    """
    c6 = np.asarray(c6, dtype=np.float64)
    c12 = np.asarray(c12, dtype=np.float64)
    zero = (c6 == 0) & (c12 == 0)
    bad = ~zero & ~((c6 > 0) & (c12 > 0))
    if np.any(bad):
        k = np.argwhere(bad)[0]
        raise InputError(f"Lennard-Jones C6={float(c6[tuple(k)])!r}, C12={float(c12[tuple(k)])!r}: only C6 > 0 and "
                         "C12 > 0 (or both 0) can be written as sigma/epsilon")
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.where(zero, PLACEHOLDER_SIGMA, (c12 / np.where(zero, 1.0, c6)) ** (1.0 / 6.0))
        eps = np.where(zero, 0.0, c6 * c6 / (4.0 * np.where(zero, 1.0, c12)))
    return sigma, eps


@dataclasses.dataclass
class BondedTables:
    """Bonded terms of a whole system as arrays (0-based atom indices, GROMACS/OpenMM units).

    Every ``*_idx`` array is ``(M, width)`` int64 with the per-term parameters of the same length:
    harmonic bonds ``k`` (kJ/mol/nm^2) and ``r0`` (nm); Morse ``D`` (kJ/mol), ``a`` (1/nm), ``r0``;
    angles ``k`` (kJ/mol/rad^2), ``theta0`` (rad) and Urey-Bradley ``k_ub`` (kJ/mol/nm^2), ``r_ub`` (nm);
    periodic torsions and periodic impropers ``k`` (kJ/mol), ``n``, ``phi0`` (rad); Ryckaert-Bellemans
    ``c`` (M, 6) kJ/mol; harmonic impropers ``k`` (kJ/mol/rad^2), ``xi0`` (rad).
    """

    bond_idx: np.ndarray
    bond_k: np.ndarray
    bond_r0: np.ndarray
    morse_idx: np.ndarray
    morse_D: np.ndarray
    morse_a: np.ndarray
    morse_r0: np.ndarray
    angle_idx: np.ndarray
    angle_k: np.ndarray
    angle_theta0: np.ndarray
    ub_idx: np.ndarray
    ub_k: np.ndarray
    ub_theta0: np.ndarray
    ub_kub: np.ndarray
    ub_rub: np.ndarray
    torsion_idx: np.ndarray
    torsion_k: np.ndarray
    torsion_n: np.ndarray
    torsion_phi0: np.ndarray
    improper_idx: np.ndarray
    improper_k: np.ndarray
    improper_n: np.ndarray
    improper_phi0: np.ndarray
    rb_idx: np.ndarray
    rb_c: np.ndarray
    himproper_idx: np.ndarray
    himproper_k: np.ndarray
    himproper_xi0: np.ndarray

    @classmethod
    def from_lists(cls, lists):
        """Build from a dict of python lists keyed like the fields (missing keys: empty)."""
        widths = {"bond": 2, "morse": 2, "angle": 3, "ub": 3, "torsion": 4, "improper": 4, "rb": 4, "himproper": 4}
        out = {}
        for f in dataclasses.fields(cls):
            v = lists.get(f.name, [])
            prefix = f.name.split("_")[0]
            if f.name.endswith("_idx"):
                out[f.name] = np.asarray(v, dtype=np.int64).reshape(-1, widths[prefix])
            elif f.name == "rb_c":
                out[f.name] = np.asarray(v, dtype=np.float64).reshape(-1, 6)
            elif f.name.endswith("_n"):
                out[f.name] = np.asarray(v, dtype=np.int64)
            else:
                out[f.name] = np.asarray(v, dtype=np.float64)
        return cls(**out)

    @classmethod
    def concatenate(cls, parts, offsets):
        """Join per-molecule tables, shifting atom indices by ``offsets``."""
        out = {}
        for f in dataclasses.fields(cls):
            arrs = [getattr(p, f.name) + (o if f.name.endswith("_idx") else 0) for p, o in zip(parts, offsets)]
            if arrs:
                out[f.name] = np.concatenate(arrs)
            else:
                out[f.name] = getattr(cls.from_lists({}), f.name)
        return cls(**out)


@dataclasses.dataclass
class ForceFieldTopology:
    """Everything a force-field file defines about a system, in GROMACS/OpenMM units, before any choice
    of electrostatics or constraints (see :func:`build_model`).

    Attributes
    ----------
    names, residue_names, elements : list of str, length N
    residue_ids, molecule_ids : ndarray (N,) int
    charges : ndarray (N,), e
    masses : ndarray (N,), amu
    types : ndarray (N,) int
        Lennard-Jones type of each atom (index into ``type_names``).
    type_names : list of str
    lj_sigma, lj_epsilon : ndarray (T, T)
        Type-pair Lennard-Jones parameters, nm and kJ/mol (mixing and overrides applied).
    bonded : BondedTables
    graph_bonds : ndarray (G, 2) int
        Chemical bonds (incl. connections and constrained bonds) for hydrogen-bond constraints.
    exclusions : ndarray (E, 2) int
        Pairs without nonbonded interaction (1-4 pairs not included).
    pairs14 : ndarray (P, 2) int
        Pairs interacting with the 1-4 parameters below instead of the normal ones.
    sigma14, epsilon14 : ndarray (P,)
        1-4 Lennard-Jones parameters, nm and kJ/mol (scale factors applied).
    qscale14 : ndarray (P,)
        Coulomb scale of each 1-4 pair.
    constraint_pairs : ndarray (C, 2) int; constraint_lengths : ndarray (C,), nm
        Constraints the file imposes (GROMACS ``[ constraints ]``).
    settles : ndarray (W, 3) int; settle_doh, settle_dhh : ndarray (W,), nm
        Rigid waters (O, H1, H2) the file imposes (GROMACS ``[ settles ]``).
    waters : ndarray (W', 3) int
        Three-site waters (O, H1, H2) that ``rigid_water`` may make rigid (AMBER).
    positions, velocities : ndarray (N, 3) or None, nm and nm/ps
    box : ndarray (3, 3) or None, nm
    title : str
    molecules : list of (name, count)
    source : str
        File the topology came from.
    """

    names: list
    residue_names: list
    elements: list
    residue_ids: np.ndarray
    molecule_ids: np.ndarray
    charges: np.ndarray
    masses: np.ndarray
    types: np.ndarray
    type_names: list
    lj_sigma: np.ndarray
    lj_epsilon: np.ndarray
    bonded: BondedTables
    graph_bonds: np.ndarray
    exclusions: np.ndarray
    pairs14: np.ndarray
    sigma14: np.ndarray
    epsilon14: np.ndarray
    qscale14: np.ndarray
    constraint_pairs: np.ndarray
    constraint_lengths: np.ndarray
    settles: np.ndarray
    settle_doh: np.ndarray
    settle_dhh: np.ndarray
    waters: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 3), dtype=np.int64))
    positions: np.ndarray | None = None
    velocities: np.ndarray | None = None
    box: np.ndarray | None = None
    title: str = ""
    molecules: list = dataclasses.field(default_factory=list)
    source: str = ""

    @property
    def n_atoms(self):
        return len(self.names)


@dataclasses.dataclass
class ForceFieldModel:
    """A molecular system read from force-field files: state, force terms and constraints.

    Attributes
    ----------
    system : System
        Positions, velocities, masses, charges, LJ types, box and topology (names, residues, molecules).
    forces : list of Force
        Bonded terms, Lennard-Jones with its exclusions/1-4 pairs (``LJExceptions``) and the chosen
        electrostatics; sum them with :meth:`forcefield`.
    constraints : list of ShakeRattle or Settle
        For :class:`~molecular.integrators.constraints.ConstrainedVelocityVerlet` (empty: none).
    topology : ForceFieldTopology
        The parsed parameter tables (bonds, angles, exclusions, 1-4 pairs, ...).

    Examples
    --------
    >>> from molecular.io import load_gromacs                       # doctest: +SKIP
    >>> model = load_gromacs("topol.top", "conf.gro", cutoff=1.0)   # doctest: +SKIP
    >>> model.forcefield().compute(model.system).terms              # doctest: +SKIP
    """

    system: System
    forces: list
    constraints: list
    topology: ForceFieldTopology

    @property
    def n_constraints(self):
        """Number of distance constraints (each removes one degree of freedom)."""
        return sum(c.n_constraints for c in self.constraints)

    def forcefield(self, skin=0.3):
        """A :class:`~molecular.forces.base.ForceField` summing :attr:`forces` (neighbour-list skin in nm)."""
        return ForceField(self.forces, skin=skin)

    def force(self, name):
        """The force whose ``name`` is ``name`` (``"HarmonicBond"``, ``"LennardJones"``, ``"Coulomb"``, ...)."""
        for f in self.forces:
            if f.name == name:
                return f
        raise InputError(f"name={name!r} is not a force of this model; allowed: {[f.name for f in self.forces]}")


def check_options(nonbonded="pme", cutoff=1.0, ewald_tolerance=5e-4, constraints="h-bonds", lj_mode="truncated",
                  box=False):
    """Validate the model options of ``load_gromacs`` / ``load_amber`` (``box=None``: no periodic box)."""
    if nonbonded not in NONBONDED:
        raise InputError(f"nonbonded={nonbonded!r}; allowed: {', '.join(repr(n) for n in NONBONDED)}")
    check_range("cutoff", float(cutoff), 0.0, None, low_open=True)
    check_range("ewald_tolerance", float(ewald_tolerance), 0.0, 0.5, low_open=True, high_open=True)
    if constraints not in CONSTRAINTS:
        raise InputError(f"constraints={constraints!r}; allowed: None, 'h-bonds', 'all-bonds'")
    if lj_mode not in ("truncated", "shifted"):
        raise InputError(f"lj_mode={lj_mode!r}; allowed: 'truncated', 'shifted'")
    if nonbonded in ("ewald", "pme") and box is None:
        raise InputError(f"nonbonded={nonbonded!r} needs a periodic box, but the coordinates have none; "
                         "allowed without a box: 'cutoff', 'reaction-field'")


def build_model(top, nonbonded="pme", cutoff=1.0, ewald_tolerance=5e-4, constraints="h-bonds", rigid_water=True,
                lj_mode="truncated", dispersion_correction=False, epsilon_rf=78.5, neutralize=False,
                pme_order=5):
    """Turn a :class:`ForceFieldTopology` (with coordinates) into a :class:`ForceFieldModel`.

    Forces: ``HarmonicBond``, ``MorseBond``, ``HarmonicAngle``, ``UreyBradleyAngle``, ``PeriodicTorsion``,
    ``PeriodicImproper``, ``RBTorsion``, ``HarmonicImproper`` (those with terms), ``LennardJones``, ``LJ14``
    (:class:`~molecular.forces.bonded.LJExceptions`: exclusions removed, 1-4 pairs with their own
    parameters) and ``Coulomb`` (the chosen electrostatics with the same exclusions and 1-4 scales;
    omitted when every charge is zero). Bonds turned into constraints, and the bonds and angle inside
    rigid waters, leave the bonded forces. Parameters: see
    :func:`molecular.io.gromacs.load_gromacs` (``pme_order``: B-spline order 4..6).

    Examples
    --------
    >>> model = build_model(tables, nonbonded="reaction-field", cutoff=1.2)   # doctest: +SKIP
    """
    box = top.box
    check_options(nonbonded, cutoff, ewald_tolerance, constraints, lj_mode, box)
    if top.positions is None:
        raise InputError(f"{top.source}: the topology has no coordinates; give a coordinate file")
    n = top.n_atoms
    topo = Topology(n, names=top.names, elements=top.elements, residue_names=top.residue_names,
                    residue_ids=top.residue_ids, molecule_ids=top.molecule_ids)
    system = System(top.positions, masses=top.masses, box=box, velocities=top.velocities, types=top.types,
                    charges=top.charges, topology=topo, type_names=top.type_names)
    b = top.bonded

    # ---- constraints: file-imposed ones, rigid waters, then bonds turned into constraints
    cons = []
    settle_groups = {}
    for w, doh, dhh in zip(top.settles.tolist(), top.settle_doh.tolist(), top.settle_dhh.tolist()):
        settle_groups.setdefault((doh, dhh), []).append(w)
    water_of = {}  # atom -> its rigid water (bonds and angles inside it become redundant)
    waters = top.waters.tolist() if rigid_water else []
    for w, (doh, dhh) in zip(waters, _water_geometry(top, waters)):
        settle_groups.setdefault((doh, dhh), []).append(w)
        for a in w:
            water_of[a] = frozenset(w)
    for (doh, dhh), ws in settle_groups.items():
        cons.append(Settle(np.array(ws, dtype=np.int64), doh, dhh))
    c_pairs = [tuple(p) for p in top.constraint_pairs.tolist()]
    c_len = list(top.constraint_lengths.tolist())
    is_h = np.array([e == "H" for e in top.elements])
    keep_bond = np.ones(len(b.bond_idx), dtype=bool)
    keep_morse = np.ones(len(b.morse_idx), dtype=bool)
    for arr, r0, keep in ((b.bond_idx, b.bond_r0, keep_bond), (b.morse_idx, b.morse_r0, keep_morse)):
        for t, (i, j) in enumerate(arr.tolist()):
            if i in water_of and j in water_of[i]:
                keep[t] = False
            elif constraints == "all-bonds" or (constraints == "h-bonds" and (is_h[i] or is_h[j])):
                keep[t] = False
                c_pairs.append((i, j))
                c_len.append(float(r0[t]))
    if c_pairs:
        cons.append(ShakeRattle(np.array(c_pairs, dtype=np.int64), np.array(c_len)))
    keep_angle = np.ones(len(b.angle_idx), dtype=bool)
    if water_of:
        for t, a in enumerate(b.angle_idx.tolist()):
            if a[0] in water_of and frozenset(a) == water_of[a[0]]:
                keep_angle[t] = False

    # ---- bonded forces
    forces = []
    if keep_bond.any():
        forces.append(HarmonicBond(b.bond_idx[keep_bond], b.bond_k[keep_bond], b.bond_r0[keep_bond],
                                   name="HarmonicBond"))
    if keep_morse.any():
        forces.append(MorseBond(b.morse_idx[keep_morse], b.morse_D[keep_morse], b.morse_a[keep_morse],
                                b.morse_r0[keep_morse], name="MorseBond"))
    if keep_angle.any():
        forces.append(HarmonicAngle(b.angle_idx[keep_angle], b.angle_k[keep_angle], b.angle_theta0[keep_angle],
                                    name="HarmonicAngle"))
    if len(b.ub_idx):
        forces.append(UreyBradleyAngle(b.ub_idx, b.ub_k, b.ub_theta0, b.ub_kub, b.ub_rub, name="UreyBradleyAngle"))
    if len(b.torsion_idx):
        forces.append(PeriodicTorsion(b.torsion_idx, b.torsion_k, b.torsion_n, b.torsion_phi0,
                                      name="PeriodicTorsion"))
    if len(b.improper_idx):
        forces.append(PeriodicTorsion(b.improper_idx, b.improper_k, b.improper_n, b.improper_phi0,
                                      name="PeriodicImproper"))
    if len(b.rb_idx):
        forces.append(RBTorsion(b.rb_idx, b.rb_c, name="RBTorsion"))
    if len(b.himproper_idx):
        forces.append(HarmonicImproper(b.himproper_idx, b.himproper_k, b.himproper_xi0, name="HarmonicImproper"))

    # ---- nonbonded: LJ + its exceptions, electrostatics with the same exclusions / 1-4 pairs
    eps = top.lj_epsilon
    sig = np.where(eps > 0, top.lj_sigma, PLACEHOLDER_SIGMA)
    diag_sig = np.diag(sig).copy()
    lj = LennardJones(np.diag(eps).copy(), diag_sig, cutoff=cutoff, mode=lj_mode, pair_epsilon=eps, pair_sigma=sig,
                      tail_correction=dispersion_correction, name="LennardJones")
    forces.append(lj)
    ex, p14 = top.exclusions, top.pairs14
    if len(ex) or len(p14):
        sig14 = np.where(top.epsilon14 > 0, top.sigma14, PLACEHOLDER_SIGMA)
        forces.append(LJExceptions(lj, exclusions=ex, pairs14=p14, scale14=1.0, sigma14=sig14,
                                   epsilon14=top.epsilon14, name="LJ14"))
    qs = top.qscale14
    uniform = len(qs) == 0 or bool(np.all(qs == qs[0]))
    s14 = (float(qs[0]) if len(qs) else 1.0) if uniform else qs  # per-pair: AMBER SCEE per dihedral
    common = dict(exclusions=ex, pairs14=p14, scale14=s14, name="Coulomb")
    if nonbonded == "cutoff":
        coul = CutoffCoulomb(cutoff, **common)
    elif nonbonded == "reaction-field":
        coul = ReactionField(cutoff, epsilon_rf=epsilon_rf, **common)
    elif nonbonded == "ewald":
        coul = Ewald(cutoff, tolerance=ewald_tolerance, neutralize=neutralize, **common)
    else:
        coul = PME(cutoff, tolerance=ewald_tolerance, order=pme_order, neutralize=neutralize, **common)
    if np.any(top.charges != 0):
        forces.append(coul)
    return ForceFieldModel(system, forces, cons, top)


def _water_geometry(top, waters):
    """``(d_oh, d_hh)`` (nm) of each water ``(O, H1, H2)`` from its bond (and H-O-H angle) parameters."""
    b = top.bonded
    length = {frozenset(p): r0 for p, r0 in zip(b.bond_idx.tolist(), b.bond_r0.tolist())}
    angle = {frozenset(a): t0 for a, t0 in zip(b.angle_idx.tolist(), b.angle_theta0.tolist())}
    out = []
    for o, h1, h2 in waters:
        doh = length.get(frozenset((o, h1)))
        dhh = length.get(frozenset((h1, h2)))
        if doh is None:
            raise InputError(f"{top.source}: water atoms {o}, {h1}, {h2} have no O-H bond to make rigid")
        if dhh is None and frozenset((o, h1, h2)) in angle:
            dhh = 2.0 * doh * math.sin(0.5 * angle[frozenset((o, h1, h2))])
        if dhh is None:
            raise InputError(f"{top.source}: water atoms {o}, {h1}, {h2} have neither an H-H bond nor an H-O-H "
                             "angle to make rigid")
        out.append((doh, dhh))
    return out


def exclusions_within(n_atoms, bonds, n_exclude):
    """Pairs ``(i < j)`` at most ``n_exclude`` bonds apart (any ``n_exclude >= 0``), int64 (E, 2)."""
    adj = [[] for _ in range(n_atoms)]
    for i, j in bonds:
        adj[i].append(j)
        adj[j].append(i)
    out = set()
    for s in range(n_atoms):
        seen = {s}
        frontier = [s]
        for _ in range(n_exclude):
            nxt = []
            for a in frontier:
                for c in adj[a]:
                    if c not in seen:
                        seen.add(c)
                        nxt.append(c)
            frontier = nxt
        out.update((s, t) for t in seen if t > s)
    return np.array(sorted(out), dtype=np.int64).reshape(-1, 2)
