"""Materials: isotropic eps, mu, conductivities and dispersive poles (Drude, Lorentz, Debye) + a small library.

Convention: time-harmonic fields ``exp(-i omega t)``, so losses give ``Im eps > 0``. Relative
permittivity of a :class:`Material` at angular frequency omega::

    eps(omega) = eps_inf + i sigma/(omega eps0) + sum_p chi_p(omega)

    Drude    chi = -omega_p^2 / (omega^2 + i gamma omega)
    Lorentz  chi = delta_eps omega_0^2 / (omega_0^2 - omega^2 - i gamma omega)
    Debye    chi = delta_eps / (1 - i omega tau)

Each pole is advanced in time by the auxiliary differential equation (ADE) of its polarization P
(C/m^2), ``a2 P'' + a1 P' + a0 P = b0 E``, with central differences at step n (see
:meth:`Pole.ade_coefficients`); the E update then subtracts ``(P^{n+1} - P^n)/dt``.
"""

import dataclasses
import math

import numpy as np
from scipy.constants import e as QE
from scipy.constants import epsilon_0 as EPS0
from scipy.constants import hbar

from mindscience.errors import InputError, check_range

EV = QE / hbar
"""Angular frequency of 1 eV photon energy, rad/s (multiply eV values by this)."""


class Pole:
    """Base of dispersive poles: the ADE ``a2 P'' + a1 P' + a0 P = eps0 b E`` with coefficients per subclass."""

    def _abc(self):
        raise NotImplementedError

    def susceptibility(self, omega):
        """chi(omega) of this pole (dimensionless, complex), omega in rad/s."""
        a2, a1, a0, b = self._abc()
        w = np.asarray(omega, dtype=float)
        return b / (a0 - 1j * w * a1 - w**2 * a2)

    @property
    def implicit(self):
        """True for first-order (Debye) poles, which are coupled to E semi-implicitly."""
        return self._abc()[0] == 0

    def ade_coefficients(self, dt):
        """Time-stepping coefficients of the pole's ADE.

        Second-order poles (``a2 != 0``, Drude and Lorentz): ``(c1, c2, c3)`` of the explicit central
        scheme ``P^{n+1} = c1 P^n + c2 P^{n-1} + c3 E^n`` from
        ``a2 (P+ - 2P + P-)/dt^2 + a1 (P+ - P-)/(2dt) + a0 P = eps0 b E`` (second order in dt).

        First-order poles (Debye): ``(q, k)`` of the trapezoidal scheme
        ``P^{n+1} = q P^n + k (E^{n+1} + E^n)``, from
        ``a1 (P+ - P)/dt + a0 (P+ + P)/2 = eps0 b (E+ + E)/2`` (second order, unconditionally
        stable). Its implicit part ``k E^{n+1}`` is folded into the E-update coefficients.

        Parameters
        ----------
        dt : float
            Time step, s.
        """
        a2, a1, a0, b = self._abc()
        if a2 == 0:
            den = a1 / dt + a0 / 2
            return (a1 / dt - a0 / 2) / den, EPS0 * b / 2 / den
        den = a2 / dt**2 + a1 / (2 * dt)
        c1 = (2 * a2 / dt**2 - a0) / den
        c2 = (-a2 / dt**2 + a1 / (2 * dt)) / den
        c3 = EPS0 * b / den
        return c1, c2, c3


@dataclasses.dataclass(frozen=True)
class DrudePole(Pole):
    """Free-electron pole ``chi = -omega_p^2/(omega^2 + i gamma omega)``.

    Parameters
    ----------
    omega_p : float
        Plasma angular frequency, rad/s (> 0).
    gamma : float
        Collision rate, rad/s (>= 0).
    """

    omega_p: float
    gamma: float

    def __post_init__(self):
        check_range("DrudePole.omega_p", float(self.omega_p), 0, None, low_open=True)
        check_range("DrudePole.gamma", float(self.gamma), 0, None)

    def _abc(self):
        return 1.0, self.gamma, 0.0, self.omega_p**2


@dataclasses.dataclass(frozen=True)
class LorentzPole(Pole):
    """Bound-oscillator pole ``chi = delta_eps omega_0^2/(omega_0^2 - omega^2 - i gamma omega)``.

    Parameters
    ----------
    delta_eps : float
        Static strength (dimensionless, may be negative in fitted models).
    omega_0 : float
        Resonance angular frequency, rad/s (> 0).
    gamma : float
        Damping rate, rad/s (>= 0).
    """

    delta_eps: float
    omega_0: float
    gamma: float

    def __post_init__(self):
        check_range("LorentzPole.omega_0", float(self.omega_0), 0, None, low_open=True)
        check_range("LorentzPole.gamma", float(self.gamma), 0, None)

    def _abc(self):
        return 1.0, self.gamma, self.omega_0**2, self.delta_eps * self.omega_0**2


@dataclasses.dataclass(frozen=True)
class DebyePole(Pole):
    """Relaxation pole ``chi = delta_eps/(1 - i omega tau)``.

    Parameters
    ----------
    delta_eps : float
        ``eps_static - eps_inf`` (>= 0).
    tau : float
        Relaxation time, s (> 0).
    """

    delta_eps: float
    tau: float

    def __post_init__(self):
        check_range("DebyePole.delta_eps", float(self.delta_eps), 0, None)
        check_range("DebyePole.tau", float(self.tau), 0, None, low_open=True)

    def _abc(self):
        return 0.0, self.tau, 1.0, self.delta_eps


@dataclasses.dataclass(frozen=True)
class Material:
    """An isotropic, linear medium.

    Parameters
    ----------
    eps : float
        Relative permittivity at infinite frequency (eps_inf), > 0. A metal's negative
        permittivity must come from a :class:`DrudePole` (or Lorentz poles), not from ``eps``.
    mu : float
        Relative permeability, > 0.
    sigma : float
        Electric conductivity, S/m (>= 0).
    sigma_m : float
        Magnetic conductivity, ohm/m (>= 0).
    poles : tuple of Pole
        Dispersive poles advanced by the ADE method.
    name : str

    Examples
    --------
    >>> glass = Material(eps=2.25)
    >>> round(glass.epsilon(1e14).real, 6)
    2.25
    """

    eps: float = 1.0
    mu: float = 1.0
    sigma: float = 0.0
    sigma_m: float = 0.0
    poles: tuple = ()
    name: str = ""

    def __post_init__(self):
        if not (self.eps > 0 and math.isfinite(self.eps)):
            raise InputError(
                f"Material.eps={self.eps!r} is out of range; allowed: (0, inf). A negative permittivity "
                "needs a dispersive model: use eps=1 with poles=(DrudePole(omega_p, gamma),)")
        check_range("Material.mu", float(self.mu), 0, None, low_open=True)
        check_range("Material.sigma", float(self.sigma), 0, None)
        check_range("Material.sigma_m", float(self.sigma_m), 0, None)
        object.__setattr__(self, "poles", tuple(self.poles))
        for p in self.poles:
            if not isinstance(p, Pole):
                raise InputError(f"Material.poles entries must be DrudePole/LorentzPole/DebyePole, got {p!r}")

    @property
    def dispersive(self):
        return bool(self.poles)

    def epsilon(self, frequency):
        """Complex relative permittivity at ``frequency`` (Hz, scalar or array)."""
        w = 2 * np.pi * np.asarray(frequency, dtype=float)
        out = self.eps + 0j * w
        if self.sigma:
            out = out + 1j * self.sigma / (w * EPS0)
        for p in self.poles:
            out = out + p.susceptibility(w)
        return out

    def refractive_index(self, frequency):
        """Complex refractive index ``sqrt(eps mu)`` with ``Im n >= 0``."""
        n = np.sqrt(self.epsilon(frequency) * self.mu)
        return np.where(n.imag < 0, -n, n)


VACUUM = Material(name="vacuum")


def _rakic(name, omega_p_ev, f0, gamma0_ev, lorentz):
    poles = [DrudePole(math.sqrt(f0) * omega_p_ev * EV, gamma0_ev * EV)]
    for f, gamma_ev, omega_ev in lorentz:
        poles.append(LorentzPole(f * omega_p_ev**2 / omega_ev**2, omega_ev * EV, gamma_ev * EV))
    return Material(eps=1.0, poles=tuple(poles), name=name)


def gold():
    """Au, Lorentz-Drude model of Rakic et al. [1]_ (valid 0.2-5 um); ``(f, Gamma eV, omega eV)`` as published.

    References
    ----------
    .. [1] A. D. Rakic, A. B. Djurisic, J. M. Elazar and M. L. Majewski, "Optical properties of
       metallic films for vertical-cavity optoelectronic devices", Appl. Opt. 37, 5271 (1998), Table 1.
    """
    return _rakic("Au", 9.03, 0.760, 0.053, [(0.024, 0.241, 0.415), (0.010, 0.345, 0.830),
                                              (0.071, 0.870, 2.969), (0.601, 2.494, 4.304),
                                              (4.384, 2.214, 13.32)])


def silver():
    """Ag, Lorentz-Drude model of Rakic et al. (1998), Appl. Opt. 37, 5271, Table 1."""
    return _rakic("Ag", 9.01, 0.845, 0.048, [(0.065, 3.886, 0.816), (0.124, 0.452, 4.481),
                                              (0.011, 0.065, 8.185), (0.840, 0.916, 9.083),
                                              (5.646, 2.419, 20.29)])


def aluminium():
    """Al, Lorentz-Drude model of Rakic et al. (1998), Appl. Opt. 37, 5271, Table 1."""
    return _rakic("Al", 14.98, 0.523, 0.047, [(0.227, 0.333, 0.162), (0.050, 0.312, 1.544),
                                               (0.166, 1.351, 1.808), (0.030, 3.382, 3.473)])


def gold_drude():
    """Au, Drude part only of Rakic et al. (1998): adequate in the infrared (lambda > 1 um)."""
    return _rakic("Au-Drude", 9.03, 0.760, 0.053, [])


def water():
    """Liquid water at 25 C, single Debye relaxation: eps_s = 78.36, eps_inf = 5.2, tau = 8.27 ps [1]_.

    References
    ----------
    .. [1] U. Kaatze, "Complex permittivity of water as a function of frequency and temperature",
       J. Chem. Eng. Data 34, 371 (1989).
    """
    return Material(eps=5.2, poles=(DebyePole(78.36 - 5.2, 8.27e-12),), name="water")


LIBRARY = {"Au": gold, "Ag": silver, "Al": aluminium, "Au-Drude": gold_drude, "water": water}
"""Name -> factory of the library materials."""


def get_material(name):
    """Library material by name (``"Au"``, ``"Ag"``, ``"Al"``, ``"Au-Drude"``, ``"water"``)."""
    if name not in LIBRARY:
        raise InputError(f"material={name!r} is not in the library; available: {', '.join(LIBRARY)}")
    return LIBRARY[name]()
