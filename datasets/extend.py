"""The whole surface for writing a dataset generator: the decorator, Field, seeding helpers, range checks."""

from datasets.generate import sample_rng, sample_seed
from datasets.registry import DatasetSpec, Field, register_dataset
from mindscience.errors import InputError, check_range

__all__ = ["DatasetSpec", "Field", "InputError", "check_range", "register_dataset", "sample_rng", "sample_seed"]
