"""A dataset declared by a (fake) third-party suite, imported only when its name is used."""

from datasets.extend import Field, register_dataset


@register_dataset("toy-suite", description="Dataset of a fake suite", fields=(Field("v", (2,), "1"),), default_n=3)
def SPEC(rng, params, index):  # noqa: N802 - the suite's registration object
    return {"v": rng.standard_normal(2)}
