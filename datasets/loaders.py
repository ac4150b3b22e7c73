"""Loaders: a lazy view of a stored dataset, its splits, whole arrays, seeded shuffled mini-batches, normalisation.

Nothing is read until asked for: :meth:`Dataset.batches` reads the file chunk by chunk (a bounded
shuffle buffer of whole HDF5 chunks), so a dataset larger than memory can be iterated.
"""

import copy
import json
from pathlib import Path

import h5py
import numpy as np

from datasets import registry, store
from datasets.errors import CorruptDatasetError, DatasetError, DatasetNotFoundError
from datasets.generate import DEFAULT_FRACTIONS, split_indices
from mindscience.errors import InputError
from mindscience.io.hdf5 import read_tree

__all__ = ["Dataset", "load", "open_file", "verify"]

SPLITS = ("train", "val", "test")


class Dataset:
    """A read-only view of a stored dataset, optionally restricted to one split.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.h5`` file.
    split : {"train", "val", "test"} or None
        Restrict to that split (``None``: every sample).
    fractions : sequence of 3 floats, optional
        Recompute the splits with these fractions instead of the stored ones.
    split_seed : int, optional
        Seed of recomputed splits (default: the stored split seed).
    command : str
        Regeneration command quoted in error messages.

    Attributes
    ----------
    path : pathlib.Path
    name : str
        Dataset name.
    fields : dict
        ``{field: {"units", "description", "shape", "dtype"}}``.
    parameters : dict
        Parameters the file was generated with.
    attrs : dict
        Root attributes (versions, seed, creation time, content_sha256, ...).
    indices : ndarray of int64
        Sample indices of this view, sorted.

    Examples
    --------
    >>> ds = datasets.load("pde-reference-poisson", split="train")          # doctest: +SKIP
    >>> for batch in ds.batches(32, seed=0, normalize=True):                 # doctest: +SKIP
    ...     u = batch["u"]                                                   # (32, ny, nx)
    """

    def __init__(self, path, split=None, *, fractions=None, split_seed=None, command=""):
        self.path = Path(path)
        self._command = command
        self._file = None
        with store.open_h5(self.path, command) as f:
            meta = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
            self.parameters = json.loads(meta.pop("parameters", "{}"))
            self.attrs = meta
            self.name = str(meta["dataset"])
            self._n_total = int(meta["n_samples"])
            self._rows = int(meta["chunk_rows"])
            self.fields = {
                k: {
                    "units": str(d.attrs.get("units", "")),
                    "description": str(d.attrs.get("description", "")),
                    "shape": d.shape[1:],
                    "dtype": str(d.dtype),
                    "sha256": str(d.attrs.get("sha256", "")),
                }
                for k, d in f["samples"].items()
            }
            self.coords = read_tree(f["coords"]) if "coords" in f else {}
            self.coord_units = (
                {k: str(d.attrs.get("units", "")) for k, d in f["coords"].items()} if "coords" in f else {}
            )
            self.stats = read_tree(f["norm"]) if "norm" in f else {}
            stored = {k: f["splits"][k][()] for k in SPLITS} if "splits" in f else None
        if fractions is not None or split_seed is not None or stored is None:
            if fractions is None:
                fractions = json.loads(meta.get("split_fractions", "null")) or DEFAULT_FRACTIONS
            seed = int(meta.get("split_seed", 0)) if split_seed is None else split_seed
            self._splits = split_indices(self._n_total, fractions, seed)
            self._stats_valid = False  # the stored statistics describe the stored train split only
        else:
            self._splits = stored
            self._stats_valid = True
        if split is not None and split not in SPLITS:
            raise InputError(f"split={split!r} is not one of {SPLITS} (or None for all samples)")
        self.split = split
        self.indices = np.arange(self._n_total, dtype=np.int64) if split is None else self._splits[split]

    # ----- file handling -----
    def _h5(self):
        if self._file is None:
            try:
                self._file = h5py.File(self.path, "r")
            except OSError as exc:
                raise CorruptDatasetError(self.path, f"cannot be opened: {exc}", self._command) from None
        return self._file

    def close(self):
        """Close the underlying HDF5 file (reopened on the next read)."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def __getstate__(self):  # picklable for data-loader worker processes: the file is reopened there
        state = self.__dict__.copy()
        state["_file"] = None
        return state

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __len__(self):
        return int(self.indices.size)

    def __repr__(self):
        split = f", split={self.split!r}" if self.split else ""
        return f"Dataset({self.name!r}, n={len(self)}{split}, fields={list(self.fields)}, path='{self.path}')"

    def subset(self, split):
        """The same file restricted to ``split`` (``None``: all samples), with the same splits."""
        if split is not None and split not in SPLITS:
            raise InputError(f"split={split!r} is not one of {SPLITS} (or None for all samples)")
        view = copy.copy(self)
        view._file = None
        view.split = split
        view.indices = np.arange(self._n_total, dtype=np.int64) if split is None else self._splits[split]
        return view

    @property
    def splits(self):
        """``{"train": idx, "val": idx, "test": idx}`` over the whole file (sorted int64 arrays)."""
        return {k: v.copy() for k, v in self._splits.items()}

    # ----- reading -----
    def _fields(self, fields):
        if fields is None:
            return list(self.fields)
        fields = [fields] if isinstance(fields, str) else list(fields)
        for f in fields:
            if f not in self.fields:
                raise InputError(f"dataset {self.name!r} has no field {f!r}; fields: {', '.join(self.fields)}")
        return fields

    def _read_rows(self, field, idx):
        """Rows ``idx`` (sorted, unique) of ``field``, reading each touched chunk once."""
        ds = self._h5()["samples"][field]
        out = np.empty((idx.size, *ds.shape[1:]), dtype=ds.dtype)
        if idx.size == 0:
            return out
        chunk = idx // self._rows
        cuts = np.flatnonzero(np.diff(chunk)) + 1
        pos = 0
        try:
            for group in np.split(idx, cuts):
                lo, hi = int(group[0]), int(group[-1]) + 1
                block = ds[lo:hi]
                out[pos : pos + group.size] = block[group - lo]
                pos += group.size
        except OSError as exc:
            raise CorruptDatasetError(
                self.path, f"has an unreadable chunk in field {field!r}: {exc}", self._command
            ) from None
        return out

    def arrays(self, fields=None, normalize=False):
        """Every sample of this view in memory: ``{field: array (len(self), *shape)}``.

        Parameters
        ----------
        fields : str or list of str, optional
            Subset of fields (default: all).
        normalize : bool or {"scalar", "pointwise"}
            Apply :meth:`normalize` (``True`` means ``"scalar"``).
        """
        out = {f: self._read_rows(f, self.indices) for f in self._fields(fields)}
        return self._maybe_normalize(out, normalize)

    def batches(
        self, batch_size, *, shuffle=True, seed=0, fields=None, normalize=False, drop_last=False, buffer_chunks=8
    ):
        """Iterate over mini-batches ``{field: array (batch, *shape)}`` of this view.

        With ``shuffle``, the order is a seeded permutation built in two levels so that memory stays
        bounded: the HDF5 chunks are visited in a random order, ``buffer_chunks`` at a time, and the
        samples of those chunks are shuffled together (an exact uniform shuffle whenever the view
        fits in the buffer). The same ``seed`` always gives the same batches.

        Parameters
        ----------
        batch_size : int
        shuffle : bool
        seed : int
        fields : str or list of str, optional
        normalize : bool or {"scalar", "pointwise"}
        drop_last : bool
            Skip a final batch smaller than ``batch_size``.
        buffer_chunks : int
            HDF5 chunks held in memory at once (each about 4 MiB by default).

        Yields
        ------
        dict
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise InputError(f"batch_size={batch_size!r} is out of range; allowed: integers >= 1")
        fields = self._fields(fields)
        rng = np.random.default_rng(seed)
        chunk_of = self.indices // self._rows
        chunk_ids = np.unique(chunk_of)
        if shuffle:
            chunk_ids = rng.permutation(chunk_ids)
        carry = None
        for w in range(0, chunk_ids.size, max(int(buffer_chunks), 1)):
            window = np.sort(chunk_ids[w : w + buffer_chunks])
            lo = np.searchsorted(chunk_of, window, side="left")  # indices are sorted, so are their chunks
            hi = np.searchsorted(chunk_of, window, side="right")
            idx = np.concatenate([self.indices[a:b] for a, b in zip(lo, hi)])
            data = {f: self._read_rows(f, idx) for f in fields}
            if shuffle:
                perm = rng.permutation(idx.size)
                data = {f: a[perm] for f, a in data.items()}
            if carry is not None:
                data = {f: np.concatenate([carry[f], data[f]]) for f in fields}
            m = len(data[fields[0]])
            full = (m // batch_size) * batch_size
            for s in range(0, full, batch_size):
                yield self._maybe_normalize({f: a[s : s + batch_size] for f, a in data.items()}, normalize)
            carry = {f: a[full:] for f, a in data.items()} if full < m else None
        if carry is not None and not drop_last:
            yield self._maybe_normalize(carry, normalize)

    # ----- normalisation -----
    def _stat(self, field, mode):
        if field not in self.stats:
            raise InputError(f"field {field!r} of {self.name!r} has no normalisation statistics (not floating point)")
        if not self._stats_valid:
            raise DatasetError(
                f"{self.path}: the stored statistics belong to the stored train split; they cannot be used with "
                "recomputed split fractions"
            )
        s = self.stats[field]
        if mode == "scalar":
            return s["scalar_mean"], s["scalar_std"]
        if mode == "pointwise":
            return s["mean"], s["std"]
        raise InputError(f"normalize={mode!r} must be 'scalar', 'pointwise', True or False")

    def normalize(self, field, x, mode="scalar"):
        """``(x - mean) / std`` with the train-split statistics of ``field`` stored in the file.

        ``mode="scalar"`` uses one mean/std over all elements; ``"pointwise"`` one per element of a
        sample (shape of one sample; a constant element gets std 1).
        """
        mean, std = self._stat(field, mode)
        return (np.asarray(x) - mean) / std

    def denormalize(self, field, z, mode="scalar"):
        """Inverse of :meth:`normalize`: ``z * std + mean``."""
        mean, std = self._stat(field, mode)
        return np.asarray(z) * std + mean

    def _maybe_normalize(self, data, normalize):
        if not normalize:
            return data
        mode = "scalar" if normalize is True else normalize
        return {f: (self.normalize(f, a, mode) if f in self.stats else a) for f, a in data.items()}


def open_file(path, split=None, *, verify=True, fractions=None, split_seed=None):
    """Open a stored dataset file directly (see :func:`load`)."""
    command = ""
    if verify:
        command = store.verify(path).get("regenerate", "")
    else:
        try:
            command = store.read_checksum(path).get("regenerate", "")
        except (CorruptDatasetError, FileNotFoundError):
            pass
    return Dataset(path, split, fractions=fractions, split_seed=split_seed, command=command)


def load(name, split=None, *, n=None, seed=0, params=None, verify=True, fractions=None, split_seed=None, path=None):
    """Open the generated dataset ``name`` from the cache (lazy; nothing is read yet).

    Parameters
    ----------
    name : str
        Registered dataset name.
    split : {"train", "val", "test"} or None
    n, seed, params
        Which generation to open (as given to :func:`datasets.generate`; defaults likewise).
    verify : bool
        Check the whole file against its recorded sha256 first (reads the file once; about 1 s/GB).
    fractions, split_seed : optional
        Recompute the splits instead of using the stored ones.
    path : str or os.PathLike, optional
        Open this file instead of the cache entry.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetNotFoundError
        Not generated yet; the message gives the command.
    CorruptDatasetError
        Checksum mismatch, truncated or unreadable file; the message names the file and the command.
    """
    spec = registry.get(name)
    params = spec.resolve(params)
    n = spec.default_n if n is None else int(n)
    command = store.regenerate_command(spec.name, n, seed, params, spec.parameters)
    path = Path(path) if path is not None else registry.dataset_path(spec.name, n=n, seed=seed, params=params)
    if not path.exists():
        raise DatasetNotFoundError(
            f"dataset {spec.name!r} (n={n}, seed={seed}) is not generated yet: {path}; generate it with: {command}"
        )
    if verify:
        store.verify(path, command)
    return Dataset(path, split, fractions=fractions, split_seed=split_seed, command=command)


def verify(name_or_path, *, n=None, seed=0, params=None):
    """Verify a stored dataset (by name and settings, or by file path); return its checksum record."""
    p = Path(str(name_or_path))
    if p.suffix == ".h5" or p.exists():
        return store.verify(p)
    return store.verify(registry.dataset_path(name_or_path, n=n, seed=seed, params=params))
