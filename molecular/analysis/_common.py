"""Shared input handling of the analysis functions (arrays or an H5MD path)."""

import os

import numpy as np

from mindscience.errors import InputError


def frames_from(data, key):
    """``(values (T, N, 3), time (T,), box (T, 3, 3) or None, species)`` from an H5MD path or arrays."""
    if isinstance(data, (str, os.PathLike)):
        from molecular.io.h5md import read_h5md

        d = read_h5md(data)
        if key not in d:
            raise InputError(f"{data} has no {key} (write them with H5MDReporter({key}=True))")
        return d[key], d["time"], d["box"], d.get("species")
    arr = np.asarray(data, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise InputError(f"{key} has shape {arr.shape}; allowed: (T, N, 3) or (N, 3)")
    return arr, None, None, None
