"""Neighbour lists: every pair found (brute-force numpy reference), small and triclinic boxes, rebuilds."""

import numpy as np
import pytest
from md_helpers import perturbed_fcc

from mindscience.errors import InputError
from molecular import Box, NeighborList, System, random_packing
from molecular import _kernels as K


def brute_pairs(x, h, r):
    """numpy reference: set of (i, j, image) within r over the 125 images -2..2 (i < j or j == i)."""
    out = set()
    rng = range(-2, 3) if h is not None else range(0, 1)
    for a in rng:
        for b in rng:
            for c in rng:
                s = np.array([a, b, c]) @ h if h is not None else np.zeros(3)
                d = x[None, :, :] + s - x[:, None, :]
                close = np.argwhere(np.einsum("ijk,ijk->ij", d, d) < r * r)
                for i, j in close:
                    if i != j or (a, b, c) != (0, 0, 0):
                        out.add((int(i), int(j)))
    return out


def list_pairs(nl, system):
    xw, nbr, code, nn, shifts = nl.data(system)
    return {(i, int(nbr[i, k])) for i in range(system.n_atoms) for k in range(nn[i])}


def test_cell_binning_against_numpy():
    # reference: numpy argsort of flattened cell indices (stable) gives the same cell contents
    rng = np.random.default_rng(1)
    ncell = np.array([3, 4, 2])
    ijk = np.stack([rng.integers(0, n, 50) for n in ncell], axis=1)
    start, atoms = K.bin_atoms(ijk, ncell)
    flat = (ijk[:, 0] * 4 + ijk[:, 1]) * 2 + ijk[:, 2]
    assert np.array_equal(atoms, np.argsort(flat, kind="stable"))
    assert np.array_equal(np.diff(start), np.bincount(flat, minlength=24))


@pytest.mark.parametrize("cells_per_cutoff", [1, 2])
def test_verlet_list_matches_brute_force(cells_per_cutoff):
    # reference: numpy brute force over all pairs and images
    s = perturbed_fcc(3, density=0.8, amplitude=0.2)
    nl = NeighborList(cutoff=2.0, skin=0.3, cells_per_cutoff=cells_per_cutoff)
    got = list_pairs(nl, s)
    assert got == brute_pairs(s.positions, s.box.h, 2.3)


def test_small_box_cutoff_half_width():
    # cutoff equal to half the box and a list radius beyond it (only 1-2 cells per side)
    s = random_packing(40, [3.0, 3.2, 3.1], 0.7, seed=3)
    nl = NeighborList(cutoff=1.5, skin=0.4)
    assert list_pairs(nl, s) == brute_pairs(s.positions, s.box.h, 1.9)


def test_triclinic_box():
    # reference: brute force with explicit images in a strongly sheared cell
    h = np.array([[4.0, 0, 0], [1.5, 3.5, 0], [-1.2, 1.0, 3.8]])
    s = random_packing(60, Box(h), 0.6, seed=5)
    s.positions += np.array([1, -2, 1]) @ h  # unwrapped coordinates outside the cell
    nl = NeighborList(cutoff=1.2, skin=0.3)
    assert list_pairs(nl, s) == brute_pairs(s.positions, h, 1.5)


def test_non_periodic():
    rng = np.random.default_rng(2)
    s = System(rng.random((80, 3)) * 4.0, box=None)
    nl = NeighborList(cutoff=0.8, skin=0.2)
    assert list_pairs(nl, s) == brute_pairs(s.positions, None, 1.0)


def test_automatic_rebuild_half_skin():
    s = perturbed_fcc(3, density=0.8)
    nl = NeighborList(cutoff=2.0, skin=0.4)
    assert nl.update(s)
    s.positions[5, 0] += 0.19  # below skin/2: list kept
    assert not nl.update(s)
    s.positions[5, 0] += 0.02  # 0.21 > skin/2: rebuilt
    assert nl.update(s)
    assert nl.n_builds == 2
    assert nl.update(s, force=True) and nl.n_builds == 3
    # a small box deformation keeps the list (budget skin/2 - cutoff * stretch / 2) and it stays
    # complete: same pairs as a brute-force search in the deformed box
    lam = np.array([1.004, 0.998, 1.001])
    s.positions *= lam
    s.box = Box(s.box.h * lam)
    assert not nl.update(s)
    cut = 2.0
    got = {(i, j) for i, j in zip(*nl.pairs(s, cutoff=cut)[:2])}
    ref = {(i, j) for i, j in brute_pairs(s.positions, s.box.h, cut) if i < j}
    assert got == ref
    s.positions *= 1.1
    s.box = Box(s.box.h * 1.1)  # expansion with the atoms never shortens a distance: list kept
    assert not nl.update(s)
    s.positions *= 0.75
    s.box = Box(s.box.h * 0.75)  # compression by 1/0.825: stretch cutoff * 0.21 > skin: rebuilt
    assert nl.update(s)


def test_pairs_and_overlap_detection():
    s = perturbed_fcc(3, density=0.8)
    s.positions[7] = s.positions[3] + [0.05, 0, 0]
    with pytest.raises(InputError, match="atoms 3 and 7"):
        s.check_overlaps(0.5)


def test_cutoff_larger_than_half_box_rejected():
    s = perturbed_fcc(2, density=0.8)
    with pytest.raises(InputError, match="cutoff=2.5"):
        NeighborList(cutoff=2.5).update(s)


def test_displacement_kernels_against_numpy():
    # reference: numpy expressions
    rng = np.random.default_rng(4)
    x, y = rng.random((30, 3)), rng.random((30, 3))
    assert K.max_displacement2(x, y) == pytest.approx(np.max(np.sum((x - y) ** 2, axis=1)), rel=1e-15)
    h = np.array([[2.0, 0, 0], [0.5, 2.0, 0], [0.1, 0.2, 2.0]])
    off = rng.integers(-2, 3, (30, 3)).astype(float)
    out = np.empty_like(x)
    K.wrapped_positions(x, off, h, out)
    assert np.allclose(out, x - off @ h, atol=1e-14)


def test_box_minimum_image_and_widths():
    # reference: brute-force search over the 125 nearest images; widths from V / |a x b| etc.
    h = np.array([[4.0, 0, 0], [1.2, 3.6, 0], [-0.9, 1.1, 3.9]])
    box = Box(h)
    rng = np.random.default_rng(8)
    imgs = np.array([[a, b, c] for a in range(-2, 3) for b in range(-2, 3) for c in range(-2, 3)]) @ h
    d = rng.uniform(-9, 9, (400, 3))
    mi = box.minimum_image(d)
    brute = np.array([min((di + imgs), key=lambda v: v @ v) for di in d])
    short = np.linalg.norm(brute, axis=1) < 0.5 * box.widths.min()
    assert short.sum() > 40
    assert np.allclose(mi[short], brute[short], atol=1e-12)
    assert np.allclose(box.widths, [box.volume / np.linalg.norm(np.cross(h[1], h[2])),
                                    box.volume / np.linalg.norm(np.cross(h[2], h[0])),
                                    box.volume / np.linalg.norm(np.cross(h[0], h[1]))])
    assert box.volume == pytest.approx(abs(np.linalg.det(h)))
    w = box.wrap(d)
    frac = w @ np.linalg.inv(h)
    assert np.all((frac >= 0) & (frac < 1))


def sorted_list_pairs(nl, system):
    """(i, j) pairs of the cell-sorted list in original indices; checks that central entries need no image."""
    sl = nl.sorted_data(system)
    w = 2 * sl.mshift + 1
    center = (sl.mshift * w + sl.mshift) * w + sl.mshift
    out = set()
    for p in range(system.n_atoms):
        for k in range(sl.nn[p]):
            q = int(sl.nbr[p, k])
            c = center if k < sl.n0[p] else int(sl.code[p, k])
            d = sl.xs[q] + sl.shifts[c] - sl.xs[p]
            assert d @ d < nl.rlist**2 * (1 + 1e-12)  # the listed image is the close one
            out.add((int(sl.perm[p]), int(sl.perm[q])))
    return out


@pytest.mark.parametrize("case", ["fcc", "small", "triclinic", "open"])
def test_sorted_list_matches_brute_force(case):
    # reference: numpy brute force over all pairs and images (as for the full list)
    if case == "fcc":
        s, rc, skin = perturbed_fcc(4, density=0.8, amplitude=0.2), 2.0, 0.3
    elif case == "small":
        s, rc, skin = random_packing(40, [3.0, 3.2, 3.1], 0.7, seed=3), 1.5, 0.4
    elif case == "triclinic":
        h = np.array([[4.0, 0, 0], [1.5, 3.5, 0], [-1.2, 1.0, 3.8]])
        s, rc, skin = random_packing(60, Box(h), 0.6, seed=5), 1.2, 0.3
        s.positions += np.array([1, -2, 1]) @ h
    else:
        s, rc, skin = System(np.random.default_rng(2).random((80, 3)) * 4.0, box=None), 0.8, 0.2
    nl = NeighborList(cutoff=rc, skin=skin)
    ref = brute_pairs(s.positions, None if s.box is None else s.box.h, rc + skin)
    assert sorted_list_pairs(nl, s) == ref
    # same pairs as the full list, and a cell-sorted permutation of all atoms
    assert list_pairs(nl, s) == ref
    assert np.array_equal(np.sort(nl.sorted_data(s).perm), np.arange(s.n_atoms))
