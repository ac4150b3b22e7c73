"""Suite registry: suites register a :class:`Suite` under the entry-point group ``mindscience.suites``.

A suite's ``pyproject.toml`` declares, for example::

    [project.entry-points."mindscience.suites"]
    molecular = "molecular.suite:SUITE"

and ``molecular/suite.py`` defines ``SUITE = Suite(name="molecular", ...)``. A third-party package
plugs in the same way; ``mindscience info`` then lists it and ``mindscience demo`` runs its demo.
"""

import dataclasses
import importlib.metadata as _md
from collections.abc import Callable, Mapping
from pathlib import Path

GROUP = "mindscience.suites"


@dataclasses.dataclass(frozen=True)
class Example:
    """A runnable example script of a suite.

    Attributes
    ----------
    name : str
        Short name (``"dipole2d"``).
    path : str
        Path relative to the repository's ``examples/`` folder.
    description : str
    """

    name: str
    path: str
    description: str = ""


@dataclasses.dataclass(frozen=True)
class Suite:
    """What a suite tells the core engine about itself.

    Attributes
    ----------
    name : str
        Registry name, also the value of ``suite = "..."`` in run configs.
    version : str
    description : str
    demo : callable, optional
        ``demo(outdir: pathlib.Path) -> dict`` runs a small real case, writes HDF5 and PNG files
        into ``outdir`` and returns ``{"files": [paths], "summary": [lines]}``.
    run_config : callable, optional
        ``run_config(config: dict, outdir: pathlib.Path) -> dict`` runs a parsed TOML config
        (``mindscience run``); returns the same kind of dict as ``demo``.
    examples : tuple of Example
    datasets : mapping
        Dataset names provided by the suite -> an import string ``"module:attr"`` naming the
        dataset's registration object in the :mod:`datasets` registry (loaded lazily, so that
        ``mindscience info`` does not import every generator).
    add_commands : callable, optional
        ``add_commands(subparsers)`` adds suite-specific subcommands to the ``mindscience`` command.
    """

    name: str
    version: str
    description: str
    demo: Callable | None = None
    run_config: Callable | None = None
    examples: tuple = ()
    datasets: Mapping[str, str] = dataclasses.field(default_factory=dict)
    add_commands: Callable | None = None


@dataclasses.dataclass(frozen=True)
class BrokenSuite:
    """An entry point that failed to load; kept so that ``info`` can say why."""

    name: str
    error: str


def discover_suites():
    """Load every suite registered under ``mindscience.suites``.

    Returns
    -------
    list of Suite or BrokenSuite
        Sorted by name. A suite whose import fails is returned as :class:`BrokenSuite`.
    """
    found = []
    for ep in _md.entry_points(group=GROUP):
        try:
            suite = ep.load()
            if not isinstance(suite, Suite):
                raise TypeError(f"{ep.value} is a {type(suite).__name__}, expected mindscience.plugins.Suite")
            found.append(suite)
        except Exception as exc:  # a broken third-party suite must not break the command
            found.append(BrokenSuite(ep.name, f"{type(exc).__name__}: {exc}"))
    return sorted(found, key=lambda s: s.name)


def get_suite(name):
    """Return the loaded suite called ``name``; raise ``KeyError`` naming the installed ones."""
    suites = {s.name: s for s in discover_suites()}
    if name not in suites:
        raise KeyError(f"no suite named {name!r}; installed: {', '.join(sorted(suites)) or 'none'}")
    suite = suites[name]
    if isinstance(suite, BrokenSuite):
        raise RuntimeError(f"suite {name!r} failed to load: {suite.error}")
    return suite


def examples_root():
    """The repository's ``examples/`` folder (present in a source checkout / editable install)."""
    return Path(__file__).resolve().parents[1] / "examples"
