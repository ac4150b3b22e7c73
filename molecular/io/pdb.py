"""PDB files: ATOM/HETATM records and the CRYST1 box (PDB lengths are angstrom; we use nm)."""

import math
import os

import numpy as np

from mindscience.errors import InputError
from molecular.system import Box, System
from molecular.topology import Topology


def box_from_cryst1(a, b, c, alpha, beta, gamma):
    """Box vectors (rows, lower-triangular) from edge lengths and angles in degrees."""
    al, be, ga = (math.radians(v) for v in (alpha, beta, gamma))
    ax = a
    bx, by = b * math.cos(ga), b * math.sin(ga)
    cx = c * math.cos(be)
    cy = c * (math.cos(al) - math.cos(be) * math.cos(ga)) / math.sin(ga)
    cz = math.sqrt(max(c * c - cx * cx - cy * cy, 0.0))
    h = np.array([[ax, 0, 0], [bx, by, 0], [cx, cy, cz]])
    h[np.abs(h) < 1e-10 * max(a, b, c)] = 0.0
    return h


def cryst1_from_box(h):
    """``(a, b, c, alpha, beta, gamma)`` (lengths in the unit of ``h``, angles in degrees)."""
    a, b, c = np.linalg.norm(h, axis=1)
    ang = lambda u, v: math.degrees(math.acos(np.clip(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v), -1, 1)))
    return a, b, c, ang(h[1], h[2]), ang(h[0], h[2]), ang(h[0], h[1])


def write_pdb(path, system, model=None, append=False):
    """Write ``system`` as PDB (CRYST1 + ATOM records, coordinates in angstrom).

    Parameters
    ----------
    path : str or os.PathLike
    system : System
    model : int, optional
        Wrap the frame in MODEL/ENDMDL records (for trajectories, with ``append=True``).
    append : bool
    """
    top = system.topology
    lines = []
    if system.box is not None and (not append or model in (None, 1)):
        a, b, c, al, be, ga = cryst1_from_box(system.box.h * 10)
        lines.append(f"CRYST1{a:9.3f}{b:9.3f}{c:9.3f}{al:7.2f}{be:7.2f}{ga:7.2f} P 1           1")
    if model is not None:
        lines.append(f"MODEL     {model:4d}")
    for i, (x, y, z) in enumerate(system.positions * 10):
        name = top.names[i][:4]
        el = top.elements[i][:2]
        lines.append(f"ATOM  {(i + 1) % 100000:5d} {name:<4s} {top.residue_names[i][:3]:>3s} A"
                     f"{(int(top.residue_ids[i]) + 1) % 10000:4d}    {x:8.3f}{y:8.3f}{z:8.3f}  1.00  0.00"
                     f"          {el:>2s}")
    lines.append("ENDMDL" if model is not None else "END")
    with open(os.fspath(path), "a" if append else "w") as fh:
        fh.write("\n".join(lines) + "\n")
        fh.flush()


def read_pdb(path, masses=1.0):
    """Read the first model of a PDB file into a :class:`~molecular.system.System`.

    Atoms come from ATOM/HETATM records (columns per the PDB 3.3 format), the box from CRYST1.
    Types are numbered by first appearance of each element (or atom name).

    Raises
    ------
    InputError
        Naming the file and line of a malformed record, or if there are no atoms.
    """
    path = os.fspath(path)
    box = None
    x, names, elements, resn, resi = [], [], [], [], []
    with open(path) as fh:
        for ln, line in enumerate(fh, start=1):
            rec = line[:6].strip()
            try:
                if rec == "CRYST1":
                    vals = [float(line[6:15]), float(line[15:24]), float(line[24:33]),
                            float(line[33:40]), float(line[40:47]), float(line[47:54])]
                    box = Box(box_from_cryst1(*vals) / 10.0)
                elif rec in ("ATOM", "HETATM"):
                    x.append([float(line[30:38]), float(line[38:46]), float(line[46:54])])
                    name = line[12:16].strip()
                    names.append(name)
                    el = line[76:78].strip() if len(line) >= 78 else ""
                    elements.append(el or name.lstrip("0123456789")[:1])
                    resn.append(line[17:20].strip() or "UNK")
                    rid = line[22:26].strip()
                    resi.append(int(rid) if rid else 0)
                elif rec in ("ENDMDL", "END"):
                    if x:
                        break
            except (ValueError, InputError) as exc:
                raise InputError(f"{path}:{ln}: malformed {rec} record {line.rstrip()!r} ({exc})") from None
    if not x:
        raise InputError(f"{path}: no ATOM/HETATM records")
    n = len(x)
    kinds = list(dict.fromkeys(elements))
    types = np.array([kinds.index(e) for e in elements])
    _, res_idx = np.unique(np.asarray(resi), return_inverse=True)
    top = Topology(n, names=names, elements=elements, residue_names=resn, residue_ids=res_idx)
    return System(np.array(x) / 10.0, masses=masses, box=box, types=types, topology=top, type_names=kinds)
