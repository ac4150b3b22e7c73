"""Monte Carlo barostat (isotropic and anisotropic) for NPT with any thermostat."""

import math

import numpy as np

from mindscience.engine import pack_rng, unpack_rng
from mindscience.errors import InputError, check_range
from molecular.integrators.base import check_positive, check_temperature
from molecular.units import KB


def molecule_centres(system):
    """Molecule index of each atom (0..M-1) and molecular centres of mass (M, 3), nm.

    Each molecule's atoms are taken at their minimum images relative to its first atom, so a
    molecule split across the periodic boundary still gets its true centre.
    """
    _, first, mol = np.unique(system.topology.molecule_ids, return_index=True, return_inverse=True)
    x = system.positions
    rel = x - x[first][mol]
    if system.box is not None:
        rel = system.box.minimum_image(rel)
    m = system.masses
    mtot = np.bincount(mol, weights=m)
    com = np.stack([np.bincount(mol, weights=m * rel[:, k]) for k in range(3)], axis=1) / mtot[:, None]
    return mol, com + x[first]


class MonteCarloBarostat:
    r"""Monte Carlo barostat: volume moves accepted with the NPT Metropolis criterion [1]_.

    Every ``frequency`` steps the box is scaled (isotropically, or along one randomly chosen axis
    when ``anisotropic``), molecule centres of mass (``system.topology.molecule_ids``; a molecule split
    by the boundary counts whole) are scaled with it while each molecule is translated rigidly (so
    constrained bonds and rigid waters keep their geometry), and the move is accepted with
    probability ``min(1, exp(-w / kT))``,

    .. math:: w = \Delta U + P \Delta V - N_{mol} k T \ln(V'/V).

    ``U`` is the force field's full potential energy, so analytic long-range (dispersion/tail)
    corrections that depend on the volume (``LennardJones(tail_correction=True)``) take part in the
    move, as do virtual sites rebuilt from their parents
    (:class:`~molecular.virtual_sites.VirtualSiteForceField`).

    Volume changes are drawn uniformly in ``[-dV, dV]`` with an absolute ``dV`` (a symmetric
    proposal, as detailed balance requires), initially ``max_volume_change`` times the starting
    volume, adapted towards 25-75 % acceptance.

    Parameters
    ----------
    pressure : float
        Target pressure in energy/volume units: kJ/mol/nm^3 (multiply bar by
        ``molecular.units.BAR``), or reduced.
    temperature : float
        Temperature of the thermostat it runs with, K.
    frequency : int
        Steps between volume moves.
    anisotropic : bool
        Scale one box axis at a time (x, y, z independently).
    max_volume_change : float
        Initial maximum relative volume change.
    seed : int, optional
    kB : float

    References
    ----------
    .. [1] K.-H. Chow and D. M. Ferguson, Comput. Phys. Commun. 91, 283 (1995); J. Aqvist et al.,
       Chem. Phys. Lett. 384, 288 (2004).

    Examples
    --------
    >>> baro = MonteCarloBarostat(pressure=1.0, temperature=1.0, kB=1.0)
    """

    def __init__(self, pressure, temperature, frequency=25, anisotropic=False, max_volume_change=0.01,
                 seed=None, kB=KB):
        self.pressure = float(pressure)
        if not math.isfinite(self.pressure):
            raise InputError(f"pressure={pressure!r} is out of range; allowed: finite")
        self.temperature = check_temperature(temperature)
        check_positive("temperature", self.temperature)
        if int(frequency) != frequency or frequency < 1:
            raise InputError(f"frequency={frequency!r}; allowed: integers >= 1 (steps)")
        self.frequency = int(frequency)
        self.anisotropic = bool(anisotropic)
        self.max_volume_change = check_range("max_volume_change", float(max_volume_change), 0.0, 0.5,
                                             low_open=True)
        self.volume_step = None
        self.kB = check_positive("kB", kB)
        self.rng = np.random.default_rng(seed)
        self.attempts = 0
        self.accepted = 0
        self._window = [0, 0]

    def apply(self, system, forcefield, integrator):
        """Attempt one volume move on ``system`` (updates ``integrator.result`` if accepted)."""
        if system.box is None:
            raise InputError("MonteCarloBarostat needs a periodic box (system.box is None)")
        kt = self.kB * self.temperature
        v0 = system.volume
        e0 = integrator.result.energy
        x0 = system.positions.copy()
        h0 = system.box.h.copy()
        if self.volume_step is None:
            self.volume_step = self.max_volume_change * v0
        dv = self.volume_step * (2 * self.rng.random() - 1)
        v1 = v0 + dv
        self.attempts += 1
        self._window[0] += 1
        if v1 > 0:
            mol, com = molecule_centres(system)
            if self.anisotropic:
                axis = int(self.rng.integers(3))
                lam = np.ones(3)
                lam[axis] = v1 / v0
            else:
                lam = np.full(3, (v1 / v0) ** (1 / 3))
            h1 = h0 * lam[None, :]
            system.positions += (com * (lam - 1))[mol]
            system.box.h = h1
            try:
                res = forcefield.compute(system)
                e1 = res.energy
            except InputError:  # the box became too small for the cutoff: reject
                e1 = math.inf
            nmol = com.shape[0]
            w = e1 - e0 + self.pressure * dv - nmol * kt * math.log(v1 / v0)
            if math.isfinite(w) and (w <= 0 or self.rng.random() < math.exp(-w / kt)):
                integrator.result = res
                self.accepted += 1
                self._window[1] += 1
            else:
                system.positions[:] = x0
                system.box.h = h0
        if self._window[0] >= 10:
            rate = self._window[1] / self._window[0]
            if rate < 0.25:
                self.volume_step /= 1.1
            elif rate > 0.75:
                self.volume_step = min(0.3 * v0, self.volume_step * 1.1)
            self._window = [0, 0]

    @property
    def acceptance(self):
        return self.accepted / max(1, self.attempts)

    def get_state(self):
        return {"rng": pack_rng(self.rng), "attempts": np.int64(self.attempts),
                "accepted": np.int64(self.accepted), "window": np.array(self._window, dtype=np.int64),
                "volume_step": None if self.volume_step is None else np.float64(self.volume_step)}

    def set_state(self, state):
        unpack_rng(state["rng"], self.rng)
        self.attempts = int(state["attempts"])
        self.accepted = int(state["accepted"])
        self._window = [int(v) for v in state["window"]]
        self.volume_step = None if state["volume_step"] is None else float(state["volume_step"])
