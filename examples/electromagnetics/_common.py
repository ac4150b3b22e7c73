"""Helpers shared by the FDTD examples: output folder, ``--quick`` flag and an atomic PNG writer."""

import sys
from pathlib import Path

QUICK = "--quick" in sys.argv[1:]
"""``--quick`` on the command line: a coarse, fast version of the example (used by the tests)."""


def out_dir(name):
    """The first non-flag argument if given, else ``./fdtd_examples_out/<name>``; created."""
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = Path(args[0]) if args else Path("fdtd_examples_out") / name
    out.mkdir(parents=True, exist_ok=True)
    return out


def save_png(fig, path):
    """Write the figure atomically (temporary file, then rename) and close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    tmp = path.with_name("." + path.name + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path
