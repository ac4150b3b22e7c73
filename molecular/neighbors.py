"""Neighbour lists: cell binning and full Verlet lists with a skin, rebuilt automatically (numba)."""

import math

import numpy as np

from mindscience.errors import InputError, check_range
from molecular import _kernels as K

#: Below this many atoms kernels run serially: a parallel launch costs ~0.1 ms on the workqueue layer.
PARALLEL_MIN_ATOMS = 4000


def parallel_chunks(n_atoms):
    """Number of row blocks to run in parallel for ``n_atoms`` (0: run serially).

    Results never depend on it: each atom's row is computed by one thread in a fixed order.
    """
    import numba

    threads = numba.get_num_threads()
    if n_atoms < PARALLEL_MIN_ATOMS or threads < 2:
        return 0
    return min(n_atoms // 256, 16 * threads)


class NeighborList:
    """Full Verlet list (each pair stored for both atoms) built from cell lists, with a skin.

    Pairs within ``cutoff + skin`` are listed; the list stays valid until some atom has moved more
    than ``skin / 2`` since the build, the box changed, or :meth:`invalidate` was called, and
    :meth:`update` rebuilds it then. Positions are never wrapped: the list stores, per pair, an
    integer image shift, so unwrapped coordinates (for diffusion) stay untouched. Boxes of any
    shape (triclinic) and boxes only a couple of cutoffs wide are handled by explicit image shifts.

    Parameters
    ----------
    cutoff : float
        Interaction cutoff, nm. Must not exceed half the smallest box width.
    skin : float
        Extra list radius, nm (>= 0; 0 rebuilds every time any atom moves).
    cells_per_cutoff : int
        Cell edge is about ``(cutoff + skin) / cells_per_cutoff`` (1 was fastest for LJ liquids).

    Attributes
    ----------
    n_builds : int
        Number of builds so far.

    Examples
    --------
    >>> from molecular.builders import lattice
    >>> system = lattice("fcc", (3, 3, 3), density=0.8)
    >>> nl = NeighborList(cutoff=2.0, skin=0.3)
    >>> nl.update(system)
    True
    """

    def __init__(self, cutoff, skin=0.3, cells_per_cutoff=1):
        self.cutoff = check_range("cutoff", float(cutoff), 0.0, None, low_open=True)
        self.skin = check_range("skin", float(skin), 0.0, None)
        self.cells_per_cutoff = int(check_range("cells_per_cutoff", int(cells_per_cutoff), 1, 4))
        self.n_builds = 0
        self._maxnb = 0
        self._shift_ints = None
        self._shift_m = None
        self.invalidate()

    @property
    def rlist(self):
        return self.cutoff + self.skin

    def invalidate(self):
        """Force a rebuild at the next :meth:`update`."""
        self.xref = None
        self.href = None

    # ------------------------------------------------------------------ building
    def check_box(self, box):
        """Raise :class:`InputError` if ``cutoff`` exceeds half the smallest width of ``box``."""
        if box is None:
            return
        wmin = float(box.widths.min())
        if self.cutoff > 0.5 * wmin * (1 + 1e-12):
            raise InputError(f"cutoff={self.cutoff:g} nm is larger than half the smallest box width "
                             f"({0.5 * wmin:g} nm); allowed: (0, {0.5 * wmin:g}] nm")

    def needs_update(self, system):
        """Whether the list may miss a pair within ``cutoff`` at the current positions and box.

        Positions are compared with the build's in the build's box frame (fractional coordinates
        mapped back with the old box vectors), so a slightly deformed box (barostat) does not force a
        rebuild: the list stays valid while ``cutoff * (s_max - 1) + 2 d_max <= skin``, with ``s_max``
        the largest stretch of the deformation and ``d_max`` the largest displacement; for a fixed
        box this is the usual "an atom moved more than half the skin".
        """
        if self.xref is None or self.xref.shape != system.positions.shape:
            return True
        if (system.box is None) != (self.href is None):
            return True
        x = system.positions
        budget = 0.5 * self.skin
        if system.box is not None and not np.array_equal(self.href, system.box.h):
            self.check_box(system.box)
            a = np.linalg.solve(system.box.h, self.href)  # current Cartesian -> build-frame Cartesian
            budget = 0.5 * (self.skin - self.cutoff * (np.linalg.norm(a, 2) - 1.0))
            if budget <= 0:
                return True
            x = x @ a
        return K.max_displacement2(x, self.xref) > budget * budget

    def update(self, system, force=False):
        """Rebuild the list if needed (or if ``force``); return whether it was rebuilt."""
        if force or self.needs_update(system):
            self.build(system.positions, system.box)
            return True
        return False

    def build(self, positions, box):
        """Build the list for ``positions`` (N, 3) nm in ``box`` (:class:`Box` or None).

        The result depends only on these two arguments, so rebuilding from the same reference
        positions reproduces the list exactly (used for bit-identical restarts).
        """
        self.check_box(box)
        x = np.ascontiguousarray(positions, dtype=np.float64)
        n = x.shape[0]
        if not np.all(np.isfinite(x)):
            raise InputError("positions are not finite (NaN or inf); cannot build the neighbour list")
        rl = self.rlist
        if box is not None:
            h = box.h
            s = x @ np.linalg.inv(h)
            offset = np.floor(s)
            s -= offset
            widths = box.widths
            ncell = np.maximum(1, np.floor(self.cells_per_cutoff * widths / rl)).astype(np.int64)
            reach = np.ceil(rl * ncell / widths - 1e-12).astype(np.int64)
            reach = np.maximum(reach, 1)
            mshift = int(max(1, max(math.ceil(r / c) for r, c in zip(reach, ncell))))
            pbc = np.ones(3, dtype=np.bool_)
            xw = x - offset @ h
            volume = box.volume
        else:
            h = np.zeros((3, 3))
            offset = np.zeros((n, 3))
            lo = x.min(axis=0)
            extent = np.maximum(x.max(axis=0) - lo, 1e-9) * (1 + 1e-9)
            ncell = np.maximum(1, np.floor(self.cells_per_cutoff * extent / rl)).astype(np.int64)
            reach = np.maximum(1, np.ceil(rl * ncell / extent - 1e-12)).astype(np.int64)
            s = (x - lo) / extent
            mshift = 0
            pbc = np.zeros(3, dtype=np.bool_)
            xw = x
            volume = float(np.prod(np.maximum(extent, rl)))
        cell_ijk = np.minimum((s * ncell).astype(np.int64), ncell - 1)
        cell_ijk = np.maximum(cell_ijk, 0)
        start, atoms = K.bin_atoms(cell_ijk, ncell)
        xw = np.ascontiguousarray(xw)
        xs = np.ascontiguousarray(xw[atoms])
        self.offset = offset.astype(np.float64)
        self.mshift = mshift
        shifts = self._shift_table(h)
        if self._maxnb == 0:
            expected = n / volume * 4.0 / 3.0 * math.pi * rl**3
            self._maxnb = int(min(n * (2 * mshift + 1) ** 3, 1.3 * expected + 16))
        while True:
            nbr = np.empty((n, self._maxnb), dtype=np.int32)
            code = np.empty((n, self._maxnb), dtype=np.int16)
            nn = np.empty(n, dtype=np.int64)
            args = (xw, xs, cell_ijk, start, atoms, ncell, reach, pbc, shifts, mshift, rl * rl, self._maxnb,
                    nbr, code, nn)
            chunks = parallel_chunks(n)
            if chunks:
                K.build_verlet_parallel(chunks, *args)
            else:
                K.build_verlet(0, n, *args)
            need = int(nn.max()) if n else 0
            if need <= self._maxnb:
                break
            self._maxnb = int(need * 1.2) + 8
        self.nbr, self.code, self.nn = nbr, code, nn
        self.xref = x.copy()
        self.href = None if box is None else box.h.copy()
        self.n_builds += 1

    def _shift_table(self, h):
        if self._shift_ints is None or self._shift_m != self.mshift:
            m = self.mshift
            r = np.arange(-m, m + 1, dtype=np.float64)
            self._shift_ints = np.stack(np.meshgrid(r, r, r, indexing="ij"), axis=-1).reshape(-1, 3)
            self._shift_m = m
        return self._shift_ints @ h

    # ------------------------------------------------------------------ use
    def data(self, system):
        """Arrays for pair kernels at the current positions (list updated first if needed).

        Returns
        -------
        xw : float64 (N, 3), nm
            Positions moved by the integer image offsets of the last build.
        nbr : int32 (N, maxnb); code : int16 (N, maxnb); nn : int64 (N,)
            Neighbours of atom ``i`` are ``nbr[i, :nn[i]]``; image of ``j`` is ``xw[j] + shifts[code]``.
        shifts : float64 (ncodes, 3), nm
        """
        self.update(system)
        if system.box is None:
            xw = np.ascontiguousarray(system.positions)
            h = np.zeros((3, 3))
        else:
            h = system.box.h
            xw = np.empty_like(system.positions)
            K.wrapped_positions(system.positions, self.offset, h, xw)
        return xw, self.nbr, self.code, self.nn, self._shift_table(h)

    def pairs(self, system, cutoff=None):
        """All pairs ``i < j`` closer than ``cutoff`` (default: the list cutoff).

        Returns
        -------
        i, j : int64 arrays, shape (P,)
        r : float64 array, shape (P,), nm
            Distances (minimum image).
        """
        cutoff = self.cutoff if cutoff is None else float(cutoff)
        xw, nbr, code, nn, shifts = self.data(system)
        n = xw.shape[0]
        ii = np.repeat(np.arange(n), nn)
        mask = np.arange(nbr.shape[1])[None, :] < nn[:, None]
        jj = nbr[mask].astype(np.int64)
        cc = code[mask]
        d = xw[jj] + shifts[cc] - xw[ii]
        r = np.sqrt(np.einsum("ij,ij->i", d, d))
        keep = (ii < jj) & (r < cutoff)
        return ii[keep], jj[keep], r[keep]

    def get_state(self):
        """Reference positions/box of the last build (enough to rebuild the identical list)."""
        return {"xref": self.xref, "href": self.href}

    def set_state(self, state):
        from molecular.system import Box

        xref, href = state["xref"], state["href"]
        self.invalidate()
        if xref is not None:
            self.build(np.asarray(xref), None if href is None else Box(np.asarray(href)))
