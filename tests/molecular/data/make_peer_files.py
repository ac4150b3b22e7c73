"""Regenerate the OpenMM-peer test files: alanine dipeptide (amber14) in TIP3P water with one Na+/Cl- pair.

Built with OpenMM's Modeller and ForceField, written to GROMACS (.top/.gro) and AMBER (.prmtop/.inpcrd)
files by ParmEd. Run from the repository root: ``python tests/molecular/data/make_peer_files.py``
(needs openmm and parmed; the written files are committed so the tests need only openmm).
"""

import io
import os

import openmm as mm
import parmed
from openmm import app, unit

HERE = os.path.dirname(os.path.abspath(__file__))
PDB = """\
ATOM      1 HH31 ACE     1       2.000   1.000  -0.000
ATOM      2  CH3 ACE     1       2.000   2.090   0.000
ATOM      3 HH32 ACE     1       1.486   2.454   0.890
ATOM      4 HH33 ACE     1       1.486   2.454  -0.890
ATOM      5  C   ACE     1       3.427   2.641  -0.000
ATOM      6  O   ACE     1       4.391   1.877  -0.000
ATOM      7  N   ALA     2       3.555   3.970  -0.000
ATOM      8  H   ALA     2       2.733   4.556  -0.000
ATOM      9  CA  ALA     2       4.853   4.614  -0.000
ATOM     10  HA  ALA     2       5.408   4.316   0.890
ATOM     11  CB  ALA     2       5.661   4.221  -1.232
ATOM     12  HB1 ALA     2       5.123   4.521  -2.131
ATOM     13  HB2 ALA     2       6.630   4.719  -1.206
ATOM     14  HB3 ALA     2       5.809   3.141  -1.241
ATOM     15  C   ALA     2       4.713   6.129   0.000
ATOM     16  O   ALA     2       3.601   6.653   0.000
ATOM     17  N   NME     3       5.846   6.835   0.000
ATOM     18  H   NME     3       6.737   6.359  -0.000
ATOM     19  CH3 NME     3       5.846   8.284   0.000
ATOM     20 HH31 NME     3       4.819   8.648   0.000
ATOM     21 HH32 NME     3       6.360   8.648   0.890
ATOM     22 HH33 NME     3       6.360   8.648  -0.890
END
"""
BOX = 2.0  # nm: a cubic box of about 260 waters, enough for a 0.9 nm cutoff


def main():
    pdb = app.PDBFile(io.StringIO(PDB))
    ff = app.ForceField("amber14-all.xml", "amber14/tip3p.xml")
    modeller = app.Modeller(pdb.topology, pdb.positions)
    modeller.addSolvent(ff, boxSize=mm.Vec3(BOX, BOX, BOX) * unit.nanometer, positiveIon="Na+",
                        negativeIon="Cl-", ionicStrength=0.2 * unit.molar)
    system = ff.createSystem(modeller.topology, nonbondedMethod=app.PME, nonbondedCutoff=0.9 * unit.nanometer,
                             constraints=None, rigidWater=False)
    struct = parmed.openmm.load_topology(modeller.topology, system, xyz=modeller.positions)
    struct.save(os.path.join(HERE, "ala_water.top"), overwrite=True)
    struct.save(os.path.join(HERE, "ala_water.gro"), overwrite=True)
    struct.save(os.path.join(HERE, "ala_water.prmtop"), overwrite=True)
    struct.save(os.path.join(HERE, "ala_water.inpcrd"), overwrite=True)
    # the same parameters as [ *types ] in an included file, looked up by atom type (bonded terms without
    # parameters on their lines)
    cwd = os.getcwd()
    os.chdir(HERE)
    try:
        gmx = parmed.gromacs.GromacsTopologyFile.from_structure(struct)
        gmx.write("ala_water_types.top", parameters="ala_water_params.itp")
    finally:
        os.chdir(cwd)
    print(f"{len(struct.atoms)} atoms, {len(struct.residues)} residues")


if __name__ == "__main__":
    main()
