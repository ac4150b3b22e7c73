"""File formats: H5MD 1.1 trajectories, XYZ/extended XYZ, PDB, GROMACS (.top/.itp/.gro) and AMBER (prmtop/inpcrd)."""

from molecular.io.amber import load_amber, read_inpcrd, read_prmtop
from molecular.io.forcefield import ForceFieldModel, TopologyError
from molecular.io.gromacs import load_gromacs, read_gro, read_top, write_gro
from molecular.io.h5md import H5MDWriter, read_h5md
from molecular.io.pdb import read_pdb, write_pdb
from molecular.io.xyz import read_xyz, write_xyz

__all__ = ["ForceFieldModel", "H5MDWriter", "TopologyError", "load_amber", "load_gromacs", "read_gro", "read_h5md",
           "read_inpcrd", "read_pdb", "read_prmtop", "read_top", "read_xyz", "write_gro", "write_pdb", "write_xyz"]
