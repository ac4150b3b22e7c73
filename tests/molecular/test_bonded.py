"""Bonded terms: hand-computed energies, forces = -FD gradient, Newton's third law, virial, RB vs periodic
series, exclusions/1-4 pairs from the bond graph, clear errors."""

import math

import numpy as np
import pytest

from mindscience.errors import InputError
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
from molecular.system import Box, System

FD_TOL = 1e-7  # relative; central differences with h = 1e-6 nm


def butane_like(seed=0, box=None):
    """Four atoms in a zig-zag chain with a random perturbation (nm)."""
    rng = np.random.default_rng(seed)
    x = np.array([[0.0, 0.0, 0.0], [0.15, 0.0, 0.0], [0.2, 0.14, 0.0], [0.35, 0.15, 0.05]])
    x += 0.02 * rng.standard_normal(x.shape)
    return System(x + 0.5, box=box)


def _dihedral(x):
    """IUPAC dihedral, numpy reference: atan2(|b2| b1.(b2 x b3), (b1 x b2).(b2 x b3))
    (A. Blondel, M. Karplus, J. Comput. Chem. 17, 1132 (1996))."""
    b1, b2, b3 = x[1] - x[0], x[2] - x[1], x[3] - x[2]
    return math.atan2(np.linalg.norm(b2) * np.dot(b1, np.cross(b2, b3)), np.dot(np.cross(b1, b2), np.cross(b2, b3)))


def _angle(x, i, j, k):
    a, b = x[i] - x[j], x[k] - x[j]
    return math.acos(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


def _forces_fd(force, system, h=1e-6):
    out = np.zeros_like(system.positions)
    for i in range(system.n_atoms):
        for k in range(3):
            x0 = system.positions[i, k]
            system.positions[i, k] = x0 + h
            ep = force.compute(system)[0]
            system.positions[i, k] = x0 - h
            em = force.compute(system)[0]
            system.positions[i, k] = x0
            out[i, k] = -(ep - em) / (2 * h)
    return out


TERMS = {
    "harmonic-bond": lambda: HarmonicBond([[0, 1], [1, 2], [2, 3]], k=[2e5, 3e5, 2.5e5], r0=[0.15, 0.14, 0.16]),
    "morse-bond": lambda: MorseBond([[0, 1], [2, 3]], D=400.0, a=20.0, r0=0.14),
    "harmonic-angle": lambda: HarmonicAngle([[0, 1, 2], [1, 2, 3]], k=400.0, theta0=[1.9, 2.0]),
    "urey-bradley": lambda: UreyBradleyAngle([[0, 1, 2], [1, 2, 3]], k=300.0, theta0=1.9, k_ub=2e4, r_ub=0.25),
    "periodic-torsion": lambda: PeriodicTorsion([[0, 1, 2, 3]] * 3, k=[5.0, -2.0, 1.5], n=[1, 2, 3],
                                                phi0=[0.0, math.pi, 0.3]),
    "rb-torsion": lambda: RBTorsion([[0, 1, 2, 3]], c=[9.28, 12.16, -13.12, -3.06, 26.24, -31.5]),
    "harmonic-improper": lambda: HarmonicImproper([[0, 1, 2, 3]], k=100.0, xi0=0.4),
}


@pytest.mark.parametrize("term", sorted(TERMS))
@pytest.mark.parametrize("periodic", [False, True])
def test_forces_equal_minus_fd_gradient_and_newton3(term, periodic):
    # reference: central finite differences of the same energy; sum of forces = 0 (Newton's third law)
    force = TERMS[term]()
    s = butane_like(1, box=[0.7, 0.8, 0.9] if periodic else None)
    if periodic:  # one atom across the boundary: displacements must be minimum-imaged
        s.positions[3, 0] -= 0.7
    e, f, w = force.compute(s, None, virial=True)
    fd = _forces_fd(force, s)
    print(f"\nFD-BONDED {term} periodic={periodic}: {np.max(np.abs(f - fd)) / max(np.max(np.abs(fd)), 1.0):.3e}")
    assert np.max(np.abs(f - fd)) < FD_TOL * max(np.max(np.abs(fd)), 1.0)
    assert np.max(np.abs(f.sum(axis=0))) < 1e-10 * max(np.max(np.abs(f)), 1.0)
    # virial W = sum x_i (x) f_i of the unwrapped molecule (reference: direct sum)
    x = s.positions.copy()
    if periodic:
        x[3, 0] += 0.7
    assert np.allclose(w, x.T @ f, atol=1e-9 * max(np.abs(w).max(), 1.0))


def test_bond_and_angle_energies_hand_computed():
    # reference: hand-computed values of the textbook formulas
    s = System([[0, 0, 0], [0.12, 0, 0], [0.12, 0.1, 0]])
    e = HarmonicBond([[0, 1]], k=1000.0, r0=0.1).compute(s)[0]
    assert e == pytest.approx(0.5 * 1000 * 0.02**2, rel=1e-14)
    e = MorseBond([[0, 1]], D=300.0, a=25.0, r0=0.1).compute(s)[0]
    assert e == pytest.approx(300 * (1 - math.exp(-25 * 0.02)) ** 2, rel=1e-14)
    e = HarmonicAngle([[0, 1, 2]], k=500.0, theta0=math.radians(100)).compute(s)[0]
    assert e == pytest.approx(0.5 * 500 * (math.pi / 2 - math.radians(100)) ** 2, rel=1e-12)
    r13 = math.hypot(0.12, 0.1)
    e = UreyBradleyAngle([[0, 1, 2]], k=500.0, theta0=math.radians(100), k_ub=1e4, r_ub=0.15).compute(s)[0]
    assert e == pytest.approx(0.5 * 500 * (math.pi / 2 - math.radians(100)) ** 2 + 0.5 * 1e4 * (r13 - 0.15) ** 2,
                              rel=1e-12)


def test_dihedral_energies_hand_computed():
    # reference: IUPAC dihedral of a textbook geometry (cis = 0, trans = pi) and a numpy atan2 formula
    cis = System([[1, 1, 0], [1, 0, 0], [2, 0, 0], [2, 1, 0]])
    trans = System([[1, 1, 0], [1, 0, 0], [2, 0, 0], [2, -1, 0]])
    gauche = System([[1, 1, 0], [1, 0, 0], [2, 0, 0], [2, 0.5, 0.5 * math.sqrt(3)]])  # phi = 60 deg
    t = PeriodicTorsion([[0, 1, 2, 3]], k=2.0, n=1, phi0=0.0)
    assert t.compute(cis)[0] == pytest.approx(4.0, rel=1e-14)
    assert t.compute(trans)[0] == pytest.approx(0.0, abs=1e-14)
    assert t.compute(gauche)[0] == pytest.approx(2.0 * (1 + 0.5), rel=1e-13)
    assert abs(_dihedral(gauche.positions)) == pytest.approx(math.pi / 3)
    s = butane_like(3)
    phi = _dihedral(s.positions)
    t3 = PeriodicTorsion([[0, 1, 2, 3]], k=3.0, n=3, phi0=0.2)
    assert t3.compute(s)[0] == pytest.approx(3.0 * (1 + math.cos(3 * phi - 0.2)), rel=1e-12)
    imp = HarmonicImproper([[0, 1, 2, 3]], k=50.0, xi0=phi + 0.1)
    assert imp.compute(s)[0] == pytest.approx(0.5 * 50.0 * 0.01, rel=1e-10)
    # wrapped difference: xi0 = phi + 2 pi - 0.1 is 0.1 away
    imp = HarmonicImproper([[0, 1, 2, 3]], k=50.0, xi0=phi + 2 * math.pi - 0.1)
    assert imp.compute(s)[0] == pytest.approx(0.5 * 50.0 * 0.01, rel=1e-8)
    c = np.array([9.28, 12.16, -13.12, -3.06, 26.24, -31.5])
    psi = phi - math.pi
    rb = RBTorsion([[0, 1, 2, 3]], c=c).compute(s)[0]
    assert rb == pytest.approx(sum(c[n] * math.cos(psi) ** n for n in range(6)), rel=1e-12)


def test_rb_equals_equivalent_periodic_series():
    # reference: cos^n expanded into cos(m phi) (GROMACS manual, "Ryckaert-Bellemans function"):
    # U_RB(psi = phi - pi) = sum_m k_m (1 + cos(m phi - phi0_m)) + constant, for m = 0..5
    c = np.array([9.28, 12.16, -13.12, -3.06, 26.24, -31.5])
    # sum_n C_n cos^n psi = sum_n C_n (-1)^n cos^n phi; expand cos^n phi in Fourier cosines
    a = np.zeros(6)  # coefficient of cos(m phi)
    for n in range(6):
        for k in range(n + 1):  # cos^n = 2^-n sum_k binom(n, k) cos((n - 2k) phi)
            m = abs(n - 2 * k)
            a[m] += c[n] * (-1) ** n * math.comb(n, k) / 2**n
    const = a[0] - a[1:].sum()  # sum a_m cos(m phi) = sum a_m (1 + cos) - sum a_m
    per = PeriodicTorsion([[0, 1, 2, 3]] * 5, k=a[1:], n=[1, 2, 3, 4, 5], phi0=0.0)
    rb = RBTorsion([[0, 1, 2, 3]], c=c)
    for seed in range(5):
        s = butane_like(seed)
        e1, f1, _ = rb.compute(s)
        e2, f2, _ = per.compute(s)
        assert e1 == pytest.approx(e2 + const, rel=1e-12, abs=1e-11)
        assert np.max(np.abs(f1 - f2)) < 1e-10 * np.max(np.abs(f1))


def test_virial_fd_volume_derivative():
    # reference: -dE/d eps for box and coordinates scaled together (periodic, one atom across the edge)
    force = ForceField([TERMS[t]() for t in sorted(TERMS)])
    s = butane_like(5, box=[0.7, 0.8, 0.9])
    s.positions[0, 1] += 0.8
    w = force.compute(s, virial=True).virial
    h0, x0 = s.box.h.copy(), s.positions.copy()
    for a in range(3):
        es = []
        for sgn in (1, -1):
            d = np.eye(3)
            d[a, a] += sgn * 1e-6
            s.box, s.positions = Box(h0 @ d), x0 @ d
            es.append(force.compute(s).energy)
        assert w[a, a] == pytest.approx(-(es[0] - es[1]) / 2e-6, rel=1e-6, abs=1e-6)
    s.box, s.positions = Box(h0), x0


def test_exclusions_from_bond_graph():
    # reference: hand-enumerated pairs of a chain, a branch and a 5-ring (shortest path wins)
    ex, p14 = exclusions_from_bonds(5, [[0, 1], [1, 2], [2, 3], [3, 4]])
    assert ex.tolist() == [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3], [2, 4], [3, 4]]
    assert p14.tolist() == [[0, 3], [1, 4]]
    ring = [[0, 1], [1, 2], [2, 3], [3, 4], [4, 0]]
    ex, p14 = exclusions_from_bonds(5, ring)
    assert len(ex) == 10 and len(p14) == 0  # every pair of a 5-ring is 1-2 or 1-3
    ex, p14 = exclusions_from_bonds(6, [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 0]])
    assert p14.tolist() == [[0, 3], [1, 4], [2, 5]]  # benzene: para pairs are 1-4
    ex, p14 = exclusions_from_bonds(4, [[0, 1], [1, 2], [2, 3]], n_exclude=3)
    assert len(ex) == 6 and len(p14) == 0
    ex, p14 = exclusions_from_bonds(3, [[0, 1]], n_exclude=1)
    assert ex.tolist() == [[0, 1]] and p14.size == 0


def test_graph_exclusions_drive_electrostatics():
    # reference: numpy double loop over all pairs with the graph's exclusions removed and 1-4 pairs scaled
    from molecular.forces.coulomb import ONE_4PI_EPS0, CutoffCoulomb

    rng = np.random.default_rng(2)
    n = 8
    x = np.cumsum(rng.normal(0, 0.08, (n, 3)) + [0.12, 0, 0], axis=0)
    q = rng.uniform(-0.6, 0.6, n)
    bonds = [[i, i + 1] for i in range(n - 1)]
    ex, p14 = exclusions_from_bonds(n, bonds)
    s = System(x, charges=q)
    e = ForceField(CutoffCoulomb(3.0, exclusions=ex, pairs14=p14, scale14=0.5)).compute(s).energy
    ref = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            sc = 0.0 if j - i <= 2 else (0.5 if j - i == 3 else 1.0)
            ref += sc * ONE_4PI_EPS0 * q[i] * q[j] / np.linalg.norm(x[i] - x[j])
    assert e == pytest.approx(ref, rel=1e-12)


def test_clear_errors():
    with pytest.raises(InputError, match=r"bonds has shape \(3,\)"):
        HarmonicBond([0, 1, 2], k=1.0, r0=0.1)
    with pytest.raises(InputError, match=r"k\[1\]=-1.0 is out of range"):
        HarmonicBond([[0, 1], [1, 2]], k=[1.0, -1.0], r0=0.1)
    with pytest.raises(InputError, match="repeats an atom"):
        HarmonicAngle([[0, 1, 0]], k=1.0, theta0=1.0)
    with pytest.raises(InputError, match=r"theta0\[0\]=4.0 is out of range"):
        HarmonicAngle([[0, 1, 2]], k=1.0, theta0=4.0)
    with pytest.raises(InputError, match="multiplicity"):
        PeriodicTorsion([[0, 1, 2, 3]], k=1.0, n=1.5, phi0=0.0)
    with pytest.raises(InputError, match=r"c has shape \(5,\)"):
        RBTorsion([[0, 1, 2, 3]], c=[1, 2, 3, 4, 5])
    with pytest.raises(InputError, match=r"a\[0\]=0.0 is out of range"):
        MorseBond([[0, 1]], D=1.0, a=0.0, r0=0.1)
    with pytest.raises(InputError, match="outside the system"):
        HarmonicBond([[0, 7]], k=1.0, r0=0.1).compute(butane_like())
    with pytest.raises(InputError, match="n_exclude=4 is out of range"):
        exclusions_from_bonds(3, [[0, 1]], n_exclude=4)


@pytest.mark.parametrize("mode", ["truncated", "shifted"])
def test_lj_exceptions_match_numpy_double_loop(mode):
    # reference: plain numpy double loop of LJ (Lorentz-Berthelot) with the same exclusions and 1-4 scale
    from molecular.forces.bonded import LJExceptions
    from molecular.forces.pair import LennardJones

    rng = np.random.default_rng(4)
    n = 10
    x = np.cumsum(rng.normal(0, 0.05, (n, 3)) + [0.14, 0, 0], axis=0) + 0.2
    types = np.arange(n) % 2
    s = System(x, box=[2.0, 2.0, 2.0], types=types)
    eps, sig, rc = np.array([0.65, 0.3]), np.array([0.16, 0.12]), 0.9
    ex, p14 = exclusions_from_bonds(n, [[i, i + 1] for i in range(n - 1)])
    lj = LennardJones(eps, sig, cutoff=rc, mode=mode)
    res = ForceField([lj, LJExceptions(lj, ex, p14, scale14=0.5)], skin=0.1).compute(s, virial=True)
    e, f, w = 0.0, np.zeros_like(x), np.zeros((3, 3))
    for i in range(n):
        for j in range(i + 1, n):
            d = s.box.minimum_image(x[i] - x[j])
            r = np.linalg.norm(d)
            sc = 0.0 if j - i <= 2 else (0.5 if j - i == 3 else 1.0)
            if sc == 0.0 or (sc == 1.0 and r >= rc):
                continue
            ee, ss = math.sqrt(eps[types[i]] * eps[types[j]]), 0.5 * (sig[types[i]] + sig[types[j]])
            u = 4 * ee * ((ss / r) ** 12 - (ss / r) ** 6)
            if sc == 1.0 and mode == "shifted":
                u -= 4 * ee * ((ss / rc) ** 12 - (ss / rc) ** 6)
            g = 4 * ee * (12 * (ss / r) ** 12 - 6 * (ss / r) ** 6) / r**2
            e += sc * u
            f[i] += sc * g * d
            f[j] -= sc * g * d
            w += sc * g * np.outer(d, d)
    # tolerances relative to the LennardJones force alone: its excluded bonded pairs are removed again by the
    # exceptions, and that cancellation (not the method) sets the floor
    alone = ForceField(lj, skin=0.1).compute(s, virial=True)
    assert abs(res.energy - e) < 1e-12 * abs(alone.energy) + 1e-12
    assert np.max(np.abs(res.forces - f)) < 1e-11 * np.max(np.abs(alone.forces))
    assert np.max(np.abs(res.virial - w)) < 1e-11 * np.max(np.abs(alone.virial))


def test_lj_exceptions_errors():
    from molecular.forces.bonded import LJExceptions
    from molecular.forces.pair import LennardJones

    with pytest.raises(InputError, match="mode 'truncated' or 'shifted'"):
        LJExceptions(LennardJones(1.0, 0.3, cutoff=1.0, mode="switched", switch_distance=0.8), [[0, 1]])
    with pytest.raises(InputError, match="scale14"):
        LJExceptions(LennardJones(1.0, 0.3, cutoff=1.0), [[0, 1]], scale14=2.0)
