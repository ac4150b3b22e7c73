"""Rigid water models: SPC/E, TIP3P and TIP4P-Ew parameters (with the TIP4P virtual site), with citations;
the solvation builder (water boxes, ions) and the matching constraints and force field."""

import dataclasses
import math

import numpy as np

from mindscience.errors import InputError, check_range


@dataclasses.dataclass(frozen=True)
class WaterModel:
    """Parameters of a rigid water model (GROMACS/OpenMM units).

    Attributes
    ----------
    name : str
    d_oh : float
        O-H distance, nm.
    theta_hoh : float
        H-O-H angle, degrees.
    q_o, q_h : float
        Charges of the oxygen (or, for 4-site models, the virtual site M) and of each hydrogen, e.
    sigma_o : float
        Oxygen Lennard-Jones sigma, nm (hydrogens carry none).
    epsilon_o : float
        Oxygen Lennard-Jones epsilon, kJ/mol.
    d_om : float
        O-M distance along the bisector, nm (0 for 3-site models).
    reference : str
    """

    name: str
    d_oh: float
    theta_hoh: float
    q_o: float
    q_h: float
    sigma_o: float
    epsilon_o: float
    d_om: float = 0.0
    reference: str = ""

    @property
    def d_hh(self):
        """H-H distance, nm."""
        return 2.0 * self.d_oh * math.sin(math.radians(self.theta_hoh) / 2.0)

    @property
    def n_sites(self):
        return 4 if self.d_om > 0 else 3

    @property
    def charges(self):
        """Charges of the sites in the order (O, H1, H2[, M]), e; neutral."""
        if self.n_sites == 4:
            return np.array([0.0, self.q_h, self.q_h, self.q_o])
        return np.array([self.q_o, self.q_h, self.q_h])

    @property
    def virtual_site_weight(self):
        """Weight ``a`` of ``M = O + a (H1 - O) + a (H2 - O)`` (OpenMM ThreeParticleAverageSite), 0 for 3 sites."""
        if self.n_sites == 3:
            return 0.0
        return self.d_om / (2.0 * self.d_oh * math.cos(math.radians(self.theta_hoh) / 2.0))

    def geometry(self):
        """Site positions (n_sites, 3), nm, O at the origin, H in the xy plane symmetric about +x."""
        half = math.radians(self.theta_hoh) / 2.0
        h1 = [self.d_oh * math.cos(half), self.d_oh * math.sin(half), 0.0]
        h2 = [self.d_oh * math.cos(half), -self.d_oh * math.sin(half), 0.0]
        x = [[0.0, 0.0, 0.0], h1, h2]
        if self.n_sites == 4:
            x.append([self.d_om, 0.0, 0.0])
        return np.array(x)


SPCE = WaterModel("SPC/E", d_oh=0.1, theta_hoh=109.47, q_o=-0.8476, q_h=0.4238, sigma_o=0.316557,
                  epsilon_o=0.650194,
                  reference="H. J. C. Berendsen, J. R. Grigera, T. P. Straatsma, J. Phys. Chem. 91, 6269 (1987)")
TIP3P = WaterModel("TIP3P", d_oh=0.09572, theta_hoh=104.52, q_o=-0.834, q_h=0.417, sigma_o=0.315061,
                   epsilon_o=0.636386,
                   reference="W. L. Jorgensen, J. Chandrasekhar, J. D. Madura, R. W. Impey, M. L. Klein, "
                             "J. Chem. Phys. 79, 926 (1983)")
TIP4PEW = WaterModel("TIP4P-Ew", d_oh=0.09572, theta_hoh=104.52, q_o=-1.04844, q_h=0.52422, sigma_o=0.316435,
                     epsilon_o=0.680946, d_om=0.0125,
                     reference="H. W. Horn, W. C. Swope, J. W. Pitera, J. D. Madura, T. J. Dick, G. L. Hura, "
                               "T. Head-Gordon, J. Chem. Phys. 120, 9665 (2004)")

MODELS = {"spce": SPCE, "tip3p": TIP3P, "tip4pew": TIP4PEW}


def place_virtual_sites(positions, sites, weight):
    """Put each 4-site water's M site at ``O + a (H1 - O) + a (H2 - O)`` (in place).

    Parameters
    ----------
    positions : ndarray (N, 3), nm
        Modified in place (rows ``sites[:, 3]``); molecules must be whole (not split by the box).
    sites : array_like (W, 4) of int
        ``(O, H1, H2, M)`` indices.
    weight : float
        ``a`` (:attr:`WaterModel.virtual_site_weight`).
    """
    s = np.asarray(sites, dtype=np.int64)
    o, h1, h2, m = s.T
    positions[m] = positions[o] + weight * (positions[h1] - positions[o]) + weight * (positions[h2] - positions[o])
    return positions


def spread_virtual_site_forces(forces, sites, weight):
    """Move the force on each M site to its parents (in place): ``(1 - 2a)`` to O, ``a`` to each H.

    The result is exactly minus the gradient of the energy with the M sites placed by
    :func:`place_virtual_sites` (the chain rule through the linear site definition); torques and
    total force are preserved.
    """
    s = np.asarray(sites, dtype=np.int64)
    o, h1, h2, m = s.T
    fm = forces[m].copy()
    np.add.at(forces, o, (1.0 - 2.0 * weight) * fm)
    np.add.at(forces, h1, weight * fm)
    np.add.at(forces, h2, weight * fm)
    forces[m] = 0.0
    return forces


# ---------------------------------------------------------------------------------------------- building
#: masses of water's atoms, amu (GROMACS/AMBER water topologies)
MASS_O = 15.9994
MASS_H = 1.008
#: g/cm^3 -> amu/nm^3
_G_CM3 = 602.21407621
WATER_RESIDUE = "HOH"
WATER_TYPES = ("OW", "HW")
SITE_TYPE = "MW"


def get_model(model):
    """The :class:`WaterModel` named ``model`` (``"spce"``, ``"SPC/E"``, ``"tip3p"``, ``"tip4pew"``, ``"TIP4P-Ew"``)
    or ``model`` itself; :class:`InputError` for an unknown name."""
    if isinstance(model, WaterModel):
        return model
    key = str(model).strip().lower().replace("/", "").replace("-", "")
    if key not in MODELS:
        raise InputError(f"model={model!r} is not a known water model; allowed: SPC/E ('spce'), TIP3P ('tip3p'), "
                         "TIP4P-Ew ('tip4pew')")
    return MODELS[key]


def _random_rotations(n, rng):
    """``n`` uniformly distributed rotation matrices (unit quaternions from 4-D Gaussians)."""
    q = rng.standard_normal((n, 4))
    q /= np.linalg.norm(q, axis=1)[:, None]
    w, x, y, z = q.T
    return np.stack([
        np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], axis=-1),
        np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], axis=-1),
        np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], axis=-1)], axis=1)


def _close_pairs(x, lengths, mol, cutoff):
    """Molecules (of ``mol`` ids) having an atom closer than ``cutoff`` to an atom of another molecule."""
    from scipy.spatial import cKDTree

    xw = np.mod(x, lengths)
    xw[xw >= lengths] = 0.0
    pairs = cKDTree(xw, boxsize=lengths).query_pairs(cutoff, output_type="ndarray")
    if pairs.size == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = pairs[mol[pairs[:, 0]] != mol[pairs[:, 1]]]
    return np.unique(mol[pairs.ravel()])


def solvate(box=None, model="spce", density=0.997, solute=None, n_waters=None, seed=None, min_distance=0.25,
            min_atom_distance=0.15, solute_distance=0.25, max_iterations=200):
    """Fill an orthorhombic box with randomly oriented rigid waters at a given density, without overlaps.

    Oxygens go on a random subset of a near-cubic grid of ``n_waters`` or more sites, jittered,
    with uniformly random orientations; waters with an atom closer than ``min_atom_distance`` to an
    atom of another water are re-oriented until none is (periodic images included). With a
    ``solute``, the box is filled as if empty and the waters with an atom closer than
    ``solute_distance`` to a solute atom are removed.

    The returned system lists the solute atoms first (unchanged), then the waters ``(O, H1, H2)``,
    with types ``"OW"`` and ``"HW"`` appended to the solute's type names, residue name ``"HOH"``,
    one molecule id per water (the Monte Carlo barostat scales molecule centres), masses, and the
    model's charges (for 4-site models the oxygen carries no charge: the M site does, see
    :func:`water_forcefield`). Use :func:`add_ions` to add salt and :func:`water_constraints` for
    SETTLE.

    Parameters
    ----------
    box : Box or array_like (3,), nm, optional
        Orthorhombic box (default: the solute's box).
    model : str or WaterModel
        ``"spce"``, ``"tip3p"`` or ``"tip4pew"``.
    density : float
        Water mass density, g/cm^3, in (0, 1.5] (default 0.997, liquid water at 298 K); sets
        ``n_waters = round(density V N_A / M_water)`` for the whole box.
    solute : System, optional
        Atoms to solvate (same box); their types, names and molecule ids are kept.
    n_waters : int, optional
        Number of waters to place before solute overlaps are removed (overrides ``density``).
    seed : int, optional
        Random seed (positions, orientations).
    min_distance : float
        Smallest oxygen-oxygen distance, nm (default 0.25).
    min_atom_distance : float
        Smallest distance between atoms of different waters, nm (default 0.15).
    solute_distance : float
        Smallest distance between a water atom and a solute atom, nm (default 0.25).
    max_iterations : int
        Re-orientation sweeps before giving up.

    Returns
    -------
    System

    Raises
    ------
    InputError
        Unknown model, non-orthorhombic box, or the waters cannot fit at the requested density with
        these distances (the message gives the largest count that can).

    Examples
    --------
    >>> s = solvate([1.6, 1.6, 1.6], model="spce", seed=1)
    >>> s.n_atoms // 3
    137
    """
    from molecular.system import Box, System
    from molecular.topology import Topology

    model = get_model(model)
    if box is None:
        if solute is None or solute.box is None:
            raise InputError("solvate needs box= (or a solute with a periodic box)")
        box = solute.box
    box = box.copy() if isinstance(box, Box) else Box(box)
    if not box.is_orthorhombic:
        raise InputError(f"solvate needs an orthorhombic box; got box vectors {box.h.tolist()}")
    lengths = np.diag(box.h).copy()
    check_range("min_distance", float(min_distance), 0.0, None, low_open=True)
    check_range("min_atom_distance", float(min_atom_distance), 0.0, float(min_distance))
    check_range("solute_distance", float(solute_distance), 0.0, None)
    mw = MASS_O + 2 * MASS_H
    if n_waters is None:
        check_range("density", float(density), 0.0, 1.5, low_open=True)
        n_waters = int(round(float(density) * box.volume * _G_CM3 / mw))
    n_waters = int(check_range("n_waters", int(n_waters), 1, None))
    rng = np.random.default_rng(seed)
    a = (box.volume / n_waters) ** (1.0 / 3.0)
    ncell = np.maximum(1, np.ceil(lengths / a - 1e-9)).astype(np.int64)
    spacing = lengths / ncell
    if spacing.min() < min_distance:
        cells = np.floor(lengths / min_distance).astype(np.int64)
        most = int(np.prod(cells))
        raise InputError(f"{n_waters} waters (density={density} g/cm^3) cannot fit in the box {lengths.tolist()} nm "
                         f"with min_distance={min_distance:g} nm between oxygens: grid spacing {spacing.min():.4g} nm "
                         f"< min_distance; allowed: at most {most} waters ({most * mw / box.volume / _G_CM3:.3f} "
                         "g/cm^3) or a smaller min_distance")
    if np.any(lengths < 2 * min_atom_distance + 2 * model.d_oh):
        raise InputError(f"box {lengths.tolist()} nm is too small for a water; allowed: edges >= "
                         f"{2 * min_atom_distance + 2 * model.d_oh:.3g} nm")
    grid = np.stack(np.meshgrid(*(np.arange(k) for k in ncell), indexing="ij"), axis=-1).reshape(-1, 3)
    sites = grid[rng.choice(len(grid), size=n_waters, replace=False)]
    jitter = 0.25 * (spacing.min() - min_distance)
    oxy = (sites + 0.5) * spacing + rng.uniform(-jitter, jitter, size=(n_waters, 3))
    geo = model.geometry()[:3]  # O at the origin; the M site (if any) is virtual
    geo = geo - geo[0]

    def place(rot):
        return (oxy[:, None, :] + np.einsum("wab,kb->wka", rot, geo)).reshape(-1, 3)

    rot = _random_rotations(n_waters, rng)
    x = place(rot)
    mol = np.repeat(np.arange(n_waters), 3)
    for _ in range(int(max_iterations)):
        bad = _close_pairs(x, lengths, mol, min_atom_distance)
        if bad.size == 0:
            break
        rot[bad] = _random_rotations(bad.size, rng)
        x = place(rot)
    else:
        raise InputError(f"could not orient {n_waters} waters with min_atom_distance={min_atom_distance:g} nm "
                         f"in {max_iterations} sweeps; allowed: a lower density or a smaller min_atom_distance")
    if solute is not None:
        if solute.box is not None and not np.allclose(solute.box.h, box.h):
            raise InputError(f"solute box {solute.box.h.tolist()} differs from box {box.h.tolist()}")
        if solute_distance > 0:
            from scipy.spatial import cKDTree

            xs = np.mod(solute.positions, lengths)
            xs[xs >= lengths] = 0.0
            xw = np.mod(x, lengths)
            xw[xw >= lengths] = 0.0
            hit = cKDTree(xs, boxsize=lengths).query_ball_point(xw, solute_distance, return_length=True) > 0
            keep = ~np.any(hit.reshape(-1, 3), axis=1)
            if not np.any(keep):
                raise InputError("the solute leaves no room for water in this box; allowed: a larger box or a "
                                 "smaller solute_distance")
            x = x.reshape(-1, 3, 3)[keep].reshape(-1, 3)
    nw = len(x) // 3
    q3 = model.charges[:3] if model.n_sites == 3 else np.array([0.0, model.q_h, model.q_h])
    if solute is None:
        names, ntypes = [], 0
        xs, ms, ts, qs = np.zeros((0, 3)), np.zeros(0), np.zeros(0, np.int64), np.zeros(0)
        top_s = None
    else:
        names = list(solute.type_names)
        ntypes = solute.n_types
        xs, ms, ts, qs, top_s = solute.positions, solute.masses, solute.types, solute.charges, solute.topology
    type_names = names[:ntypes] + list(WATER_TYPES)
    types = np.concatenate([ts, np.tile([ntypes, ntypes + 1, ntypes + 1], nw)])
    n_s = len(xs)
    mol0 = 0 if top_s is None else int(top_s.molecule_ids.max()) + 1
    res0 = 0 if top_s is None else int(top_s.residue_ids.max()) + 1
    wid = np.repeat(np.arange(nw), 3)
    topology = Topology(
        n_s + 3 * nw,
        names=([] if top_s is None else list(top_s.names)) + ["OW", "HW1", "HW2"] * nw,
        elements=([] if top_s is None else list(top_s.elements)) + ["O", "H", "H"] * nw,
        residue_names=([] if top_s is None else list(top_s.residue_names)) + [WATER_RESIDUE] * (3 * nw),
        residue_ids=np.concatenate([np.zeros(0, np.int64) if top_s is None else top_s.residue_ids, res0 + wid]),
        molecule_ids=np.concatenate([np.zeros(0, np.int64) if top_s is None else top_s.molecule_ids, mol0 + wid]))
    return System(np.concatenate([xs, x]), masses=np.concatenate([ms, np.tile([MASS_O, MASS_H, MASS_H], nw)]),
                  box=box, types=types, charges=np.concatenate([qs, np.tile(q3, nw)]), topology=topology,
                  type_names=type_names)


def water_indices(system):
    """``(O, H1, H2)`` atom indices (W, 3) of the waters (residue ``"HOH"``, atoms ``OW, HW1, HW2``) of ``system``."""
    res = np.asarray(system.topology.residue_names)
    names = np.asarray(system.topology.names)
    o = np.flatnonzero((res == WATER_RESIDUE) & (names == "OW"))
    w = np.stack([o, o + 1, o + 2], axis=1) if o.size else np.zeros((0, 3), dtype=np.int64)
    if o.size and (o[-1] + 2 >= system.n_atoms or np.any(names[w[:, 1]] != "HW1") or np.any(names[w[:, 2]] != "HW2")):
        raise InputError("waters must be stored as consecutive (OW, HW1, HW2) atoms of residue 'HOH'")
    return w.astype(np.int64)


def add_ions(system, model="spce", molarity=0.0, neutralize=True, cation="Na+", anion="Cl-", seed=None,
             min_ion_distance=0.5):
    """Replace randomly chosen waters by Joung-Cheatham ions: salt at a molarity and/or counter-ions.

    ``n_salt = round(molarity * 0.602214 * V)`` ion pairs (V in nm^3, so molarity in mol/L), plus, with
    ``neutralize``, as many counter-ions as cancel the (rounded) net charge. Each ion takes the
    oxygen position of the water it replaces; ions are kept at least ``min_ion_distance`` apart.
    Ions are appended at the end (types named ``"Na+"``, ``"Cl-"``, ...; residue = element in capitals).

    Parameters
    ----------
    system : System
        A solvated system (from :func:`solvate`).
    model : str or WaterModel
        Water model, for the ion parameters (masses here, LJ in :func:`water_forcefield`).
    molarity : float
        Salt concentration, mol/L, >= 0.
    neutralize : bool
        Add counter-ions for the net charge of ``system``.
    cation, anion : str
        Joung-Cheatham ion names (``"Li+"``, ``"Na+"``, ``"K+"``, ``"Rb+"``, ``"Cs+"``, ``"F-"``,
        ``"Cl-"``, ``"Br-"``, ``"I-"``).
    seed : int, optional
    min_ion_distance : float
        nm.

    Returns
    -------
    System

    Examples
    --------
    >>> s = add_ions(solvate([2.5, 2.5, 2.5], seed=1), molarity=0.15, seed=2)
    >>> int((s.charges == 1.0).sum()), int((s.charges == -1.0).sum())
    (1, 1)
    """
    from molecular.ions import canonical_water, ion_parameters
    from molecular.system import System
    from molecular.topology import Topology

    model = get_model(model)
    cat = ion_parameters(cation, canonical_water(model))
    an = ion_parameters(anion, canonical_water(model))
    if cat.charge <= 0 or an.charge >= 0:
        raise InputError(f"cation={cation!r}, anion={anion!r}: allowed a positive cation and a negative anion")
    check_range("molarity", float(molarity), 0.0, None)
    if system.box is None:
        raise InputError("add_ions needs a periodic system (system.box is None)")
    waters = water_indices(system)
    net = float(np.sum(system.charges))
    qnet = int(round(net))
    if abs(net - qnet) > 1e-6 and neutralize:
        raise InputError(f"net charge {net:+.6g} e is not an integer; cannot neutralise with monovalent ions")
    n_salt = int(round(float(molarity) * 0.602214076 * system.volume))
    n_cat = n_salt + (max(0, -qnet) if neutralize else 0)
    n_an = n_salt + (max(0, qnet) if neutralize else 0)
    n_ions = n_cat + n_an
    if n_ions == 0:
        return system.copy()
    if n_ions > len(waters):
        raise InputError(f"{n_ions} ions requested (molarity={molarity} mol/L, net charge {qnet:+d}) but the "
                         f"system has only {len(waters)} waters to replace")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(waters))
    chosen = []
    for k in order:
        p = system.positions[waters[k, 0]]
        if chosen:
            d = system.box.minimum_image(system.positions[waters[chosen, 0]] - p)
            if np.min(np.einsum("ij,ij->i", d, d)) < min_ion_distance**2:
                continue
        chosen.append(int(k))
        if len(chosen) == n_ions:
            break
    else:
        raise InputError(f"cannot place {n_ions} ions at least min_ion_distance={min_ion_distance:g} nm apart in "
                         f"this box; allowed: a lower molarity or a smaller min_ion_distance")
    chosen = np.array(chosen)
    remove = np.zeros(system.n_atoms, dtype=bool)
    remove[waters[chosen].ravel()] = True
    keep = ~remove
    ion_x = system.positions[waters[chosen, 0]]
    kinds = [cat] * n_cat + [an] * n_an
    type_names = list(system.type_names[: system.n_types])
    ion_types = []
    for ion in kinds:
        if ion.name not in type_names:
            type_names.append(ion.name)
        ion_types.append(type_names.index(ion.name))
    top = system.topology
    mol0 = int(top.molecule_ids.max()) + 1
    res0 = int(top.residue_ids.max()) + 1
    k = np.arange(n_ions)
    topology = Topology(
        int(keep.sum()) + n_ions,
        names=[nm for nm, kp in zip(top.names, keep) if kp] + [ion.element.upper() for ion in kinds],
        elements=[e for e, kp in zip(top.elements, keep) if kp] + [ion.element for ion in kinds],
        residue_names=[r for r, kp in zip(top.residue_names, keep) if kp] + [ion.element.upper() for ion in kinds],
        residue_ids=np.concatenate([top.residue_ids[keep], res0 + k]),
        molecule_ids=np.concatenate([top.molecule_ids[keep], mol0 + k]))
    return System(np.concatenate([system.positions[keep], ion_x]),
                  masses=np.concatenate([system.masses[keep], [ion.mass for ion in kinds]]),
                  box=system.box.copy(), velocities=np.concatenate([system.velocities[keep], np.zeros((n_ions, 3))]),
                  types=np.concatenate([system.types[keep], ion_types]),
                  charges=np.concatenate([system.charges[keep], [ion.charge for ion in kinds]]),
                  topology=topology, type_names=type_names)


def water_constraints(system, model="spce"):
    """SETTLE constraints holding every water of ``system`` rigid at the model's geometry.

    Examples
    --------
    >>> s = solvate([1.6, 1.6, 1.6], seed=1)
    >>> water_constraints(s, "spce").n_constraints
    411
    """
    from molecular.integrators.constraints import Settle

    model = get_model(model)
    return Settle(water_indices(system), model.d_oh, model.d_hh)


#: sigma (nm) given to the charge-only sites (H, M): they have epsilon = 0, so no Lennard-Jones interaction
_DUMMY_SIGMA = 0.1


def water_forcefield(system, model="spce", cutoff=1.0, electrostatics="pme", tolerance=5e-4, tail_correction=True,
                     skin=0.2, extra_lj=None, exclusions=None, extra_forces=(), order=5, lj_mode="truncated",
                     switch_distance=None):
    """Forces of water (+ Joung-Cheatham ions, + a solute's Lennard-Jones types) for a system from :func:`solvate`.

    Lennard-Jones (Lorentz-Berthelot mixing, truncated at ``cutoff``, with the long-range dispersion
    correction to energy and pressure when ``tail_correction``) plus electrostatics with the
    intramolecular water pairs excluded. For a 4-site model (TIP4P-Ew) the result is a
    :class:`~molecular.virtual_sites.VirtualSiteForceField` that places the M sites each evaluation
    and hands their forces back to O and H.

    Parameters
    ----------
    system : System
    model : str or WaterModel
    cutoff : float
        nm.
    electrostatics : {"pme", "ewald", "reaction-field", "cutoff"}
    tolerance : float
        Ewald/PME relative accuracy.
    tail_correction : bool
        Long-range dispersion correction (energy and pressure).
    skin : float
        Verlet skin, nm.
    extra_lj : dict, optional
        ``{type_name: (sigma nm, epsilon kJ/mol)}`` for types other than water and ions (a solute).
    exclusions : array_like (E, 2) of int, optional
        Further excluded pairs (a solute's bonded neighbours).
    extra_forces : sequence of Force
        Further forces (a solute's bonded terms); with 4-site water they act on the extended system,
        whose real atoms keep their indices.
    order : int
        PME B-spline order.
    lj_mode : str
        Lennard-Jones cutoff mode (:class:`~molecular.forces.pair.LennardJones`); ``"truncated"`` (default,
        as OpenMM and AMBER with the dispersion correction) or a smooth one for tight energy conservation.
    switch_distance : float, optional
        nm, for the switched modes.

    Returns
    -------
    ForceField or VirtualSiteForceField

    Examples
    --------
    >>> s = solvate([2.0, 2.0, 2.0], seed=1)
    >>> ff = water_forcefield(s, "spce", cutoff=0.9)
    """
    from molecular.forces.base import ForceField
    from molecular.forces.coulomb import CutoffCoulomb, ReactionField
    from molecular.forces.ewald import Ewald
    from molecular.forces.pair import LennardJones
    from molecular.forces.pme import PME
    from molecular.ions import ION_MASSES, canonical_water, ion_parameters

    model = get_model(model)
    kinds = ("pme", "ewald", "reaction-field", "cutoff")
    if electrostatics not in kinds:
        raise InputError(f"electrostatics={electrostatics!r}; allowed: {', '.join(kinds)}")
    extra_lj = dict(extra_lj or {})
    names = list(system.type_names[: system.n_types])
    four = model.n_sites == 4
    if four:
        names.append(SITE_TYPE)
    sigma = np.empty(len(names))
    eps = np.empty(len(names))
    unknown = []
    for t, nm in enumerate(names):
        if nm in extra_lj:
            sigma[t], eps[t] = extra_lj[nm]
        elif nm == "OW":
            sigma[t], eps[t] = model.sigma_o, model.epsilon_o
        elif nm in ("HW", SITE_TYPE):
            sigma[t], eps[t] = _DUMMY_SIGMA, 0.0
        elif nm in ION_MASSES:
            ion = ion_parameters(nm, canonical_water(model))
            sigma[t], eps[t] = ion.sigma, ion.epsilon
        else:
            unknown.append(nm)
    if unknown:
        raise InputError(f"no Lennard-Jones parameters for atom types {unknown}; allowed: OW, HW, the ions "
                         f"{', '.join(ION_MASSES)}, or give extra_lj={{name: (sigma, epsilon)}}")
    waters = water_indices(system)
    n = system.n_atoms
    if four:
        sites = n + np.arange(len(waters))
        groups = np.concatenate([waters, sites[:, None]], axis=1)
    else:
        groups = waters
    k = groups.shape[1]
    ex = [groups[:, [i, j]] for i in range(k) for j in range(i + 1, k)]
    ex = np.concatenate(ex) if ex else np.zeros((0, 2), dtype=np.int64)
    if exclusions is not None and np.size(exclusions):
        ex = np.concatenate([ex, np.asarray(exclusions, dtype=np.int64).reshape(-1, 2)])
    lj = LennardJones(eps, sigma, cutoff=cutoff, mode=lj_mode, switch_distance=switch_distance,
                      tail_correction=tail_correction)
    if electrostatics == "pme":
        elec = PME(cutoff=cutoff, tolerance=tolerance, exclusions=ex, order=order)
    elif electrostatics == "ewald":
        elec = Ewald(cutoff=cutoff, tolerance=tolerance, exclusions=ex)
    elif electrostatics == "reaction-field":
        elec = ReactionField(cutoff=cutoff, exclusions=ex)
    else:
        elec = CutoffCoulomb(cutoff=cutoff, exclusions=ex)
    forces = [lj, elec, *extra_forces]
    if not four:
        return ForceField(forces, skin=skin)
    from molecular.virtual_sites import VirtualSiteForceField

    a = model.virtual_site_weight
    return VirtualSiteForceField(forces, parents=waters, weights=[1.0 - 2.0 * a, a, a], charges=model.q_o,
                                 types=len(names) - 1, type_names=names, skin=skin)
