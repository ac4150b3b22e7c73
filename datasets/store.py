"""HDF5 dataset store: the versioned file layout, sha256 checksum records, verification, assembly from chunks.

File layout (schema ``mindscience.datasets`` version :data:`SCHEMA_VERSION`)::

    /                root attrs: schema, schema_version, dataset, dataset_version, n_samples, seed,
                     chunk_rows, parameters (JSON), mindscience_version, datasets_version, created,
                     content_sha256, split_fractions (JSON), split_seed
    /samples/<f>     (n, *shape) per field, chunked (chunk_rows, *shape), gzip + shuffle;
                     attrs units, description, sha256 (of the little-endian C-order array bytes)
    /coords/<c>      arrays shared by all samples (grids), attr units
    /splits/<s>      sorted int64 sample indices of "train", "val", "test"
    /norm/<f>/...    mean, std (shape of one sample), scalar_mean, scalar_std: over the train split

Beside ``X.h5`` lies ``X.h5.json``: the sha256 and size of the whole file and the command that
regenerates it. Files appear only complete (temporary file, fsync, rename).
"""

import contextlib
import hashlib
import json
import os
import shlex
import zlib
from pathlib import Path

import h5py
import numpy as np

from datasets.errors import CorruptDatasetError, DatasetError, DatasetNotFoundError
from mindscience.io.hdf5 import atomic_h5, atomic_path, write_tree

SCHEMA = "mindscience.datasets"
SCHEMA_VERSION = 1
CHECKSUM_SUFFIX = ".json"
#: zlib level of the stored chunks (HDF5 "gzip" filter, applied after the byte-shuffle filter).
COMPRESSION_LEVEL = 4
_BLOCK = 1 << 20


def checksum_path(path):
    """The checksum record ``X.h5.json`` of ``X.h5``."""
    return Path(os.fspath(path) + CHECKSUM_SUFFIX)


def sha256_file(path, block=_BLOCK):
    """Hex sha256 of a file, read in blocks of ``block`` bytes (constant memory)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


def regenerate_command(name, n, seed, params=None, defaults=None):
    """The shell command that generates dataset ``name`` with these settings (non-default params only)."""
    parts = ["mindscience", "datasets", "generate", name, "--n", str(int(n)), "--seed", str(int(seed))]
    for key, value in sorted((params or {}).items()):
        if defaults is not None and defaults.get(key) == value:
            continue
        parts += ["--param", f"{key}={json.dumps(value)}"]
    return " ".join(shlex.quote(p) for p in parts)


def write_checksum(path, record, final=None):
    """Write the checksum record (sha256 and size of ``path``, plus ``record``) atomically.

    ``final`` is the name the file will have once renamed (default ``path``); the record is written for it.
    """
    path = Path(path)
    final = Path(final) if final is not None else path
    body = {
        "schema": SCHEMA + ".checksum",
        "file": final.name,
        "sha256": sha256_file(path),
        "size": path.stat().st_size,
    }
    body.update(record)
    with atomic_path(checksum_path(final)) as tmp, open(tmp, "w") as fh:
        json.dump(body, fh, indent=1, sort_keys=True)
        fh.write("\n")
    return body


def read_checksum(path, command=""):
    """The checksum record of ``path`` as a dict; raises CorruptDatasetError when missing or unreadable."""
    rec = checksum_path(path)
    try:
        with open(rec) as fh:
            body = json.load(fh)
        body["sha256"], body["size"]
    except FileNotFoundError:
        raise CorruptDatasetError(
            path, f"has no checksum record ({rec.name}), so it cannot be verified", command
        ) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptDatasetError(path, f"has an unreadable checksum record {rec}: {exc}", command) from None
    return body


def verify(path, command=""):
    """Check ``path`` against its recorded size and sha256; return the record, or raise CorruptDatasetError.

    The message names the file and the command that regenerates it (``command``, else the record's).
    """
    path = Path(path)
    if not path.exists():
        raise DatasetNotFoundError(
            f"dataset file not found: {path}" + (f"; generate it with: {command}" if command else "")
        )
    record = read_checksum(path, command)
    command = command or record.get("regenerate", "")
    size = path.stat().st_size
    if size != record["size"]:
        what = "is truncated" if size < record["size"] else "has grown"
        raise CorruptDatasetError(path, f"{what}: {size} bytes, expected {record['size']}", command)
    digest = sha256_file(path)
    if digest != record["sha256"]:
        raise CorruptDatasetError(
            path, f"fails its sha256 check (got {digest[:16]}..., recorded {record['sha256'][:16]}...)", command
        )
    return record


@contextlib.contextmanager
def open_h5(path, command=""):
    """Open a stored dataset read-only; an unreadable file or wrong schema raises a clear error."""
    path = Path(path)
    if not path.exists():
        raise DatasetNotFoundError(
            f"dataset file not found: {path}" + (f"; generate it with: {command}" if command else "")
        )
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise CorruptDatasetError(
            path, f"is not a readable HDF5 file (truncated or corrupt?): {exc}", command
        ) from None
    try:
        check_schema(f, path, command)
    except BaseException:
        f.close()
        raise
    with f:
        yield f


def check_schema(f, path, command=""):
    """Raise DatasetError unless ``f`` is a dataset file of a schema version this code reads."""
    schema = f.attrs.get("schema")
    version = f.attrs.get("schema_version")
    if schema != SCHEMA or version is None:
        raise CorruptDatasetError(path, f"is not a mindscience dataset file (schema attribute {schema!r})", command)
    if int(version) > SCHEMA_VERSION:
        raise DatasetError(
            f"{path} uses dataset schema version {int(version)}, newer than this package reads ({SCHEMA_VERSION}); "
            "upgrade mindscience"
        )


class Moments:
    """Streaming mean and variance (Chan et al. pairwise merge) per element and over all elements.

    Partial moments of chunks are merged in chunk order, so the result does not depend on which
    worker made which chunk.
    """

    KEYS = ("count", "mean", "m2", "scount", "smean", "sm2")

    def __init__(self, shape):
        self.count = 0
        self.mean = np.zeros(shape)
        self.m2 = np.zeros(shape)
        self.scount = 0
        self.smean = 0.0
        self.sm2 = 0.0

    def update(self, x):
        """Add samples ``x`` of shape (k, *shape)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[0] == 0:
            return
        other = Moments(x.shape[1:])
        other.count, other.mean = x.shape[0], x.mean(0)
        other.m2 = ((x - other.mean) ** 2).sum(0)
        flat = x.ravel()
        if flat.size:
            other.scount, other.smean = flat.size, flat.mean()
            other.sm2 = ((flat - other.smean) ** 2).sum()
        self.merge(other)

    def merge(self, other):
        """Combine with the moments of other samples (Chan et al. 1979)."""
        if other.count:
            self.count, self.mean, self.m2 = _merge(self.count, self.mean, self.m2, other.count, other.mean, other.m2)
        if other.scount:
            self.scount, self.smean, self.sm2 = _merge(
                self.scount, self.smean, self.sm2, other.scount, other.smean, other.sm2
            )

    def to_arrays(self):
        """The state as a dict of arrays (to travel between processes or sit in a chunk file)."""
        return {k: np.asarray(getattr(self, k)) for k in self.KEYS}

    @classmethod
    def from_arrays(cls, arrays):
        """Inverse of :meth:`to_arrays`."""
        m = cls(np.shape(arrays["mean"]))
        for k in cls.KEYS:
            value = np.asarray(arrays[k])
            setattr(m, k, value if value.ndim else value.item())
        return m

    def result(self):
        """``{"mean", "std"}`` (per element, shape of one sample) and ``{"scalar_mean", "scalar_std"}``."""
        std = np.sqrt(self.m2 / max(self.count, 1))
        sstd = float(np.sqrt(self.sm2 / max(self.scount, 1)))
        return {
            "mean": np.asarray(self.mean, dtype=np.float64),
            "std": np.where(std > 0, std, 1.0),  # constant entries (boundaries) are left unscaled
            "scalar_mean": float(self.smean),
            "scalar_std": sstd if sstd > 0 else 1.0,
        }


def _merge(na, ma, m2a, nb, mb, m2b):
    n = na + nb
    delta = mb - ma
    return n, ma + delta * (nb / n), m2a + m2b + delta**2 * (na * nb / n)


def storage_dtype(dtype):
    """Little-endian version of ``dtype``: the byte order of every stored array and of its hashes."""
    return np.dtype(dtype).newbyteorder("<")


def encode_chunk(spec, data, chunk_rows, train_mask, level=COMPRESSION_LEVEL):
    """Turn one chunk of samples into what :func:`assemble` writes, so that workers do the heavy part.

    Per field: the HDF5 chunk already passed through the file's filters (byte shuffle, then deflate),
    zero-padded to ``chunk_rows`` samples; the sha256 of every sample's bytes; and, for floating
    fields, the moments of the samples in the train split.

    Parameters
    ----------
    spec : DatasetSpec
    data : dict
        ``{field: array (k, *shape)}`` with ``k <= chunk_rows``.
    chunk_rows : int
        HDF5 chunk length along the sample axis.
    train_mask : ndarray of bool, shape (k,)
    level : int
        zlib compression level.

    Returns
    -------
    dict of ndarray
        Keys ``<field>__z`` (uint8), ``<field>__sha`` (uint8 (k, 32)) and ``<field>__<moment>``.
    """
    out = {}
    for fld in spec.fields:
        arr = np.ascontiguousarray(data[fld.name], dtype=storage_dtype(fld.dtype))
        k = arr.shape[0]
        rows = arr.reshape(k, -1)
        digests = b"".join(hashlib.sha256(r.tobytes()).digest() for r in rows)
        out[f"{fld.name}__sha"] = np.frombuffer(digests, dtype=np.uint8).reshape(k, 32)
        if k < chunk_rows:
            arr = np.concatenate([arr, np.zeros((chunk_rows - k, *arr.shape[1:]), dtype=arr.dtype)])
        shuffled = arr.view(np.uint8).reshape(-1, arr.dtype.itemsize).T.tobytes()
        out[f"{fld.name}__z"] = np.frombuffer(zlib.compress(shuffled, level), dtype=np.uint8)
        if np.issubdtype(arr.dtype, np.floating):
            m = Moments(arr.shape[1:])
            m.update(np.asarray(data[fld.name])[np.asarray(train_mask, dtype=bool)])
            out.update({f"{fld.name}__{key}": v for key, v in m.to_arrays().items()})
    return out


def assemble(path, spec, params, n, seed, rows, chunk_reader, n_chunks, splits, split_meta, record):
    """Write the final file ``path`` from committed chunks, then its checksum record; atomic.

    Parameters
    ----------
    path : pathlib.Path
        Destination ``.h5``.
    spec : DatasetSpec
    params : dict
        Resolved parameters.
    n, seed, rows : int
        Number of samples, dataset seed, samples per chunk (also the HDF5 chunk length, capped at n).
    chunk_reader : callable
        ``chunk_reader(i) -> dict`` made by :func:`encode_chunk` for chunk ``i``.
    n_chunks : int
    splits : dict
        ``{"train": indices, "val": ..., "test": ...}``, sorted int arrays.
    split_meta : dict
        ``{"fractions": [...], "seed": int}`` stored as attributes.
    record : dict
        Extra entries of the checksum record (``regenerate`` command, ``dataset``, ``n``, ...).

    Returns
    -------
    dict
        The checksum record written.

    Notes
    -----
    A field's ``sha256`` attribute is the sha256 of the concatenated sha256 digests of its samples'
    little-endian bytes: it depends on the content only, not on chunking, workers or compression.
    """
    from datasets import __version__ as datasets_version

    path = Path(path)
    shapes = spec.field_shapes(params)
    staging = path.with_name(path.name + ".assembling")
    attrs = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "dataset": spec.name,
        "dataset_version": spec.version,
        "description": spec.description,
        "n_samples": int(n),
        "seed": int(seed),
        "chunk_rows": int(rows),
        "datasets_version": datasets_version,
        "licence": spec.licence,
        "citation": spec.citation,
        "split_fractions": json.dumps(list(split_meta["fractions"])),
        "split_seed": int(split_meta["seed"]),
    }
    hchunk = min(rows, n)
    with atomic_h5(staging, parameters=params, attrs=attrs) as f:
        g = f.create_group("samples")
        dsets, hashes, moments = {}, {}, {}
        for fld in spec.fields:
            shape = shapes[fld.name]
            filters = {"chunks": (hchunk, *shape), "compression": "gzip", "compression_opts": COMPRESSION_LEVEL}
            if 0 in shape:  # an empty field: nothing to chunk
                filters = {}
            ds = g.create_dataset(
                fld.name, shape=(n, *shape), dtype=storage_dtype(fld.dtype), shuffle=bool(filters), **filters
            )
            ds.attrs["units"] = fld.units
            ds.attrs["description"] = fld.description
            ds.attrs["shape_spec"] = json.dumps(list(fld.shape))
            dsets[fld.name], hashes[fld.name] = ds, hashlib.sha256()
            if np.issubdtype(np.dtype(fld.dtype), np.floating):
                moments[fld.name] = Moments(shape)
        start = 0
        for i in range(n_chunks):
            enc = chunk_reader(i)
            k = enc[f"{spec.fields[0].name}__sha"].shape[0]
            if k != min(hchunk, n - start):
                raise DatasetError(f"chunk {i} of {path.name} holds {k} samples, expected {min(hchunk, n - start)}")
            for name, ds in dsets.items():
                if enc[f"{name}__sha"].shape != (k, 32):
                    raise DatasetError(f"chunk {i} of {path.name}: field {name!r} holds a different number of samples")
                if ds.size:  # HDF5 has no chunk to write for an empty field
                    ds.id.write_direct_chunk((start,) + (0,) * (ds.ndim - 1), enc[f"{name}__z"].tobytes(), 0)
                hashes[name].update(enc[f"{name}__sha"].tobytes())
                if name in moments:
                    moments[name].merge(Moments.from_arrays({key: enc[f"{name}__{key}"] for key in Moments.KEYS}))
            start += k
        if start != n:
            raise DatasetError(f"{path.name}: chunks hold {start} samples, expected {n}")
        content = hashlib.sha256()
        for name, h in hashes.items():
            dsets[name].attrs["sha256"] = h.hexdigest()
            content.update(f"{name}:{h.hexdigest()};".encode())
        f.attrs["content_sha256"] = content.hexdigest()
        if spec.coords:
            coords = spec.make_coords(params)
            write_tree(
                f.create_group("coords"),
                {c.name: np.asarray(coords[c.name], dtype=c.dtype) for c in spec.coords},
                units={c.name: c.units for c in spec.coords},
            )
        sg = f.create_group("splits")
        for key in ("train", "val", "test"):
            sg.create_dataset(key, data=np.asarray(splits[key], dtype=np.int64))
        ng = f.create_group("norm")
        for name, m in moments.items():
            write_tree(ng.create_group(name), m.result())
    # record first, rename second: a crash in between leaves a file that fails verification, never an
    # unverifiable one that looks complete
    body = write_checksum(staging, dict(record, content_sha256=content.hexdigest()), final=path)
    os.replace(staging, path)
    return body
