"""Rigid water models: SPC/E, TIP3P and TIP4P-Ew parameters (with the TIP4P virtual site), with citations."""

import dataclasses
import math

import numpy as np


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
