"""Differentiable MD: LJ kernel primitives and gradients through an unrolled velocity-Verlet run."""

import importlib.util
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import autodiff as ad
from autodiff.testing import check_grads
from mindscience.errors import InputError
from molecular import LennardJones, MDSimulation, VelocityVerlet, lattice
from molecular.differentiable import lj_energy, lj_forces, lj_virial, unrolled_lj
from molecular.forces import ForceField

CUTOFF = 1.6
FD_EPS = 1e-7  # the LJ wall is steep: smaller steps than autodiff.testing's default keep truncation < 1e-5
FD_TOL = 1e-5
GRAD_RTOL = 1e-4  # issue #8: unrolled gradient vs central finite differences
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def liquid():
    s = lattice("fcc", 2, density=0.8).set_velocities(1.0, seed=1, kB=1.0)
    x = s.positions + 0.05 * np.random.default_rng(0).standard_normal(s.positions.shape)
    return s, x, np.diag(s.box.h).copy()


def test_primitives_match_finite_differences(liquid):
    # reference: central finite differences (autodiff.testing.check_grads), energy to second order in
    # forward and reverse mode, forces and virial to first order, in positions and (epsilon, sigma)
    _, x, box = liquid
    p = np.array([1.1, 0.97])
    check_grads(lambda x, p: lj_energy(x, p, box, CUTOFF), (x, p), order=2, eps=FD_EPS, atol=FD_TOL)
    check_grads(lambda x, p: lj_forces(x, p, box, CUTOFF), (x, p), order=1, eps=FD_EPS, atol=FD_TOL)
    check_grads(lambda x, p: lj_virial(x, p, box, CUTOFF), (x, p), order=1, eps=FD_EPS, atol=FD_TOL)


def test_primitives_match_the_md_engine(liquid):
    # reference: molecular.forces.LennardJones(mode="shifted-force"), an independent implementation
    s, x, box = liquid
    s.positions[:] = x
    p = np.array([1.1, 0.97])
    res = ForceField([LennardJones(p[0], p[1], cutoff=CUTOFF, mode="shifted-force")], skin=0.2).compute(s, virial=True)
    np.testing.assert_allclose(float(lj_energy(x, p, box, CUTOFF)), res.energy, rtol=1e-12)
    np.testing.assert_allclose(lj_forces(x, p, box, CUTOFF), res.forces, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(float(lj_virial(x, p, box, CUTOFF)), np.trace(res.virial), rtol=1e-11)


def test_unrolled_run_matches_velocity_verlet_engine(liquid):
    # reference: MDSimulation with VelocityVerlet and the engine's shifted-force LJ, same start
    s, _, box = liquid
    p = np.array([1.0, 1.0])
    n_steps = 40
    avg = unrolled_lj(p, s.positions, s.velocities, box, cutoff=CUTOFF, dt=0.005, n_steps=n_steps,
                      observables=("potential_energy", "pressure", "total_energy"))
    sim = MDSimulation(s.copy(), LennardJones(cutoff=CUTOFF, mode="shifted-force"), VelocityVerlet(kB=1.0), dt=0.005)
    vals = []
    for _ in range(n_steps):
        sim.run(steps=1, progress=False)
        st = sim.state("potential_energy", "pressure", "total_energy")
        vals.append([st["potential_energy"], st["pressure"], st["total_energy"]])
    np.testing.assert_allclose(avg, np.mean(vals, axis=0), rtol=1e-9)


@pytest.mark.parametrize("observable", ["potential_energy", "pressure"])
def test_gradient_through_100_steps_matches_finite_differences(liquid, observable):
    # reference: central finite differences of the whole 100-step run (32 atoms), step 1e-5 relative
    s, _, box = liquid

    def f(p):
        return unrolled_lj(p, s.positions, s.velocities, box, cutoff=CUTOFF, dt=0.005, n_steps=100,
                           observables=(observable,))[0]

    p = np.array([1.0, 1.0])
    g = ad.grad(f)(p)
    h = 1e-5
    fd = np.array([(f(p + h * e) - f(p - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(g, fd, rtol=GRAD_RTOL)


def test_checkpointing_gives_the_same_gradient(liquid):
    # reference: the un-checkpointed gradient (checkpointing only changes what is stored); 7 does not
    # divide 100, so the last block is shorter; positions and velocities are differentiated too
    s, _, box = liquid

    def f(p, x0, v0, k):
        return unrolled_lj(p, x0, v0, box, cutoff=CUTOFF, dt=0.005, n_steps=100, observables=("pressure",),
                           checkpoint_every=k)[0]

    p = np.array([1.05, 0.98])
    plain = ad.grad(f, argnums=(0, 1, 2))(p, s.positions, s.velocities, None)
    ckpt = ad.grad(f, argnums=(0, 1, 2))(p, s.positions, s.velocities, 7)
    for a, b in zip(plain, ckpt):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_third_derivative_raises_a_clear_error(liquid):
    _, x, box = liquid
    p = np.array([1.0, 1.0])
    hvp_forces = ad.grad(lambda q: ad.grad(lambda r: ad.numpy.sum(lj_forces(x, r, box, CUTOFF) ** 2))(q).sum())
    with pytest.raises(NotImplementedError, match="lj_sf_"):
        hvp_forces(p)


def test_bad_input(liquid):
    s, _, box = liquid
    with pytest.raises(InputError, match="cutoff"):
        unrolled_lj(np.array([1.0, 1.0]), s.positions, s.velocities, box, cutoff=3.0)
    with pytest.raises(InputError, match="params"):
        unrolled_lj(np.array([1.0, -1.0]), s.positions, s.velocities, box, cutoff=CUTOFF)
    with pytest.raises(InputError, match="observable"):
        unrolled_lj(np.array([1.0, 1.0]), s.positions, s.velocities, box, cutoff=CUTOFF, observables=("rdf",))
    with pytest.raises(InputError, match="checkpoint_every"):
        unrolled_lj(np.array([1.0, 1.0]), s.positions, s.velocities, box, cutoff=CUTOFF, checkpoint_every=0)


def test_import_molecular_does_not_import_autodiff():
    out = subprocess.run([sys.executable, "-c", "import sys, molecular; print('autodiff' in sys.modules)"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_fit_example_recovers_parameters(tmp_path):
    # reference: the known parameters (1, 1) that generated the target; reduced-size run of the example
    spec = importlib.util.spec_from_file_location("fit_lj_parameters", ROOT / "examples/molecular/fit_lj_parameters.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    p, err = mod.main(str(tmp_path), "--quick")
    assert np.all(err < mod.TOLERANCE), (p, err)
    assert (tmp_path / "fit_lj_parameters.h5").exists() and (tmp_path / "fit_lj_parameters.png").exists()
