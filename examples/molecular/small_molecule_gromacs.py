"""A small molecule from a GROMACS topology: ethanol (OPLS-AA) in vacuum, minimised, then NVT at 300 K.

The topology (``data/ethanol.top``) includes its force-field file (``data/oplsaa_ethanol.itp``): atom types,
bond/angle/Ryckaert-Bellemans types looked up by bonded type, 1-4 pairs generated with fudgeLJ = fudgeQQ = 0.5.
Bonds to hydrogen are constrained (SHAKE/RATTLE inside the g-BAOAB Langevin integrator, dt = 2 fs).
Writes the trajectory (H5MD), the thermodynamic log, the final structure (.gro) and a PNG with the energies
and the distribution of the C-C-O-H dihedral.

Run: ``python examples/molecular/small_molecule_gromacs.py [outdir] [steps]`` (about 10 s of CPU time).
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from molecular import LangevinBAOAB, MDSimulation  # noqa: E402
from molecular.analysis import block_average  # noqa: E402
from molecular.io import read_h5md  # noqa: E402
from molecular.io.gromacs import load_gromacs, write_gro  # noqa: E402
from molecular.minimize import minimize  # noqa: E402
from molecular.reporters import H5MDReporter, ThermoReporter  # noqa: E402

# ---- parameters (nm, ps, K, kJ/mol)
DATA = Path(__file__).resolve().parent / "data"
TEMPERATURE, FRICTION, DT = 300.0, 2.0, 0.002
CUTOFF = 2.0  # nm: longer than the molecule, so every nonbonded pair interacts (no periodic box)
STEPS, SAMPLE = 5000, 10  # 10 ps, a frame every 20 fs
SEED = 7


def dihedral(x, i, j, k, l):
    """IUPAC dihedral angles (degrees) of atoms i-j-k-l over frames ``x`` (T, N, 3)."""
    b1, b2, b3 = x[:, j] - x[:, i], x[:, k] - x[:, j], x[:, l] - x[:, k]
    n1, n2 = np.cross(b1, b2), np.cross(b2, b3)
    b2n = b2 / np.linalg.norm(b2, axis=1)[:, None]
    return np.degrees(np.arctan2(np.einsum("ij,ij->i", np.cross(n1, n2), b2n), np.einsum("ij,ij->i", n1, n2)))


def main(outdir="small_molecule_gromacs_out", steps=STEPS):
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    top, gro = DATA / "ethanol.top", DATA / "ethanol.gro"
    # minimise the fully flexible molecule, then run with bonds to hydrogen constrained at their r0
    flexible = load_gromacs(top, gro, nonbonded="cutoff", cutoff=CUTOFF, constraints=None)
    res = minimize(flexible.system, flexible.forcefield(), force_tolerance=1.0, max_steps=5000)
    print(f"minimised: E = {res.energy:.3f} kJ/mol, max |F| = {res.max_force:.2g} kJ/mol/nm after {res.steps} steps")
    model = load_gromacs(top, gro, nonbonded="cutoff", cutoff=CUTOFF, constraints="h-bonds")
    system = model.system
    system.positions[:] = flexible.system.positions
    for c in model.constraints:  # put the minimised structure exactly on the constraints (SHAKE from itself)
        c.apply_positions(system, system.positions.copy(), DT)
    system.set_velocities(TEMPERATURE, seed=SEED, remove_com=False)
    integrator = LangevinBAOAB(TEMPERATURE, friction=FRICTION, seed=SEED, constraints=model.constraints)
    sim = MDSimulation(system, model.forcefield(), integrator, dt=DT, overlap_threshold=0.05)
    thermo = ThermoReporter(SAMPLE, csv=out / "thermo.csv",
                            quantities=("potential_energy", "kinetic_energy", "total_energy", "temperature"))
    traj = H5MDReporter(out / "traj.h5", SAMPLE, observables=("potential_energy", "kinetic_energy", "temperature"))
    sim.run(steps=steps, reporters=[thermo, traj], progress=False)
    write_gro(out / "final.gro", system, title="ethanol after NVT")

    data = thermo.data
    t_mean, t_err = block_average(data["temperature"][len(data["temperature"]) // 5:])
    print(f"<T> = {t_mean:.1f} +- {t_err:.1f} K (target {TEMPERATURE:g} K, {integrator.ndof} degrees of freedom)")
    x = read_h5md(out / "traj.h5")["positions"]
    phi = dihedral(x, 0, 4, 7, 8)  # C1-C2-O-HO
    trans = float(np.mean(np.abs(phi) > 120.0))
    print(f"C-C-O-H dihedral: trans fraction {trans:.2f} over {len(phi)} frames")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5), constrained_layout=True)
    for key, label in (("potential_energy", "potential"), ("kinetic_energy", "kinetic"), ("total_energy", "total")):
        ax1.plot(data["time"], data[key], label=label, lw=0.8)
    ax1.set_xlabel("time (ps)")
    ax1.set_ylabel("energy (kJ/mol)")
    ax1.legend(frameon=False)
    ax1.set_title(f"ethanol, OPLS-AA, Langevin {TEMPERATURE:g} K")
    ax2.hist(phi, bins=36, range=(-180, 180), density=True)
    ax2.set_xlabel("C-C-O-H dihedral (deg)")
    ax2.set_ylabel("probability density (1/deg)")
    fig.savefig(out / "energies.png", dpi=120)
    print(f"wrote {out / 'traj.h5'}, {out / 'thermo.csv'}, {out / 'final.gro'} and {out / 'energies.png'}")
    return {"temperature": t_mean, "trans_fraction": trans, "minimized_energy": res.energy}


if __name__ == "__main__":
    main(*sys.argv[1:2], *(int(a) for a in sys.argv[2:3]))
