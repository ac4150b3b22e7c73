"""mindscience.pinn: physics-informed neural networks with PDEs written in sympy.

Geometry + PDE + Conditions + Network -> :class:`Problem` -> :class:`Trainer`.

Examples
--------
>>> import sympy as sp
>>> from mindscience.nn import MLP
>>> from mindscience.pinn import PDE, Rectangle, DirichletBC, Problem, Trainer
>>> x, y = sp.symbols("x y"); u = sp.Function("u")
>>> pde = PDE(sp.diff(u(x, y), x, 2) + sp.diff(u(x, y), y, 2) + 1, (x, y), [u])
>>> dom = Rectangle([0, 0], [1, 1])
>>> problem = Problem(pde, dom, MLP([2, 16, 16, 1]), [DirichletBC(dom, 0.0, n=64)], n_interior=128)
>>> trainer = Trainer(problem, seed=0)
>>> _ = trainer.train(5, progress=False)
"""

from mindscience.pinn.conditions import (
    DirichletBC,
    HardDirichlet,
    InitialCondition,
    NeumannBC,
    PeriodicBC,
    PointData,
    RobinBC,
    box_distance,
    disk_distance,
)
from mindscience.pinn.derivatives import nested_forward_backend, taylor_backend
from mindscience.pinn.geometry import (
    Box,
    Difference,
    Disk,
    Geometry,
    Intersection,
    Interval,
    PointCloud,
    Polygon,
    Rectangle,
    SpaceTime,
    Sphere,
    TimeDomain,
    Triangle,
    Union,
)
from mindscience.pinn.pde import PDE, DerivativePlan, sympy_function_backend
from mindscience.pinn.problem import Problem
from mindscience.pinn.sampling import UnitCubeSampler, refine_by_residual
from mindscience.pinn.trainer import Trainer, grid

__all__ = [
    "Geometry", "Interval", "Rectangle", "Box", "Disk", "Sphere", "Triangle", "Polygon", "PointCloud", "Union",
    "Difference", "Intersection", "TimeDomain", "SpaceTime", "UnitCubeSampler", "refine_by_residual",
    "PDE", "DerivativePlan", "sympy_function_backend", "taylor_backend", "nested_forward_backend",
    "DirichletBC", "NeumannBC", "RobinBC", "PeriodicBC", "InitialCondition", "PointData", "HardDirichlet",
    "box_distance", "disk_distance", "Problem", "Trainer", "grid",
]
