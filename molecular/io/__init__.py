"""File formats: H5MD 1.1 trajectories, XYZ/extended XYZ and PDB."""

from molecular.io.h5md import H5MDWriter, read_h5md
from molecular.io.pdb import read_pdb, write_pdb
from molecular.io.xyz import read_xyz, write_xyz

__all__ = ["H5MDWriter", "read_h5md", "read_pdb", "read_xyz", "write_pdb", "write_xyz"]
