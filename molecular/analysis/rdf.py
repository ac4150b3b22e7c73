"""Radial distribution function g(r), all pairs or between two atom types."""

import numpy as np

from mindscience.errors import InputError, check_range
from molecular.analysis._common import frames_from
from molecular.neighbors import NeighborList
from molecular.system import Box, System


def rdf(positions, box=None, r_max=None, bins=100, types=None, pair=None):
    r"""Radial distribution function averaged over frames.

    .. math:: g_{ab}(r) = \frac{\langle n_{ab}(r, r + dr) \rangle}{\rho_{ab} \, 4\pi/3 [(r+dr)^3 - r^3]}

    with the ideal-gas pair count ``N_a N_b / V`` (``N_a (N_a - 1) / (2V)`` for like pairs).

    Parameters
    ----------
    positions : ndarray (T, N, 3) or (N, 3), nm, or path of an H5MD file
    box : Box or ndarray (3,), (3, 3) or (T, 3, 3), nm
        Taken from the H5MD file when a path is given.
    r_max : float, nm
        At most half the smallest box width (default: that).
    bins : int
    types : ndarray (N,) of int, optional
        Atom types (from the file's species when a path is given).
    pair : (int, int), optional
        Only pairs between these two types.

    Returns
    -------
    r : ndarray (bins,)
        Bin centres, nm.
    g : ndarray (bins,)

    Examples
    --------
    >>> from molecular import lattice
    >>> s = lattice("fcc", 4, density=0.8)
    >>> r, g = rdf(s.positions, s.box, r_max=2.0, bins=50)
    """
    x, _, fbox, species = frames_from(positions, "positions")
    if box is None:
        box = fbox
    if box is None:
        raise InputError("rdf needs a periodic box (box=None)")
    if isinstance(box, Box):
        box = box.h
    box = np.asarray(box, dtype=np.float64)
    if box.ndim == 1:
        box = np.diag(box)
    if box.ndim == 2:
        box = np.broadcast_to(box, (len(x), 3, 3))
    if types is None:
        types = species if species is not None else np.zeros(x.shape[1], dtype=np.int64)
    types = np.asarray(types)
    wmin = min(Box(b).widths.min() for b in box)
    r_max = 0.5 * wmin if r_max is None else check_range("r_max", float(r_max), 0.0, 0.5 * wmin, low_open=True)
    edges = np.linspace(0.0, r_max, int(bins) + 1)
    hist = np.zeros(int(bins))
    nl = NeighborList(cutoff=r_max, skin=0.0)
    ideal = 0.0
    for frame, h in zip(x, box):
        s = System(frame, box=Box(h))
        nl.invalidate()
        i, j, r = nl.pairs(s)
        if pair is not None:
            a, b = pair
            sel = ((types[i] == a) & (types[j] == b)) | ((types[i] == b) & (types[j] == a))
            r = r[sel]
            na, nb = np.sum(types == a), np.sum(types == b)
            npairs = na * (na - 1) / 2 if a == b else na * nb
        else:
            n = len(frame)
            npairs = n * (n - 1) / 2
        hist += np.histogram(r, bins=edges)[0]
        ideal += npairs / Box(h).volume
    shell = 4.0 / 3.0 * np.pi * (edges[1:] ** 3 - edges[:-1] ** 3)
    return 0.5 * (edges[1:] + edges[:-1]), hist / (ideal * shell)
