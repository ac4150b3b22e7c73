"""Joung-Cheatham monovalent ion parameters (alkali and halide ions) for SPC/E, TIP3P and TIP4P-Ew water.

Lennard-Jones parameters of I. S. Joung and T. E. Cheatham III, J. Phys. Chem. B 112, 9020 (2008),
Table 5, fitted with each water model and Lorentz-Berthelot mixing (as distributed in AMBER's
``frcmod.ionsjc_spce``, ``frcmod.ionsjc_tip3p`` and ``frcmod.ionsjc_tip4pew``). The paper gives
``R_min/2`` in angstrom and ``epsilon`` in kcal/mol; :func:`ion_parameters` converts to
``sigma = 2 (R_min/2) / 2^(1/6)`` in nm and ``epsilon`` in kJ/mol.
"""

import dataclasses

from mindscience.errors import InputError

#: J. Phys. Chem. B 112, 9020 (2008), Table 5: ``{water: {ion: (R_min/2 angstrom, epsilon kcal/mol)}}``
JOUNG_CHEATHAM_2008 = {
    "spce": {
        "Li+": (0.791, 0.3367344), "Na+": (1.212, 0.3526418), "K+": (1.593, 0.4297054),
        "Rb+": (1.737, 0.4451036), "Cs+": (2.021, 0.0898565),
        "F-": (2.257, 0.0074005), "Cl-": (2.711, 0.0127850), "Br-": (2.751, 0.0269586), "I-": (2.919, 0.0427845),
    },
    "tip3p": {
        "Li+": (1.025, 0.0279896), "Na+": (1.369, 0.0874393), "K+": (1.705, 0.1936829),
        "Rb+": (1.813, 0.3278219), "Cs+": (1.976, 0.4065394),
        "F-": (2.303, 0.0033640), "Cl-": (2.513, 0.0355910), "Br-": (2.608, 0.0586554), "I-": (2.860, 0.0536816),
    },
    "tip4pew": {
        "Li+": (0.808, 0.1039884), "Na+": (1.226, 0.1684375), "K+": (1.590, 0.2794651),
        "Rb+": (1.709, 0.4331494), "Cs+": (1.888, 0.3944318),
        "F-": (2.538, 0.0015752), "Cl-": (2.760, 0.0116615), "Br-": (2.768, 0.0303773), "I-": (2.952, 0.0417082),
    },
}

#: standard atomic weights, amu (as in the AMBER/OpenMM ion libraries)
ION_MASSES = {"Li+": 6.94, "Na+": 22.99, "K+": 39.10, "Rb+": 85.47, "Cs+": 132.91,
              "F-": 19.00, "Cl-": 35.45, "Br-": 79.90, "I-": 126.90}

#: aliases accepted for ion names (case-insensitive) -> canonical name
_ALIASES = {"li": "Li+", "na": "Na+", "k": "K+", "rb": "Rb+", "cs": "Cs+", "f": "F-", "cl": "Cl-", "br": "Br-",
            "i": "I-"}
_WATER_ALIASES = {"spce": "spce", "spc/e": "spce", "tip3p": "tip3p", "tip4pew": "tip4pew", "tip4p-ew": "tip4pew"}

_KCAL = 4.184
_TWO_SIXTH = 2.0 ** (1.0 / 6.0)


@dataclasses.dataclass(frozen=True)
class Ion:
    """Lennard-Jones ion parameters (usable as a per-type entry with Lorentz-Berthelot mixing).

    Attributes
    ----------
    name : str
        Canonical name, e.g. ``"Na+"``.
    charge : float
        e.
    mass : float
        amu.
    sigma : float
        nm.
    epsilon : float
        kJ/mol.
    water : str
        Water model the parameters were fitted with.
    reference : str
    """

    name: str
    charge: float
    mass: float
    sigma: float
    epsilon: float
    water: str
    reference: str = "I. S. Joung and T. E. Cheatham III, J. Phys. Chem. B 112, 9020 (2008), Table 5"

    @property
    def element(self):
        return self.name.rstrip("+-")


def canonical_ion(name):
    """Canonical ion name (``"Na+"``) from ``"Na+"``, ``"NA"``, ``"na"``, ...; :class:`InputError` if unknown."""
    key = str(name).strip().rstrip("+-").lower()
    if key not in _ALIASES:
        raise InputError(f"ion={name!r} is not a Joung-Cheatham ion; allowed: {', '.join(ION_MASSES)}")
    return _ALIASES[key]


def canonical_water(water):
    """Canonical water-model key (``"spce"``, ``"tip3p"``, ``"tip4pew"``) from a name or WaterModel."""
    name = getattr(water, "name", water)
    key = str(name).strip().lower()
    if key not in _WATER_ALIASES:
        raise InputError(f"water={name!r} has no Joung-Cheatham parameters; allowed: SPC/E, TIP3P, TIP4P-Ew")
    return _WATER_ALIASES[key]


def ion_parameters(ion, water="spce"):
    """Joung-Cheatham parameters of ``ion`` fitted for ``water``.

    Parameters
    ----------
    ion : str
        ``"Li+"``, ``"Na+"``, ``"K+"``, ``"Rb+"``, ``"Cs+"``, ``"F-"``, ``"Cl-"``, ``"Br-"`` or ``"I-"``
        (case-insensitive; the sign may be omitted).
    water : str or WaterModel
        ``"spce"``, ``"tip3p"`` or ``"tip4pew"`` (or the model object).

    Returns
    -------
    Ion

    Examples
    --------
    >>> na = ion_parameters("Na+", "spce")
    >>> round(na.sigma, 5), round(na.epsilon, 5)
    (0.21595, 1.47545)
    """
    name = canonical_ion(ion)
    w = canonical_water(water)
    rmin_half, eps = JOUNG_CHEATHAM_2008[w][name]
    return Ion(name=name, charge=1.0 if name.endswith("+") else -1.0, mass=ION_MASSES[name],
               sigma=2.0 * rmin_half / _TWO_SIXTH / 10.0, epsilon=eps * _KCAL, water=w)
