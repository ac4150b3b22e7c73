"""MDSimulation: System + ForceField + Integrator (+ barostat) on the mindscience engine loop."""

import numpy as np

from mindscience.engine import Simulation
from mindscience.errors import InputError, SimulationDiverged
from molecular import thermo
from molecular.forces.base import ForceField
from molecular.forces.pair import LennardJones
from molecular.integrators.base import Integrator, NonFinite
from molecular.system import Box

OBSERVABLES = ("positions", "velocities", "forces", "box", "potential_energy", "kinetic_energy",
               "total_energy", "temperature", "pressure", "pressure_tensor", "virial", "volume", "density",
               "conserved_energy", "types", "masses")


class MDSimulation(Simulation):
    """Molecular dynamics: the engine's run loop around a system, its forces and an integrator.

    The simulation does no physics: the integrator moves the system, the force field evaluates
    forces, the optional barostat moves the box, and reporters read snapshots. ``run``,
    ``checkpoint`` and ``restore`` come from :class:`mindscience.engine.Simulation`; a restored run
    continues bit-identically (the neighbour list is rebuilt from its saved reference positions).

    Parameters
    ----------
    system : System
    forces : ForceField, Force or sequence of Force
    integrator : Integrator
    dt : float
        Time step, ps (or reduced time).
    barostat : MonteCarloBarostat, optional
    skin : float
        Verlet skin, nm, when ``forces`` is not already a ForceField.
    overlap_threshold : float, optional
        Raise :class:`InputError` if two atoms start closer than this (nm). Default: half the
        smallest Lennard-Jones sigma among the forces, else no check.
    guard_interval : int, optional
        Steps between NaN checks of positions and velocities.

    Examples
    --------
    >>> from molecular import LennardJones, VelocityVerlet, lattice
    >>> system = lattice("fcc", 3, density=0.8).set_velocities(1.0, seed=1, kB=1.0)
    >>> sim = MDSimulation(system, LennardJones(cutoff=2.0), VelocityVerlet(kB=1.0), dt=0.005)
    >>> sim.run(steps=10, progress=False).step_count
    10
    """

    time_unit = "ps"

    def __init__(self, system, forces, integrator, dt, barostat=None, skin=0.3, overlap_threshold=None,
                 guard_interval=None):
        super().__init__(dt, guard_interval=guard_interval)
        if not isinstance(integrator, Integrator):
            raise InputError(f"integrator is a {type(integrator).__name__}; allowed: molecular.integrators.Integrator")
        if not isinstance(forces, ForceField):
            forces = ForceField(forces, skin=skin)
        self.system = system
        self.forcefield = forces
        self.integrator = integrator
        self.barostat = barostat
        forces.setup(system)
        if overlap_threshold is None:
            sig = [float(np.min(f.pair_sigma)) for f in forces.forces if isinstance(f, LennardJones)]
            overlap_threshold = 0.5 * min(sig) if sig else None
        if overlap_threshold is not None:
            system.check_overlaps(float(overlap_threshold))
        try:
            integrator.attach(system, forces)
        except NonFinite as exc:
            raise InputError(f"the initial configuration has a non-finite {exc.quantity}") from None
        if barostat is not None and system.box is None:
            raise InputError("a barostat needs a periodic box (system.box is None)")

    @property
    def kB(self):
        return self.integrator.kB

    # ------------------------------------------------------------------ engine contract
    def _step_impl(self, n):
        try:
            if self.barostat is None:
                self.integrator.step(self.dt, n)
                return
            f = self.barostat.frequency
            done = 0
            while done < n:
                k = min(n - done, f - (self.step_count + done) % f)
                self.integrator.step(self.dt, k)
                done += k
                if (self.step_count + done) % f == 0:
                    self.barostat.apply(self.system, self.forcefield, self.integrator)
        except NonFinite as exc:
            self.status = "failed"
            raise SimulationDiverged(self.step_count + exc.substep + 1, exc.quantity,
                                     f"dt={self.dt:g} may be too large") from None
        except InputError as exc:
            if np.all(np.isfinite(self.system.positions)):
                raise
            self.status = "failed"
            raise SimulationDiverged(self.step_count + self.integrator._substep + 1, "positions",
                                     f"dt={self.dt:g} may be too large") from exc

    def _get_state(self):
        s = self.system
        return {
            "positions": s.positions.copy(),
            "velocities": s.velocities.copy(),
            "box": None if s.box is None else s.box.h.copy(),
            "integrator": self.integrator.get_state(),
            "forcefield": self.forcefield.get_state(),
            "barostat": None if self.barostat is None else self.barostat.get_state(),
        }

    def _set_state(self, state):
        s = self.system
        if np.shape(state["positions"]) != s.positions.shape:
            raise InputError(f"checkpoint has {np.shape(state['positions'])[0]} atoms; this system has {s.n_atoms}")
        s.positions[:] = state["positions"]
        s.velocities[:] = state["velocities"]
        s.box = None if state["box"] is None else Box(state["box"])
        self.forcefield.set_state(state["forcefield"])
        self.integrator.result = self.forcefield.compute(s)
        self.integrator.set_state(state["integrator"])
        if self.barostat is not None and state["barostat"] is not None:
            self.barostat.set_state(state["barostat"])

    def _guard_arrays(self):
        return {"positions": self.system.positions, "velocities": self.system.velocities}

    def _parameters(self):
        return {"dt": self.dt, "integrator": type(self.integrator).__name__, "n_atoms": self.system.n_atoms,
                "forces": [type(f).__name__ for f in self.forcefield.forces]}

    # ------------------------------------------------------------------ observables
    def _observe(self, include):
        unknown = set(include) - set(OBSERVABLES)
        if unknown:
            raise KeyError(f"MDSimulation cannot report {sorted(unknown)}; available: {list(OBSERVABLES)}")
        s = self.system
        res = self.integrator.result
        needs_virial = bool({"pressure", "pressure_tensor", "virial"} & set(include))
        if needs_virial and res.virial is None:
            res = self.forcefield.compute(s, virial=True)
            self.integrator.result.virial = res.virial
        virial = res.virial
        if needs_virial and virial is not None:
            constraint_virial = self.integrator.constraint_virial  # atomic pressure includes constraint forces
            if constraint_virial is not None:
                virial = virial + constraint_virial
        ke = s.kinetic_energy()
        out = {}
        for name in include:
            if name == "positions":
                out[name] = s.positions
            elif name == "velocities":
                out[name] = s.velocities
            elif name == "forces":
                out[name] = res.forces
            elif name == "types":
                out[name] = s.types
            elif name == "masses":
                out[name] = s.masses
            elif name == "box":
                out[name] = None if s.box is None else s.box.h
            elif name == "potential_energy":
                out[name] = res.energy
            elif name == "kinetic_energy":
                out[name] = ke
            elif name == "total_energy":
                out[name] = ke + res.energy
            elif name == "conserved_energy":
                out[name] = ke + res.energy + self.integrator.conserved_offset()
            elif name == "temperature":
                out[name] = thermo.temperature(ke, self.integrator.ndof, self.kB)
            elif name == "virial":
                out[name] = virial
            elif name in ("pressure", "pressure_tensor"):
                if s.box is None:
                    out[name] = np.nan if name == "pressure" else np.full((3, 3), np.nan)
                else:
                    pt = thermo.pressure_tensor(s.masses, s.velocities, virial, s.volume)
                    out[name] = float(np.trace(pt)) / 3 if name == "pressure" else pt
            elif name == "volume":
                out[name] = s.volume
            elif name == "density":
                out[name] = s.density
        return out

    def state(self, *names):
        """Current values of the named observables (see ``OBSERVABLES``) as a dict."""
        return self._observe(frozenset(names or ("potential_energy", "kinetic_energy", "temperature")))
