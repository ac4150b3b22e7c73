"""File I/O: HDF5 results with metadata and atomic writes; TOML configuration files."""

from mindscience.io.config import REQUIRED, load_config, validate_config
from mindscience.io.hdf5 import atomic_h5, atomic_path, load, read_metadata, read_tree, save, write_tree

__all__ = [
    "REQUIRED",
    "atomic_h5",
    "atomic_path",
    "load",
    "load_config",
    "read_metadata",
    "read_tree",
    "save",
    "validate_config",
    "write_tree",
]
