"""Peer comparison (optional): electrostatics and bonded terms term by term against OpenMM's Reference
platform (double precision) on the same system set up identically; skipped when openmm is absent."""

import math

import numpy as np
import pytest

from molecular.forces.base import ForceField
from molecular.forces.bonded import (
    HarmonicAngle,
    HarmonicBond,
    HarmonicImproper,
    MorseBond,
    PeriodicTorsion,
    RBTorsion,
    UreyBradleyAngle,
    exclusions_from_bonds,
)
from molecular.forces.coulomb import ReactionField
from molecular.forces.ewald import Ewald
from molecular.forces.pme import PME
from molecular.system import System

mm = pytest.importorskip("openmm")

PEER_TOL = 1e-5  # issue 5: term-by-term energies and forces agree with OpenMM to 1e-5 relative
L = 2.2  # nm


def _system():
    rng = np.random.default_rng(42)
    chain = [np.array([1.0, 1.1, 1.05])]
    while len(chain) < 8:
        step = rng.standard_normal(3)
        step *= 0.15 / np.linalg.norm(step)
        p = chain[-1] + step
        if all(np.linalg.norm(p - c) > 0.2 for c in chain[:-1]):
            chain.append(p)
    ions = []
    while len(ions) < 16:
        p = rng.random(3) * L
        if all(np.linalg.norm(p - c) > 0.3 for c in chain + ions):
            ions.append(p)
    x = np.array(chain + ions)
    q = rng.uniform(-0.8, 0.8, len(x))
    q -= q.mean()
    bonds = np.array([[i, i + 1] for i in range(7)])
    return System(x, box=[L, L, L], charges=q), bonds


def _openmm_terms(system, forces):
    """Energy (kJ/mol) and forces of each OpenMM force (one force group each) on the Reference platform."""
    s = mm.System()
    for _ in range(system.n_atoms):
        s.addParticle(1.0)
    s.setDefaultPeriodicBoxVectors(mm.Vec3(L, 0, 0), mm.Vec3(0, L, 0), mm.Vec3(0, 0, L))
    for g, f in enumerate(forces):
        f.setForceGroup(g)
        s.addForce(f)
    ctx = mm.Context(s, mm.VerletIntegrator(0.001), mm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(system.positions)
    out = []
    for g in range(len(forces)):
        st = ctx.getState(getEnergy=True, getForces=True, groups={g})
        out.append((st.getPotentialEnergy().value_in_unit(mm.unit.kilojoule_per_mole),
                    np.array(st.getForces(asNumpy=True).value_in_unit(mm.unit.kilojoule_per_mole / mm.unit.nanometer))))
    return out


def _nonbonded(system, method, ex, p14, scale14, rc):
    nb = mm.NonbondedForce()
    nb.setNonbondedMethod(method)
    nb.setCutoffDistance(rc)
    nb.setUseDispersionCorrection(False)
    for qi in system.charges:
        nb.addParticle(float(qi), 0.1, 0.0)
    for i, j in ex:
        nb.addException(int(i), int(j), 0.0, 0.1, 0.0)
    for i, j in p14:
        nb.addException(int(i), int(j), float(scale14 * system.charges[i] * system.charges[j]), 0.1, 0.0)
    return nb


def _compare(ours, theirs, label):
    e, f = ours
    e_mm, f_mm = theirs
    print(f"\nOPENMM {label}: E {e:.8f} vs {e_mm:.8f} (rel {abs(e - e_mm) / abs(e_mm):.2e}), "
          f"max |dF|/max|F| {np.max(np.abs(f - f_mm)) / np.max(np.abs(f_mm)):.2e}")
    assert e == pytest.approx(e_mm, rel=PEER_TOL)
    assert np.max(np.abs(f - f_mm)) < PEER_TOL * np.max(np.abs(f_mm))


def test_electrostatics_match_openmm():
    system, bonds = _system()
    ex, p14 = exclusions_from_bonds(system.n_atoms, bonds)
    rc, sc = 1.0, 0.5
    pme = PME(rc, tolerance=1e-5, exclusions=ex, pairs14=p14, scale14=sc)
    ForceField(pme).setup(system)
    nb_pme = _nonbonded(system, mm.NonbondedForce.PME, ex, p14, sc, rc)
    nb_pme.setPMEParameters(pme.alpha, *pme.grid)
    nb_ew = _nonbonded(system, mm.NonbondedForce.Ewald, ex, p14, sc, rc)
    nb_ew.setEwaldErrorTolerance(1e-7)
    nb_rf = _nonbonded(system, mm.NonbondedForce.CutoffPeriodic, ex, p14, sc, rc)
    nb_rf.setReactionFieldDielectric(78.5)
    theirs = _openmm_terms(system, [nb_pme, nb_ew, nb_rf])
    ours = []
    for force in (pme, Ewald(rc, tolerance=1e-9, exclusions=ex, pairs14=p14, scale14=sc),
                  ReactionField(rc, epsilon_rf=78.5, exclusions=ex, pairs14=p14, scale14=sc)):
        r = ForceField(force, skin=0.1).compute(system)
        ours.append((r.energy, r.forces))
    _compare(ours[0], theirs[0], "PME (same alpha, grid, order 5)")
    _compare(ours[1], theirs[1], "Ewald (converged both)")
    _compare(ours[2], theirs[2], "reaction field")


def test_bonded_terms_match_openmm():
    system, bonds = _system()
    rng = np.random.default_rng(1)
    ang = np.array([[i, i + 1, i + 2] for i in range(6)])
    tors = np.array([[i, i + 1, i + 2, i + 3] for i in range(5)])
    kb, r0 = rng.uniform(1e5, 3e5, 7), rng.uniform(0.13, 0.17, 7)
    ka, t0 = rng.uniform(200, 500, 6), rng.uniform(1.7, 2.1, 6)
    kt, nt, pt = rng.uniform(-5, 5, 5), rng.integers(1, 4, 5), rng.uniform(-math.pi, math.pi, 5)
    c = np.array([9.28, 12.16, -13.12, -3.06, 26.24, -31.5])
    ours = [HarmonicBond(bonds, kb, r0), MorseBond(bonds, 400.0, 20.0, r0), HarmonicAngle(ang, ka, t0),
            UreyBradleyAngle(ang, ka, t0, 2e4, 0.25), PeriodicTorsion(tors, kt, nt, pt), RBTorsion(tors, c),
            HarmonicImproper(tors, 80.0, 0.3)]
    f_bond = mm.HarmonicBondForce()
    f_morse = mm.CustomBondForce("D*(1-exp(-a*(r-r0)))^2")
    for p in ("D", "a", "r0"):
        f_morse.addPerBondParameter(p)
    for (i, j), k, r in zip(bonds, kb, r0):
        f_bond.addBond(int(i), int(j), r, k)
        f_morse.addBond(int(i), int(j), [400.0, 20.0, r])
    f_ang = mm.HarmonicAngleForce()
    f_ub = mm.CustomCompoundBondForce(3, "0.5*k*(angle(p1,p2,p3)-t0)^2 + 0.5*kub*(distance(p1,p3)-rub)^2")
    for p in ("k", "t0", "kub", "rub"):
        f_ub.addPerBondParameter(p)
    for (i, j, k), kk, t in zip(ang, ka, t0):
        f_ang.addAngle(int(i), int(j), int(k), t, kk)
        f_ub.addBond([int(i), int(j), int(k)], [kk, t, 2e4, 0.25])
    f_tor = mm.PeriodicTorsionForce()
    f_rb = mm.RBTorsionForce()
    f_imp = mm.CustomTorsionForce("0.5*k*dt^2; dt = d - 2*pi*floor((d + pi)/(2*pi)); d = theta - t0; "
                                  "pi = 3.141592653589793")
    f_imp.addPerTorsionParameter("k")
    f_imp.addPerTorsionParameter("t0")
    for (i, j, k, l), kk, n, p in zip(tors, kt, nt, pt):
        f_tor.addTorsion(int(i), int(j), int(k), int(l), int(n), p, kk)
        f_rb.addTorsion(int(i), int(j), int(k), int(l), *c)
        f_imp.addTorsion(int(i), int(j), int(k), int(l), [80.0, 0.3])
    theirs = _openmm_terms(system, [f_bond, f_morse, f_ang, f_ub, f_tor, f_rb, f_imp])
    for force, t in zip(ours, theirs):
        e, f, _ = force.compute(system)
        _compare((e, f), t, type(force).__name__)
