"""datasets: registry, HDF5 store and generators that run mindscience's own solvers.

Every dataset is made from a seed by our code, never downloaded::

    import datasets
    datasets.list()                                     # names
    datasets.info("pde-reference-burgers")              # fields, units, shapes, parameters, licence
    datasets.generate("pde-reference-poisson", n=200, seed=0, workers=4)
    ds = datasets.load("pde-reference-poisson", n=200, seed=0, split="train")
    for batch in ds.batches(32, seed=1, normalize=True): ...

The command line does the same: ``mindscience datasets list | info | generate | verify | path``.
"""

__version__ = "0.1.0"

from datasets.errors import CorruptDatasetError, DatasetError, DatasetNotFoundError, UnknownDatasetError  # noqa: E402
from datasets.generate import generate, sample_rng, split_indices  # noqa: E402
from datasets.loaders import Dataset, load, open_file, verify  # noqa: E402
from datasets.registry import DatasetSpec, Field, data_root, dataset_path, get, info, register_dataset  # noqa: E402
from datasets.registry import list_datasets as list  # noqa: E402, A001

path = dataset_path

__all__ = [
    "CorruptDatasetError",
    "Dataset",
    "DatasetError",
    "DatasetNotFoundError",
    "DatasetSpec",
    "Field",
    "UnknownDatasetError",
    "data_root",
    "dataset_path",
    "generate",
    "get",
    "info",
    "list",
    "load",
    "open_file",
    "path",
    "register_dataset",
    "sample_rng",
    "split_indices",
    "verify",
]
