"""The Force protocol and ForceField: a sum of forces sharing one neighbour list."""

import abc
import dataclasses

import numpy as np

from mindscience.errors import InputError
from molecular.neighbors import NeighborList


@dataclasses.dataclass
class ForceResult:
    """Energy, forces and virial of a configuration.

    Attributes
    ----------
    energy : float
        Potential energy, kJ/mol.
    forces : ndarray, shape (N, 3), kJ/mol/nm
    virial : ndarray, shape (3, 3), kJ/mol, or None
        ``W = sum_pairs r_ij (x) f_ij`` (plus tail and long-range terms); the pressure tensor is
        ``(sum_i m_i v_i (x) v_i + W) / V``. ``None`` when not requested.
    terms : dict
        Potential energy of each force by name, kJ/mol.
    """

    energy: float
    forces: np.ndarray
    virial: np.ndarray | None = None
    terms: dict = dataclasses.field(default_factory=dict)


class Force(abc.ABC):
    """Base of every force term (pair potentials, electrostatics, bonded terms, neural potentials).

    A subclass follows these rules:

    1. Validate its parameters in ``__init__`` (naming parameter, value and allowed range).
    2. Set :attr:`cutoff` to the interaction range (nm) it needs from the shared neighbour list, or
       leave it ``None`` if it needs no list (bonded terms, external fields).
    3. Implement :meth:`setup` ``(system)``: check the parameters against the system (type count,
       box) and precompute tables; called once before the first :meth:`compute` and again
       whenever the number of atoms or types changes.
    4. Implement :meth:`compute` ``(system, neighbors, virial)`` returning
       ``(energy, forces, virial)``: energy (kJ/mol), forces (N, 3) kJ/mol/nm and, if ``virial``,
       the (3, 3) virial ``sum r_ij (x) f_ij`` (kJ/mol) else ``None``. It must not modify the
       system; ``neighbors`` lists pairs within ``cutoff`` plus the skin.
    5. Parameters are arrays (per type, per type pair, per bond), so they can be exported,
       fitted and checkpointed as data.
    6. Optionally implement :meth:`energy_correction` ``(system)`` -> ``(energy, pressure)`` for
       analytic long-range (tail) terms that depend only on N and V (used by barostats).
    """

    #: interaction range needing the neighbour list, nm (None: no list needed)
    cutoff = None
    #: name under which the energy appears in ``ForceResult.terms``
    name = "force"

    def setup(self, system):  # noqa: B027 - optional hook, a no-op for forces without tables
        """Check parameters against ``system`` and precompute tables (rule 3)."""

    @abc.abstractmethod
    def compute(self, system, neighbors, virial=False):
        """Return ``(energy, forces, virial)`` (rule 4)."""

    def energy_correction(self, system):
        """Analytic long-range energy (kJ/mol) and pressure (kJ/mol/nm^3) corrections (rule 6)."""
        return 0.0, 0.0


class ForceField:
    """The sum of several forces evaluated on one system with one shared neighbour list.

    Parameters
    ----------
    forces : Force or sequence of Force
    skin : float
        Verlet-list skin, nm (same length unit as the cutoffs).
    neighbor_list : NeighborList, optional
        Supply a configured list instead (its cutoff must cover every force's cutoff).

    Examples
    --------
    >>> from molecular.forces import LennardJones
    >>> ff = ForceField([LennardJones(1.0, 1.0, cutoff=2.5)], skin=0.3)
    """

    def __init__(self, forces, skin=0.3, neighbor_list=None):
        forces = [forces] if isinstance(forces, Force) else list(forces)
        if not forces:
            raise InputError("forces is empty; allowed: one or more Force objects")
        for f in forces:
            if not isinstance(f, Force):
                raise InputError(f"forces contains a {type(f).__name__}; allowed: molecular.forces.Force")
        self.forces = forces
        cutoffs = [f.cutoff for f in forces if f.cutoff is not None]
        self.neighbors = None
        if cutoffs:
            if neighbor_list is None:
                neighbor_list = NeighborList(max(cutoffs), skin)
            elif neighbor_list.cutoff < max(cutoffs):
                raise InputError(f"neighbor_list.cutoff={neighbor_list.cutoff:g} nm is below the largest force "
                                 f"cutoff {max(cutoffs):g} nm; allowed: >= {max(cutoffs):g}")
            self.neighbors = neighbor_list
        self._setup_key = None

    def setup(self, system):
        """Validate every force against ``system`` (cutoff vs box, types) before any step."""
        if self.neighbors is not None:
            self.neighbors.check_box(system.box)
        for f in self.forces:
            f.setup(system)
        self._setup_key = (system.n_atoms, system.n_types)

    def compute(self, system, virial=False):
        """Sum of all forces at the current positions.

        Parameters
        ----------
        system : System
        virial : bool
            Also compute the (3, 3) virial (needed for pressure).

        Returns
        -------
        ForceResult
        """
        if self._setup_key != (system.n_atoms, system.n_types):
            self.setup(system)
        energy = 0.0
        forces = None
        w = np.zeros((3, 3)) if virial else None
        terms = {}
        fused = self._fused_pairs(system, virial)
        for k, f in enumerate(self.forces):
            if k in fused:
                e, fo, wf = f.compute(system, self.neighbors, virial, _pairs=fused[k])
            else:
                e, fo, wf = f.compute(system, self.neighbors, virial)
            energy += e
            if forces is None:  # a copy: the result never aliases a force's own arrays
                forces = np.array(fo, dtype=np.float64)
            else:
                forces += fo
            if virial:
                w += wf
            terms[f.name] = terms.get(f.name, 0.0) + e
        return ForceResult(float(energy), forces, w, terms)

    def _fusion(self):
        """Indices ``(lj, coulomb)`` of a LennardJones (truncated/shifted) and a Coulomb force (cutoff,
        reaction field, Ewald, PME) whose pair terms one kernel computes in a single pass over the
        cell-sorted list, or None."""
        if self.neighbors is None or not hasattr(self.neighbors, "half_sorted_data"):
            return None
        from molecular.forces.coulomb import _ChargedForce
        from molecular.forces.pair import LennardJones

        ljs = [k for k, f in enumerate(self.forces) if type(f) in (LennardJones,) and f.mode in ("truncated",
                                                                                                  "shifted")]
        cs = [k for k, f in enumerate(self.forces) if isinstance(f, _ChargedForce)]
        if len(ljs) != 1 or len(cs) != 1:
            return None
        return ljs[0], cs[0]

    def _fused_pairs(self, system, virial):
        """Pair terms of the fused LennardJones + Coulomb pass: ``{index: (energy, forces (N, 3), virial6)}``
        (empty when the forces do not qualify, see :meth:`_fusion`).

        Each pair within the list radius is computed once (Newton's third law) from a half of the cell-sorted
        list whose image pairs point at ghost copies of the atoms, so one branch-free loop serves all pairs.
        The row blocks are fixed by the atom count and each writes its own force array, summed in a fixed
        order: results do not depend on the number of threads. The Coulomb forces carry the LJ ones too.
        """
        idx = self._fusion()
        if idx is None:
            return {}
        from molecular.forces import _elec_kernels as EK
        from molecular.forces import _kernels as PK
        from molecular.neighbors import PARALLEL_MIN_ATOMS

        lj, coul = self.forces[idx[0]], self.forces[idx[1]]
        if lj.table is None or lj.table.shape[0] != system.n_types:
            lj.setup(system)
        rc2_l = lj.table[:, :, PK.RC2]
        poly = coul._real_poly()
        if poly is None or np.any(rc2_l != rc2_l.flat[0]):
            return {}  # real-space function not representable to double precision, or LJ cutoffs per pair
        cu, cg, ta, tb, _ = poly
        sl = self.neighbors.half_sorted_data(system)
        n = system.n_atoms
        hnbr, hn, gsrc, gcode = sl.hnbr, sl.hn, sl.gsrc, sl.gcode
        ne = n + gsrc.size
        ts = np.ascontiguousarray(system.types[sl.perm], dtype=np.int64)
        qs = np.ascontiguousarray(np.asarray(system.charges, dtype=np.float64)[sl.perm])
        xe = np.empty((3, ne))
        qe = np.empty(ne)
        te = np.empty(ne, dtype=np.int64)
        EK.extend_coords(sl.xs, qs, ts, gsrc, gcode, sl.shifts, xe, qe, te)
        c4 = np.ascontiguousarray(lj.table[:, :, PK.P0])
        s6 = np.ascontiguousarray(lj.table[:, :, PK.P1])
        has_lj = np.any(c4 != 0.0, axis=1)
        rc2 = float(rc2_l.flat[0])
        ushift = rc2**-3 if lj.mode == "shifted" else 0.0
        nb = sl.bounds.size - 1
        fe = getattr(self, "_fe", None)
        if fe is None or fe.shape != (nb, ne, 3):  # kept between calls (no page faults every step)
            fe = self._fe = np.empty((nb, ne, 3))
        ev = np.empty((nb, 14))
        args = (sl.bounds, xe, qe, te, hnbr, hn, c4, s6, has_lj, ushift, rc2, coul.cutoff**2, cu, cg, ta, tb,
                coul.ke, bool(virial), fe, ev)
        if n >= PARALLEL_MIN_ATOMS:  # also on one thread: the same compiled code for every thread count
            EK.fused_half_parallel(*args)
        else:
            EK.fused_half_serial(*args)
        f = np.empty((n, 3))
        EK.fold_forces(fe, n, gsrc, sl.perm, f)
        tot = ev.sum(axis=0)
        return {idx[0]: (float(tot[0]), np.zeros((n, 3)), tot[1:7]), idx[1]: (float(tot[7]), f, tot[8:14])}

    def energy_correction(self, system):
        """Sum of the forces' analytic long-range ``(energy, pressure)`` corrections."""
        e = p = 0.0
        for f in self.forces:
            de, dp = f.energy_correction(system)
            e += de
            p += dp
        return e, p

    def get_state(self):
        return {} if self.neighbors is None else {"neighbors": self.neighbors.get_state()}

    def set_state(self, state):
        if self.neighbors is not None and "neighbors" in state:
            self.neighbors.set_state(state["neighbors"])
