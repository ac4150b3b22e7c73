"""Toy datasets for the datasets tests: cheap, instrumented (call log, injected failure, optional delay)."""

import os
import time

import numpy as np

from datasets.extend import Field, register_dataset

#: Indices of the samples made in this process, in order (the resume tests read it).
CALLS = []
#: Sample index at which the generator raises :class:`Interrupted` (simulates a kill); None: never.
FAIL_AT = None


class Interrupted(Exception):
    """Raised by the toy generator at FAIL_AT."""


@register_dataset(
    "toy-gauss",
    description="Gaussian vectors with a label (test dataset)",
    fields=(
        Field("x", ("dim",), "m", "offset Gaussian vector"),
        Field("label", (), "1", "class 0..3", dtype="int64"),
        Field("scale", (), "m", "standard deviation of x"),
    ),
    coords=(Field("axis", ("dim",), "1", "component index"),),
    make_coords=lambda p: {"axis": np.arange(p["dim"], dtype=np.float64)},
    parameters={"dim": 8, "offset": 3.0},
    default_n=50,
)
def toy_gauss(rng, params, index):
    if FAIL_AT is not None and index == FAIL_AT:
        raise Interrupted(f"injected failure at sample {index}")
    delay = float(os.environ.get("MINDSCIENCE_TOY_DELAY", "0"))
    if delay:
        time.sleep(delay)
    CALLS.append(index)
    scale = rng.uniform(0.5, 2.0)
    return {
        "x": params["offset"] + scale * rng.standard_normal(params["dim"]),
        "label": rng.integers(0, 4),
        "scale": scale,
    }


@register_dataset(
    "toy-bad-shape",
    description="A generator that breaks its declaration (test dataset)",
    fields=(Field("x", (3,), "1"),),
    default_n=4,
)
def toy_bad_shape(rng, params, index):
    return {"x": np.zeros(4)}


@register_dataset(
    "toy-atoms",
    description="Random argon-like configurations with harmonic energies and forces (test dataset)",
    fields=(
        Field("positions", ("n_atoms", 3), "nm", "positions"),
        Field("forces", ("n_atoms", 3), "kJ/(mol nm)", "forces -dE/dx"),
        Field("energy", (), "kJ/mol", "potential energy"),
        Field("box", (3,), "nm", "orthorhombic box lengths"),
    ),
    parameters={"n_atoms": 4, "k": 100.0},
    default_n=6,
)
def toy_atoms(rng, params, index):
    x = rng.uniform(0.0, 1.0, size=(params["n_atoms"], 3))
    d = x - 0.5
    return {"positions": x, "forces": -params["k"] * d, "energy": 0.5 * params["k"] * (d**2).sum(), "box": np.ones(3)}
