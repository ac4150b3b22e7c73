"""XYZ and extended-XYZ files (coordinates in angstrom by convention; we convert from nm)."""

import os
import re

import numpy as np

from mindscience.errors import InputError
from molecular.system import Box, System
from molecular.topology import Topology

NM_TO_ANGSTROM = 10.0


def write_xyz(path, positions, symbols, box=None, comment="", append=False, length_scale=NM_TO_ANGSTROM,
              extra=None):
    """Write one frame in (extended) XYZ format.

    Parameters
    ----------
    path : str or os.PathLike
    positions : ndarray (N, 3), nm
    symbols : sequence of str (N,)
    box : ndarray (3, 3), nm, optional
        Written as ``Lattice="..."`` (extended XYZ) with ``pbc="T T T"``.
    comment : str
        Appended to the comment line.
    append : bool
        Append a frame instead of overwriting.
    length_scale : float
        Multiplies lengths on output (10: nm -> angstrom; 1 for reduced units).
    extra : dict, optional
        ``key=value`` pairs for the comment line (e.g. ``{"Time": 1.0}``).
    """
    x = np.asarray(positions) * length_scale
    n = x.shape[0]
    if len(symbols) != n:
        raise InputError(f"symbols has {len(symbols)} entries; allowed: {n} (one per atom)")
    props = ["Properties=species:S:1:pos:R:3"]
    if box is not None:
        lat = " ".join(f"{v:.8f}" for v in (np.asarray(box) * length_scale).ravel())
        props.insert(0, f'Lattice="{lat}" pbc="T T T"')
    for k, v in (extra or {}).items():
        props.append(f"{k}={v}")
    if comment:
        props.append(comment.replace("\n", " "))
    lines = [str(n), " ".join(props)]
    lines += [f"{s:<3s} {a:15.8f} {b:15.8f} {c:15.8f}" for s, (a, b, c) in zip(symbols, x)]
    with open(os.fspath(path), "a" if append else "w") as fh:
        fh.write("\n".join(lines) + "\n")
        fh.flush()


def read_xyz(path, frame=0, length_scale=NM_TO_ANGSTROM, masses=1.0):
    """Read one frame of an (extended) XYZ file into a :class:`~molecular.system.System`.

    Parameters
    ----------
    path : str or os.PathLike
    frame : int
        Frame index (0-based; -1 for the last).
    length_scale : float
        File length unit per nm (10 for angstrom).
    masses : float or array_like, amu

    Returns
    -------
    System
        Types are numbered by first appearance of each symbol; ``system.type_names`` holds them.

    Raises
    ------
    InputError
        Naming the file and line of a malformed count, atom line or Lattice.
    """
    path = os.fspath(path)
    with open(path) as fh:
        lines = fh.read().splitlines()
    frames = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        try:
            n = int(lines[i].split()[0])
        except ValueError:
            raise InputError(f"{path}:{i + 1}: expected the atom count, got {lines[i]!r}") from None
        if n < 1 or i + 2 + n > len(lines):
            raise InputError(f"{path}:{i + 1}: atom count {n} but only {max(0, len(lines) - i - 2)} lines follow")
        frames.append(i)
        i += 2 + n
    if not frames:
        raise InputError(f"{path}: no frames found")
    try:
        start = frames[frame]
    except IndexError:
        raise InputError(f"frame={frame} is out of range; allowed: -{len(frames)}..{len(frames) - 1}") from None
    n = int(lines[start].split()[0])
    comment = lines[start + 1]
    box = None
    m = re.search(r'Lattice="([^"]*)"', comment)
    if m:
        try:
            vals = np.array([float(v) for v in m.group(1).split()])
            box = Box(vals.reshape(3, 3) / length_scale)
        except (ValueError, InputError) as exc:
            raise InputError(f"{path}:{start + 2}: bad Lattice {m.group(1)!r}: {exc}") from None
    symbols = []
    x = np.empty((n, 3))
    for k in range(n):
        ln = start + 2 + k
        parts = lines[ln].split()
        try:
            if len(parts) < 4:
                raise ValueError("needs a symbol and 3 coordinates")
            x[k] = [float(v) for v in parts[1:4]]
        except ValueError as exc:
            raise InputError(f"{path}:{ln + 1}: malformed atom line {lines[ln]!r} ({exc})") from None
        symbols.append(parts[0])
    names = list(dict.fromkeys(symbols))
    types = np.array([names.index(s) for s in symbols])
    return System(x / length_scale, masses=masses, box=box, types=types,
                  topology=Topology(n, names=symbols), type_names=names)
