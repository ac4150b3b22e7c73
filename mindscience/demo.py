"""``mindscience demo``: run every installed suite's small demo and the core engine's own check."""

import time
from pathlib import Path

import numpy as np

from mindscience.engine import Recorder
from mindscience.engine.oscillator import DampedOscillator, oscillator_solution
from mindscience.io import save
from mindscience.plugins import BrokenSuite, discover_suites


def engine_demo(outdir):
    """Damped oscillators on the engine's run loop, compared with the closed form.

    Writes ``oscillator.h5`` (time series, analytic solution, error) and ``oscillator.png``.

    Parameters
    ----------
    outdir : pathlib.Path

    Returns
    -------
    dict
        ``{"files": [...], "summary": [...]}``.
    """
    omega, gamma, dt = 2.0 * np.pi, 0.3, 1e-3
    x0 = np.array([1.0, 0.5, -0.2])
    v0 = np.array([0.0, 1.0, 2.0])
    sim = DampedOscillator(x0, v0, omega=omega, gamma=gamma, dt=dt)
    rec = Recorder(10, ["x", "energy"])
    sim.run(until=5.0, reporters=[rec], progress=False)
    data = rec.data
    exact = oscillator_solution(data["time"][:, None], x0, v0, omega, gamma)
    err = float(np.max(np.abs(data["x"] - exact)))
    h5 = outdir / "oscillator.h5"
    save(h5, {"time": data["time"], "x": data["x"], "x_exact": exact, "energy": data["energy"]},
         units={"time": "1", "x": "1", "x_exact": "1", "energy": "1"},
         parameters={"omega": omega, "gamma": gamma, "dt": dt, "x0": x0, "v0": v0})
    files = [h5]
    png = _plot_oscillator(outdir, data["time"], data["x"], exact)
    if png is not None:
        files.append(png)
    return {"files": files,
            "summary": [f"damped oscillator, {sim.step_count} steps: max |x - x_exact| = {err:.2e} "
                        f"(second-order splitting, dt = {dt})"]}


def _plot_oscillator(outdir, t, x, exact):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for i in range(x.shape[1]):
        ax.plot(t, x[:, i], lw=1.5, label=f"oscillator {i}")
        ax.plot(t[::25], exact[::25, i], "k.", ms=3)
    ax.set_xlabel("time")
    ax.set_ylabel("x")
    ax.set_title("engine check: simulated (lines) vs closed form (dots)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = outdir / "oscillator.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run_demo(outdir="mindscience-demo", suites=None, echo=print):
    """Run the core check and each installed suite's demo, writing into ``outdir``.

    Parameters
    ----------
    outdir : str or pathlib.Path
        Created if needed; each suite writes into ``outdir/<suite name>/``.
    suites : iterable of str, optional
        Only these suites (default: all installed).
    echo : callable
        Where progress lines go.

    Returns
    -------
    dict
        ``{suite name: {"files": [...], "summary": [...], "seconds": float}}``.
    """
    outdir = Path(outdir)
    results = {}
    jobs = [("engine", engine_demo)]
    for suite in discover_suites():
        if suites is not None and suite.name not in suites:
            continue
        if isinstance(suite, BrokenSuite):
            echo(f"[{suite.name}] skipped: failed to load ({suite.error})")
        elif suite.demo is None:
            echo(f"[{suite.name}] has no demo yet (suite under construction); skipped")
        else:
            jobs.append((suite.name, suite.demo))
    for name, demo in jobs:
        folder = outdir / name
        folder.mkdir(parents=True, exist_ok=True)
        echo(f"[{name}] running demo ...")
        t0 = time.perf_counter()
        res = dict(demo(folder))
        res["seconds"] = time.perf_counter() - t0
        results[name] = res
        for line in res.get("summary", []):
            echo(f"[{name}] {line}")
        echo(f"[{name}] done in {res['seconds']:.1f} s; files:")
        for f in res.get("files", []):
            echo(f"    {f}")
    return results
