"""LJ fluid thermodynamics vs the NIST Standard Reference Simulation Website (NVT, N = 500, rc = 3).

For each state point: Langevin (BAOAB) NVT with the plain truncated LJ potential (rc = 3 sigma) and
analytic tail corrections; energy per atom U/N = U_trunc/N + U_tail/N and pressure
P = P_virial + P_tail (this is what NIST's liquid pressures match). For information the last
columns show P + P_impulsive, with P_impulsive = (2 pi / 3) rho^2 rc^3 u(rc) g(rc) the
contribution of the energy step at rc of the truncated potential (it does *not* match NIST: their
tabulated pressures leave it out). Error bars are block averages (20 blocks). The figure printed
last is the largest deviation in units of the combined standard error (NIST's sigma where
published, else 0).

Then an NPT run (Monte Carlo barostat) at the NVT run's mean pressure must return the NVT density.

Run: ``python benchmarks/md_lj_nist.py [--steps 40000] [--equil 10000]`` (several minutes).
Reference values: shared/references/lj-nist-srsw.md (mmlapps.nist.gov/srs/LJ_PURE/mc.htm).
"""

import argparse
import math
import time

import numpy as np

from molecular import LangevinBAOAB, LennardJones, MDSimulation, MonteCarloBarostat, lattice
from molecular.analysis import block_average, rdf
from molecular.reporters import H5MDReporter, ThermoReporter

NIST = {  # (T*, rho*): (U/N, sigma_U, P, sigma_P) -- sigma 0 where NIST publishes none
    (0.85, 0.776): (-5.5121, 4.55e-4, 6.7714e-3, 0.0),
    (0.85, 0.860): (-6.0305, 2.38e-3, 1.2660, 1.36e-2),
    (0.90, 0.776): (-5.4689, 4.20e-4, 0.24056, 2.74e-3),
    (0.90, 0.860): (-5.9753, 0.0, 1.5781, 0.0),
}
RC = 3.0


def state_point(T, rho, steps, equil, seed, outdir="."):
    system = lattice("fcc", 5, density=rho).set_velocities(T, seed=seed, kB=1.0)  # 500 atoms
    lj = LennardJones(cutoff=RC, mode="truncated", tail_correction=True)
    sim = MDSimulation(system, lj, LangevinBAOAB(T, friction=1.0, seed=seed + 1, kB=1.0), dt=0.005, skin=0.4)
    sim.run(steps=equil, progress=False)
    thermo = ThermoReporter(10, quantities=("potential_energy", "pressure", "temperature"))
    path = f"{outdir}/nist_T{T}_rho{rho}.h5"
    sim.run(steps=steps, reporters=[thermo, H5MDReporter(path, 500)], progress=False)
    d = thermo.data
    u, ue = block_average(d["potential_energy"] / system.n_atoms, 20)
    p, pe = block_average(d["pressure"], 20)
    t, _ = block_average(d["temperature"], 20)
    r, g = rdf(path, r_max=RC + 0.3, bins=66)
    g_rc = float(np.interp(RC, r, g))
    u_rc = 4 * (RC**-12 - RC**-6)
    p_imp = 2 * math.pi / 3 * rho**2 * RC**3 * u_rc * g_rc
    return {"U": u, "U_err": ue, "P": p, "P_err": pe, "P_imp": p + p_imp, "T": t, "g_rc": g_rc}


def npt_density(T, P, rho0, steps, equil, seed):
    system = lattice("fcc", 5, density=rho0).set_velocities(T, seed=seed, kB=1.0)
    lj = LennardJones(cutoff=RC, mode="truncated", tail_correction=True)
    baro = MonteCarloBarostat(P, T, frequency=25, seed=seed + 2, kB=1.0)
    sim = MDSimulation(system, lj, LangevinBAOAB(T, friction=1.0, seed=seed + 1, kB=1.0), dt=0.005, skin=0.4,
                       barostat=baro)
    sim.run(steps=equil, progress=False)
    thermo = ThermoReporter(25, quantities=("density",))
    sim.run(steps=steps, reporters=[thermo], progress=False)
    return block_average(thermo.data["density"], 20)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=40_000)
    ap.add_argument("--equil", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=".")
    args = ap.parse_args()
    worst = 0.0
    print(f"{'T*':>5} {'rho*':>6} | {'U/N ours':>18} {'NIST':>9} {'z':>6} | {'P ours':>18} {'NIST':>8} {'z':>6}"
          f" | P+P_imp  g(rc)  s")
    results = {}
    for (T, rho), (un, sun, pn, spn) in NIST.items():
        t0 = time.perf_counter()
        r = state_point(T, rho, args.steps, args.equil, args.seed, args.out)
        results[(T, rho)] = r
        zu = (r["U"] - un) / math.hypot(r["U_err"], sun)
        zp = (r["P"] - pn) / math.hypot(r["P_err"], spn)
        worst = max(worst, abs(zu), abs(zp))
        print(f"{T:5.2f} {rho:6.3f} | {r['U']:9.4f} +- {r['U_err']:.4f} {un:9.4f} {zu:+6.2f} | "
              f"{r['P']:9.4f} +- {r['P_err']:.4f} {pn:8.4f} {zp:+6.2f} | {r['P_imp']:9.4f} {r['g_rc']:6.3f}"
              f" {time.perf_counter() - t0:5.0f}", flush=True)
    # NPT at the NVT pressure of (0.90, 0.776) must reproduce rho = 0.776
    T, rho = 0.90, 0.776
    p_nvt = results[(T, rho)]["P"]  # virial + tail, the pressure the barostat's energies imply
    d, de = npt_density(T, p_nvt, rho, args.steps, args.equil, args.seed)
    zr = (d - rho) / de
    print(f"NPT T*={T} P*={p_nvt:.4f}: rho* = {d:.4f} +- {de:.4f} vs NVT {rho} (z = {zr:+.2f})")
    print(f"largest |deviation| / combined standard error: {max(worst, abs(zr)):.2f} (pass: < 3)")


if __name__ == "__main__":
    main()
