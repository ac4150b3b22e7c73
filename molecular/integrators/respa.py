"""Reversible multiple time stepping (r-RESPA): fast forces on an inner step, slow forces on an outer step."""

import numpy as np

from mindscience.errors import InputError
from molecular.forces.base import Force, ForceField, ForceResult
from molecular.integrators.base import Integrator, NonFinite
from molecular.units import KB


class RESPA(Integrator):
    r"""Reversible reference-system propagator (r-RESPA) of Tuckerman, Berne and Martyna [1]_.

    The forces are split into levels ``F = F_0 + F_1 + ... + F_{L-1}``, fastest first (bonds and
    short-range terms in level 0; long-range electrostatics, neural potentials in the last). Level
    ``k`` is integrated with the step ``h_k``, ``h_{L-1} = dt`` and ``h_{k-1} = h_k / n_k`` for the
    ``ratios`` ``n_k``, by the symmetric Trotter factorisation

    .. math:: U_k(h_k) = e^{\frac{h_k}{2} F_k \cdot \partial_p}\, [U_{k-1}(h_k / n_k)]^{n_k}\,
              e^{\frac{h_k}{2} F_k \cdot \partial_p},\qquad
              U_0(h_0) = e^{\frac{h_0}{2} F_0 \cdot \partial_p}\, e^{h_0\, p/m \cdot \partial_x}\,
              e^{\frac{h_0}{2} F_0 \cdot \partial_p}

    so each level's forces are evaluated once per step of that level. The map is symplectic and
    time reversible; with one level, or all ratios 1, it is velocity Verlet (to round-off, the
    kicks being applied force by force). The conserved quantity is the total energy ``K + U``.

    **Resonance limit.** The slow impulses, applied every ``dt``, drive the fast motion; when ``dt``
    approaches half the period ``T_fast`` of the fastest motion (``dt ~ T_fast / 2``, the first linear
    resonance ``omega_fast dt = pi`` of the impulse method [2]_), energy is pumped into the fast modes
    and the energy error grows sharply, whatever the inner step. Weaker (nonlinear) resonances appear
    near ``T_fast / 3`` [3]_; keep ``dt`` below about ``T_fast / 3``; ``benchmarks/md_respa.py`` measures
    the drift against ``dt / T_fast`` for a bonded dimer fluid.

    Parameters
    ----------
    groups : sequence
        One entry per level, fastest first; each a Force, a sequence of Forces, or integer indices
        into the simulation's ``ForceField.forces``. Every force of the force field must appear in
        exactly one level.
    ratios : int or sequence of int
        Inner steps per outer step: ``n_k`` for each of the ``L - 1`` level boundaries (``ratios[k-1]``
        steps of level ``k-1`` per step of level ``k``); a single int for two levels. ``dt`` given to
        the simulation is the outermost step.
    kB : float

    References
    ----------
    .. [1] M. Tuckerman, B. J. Berne, G. J. Martyna, J. Chem. Phys. 97, 1990 (1992).
    .. [2] M. Mandziuk, T. Schlick, Chem. Phys. Lett. 237, 525 (1995); T. Schlick, M. Mandziuk, R. D.
       Skeel, K. Srinivas, J. Comput. Phys. 140, 1 (1998).
    .. [3] Q. Ma, J. A. Izaguirre, R. D. Skeel, SIAM J. Sci. Comput. 24, 1951 (2003).

    Examples
    --------
    >>> from molecular.forces import HarmonicBond, LennardJones
    >>> bonds, lj = HarmonicBond([[0, 1]], k=1000.0, r0=1.0), LennardJones(cutoff=2.5)
    >>> integrator = RESPA([bonds, lj], ratios=4, kB=1.0)   # bonds every dt/4, LJ every dt
    """

    def __init__(self, groups, ratios, kB=KB):
        super().__init__(kB)
        if isinstance(groups, Force | int) or len(groups) < 1:
            raise InputError(f"groups={groups!r}; allowed: a sequence of levels (Force, list of Force or indices)")
        self.groups = [list(g) if isinstance(g, list | tuple) else [g] for g in groups]
        n_levels = len(self.groups)
        if np.ndim(ratios) == 0:
            ratios = [ratios] * (n_levels - 1) if n_levels > 1 else []
        ratios = list(ratios)
        if len(ratios) != n_levels - 1:
            raise InputError(f"ratios has {len(ratios)} entries; allowed: {n_levels - 1} (levels - 1)")
        for k, r in enumerate(ratios):
            if int(r) != r or r < 1:
                raise InputError(f"ratios[{k}]={r!r} is out of range; allowed: integers >= 1")
        self.ratios = [int(r) for r in ratios]
        self.level_results = None
        self._own_result = None

    @property
    def n_levels(self):
        return len(self.groups)

    def _attached(self):
        self._inv_m = 1.0 / self.system.masses[:, None]
        all_forces = self.forcefield.forces
        levels = []
        seen = {}
        for k, group in enumerate(self.groups):
            members = []
            for item in group:
                if isinstance(item, int | np.integer):
                    if not 0 <= item < len(all_forces):
                        raise InputError(f"groups[{k}] has index {item}; allowed: 0..{len(all_forces) - 1}")
                    item = all_forces[int(item)]
                if not isinstance(item, Force) or not any(item is f for f in all_forces):
                    raise InputError(f"groups[{k}] contains {item!r}, which is not one of the force field's forces")
                if id(item) in seen:
                    raise InputError(f"{type(item).__name__} appears in groups[{seen[id(item)]}] and groups[{k}]; "
                                     "allowed: each force in exactly one level")
                seen[id(item)] = k
                members.append(item)
            if not members:
                raise InputError(f"groups[{k}] is empty; allowed: at least one force per level")
            levels.append(members)
        missing = [type(f).__name__ for f in all_forces if id(f) not in seen]
        if missing:
            raise InputError(f"forces {missing} are in no level of groups; allowed: every force in exactly one level")
        nl = self.forcefield.neighbors
        self._fields = [ForceField(m, neighbor_list=nl if any(f.cutoff is not None for f in m) else None)
                        for m in levels]
        self._compute_levels()

    # ------------------------------------------------------------------ forces
    def _compute_level(self, k, virial=False):
        res = self._fields[k].compute(self.system, virial=virial)
        if not np.isfinite(res.energy):
            raise NonFinite("potential_energy", self._substep)
        self.level_results[k] = res
        return res.forces

    def _compute_levels(self, virial=False):
        self.level_results = [None] * self.n_levels
        for k in range(self.n_levels):
            self._compute_level(k, virial)
        self._sum_result()

    def _compute(self, virial=False):
        # the base class evaluates the whole force field this way (attach, reporters)
        if self.level_results is None or len(self._fields) != self.n_levels:
            return super()._compute(virial)
        self._compute_levels(virial)
        return self.result.forces

    def _sum_result(self):
        rs = self.level_results
        forces = rs[0].forces.copy()
        for r in rs[1:]:
            forces += r.forces
        virial = None
        if all(r.virial is not None for r in rs):
            virial = sum(r.virial for r in rs[1:]) + rs[0].virial
        terms = {}
        for r in rs:
            for name, e in r.terms.items():
                terms[name] = terms.get(name, 0.0) + e
        self.result = self._own_result = ForceResult(float(sum(r.energy for r in rs)), forces, virial, terms)

    # ------------------------------------------------------------------ propagation
    def _level_step(self, k, h):
        s = self.system
        half = 0.5 * h
        s.velocities += half * self.level_results[k].forces * self._inv_m
        if k == 0:
            s.positions += h * s.velocities
        else:
            n = self.ratios[k - 1]
            for _ in range(n):
                self._level_step(k - 1, h / n)
        self._compute_level(k)
        s.velocities += half * self.level_results[k].forces * self._inv_m

    def _step_impl(self, dt):
        if self.result is not self._own_result:
            # something else replaced the forces (a Monte Carlo barostat's accepted move, a restore):
            # the per-level forces are stale
            self._compute_levels()
        self._level_step(self.n_levels - 1, dt)
        self._sum_result()

    # ------------------------------------------------------------------ state
    def set_state(self, state):
        super().set_state(state)
        if self.system is not None and getattr(self, "_fields", None) is not None:
            self._compute_levels()

    def _parameters(self):
        return {**super()._parameters(), "ratios": list(self.ratios),
                "groups": [[type(f).__name__ if isinstance(f, Force) else int(f) for f in g] for g in self.groups]}
