"""The ``fdtd-scatterer-fields`` dataset: 2D frequency-domain fields of a line source among random dielectrics.

Each sample is a 2D TM problem (Ez, Hx, Hy) on an ``nx`` x ``ny`` grid of cell ``spacing``,
surrounded by ``pml_cells`` of CPML that are not stored. A line current along z at
``(source_x, source_y)`` (fractions of the stored region) radiates a modulated Gaussian pulse;
``n_shapes`` dielectric objects (discs, rotated rectangles and random star-shaped polygons, relative
permittivity uniform in ``[eps_min, eps_max]``, circumscribed radius uniform in
``[radius_min, radius_max]``) sit in the region right of the source and scatter it. A running DFT of
Ez over the stored region, divided by the spectrum of the source current, gives the time-harmonic
field of a 1 A line current at each of ``n_freqs`` frequencies (convention ``exp(-i omega t)``):
the input/output pair of a field surrogate is ``eps -> Ez``.

The dataset's coordinates include ``Ez_incident``: the same run without any object (the free-space
field on the same grid, numerical dispersion included), so the scattered field is
``Ez - Ez_incident``. In free space the continuum answer is the 2D line-source field
``Ez = -(omega mu0 / 4) H0^(1)(k r)`` (``H0^(2)`` in the ``exp(+j omega t)`` engineering convention),
which the tests check.

Accuracy (``tests/datasets/test_fdtd_generators.py``, 40 cells per vacuum wavelength at the top
frequency, 20 in the densest object): the free-space field matches the Hankel line-source field to
0.1-0.3 % (relative L2 norm, beyond 5 cells from the source cell, where the field is singular), and
the scattered field of a disc of permittivity 4 matches the exact series (Mie) solution to 0.5-1.1 %.
The validation requires at least 8 cells per wavelength in ``eps_max`` at ``frequency_max``; the
error grows as the square of the cell size.
"""

import math

import numpy as np
from scipy.constants import c as C0

from datasets.extend import Field, InputError, check_range, register_dataset

_DECAY = 1e-6  # stop once |Ez|^2 at the far corner of the region has decayed by this
_GUARD = 500  # steps between NaN checks
_KINDS = ("disc", "rectangle", "polygon")


def _validate(p):
    check_range("nx", p["nx"], 16, 1024)
    check_range("ny", p["ny"], 16, 1024)
    check_range("spacing", p["spacing"], 0.0, low_open=True)
    check_range("pml_cells", p["pml_cells"], 6, 64)
    check_range("n_freqs", p["n_freqs"], 1, 64)
    check_range("frequency_min", p["frequency_min"], 0.0, low_open=True)
    check_range("frequency_max", p["frequency_max"], p["frequency_min"])
    check_range("n_shapes", p["n_shapes"], 0, 32)
    check_range("eps_min", p["eps_min"], 1.0)
    check_range("eps_max", p["eps_max"], p["eps_min"], 100.0)
    check_range("radius_min", p["radius_min"], 0.0, low_open=True)
    check_range("radius_max", p["radius_max"], p["radius_min"])
    check_range("source_x", p["source_x"], 0.0, 1.0)
    check_range("source_y", p["source_y"], 0.0, 1.0)
    ppw = C0 / (p["frequency_max"] * math.sqrt(p["eps_max"]) * p["spacing"])
    if ppw < 8:
        raise InputError(
            f"frequency_max={p['frequency_max']!r} Hz resolves the densest object (eps_max={p['eps_max']!r}) with "
            f"{ppw:.1f} cells per wavelength at spacing={p['spacing']!r} m; at least 8 are needed: "
            "lower frequency_max, eps_max or spacing"
        )
    if p["n_shapes"] > 0:
        _placement_box(p)  # raises when the objects do not fit


def _placement_box(p):
    """Allowed centres ``(x_lo, x_hi, y_lo, y_hi)`` (m, relative to the stored region) for the largest object."""
    d = p["spacing"]
    lx, ly = p["nx"] * d, p["ny"] * d
    margin = 2 * d
    x_lo = p["source_x"] * lx + 3 * d + p["radius_max"]
    x_hi = lx - margin - p["radius_max"]
    y_lo, y_hi = margin + p["radius_max"], ly - margin - p["radius_max"]
    if x_hi < x_lo or y_hi < y_lo:
        raise InputError(
            f"objects of radius_max={p['radius_max']!r} m do not fit between the source (source_x={p['source_x']!r}) "
            f"and the edges of the {p['nx']} x {p['ny']} region of spacing={p['spacing']!r} m: lower radius_max or "
            "source_x, or enlarge the grid"
        )
    return x_lo, x_hi, y_lo, y_hi


def _coords(p):
    d = p["spacing"]
    out = {
        "x": np.arange(p["nx"]) * d,
        "y": np.arange(p["ny"]) * d,
        "frequency": np.linspace(p["frequency_min"], p["frequency_max"], p["n_freqs"]),
    }
    out["Ez_incident"] = scatterer_fields([], p)["Ez"]
    return out


def _random_shapes(rng, p):
    """Draw the objects: list of ``(kind, center (2,), radius, angle, eps, vertices (M, 2) or None)``."""
    x_lo, x_hi, y_lo, y_hi = _placement_box(p)
    shapes = []
    for _ in range(p["n_shapes"]):
        kind = _KINDS[int(rng.integers(0, len(_KINDS)))]
        radius = rng.uniform(p["radius_min"], p["radius_max"])
        center = np.array([rng.uniform(x_lo, x_hi), rng.uniform(y_lo, y_hi)])
        angle = rng.uniform(0.0, np.pi)
        eps = rng.uniform(p["eps_min"], p["eps_max"])
        if kind == "disc":
            verts = None
        elif kind == "rectangle":  # corners on the circumscribed circle, aspect from the half-diagonal angle
            half = rng.uniform(np.pi / 8, 3 * np.pi / 8)
            a = angle + np.array([half, np.pi - half, np.pi + half, 2 * np.pi - half])
            verts = center + radius * np.stack([np.cos(a), np.sin(a)], axis=1)
        else:  # star-shaped polygon: 5 to 8 vertices at sorted angles, radii in [0.5, 1] of the radius
            m = int(rng.integers(5, 9))
            a = angle + np.sort(rng.uniform(0.0, 2 * np.pi, size=m))
            rad = radius * rng.uniform(0.5, 1.0, size=m)
            verts = center + rad[:, None] * np.stack([np.cos(a), np.sin(a)], axis=1)
        shapes.append((kind, center, radius, angle, eps, verts))
    return shapes


def scatterer_fields(shapes, p):
    """Run one 2D TM simulation and return the normalised frequency-domain Ez and the permittivity map.

    Parameters
    ----------
    shapes : sequence
        Objects as drawn by ``_random_shapes``: ``(kind, center, radius, angle, eps, vertices)``,
        coordinates in m relative to the stored region's origin.
    p : dict
        Resolved dataset parameters.

    Returns
    -------
    dict
        ``Ez``: complex ndarray, shape (n_freqs, nx, ny), V/m per A of line current;
        ``eps``: ndarray, shape (nx, ny), relative permittivity at the Ez nodes.
    """
    from electromagnetics.fdtd import (
        CPML,
        Cylinder,
        DFTFields,
        FDTDSimulation,
        Grid,
        Material,
        ModulatedGaussian,
        PointDipole,
        PolygonPrism,
        Source,
    )

    d, m = p["spacing"], p["pml_cells"]
    nx, ny = p["nx"], p["ny"]
    shift = np.array([m * d, m * d])  # stored region starts after the CPML
    geo = []
    for kind, center, radius, _, eps, verts in shapes:
        mat = Material(eps=float(eps))
        if kind == "disc":
            geo.append(Cylinder(tuple(center + shift), float(radius), np.inf, mat))
        else:
            geo.append(PolygonPrism(np.asarray(verts) + shift, -1.0, 1.0, mat))
    freqs = np.linspace(p["frequency_min"], p["frequency_max"], p["n_freqs"])
    fmin, fmax = float(freqs[0]), float(freqs[-1])
    wf = ModulatedGaussian(0.5 * (fmin + fmax), max(fmax - fmin, 0.2 * fmax) / 4)
    grid = Grid((nx + 2 * m, ny + 2 * m), spacing=d)
    lo, hi = (m * d, m * d), ((m + nx - 1) * d, (m + ny - 1) * d)
    src = (m * d + round(p["source_x"] * (nx - 1)) * d, m * d + round(p["source_y"] * (ny - 1)) * d)
    dft = DFTFields(["Ez"], freqs, lo=lo, hi=hi)
    # amplitude = line current (A) times the nominal z thickness d: a 2D point dipole of 1 A peak
    sim = FDTDSimulation(
        grid,
        geometry=geo,
        sources=[Source(PointDipole(src), wf, "Ez", amplitude=d)],
        boundaries=CPML(m),
        monitors=[dft],
        guard_interval=_GUARD,
    )
    far = (lo[0] if src[0] - lo[0] > hi[0] - src[0] else hi[0], lo[1] if src[1] - lo[1] > hi[1] - src[1] else hi[1])
    sim.run(until_decayed=("Ez", far, _DECAY), progress=False)
    # spectrum of the source current, sampled when the E update uses it: t = (n + 1/2) dt
    dt = grid.dt
    tj = (np.arange(sim.step_count) + 0.5) * dt
    current = (wf(tj)[None, :] * np.exp(1j * 2 * np.pi * freqs[:, None] * tj[None, :])).sum(axis=1) * dt
    ez = dft.fields["Ez"][:, :, :, 0] / current[:, None, None]
    if ez.shape[1:] != (nx, ny):
        raise RuntimeError(f"fdtd-scatterer-fields: DFT region has shape {ez.shape[1:]}, expected {(nx, ny)}")
    eps = sim.materials.eps[2]
    eps = np.broadcast_to(eps, (grid.shape[0], grid.shape[1], 1))[m : m + nx, m : m + ny, 0]
    return {"Ez": ez, "eps": np.array(eps)}


@register_dataset(
    "fdtd-scatterer-fields",
    description="2D TM frequency-domain fields Ez of a line source among random dielectric objects (discs, "
    "rectangles, polygons), with the permittivity map, from our 2D FDTD",
    fields=(
        Field(
            "Ez",
            ("n_freqs", "nx", "ny"),
            "V/(m A)",
            "time-harmonic Ez per A of line current, exp(-i w t)",
            "complex128",
        ),
        Field("eps", ("nx", "ny"), "1", "relative permittivity at the Ez nodes (volume-averaged at interfaces)"),
        Field(
            "shape_params",
            ("n_shapes", 5),
            "m, m, m, rad, 1",
            "per object: center x, center y, circumscribed radius, orientation, permittivity",
        ),
        Field("shape_kind", ("n_shapes",), "1", "0 disc, 1 rectangle, 2 star-shaped polygon", "int64"),
    ),
    coords=(
        Field("x", ("nx",), "m", "Ez node positions along x (stored region, origin at its corner)"),
        Field("y", ("ny",), "m", "Ez node positions along y"),
        Field("frequency", ("n_freqs",), "Hz", "uniform in [frequency_min, frequency_max]"),
        Field("Ez_incident", ("n_freqs", "nx", "ny"), "V/(m A)", "same run without objects (free space)", "complex128"),
    ),
    make_coords=_coords,
    parameters={
        "nx": 64,
        "ny": 64,
        "spacing": 1e-3,
        "pml_cells": 12,
        "n_freqs": 2,
        "frequency_min": 5e9,
        "frequency_max": 7.5e9,
        "n_shapes": 3,
        "eps_min": 1.5,
        "eps_max": 4.0,
        "radius_min": 3e-3,
        "radius_max": 10e-3,
        "source_x": 0.1,
        "source_y": 0.5,
    },
    validate=_validate,
    citation="FDTD: A. Taflove, S. C. Hagness, Computational Electrodynamics, 3rd ed. (Artech House, 2005); "
    "CPML: J. A. Roden, S. D. Gedney, Microw. Opt. Technol. Lett. 27, 334 (2000)",
    default_n=1000,
    expected_size="about 160 kB per sample at the defaults (uncompressed)",
    version=1,
)
def fdtd_scatterer_fields(rng, params, index):
    """One random arrangement of dielectric objects and its frequency-domain field (see the module docstring)."""
    shapes = _random_shapes(rng, params)
    out = scatterer_fields(shapes, params)
    sp = np.array([[c[0], c[1], r, a, e] for _, c, r, a, e, _ in shapes]).reshape(len(shapes), 5)
    kinds = np.array([_KINDS.index(k) for k, *_ in shapes], dtype=np.int64)
    return dict(out, shape_params=sp, shape_kind=kinds)


__all__ = ["fdtd_scatterer_fields", "scatterer_fields"]
