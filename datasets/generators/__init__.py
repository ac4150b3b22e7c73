"""Built-in dataset generators: one module per dataset family, each registering with ``@register_dataset``.

Every public module here is imported on the first registry lookup. To add a dataset, add one file::

    # datasets/generators/md_lj_forces.py
    import numpy as np
    from datasets.extend import Field, register_dataset

    @register_dataset("md-lj-forces", description=..., fields=(Field("positions", ("n_atoms", 3), "nm"), ...),
                      parameters={"n_atoms": 64, ...})
    def md_lj_forces(rng, params, index):
        from molecular import ...          # import the suite inside the function: listing stays cheap
        ...
        return {"positions": ..., "energy": ..., "forces": ...}

Rules for a generator function ``sample(rng, params, index)``:

1. Draw every random number from ``rng`` (the sample's own generator); never from global state.
2. Return a dict with exactly the declared fields, each of the declared shape (dtype is cast).
3. Be a pure function of (rng, params, index): no files, no dependence on other samples, so that any
   worker may make any sample and a resumed run reproduces the interrupted one bit for bit.
4. Import heavy dependencies (solver suites) inside the function, not at module level.
5. Turn progress bars of the solvers off (the generator draws one for the whole dataset).
6. Bump ``version=`` in the decorator whenever the output for a given seed changes.
"""
