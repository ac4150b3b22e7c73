"""Topology: per-atom names, elements, residues and molecules (bonds come with the bonded forces)."""

import numpy as np

from mindscience.errors import InputError


class Topology:
    """Names and grouping of the atoms of a :class:`~molecular.system.System`.

    Parameters
    ----------
    n_atoms : int
    names : sequence of str, optional
        Atom names (default ``"X"``).
    elements : sequence of str, optional
        Element symbols (default: the names).
    residue_names : sequence of str, optional
        Residue name per atom (default ``"UNK"``).
    residue_ids : array_like of int, shape (N,), optional
        Residue index per atom (default: one residue per atom).
    molecule_ids : array_like of int, shape (N,), optional
        Molecule index per atom (default: one molecule per atom); barostats scale molecule centres.

    Examples
    --------
    >>> top = Topology(2, names=["Ar", "Ar"])
    >>> top.n_molecules
    2
    """

    def __init__(self, n_atoms, names=None, elements=None, residue_names=None, residue_ids=None,
                 molecule_ids=None):
        self.n_atoms = int(n_atoms)
        self.names = list(names) if names is not None else ["X"] * self.n_atoms
        self.elements = list(elements) if elements is not None else list(self.names)
        self.residue_names = list(residue_names) if residue_names is not None else ["UNK"] * self.n_atoms
        idx = np.arange(self.n_atoms)
        self.residue_ids = np.asarray(residue_ids if residue_ids is not None else idx, dtype=np.int64)
        self.molecule_ids = np.asarray(molecule_ids if molecule_ids is not None else idx, dtype=np.int64)
        for name, seq in (("names", self.names), ("elements", self.elements),
                          ("residue_names", self.residue_names), ("residue_ids", self.residue_ids),
                          ("molecule_ids", self.molecule_ids)):
            if len(seq) != self.n_atoms:
                raise InputError(f"topology {name} has length {len(seq)}; allowed: n_atoms={self.n_atoms}")

    @property
    def n_molecules(self):
        return int(np.unique(self.molecule_ids).size)
