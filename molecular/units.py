"""Units of the molecular suite: nm, ps, amu, kJ/mol, K, e (as OpenMM/GROMACS) and LJ reduced units."""

import dataclasses

import scipy.constants as _sc

#: Boltzmann constant in kJ/(mol K): k_B N_A / 1000.
KB = _sc.k * _sc.N_A / 1000.0
#: Avogadro constant, 1/mol.
NA = _sc.N_A
#: 1 bar in kJ/(mol nm^3) (pressure unit conversion): 1e5 Pa * 1e-27 m^3 * N_A / 1000.
BAR = 1e5 * 1e-27 * _sc.N_A / 1000.0


@dataclasses.dataclass(frozen=True)
class LJUnits:
    """Lennard-Jones reduced units built on a length ``sigma``, energy ``epsilon`` and ``mass``.

    With ``sigma = epsilon = mass = 1`` and ``kB = 1`` every quantity is already reduced; the
    suite then works in reduced units throughout (give ``kB=1`` to thermostats, see
    :attr:`kB`). For a real fluid (argon: sigma = 0.3405 nm, epsilon = 0.99774 kJ/mol,
    mass = 39.948 amu) the properties convert reduced values to nm, ps, kJ/mol, K, bar.

    Parameters
    ----------
    sigma : float
        Length unit, nm.
    epsilon : float
        Energy unit, kJ/mol.
    mass : float
        Mass unit, amu.

    Examples
    --------
    >>> argon = LJUnits(0.3405, 0.99774, 39.948)
    >>> round(argon.temperature, 2)     # K per reduced temperature unit
    120.0
    """

    sigma: float = 1.0
    epsilon: float = 1.0
    mass: float = 1.0

    @property
    def kB(self):
        """Boltzmann constant in these units' energy per kelvin (1 in pure reduced units)."""
        return 1.0 if self.is_reduced else KB

    @property
    def is_reduced(self):
        return self.sigma == 1.0 and self.epsilon == 1.0 and self.mass == 1.0

    @property
    def time(self):
        """Reduced time unit tau = sigma sqrt(m / epsilon), in ps."""
        return self.sigma * (self.mass / self.epsilon) ** 0.5

    @property
    def temperature(self):
        """Reduced temperature unit epsilon / kB, in K."""
        return self.epsilon / KB

    @property
    def pressure(self):
        """Reduced pressure unit epsilon / sigma^3, in bar."""
        return self.epsilon / self.sigma**3 / BAR

    @property
    def density(self):
        """Reduced number density unit 1 / sigma^3, in nm^-3."""
        return 1.0 / self.sigma**3


ARGON = LJUnits(sigma=0.3405, epsilon=0.99774, mass=39.948)
"""Argon LJ parameters (Rahman 1964: sigma = 3.405 A, epsilon/kB = 120 K)."""
