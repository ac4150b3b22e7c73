"""GROMACS .gro coordinate files: read (fixed columns, any precision, velocities, triclinic box) and write."""

import dataclasses
import os

import numpy as np

from mindscience.errors import InputError
from mindscience.io import atomic_path
from molecular.io.forcefield import TopologyError


@dataclasses.dataclass
class GroFrame:
    """Coordinates of a .gro file: ``positions`` (N, 3) nm, ``velocities`` (N, 3) nm/ps or None, ``box``
    (3, 3) nm (rows = box vectors) or None, atom/residue ``names``, ``residue_names``, ``residue_numbers``,
    ``title``."""

    title: str
    positions: np.ndarray
    velocities: np.ndarray | None
    box: np.ndarray | None
    names: list
    residue_names: list
    residue_numbers: list


def read_gro(path):
    """Read a .gro coordinate file (fixed columns; precision from the decimal points, as GROMACS).

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    GroFrame

    Raises
    ------
    TopologyError
        Naming the file and line of a malformed line or a missing atom line.

    Examples
    --------
    >>> _ = open("w.gro", "w").write("water\\n 1\\n    1SOL     OW    1   0.100   0.200   0.300\\n   2.0 2.0 2.0\\n")
    >>> read_gro("w.gro").positions.tolist(), read_gro("w.gro").box.diagonal().tolist()
    ([[0.1, 0.2, 0.3]], [2.0, 2.0, 2.0])
    """
    path = os.fspath(path)
    with open(path) as fh:
        lines = fh.read().splitlines()
    if len(lines) < 3:
        raise TopologyError("a .gro file needs a title, an atom count and a box line", path)
    try:
        n = int(lines[1].split()[0])
    except (ValueError, IndexError):
        raise TopologyError(f"malformed atom count {lines[1]!r}", path, 2) from None
    if len(lines) < n + 3:
        raise TopologyError(f"the file announces {n} atoms but has {max(len(lines) - 3, 0)} atom lines", path,
                            len(lines))
    x = np.empty((n, 3))
    v = np.empty((n, 3))
    has_v = True
    names, resn, resnum = [], [], []
    width = None
    for k in range(n):
        ln = lines[2 + k]
        try:
            if width is None:
                first = ln.index(".", 20)
                width = ln.index(".", first + 1) - first
            x[k] = [float(ln[20 + a * width:20 + (a + 1) * width]) for a in range(3)]
            vel = ln[20 + 3 * width:]
            if has_v and len(vel.strip()) > 0:
                v[k] = [float(vel[a * width:(a + 1) * width]) for a in range(3)]  # same width, one more decimal
            else:
                has_v = False
            resnum.append(int(ln[0:5]))
        except ValueError:
            raise TopologyError(f"malformed atom line {ln!r}; expected %5d%-5s%5s%5d then 3 coordinates", path,
                                k + 3) from None
        resn.append(ln[5:10].strip())
        names.append(ln[10:15].strip())
    box_line = lines[2 + n]
    try:
        bv = [float(t) for t in box_line.split()]
    except ValueError:
        raise TopologyError(f"malformed box line {box_line!r}", path, n + 3) from None
    if len(bv) not in (3, 9):
        raise TopologyError(f"box line has {len(bv)} numbers; allowed: 3 (rectangular) or 9 (triclinic)", path, n + 3)
    box = None
    if any(bv):
        h = np.diag(bv[:3])
        if len(bv) == 9:
            if bv[3] or bv[4] or bv[6]:
                raise TopologyError("box vectors must have v1(y) = v1(z) = v2(z) = 0 (GROMACS convention)", path,
                                    n + 3)
            h[1, 0], h[2, 0], h[2, 1] = bv[5], bv[7], bv[8]
        box = h
    return GroFrame(lines[0], x, v if has_v else None, box, names, resn, resnum)


def write_gro(path, system, title="written by mindscience", precision=3, velocities=True):
    """Write ``system`` as a .gro file (atomic write; the triclinic box line when the box is not rectangular).

    Parameters
    ----------
    path : str or os.PathLike
    system : System
        Names and residues come from ``system.topology``.
    title : str
    precision : int
        Decimals of the positions (3 is the GROMACS default; velocities get one more), 1..8.
    velocities : bool
        Write velocities.

    Examples
    --------
    >>> from molecular import System
    >>> write_gro("two.gro", System([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], box=[2, 2, 2]))
    >>> read_gro("two.gro").positions[1].tolist()
    [0.4, 0.5, 0.6]
    """
    if not 1 <= int(precision) <= 8:
        raise InputError(f"precision={precision!r} is out of range; allowed: 1..8")
    p = int(precision)
    top = system.topology
    out = [title.replace("\n", " "), f"{system.n_atoms:5d}"]
    w = p + 5
    for i in range(system.n_atoms):
        x, y, z = system.positions[i]
        line = (f"{(int(top.residue_ids[i]) + 1) % 100000:5d}{top.residue_names[i][:5]:<5s}{top.names[i][:5]:>5s}"
                f"{(i + 1) % 100000:5d}{x:{w}.{p}f}{y:{w}.{p}f}{z:{w}.{p}f}")
        if velocities:
            vx, vy, vz = system.velocities[i]
            line += f"{vx:{w}.{p + 1}f}{vy:{w}.{p + 1}f}{vz:{w}.{p + 1}f}"  # GROMACS: %8.3f positions, %8.4f velocities
        out.append(line)
    if system.box is None:
        out.append(f"{0.0:10.5f}{0.0:10.5f}{0.0:10.5f}")
    else:
        h = system.box.h
        vals = [h[0, 0], h[1, 1], h[2, 2]]
        if not system.box.is_orthorhombic:
            vals += [h[0, 1], h[0, 2], h[1, 0], h[1, 2], h[2, 0], h[2, 1]]
        out.append("".join(f"{v:10.5f}" for v in vals))
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        fh.write("\n".join(out) + "\n")
