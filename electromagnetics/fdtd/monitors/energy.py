"""Energy stored in the dispersive polarizations (ADE poles) of an FDTD simulation.

The ADE of a pole, ``a2 P'' + a1 P' + a0 P = eps0 b w E`` (``w``: fill fraction of the pole's
material at the E node), exchanges the work ``E . dP/dt`` with the field. Multiplying it by
``P'/(eps0 b w)`` gives the continuous energy balance [1]_::

    d/dt [ (a2 |P'|^2 + a0 |P|^2) / (2 eps0 b w) ] = E . P' - a1 |P'|^2 / (eps0 b w)

so the stored energy is kinetic + potential: Lorentz ``(|P'|^2 + omega_0^2 |P|^2)/(2 eps0 delta_eps
omega_0^2)``, Drude ``|P'|^2/(2 eps0 omega_p^2)`` (the kinetic energy of the free-electron current
``J = P'``), Debye ``|P|^2/(2 eps0 delta_eps)`` (a relaxing dipole density; ``a2 = 0``).

The same manipulation of the *discrete* schemes of :meth:`~electromagnetics.fdtd.materials.Pole.ade_coefficients`
gives the quadratic forms that balance the Yee field energy exactly, step by step (``dV`` the cell
volume, sums over the E nodes of each pole's component)::

    second order:  W_P^n = sum dV / w [ (1 - c2)/(4 c3) Re((P^{n+1} - P^n)^* (P^n - P^{n-1}))
                                        + (1 - c1 - c2)/(2 c3) |P^n|^2 ]
    Debye:         W_P^n = sum dV / w (1 - q)/(4 k) |P^n|^2

(``(1 - c2)/(2 c3) = a2/(eps0 b dt^2)``, ``(1 - c1 - c2)/c3 = a0/(eps0 b)``, ``(1 - q)/(2 k) =
a0/(eps0 b)``). With the field form of :meth:`FDTDSimulation.electromagnetic_energy`, ``W_EM^n + W_P^n``
is then conserved to round-off by a lossless (``gamma = 0``) Drude or Lorentz medium in a closed
cavity; with damping it can only decrease over a pulse (for Debye poles monotonically, step by step).
The product form of the kinetic term (like ``H^{n-1/2} H^{n+1/2}`` in the field energy) is positive
under the Courant condition. A pole with a negative strength (``delta_eps < 0``, fitted models) has
negative "energy": the sum is then a conserved quantity, not a stored energy.

References
----------
.. [1] R. Loudon, "The propagation of electromagnetic energy through an absorbing dielectric",
   J. Phys. A 3, 233 (1970); A. Taflove and S. C. Hagness, Computational Electrodynamics, 3rd ed.
   (2005), sec. 9.4 (ADE method).
"""


import numpy as np


def _box_in_region(box, region):
    """``(global, local)`` slices of ``box`` intersected with ``region`` (tuples of 3 slices), or None."""
    glob, loc = [], []
    for b, r in zip(box, region):
        start, stop, _ = r.indices(1 << 62)
        lo, hi = max(b.start, start), min(b.stop, stop)
        if hi <= lo:
            return None
        glob.append(slice(lo, hi))
        loc.append(slice(lo - b.start, hi - b.start))
    return tuple(glob), tuple(loc)


def polarization_energy(sim, region=None):
    """Energy stored in the dispersive polarizations of ``sim`` at its current step (see module docstring).

    Parameters
    ----------
    sim : FDTDSimulation
        A simulation whose ADE poles (Drude, Lorentz, Debye) hold ``P^n`` and ``P^{n-1}``.
    region : tuple of 3 slice, optional
        Node index box (default: all), as for :meth:`FDTDSimulation.electromagnetic_energy`.

    Returns
    -------
    float
        J (J/m in 2D, J/m^2 in 1D); 0 without dispersive media.

    Examples
    --------
    >>> from electromagnetics.fdtd import FDTDSimulation, Grid, Material, LorentzPole
    >>> sim = FDTDSimulation(Grid((20, 20), 1e-3), background=Material(poles=(LorentzPole(1.0, 1e11, 0.0),)))
    >>> polarization_energy(sim)   # nothing excited yet
    0.0
    """
    poles = getattr(sim, "_poles", [])
    if not poles:
        return 0.0
    g = sim.grid
    dv = float(np.prod([d for d, a in zip(g.spacing, g.active) if a]))
    reg = region if region is not None else (slice(None),) * 3
    E = sim.fields.E
    total = 0.0
    for p in poles:
        cut = _box_in_region(p["box"], reg)
        if cut is None:
            continue
        glob, loc = cut
        w = np.asarray(p["w"][loc], dtype=np.float64)
        P = np.asarray(p["P"][loc])
        inv_w = np.divide(1.0, w, out=np.zeros_like(w), where=w > 0)
        if p["implicit"]:
            q, k = p["c"]
            dens = (1 - q) / (4 * k) * np.real(P * np.conj(P))
        else:
            c1, c2, c3 = p["c"]
            Pm = np.asarray(p["Pm"][loc])
            Pn = c1 * P + c2 * Pm + c3 * w * E[p["axis"]][glob]   # P^{n+1}: the next step's ADE update
            kin = np.real(np.conj(Pn - P) * (P - Pm))
            dens = (1 - c2) / (4 * c3) * kin + (1 - c1 - c2) / (2 * c3) * np.real(P * np.conj(P))
        total += float(np.sum(inv_w * dens))
    return total * dv


def stored_energy(sim, region=None):
    """Field plus polarization energy: ``(W_fields, W_polarization)`` in J (J/m in 2D, J/m^2 in 1D).

    ``W_fields`` is :meth:`FDTDSimulation.electromagnetic_energy` without the polarization part,
    ``W_polarization`` is :func:`polarization_energy`; their sum is the quantity a lossless
    dispersive medium in a closed cavity conserves.

    Parameters
    ----------
    sim : FDTDSimulation
    region : tuple of 3 slice, optional
        Node index box (default: all).

    Returns
    -------
    tuple of float

    Examples
    --------
    >>> from electromagnetics.fdtd import FDTDSimulation, Grid
    >>> stored_energy(FDTDSimulation(Grid((10, 10), 1e-3)))
    (0.0, 0.0)
    """
    return sim.electromagnetic_energy(region, polarization=False), polarization_energy(sim, region)
