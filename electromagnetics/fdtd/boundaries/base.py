"""Boundary base class and the resolution of a user's boundary specification into six faces."""

from electromagnetics.fdtd.grid import AXES
from mindscience.errors import InputError

FACES = ("x-", "x+", "y-", "y+", "z-", "z+")


class Boundary:
    """A face condition. Subclasses set ``wrap(grid, axis, high)`` (the kernels' wrap factor) and,
    where needed, ``fix_e``/``fix_h`` (applied after the bulk E/H update) or, for CPML, a slab.

    ``paired`` boundaries (periodic, Bloch) must be given on both faces of an axis.
    """

    paired = False

    def wrap(self, grid, axis, high):
        return 0.0

    def fix_e(self, fields, axis, high):
        """Enforce the condition on E after the E update (default: nothing)."""

    def fix_h(self, fields, axis, high):
        """Enforce the condition on H after the H update (default: nothing)."""


def resolve_boundaries(grid, spec):
    """Turn ``spec`` into ``{face: Boundary}`` for the six faces.

    Parameters
    ----------
    grid : Grid
    spec : Boundary or dict
        One boundary for every active face, or a dict with keys ``"x"``, ``"y"``, ``"z"`` (both
        faces of that axis), ``"x-"``, ``"x+"``, ... (one face) or ``"all"``. Faces not given are
        PEC. Unused axes of 1D/2D grids are always periodic (and must not be given otherwise).

    Returns
    -------
    dict
    """
    from electromagnetics.fdtd.boundaries.pec import PEC
    from electromagnetics.fdtd.boundaries.periodic import Periodic

    if spec is None:
        spec = {}
    if isinstance(spec, Boundary):
        spec = {"all": spec}
    if not isinstance(spec, dict):
        raise InputError(f"boundaries={spec!r} must be a Boundary or a dict like {{'x': CPML(10), 'y': Periodic()}}")
    faces = {}
    for key, b in spec.items():
        if not isinstance(b, Boundary):
            raise InputError(f"boundaries[{key!r}]={b!r} is not a Boundary (PEC, PMC, Periodic, Bloch, CPML)")
        if key == "all":
            targets = [f for f in FACES if grid.active[AXES.index(f[0])]]
        elif key in AXES:
            targets = [key + "-", key + "+"]
        elif key in FACES:
            targets = [key]
        else:
            raise InputError(f"boundaries key {key!r} is not one of 'all', 'x', 'y', 'z', {', '.join(FACES)}")
        for f in targets:
            if not grid.active[AXES.index(f[0])]:
                raise InputError(f"boundaries[{key!r}]: axis {f[0]} is unused in a {grid.ndim}D grid "
                                 "(it is implicitly periodic)")
            faces[f] = b
    out = {}
    for f in FACES:
        ax = AXES.index(f[0])
        out[f] = faces.get(f, PEC()) if grid.active[ax] else Periodic()
    for ax in AXES:
        lo, hi = out[ax + "-"], out[ax + "+"]
        if (lo.paired or hi.paired) and lo is not hi and type(lo) is not type(hi):
            raise InputError(f"boundaries on {ax}: a {type(lo).__name__ if lo.paired else type(hi).__name__} "
                             "boundary must be given on both faces of the axis (use key 'x', 'y' or 'z')")
    return out
