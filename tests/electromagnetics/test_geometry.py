"""Geometry: volume fractions against exact areas/volumes, painting order, every shape kind."""

import numpy as np
import pytest

from electromagnetics.fdtd import (
    Box,
    Cylinder,
    FunctionShape,
    Grid,
    Material,
    PolygonPrism,
    Sphere,
    VoxelShape,
    rasterize,
)
from electromagnetics.fdtd.geometry import fill_fraction

M = Material(eps=4.0)


def test_sphere_volume_from_fill_fractions():
    # sum of fractions x cell volume = 4/3 pi R^3 (exact) to 0.5 %; staircasing alone is ~5 % off
    g = Grid((24, 24, 24), spacing=1.0)
    R = 7.3
    f = fill_fraction(g, "Ez", Sphere((12.0, 12.0, 12.0), R, M))
    assert f.sum() == pytest.approx(4 / 3 * np.pi * R**3, rel=5e-3)
    assert 0 < np.count_nonzero((f > 0) & (f < 1))


def test_disc_and_triangle_areas_in_2d():
    g = Grid((40, 40), spacing=0.5)
    disc = fill_fraction(g, "Ez", Cylinder((10.0, 10.0), 6.1, np.inf, M))
    assert disc.sum() * 0.25 == pytest.approx(np.pi * 6.1**2, rel=3e-3)
    tri = PolygonPrism([(2.0, 2.0), (17.0, 3.0), (6.0, 15.0)], -1.0, 1.0, M)
    area = 0.5 * abs((17 - 2) * (15 - 2) - (6 - 2) * (3 - 2))
    assert fill_fraction(g, "Ez", tri).sum() * 0.25 == pytest.approx(area, rel=5e-3)


def test_function_and_voxel_shapes_and_painting_order():
    g = Grid((20, 20), spacing=1.0)
    ring = FunctionShape(lambda x, y, z: (x - 10) ** 2 + (y - 10) ** 2 < 25, Material(eps=2.0))
    mask = np.zeros((20, 20), bool)
    mask[0:5, :] = True
    vox = VoxelShape(mask, (1.0, 1.0), Material(eps=9.0))
    box = Box((10.0, 10.0), (4.0, 4.0), Material(eps=5.0, sigma=0.1))
    mats = rasterize(g, [ring, vox, box])
    ez = mats.eps[2, :, :, 0]           # Ez nodes sit on integer coordinates in 2D
    assert ez[10, 10] == 5.0 and mats.sigma[2, 10, 10, 0] == pytest.approx(0.1)  # box over ring
    assert ez[10, 14] == 2.0            # ring only
    assert ez[2, 10] == 9.0             # voxels
    assert ez[18, 18] == 1.0            # background
