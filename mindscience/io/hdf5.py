"""HDF5 helpers: atomic writes, nested dicts of arrays in and out, metadata attributes.

Every file written here carries the package version, its creation time (UTC, ISO 8601), the
parameters that produced it (JSON) and, per dataset, a ``units`` attribute where one was given.
Writes go to a temporary file in the destination folder, are flushed and fsync'ed, and then renamed
over the destination, so a crash never leaves a partial or corrupt result behind.
"""

import contextlib
import datetime as _dt
import json
import os
import tempfile

import h5py
import numpy as np

_LIST_ATTR = "__mindscience_list__"
_NONE_ATTR = "__mindscience_none__"


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; rename it onto ``path`` only on success.

    Parameters
    ----------
    path : str or os.PathLike
        Final destination. Its folder is created if needed.

    Yields
    ------
    str
        Temporary path to write to. On an exception it is deleted and ``path`` is untouched.

    Examples
    --------
    >>> with atomic_path("result.txt") as tmp:          # doctest: +SKIP
    ...     open(tmp, "w").write("done")
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def atomic_h5(path, *, parameters=None, attrs=None):
    """Open a new HDF5 file for writing that appears at ``path`` only once complete.

    Parameters
    ----------
    path : str or os.PathLike
        Destination ``.h5`` file; replaced atomically if it exists.
    parameters : dict, optional
        Parameters that produced the result; stored as JSON in the root attribute ``parameters``.
    attrs : dict, optional
        Further root attributes (strings or numbers).

    Yields
    ------
    h5py.File
        The open file (root metadata already written).
    """
    with atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            _stamp(f, parameters, attrs)
            yield f
            f.flush()


def _stamp(f, parameters, attrs):
    from mindscience import __version__

    f.attrs["mindscience_version"] = __version__
    f.attrs["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    if parameters is not None:
        f.attrs["parameters"] = json.dumps(parameters, default=_json_default, sort_keys=True)
    for key, value in (attrs or {}).items():
        f.attrs[key] = value


def _json_default(obj):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return str(obj)


def write_tree(group, tree, units=None):
    """Write a nested dict of arrays, numbers and strings into an HDF5 group.

    Parameters
    ----------
    group : h5py.Group
        Destination group.
    tree : dict
        Keys are strings; values are arrays, numbers, strings, ``None``, lists/tuples or nested
        dicts. Lists and tuples become subgroups tagged so that :func:`read_tree` returns lists.
    units : dict, optional
        Maps a key (``"a/b"`` for nested entries) to its unit string, stored as attribute ``units``.
    """
    units = units or {}
    _write(group, tree, units, "")


def _write(group, tree, units, prefix):
    for key, value in tree.items():
        if not isinstance(key, str) or not key or "/" in key:
            raise ValueError(f"HDF5 tree key {key!r} must be a non-empty string without '/'")
        name = prefix + key
        if isinstance(value, dict):
            _write(group.create_group(key), value, units, name + "/")
        elif isinstance(value, (list, tuple)) and not _is_numeric_sequence(value):
            sub = group.create_group(key)
            sub.attrs[_LIST_ATTR] = "tuple" if isinstance(value, tuple) else "list"
            _write(sub, {str(i): v for i, v in enumerate(value)}, units, name + "/")
        elif value is None:
            group.create_dataset(key, data=np.zeros(0)).attrs[_NONE_ATTR] = 1
        elif isinstance(value, str):
            group.create_dataset(key, data=value, dtype=h5py.string_dtype())
        else:
            arr = np.asarray(value)
            if arr.dtype == object:
                raise TypeError(f"HDF5 tree entry {name!r} has unsupported type {type(value).__name__}")
            kwargs = {"compression": "gzip", "compression_opts": 4} if arr.size >= 4096 else {}
            ds = group.create_dataset(key, data=arr, **kwargs)
            if name in units:
                ds.attrs["units"] = units[name]


def _is_numeric_sequence(value):
    if not value:
        return False
    return all(isinstance(v, (int, float, complex, np.number, bool)) for v in value)


def read_tree(group):
    """Read what :func:`write_tree` wrote; returns nested dicts of arrays, scalars and strings.

    Parameters
    ----------
    group : h5py.Group

    Returns
    -------
    dict or list or tuple
        Scalars come back as numpy scalars of their stored dtype (bit-exact), strings as ``str``.
    """
    out = {}
    for key, item in group.items():
        if isinstance(item, h5py.Group):
            out[key] = read_tree(item)
        elif _NONE_ATTR in item.attrs:
            out[key] = None
        elif h5py.check_string_dtype(item.dtype) is not None:
            out[key] = item.asstr()[()]
        else:
            value = item[()]
            out[key] = value
    kind = group.attrs.get(_LIST_ATTR)
    if kind is not None:
        seq = [out[str(i)] for i in range(len(out))]
        return tuple(seq) if kind == "tuple" else seq
    return out


def save(path, data, *, parameters=None, units=None, attrs=None):
    """Atomically write a nested dict of arrays to an HDF5 file with metadata.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file.
    data : dict
        Nested dict of arrays, numbers, strings (see :func:`write_tree`).
    parameters : dict, optional
        Stored as JSON in the root attribute ``parameters``.
    units : dict, optional
        ``{"key/subkey": "unit"}``; stored as the dataset attribute ``units``.
    attrs : dict, optional
        Extra root attributes.

    Examples
    --------
    >>> save("out.h5", {"t": np.arange(3.0)}, units={"t": "s"}, parameters={"n": 3})  # doctest: +SKIP
    """
    with atomic_h5(path, parameters=parameters, attrs=attrs) as f:
        write_tree(f, data, units=units)


def load(path):
    """Read every dataset of an HDF5 file written by :func:`save` into a nested dict."""
    with _open_readable(path) as f:
        return read_tree(f)


def read_metadata(path):
    """Return the root attributes of ``path``; ``parameters`` is decoded from JSON."""
    with _open_readable(path) as f:
        meta = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
    if "parameters" in meta:
        meta["parameters"] = json.loads(meta["parameters"])
    return meta


@contextlib.contextmanager
def _open_readable(path):
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"HDF5 file not found: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as exc:
        raise OSError(f"{path} is not a readable HDF5 file (truncated or corrupt?): {exc}") from exc
    with f:
        yield f
