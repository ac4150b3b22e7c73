"""The suite's demo and ``mindscience run`` configs: a Lennard-Jones run with HDF5 + PNG output."""

import copy
import time
from pathlib import Path

import numpy as np

from mindscience.errors import ConfigError
from mindscience.io import validate_config
from molecular.analysis import block_average, rdf
from molecular.builders import lattice
from molecular.forces import WCA, LennardJones
from molecular.integrators import INTEGRATORS, MonteCarloBarostat
from molecular.reporters import H5MDReporter, ThermoReporter
from molecular.simulation import MDSimulation
from molecular.units import KB

SCHEMA = {
    "name": "lj",
    "units": "reduced",
    "system": {"lattice": "fcc", "cells": 4, "density": 0.8, "temperature": 1.0, "mass": 1.0, "seed": 1},
    "force": {"kind": "lj", "epsilon": 1.0, "sigma": 1.0, "cutoff": 2.5, "mode": "shifted-force",
              "switch_distance": None, "tail_correction": False, "skin": 0.3},
    "integrator": {"kind": "langevin", "dt": 0.005, "temperature": 1.0, "friction": 1.0, "tau": 0.5,
                   "piston_period": 2.0, "seed": 2},
    "barostat": {"enabled": False, "pressure": 1.0, "frequency": 25, "anisotropic": False, "seed": 3},
    "run": {"equilibration": 1000, "steps": 2000, "thermo_interval": 20, "trajectory_interval": 100,
            "velocities": True, "progress": False},
    "analysis": {"rdf": True, "rdf_bins": 100, "plot": True},
}
"""Keys of a molecular run config (TOML) with their defaults; ``None`` means unset."""

#: reduced units carry no physical unit: the H5MD files then omit the ``unit`` attributes
REDUCED_H5MD_UNITS = {k: "" for k in ("position", "velocity", "force", "time", "edges", "potential_energy",
                                      "kinetic_energy", "temperature")}


def run_config(config, outdir):
    """Run a parsed TOML config (``mindscience run``; ``suite = "molecular"`` already removed).

    The config builds a lattice, a pair force (``lj`` or ``wca``), an integrator (``verlet``,
    ``langevin``, ``nose-hoover``, ``bussi``, ``berendsen``, ``brownian``, ``langevin-piston`` (NPT
    at ``barostat.pressure``)) and optionally a Monte Carlo barostat, equilibrates, runs with a
    thermo log (HDF5 + CSV) and an H5MD trajectory, and
    writes an RDF and a thermo plot. See :data:`SCHEMA` for the keys and defaults.

    Parameters
    ----------
    config : dict
    outdir : pathlib.Path

    Returns
    -------
    dict
        ``{"files": [paths], "summary": [lines]}``.
    """
    cfg = validate_config(copy.deepcopy(config), SCHEMA)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    if cfg["units"] not in ("reduced", "real"):
        raise ConfigError(f"units={cfg['units']!r}; allowed: 'reduced' (kB = 1), 'real' (nm, ps, amu, kJ/mol, K)")
    kb = 1.0 if cfg["units"] == "reduced" else KB
    sy, fo, it, ba, ru = cfg["system"], cfg["force"], cfg["integrator"], cfg["barostat"], cfg["run"]
    system = lattice(sy["lattice"], sy["cells"], density=sy["density"], masses=sy["mass"])
    system.set_velocities(sy["temperature"], seed=sy["seed"], kB=kb)
    if fo["kind"] == "lj":
        force = LennardJones(fo["epsilon"], fo["sigma"], cutoff=fo["cutoff"], mode=fo["mode"],
                             switch_distance=fo["switch_distance"], tail_correction=fo["tail_correction"])
    elif fo["kind"] == "wca":
        force = WCA(fo["epsilon"], fo["sigma"])
    else:
        raise ConfigError(f"force.kind={fo['kind']!r}; allowed: 'lj', 'wca'")
    kind = it["kind"]
    if kind not in INTEGRATORS:
        raise ConfigError(f"integrator.kind={kind!r}; allowed: {', '.join(INTEGRATORS)}")
    cls = INTEGRATORS[kind]
    if kind == "verlet":
        integrator = cls(kB=kb)
    elif kind in ("langevin", "brownian"):
        integrator = cls(it["temperature"], it["friction"], seed=it["seed"], kB=kb)
    elif kind == "bussi":
        integrator = cls(it["temperature"], it["tau"], seed=it["seed"], kB=kb)
    elif kind == "langevin-piston":  # NPT at barostat.pressure
        integrator = cls(it["temperature"], ba["pressure"], it["friction"], it["piston_period"], seed=it["seed"],
                         kB=kb)
    else:
        integrator = cls(it["temperature"], it["tau"], kB=kb)
    barostat = None
    if ba["enabled"]:
        barostat = MonteCarloBarostat(ba["pressure"], it["temperature"], frequency=ba["frequency"],
                                      anisotropic=ba["anisotropic"], seed=ba["seed"], kB=kb)
    sim = MDSimulation(system, force, integrator, dt=it["dt"], barostat=barostat, skin=fo["skin"])
    t0 = time.perf_counter()
    sim.run(steps=ru["equilibration"], progress=ru["progress"])
    name = cfg["name"]
    files = {k: out / f"{name}_{k}" for k in ("thermo.h5", "thermo.csv", "traj.h5", "plot.png")}
    for f in files.values():
        if f.exists() and f.suffix in (".csv",):
            f.unlink()
    thermo = ThermoReporter(ru["thermo_interval"], csv=files["thermo.csv"], h5=files["thermo.h5"])
    traj = H5MDReporter(files["traj.h5"], ru["trajectory_interval"], velocities=ru["velocities"],
                        units=REDUCED_H5MD_UNITS if cfg["units"] == "reduced" else None)
    sim.run(steps=ru["steps"], reporters=[thermo, traj], progress=ru["progress"])
    seconds = time.perf_counter() - t0
    data = thermo.data
    unit_e = "eps" if cfg["units"] == "reduced" else "kJ/mol"
    n = system.n_atoms
    lines = [f"{name}: {n} atoms, {kind}, dt={it['dt']:g}, {ru['equilibration']}+{ru['steps']} steps "
             f"in {seconds:.1f} s ({n * (ru['equilibration'] + ru['steps']) / seconds / 1e6:.2f} M atom-steps/s)"]
    for q, unit in (("temperature", "" if kb == 1 else "K"), ("pressure", ""), ("potential_energy", unit_e),
                    ("density", "")):
        m, e = block_average(data[q], n_blocks=min(10, len(data[q])))
        scale = 1.0 / n if q == "potential_energy" else 1.0
        label = q + ("/N" if q == "potential_energy" else "")
        lines.append(f"  <{label}> = {m * scale:.5g} +- {e * scale:.2g} {unit}".rstrip())
    written = [files["thermo.h5"], files["thermo.csv"], files["traj.h5"]]
    if cfg["analysis"]["plot"]:
        r = g = None
        if cfg["analysis"]["rdf"]:
            r, g = rdf(files["traj.h5"], bins=cfg["analysis"]["rdf_bins"])
            k = int(np.argmax(g))
            lines.append(f"  RDF first peak g = {g[k]:.3f} at r = {r[k]:.3f}")
        _plot(files["plot.png"], data, r, g, unit_e)
        written.append(files["plot.png"])
    return {"files": [str(f) for f in written], "summary": lines}


def _plot(path, data, r, g, unit_e):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mindscience.io import atomic_path

    ncol = 3 if r is not None else 2
    fig, ax = plt.subplots(1, ncol, figsize=(4 * ncol, 3.2), constrained_layout=True)
    ax[0].plot(data["time"], data["potential_energy"], label="potential")
    ax[0].plot(data["time"], data["total_energy"], label="total")
    ax[0].plot(data["time"], data["conserved_energy"], "--", label="conserved")
    ax[0].set_xlabel("time")
    ax[0].set_ylabel(f"energy ({unit_e})")
    ax[0].legend(fontsize=7)
    ax[1].plot(data["time"], data["temperature"])
    ax[1].set_xlabel("time")
    ax[1].set_ylabel("temperature")
    if r is not None:
        ax[2].plot(r, g)
        ax[2].axhline(1.0, color="0.6", lw=0.8)
        ax[2].set_xlabel("r")
        ax[2].set_ylabel("g(r)")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def demo(outdir):
    """Small LJ liquid (256 atoms, T* = 1.0, rho* = 0.8, Langevin NVT): HDF5 thermo log, H5MD
    trajectory, thermo + RDF plot (PNG). Runs in a few seconds once numba's cache is warm."""
    return run_config({"name": "demo_lj", "run": {"equilibration": 1000, "steps": 2000}}, outdir)
