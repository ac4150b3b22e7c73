"""The ``mindscience`` command: info, demo, run CONFIG.toml, examples, datasets."""

import argparse
import os
import sys
from pathlib import Path


def _cmd_info(args):
    import h5py
    import numba
    import numpy
    import scipy

    import mindscience
    from mindscience.plugins import BrokenSuite, discover_suites

    print(f"mindscience {mindscience.__version__}  (python {sys.version.split()[0]})")
    print(f"  numpy {numpy.__version__}, scipy {scipy.__version__}, numba {numba.__version__}, h5py {h5py.__version__}")
    print(f"  numba threading layer: {_threading_layer()}, threads: {numba.get_num_threads()}")
    suites = discover_suites()
    print(f"suites ({len(suites)}):")
    for s in suites:
        if isinstance(s, BrokenSuite):
            print(f"  {s.name}: FAILED TO LOAD: {s.error}")
            continue
        print(f"  {s.name} {s.version}: {s.description}")
        print(f"      demo: {'yes' if s.demo else 'not yet'}; examples: "
              + (", ".join(e.name for e in s.examples) or "none"))
        print("      dataset generators: " + (", ".join(sorted(s.datasets)) or "none"))
    try:
        import datasets
    except ImportError:
        return 0
    names = [n for n in datasets.list() if n not in {d for s in suites for d in getattr(s, "datasets", {})}]
    print(f"datasets ({len(names)} built in): " + ", ".join(names))
    return 0


def _threading_layer():
    import numba

    try:
        return numba.threading_layer()
    except ValueError:  # no parallel region launched yet: report the configured choice
        return f"{numba.config.THREADING_LAYER} (configured)"


def _cmd_demo(args):
    from mindscience.demo import run_demo

    out = Path(args.out)
    results = run_demo(out, suites=args.suite)
    total = sum(r["seconds"] for r in results.values())
    nfiles = sum(len(r.get("files", [])) for r in results.values())
    print(f"demo finished in {total:.1f} s: {nfiles} files written under {out.resolve()}")
    return 0


def _cmd_run(args):
    from mindscience.errors import ConfigError
    from mindscience.io import load_config
    from mindscience.plugins import get_suite

    config = load_config(args.config)
    if "suite" not in config:
        raise ConfigError(f"{args.config}: missing required key 'suite' (the suite that runs this config)")
    name = config.pop("suite")
    try:
        suite = get_suite(name)
    except KeyError as exc:
        raise ConfigError(f"{args.config}: {exc.args[0]}") from None
    if suite.run_config is None:
        raise ConfigError(f"{args.config}: suite {name!r} does not run configs yet")
    out = Path(args.out or Path(args.config).with_suffix(""))
    out.mkdir(parents=True, exist_ok=True)
    result = suite.run_config(config, out)
    for line in result.get("summary", []):
        print(line)
    for f in result.get("files", []):
        print(f"  wrote {f}")
    return 0


def _cmd_examples(args):
    from mindscience.plugins import BrokenSuite, discover_suites, examples_root

    root = examples_root()
    for s in discover_suites():
        if isinstance(s, BrokenSuite):
            continue
        print(f"{s.name}:")
        if not s.examples:
            print("  (none yet)")
        for e in s.examples:
            path = root / e.path
            where = path if path.exists() else f"{e.path} (in the source repository's examples/)"
            print(f"  {e.name:24s} {e.description}\n  {'':24s} python {where}")
    return 0


def _cmd_datasets(args):
    try:
        from datasets.cli import main as datasets_main
    except ImportError:
        raise RuntimeError("the datasets package has no command line yet") from None
    return datasets_main(args.rest)


def build_parser():
    """The argparse parser of the ``mindscience`` command."""
    from mindscience import __version__

    p = argparse.ArgumentParser(prog="mindscience", description="AI + scientific computing toolkit")
    p.add_argument("--version", action="version", version=f"mindscience {__version__}")
    p.add_argument("--traceback", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sub.add_parser("info", help="versions, threading and installed suites").set_defaults(func=_cmd_info)
    d = sub.add_parser("demo", help="run each installed suite's demo into a folder")
    d.add_argument("--out", default="mindscience-demo", help="output folder (default: ./mindscience-demo)")
    d.add_argument("--suite", action="append", help="only this suite (repeatable)")
    d.set_defaults(func=_cmd_demo)
    r = sub.add_parser("run", help="run a TOML config with the suite it names")
    r.add_argument("config", help="path to CONFIG.toml (must contain suite = \"...\")")
    r.add_argument("--out", help="output folder (default: the config's name without .toml)")
    r.set_defaults(func=_cmd_run)
    sub.add_parser("examples", help="list runnable example scripts").set_defaults(func=_cmd_examples)
    ds = sub.add_parser("datasets", help="dataset registry: list, info, generate, verify, path", add_help=False)
    ds.add_argument("rest", nargs=argparse.REMAINDER)
    ds.set_defaults(func=_cmd_datasets)
    from mindscience.plugins import BrokenSuite, discover_suites

    for s in discover_suites():
        if not isinstance(s, BrokenSuite) and s.add_commands is not None:
            s.add_commands(sub)
    return p


def main(argv=None):
    """Entry point; returns the exit status (0 on success, 1 on a clear error, 2 on usage errors)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv[:1] == ["datasets"]:  # everything after 'datasets' (its --help too) belongs to datasets.cli
        args = argparse.Namespace(func=_cmd_datasets, rest=argv[1:], traceback=False)
    else:
        args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("mindscience: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.traceback or os.environ.get("MINDSCIENCE_DEBUG"):
            raise
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"mindscience: error: {msg}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
