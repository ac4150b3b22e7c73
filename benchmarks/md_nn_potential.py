"""NN-potential MD throughput: Behler-Parrinello and SchNet models (untrained weights, same cost as trained) in NVE.

Figure of merit: atom-steps per second of velocity-Verlet MD with :class:`NeuralPotential` /
:class:`SchNetPotential` on an LJ liquid (fcc rho* = 0.8442, 0.05 sigma displacements, rc = 2.5,
skin 0.3, dt = 0.005), and the cost split per step, timed separately on the same configuration
(medians over ``--repeats``):

- ``graph``: neighbour-list data -> directed pair graph and displacements (every step);
- ``desc``: BP: the symmetry-function kernel (forward G); SchNet: the fused filter-network + convolution
  sweeps of all interaction blocks (radial basis, filter MLPs and the gather-multiply-scatter, per pair
  chunk inside one numba kernel; forward only);
- ``net``: BP: the per-element MLPs with dE/dG; SchNet: the rest of the energy (embeddings, in-projections,
  atom-wise MLPs, readout), forward only;
- ``E+grad``: one full energy + dE/dd evaluation (forward and reverse pass, what a step needs);
  for BP ``E+grad - desc - net`` is the descriptor VJP (the contraction dE/dd = sum_m dE/dG_m dG_m/dd done
  in one numba sweep, no Jacobian in memory); for SchNet ``E+grad - energy`` is the whole reverse pass;
- ``rest``: step - E+grad - graph (neighbour-list update, force/virial assembly, integrator).

Run: ``python benchmarks/md_nn_potential.py [--models bp,schnet] [--sizes 500,4000] [--steps 10] [--repeats 3]``
"""

import argparse
import os
import time

import numpy as np

import autodiff as ad
import mindscience  # noqa: F401  (selects the non-spinning threading layer)
import molecular.forces.schnet as schnet
from molecular import ForceField, MDSimulation, VelocityVerlet, lattice
from molecular.forces.neural import (
    BehlerParrinello,
    NeuralPotential,
    SymmetryFunctions,
    _graph_from_list,
    pair_graph,
)
from molecular.forces.schnet import SchNet, SchNetPotential, filter_conv

CELLS = {256: 4, 500: 5, 2048: 8, 4000: 10, 32000: 20}


def make_model(kind):
    if kind == "bp":
        sf = SymmetryFunctions.default(2.5, n_radial=18, n_angular=2, r_min=0.8, kind="G5")
        model = BehlerParrinello(2.5, radial=sf.radial, angular=sf.angular, kind="G5", hidden=(32, 32), seed=0)
        return model, NeuralPotential(model)
    model = SchNet(2.5, n_features=32, n_rbf=24, n_interactions=2, seed=0)
    return model, SchNetPotential(model)


def _median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def run(kind, n_atoms, steps, repeats):
    model, force = make_model(kind)
    s = lattice("fcc", CELLS[n_atoms], density=0.8442).set_velocities(1.44, seed=87287, kB=1.0)
    s.positions = s.positions + 0.05 * np.random.default_rng(0).standard_normal(s.positions.shape)
    ff = ForceField([force], skin=0.3)
    sim = MDSimulation(s, ff, VelocityVerlet(kB=1.0), dt=0.005)
    sim.run(steps=2, progress=False)  # compile / warm caches
    wall = _median_time(lambda: sim.run(steps=steps, progress=False), repeats) / steps
    graph, d = pair_graph(s.positions, s.box, model.cutoff)
    p = model.params
    types = np.asarray(s.types)
    t_graph = _median_time(lambda: _graph_from_list(*_nl_args(ff, s, types), model.cutoff), repeats)
    if kind == "bp":
        sf = model.descriptors
        t_desc = _median_time(lambda: sf(d, graph), repeats)
        feats = sf(d, graph)
        t_net = _median_time(lambda: ad.value_and_grad(
            lambda f: model.atomic_energies_from_features(p, f, graph.types).sum())(feats), repeats)
    else:
        # the fused filter-network + convolution sweeps of all blocks (filters are never stored); the per-evaluation
        # filter cache is cleared before every timing, as an MD step has new positions
        ys = [np.asarray(np.random.default_rng(1).standard_normal((graph.n_atoms, model.n_features)))
              for _ in p["interactions"]]

        def pair_part():
            schnet._cache.clear()
            return [filter_conv(y, d, blk["filter"], graph, model.basis) for y, blk in zip(ys, p["interactions"])]

        def energy():
            schnet._cache.clear()
            return model.energy(p, d, graph)

        t_desc = _median_time(pair_part, repeats)
        t_net = _median_time(energy, repeats) - t_desc
    t_full = _median_time(lambda: (schnet._cache.clear(), ad.value_and_grad(lambda dd: model.energy(p, dd, graph))(d)),
                          repeats)
    return {"model": kind, "n": n_atoms, "pairs": d.shape[0], "rate": n_atoms / wall, "step": wall, "graph": t_graph,
            "desc": t_desc, "net": t_net, "force": t_full}


def _nl_args(ff, system, types):
    xw, nbr, code, nn, shifts = ff.neighbors.data(system)
    return xw, types, nbr, code, nn, shifts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="bp,schnet")
    ap.add_argument("--sizes", default="500,4000")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    print(f"threads: NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'default')}")
    print(f"{'model':>6} {'N':>6} {'pairs':>8} {'atom-steps/s':>13} {'step ms':>8} {'graph ms':>9} {'desc ms':>8} "
          f"{'net ms':>7} {'E+grad ms':>10} {'rest ms':>8}  load")
    for n in (int(x) for x in a.sizes.split(",")):
        for kind in a.models.split(","):
            r = run(kind, n, a.steps, a.repeats)
            rest = r["step"] - r["force"] - r["graph"]
            print(f"{r['model']:>6} {r['n']:>6} {r['pairs']:>8} {r['rate']:>13.0f} {1e3 * r['step']:>8.1f} "
                  f"{1e3 * r['graph']:>9.1f} {1e3 * r['desc']:>8.1f} {1e3 * r['net']:>7.1f} {1e3 * r['force']:>10.1f} "
                  f"{1e3 * rest:>8.1f}  {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
