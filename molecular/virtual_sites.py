"""Virtual sites (massless interaction sites placed from real atoms, e.g. the TIP4P M site) as a force-field
wrapper: integrators, barostats and minimisers see only the real atoms."""

import numpy as np

from mindscience.errors import InputError
from molecular.forces.base import ForceField, ForceResult
from molecular.system import System


class VirtualSiteForceField(ForceField):
    r"""A :class:`~molecular.forces.base.ForceField` whose forces also act on virtual sites.

    Each virtual site ``k`` is a fixed linear combination of three real atoms (OpenMM's
    ``ThreeParticleAverageSite``),

    .. math:: \mathbf r_k = w_{k0}\,\mathbf r_{p_{k0}} + w_{k1}\,\mathbf r_{p_{k1}} + w_{k2}\,\mathbf r_{p_{k2}},
              \qquad \sum_j w_{kj} = 1,

    rebuilt from its parents at every force evaluation. The wrapped forces see an extended system
    (the real atoms ``0..N-1`` followed by the sites ``N..N+S-1``, with the sites' charges and types);
    the force on a site is then handed to its parents by the chain rule,
    ``F_{p_kj} += w_kj F_k``, which makes the returned forces exactly minus the gradient of the energy
    with respect to the real atoms. Because the weights sum to one, total force and torque are kept,
    and the virial of the extended system is already that of the real atoms (a site moves affinely
    with its parents under a box deformation), so pressures and barostats need nothing more.

    Integrators, barostats and reporters therefore work on the real atoms only (no massless
    particles); exclusions and 1-4 lists of the wrapped forces use extended indices.

    Parameters
    ----------
    forces : Force or sequence of Force
        Forces of the extended system.
    parents : array_like (S, 3) of int
        Real-atom indices of each site's three parents.
    weights : array_like (3,) or (S, 3)
        Weights of the parents, each row summing to 1.
    charges : float or array_like (S,), e
        Site charges.
    types : int or array_like (S,) of int
        Site atom types (indices into the per-type parameters of the wrapped forces).
    type_names : sequence of str, optional
        Names of all types of the extended system.
    skin, neighbor_list : see :class:`~molecular.forces.base.ForceField`.

    Examples
    --------
    >>> from molecular.forces import CutoffCoulomb
    >>> ff = VirtualSiteForceField(CutoffCoulomb(1.0), parents=[[0, 1, 2]], weights=[0.8, 0.1, 0.1],
    ...                            charges=[-1.0], types=[2])
    """

    def __init__(self, forces, parents, weights, charges=0.0, types=0, type_names=None, skin=0.3,
                 neighbor_list=None):
        super().__init__(forces, skin=skin, neighbor_list=neighbor_list)
        p = np.asarray(parents)
        if p.ndim != 2 or p.shape[1] != 3 or not np.issubdtype(p.dtype, np.integer):
            raise InputError(f"parents has shape {p.shape}; allowed: (S, 3) integer atom indices")
        if p.size and p.min() < 0:
            raise InputError(f"parents contains {int(p.min())}; allowed: atom indices >= 0")
        self.parents = np.ascontiguousarray(p, dtype=np.int64)
        ns = len(p)
        w = np.broadcast_to(np.asarray(weights, dtype=np.float64), (ns, 3)).copy()
        bad = np.abs(w.sum(axis=1) - 1.0) > 1e-12
        if np.any(bad):
            k = int(np.argmax(bad))
            raise InputError(f"weights[{k}] = {w[k].tolist()} sums to {w[k].sum():.15g}; allowed: rows summing to 1")
        self.weights = w
        self.site_charges = np.broadcast_to(np.asarray(charges, dtype=np.float64), (ns,)).copy()
        t = np.broadcast_to(np.asarray(types), (ns,))
        if not np.issubdtype(t.dtype, np.integer) or (ns and t.min() < 0):
            raise InputError("types must be non-negative integer site types")
        self.site_types = t.astype(np.int64).copy()
        self.type_names = None if type_names is None else list(type_names)
        self.extended = None

    @property
    def n_sites(self):
        return len(self.parents)

    def site_positions(self, positions):
        """Site positions (S, 3), nm, from the real-atom ``positions`` (N, 3) (molecules kept whole)."""
        x = positions[self.parents]
        return np.einsum("sj,sja->sa", self.weights, x)

    def _extend(self, system):
        n = system.n_atoms
        if self.parents.size and self.parents.max() >= n:
            raise InputError(f"parents names atom {int(self.parents.max())}; the system has atoms 0..{n - 1}")
        ext = self.extended
        if ext is None or ext.n_atoms != n + self.n_sites:
            x = np.concatenate([system.positions, self.site_positions(system.positions)])
            types = np.concatenate([system.types, self.site_types])
            names = self.type_names
            if names is None:
                names = list(system.type_names) + [f"site{t}" for t in range(len(system.type_names),
                                                                            int(types.max()) + 1)]
            ext = System(x, masses=np.concatenate([system.masses, np.ones(self.n_sites)]), box=system.box,
                         types=types, charges=np.concatenate([system.charges, self.site_charges]),
                         type_names=names)
            self.extended = ext
        else:
            ext.positions[:n] = system.positions
            ext.positions[n:] = self.site_positions(system.positions)
            ext.charges[:n] = system.charges
            ext.types[:n] = system.types
        ext.box = system.box
        return ext

    def setup(self, system):
        # ForceField.compute calls setup on the extended system when its size changes
        super().setup(system if system is self.extended else self._extend(system))

    def compute(self, system, virial=False):
        """Energy, real-atom forces (N, 3) kJ/mol/nm and virial of the extended system (see the class)."""
        ext = self._extend(system)
        res = super().compute(ext, virial=virial)
        n = system.n_atoms
        f = res.forces[:n].copy()
        fs = res.forces[n:]
        for j in range(3):
            np.add.at(f, self.parents[:, j], self.weights[:, j, None] * fs)
        return ForceResult(res.energy, f, res.virial, res.terms)

    def energy_correction(self, system):
        return super().energy_correction(system if system is self.extended else self._extend(system))
