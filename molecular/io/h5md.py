"""H5MD 1.1 trajectories via h5py: a chunked, flushed writer and a reader.

Layout written (H5MD 1.1, http://h5md.nongnu.org/h5md.html)::

    /h5md                      version = [1, 1]; author/, creator/
    /particles/all/box         dimension = 3, boundary = periodic|none; edges/{step,time,value}
    /particles/all/position    {step, time, value (T, N, 3)}   unit "nm", time unit "ps"
    /particles/all/velocity    optional, "nm ps-1";  force: optional, "kJ mol-1 nm-1"
    /particles/all/species     (N,) atom types;  mass (N,) "u"
    /observables/<name>        {step, time, value (T,)}  (energies, temperature, ...)

Positions are unwrapped (continuous in time), which MSD analysis needs.
"""

import os

import h5py
import numpy as np

from mindscience.errors import InputError

UNITS = {"position": "nm", "velocity": "nm ps-1", "force": "kJ mol-1 nm-1", "time": "ps", "edges": "nm",
         "potential_energy": "kJ mol-1", "kinetic_energy": "kJ mol-1", "total_energy": "kJ mol-1",
         "conserved_energy": "kJ mol-1", "temperature": "K", "pressure": "kJ mol-1 nm-3", "volume": "nm3",
         "density": "nm-3"}


class H5MDWriter:
    """Append frames to an H5MD 1.1 file; every frame is flushed to disk.

    Parameters
    ----------
    path : str or os.PathLike
        Output ``.h5`` file (overwritten).
    n_atoms : int
    species : array_like of int (N,), optional
    masses : array_like (N,), amu, optional
    periodic : bool
        Whether the box is periodic.
    velocities, forces : bool
        Also store these per frame.
    units : dict, optional
        Override unit strings; an empty string omits the ``unit`` attribute (reduced units).
    author : str
    parameters : str, optional
        JSON text stored as the root attribute ``parameters``.
    append : bool
        Continue an existing file written with the same layout instead of overwriting it.

    Examples
    --------
    >>> w = H5MDWriter("traj.h5", n_atoms=2)          # doctest: +SKIP
    >>> w.write(0, 0.0, np.zeros((2, 3)), box=np.eye(3)); w.close()   # doctest: +SKIP
    """

    def __init__(self, path, n_atoms, species=None, masses=None, periodic=True, velocities=False, forces=False,
                 units=None, author="mindscience", parameters=None, append=False):
        from molecular import __version__

        self.path = os.fspath(path)
        self.n_atoms = int(n_atoms)
        self.units = {**UNITS, **(units or {})}
        self.periodic = periodic
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        if append and os.path.exists(self.path):
            self._reopen()
            return
        f = self.file = h5py.File(self.path, "w")
        g = f.create_group("h5md")
        g.attrs["version"] = np.array([1, 1], dtype=np.int32)
        g.create_group("author").attrs["name"] = author
        c = g.create_group("creator")
        c.attrs["name"] = "mindscience.molecular"
        c.attrs["version"] = __version__
        if parameters is not None:
            f.attrs["parameters"] = parameters
        part = f.create_group("particles/all")
        box = part.create_group("box")
        box.attrs["dimension"] = np.int32(3)
        bnd = "periodic" if periodic else "none"
        box.attrs.create("boundary", np.array([bnd] * 3, dtype="S8"))
        self.periodic = periodic
        self._groups = {}
        n = self.n_atoms
        if periodic:
            self._groups["edges"] = self._element(box, "edges", (3, 3))
        self._groups["position"] = self._element(part, "position", (n, 3))
        if velocities:
            self._groups["velocity"] = self._element(part, "velocity", (n, 3))
        if forces:
            self._groups["force"] = self._element(part, "force", (n, 3))
        if species is not None:
            part.create_dataset("species", data=np.asarray(species, dtype=np.int32))
        if masses is not None:
            ds = part.create_dataset("mass", data=np.asarray(masses, dtype=np.float64))
            ds.attrs["unit"] = "u"
        self._obs = f.create_group("observables")
        self.n_frames = 0

    def _reopen(self):
        f = self.file = h5py.File(self.path, "a")
        part = f["particles/all"]
        if part["position/value"].shape[1] != self.n_atoms:
            raise InputError(f"{self.path} holds {part['position/value'].shape[1]} atoms; cannot append "
                             f"{self.n_atoms}")
        self._groups = {name: part[name] for name in ("position", "velocity", "force") if name in part}
        if "box/edges" in part:
            self._groups["edges"] = part["box/edges"]
        self._obs = f.require_group("observables")
        self.n_frames = part["position/step"].shape[0]

    def _element(self, parent, name, shape):
        g = parent.create_group(name)
        chunk_t = max(1, min(64, (1 << 20) // (8 * int(np.prod(shape)) or 1)))
        g.create_dataset("step", shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(256,))
        t = g.create_dataset("time", shape=(0,), maxshape=(None,), dtype=np.float64, chunks=(256,))
        if self.units.get("time"):
            t.attrs["unit"] = self.units["time"]
        v = g.create_dataset("value", shape=(0, *shape), maxshape=(None, *shape), dtype=np.float64,
                             chunks=(chunk_t, *shape))
        if self.units.get(name):
            v.attrs["unit"] = self.units[name]
        return g

    @staticmethod
    def _append(g, step, time, value):
        k = g["step"].shape[0]
        for name, val in (("step", step), ("time", time), ("value", value)):
            ds = g[name]
            ds.resize(k + 1, axis=0)
            ds[k] = val

    def write(self, step, time, positions, box=None, velocities=None, forces=None, observables=None):
        """Append one frame (and flush).

        Parameters
        ----------
        step : int
        time : float, ps
        positions : ndarray (N, 3), nm
        box : ndarray (3, 3), nm, optional
            Box vectors as rows (required for periodic files).
        velocities, forces : ndarray (N, 3), optional
        observables : dict of str -> float, optional
        """
        positions = np.asarray(positions)
        if positions.shape != (self.n_atoms, 3):
            raise InputError(f"positions has shape {positions.shape}; allowed: ({self.n_atoms}, 3)")
        if self.periodic:
            if box is None:
                raise InputError("box is required for a periodic H5MD file")
            self._append(self._groups["edges"], step, time, np.asarray(box))
        self._append(self._groups["position"], step, time, positions)
        if "velocity" in self._groups:
            self._append(self._groups["velocity"], step, time, velocities)
        if "force" in self._groups:
            self._append(self._groups["force"], step, time, forces)
        for name, value in (observables or {}).items():
            if name not in self._obs:
                g = self._obs.create_group(name)
                g.create_dataset("step", shape=(0,), maxshape=(None,), dtype=np.int64, chunks=(256,))
                g.create_dataset("time", shape=(0,), maxshape=(None,), dtype=np.float64, chunks=(256,))
                v = g.create_dataset("value", shape=(0,), maxshape=(None,), dtype=np.float64, chunks=(256,))
                if self.units.get(name):
                    v.attrs["unit"] = self.units[name]
            self._append(self._obs[name], step, time, float(value))
        self.n_frames += 1
        self.file.flush()

    def close(self):
        if self.file is not None:
            self.file.close()
            self.file = None


def read_h5md(path, group="all"):
    """Read an H5MD file (ours or any H5MD 1.1 writer's, with explicit step/time).

    Returns
    -------
    dict
        ``positions`` (T, N, 3), ``step`` (T,), ``time`` (T,), ``box`` (T, 3, 3) or None, and where
        present ``velocities``, ``forces`` (T, N, 3), ``species`` (N,), ``masses`` (N,) and
        ``observables`` {name: {"step", "time", "value"}}; ``units`` {element: unit}.
    """
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise InputError(f"cannot open H5MD file {path}: {exc}") from None
    with f:
        if "h5md" not in f or f"particles/{group}/position" not in f:
            raise InputError(f"{path} is not an H5MD file with particles/{group}/position")
        part = f[f"particles/{group}"]
        out = {"positions": part["position/value"][()], "step": part["position/step"][()],
               "time": part["position/time"][()], "units": {}}
        out["units"]["position"] = part["position/value"].attrs.get("unit", "")
        box = None
        if "box/edges" in part:
            e = part["box/edges"]
            box = e["value"][()] if isinstance(e, h5py.Group) else np.broadcast_to(e[()], (len(out["step"]),)
                                                                                     + e.shape)
            if box.ndim == 2:
                box = np.stack([np.diag(b) for b in box])
        out["box"] = box
        for name, key in (("velocity", "velocities"), ("force", "forces")):
            if name in part:
                out[key] = part[f"{name}/value"][()]
        if "species" in part:
            out["species"] = part["species"][()]
        if "mass" in part:
            out["masses"] = part["mass"][()]
        obs = {}
        for name, g in f.get("observables", {}).items():
            if isinstance(g, h5py.Group) and "value" in g:
                obs[name] = {k: g[k][()] for k in ("step", "time", "value") if k in g}
        out["observables"] = obs
        return out
