"""Checkpoint files: the complete state of a Simulation in HDF5, written atomically."""

import json

import h5py
import numpy as np

from mindscience.errors import InputError
from mindscience.io.hdf5 import atomic_h5, read_tree, write_tree

FORMAT = "mindscience-checkpoint-1"


def write_checkpoint(path, kind, clock, state, parameters=None, reporters=None):
    """Write a checkpoint.

    Parameters
    ----------
    path : str or os.PathLike
    kind : str
        Qualified class name of the simulation, checked on restore.
    clock : dict
        Step/time bookkeeping of the engine.
    state : dict
        The solver's nested dict of arrays, numbers and strings.
    parameters : dict, optional
        Stored as JSON metadata for provenance.
    reporters : dict, optional
        ``{reporter key: state dict}`` of reporters that carry accumulated state.
    """
    with atomic_h5(path, parameters=parameters, attrs={"format": FORMAT, "kind": kind}) as f:
        write_tree(f.create_group("clock"), clock)
        write_tree(f.create_group("state"), state)
        write_tree(f.create_group("reporters"), reporters or {})


def read_checkpoint(path, kind):
    """Read a checkpoint written for ``kind``; returns ``(clock, state, reporter_states)``."""
    try:
        f = h5py.File(path, "r")
    except (OSError, FileNotFoundError) as exc:
        raise InputError(f"cannot read checkpoint {path}: {exc}") from exc
    with f:
        if f.attrs.get("format") != FORMAT:
            raise InputError(f"{path} is not a mindscience checkpoint (format {f.attrs.get('format')!r})")
        if f.attrs.get("kind") != kind:
            raise InputError(f"checkpoint {path} was written by {f.attrs.get('kind')!r}, not {kind!r}")
        reporters = read_tree(f["reporters"]) if "reporters" in f else {}
        return read_tree(f["clock"]), read_tree(f["state"]), reporters


def pack_rng(rng):
    """Serialise a :class:`numpy.random.Generator`'s exact state to a JSON string."""
    return json.dumps(rng.bit_generator.state)


def unpack_rng(text, rng=None):
    """Restore a generator from :func:`pack_rng`'s string (into ``rng`` if given)."""
    state = json.loads(text)
    if rng is None:
        bitgen = getattr(np.random, state["bit_generator"])()
        rng = np.random.Generator(bitgen)
    rng.bit_generator.state = state
    return rng
