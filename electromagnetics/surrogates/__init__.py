"""electromagnetics.surrogates: physics-informed and learned surrogates of electromagnetic problems.

:mod:`~electromagnetics.surrogates.maxwell_pinn`: MindElec's 2D time-domain Maxwell (TE) problem with a
Gaussian source, as a PINN problem and as a reference from our FDTD.
:mod:`~electromagnetics.surrogates.multilayer`: an MLP surrogate of the ``fdtd-multilayer-spectra`` data used
inside an optimiser to design a multilayer reflector, verified with the generator's FDTD.
"""

from electromagnetics.surrogates.maxwell_pinn import (
    COMPONENTS,
    TEAnsatz,
    TESpec,
    Units,
    build_problem,
    cavity_mode,
    evaluation_points,
    fdtd_reference,
    maxwell_te_pde,
    relative_l2_errors,
)
from electromagnetics.surrogates.multilayer import (
    MultilayerSurrogate,
    design_reflector,
    from_dataset_params,
    verify_design,
)

__all__ = ["COMPONENTS", "TEAnsatz", "TESpec", "Units", "build_problem", "cavity_mode", "evaluation_points",
           "fdtd_reference", "maxwell_te_pde", "relative_l2_errors"]
__all__ += ["MultilayerSurrogate", "design_reflector", "from_dataset_params", "verify_design"]
