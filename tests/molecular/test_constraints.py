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
