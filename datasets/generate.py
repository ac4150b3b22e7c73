"""Dataset generation: per-sample seeding, committed chunks (resumable), local process pool or Dask cluster.

Reproducibility rule: sample ``i`` of a dataset with seed ``s`` is made from its own generator
``default_rng(SeedSequence(s, spawn_key=(i,)))``, the ``i``-th child of ``SeedSequence(s).spawn``. So
the content depends only on (dataset, parameters, ``n``, ``s``), never on the number of workers, the
backend or the order in which chunks finish.

Resumability rule: samples are made in chunks of ``rows`` consecutive indices. A finished chunk is
committed as one file written atomically under ``<file>.parts/``; a killed run leaves only whole
chunks behind, and the next run with the same settings makes exactly the missing ones. The final
HDF5 file is assembled from the chunks once all exist (:func:`datasets.store.assemble`).
"""

import concurrent.futures as cf
import contextlib
import json
import math
import multiprocessing
import os
import shutil
import socket
import uuid
import warnings
from pathlib import Path

import numpy as np

from datasets import registry, store
from datasets.errors import CorruptDatasetError, DatasetError
from mindscience.errors import InputError
from mindscience.io.hdf5 import atomic_path

__all__ = ["DEFAULT_FRACTIONS", "compute_chunk", "generate", "make_chunk", "sample_rng", "sample_seed", "split_indices"]

#: Default train / validation / test fractions recorded in every file.
DEFAULT_FRACTIONS = (0.8, 0.1, 0.1)
#: Target uncompressed size of one committed chunk (also the HDF5 chunk along the sample axis).
CHUNK_BYTES = 4 << 20
_MAX_ROWS = 1024
_IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: keeps workers busy, bounds memory
_CHUNK_FORMAT = 1  # layout of committed chunk files (datasets.store.encode_chunk); bump when it changes
_SPLIT_TAG = 0x5B11  # mixes into the split seed so that splits never reuse a sample's stream


def sample_seed(seed, index):
    """The SeedSequence of sample ``index`` of a dataset generated with ``seed``."""
    return np.random.SeedSequence(int(seed), spawn_key=(int(index),))


def sample_rng(seed, index):
    """The ``numpy.random.Generator`` of sample ``index`` (see the module docstring)."""
    return np.random.default_rng(sample_seed(seed, index))


def split_indices(n, fractions=DEFAULT_FRACTIONS, seed=0):
    """Disjoint, covering, reproducible train/val/test index sets of ``range(n)``.

    Parameters
    ----------
    n : int
        Number of samples.
    fractions : sequence of 3 floats
        Train, validation and test fractions, >= 0, summing to 1. Validation and test sizes are
        ``round(f * n)``; training gets the rest.
    seed : int

    Returns
    -------
    dict
        ``{"train": idx, "val": idx, "test": idx}``: sorted int64 arrays.
    """
    fr = [float(f) for f in fractions]
    if len(fr) != 3 or min(fr) < 0 or abs(sum(fr) - 1.0) > 1e-9:
        raise InputError(f"split fractions={tuple(fractions)!r} must be 3 numbers >= 0 summing to 1")
    perm = np.random.default_rng(np.random.SeedSequence([int(seed), _SPLIT_TAG])).permutation(int(n))
    n_val, n_test = round(fr[1] * n), round(fr[2] * n)
    n_train = n - n_val - n_test
    cuts = {"train": perm[:n_train], "val": perm[n_train : n_train + n_val], "test": perm[n_train + n_val :]}
    return {k: np.sort(v).astype(np.int64) for k, v in cuts.items()}


def chunk_rows(spec, params):
    """Samples per committed chunk: about :data:`CHUNK_BYTES` of data, between 1 and 1024."""
    per = max(spec.nbytes(1, params), 1)
    return int(min(max(CHUNK_BYTES // per, 1), _MAX_ROWS))


def compute_chunk(ref, params, seed, start, stop):
    """Make samples ``start .. stop-1``; return ``{field: array (stop-start, *shape)}``.

    ``ref`` is ``(name, source)``: the dataset's name and the ``module:attr`` it is defined in, so that
    a fresh worker (spawned process, Dask worker) finds it without the parent's registry.
    """
    spec = _resolve_ref(ref)
    shapes = spec.field_shapes(params)
    out = {f.name: np.empty((stop - start, *shapes[f.name]), dtype=f.dtype) for f in spec.fields}
    for i in range(start, stop):
        sample = spec.sample(sample_rng(seed, i), params, i)
        missing = set(out) - set(sample)
        extra = set(sample) - set(out)
        if missing or extra:
            raise DatasetError(
                f"generator of {spec.name!r} returned fields {sorted(sample)}; declared {sorted(out)} "
                f"(missing {sorted(missing)}, undeclared {sorted(extra)})"
            )
        for name, arr in out.items():
            value = np.asarray(sample[name])
            if value.shape != arr.shape[1:]:
                raise DatasetError(
                    f"generator of {spec.name!r}: sample {i} field {name!r} has shape {value.shape}, "
                    f"declared {arr.shape[1:]}"
                )
            arr[i - start] = value
    return out


def make_chunk(ref, params, seed, start, stop, chunk_rows, train_mask):
    """Worker task: make samples ``start .. stop-1`` and encode them (:func:`datasets.store.encode_chunk`)."""
    spec = _resolve_ref(ref)
    return store.encode_chunk(spec, compute_chunk(ref, params, seed, start, stop), chunk_rows, train_mask)


def _resolve_ref(ref):
    name, source = ref
    try:
        return registry.get(name)
    except registry.UnknownDatasetError:
        if not source:
            raise
        spec = registry._import_target(source)
        if not isinstance(spec, registry.DatasetSpec):
            raise
        return spec


def generate(
    name,
    n=None,
    seed=0,
    workers=1,
    *,
    params=None,
    scheduler=None,
    path=None,
    force=False,
    progress=True,
    rows=None,
    fractions=DEFAULT_FRACTIONS,
):
    """Generate dataset ``name`` into the cache (or ``path``) and return the file's path.

    Parameters
    ----------
    name : str or DatasetSpec
        A registered dataset (``datasets.list()``).
    n : int, optional
        Number of samples (default: the dataset's ``default_n``).
    seed : int
        Dataset seed, >= 0; sample ``i`` uses ``SeedSequence(seed, spawn_key=(i,))``.
    workers : int or None
        Local worker processes (``None``: one per CPU). ``1`` runs in this process.
    params : dict, optional
        Parameter overrides (see ``datasets.info(name)["parameters"]``).
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``"tcp://host:8786"``) or a Client: run the chunks on that
        cluster instead of the local pool (needs ``dask[distributed]``; workers must have this
        package installed). The result is identical to a local run.
    path : str or os.PathLike, optional
        Destination file; default :func:`datasets.registry.dataset_path`.
    force : bool
        Regenerate even if a verified file exists.
    progress : bool
        Show a tqdm progress bar.
    rows : int, optional
        Samples per committed chunk (default: about 4 MiB of data). Changing it discards the
        committed chunks of an interrupted run.
    fractions : sequence of 3 floats
        Train/val/test fractions recorded in the file.

    Returns
    -------
    pathlib.Path
        The verified HDF5 file.
    """
    spec = registry.get(name)
    params = spec.resolve(params)
    n = spec.default_n if n is None else n
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n={n!r} is out of range; allowed: integers >= 1")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed={seed!r} is out of range; allowed: integers >= 0")
    n, seed = int(n), int(seed)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise InputError(f"workers={workers!r} is out of range; allowed: integers >= 1 (or None for all CPUs)")
    rows = chunk_rows(spec, params) if rows is None else int(rows)
    if rows < 1:
        raise InputError(f"rows={rows!r} is out of range; allowed: integers >= 1")
    splits = split_indices(n, fractions, seed)
    path = Path(path) if path is not None else registry.dataset_path(spec.name, n=n, seed=seed, params=params)
    command = store.regenerate_command(spec.name, n, seed, params, spec.parameters)
    parts = path.with_name(path.name + ".parts")

    if path.exists() and not force:
        try:
            store.verify(path)
        except CorruptDatasetError as exc:
            warnings.warn(f"{exc}; regenerating", stacklevel=2)
        else:
            _remove_parts(parts)
            return path

    manifest = {
        "dataset": spec.name,
        "version": spec.version,
        "parameters": params,
        "n": n,
        "seed": seed,
        "rows": rows,
        "chunk_format": _CHUNK_FORMAT,
    }
    with _generation_lock(path.with_name(path.name + ".lock")):
        if path.exists() and not force and _is_valid(path):  # another process finished it meanwhile
            _remove_parts(parts)
            return path
        if force:
            _remove_parts(parts)
        _remove_stale_temporaries(path, parts)
        done = _committed_chunks(parts, manifest)
        n_chunks = math.ceil(n / rows)
        bounds = [(i * rows, min((i + 1) * rows, n)) for i in range(n_chunks)]
        ref = (spec.name, spec.source)

        from tqdm.auto import tqdm

        initial = sum(bounds[i][1] - bounds[i][0] for i in done)
        train = np.zeros(n, dtype=bool)
        train[splits["train"]] = True
        tasks = [
            (i, start, stop, min(rows, n), train[start:stop]) for i, (start, stop) in enumerate(bounds) if i not in done
        ]
        with tqdm(total=n, initial=initial, desc=spec.name, unit="sample", disable=not progress, leave=False) as bar:
            for i, data in _run(ref, params, seed, tasks, workers, scheduler):
                _commit(parts, i, data)
                bar.update(bounds[i][1] - bounds[i][0])

        def read_chunk(i):
            try:
                with np.load(_chunk_file(parts, i)) as z:
                    return {k: z[k] for k in z.files}
            except (OSError, ValueError, EOFError) as exc:
                with contextlib.suppress(OSError):
                    os.remove(_chunk_file(parts, i))
                raise DatasetError(
                    f"committed chunk {_chunk_file(parts, i)} is unreadable ({exc}); it was removed: run the same "
                    f"command again to remake it: {command}"
                ) from None

        store.assemble(
            path,
            spec,
            params,
            n,
            seed,
            rows,
            read_chunk,
            n_chunks,
            splits,
            {"fractions": list(fractions), "seed": seed},
            {"dataset": spec.name, "n": n, "seed": seed, "parameters": params, "regenerate": command},
        )
        _remove_parts(parts)
    return path


def _run(ref, params, seed, tasks, workers, scheduler):
    """Yield ``(chunk index, encoded chunk)`` as chunks finish, on the chosen backend.

    At most a few chunks per worker are in flight and a chunk is dropped once yielded (and committed),
    so memory stays bounded however large the dataset.
    """
    if not tasks:
        return
    if scheduler is not None:
        yield from _run_dask(ref, params, seed, tasks, scheduler)
    elif workers == 1 or len(tasks) == 1:
        for i, *args in tasks:
            yield i, make_chunk(ref, params, seed, *args)
    else:
        queue = iter(tasks)
        # forkserver, not fork: forking a process that already runs threads (numba's pool, a JAX
        # runtime, a Dask client) can deadlock the child.
        ctx = multiprocessing.get_context("forkserver")
        with cf.ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
            inflight = {}

            def submit():
                task = next(queue, None)
                if task is not None:
                    inflight[pool.submit(make_chunk, ref, params, seed, *task[1:])] = task[0]

            for _ in range(_IN_FLIGHT_PER_WORKER * workers):
                submit()
            try:
                while inflight:
                    finished, _ = cf.wait(inflight, return_when=cf.FIRST_COMPLETED)
                    for fut in finished:
                        i = inflight.pop(fut)
                        data = fut.result()
                        submit()
                        yield i, data
            except BaseException:
                # Ctrl-C or a failed sample: stop queued chunks; those already committed are kept
                pool.shutdown(wait=False, cancel_futures=True)
                raise


def _run_dask(ref, params, seed, tasks, scheduler):
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError(
            f"scheduler={scheduler!r} needs dask.distributed; install it with: pip install 'dask[distributed]'"
        ) from None
    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    queue = iter(tasks)
    inflight = {}
    stream = as_completed(with_results=True)

    def submit():
        task = next(queue, None)
        if task is not None:
            # a fresh key per run: a key reused across runs could hand back another run's cached chunk
            key = f"datasets-{ref[0]}-chunk{task[0]}-{uuid.uuid4().hex[:12]}"
            fut = client.submit(make_chunk, ref, params, seed, *task[1:], pure=False, key=key)
            inflight[fut.key] = (task[0], fut)
            stream.add(fut)

    try:
        threads = max(sum(client.nthreads().values()), 1)  # sized at start; a cluster that grows later is underfed
        for _ in range(_IN_FLIGHT_PER_WORKER * threads):
            submit()
        for fut, data in stream:
            i, _ = inflight.pop(fut.key)
            fut.release()  # the cluster may forget the chunk once we hold it
            submit()
            yield i, data
    except BaseException:
        client.cancel([f for _, f in inflight.values()])
        raise
    finally:
        if client is not scheduler:
            client.close()


def _is_valid(path):
    try:
        store.verify(path)
    except CorruptDatasetError:
        return False
    return True


@contextlib.contextmanager
def _generation_lock(lockfile):
    """One generating process per dataset file; a lock left by a dead process on this host is taken over."""
    me = {"pid": os.getpid(), "host": socket.gethostname()}
    lockfile.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        try:
            fd = os.open(lockfile, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                holder = json.loads(lockfile.read_text())
            except (OSError, ValueError):
                holder = {}
            if holder.get("host") == me["host"] and not _pid_alive(holder.get("pid")):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(lockfile)
                continue
            raise DatasetError(
                f"process {holder.get('pid', '?')} on {holder.get('host', '?')} is generating this dataset "
                f"(lock {lockfile}); wait for it to finish, or delete the lock file if that process is gone"
            ) from None
        with os.fdopen(fd, "w") as fh:
            json.dump(me, fh)
        break
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(lockfile)


def _pid_alive(pid):
    if not isinstance(pid, int) or pid <= 0:
        return False
    if os.name == "nt":  # no cheap, safe probe: assume the holder is alive
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _chunk_file(parts, i):
    return parts / f"chunk-{i:07d}.npz"


def _commit(parts, i, data):
    with atomic_path(_chunk_file(parts, i)) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **data)


def _committed_chunks(parts, manifest):
    """Indices of chunks committed by an earlier run with identical settings; resets ``parts`` otherwise."""
    mfile = parts / "manifest.json"
    if parts.exists():
        try:
            with open(mfile) as fh:
                same = json.load(fh) == json.loads(json.dumps(manifest))
        except (OSError, ValueError):
            same = False
        if not same:
            _remove_parts(parts)
    if not parts.exists():
        parts.mkdir(parents=True)
        with atomic_path(mfile) as tmp, open(tmp, "w") as fh:
            json.dump(manifest, fh, sort_keys=True)
        return set()
    done = set()
    for f in parts.glob("chunk-*.npz"):
        with contextlib.suppress(ValueError):
            done.add(int(f.stem.split("-")[1]))
    return done


def _remove_stale_temporaries(path, parts):
    """Delete temporary files a killed run left behind (we hold the lock, so none is in use)."""
    stale = list(path.parent.glob(f".{path.name}.*.tmp")) + list(path.parent.glob(f"{path.name}.assembling*"))
    stale += list(path.parent.glob(f".{path.name}.assembling*.tmp")) + list(parts.glob(".*.tmp"))
    for f in stale:
        with contextlib.suppress(OSError):
            f.unlink()


def _remove_parts(parts):
    if parts.exists():
        shutil.rmtree(parts, ignore_errors=True)
