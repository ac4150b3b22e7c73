"""Constraints: SHAKE/RATTLE and SETTLE hold lengths to 1e-8, SETTLE equals converged SHAKE, constraint
virial equals the analytic centripetal virial, constrained NVE conserves energy."""

import math

import numpy as np
import pytest

from mindscience.errors import InputError
from molecular.forces.base import ForceField
from molecular.forces.bonded import HarmonicAngle
from molecular.integrators.constraints import ConstrainedVelocityVerlet, ConstraintError, Settle, ShakeRattle
from molecular.system import System
from molecular.water import SPCE, TIP3P

LENGTH_TOL = 1e-8  # issue 5: bond lengths and angles held to 1e-8


def _waters(n, model=SPCE, seed=0, spacing=0.35):
    rng = np.random.default_rng(seed)
    geo = model.geometry()
    pos = []
    for k in range(n):
        q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
        pos.append(geo @ q.T + spacing * np.array([k % 2, (k // 2) % 2, k // 4]) + 0.2)
    pos = np.concatenate(pos)
    masses = np.tile([15.9994, 1.008, 1.008], n)
    return System(pos, masses=masses, box=[1.2, 1.2, 1.2], charges=np.tile(model.charges, n),
                  types=np.tile([0, 1, 1], n))


def _lengths(x, waters):
    o, h1, h2 = waters.T
    return (np.linalg.norm(x[h1] - x[o], axis=1), np.linalg.norm(x[h2] - x[o], axis=1),
            np.linalg.norm(x[h2] - x[h1], axis=1))


def test_settle_holds_geometry_and_equals_converged_shake():
    # reference: SETTLE solves the SHAKE equations in closed form (Miyamoto & Kollman 1992), so it must equal
    # SHAKE iterated to 1e-14
    s = _waters(6, seed=1)
    waters = np.arange(18).reshape(6, 3)
    xref = s.positions.copy()
    rng = np.random.default_rng(2)
    s.positions += 0.004 * rng.standard_normal(s.positions.shape)  # an unconstrained 2 fs drift
    x_unc = s.positions.copy()
    st = Settle(waters, SPCE.d_oh, SPCE.d_hh)
    w_settle = st.apply_positions(s, xref, 0.002)
    roh1, roh2, rhh = _lengths(s.positions, waters)
    assert np.max(np.abs(roh1 - SPCE.d_oh)) < LENGTH_TOL * SPCE.d_oh
    assert np.max(np.abs(roh2 - SPCE.d_oh)) < LENGTH_TOL * SPCE.d_oh
    assert np.max(np.abs(rhh - SPCE.d_hh)) < LENGTH_TOL * SPCE.d_hh
    x_settle = s.positions.copy()
    pairs = np.concatenate([waters[:, [0, 1]], waters[:, [0, 2]], waters[:, [1, 2]]])
    dist = np.concatenate([[SPCE.d_oh] * 6, [SPCE.d_oh] * 6, [SPCE.d_hh] * 6])
    s.positions = x_unc.copy()
    w_shake = ShakeRattle(pairs, dist, tol=1e-14).apply_positions(s, xref, 0.002)
    assert np.max(np.abs(s.positions - x_settle)) < 1e-10
    assert np.max(np.abs(w_settle - w_shake)) < 1e-6 * np.max(np.abs(w_shake))


def test_shake_rattle_hold_lengths_and_velocities():
    # reference: the constraint equations themselves (|r| = d, r . v_ij = 0)
    rng = np.random.default_rng(3)
    x = np.array([[0, 0, 0], [0.109, 0, 0], [-0.03, 0.105, 0], [0.15, 0.1, 0.1]], dtype=float) + 0.5
    s = System(x, masses=[12.011, 1.008, 1.008, 14.007], box=[2, 2, 2])
    pairs = [[0, 1], [0, 2], [0, 3]]
    d = np.linalg.norm(x[[1, 2, 3]] - x[0], axis=1)
    c = ShakeRattle(pairs, d, tol=1e-11)
    xref = s.positions.copy()
    s.positions += 0.003 * rng.standard_normal(x.shape)
    c.apply_positions(s, xref, 0.002)
    r = np.linalg.norm(s.positions[[1, 2, 3]] - s.positions[0], axis=1)
    assert np.max(np.abs(r - d) / d) < LENGTH_TOL
    s.velocities = rng.standard_normal(x.shape)
    c.apply_velocities(s)
    rv = [np.dot(s.positions[i] - s.positions[j], s.velocities[i] - s.velocities[j]) for i, j in pairs]
    assert np.max(np.abs(rv)) < 1e-9


def test_constraint_virial_equals_centripetal():
    # reference: a free rigid dimer rotating with relative speed v needs the centripetal force mu v^2 / d
    # along the bond, so the constraint virial trace is r_ij . f_ij = -mu v^2 (to O(dt^2))
    m1, m2, d, vrel = 12.0, 4.0, 0.15, 2.0
    mu = m1 * m2 / (m1 + m2)
    s = System([[0.0, 0, 0], [d, 0, 0]], masses=[m1, m2], box=None)
    s.velocities = np.array([[0, -vrel * m2 / (m1 + m2), 0], [0, vrel * m1 / (m1 + m2), 0]])
    ff = ForceField(HarmonicAngle(np.zeros((0, 3), dtype=int), k=0.0, theta0=0.0))
    integ = ConstrainedVelocityVerlet(ShakeRattle([[0, 1]], d, tol=1e-13)).attach(s, ff)
    integ.step(1e-4)
    assert np.trace(integ.constraint_virial) == pytest.approx(-mu * vrel**2, rel=1e-3)
    assert np.linalg.norm(s.positions[1] - s.positions[0]) == pytest.approx(d, rel=LENGTH_TOL)
    assert integ.ndof == 6 - 1 - 3


def test_constrained_nve_water_run():
    # reference: conservation of energy (velocity Verlet/RATTLE is symplectic) and the SETTLE geometry
    from molecular.forces.coulomb import ReactionField
    from molecular.forces.pair import LennardJones

    s = _waters(8, seed=4)
    waters = np.arange(24).reshape(8, 3)
    ex = np.concatenate([waters[:, [0, 1]], waters[:, [0, 2]], waters[:, [1, 2]]])
    ff = ForceField([ReactionField(0.55, exclusions=ex),
                     LennardJones(epsilon=[SPCE.epsilon_o, 0.0], sigma=[SPCE.sigma_o, 0.1], cutoff=0.55,
                                  mode="shifted")], skin=0.05)
    s.set_velocities(300.0, seed=5)
    Settle(waters, SPCE.d_oh, SPCE.d_hh).apply_velocities(s)
    integ = ConstrainedVelocityVerlet(Settle(waters, SPCE.d_oh, SPCE.d_hh)).attach(s, ff)
    e = []
    for _ in range(40):
        integ.step(0.001, 5)
        e.append(integ.result.energy + s.kinetic_energy())
    roh1, roh2, rhh = _lengths(s.positions, waters)
    assert np.max(np.abs(roh1 - SPCE.d_oh)) < LENGTH_TOL * SPCE.d_oh
    assert np.max(np.abs(rhh - SPCE.d_hh)) < LENGTH_TOL * SPCE.d_hh
    theta = 2 * np.arcsin(rhh / 2 / SPCE.d_oh)
    assert np.max(np.abs(theta - math.radians(SPCE.theta_hoh))) < LENGTH_TOL
    ke = s.kinetic_energy()
    print(f"\nNVE-SETTLE: conserved-energy range {np.ptp(e):.3e} kJ/mol over 200 steps of 1 fs, KE {ke:.3f} kJ/mol, "
          f"max |r_OH - d| {np.max(np.abs(roh1 - SPCE.d_oh)):.2e} nm")
    assert np.ptp(e) < 0.05 * ke  # fluctuation of the conserved energy small against the kinetic energy
    assert integ.ndof == 3 * 24 - 24 - 3


def test_clear_errors():
    with pytest.raises(InputError, match=r"distances\[0\]=-0.1 is out of range"):
        ShakeRattle([[0, 1]], -0.1)
    with pytest.raises(InputError, match="itself"):
        ShakeRattle([[1, 1]], 0.1)
    with pytest.raises(InputError, match="d_hh"):
        Settle([[0, 1, 2]], 0.1, 0.25)
    s = System([[0, 0, 0], [0.1, 0, 0]], masses=[1.0, 1.0])
    c = ShakeRattle([[0, 1]], 0.1, max_iter=1)
    s.positions[1, 0] = 0.3
    with pytest.raises(ConstraintError, match="SHAKE did not converge"):
        c.apply_positions(s, np.array([[0, 0, 0], [0.1, 0, 0.0]]), 0.002)
    assert TIP3P.d_hh == pytest.approx(0.15139, abs=1e-5)


# ----------------------------------------------------------------------------- constraints in other integrators
def _free_waters(n=27, seed=0):
    """Non-interacting rigid SPC/E waters in a periodic box (a zero force field)."""
    from molecular.water import solvate

    s = solvate([1.0, 1.0, 1.0], "spce", n_waters=n, seed=seed)
    ff = ForceField(HarmonicAngle(np.zeros((0, 3), dtype=int), k=0.0, theta0=0.0))
    return s, ff


def test_langevin_settle_equipartition_and_geometry():
    # reference: equipartition, <KE> = (3N - C) kT / 2 for N atoms under C holonomic constraints (no forces);
    # with 3N degrees of freedom the mean would be 1.5x too high
    from molecular.integrators.langevin import LangevinBAOAB
    from molecular.water import water_constraints

    s, ff = _free_waters()
    s.set_velocities(300.0, seed=1)
    integ = LangevinBAOAB(300.0, friction=20.0, seed=2, constraints=water_constraints(s)).attach(s, ff)
    assert integ.ndof == 3 * 81 - 81
    temps = []
    for _ in range(3000):
        integ.step(0.002)
        temps.append(2 * s.kinetic_energy() / (integ.ndof * integ.kB))
    from molecular.analysis import block_average

    t, err = block_average(np.array(temps[500:]), n_blocks=10)
    assert abs(t - 300.0) < max(4 * err, 0.02 * 300.0), (t, err)
    roh1, roh2, rhh = _lengths(s.positions, integ.constraints[0].waters)
    assert np.max(np.abs(roh1 - SPCE.d_oh)) < LENGTH_TOL * SPCE.d_oh
    assert np.max(np.abs(rhh - SPCE.d_hh)) < LENGTH_TOL * SPCE.d_hh


def test_langevin_settle_zero_friction_limit_conserves_energy():
    # reference: with friction -> 0 constrained BAOAB is the (symplectic) RATTLE scheme: energy conserved
    from molecular.forces.coulomb import ReactionField
    from molecular.forces.pair import LennardJones
    from molecular.integrators.langevin import LangevinBAOAB

    s = _waters(8, seed=4)
    waters = np.arange(24).reshape(8, 3)
    ex = np.concatenate([waters[:, [0, 1]], waters[:, [0, 2]], waters[:, [1, 2]]])
    ff = ForceField([ReactionField(0.55, exclusions=ex),
                     LennardJones(epsilon=[SPCE.epsilon_o, 0.0], sigma=[SPCE.sigma_o, 0.1], cutoff=0.55,
                                  mode="shifted")], skin=0.05)
    s.set_velocities(300.0, seed=5)
    integ = LangevinBAOAB(300.0, friction=1e-9, seed=6, constraints=Settle(waters, SPCE.d_oh, SPCE.d_hh)).attach(s, ff)
    e = []
    for _ in range(40):
        integ.step(0.001, 5)
        e.append(integ.result.energy + s.kinetic_energy() + integ.conserved_offset())
    assert np.ptp(e) < 0.05 * s.kinetic_energy()
    roh1, roh2, rhh = _lengths(s.positions, waters)
    assert np.max(np.abs(roh2 - SPCE.d_oh)) < LENGTH_TOL * SPCE.d_oh


@pytest.mark.parametrize("solver", ["settle", "shake"])
def test_constraint_virial_gives_molecular_pressure(solver):
    # reference: for rigid molecules sum_i m_i (r_i - R).(v_i - V) = 0 at all times, so its time derivative gives
    # tr(sum m v v + W + W_c) = tr(sum_mol M V V + W_mol) exactly (atomic and molecular pressures agree)
    from molecular.integrators.barostats import molecule_centres
    from molecular.thermo import kinetic_tensor
    from molecular.water import solvate, water_forcefield

    s = solvate([1.3, 1.3, 1.3], "spce", seed=3)
    ff = water_forcefield(s, "spce", cutoff=0.6, electrostatics="reaction-field", skin=0.1)
    s.set_velocities(300.0, seed=4)
    from molecular.water import water_indices

    w = water_indices(s)
    if solver == "settle":
        cons = Settle(w, SPCE.d_oh, SPCE.d_hh)
    else:
        pairs = np.concatenate([w[:, [0, 1]], w[:, [0, 2]], w[:, [1, 2]]])
        cons = ShakeRattle(pairs, np.repeat([SPCE.d_oh, SPCE.d_oh, SPCE.d_hh], len(w)), tol=1e-12)
    integ = ConstrainedVelocityVerlet(cons).attach(s, ff)
    integ.step(0.002, 5)
    res = ff.compute(s, virial=True)
    mol, com = molecule_centres(s)
    mass = np.bincount(mol, weights=s.masses)
    vcom = np.stack([np.bincount(mol, weights=s.masses * s.velocities[:, k]) for k in range(3)], 1) / mass[:, None]
    rel = s.box.minimum_image(s.positions - com[mol])
    atomic = np.trace(kinetic_tensor(s.masses, s.velocities) + res.virial + integ.constraint_virial)
    molecular = np.trace(np.einsum("m,ma,mb->ab", mass, vcom, vcom) + res.virial
                         - np.einsum("ia,ib->ab", rel, res.forces))
    scale = np.abs(np.trace(integ.constraint_virial))
    assert abs(atomic - molecular) < 1e-9 * scale


def test_mc_barostat_keeps_waters_rigid_and_whole():
    # reference: the constraint equations (a molecule-centre move is a rigid translation) and the centre of mass
    # of a molecule split by the periodic boundary computed by hand
    from molecular.integrators.barostats import MonteCarloBarostat, molecule_centres
    from molecular.integrators.langevin import LangevinBAOAB
    from molecular.simulation import MDSimulation
    from molecular.units import BAR
    from molecular.water import solvate, water_constraints, water_forcefield

    s = solvate([1.3, 1.3, 1.3], "spce", seed=7)
    # split water 0 across the x boundary: shift its first hydrogen by a box vector
    s.positions[1, 0] += 1.3
    xo = s.positions[[0, 1, 2]].copy()
    xo[1, 0] -= 1.3
    expected = (s.masses[:3, None] * xo).sum(axis=0) / s.masses[:3].sum()
    _, com = molecule_centres(s)
    assert np.allclose(com[0], expected, atol=1e-12)
    s.positions[1, 0] -= 1.3
    ff = water_forcefield(s, "spce", cutoff=0.6, electrostatics="reaction-field", skin=0.1)
    s.set_velocities(300.0, seed=8)
    baro = MonteCarloBarostat(1.0 * BAR, 300.0, frequency=2, max_volume_change=0.02, seed=9)
    cons = water_constraints(s)
    sim = MDSimulation(s, ff, LangevinBAOAB(300.0, 5.0, seed=10, constraints=cons), dt=0.001, barostat=baro)
    v0 = s.volume
    sim.run(steps=40, progress=False)
    assert baro.accepted > 0 and s.volume != v0
    roh1, roh2, rhh = _lengths(s.positions, cons.waters)
    assert np.max(np.abs(roh1 - SPCE.d_oh)) < LENGTH_TOL * SPCE.d_oh
    assert np.max(np.abs(rhh - SPCE.d_hh)) < LENGTH_TOL * SPCE.d_hh
