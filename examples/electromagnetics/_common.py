"""Helpers shared by the FDTD examples: output folder and an atomic PNG writer."""

import sys
from pathlib import Path


def out_dir(name):
    """``argv[1]`` if given, else ``./fdtd_examples_out/<name>``; created."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("fdtd_examples_out") / name
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
