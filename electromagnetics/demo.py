"""The suite's demo (a 2D dipole checked against the Hankel-function line-source field) and the
``mindscience run`` config runner for ``suite = "electromagnetics"``."""

import time
from pathlib import Path

import numpy as np
from scipy.constants import c

from mindscience.errors import ConfigError, InputError
from mindscience.io import REQUIRED, save, validate_config


def _save_png(path, draw):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = draw(plt)
    path = Path(path)
    tmp = path.with_name("." + path.name + ".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)  # atomic: the PNG appears complete or not at all


def demo(outdir):
    """Dipole radiating in 2D next to a dielectric rod; writes ``fdtd_demo.h5`` and ``fdtd_demo.png``.

    A line current (TM, Ez) radiates ``E ~ H0^(1)(k r)`` in 2D free space, so the ratio of the
    DFT amplitudes at r and 2r on a free ray equals ``|H0(k r)|/|H0(2 k r)|`` (closed form).

    Parameters
    ----------
    outdir : path
        Folder for the results (created).

    Returns
    -------
    dict
        ``{"files": [h5, png], "summary": [lines]}``.
    """
    from scipy.special import hankel1

    from electromagnetics.fdtd import (
        CPML,
        Cylinder,
        DFTFields,
        FDTDSimulation,
        Grid,
        Material,
        ModulatedGaussian,
        PointDipole,
        Probe,
        Source,
    )
    from electromagnetics.fdtd.postprocess import plot_field

    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    dx = 1e-3
    n = 200
    f0 = c / (20 * dx)                        # 20 cells per wavelength
    grid = Grid((n, n), spacing=dx)
    src_pos = (0.06, 0.10)
    wf = ModulatedGaussian(f0, f0 / 4)
    r1, r2 = 0.02, 0.04

    def run(geometry):
        dft = DFTFields(["Ez"], [f0], lo=(src_pos[0], src_pos[1] - r2), hi=(src_pos[0], src_pos[1] - r1))
        probe = Probe("Ez", (0.10, 0.15))
        sim = FDTDSimulation(grid, geometry=geometry,
                             sources=[Source(PointDipole(src_pos), wf, "Ez", amplitude=1e-6)],
                             boundaries=CPML(12), monitors=[dft, probe])
        t0 = time.perf_counter()
        sim.run(until=wf.end_time + 0.25 / c, progress=False)
        return sim, dft, probe, time.perf_counter() - t0

    # free space: the check against the closed form; then the same dipole next to a rod: the picture
    _, dft, _, _ = run([])
    sim, _, probe, wall = run([Cylinder((0.14, 0.10), 0.015, np.inf, Material(eps=6.0))])
    field = np.abs(dft.fields["Ez"][0, 0, :, 0])   # y from src_y - r2 to src_y - r1
    y = dft.coords("Ez")[1]
    r = src_pos[1] - y
    i1, i2 = int(np.argmin(np.abs(r - r1))), int(np.argmin(np.abs(r - r2)))
    k = 2 * np.pi * f0 / c
    ratio = field[i1] / field[i2]
    exact = abs(hankel1(0, k * r[i1])) / abs(hankel1(0, k * r[i2]))
    h5 = outdir / "fdtd_demo.h5"
    save(h5, {"Ez": sim.fields["Ez"][:, :, 0], "probe_time": probe.times, "probe_Ez": probe.values,
              "x": grid.coords("Ez")[0], "y": grid.coords("Ez")[1]},
         units={"Ez": "V/m", "probe_time": "s", "probe_Ez": "V/m", "x": "m", "y": "m"},
         parameters={"grid": grid.parameters(), "f0_Hz": f0, "rod_eps": 6.0, "steps": sim.step_count})
    png = outdir / "fdtd_demo.png"

    def draw(plt):
        fig, ax = plt.subplots(1, 2, figsize=(10, 4.2))
        im = plot_field(sim, "Ez", ax=ax[0])
        fig.colorbar(im, ax=ax[0], label="Ez (V/m)")
        ax[1].plot(probe.times * 1e9, probe.values)
        ax[1].set_xlabel("t (ns)")
        ax[1].set_ylabel("Ez at (0.10, 0.15) m (V/m)")
        fig.tight_layout()
        return fig

    _save_png(png, draw)
    mcells = grid.ncells * sim.step_count / wall / 1e6
    return {"files": [str(h5), str(png)], "summary": [
        f"2D TM dipole next to an eps=6 rod: {n}x{n} cells, CPML 12, {sim.step_count} steps in {wall:.2f} s "
        f"({mcells:.0f} Mcells/s)",
        f"free space |E(r)|/|E(2r)| at {f0 / 1e9:.2f} GHz: {ratio:.5f} vs Hankel closed form {exact:.5f} "
        f"(error {abs(ratio / exact - 1) * 100:.3f} %)",
    ]}


# ----------------------------------------------------------------------------- run configs
GRID = {"shape": REQUIRED, "spacing": REQUIRED, "courant": None, "dtype": "float64"}
BOUNDARY = {"kind": "cpml", "thickness": 10}
RUN = {"until": None, "steps": None, "snapshot_component": "Ez", "plot": True}
OBJECT = {"shape": REQUIRED, "center": None, "size": None, "radius": None, "height": None, "axis": "z",
          "lo": None, "hi": None, "eps": 1.0, "sigma": 0.0, "material": None}
SOURCE = {"kind": "dipole", "position": None, "axis": "x", "component": "Ez", "waveform": "ricker",
          "frequency": REQUIRED, "fwidth": None, "amplitude": 1.0}
PROBE = {"component": "Ez", "position": REQUIRED}
SCHEMA = {"grid": GRID, "boundaries": BOUNDARY, "run": RUN, "objects": [], "sources": [], "probes": [],
          "name": "fdtd"}


def _validate(config):
    top = {k: v for k, v in SCHEMA.items() if not isinstance(v, list)}
    lists = {k for k, v in SCHEMA.items() if isinstance(v, list)}
    plain = validate_config({k: v for k, v in config.items() if k not in lists}, top)
    for key in lists:
        items = config.get(key, [])
        if not isinstance(items, list):
            raise ConfigError(f"config.{key} must be an array of tables ([[{key}]])")
        schema = {"objects": OBJECT, "sources": SOURCE, "probes": PROBE}[key]
        plain[key] = [validate_config(it, schema, where=f"config.{key}[{i}]") for i, it in enumerate(items)]
    return plain


def _material(o):
    from electromagnetics.fdtd import Material, get_material

    if o["material"] is not None:
        return get_material(o["material"])
    return Material(eps=float(o["eps"]), sigma=float(o["sigma"]))


def _shape(o):
    from electromagnetics.fdtd import Box, Cylinder, Slab, Sphere

    kind = o["shape"]
    m = _material(o)
    if kind == "box":
        return Box(o["center"], o["size"], m)
    if kind == "sphere":
        return Sphere(o["center"], o["radius"], m)
    if kind == "cylinder":
        return Cylinder(o["center"], o["radius"], o["height"] or np.inf, m, axis=o["axis"])
    if kind == "slab":
        return Slab(o["axis"], o["lo"], o["hi"], m)
    raise ConfigError(f"objects: shape={kind!r} is not one of box, sphere, cylinder, slab")


def _waveform(s):
    from electromagnetics.fdtd import ContinuousWave, ModulatedGaussian, Ricker

    kind = s["waveform"]
    f = float(s["frequency"])
    if kind == "ricker":
        return Ricker(f)
    if kind == "modulated_gaussian":
        return ModulatedGaussian(f, s["fwidth"] or f / 4)
    if kind == "cw":
        return ContinuousWave(f)
    raise ConfigError(f"sources: waveform={kind!r} is not one of ricker, modulated_gaussian, cw")


def build_simulation(config):
    """Build an :class:`~electromagnetics.fdtd.FDTDSimulation` and its probes from a parsed config.

    Returns
    -------
    sim, probes, run_table
    """
    from electromagnetics.fdtd import CPML, PEC, PMC, FDTDSimulation, Grid, Periodic, PlaneCurrent, PointDipole, Probe
    from electromagnetics.fdtd import Source as Src

    cfg = _validate(config)
    g = cfg["grid"]
    dtype = {"float64": np.float64, "float32": np.float32}.get(g["dtype"])
    if dtype is None:
        raise ConfigError(f"grid.dtype={g['dtype']!r} is not one of float64, float32")
    grid = Grid(g["shape"], g["spacing"], courant=g["courant"], dtype=dtype)
    b = cfg["boundaries"]
    kinds = {"cpml": lambda: CPML(int(b["thickness"])), "pec": PEC, "pmc": PMC, "periodic": Periodic}
    if b["kind"] not in kinds:
        raise ConfigError(f"boundaries.kind={b['kind']!r} is not one of {', '.join(kinds)}")
    sources = []
    for s in cfg["sources"]:
        if s["kind"] == "dipole":
            place = PointDipole(s["position"])
        elif s["kind"] == "plane":
            place = PlaneCurrent(s["axis"], s["position"][0] if np.iterable(s["position"]) else s["position"])
        else:
            raise ConfigError(f"sources: kind={s['kind']!r} is not one of dipole, plane")
        sources.append(Src(place, _waveform(s), s["component"], amplitude=float(s["amplitude"])))
    probes = [Probe(p["component"], p["position"]) for p in cfg["probes"]]
    sim = FDTDSimulation(grid, geometry=[_shape(o) for o in cfg["objects"]], sources=sources,
                         boundaries=kinds[b["kind"]](), monitors=probes)
    return sim, probes, cfg


def run_config(config, outdir):
    """Run a ``mindscience run`` config (``suite = "electromagnetics"``); writes HDF5 (+ PNG).

    Example config::

        suite = "electromagnetics"
        [grid]
        shape = [120, 120]
        spacing = 1e-3
        [boundaries]
        kind = "cpml"
        thickness = 10
        [[objects]]
        shape = "cylinder"
        center = [0.08, 0.06]
        radius = 0.01
        eps = 4.0
        [[sources]]
        kind = "dipole"
        position = [0.03, 0.06]
        frequency = 10e9
        [[probes]]
        position = [0.1, 0.06]
        [run]
        until = 1e-9

    Returns
    -------
    dict
        ``{"files": [...], "summary": [...]}``.
    """
    outdir = Path(outdir)
    try:
        sim, probes, cfg = build_simulation(config)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    run = cfg["run"]
    if (run["until"] is None) == (run["steps"] is None):
        raise ConfigError("config.run: give exactly one of until (s) or steps")
    t0 = time.perf_counter()
    if run["until"] is not None:
        sim.run(until=float(run["until"]), progress=False)
    else:
        sim.run(steps=int(run["steps"]), progress=False)
    wall = time.perf_counter() - t0
    outdir.mkdir(parents=True, exist_ok=True)
    comp = run["snapshot_component"]
    data = {comp: sim.fields[comp]}
    units = {comp: "V/m" if comp[0] == "E" else "A/m"}
    for i, p in enumerate(probes):
        data[f"probe{i}_time"] = p.times
        data[f"probe{i}_{p.component}"] = p.values
        units[f"probe{i}_time"] = "s"
    name = cfg["name"]
    h5 = outdir / f"{name}.h5"
    save(h5, data, units=units, parameters={"config": cfg, "grid": sim.grid.parameters()})
    files = [str(h5)]
    if run["plot"] and sim.grid.ndim >= 2:
        from electromagnetics.fdtd.postprocess import plot_field

        png = outdir / f"{name}.png"

        def draw(plt):
            fig, ax = plt.subplots(figsize=(5.5, 4.5))
            im = plot_field(sim, comp, ax=ax)
            fig.colorbar(im, ax=ax)
            fig.tight_layout()
            return fig

        _save_png(png, draw)
        files.append(str(png))
    return {"files": files, "summary": [
        f"{sim.grid!r}: {sim.step_count} steps in {wall:.2f} s, t = {sim.time:.4g} s",
        *(f"probe {i} ({p.component} at {p.node} m): max |value| {np.abs(p.values).max():.4g}"
          for i, p in enumerate(probes))]}
