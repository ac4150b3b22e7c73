"""The ``mindscience datasets`` command: list | info NAME | generate NAME | verify NAME | path NAME."""

import argparse
import json
import sys

from datasets import registry, store
from datasets.errors import DatasetError
from mindscience.errors import InputError


def _params(pairs):
    """``["nx=128", "nu_max=0.1"]`` -> dict; values are JSON when they parse, else strings."""
    out = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param {pair!r} must look like KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _size(nbytes):
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1000.0
    return ""


def _cmd_list(args):
    names = registry.list_datasets()
    for name in names:
        try:
            spec = registry.get(name)
            desc, prov = spec.description, registry.provider(name)
        except InputError as exc:
            desc, prov = f"FAILED TO LOAD: {exc}", "?"
        cached = sorted((registry.data_root() / name).glob("*.h5"))
        mark = f"  [{len(cached)} generated]" if cached else ""
        print(f"{name:28s} {desc}  ({prov}){mark}")
    for module, error in registry.broken().items():
        print(f"{module}: FAILED TO IMPORT: {error}")
    print(f"{len(names)} datasets; cache: {registry.data_root()}")
    return 0


def _cmd_info(args):
    d = registry.info(args.name, params=_params(args.param), n=args.n)
    print(f"{d['name']} (v{d['version']}, {d['provider']}): {d['description']}")
    print("fields (per sample):")
    for f in d["fields"]:
        print(f"  {f['name']:12s} {str(f['resolved_shape']):16s} {f['dtype']:8s} [{f['units']}]  {f['description']}")
    if d["coords"]:
        print("coordinates (shared):")
        for f in d["coords"]:
            print(
                f"  {f['name']:12s} {str(f['resolved_shape']):16s} {f['dtype']:8s} [{f['units']}]  {f['description']}"
            )
    print("parameters:")
    for k, v in d["parameters"].items():
        print(f"  {k} = {v!r}")
    print(f"licence: {d['licence']}")
    if d["citation"]:
        print(f"cite: {d['citation']}")
    print(
        f"size: {_size(d['nbytes'])} uncompressed for n={d['n']} (default n={d['default_n']})"
        + (f"; {d['expected_size']}" if d["expected_size"] else "")
    )
    print(f"file: {d['path']}" + ("" if _exists(d["path"]) else " (not generated)"))
    return 0


def _exists(path):
    from pathlib import Path

    return Path(path).exists()


def _cmd_generate(args):
    from datasets.generate import generate

    path = generate(
        args.name,
        n=args.n,
        seed=args.seed,
        workers=args.workers,
        params=_params(args.param),
        scheduler=args.scheduler,
        force=args.force,
        progress=not args.no_progress,
    )
    record = store.read_checksum(path)
    print(
        f"{path}\n  sha256 {record['sha256']}  content {record.get('content_sha256', '')[:16]}...  "
        f"{_size(record['size'])}"
    )
    return 0


def _resolve_path(args):
    from pathlib import Path

    p = Path(args.name)
    if p.suffix == ".h5":
        return p
    return registry.dataset_path(args.name, n=args.n, seed=args.seed, params=_params(args.param))


def _cmd_verify(args):
    path = _resolve_path(args)
    record = store.verify(path)
    print(f"OK {path}  sha256 {record['sha256']}")
    return 0


def _cmd_path(args):
    print(_resolve_path(args))
    return 0


def build_parser():
    """The argparse parser of ``mindscience datasets``."""
    p = argparse.ArgumentParser(prog="mindscience datasets", description="Reproducible datasets made by our solvers")
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True
    sub.add_parser("list", help="available datasets").set_defaults(func=_cmd_list)

    def which(sp, seed=True):
        sp.add_argument("name", help="dataset name (see `list`)" + ("; or a .h5 file" if seed else ""))
        sp.add_argument("--n", type=int, help="number of samples (default: the dataset's)")
        if seed:
            sp.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
        sp.add_argument("--param", "-p", action="append", metavar="KEY=VALUE", help="parameter override (repeatable)")

    which(sub.add_parser("info", help="fields, units, shapes, parameters, licence, size"), seed=False)
    sub.choices["info"].set_defaults(func=_cmd_info)
    g = sub.add_parser("generate", help="generate (or resume) a dataset into the cache")
    which(g)
    g.add_argument("--workers", "-j", type=int, default=None, help="local worker processes (default: all CPUs)")
    g.add_argument("--scheduler", help="Dask scheduler address (tcp://host:8786) instead of the local pool")
    g.add_argument("--force", action="store_true", help="regenerate even if a verified file exists")
    g.add_argument("--no-progress", action="store_true", help="no progress bar")
    g.set_defaults(func=_cmd_generate)
    v = sub.add_parser("verify", help="check a generated dataset against its sha256 record")
    which(v)
    v.set_defaults(func=_cmd_verify)
    pa = sub.add_parser("path", help="print the file a dataset is (or will be) stored in")
    which(pa)
    pa.set_defaults(func=_cmd_path)
    return p


def main(argv=None):
    """Run ``mindscience datasets ARGV``; returns the exit status (0 ok, 1 error, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.func(args) or 0)
    except (InputError, DatasetError, FileNotFoundError) as exc:
        print(f"mindscience datasets: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "mindscience datasets: interrupted; committed chunks are kept and the next `generate` resumes",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
