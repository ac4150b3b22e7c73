"""Formats in and out: extended XYZ (energies and forces, ASE conventions) and npz with units metadata.

Extended XYZ [1]_ is the exchange format of most machine-learned-potential datasets. A frame is::

    2
    Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3:forces:R:3 energy=-1.5 pbc="T T T"
    Ar 0.0 0.0 0.0 0.1 0.0 0.0
    Ar 3.8 0.0 0.0 -0.1 0.0 0.0

following ASE: ``Lattice`` holds the three cell vectors one after the other (rows of ``cell``),
``Properties`` names the per-atom columns as ``name:type:ncols`` (types S string, R real, I integer,
L logical T/F), every other ``key=value`` is per-frame information, and a frame with a lattice but no
``pbc`` is periodic in all directions. The format carries no units: ASE reads positions in Å, energies
in eV and forces in eV/Å, while the molecular suite uses nm, kJ/mol and kJ/(mol nm); convert before
writing a file meant for ASE. Floats are written with ``repr`` so that reading back is bit-exact.

References
----------
.. [1] The extended XYZ specification, https://github.com/libAtoms/extxyz
"""

import json
import re

import numpy as np

from mindscience.io.hdf5 import atomic_path

__all__ = [
    "ExtXYZError",
    "export_extxyz",
    "export_npz",
    "frames_to_arrays",
    "read_extxyz",
    "read_npz",
    "write_extxyz",
    "write_npz",
]

_RESERVED = {"Lattice", "Properties", "pbc"}
_NAMES_IN = {"species": "symbols", "pos": "positions"}
_NAMES_OUT = {v: k for k, v in _NAMES_IN.items()}
_PAIR = re.compile(r"""([A-Za-z_][\w\-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|\{[^}]*\}|\S+))?""")


class ExtXYZError(ValueError):
    """A malformed extended-XYZ file; the message names the file, the line and what is wrong."""


def write_extxyz(path, frames):
    """Write frames to an extended-XYZ file (atomically).

    Parameters
    ----------
    path : str or os.PathLike
    frames : dict or sequence of dict
        Each frame: ``symbols`` (sequence of str, length N), ``positions`` (ndarray (N, 3)); optional
        ``forces`` (N, 3), ``energy`` (float), ``cell`` ((3, 3), rows are the lattice vectors),
        ``pbc`` (3 bools), ``arrays`` (further per-atom arrays, (N,) or (N, k), real, int or bool) and
        ``info`` (further per-frame numbers, strings or bools).
    """
    if isinstance(frames, dict):
        frames = [frames]
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        for k, fr in enumerate(frames):  # frames may be a generator: written one at a time
            fh.write(_frame_text(k, fr))


def _frame_text(k, fr):
    symbols = [str(s) for s in fr["symbols"]]
    n = len(symbols)
    columns = [("symbols", np.asarray(symbols, dtype=object).reshape(n, 1), "S")]
    per_atom = {"positions": fr["positions"]}
    if fr.get("forces") is not None:
        per_atom["forces"] = fr["forces"]
    per_atom.update(fr.get("arrays") or {})
    for name, value in per_atom.items():
        arr = np.asarray(value)
        if arr.ndim not in (1, 2) or arr.shape[0] != n:
            raise ValueError(f"frame {k}: per-atom array {name!r} has shape {arr.shape}; expected ({n},) or ({n}, k)")
        arr = arr.reshape(n, -1)
        kind = "L" if arr.dtype == bool else "I" if np.issubdtype(arr.dtype, np.integer) else "R"
        columns.append((name, arr, kind))
    header = []
    if fr.get("cell") is not None:
        cell = np.asarray(fr["cell"], dtype=np.float64).reshape(3, 3)
        header.append('Lattice="' + " ".join(repr(float(v)) for v in cell.ravel()) + '"')
    props = ":".join(f"{_NAMES_OUT.get(name, name)}:{kind}:{arr.shape[1]}" for name, arr, kind in columns)
    header.append(f"Properties={props}")
    if fr.get("energy") is not None:
        header.append(f"energy={float(fr['energy'])!r}")
    for key, value in (fr.get("info") or {}).items():
        if key in _RESERVED or key == "energy" or not re.fullmatch(r"[A-Za-z_][\w\-]*", key):
            raise ValueError(f"frame {k}: info key {key!r} is reserved or not a valid extended-XYZ key")
        header.append(f"{key}={_format_value(value)}")
    if fr.get("pbc") is not None:
        header.append('pbc="' + " ".join("T" if b else "F" for b in np.asarray(fr["pbc"], dtype=bool)) + '"')
    elif fr.get("cell") is None:
        header.append('pbc="F F F"')
    lines = [str(n), " ".join(header)]
    for i in range(n):
        lines.append(" ".join(_format_cell(v, kind) for _, arr, kind in columns for v in arr[i]))
    return "\n".join(lines) + "\n"


def _format_cell(v, kind):
    if kind == "R":
        return repr(float(v))
    if kind == "L":
        return "T" if v else "F"
    return str(v) if kind == "S" else str(int(v))


def _format_value(value):
    if isinstance(value, (bool, np.bool_)):
        return "T" if value else "F"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (list, tuple, np.ndarray)):
        return '"' + " ".join(_format_value(v) for v in np.asarray(value).ravel()) + '"'
    text = str(value)
    if '"' in text or "\n" in text:
        raise ValueError(f"info value {text!r} contains a quote or newline")
    return f'"{text}"'


def read_extxyz(path):
    """Read every frame of an extended-XYZ file.

    Returns
    -------
    list of dict
        Frames as accepted by :func:`write_extxyz`: ``symbols`` (list of str), ``positions`` (N, 3),
        ``forces`` (N, 3) and ``energy`` when present, ``cell`` (3, 3) or None, ``pbc`` (3,) bool,
        ``arrays`` (other per-atom columns) and ``info`` (other key=value pairs).
    """
    with open(path) as fh:
        text = fh.read().splitlines()
    frames, ln = [], 0
    while ln < len(text):
        if not text[ln].strip():
            ln += 1
            continue
        where = f"{path}:{ln + 1}"
        try:
            n = int(text[ln].split()[0])
        except ValueError:
            raise ExtXYZError(f"{where}: expected the number of atoms, got {text[ln]!r}") from None
        if ln + 2 + n > len(text):
            raise ExtXYZError(f"{where}: frame of {n} atoms is truncated (file ends at line {len(text)})")
        header = _parse_header(text[ln + 1], f"{path}:{ln + 2}")
        frames.append(_parse_atoms(text[ln + 2 : ln + 2 + n], header, path, ln + 3))
        ln += 2 + n
    return frames


def _parse_header(line, where):
    info = {}
    for m in _PAIR.finditer(line):
        key, raw = m.group(1), m.group(2)
        info[key] = True if raw is None else _parse_value(raw)
    props = info.pop("Properties", "species:S:1:pos:R:3")
    parts = str(props).split(":")
    if len(parts) % 3:
        raise ExtXYZError(f"{where}: Properties={props!r} is not a list of name:type:ncols")
    columns = []
    for name, kind, ncols in zip(parts[0::3], parts[1::3], parts[2::3]):
        if kind not in "SRIL" or not ncols.isdigit():
            raise ExtXYZError(f"{where}: bad column spec {name}:{kind}:{ncols} in Properties")
        columns.append((name, kind, int(ncols)))
    frame = {"columns": columns, "cell": None, "pbc": None, "info": info}
    if "Lattice" in info:
        lat = np.atleast_1d(np.asarray(info.pop("Lattice"), dtype=np.float64))
        if lat.size != 9:
            raise ExtXYZError(f"{where}: Lattice must hold 9 numbers, got {lat.size}")
        frame["cell"] = lat.reshape(3, 3)
    if "pbc" in info:
        frame["pbc"] = np.atleast_1d(np.asarray(info.pop("pbc"), dtype=bool))
    else:
        frame["pbc"] = np.full(3, frame["cell"] is not None)
    return frame


def _parse_value(raw):
    if raw[0] in "\"'{":
        raw = raw[1:-1]
        raw = raw.replace('\\"', '"')
        tokens = raw.split()
        if len(tokens) > 1:
            vals = [_parse_scalar(t) for t in tokens]
            if all(not isinstance(v, str) for v in vals):
                kinds = {type(v) for v in vals}
                return np.asarray(vals, dtype=bool if kinds == {bool} else None)
            return raw
        if not tokens:
            return ""
        value = _parse_scalar(tokens[0])
        return value if not isinstance(value, str) else raw
    return _parse_scalar(raw)


def _parse_scalar(tok):
    if tok in ("T", "True", "true"):
        return True
    if tok in ("F", "False", "false"):
        return False
    try:
        return int(tok)
    except ValueError:
        pass
    try:
        return float(tok)
    except ValueError:
        return tok


def _parse_atoms(lines, header, path, first_line):
    columns = header["columns"]
    width = sum(c[2] for c in columns)
    rows = []
    for k, line in enumerate(lines):
        tokens = line.split()
        if len(tokens) != width:
            raise ExtXYZError(f"{path}:{first_line + k}: expected {width} columns ({columns}), got {len(tokens)}")
        rows.append(tokens)
    table = np.asarray(rows, dtype=object).reshape(len(lines), width)
    out = {"symbols": [], "positions": None, "cell": header["cell"], "pbc": header["pbc"], "arrays": {}, "info": {}}
    col = 0
    for name, kind, ncols in columns:
        block = table[:, col : col + ncols]
        col += ncols
        if kind == "S":
            arr = block.astype(str)
        elif kind == "R":
            arr = block.astype(np.float64)
        elif kind == "I":
            arr = block.astype(np.int64)
        else:
            arr = np.isin(block, ("T", "True", "true"))
        arr = arr[:, 0] if ncols == 1 else arr
        key = _NAMES_IN.get(name, name)
        if key == "symbols":
            out["symbols"] = [str(s) for s in arr]
        elif key in ("positions", "forces"):
            out[key] = arr
        else:
            out["arrays"][key] = arr
    info = dict(header["info"])
    if "energy" in info:
        out["energy"] = float(info.pop("energy"))
    out["info"] = info
    if out["positions"] is None:
        raise ExtXYZError(f"{path}:{first_line - 1}: Properties has no pos column")
    return out


def write_npz(path, arrays, *, units=None, attrs=None):
    """Write arrays to an ``.npz`` file atomically, with units and attributes as JSON in ``__meta__``.

    Parameters
    ----------
    path : str or os.PathLike
    arrays : dict of str -> array_like
    units : dict, optional
        ``{name: unit}``.
    attrs : dict, optional
        JSON-serialisable metadata (parameters, versions).
    """
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    if "__meta__" in arrays:
        raise ValueError("array name '__meta__' is reserved for the metadata")
    meta = json.dumps({"units": units or {}, "attrs": attrs or {}}, default=str, sort_keys=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, __meta__=np.asarray(meta), **arrays)


def read_npz(path):
    """Read an ``.npz`` file; returns ``(arrays, meta)`` where meta has ``units`` and ``attrs`` (empty if absent)."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if k != "__meta__"}
        meta = json.loads(str(z["__meta__"])) if "__meta__" in z.files else {"units": {}, "attrs": {}}
    return arrays, meta


def export_npz(dataset, path, fields=None):
    """Write a :class:`~datasets.loaders.Dataset` view (its samples, coordinates, units) to ``path`` as npz."""
    data = dataset.arrays(fields)
    units = {k: dataset.fields[k]["units"] for k in data}
    for k, v in dataset.coords.items():
        data[f"coords_{k}"] = v
        units[f"coords_{k}"] = dataset.coord_units.get(k, "")
    data["indices"] = dataset.indices
    attrs = {
        "dataset": dataset.name,
        "split": dataset.split,
        "parameters": dataset.parameters,
        "content_sha256": dataset.attrs.get("content_sha256", ""),
    }
    write_npz(path, data, units=units, attrs=attrs)


def frames_to_arrays(frames):
    """Stack frames of equal atom count into arrays (the layout of a dataset for neural potentials).

    Returns
    -------
    dict
        ``symbols`` (list of str, from the first frame), ``positions`` (F, N, 3), and where every frame
        has them ``forces`` (F, N, 3), ``energy`` (F,), ``cell`` (F, 3, 3).
    """
    frames = list(frames)
    if not frames:
        raise ValueError("no frames")
    counts = {len(f["symbols"]) for f in frames}
    if len(counts) != 1:
        raise ValueError(f"frames have different atom counts {sorted(counts)}; stack them per count")
    out = {"symbols": list(frames[0]["symbols"]), "positions": np.stack([f["positions"] for f in frames])}
    if all(f.get("forces") is not None for f in frames):
        out["forces"] = np.stack([f["forces"] for f in frames])
    if all(f.get("energy") is not None for f in frames):
        out["energy"] = np.array([f["energy"] for f in frames], dtype=np.float64)
    if all(f.get("cell") is not None for f in frames):
        out["cell"] = np.stack([f["cell"] for f in frames])
    return out


def export_extxyz(dataset, path, *, symbols, positions="positions", forces="forces", energy="energy", cell=None):
    """Write a :class:`~datasets.loaders.Dataset` view of atomic configurations as extended XYZ, streaming.

    Parameters
    ----------
    dataset : Dataset
    path : str or os.PathLike
    symbols : str or sequence of str
        One element for every atom, or the N symbols.
    positions, forces, energy : str or None
        Field names (shapes (N, 3), (N, 3), ()); ``None`` omits forces or energy.
    cell : str or None
        Field of shape (3, 3) or (3,) (orthorhombic box lengths); written as ``Lattice`` with ``pbc="T T T"``.

    Notes
    -----
    Values are written in the dataset's units, which are recorded per frame as ``length_units``,
    ``energy_units`` and ``forces_units``; ASE itself assumes Å, eV and eV/Å.
    """
    fields = [f for f in (positions, forces, energy, cell) if f is not None]
    units = {"length_units": dataset.fields[positions]["units"]}
    if energy is not None:
        units["energy_units"] = dataset.fields[energy]["units"]
    if forces is not None:
        units["forces_units"] = dataset.fields[forces]["units"]

    def frames():
        index = iter(dataset.indices)
        for batch in dataset.batches(64, shuffle=False, fields=fields):
            for j in range(len(batch[positions])):
                pos = batch[positions][j]
                frame = {
                    "symbols": [symbols] * len(pos) if isinstance(symbols, str) else list(symbols),
                    "positions": pos,
                    "info": dict(units, dataset=dataset.name, sample=int(next(index))),
                }
                if forces is not None:
                    frame["forces"] = batch[forces][j]
                if energy is not None:
                    frame["energy"] = float(batch[energy][j])
                if cell is not None:
                    c = np.asarray(batch[cell][j], dtype=np.float64)
                    frame["cell"] = np.diag(c) if c.shape == (3,) else c
                    frame["pbc"] = [True, True, True]
                yield frame

    write_extxyz(path, frames())
