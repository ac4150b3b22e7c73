"""NN-potential MD throughput: Behler-Parrinello model (untrained weights, same cost as trained) in NVE.

Figure of merit: atom-steps per second of velocity-Verlet MD with :class:`NeuralPotential` on an LJ
liquid (fcc rho* = 0.8442 melted, rc = 2.5, skin 0.3, dt = 0.005), and the cost split per step between
the descriptor kernel (forward G), the network (energy and dE/dG via autodiff), the descriptor
Jacobian contraction (the reverse pass through the kernel) and the rest (neighbour list, integrator),
timed separately on the same configuration: ``G+J`` is the forward descriptor primitive (it computes the
descriptors and their sparse Jacobian in one sweep, memoised for the reverse pass), ``net`` the per-element
MLPs with dE/dG, ``dG/dd`` a stand-alone Jacobian sweep, ``E+grad`` one full energy + dE/dd evaluation and
``rest`` the step minus it (neighbour list, force/virial assembly, integrator). Medians over ``--repeats``.

Run: ``python benchmarks/md_nn_potential.py [--sizes 500,4000] [--steps 20] [--repeats 3] [--hidden 32,32]``
"""

import argparse
import time

import numpy as np

import autodiff as ad
import mindscience  # noqa: F401  (selects the non-spinning threading layer)
from molecular import ForceField, MDSimulation, VelocityVerlet, lattice
from molecular.forces.neural import BehlerParrinello, NeuralPotential, SymmetryFunctions, pair_graph

CELLS = {500: 5, 4000: 10, 32000: 20}


def make_model(hidden):
    sf = SymmetryFunctions.default(2.5, n_radial=18, n_angular=2, r_min=0.8, kind="G5")
    return BehlerParrinello(2.5, radial=sf.radial, angular=sf.angular, kind="G5", hidden=hidden, seed=0)


def _median_time(fn, repeats):
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def run(n_atoms, steps, repeats, hidden):
    model = make_model(hidden)
    s = lattice("fcc", CELLS[n_atoms], density=0.8442).set_velocities(1.44, seed=87287, kB=1.0)
    sim = MDSimulation(s, ForceField([NeuralPotential(model)], skin=0.3), VelocityVerlet(kB=1.0), dt=0.005)
    sim.run(steps=2, progress=False)  # compile / warm caches
    wall = _median_time(lambda: sim.run(steps=steps, progress=False), repeats) / steps
    # cost split on the current configuration
    graph, d = pair_graph(s.positions, s.box, model.cutoff)
    sf, p = model.descriptors, model.params
    t_desc = _median_time(lambda: sf(d, graph), repeats)
    feats = sf(d, graph)
    t_net = _median_time(lambda: ad.value_and_grad(
        lambda f: model.atomic_energies_from_features(p, f, graph.types).sum())(feats), repeats)
    t_jac = _median_time(lambda: sf.jacobian(d, graph), repeats)
    t_full = _median_time(lambda: ad.value_and_grad(lambda dd: model.energy(p, dd, graph))(d), repeats)
    return {"n": n_atoms, "pairs": d.shape[0], "rate": n_atoms / wall, "step": wall, "desc": t_desc, "net": t_net,
            "jac": t_jac, "force": t_full}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="500,4000")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--hidden", default="32,32")
    a = ap.parse_args()
    hidden = tuple(int(h) for h in a.hidden.split(","))
    print(f"{'N':>6} {'pairs':>8} {'atom-steps/s':>13} {'step ms':>8} {'G+J ms':>7} {'net ms':>7} {'dG/dd ms':>9} "
          f"{'E+grad ms':>10} {'rest ms':>8}")
    for n in (int(x) for x in a.sizes.split(",")):
        r = run(n, a.steps, a.repeats, hidden)
        rest = r["step"] - r["force"]
        print(f"{r['n']:>6} {r['pairs']:>8} {r['rate']:>13.0f} {1e3 * r['step']:>8.1f} {1e3 * r['desc']:>7.1f} "
              f"{1e3 * r['net']:>7.1f} {1e3 * r['jac']:>9.1f} {1e3 * r['force']:>10.1f} {1e3 * rest:>8.1f}")


if __name__ == "__main__":
    main()
