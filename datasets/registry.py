"""Dataset registry: the ``@register_dataset`` decorator, name lookup (built in or from suites) and cache paths.

A dataset is declared once, next to the function that makes one sample of it::

    @register_dataset(
        "toy-sines",
        description="Random sines on a grid",
        fields=(Field("u", ("nx",), units="V", description="signal"),
                Field("freq", (), units="Hz", description="its frequency")),
        parameters={"nx": 64},
    )
    def toy_sines(rng, params, index):
        f = rng.uniform(1.0, 5.0)
        return {"u": np.sin(2 * np.pi * f * np.linspace(0, 1, params["nx"])), "freq": f}

The decorator returns the :class:`DatasetSpec` (the registration object). Built-in datasets live one per
module in :mod:`datasets.generators` and are imported on first lookup; an installed suite declares its own
in ``Suite.datasets`` (``{"name": "module:attr"}``), imported only when that name is used.
"""

import dataclasses
import difflib
import hashlib
import importlib
import json
import math
import os
import pkgutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from datasets.errors import UnknownDatasetError
from mindscience.errors import InputError

__all__ = [
    "DatasetSpec",
    "Field",
    "dataset_path",
    "data_root",
    "get",
    "info",
    "list_datasets",
    "register_dataset",
]

_REGISTRY = {}  # name -> DatasetSpec
_PROVIDER = {}  # name -> "built-in" or the suite's name
_BROKEN = {}  # name or module -> error text of a generator module / suite entry that failed to import
_LOCK = threading.Lock()
_builtins_loaded = False


@dataclasses.dataclass(frozen=True)
class Field:
    """One stored array of every sample (or one coordinate array of the dataset).

    Attributes
    ----------
    name : str
        HDF5 dataset name; letters, digits and ``_``.
    shape : tuple of (int or str)
        Shape of one sample's array; a string entry is the name of an integer parameter
        (``("nt", "nx")``). ``()`` for a scalar per sample.
    units : str
        Physical unit (``"m"``, ``"kJ/mol"``); ``"1"`` for dimensionless.
    description : str
    dtype : str
        numpy dtype name of the stored array.
    """

    name: str
    shape: tuple = ()
    units: str = "1"
    description: str = ""
    dtype: str = "float64"

    def __post_init__(self):
        if not self.name.replace("_", "").isalnum():
            raise InputError(f"Field name {self.name!r} must contain only letters, digits and '_'")
        object.__setattr__(self, "shape", tuple(self.shape))
        np.dtype(self.dtype)  # fails early on a typo

    def resolve_shape(self, params):
        """The concrete shape of this field for resolved parameters ``params``."""
        out = []
        for dim in self.shape:
            value = params[dim] if isinstance(dim, str) else dim
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise InputError(f"field {self.name!r}: dimension {dim!r} = {value!r} must be an integer >= 0")
            out.append(int(value))
        return tuple(out)


@dataclasses.dataclass(frozen=True, eq=False)
class DatasetSpec:
    """Everything the registry knows about one dataset; calling it makes one sample.

    Attributes
    ----------
    name : str
        Registry name (``"pde-reference-burgers"``); also the cache sub-folder.
    description : str
    fields : tuple of Field
        Arrays stored per sample, in order; each becomes ``/samples/<name>`` of shape ``(n, *shape)``.
    sample : callable
        ``sample(rng, params, index) -> {field name: array}``: one sample from its own
        ``numpy.random.Generator`` (seeded from the dataset seed and ``index`` only), the resolved
        parameters and the sample index. It must not use any other source of randomness.
    parameters : mapping
        Parameter names and defaults (JSON-serialisable); the types of the defaults are enforced.
    coords : tuple of Field
        Arrays shared by all samples (grids, frequencies), made by ``make_coords(params)``.
    make_coords : callable or None
        ``make_coords(params) -> {coord name: array}``.
    validate : callable or None
        ``validate(params)`` raises :class:`~mindscience.errors.InputError` on a bad value.
    licence, citation : str
        Terms of the generated data and what to cite (the method or the reference data).
    default_n : int
        Number of samples generated when none is asked for.
    version : int
        Bumped whenever the generator's output for the same seed changes (part of the cache key).
    expected_size : str
        Free-text note on the size of a typical dataset (the exact figure is :meth:`nbytes`).
    source : str
        ``"module:attr"`` where the spec is defined; worker processes re-import it from there.
    """

    name: str
    description: str
    fields: tuple
    sample: Callable
    parameters: Mapping = dataclasses.field(default_factory=dict)
    coords: tuple = ()
    make_coords: Callable | None = None
    validate: Callable | None = None
    licence: str = ""
    citation: str = ""
    default_n: int = 100
    version: int = 1
    expected_size: str = ""
    source: str = ""

    def __call__(self, rng, params, index):
        return self.sample(rng, params, index)

    def resolve(self, params=None):
        """Defaults updated with ``params``, types checked, validated; raises InputError naming the key."""
        params = dict(params or {})
        unknown = sorted(set(params) - set(self.parameters))
        if unknown:
            raise InputError(
                f"dataset {self.name!r} has no parameter {unknown[0]!r}; "
                f"allowed: {', '.join(sorted(self.parameters)) or 'none'}"
            )
        out = {}
        for key, default in self.parameters.items():
            out[key] = _coerce(self.name, key, params.get(key, default), default)
        if self.validate is not None:
            self.validate(out)
        return out

    def field_shapes(self, params):
        """``{field name: shape of one sample}`` for resolved ``params``."""
        return {f.name: f.resolve_shape(params) for f in self.fields}

    def nbytes(self, n=1, params=None):
        """Uncompressed size in bytes of ``n`` samples (before HDF5 compression)."""
        params = self.resolve(params)
        per = sum(math.prod(f.resolve_shape(params)) * np.dtype(f.dtype).itemsize for f in self.fields)
        return int(n) * per

    def cache_key(self, params):
        """Short hash of the resolved parameters and the generator version (part of the file name)."""
        blob = json.dumps({"parameters": params, "version": self.version}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:10]


def _coerce(dataset, key, value, default):
    """Give ``value`` the type of ``default`` (ints may become floats, integral floats ints)."""
    bad = InputError(f"dataset {dataset!r}: parameter {key}={value!r} must be of type {type(default).__name__}")
    if isinstance(default, bool):
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise bad
    if isinstance(default, int):
        if isinstance(value, (bool, np.bool_)):
            raise bad
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            return int(value)
        raise bad
    if isinstance(default, float):
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            return float(value)
        raise bad
    if isinstance(default, str):
        if isinstance(value, str):
            return value
        raise bad
    if isinstance(default, (list, tuple)):
        if isinstance(value, (list, tuple, np.ndarray)):
            return [v.item() if isinstance(v, np.generic) else v for v in value]
        raise bad
    return value


def register_dataset(
    name,
    *,
    description,
    fields,
    parameters=None,
    coords=(),
    make_coords=None,
    validate=None,
    licence="CC-BY-4.0 (generated data); code Apache-2.0",
    citation="",
    default_n=100,
    version=1,
    expected_size="",
):
    """Decorator: register ``sample(rng, params, index) -> dict`` as dataset ``name``; returns its DatasetSpec.

    Parameters
    ----------
    name : str
        Registry name: lower case letters, digits and ``-``.
    description : str
        One line.
    fields : sequence of Field
        Every per-sample array with its shape and units.
    parameters : dict, optional
        Parameter defaults; users override them in :func:`datasets.generate` (``params=``) or on the
        command line (``--param key=value``).
    coords : sequence of Field, optional
        Arrays shared by all samples, made by ``make_coords(params)``.
    make_coords, validate : callable, optional
        See :class:`DatasetSpec`.
    licence, citation, default_n, version, expected_size
        See :class:`DatasetSpec`.

    Returns
    -------
    callable
        The decorator; it returns the :class:`DatasetSpec`, which remains callable like the function.
    """
    if not name or not all(c.islower() or c.isdigit() or c == "-" for c in name):
        raise InputError(f"dataset name {name!r} must be lower-case letters, digits and '-'")
    fields = tuple(fields)
    names = [f.name for f in fields] + [c.name for c in coords]
    if len(set(names)) != len(names) or not fields:
        raise InputError(f"dataset {name!r}: fields and coords need distinct names and at least one field")
    if coords and make_coords is None:
        raise InputError(f"dataset {name!r}: coords were declared but make_coords was not given")

    def decorate(fn):
        spec = DatasetSpec(
            name=name,
            description=description,
            fields=fields,
            sample=fn,
            parameters=dict(parameters or {}),
            coords=tuple(coords),
            make_coords=make_coords,
            validate=validate,
            licence=licence,
            citation=citation,
            default_n=int(default_n),
            version=int(version),
            expected_size=expected_size,
            source=f"{fn.__module__}:{fn.__qualname__}",
        )
        spec.resolve()  # the defaults themselves must be valid
        _add(spec, provider="built-in" if fn.__module__.startswith("datasets.") else fn.__module__)
        return spec

    return decorate


def _add(spec, provider):
    with _LOCK:
        old = _REGISTRY.get(spec.name)
        if old is not None and old is not spec and old.source != spec.source:
            raise InputError(
                f"dataset {spec.name!r} is already registered by {old.source}; cannot register {spec.source}"
            )
        _REGISTRY[spec.name] = spec
        _PROVIDER.setdefault(spec.name, provider)


def _load_builtins():
    """Import every module of :mod:`datasets.generators` once (each registers its datasets)."""
    global _builtins_loaded
    if _builtins_loaded:
        return
    import datasets.generators as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        if mod.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"{pkg.__name__}.{mod.name}")
        except Exception as exc:  # one broken generator must not hide the others
            _BROKEN[f"{pkg.__name__}.{mod.name}"] = f"{type(exc).__name__}: {exc}"
    _builtins_loaded = True


def _suite_entries():
    """``{dataset name: (suite name, "module:attr")}`` declared by installed suites (nothing imported)."""
    from mindscience import plugins

    out = {}
    for suite in plugins.discover_suites():
        for name, target in getattr(suite, "datasets", {}).items():
            out.setdefault(name, (suite.name, target))
    return out


def _import_target(target):
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


def get(name):
    """The :class:`DatasetSpec` registered as ``name`` (importing its generator module if needed).

    Raises
    ------
    UnknownDatasetError
        No such dataset; the message lists close matches and how to see them all.
    """
    if isinstance(name, DatasetSpec):
        return name
    if name in _REGISTRY:
        return _REGISTRY[name]
    _load_builtins()
    if name in _REGISTRY:
        return _REGISTRY[name]
    entries = _suite_entries()
    if name in entries:
        suite, target = entries[name]
        try:
            spec = _import_target(target)
        except Exception as exc:
            raise UnknownDatasetError(
                f"dataset {name!r} of suite {suite!r} failed to import from {target!r}: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(spec, DatasetSpec) or spec.name != name:
            raise UnknownDatasetError(
                f"suite {suite!r} declares dataset {name!r} as {target!r}, which is not a DatasetSpec named {name!r}"
            )
        _add(spec, provider=suite)
        _PROVIDER[name] = suite
        return spec
    known = list_datasets()
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    close += [k for k in known if k.startswith(name) and k not in close]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    if _BROKEN:  # the dataset may live in a generator module that failed to import
        hint += "; generator modules that failed to import: " + "; ".join(f"{m} ({e})" for m, e in _BROKEN.items())
    raise UnknownDatasetError(f"no dataset named {name!r}{hint} (`mindscience datasets list` shows all {len(known)})")


def list_datasets():
    """Names of every available dataset, sorted: built-in ones and those declared by installed suites."""
    _load_builtins()
    return sorted(set(_REGISTRY) | set(_suite_entries()))


def provider(name):
    """``"built-in"``, a suite name, or the module that registered ``name``."""
    get(name)
    return _PROVIDER.get(name, "?")


def broken():
    """``{module: error}`` for generator modules that failed to import (shown by ``datasets list``)."""
    _load_builtins()
    return dict(_BROKEN)


def info(name, params=None, n=None):
    """A plain dict describing dataset ``name``: fields with shapes and units, parameters, licence, size.

    Parameters
    ----------
    name : str
    params : dict, optional
        Parameter overrides used to resolve symbolic shapes and the size.
    n : int, optional
        Number of samples for the size estimate (default: the dataset's ``default_n``).
    """
    spec = get(name)
    resolved = spec.resolve(params)
    n = spec.default_n if n is None else int(n)

    def describe(f):
        return {
            "name": f.name,
            "shape": f.shape,
            "resolved_shape": f.resolve_shape(resolved),
            "dtype": f.dtype,
            "units": f.units,
            "description": f.description,
        }

    return {
        "name": spec.name,
        "description": spec.description,
        "provider": _PROVIDER.get(spec.name, "?"),
        "source": spec.source,
        "version": spec.version,
        "fields": [describe(f) for f in spec.fields],
        "coords": [describe(c) for c in spec.coords],
        "parameters": resolved,
        "licence": spec.licence,
        "citation": spec.citation,
        "default_n": spec.default_n,
        "n": n,
        "nbytes": spec.nbytes(n, resolved),
        "expected_size": spec.expected_size,
        "path": str(dataset_path(spec.name, n=n, params=resolved)),
    }


def data_root():
    """Root of the dataset cache: ``$MINDSCIENCE_DATA``, else the user's cache dir + ``/mindscience``."""
    env = os.environ.get("MINDSCIENCE_DATA")
    if env:
        return Path(env).expanduser()
    if os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mindscience"


def dataset_path(name, n=None, seed=0, params=None):
    """Where dataset ``name`` with ``n`` samples, ``seed`` and ``params`` is (or will be) stored.

    ``<data_root>/<name>/<name>-n<n>-seed<seed>-<key>.h5``, where ``key`` hashes the resolved
    parameters and the generator version.
    """
    spec = get(name)
    resolved = spec.resolve(params)
    n = spec.default_n if n is None else int(n)
    fname = f"{spec.name}-n{n}-seed{int(seed)}-{spec.cache_key(resolved)}.h5"
    return data_root() / spec.name / fname
