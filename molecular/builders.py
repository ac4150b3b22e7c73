"""Builders: fcc/bcc/sc/diamond lattices, random non-overlapping packings and water boxes (``solvate``, ``add_ions``
from :mod:`molecular.water`)."""

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.system import Box, System

_BASES = {
    "sc": [[0, 0, 0]],
    "bcc": [[0, 0, 0], [0.5, 0.5, 0.5]],
    "fcc": [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
    "diamond": [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5],
                [0.25, 0.25, 0.25], [0.75, 0.75, 0.25], [0.75, 0.25, 0.75], [0.25, 0.75, 0.75]],
}


def lattice(kind, cells, density=None, lattice_constant=None, masses=1.0, **system_kwargs):
    """A cubic crystal filling a periodic box of ``cells`` unit cells.

    Parameters
    ----------
    kind : {"sc", "bcc", "fcc", "diamond"}
    cells : int or (3,) ints
        Unit cells along x, y, z.
    density : float, optional
        Number density, nm^-3 (or reduced); sets the lattice constant.
    lattice_constant : float, optional
        Cubic cell edge, nm. Give exactly one of ``density`` and ``lattice_constant``.
    masses : float or array_like, amu
    **system_kwargs
        Passed to :class:`~molecular.system.System` (velocities, types, ...).

    Returns
    -------
    System

    Examples
    --------
    >>> s = lattice("fcc", 5, density=0.8442)      # 500 atoms, LAMMPS bench density
    >>> s.n_atoms
    500
    """
    if kind not in _BASES:
        raise InputError(f"kind={kind!r}; allowed: {', '.join(_BASES)}")
    cells = np.broadcast_to(np.asarray(cells, dtype=np.int64), (3,))
    if np.any(cells < 1):
        raise InputError(f"cells={cells.tolist()}; allowed: integers >= 1")
    basis = np.asarray(_BASES[kind], dtype=np.float64)
    if (density is None) == (lattice_constant is None):
        raise InputError("give exactly one of density= and lattice_constant=")
    if density is not None:
        check_range("density", float(density), 0.0, None, low_open=True)
        a = (len(basis) / density) ** (1 / 3)
    else:
        a = check_range("lattice_constant", float(lattice_constant), 0.0, None, low_open=True)
    grid = np.stack(np.meshgrid(*(np.arange(c) for c in cells), indexing="ij"), axis=-1).reshape(-1, 3)
    x = (grid[:, None, :] + basis[None, :, :]).reshape(-1, 3) * a
    return System(x, masses=masses, box=Box(cells * a), **system_kwargs)


def random_packing(n_atoms, box, min_distance, seed=None, masses=1.0, max_attempts=1000, **system_kwargs):
    """Place ``n_atoms`` at random in ``box`` with no pair closer than ``min_distance``.

    Random sequential insertion with a cell grid; raises :class:`InputError` if an atom cannot be
    placed in ``max_attempts`` tries (the packing is too dense).

    Parameters
    ----------
    n_atoms : int
    box : Box or array_like (3,) / (3, 3), nm
    min_distance : float, nm
    seed : int, optional
    masses : float or array_like, amu

    Returns
    -------
    System

    Examples
    --------
    >>> s = random_packing(50, [3.0, 3.0, 3.0], 0.6, seed=1)
    >>> s.n_atoms
    50
    """
    box = box if isinstance(box, Box) else Box(box)
    n_atoms = int(check_range("n_atoms", int(n_atoms), 1, None))
    dmin = check_range("min_distance", float(min_distance), 0.0, None)
    if dmin > 0.5 * box.widths.min():
        raise InputError(f"min_distance={dmin:g} nm exceeds half the smallest box width; "
                         f"allowed: [0, {0.5 * box.widths.min():g}]")
    rng = np.random.default_rng(seed)
    x = np.empty((n_atoms, 3))
    placed = 0
    for _ in range(n_atoms):
        for _attempt in range(int(max_attempts)):
            trial = rng.random(3) @ box.h
            if placed == 0:
                break
            d = box.minimum_image(x[:placed] - trial)
            if np.min(np.einsum("ij,ij->i", d, d)) >= dmin * dmin:
                break
        else:
            raise InputError(f"could not place atom {placed} of {n_atoms} after {max_attempts} attempts: "
                             f"min_distance={dmin:g} nm is too large for this box")
        x[placed] = trial
        placed += 1
    return System(x, masses=masses, box=box, **system_kwargs)


def solvate(*args, **kwargs):
    """Fill a box with water (around an optional solute); see :func:`molecular.water.solvate`.

    Examples
    --------
    >>> s = solvate([1.6, 1.6, 1.6], model="tip3p", seed=1)
    >>> s.type_names
    ['OW', 'HW']
    """
    from molecular.water import solvate as _solvate

    return _solvate(*args, **kwargs)


def add_ions(*args, **kwargs):
    """Replace waters by Joung-Cheatham ions; see :func:`molecular.water.add_ions`.

    Examples
    --------
    >>> s = add_ions(solvate([2.0, 2.0, 2.0], seed=1), molarity=0.5, seed=2)
    >>> int((abs(s.charges) == 1).sum())
    4
    """
    from molecular.water import add_ions as _add_ions

    return _add_ions(*args, **kwargs)
