"""MDSimulation on the engine: bit-identical restarts, divergence guard, bad input, reporters, H5MD."""

import numpy as np
import pytest
from md_helpers import perturbed_fcc

from mindscience.errors import InputError, SimulationDiverged
from molecular import (
    Bussi,
    LangevinBAOAB,
    LangevinPiston,
    LennardJones,
    MDSimulation,
    MonteCarloBarostat,
    NoseHooverChain,
    System,
    VelocityVerlet,
    lattice,
)
from molecular.io import read_h5md
from molecular.reporters import H5MDReporter, ThermoReporter


def _make(kind, seed=1):
    s = lattice("fcc", 3, density=0.8).set_velocities(1.2, seed=seed, kB=1.0)
    integ = {"verlet": VelocityVerlet(kB=1.0),
             "langevin": LangevinBAOAB(1.0, 1.0, seed=3, kB=1.0),
             "nhc": NoseHooverChain(1.0, 0.2, kB=1.0),
             "bussi": Bussi(1.0, 0.1, seed=5, kB=1.0),
             "npt": LangevinBAOAB(1.0, 1.0, seed=3, kB=1.0),
             "piston": LangevinPiston(1.0, 1.0, 1.0, piston_period=1.0, seed=7, kB=1.0)}[kind]
    baro = MonteCarloBarostat(1.0, 1.0, frequency=10, seed=9, kB=1.0) if kind == "npt" else None
    return MDSimulation(s, LennardJones(cutoff=2.0, mode="shifted-force"), integ, dt=0.005, barostat=baro)


@pytest.mark.parametrize("kind", ["verlet", "langevin", "nhc", "bussi", "npt", "piston"])
def test_checkpoint_restart_is_bit_identical(kind, tmp_path):
    # reference: the uninterrupted run itself; a restart must reproduce it bit for bit
    sim = _make(kind)
    sim.run(steps=73, progress=False)  # mid-way between neighbour-list rebuilds
    sim.checkpoint(tmp_path / "chk.h5")
    sim.run(steps=157, progress=False)
    other = _make(kind, seed=99)  # a different start, overwritten by restore
    other.restore(tmp_path / "chk.h5")
    assert other.step_count == 73
    other.run(steps=157, progress=False)
    assert np.array_equal(other.system.positions, sim.system.positions)
    assert np.array_equal(other.system.velocities, sim.system.velocities)
    assert np.array_equal(other.system.box.h, sim.system.box.h)
    assert other.time == sim.time
    a, b = sim.state("conserved_energy"), other.state("conserved_energy")
    assert a == b


def test_large_time_step_raises_simulation_diverged():
    s = lattice("fcc", 3, density=0.8).set_velocities(1.0, seed=1, kB=1.0)
    sim = MDSimulation(s, LennardJones(cutoff=2.0), VelocityVerlet(kB=1.0), dt=0.2)
    with pytest.raises(SimulationDiverged) as info:
        sim.run(steps=500, progress=False)
    assert 1 <= info.value.step <= 500
    assert sim.status == "failed"


def test_overlapping_atoms_reported_with_indices():
    s = perturbed_fcc(3)
    s.positions[10] = s.positions[4] + [0.1, 0.0, 0.0]
    with pytest.raises(InputError, match="atoms 4 and 10"):
        MDSimulation(s, LennardJones(cutoff=2.0), VelocityVerlet(kB=1.0), dt=0.005)


def test_bad_input_messages():
    s = perturbed_fcc(2)
    with pytest.raises(InputError, match="cutoff=2.5"):
        MDSimulation(s, LennardJones(cutoff=2.5), VelocityVerlet(kB=1.0), dt=0.005)
    with pytest.raises(ValueError, match="dt"):
        MDSimulation(perturbed_fcc(3), LennardJones(cutoff=2.0), VelocityVerlet(), dt=-1.0)
    with pytest.raises(InputError, match="friction"):
        LangevinBAOAB(300.0, friction=0.0)
    with pytest.raises(InputError, match="temperature"):
        NoseHooverChain(-1.0, tau=0.1)
    with pytest.raises(InputError, match="positions"):
        System(np.zeros((3, 2)))
    with pytest.raises(InputError, match="masses"):
        System(np.zeros((2, 3)), masses=[1.0, -1.0])


def test_maxwell_boltzmann_velocities():
    # analytic: rescaled to exactly T with 3N - 3 degrees of freedom and zero total momentum
    s = lattice("fcc", 3, density=0.8, masses=np.linspace(1, 3, 108)).set_velocities(2.5, seed=4, kB=1.0)
    assert np.max(np.abs(s.momentum())) < 1e-12
    assert 2 * s.kinetic_energy() / (3 * 108 - 3) == pytest.approx(2.5, rel=1e-12)


def test_thermo_and_h5md_reporters(tmp_path):
    sim = _make("nhc")
    thermo = ThermoReporter(10, csv=tmp_path / "thermo.csv", h5=tmp_path / "thermo.h5")
    traj = H5MDReporter(tmp_path / "traj.h5", 25, velocities=True, forces=True)
    sim.run(steps=100, reporters=[thermo, traj], progress=False)
    rows = np.loadtxt(tmp_path / "thermo.csv", delimiter=",", skiprows=1)
    assert rows.shape == (11, 9)
    assert np.array_equal(rows[:, 0], np.arange(0, 101, 10))
    d = read_h5md(tmp_path / "traj.h5")
    assert d["positions"].shape == (5, 108, 3)
    assert np.array_equal(d["step"], [0, 25, 50, 75, 100])
    assert np.allclose(d["time"], d["step"] * 0.005, rtol=0, atol=1e-15)
    assert np.array_equal(d["positions"][-1], sim.system.positions)
    assert np.array_equal(d["velocities"][-1], sim.system.velocities)
    assert np.array_equal(d["box"][-1], sim.system.box.h)
    # the temperature at step 50 matches the thermo log's row for step 50
    assert d["observables"]["temperature"]["value"][2] == pytest.approx(rows[5, 6], rel=1e-9)


def test_h5md_layout_follows_h5md_1_1(tmp_path):
    import h5py

    sim = _make("verlet")
    sim.run(steps=10, reporters=[H5MDReporter(tmp_path / "t.h5", 5)], progress=False)
    with h5py.File(tmp_path / "t.h5", "r") as f:
        assert list(f["h5md"].attrs["version"]) == [1, 1]
        assert "name" in f["h5md/author"].attrs and "version" in f["h5md/creator"].attrs
        box = f["particles/all/box"]
        assert box.attrs["dimension"] == 3
        assert [b.decode() for b in box.attrs["boundary"]] == ["periodic"] * 3
        pos = f["particles/all/position"]
        assert pos["value"].attrs["unit"] == "nm" and pos["time"].attrs["unit"] == "ps"
        assert pos["value"].shape == (3, 108, 3) and pos["step"].shape == (3,)


def test_h5md_readable_by_mdanalysis(tmp_path):
    mda = pytest.importorskip("MDAnalysis")
    sim = _make("verlet")
    sim.run(steps=10, reporters=[H5MDReporter(tmp_path / "t.h5", 5)], progress=False)
    u = mda.Universe.empty(108)  # H5MD carries no topology
    u.load_new(str(tmp_path / "t.h5"), format="H5MD")
    d = read_h5md(tmp_path / "t.h5")
    for k, ts in enumerate(u.trajectory):
        assert np.allclose(ts.positions, d["positions"][k] * 10, atol=1e-4)  # MDAnalysis uses angstrom
        assert np.allclose(ts.dimensions[:3], np.diag(d["box"][k]) * 10, atol=1e-4)
        assert ts.time == pytest.approx(d["time"][k])


def test_observables_consistent():
    # reference: P = (2K + tr W) / (3V); total = kinetic + potential
    sim = _make("verlet")
    st = sim.state("pressure", "kinetic_energy", "potential_energy", "total_energy", "virial", "volume",
                   "pressure_tensor", "temperature")
    assert st["pressure"] == pytest.approx((2 * st["kinetic_energy"] + np.trace(st["virial"])) / (3 * st["volume"]))
    assert st["total_energy"] == pytest.approx(st["kinetic_energy"] + st["potential_energy"])
    assert np.trace(st["pressure_tensor"]) / 3 == pytest.approx(st["pressure"])
    assert st["temperature"] == pytest.approx(1.2, rel=1e-12)


def test_h5md_reporter_continues_file_across_runs(tmp_path):
    sim = _make("verlet")
    rep = H5MDReporter(tmp_path / "t.h5", 10)
    sim.run(steps=20, reporters=[rep], progress=False)
    sim.run(steps=20, reporters=[rep], progress=False)
    d = read_h5md(tmp_path / "t.h5")
    assert np.array_equal(d["step"], [0, 10, 20, 30, 40])  # step 20 once: the interval reporter skips repeats
    assert np.array_equal(d["positions"][-1], sim.system.positions)
