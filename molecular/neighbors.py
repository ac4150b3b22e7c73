"""Neighbour lists: cell binning and full Verlet lists with a skin, rebuilt automatically (numba); a
cell-sorted form whose central-image pairs need no image lookup serves the fast pair kernels, and a
cell-sorted half list with ghost images the fused Lennard-Jones + Coulomb pass."""

import dataclasses
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


#: Cell edge of the cell-sorted list: about the list radius / 2 (fewer candidate pairs than 1 per radius).
SORTED_CELLS_PER_CUTOFF = 2


def row_blocks(n_atoms):
    """Row-block boundaries for sorted-list kernels, int64 (B + 1,): fixed by ``n_atoms`` alone (never by
    the thread count), so that per-block sums are reproducible for any number of threads."""
    nb = 1 if n_atoms < PARALLEL_MIN_ATOMS else max(1, min(64, n_atoms // 2000))
    return (np.arange(nb + 1, dtype=np.int64) * n_atoms) // nb


@dataclasses.dataclass
class SortedList:
    """Arrays of the cell-sorted full neighbour list (see :meth:`NeighborList.sorted_data`).

    Attributes
    ----------
    perm : int64 (N,)
        Original index of each sorted atom (atoms renumbered in cell order).
    nbr : int32 (N, maxnb); code : int16 (N, maxnb); n0, nn : int64 (N,)
        Row ``i`` (sorted): neighbours ``nbr[i, :n0[i]]`` in the central image, then
        ``nbr[i, n0[i]:nn[i]]`` with image codes ``code[i, k]``.
    bounds : int64 (B + 1,)
        Fixed row blocks (:func:`row_blocks`).
    xs : float64 (N, 3), nm
        Sorted positions moved by the build's image offsets (refreshed by ``sorted_data``).
    shifts : float64 (ncodes, 3), nm
        Translation of each image code in the current box.
    mshift : int
    """

    perm: np.ndarray
    nbr: np.ndarray
    code: np.ndarray
    n0: np.ndarray
    nn: np.ndarray
    bounds: np.ndarray
    xs: np.ndarray
    shifts: np.ndarray | None
    mshift: int = 1


@dataclasses.dataclass
class HalfSortedList:
    """Arrays of the cell-sorted half neighbour list with ghost images (see :meth:`NeighborList.half_sorted_data`).

    Attributes
    ----------
    perm : int64 (N,)
        Original index of each sorted atom.
    hnbr : int32 (N, maxnb); hn : int64 (N,)
        Row ``i`` (sorted) lists ``hnbr[i, :hn[i]]``, each pair of the list once: a sorted atom ``j < N``
        (central image) or a ghost ``N + g``, the image of sorted atom ``gsrc[g]`` shifted by
        ``shifts[gcode[g]]``.
    gsrc, gcode : int64 (G,)
    bounds : int64 (B + 1,)
        Row blocks of about equal pair counts (fixed by the list, not by the thread count).
    xs : float64 (N, 3), nm
        Sorted positions moved by the build's image offsets (refreshed by ``half_sorted_data``).
    shifts : float64 (ncodes, 3), nm
    """

    perm: np.ndarray
    hnbr: np.ndarray
    hn: np.ndarray
    gsrc: np.ndarray
    gcode: np.ndarray
    bounds: np.ndarray
    xs: np.ndarray
    shifts: np.ndarray | None
    mshift: int = 1


class NeighborList:
    """Full Verlet list (each pair stored for both atoms) built from cell lists, with a skin.

    Pairs within ``cutoff + skin`` are listed; the list stays valid until some atom has moved more
    than ``skin / 2`` since the build, the box changed, or :meth:`invalidate` was called, and
    :meth:`update` rebuilds it then. Positions are never wrapped: the list stores, per pair, an
    integer image shift, so unwrapped coordinates (for diffusion) stay untouched. Boxes of any
    shape (triclinic) and boxes only a couple of cutoffs wide are handled by explicit image shifts.

    Three forms are built from the same reference positions, each on first use after a rebuild:
    :meth:`data` (rows in the original atom order), :meth:`sorted_data` (atoms renumbered in cell
    order, central-image neighbours first in each row, cells of about half the list radius scanned
    as contiguous runs and pruned by distance), used by the Lennard-Jones kernels, and
    :meth:`half_sorted_data` (the same order, each pair once, image pairs pointing at ghost atoms),
    used by the fused LJ + Coulomb pass. Results never depend on the thread count.

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
        self._maxnb_sorted = 0
        self._full = None
        self._sorted = None
        self._sorted_buffers = None
        self._half = None
        self._half_buffers = None
        self._maxnb_half = 0
        self._ghost_map = None
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
        positions reproduces the list exactly (used for bit-identical restarts). The full list
        (:meth:`data`) and the cell-sorted list (:meth:`sorted_data`) are built from this
        reference on first use, so a force field pays only for the form it uses.
        """
        self.check_box(box)
        x = np.ascontiguousarray(positions, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise InputError("positions are not finite (NaN or inf); cannot build the neighbour list")
        if box is not None:
            self.offset = np.floor(x @ np.linalg.inv(box.h))
        else:
            self.offset = np.zeros((x.shape[0], 3))
        self.xref = x.copy()
        self.href = None if box is None else box.h.copy()
        self._full = None
        self._sorted = None
        self._half = None
        self.n_builds += 1

    def _geometry(self, cells_per_cutoff):
        """Cell grid of the reference configuration: wrapped positions, per-axis cells, stencil."""
        x = self.xref
        rl = self.rlist
        if self.href is not None:
            from molecular.system import Box

            h = self.href
            widths = Box(h).widths
            s = x @ np.linalg.inv(h) - self.offset
            ncell = np.maximum(1, np.floor(cells_per_cutoff * widths / rl)).astype(np.int64)
            reach = np.maximum(np.ceil(rl * ncell / widths - 1e-12).astype(np.int64), 1)
            mshift = int(max(1, max(math.ceil(r / c) for r, c in zip(reach, ncell))))
            pbc = np.ones(3, dtype=np.bool_)
            xw = x - self.offset @ h
            volume = abs(float(np.linalg.det(h)))
        else:
            h = np.zeros((3, 3))
            lo = x.min(axis=0)
            extent = np.maximum(x.max(axis=0) - lo, 1e-9) * (1 + 1e-9)
            ncell = np.maximum(1, np.floor(cells_per_cutoff * extent / rl)).astype(np.int64)
            reach = np.maximum(1, np.ceil(rl * ncell / extent - 1e-12)).astype(np.int64)
            reach = np.minimum(reach, ncell)  # no cells beyond the grid (a flat or 1-atom-wide open system)
            s = (x - lo) / extent
            mshift = 0
            pbc = np.zeros(3, dtype=np.bool_)
            xw = x
            volume = float(np.prod(np.maximum(extent, rl)))
        cell_ijk = np.minimum((s * ncell).astype(np.int64), ncell - 1)
        cell_ijk = np.maximum(cell_ijk, 0)
        return np.ascontiguousarray(xw), h, cell_ijk, ncell, reach, pbc, mshift, volume

    def _initial_maxnb(self, n, volume, mshift, half):
        expected = n / volume * 4.0 / 3.0 * math.pi * self.rlist**3 * (0.5 if half else 1.0)
        return int(min(n * (2 * mshift + 1) ** 3, 1.3 * expected + 16))

    def _ensure_full(self):
        if self._full is not None:
            return self._full
        if self.xref is None:
            raise RuntimeError("the neighbour list has not been built; call update(system) first")
        n = self.xref.shape[0]
        xw, h, cell_ijk, ncell, reach, pbc, mshift, volume = self._geometry(self.cells_per_cutoff)
        start, atoms = K.bin_atoms(cell_ijk, ncell)
        xs = np.ascontiguousarray(xw[atoms])
        shifts = self._shift_table(h, mshift)
        if self._maxnb == 0:
            self._maxnb = self._initial_maxnb(n, volume, mshift, False)
        rl = self.rlist
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
        self._full = (nbr, code, nn, mshift)
        return self._full

    @property
    def nbr(self):
        """Full list neighbour indices, int32 (N, maxnb)."""
        return self._ensure_full()[0]

    @property
    def code(self):
        """Full list image codes, int16 (N, maxnb)."""
        return self._ensure_full()[1]

    @property
    def nn(self):
        """Full list neighbour counts, int64 (N,)."""
        return self._ensure_full()[2]

    def _ensure_sorted(self):
        if self._sorted is not None:
            return self._sorted
        if self.xref is None:
            raise RuntimeError("the neighbour list has not been built; call update(system) first")
        n = self.xref.shape[0]
        xw, h, cell_ijk, ncell, reach, pbc, mshift, volume = self._geometry(SORTED_CELLS_PER_CUTOFF)
        start, perm = K.bin_atoms(cell_ijk, ncell)
        xs = np.ascontiguousarray(xw[perm])
        cijk = np.ascontiguousarray(cell_ijk[perm])
        shifts = self._shift_table(h, mshift)
        bounds = row_blocks(n)
        ortho = self.href is not None and not np.any(h - np.diag(np.diag(h)))
        cw = np.diag(h) / ncell if ortho else np.ones(3)
        if self._maxnb_sorted == 0:
            self._maxnb_sorted = self._initial_maxnb(n, volume, mshift, False)
        rl = self.rlist
        while True:
            m = self._maxnb_sorted
            old = self._sorted_buffers
            if old is None or old[0].shape != (n, m):  # reused between builds (no page faults per build)
                old = (np.empty((n, m), dtype=np.int32), np.empty((n, m), dtype=np.int16), np.empty(n, dtype=np.int64),
                       np.empty(n, dtype=np.int64), np.empty((n, 3)))
                self._sorted_buffers = old
            nbr, code, n0, nn, xcur = old
            args = (xs, cijk, start, ncell, reach, pbc, shifts, mshift, rl * rl, cw, ortho, m, nbr, code, n0, nn)
            if parallel_chunks(n):
                K.build_sorted_parallel(bounds, *args)
            else:
                K.build_sorted(0, n, *args)
            need = int(nn.max()) if n else 0
            if need <= m:
                break
            self._maxnb_sorted = int(need * 1.2) + 8
        self._sorted = SortedList(perm, nbr, code, n0, nn, bounds, xcur, None, mshift)
        return self._sorted

    def sorted_data(self, system):
        """The cell-sorted full list at the current positions (list updated first if needed).

        Atoms are renumbered in cell order (``perm[p]`` is the original index of sorted atom ``p``)
        so that neighbours are close in memory, and each row lists its central-image neighbours
        first, so the pair loop over them needs no image lookup. Built from the same reference
        positions as :meth:`data` (same rebuild rule), on first use after each rebuild.

        Returns
        -------
        SortedList
            With ``xs`` the current positions in sorted order (moved by the build's image offsets)
            and ``shifts`` for the current box.

        Examples
        --------
        >>> from molecular.builders import lattice
        >>> system = lattice("fcc", (3, 3, 3), density=0.8)
        >>> sl = NeighborList(cutoff=2.0, skin=0.3).sorted_data(system)
        >>> int(sl.nn.sum()) == int(NeighborList(cutoff=2.0, skin=0.3).data(system)[3].sum())
        True
        """
        self.update(system)
        sl = self._ensure_sorted()
        h = np.zeros((3, 3)) if system.box is None else system.box.h
        K.gather_sorted(system.positions, sl.perm, self.offset, h, sl.xs)
        sl.shifts = self._shift_table(h, sl.mshift)
        return sl

    def _ensure_half(self):
        if self._half is not None:
            return self._half
        if self.xref is None:
            raise RuntimeError("the neighbour list has not been built; call update(system) first")
        from molecular.forces import _elec_kernels as EK

        n = self.xref.shape[0]
        xw, h, cell_ijk, ncell, reach, pbc, mshift, volume = self._geometry(SORTED_CELLS_PER_CUTOFF)
        start, perm = K.bin_atoms(cell_ijk, ncell)
        xs = np.ascontiguousarray(xw[perm])
        cijk = np.ascontiguousarray(cell_ijk[perm])
        shifts = self._shift_table(h, mshift)
        ortho = self.href is not None and not np.any(h - np.diag(np.diag(h)))
        cw = np.diag(h) / ncell if ortho else np.ones(3)
        if self._maxnb_half == 0:
            self._maxnb_half = self._initial_maxnb(n, volume, mshift, True)
        rl = self.rlist
        nb = row_blocks(n).size - 1
        while True:
            m = self._maxnb_half
            old = self._half_buffers
            if old is None or old[0].shape != (n, m):  # reused between builds (no page faults per build)
                old = self._half_buffers = (np.empty((n, m), dtype=np.int32), np.empty(n, dtype=np.int64),
                                            np.empty(n, dtype=np.int64))
            hnbr, hn0, hn = old
            args = (xs, cijk, start, ncell, reach, pbc, shifts, mshift, rl * rl, cw, ortho, m, hnbr, hn0, hn)
            if parallel_chunks(n):
                EK.build_half_sorted_parallel(4 * nb, *args)
            else:
                EK.build_half_sorted(0, 1, *args)
            need = int(hn.max()) if n else 0
            if need <= m:
                break
            self._maxnb_half = int(need * 1.2) + 8
        ncodes = shifts.shape[0]
        if self._ghost_map is None or self._ghost_map.size != n * ncodes:
            self._ghost_map = np.full(n * ncodes, -1, dtype=np.int64)
        nimg = int((hn - hn0).sum())
        gsrc = np.empty(nimg, dtype=np.int64)
        gcode = np.empty(nimg, dtype=np.int64)
        g = EK.assign_ghosts(n, ncodes, hnbr, hn0, hn, self._ghost_map, gsrc, gcode)
        bounds = EK.balanced_blocks(hn, nb)
        self._half = HalfSortedList(perm, hnbr, hn, gsrc[:g].copy(), gcode[:g].copy(), bounds, np.empty((n, 3)), None,
                                    mshift)
        return self._half

    def half_sorted_data(self, system):
        """The cell-sorted half list with ghost images at the current positions (list updated first if needed).

        Each pair within the list radius appears once (``j > i`` in the sorted order), and an image
        pair points at a ghost atom (a shifted copy of a sorted atom), so a pair kernel needs no image
        lookup and applies Newton's third law. Built from the same reference positions as :meth:`data`
        (same rebuild rule), on first use after each rebuild.

        Returns
        -------
        HalfSortedList
            With ``xs`` the current positions in sorted order and ``shifts`` for the current box.

        Examples
        --------
        >>> from molecular.builders import lattice
        >>> system = lattice("fcc", (3, 3, 3), density=0.8)
        >>> hl = NeighborList(cutoff=2.0, skin=0.3).half_sorted_data(system)
        >>> 2 * int(hl.hn.sum()) == int(NeighborList(cutoff=2.0, skin=0.3).data(system)[3].sum())
        True
        """
        self.update(system)
        hl = self._ensure_half()
        h = np.zeros((3, 3)) if system.box is None else system.box.h
        K.gather_sorted(system.positions, hl.perm, self.offset, h, hl.xs)
        hl.shifts = self._shift_table(h, hl.mshift)
        return hl

    def _shift_table(self, h, m):
        if self._shift_ints is None or self._shift_m != m:
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
        nbr, code, nn, mshift = self._ensure_full()
        if system.box is None:
            xw = np.ascontiguousarray(system.positions)
            h = np.zeros((3, 3))
        else:
            h = system.box.h
            xw = np.empty_like(system.positions)
            K.wrapped_positions(system.positions, self.offset, h, xw)
        return xw, nbr, code, nn, self._shift_table(h, mshift)

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
