"""Simulation on the engine: checkpoint/restore, divergence guard, snapshots to HDF5, decay stop,
Bloch-periodic boundaries, and TE/TM decoupling in 2D."""

import numpy as np
import pytest
from scipy.constants import c

from electromagnetics.fdtd import (
    CPML,
    Bloch,
    DrudePole,
    FDTDSimulation,
    Grid,
    Material,
    ModulatedGaussian,
    Periodic,
    PointDipole,
    Probe,
    Ricker,
    Snapshots,
    Source,
    Sphere,
)
from electromagnetics.fdtd.postprocess import harmonic_inversion
from mindscience.errors import SimulationDiverged
from mindscience.io import load, read_metadata


def _sim():
    g = Grid((40, 30), spacing=1e-3, courant=0.68)  # Drude sphere: stable up to 0.688 (stability check)
    metal = Material(eps=1.0, poles=(DrudePole(2e11, 1e10),))
    return FDTDSimulation(g, geometry=[Sphere((0.025, 0.015), 0.005, metal)],
                          sources=[Source(PointDipole((0.01, 0.015)), Ricker(2e10), "Ez")],
                          boundaries=CPML(6))


def test_checkpoint_restore_is_bit_identical(tmp_path):
    sim = _sim()
    sim.run(steps=60, progress=False)
    sim.checkpoint(tmp_path / "chk.h5")
    sim.run(steps=70, progress=False)
    expected = [a.copy() for a in sim.fields.E + sim.fields.H]
    other = _sim()
    other.restore(tmp_path / "chk.h5")
    assert other.step_count == 60 and other.time == pytest.approx(60 * other.dt, rel=1e-15)
    other.run(steps=70, progress=False)
    for a, b in zip(expected, other.fields.E + other.fields.H):
        np.testing.assert_array_equal(a, b)
    assert np.abs(expected[2]).max() > 0  # fields are not trivially zero


def _sim_with_monitors():
    from electromagnetics.fdtd import DFTFields, EnergyMonitor, FluxMonitor

    g = Grid((40, 30), spacing=1e-3)
    freqs = [1.5e10, 2e10, 2.5e10]
    monitors = [DFTFields(["Ez"], freqs, lo=(0.02, 0.005), hi=(0.03, 0.025)),
                FluxMonitor("x", 0.03, freqs), Probe("Ez", (0.02, 0.01)), EnergyMonitor(5)]
    sim = FDTDSimulation(g, sources=[Source(PointDipole((0.01, 0.015)), Ricker(2e10), "Ez")],
                         boundaries=CPML(6), monitors=monitors)
    return sim, monitors


def test_monitor_accumulations_survive_checkpoint_restore(tmp_path):
    # Reference: one uninterrupted run; the DFT, flux, probe and energy records of a run restarted from a
    # checkpoint must equal it bit for bit (frequency-domain runs can be resumed).
    ref, ref_mon = _sim_with_monitors()
    ref.run(steps=130, progress=False)
    sim, _ = _sim_with_monitors()
    sim.run(steps=60, progress=False)
    sim.checkpoint(tmp_path / "chk.h5")
    other, mon = _sim_with_monitors()
    other.restore(tmp_path / "chk.h5")
    other.run(steps=70, progress=False)
    np.testing.assert_array_equal(mon[0].fields["Ez"], ref_mon[0].fields["Ez"])
    np.testing.assert_array_equal(mon[1].flux(), ref_mon[1].flux())
    np.testing.assert_array_equal(mon[1].power, ref_mon[1].power)
    np.testing.assert_array_equal(mon[2].values, ref_mon[2].values)
    np.testing.assert_array_equal(mon[3].energy, ref_mon[3].energy)
    assert mon[2].times.size == 131 and np.abs(mon[0].fields["Ez"]).max() > 0


def test_divergence_guard_names_field_and_step():
    sim = _sim()
    sim.guard_interval = 10
    sim.fields["Hy"][5, 5, 0] = np.inf
    with pytest.raises(SimulationDiverged, match=r"(Ez|Hy|Ex|Hx) became non-finite \(NaN or inf\) by step 10"):
        sim.run(steps=30, progress=False)
    assert sim.status == "failed"


def test_snapshots_written_to_hdf5(tmp_path):
    sim = _sim()
    path = tmp_path / "snap.h5"
    snaps = Snapshots(["Ez", "Hx"], interval=20, path=path)
    sim.run(steps=100, reporters=[snaps], progress=False)
    data = load(path)
    assert data["Ez"].shape == (6, 40, 30, 1) and data["Hx"].shape == (6, 40, 30, 1)
    np.testing.assert_array_equal(data["Ez"][-1], sim.fields["Ez"])
    np.testing.assert_allclose(data["time"], np.arange(0, 101, 20) * sim.dt, rtol=1e-12)
    meta = read_metadata(path)
    assert meta["parameters"]["grid"]["shape"] == [40, 30]


def test_until_decayed_stops_early():
    g = Grid((60, 60), spacing=1e-3)
    wf = ModulatedGaussian(2e10, 5e9)
    sim = FDTDSimulation(g, sources=[Source(PointDipole((0.03, 0.03)), wf, "Ez")], boundaries=CPML(8))
    cap = 50 * wf.end_time
    sim.run(until=cap, until_decayed=("Ez", (0.04, 0.03), 1e-4), progress=False)
    assert wf.end_time < sim.time < 0.5 * cap
    assert sim.status == "stopped"


def test_bloch_periodic_mode_follows_yee_dispersion():
    # exp(i k x) with k not commensurate with the box: only Bloch-periodic wrapping supports it;
    # its frequency must follow the 1D Yee relation sin(w dt/2) = (c dt/d) sin(k d/2)
    n, d = 32, 1e-3
    k = 0.37 * 2 * np.pi / (8 * d)
    g = Grid((n, 4), spacing=d, courant=0.5)
    sim = FDTDSimulation(g, boundaries={"x": Bloch(k), "y": Periodic()})
    assert np.iscomplexobj(sim.fields["Ez"])
    x = g.coords("Ez")[0]
    sim.fields["Ez"][:, :, 0] = np.exp(1j * k * x)[:, None]
    sim.fields["Hy"][:, :, 0] = 0
    probe = Probe("Ez", (0.011, 0.002))
    sim.run(steps=300, reporters=[probe], progress=False)
    res = harmonic_inversion(probe.values, sim.dt, fmin=0, rel_threshold=1e-9)
    f_num = max(res, key=lambda r: abs(r.amplitude)).frequency
    f_yee = 2 / sim.dt * np.arcsin(c * sim.dt / d * np.sin(k * d / 2)) / (2 * np.pi)
    assert abs(f_num - f_yee) / f_yee < 1e-6


def test_tm_source_leaves_te_fields_zero_in_2d():
    g = Grid((30, 30), spacing=1e-3)
    sim = FDTDSimulation(g, geometry=[Sphere((0.02, 0.015), 0.004, Material(eps=4))],
                         sources=[Source(PointDipole((0.01, 0.015)), Ricker(3e10), "Ez")], boundaries=CPML(5))
    sim.run(steps=80, progress=False)
    assert np.abs(sim.fields["Ez"]).max() > 0
    for comp in ("Ex", "Ey", "Hz"):
        assert np.abs(sim.fields[comp]).max() == 0.0


@pytest.mark.parametrize("m", [1, 3])
def test_pmc_cavity_mode_follows_yee_dispersion(m):
    # PMC walls at -d/2 and (n - 1/2) d hold Ez = cos(m pi (x + d/2)/L), L = n d; its frequency is
    # the 1D Yee relation sin(w dt/2) = (c dt/d) sin(k d/2), k = m pi/L
    from electromagnetics.fdtd import PMC

    n, d = 40, 1e-3
    g = Grid((n,), spacing=d, courant=0.5)
    sim = FDTDSimulation(g, boundaries=PMC())
    x = g.coords("Ez")[0]
    k = m * np.pi / (n * d)
    sim.fields["Ez"][:, 0, 0] = np.cos(k * (x + d / 2))
    probe = Probe("Ez", (0.0053,))
    sim.run(steps=400, reporters=[probe], progress=False)
    res = harmonic_inversion(probe.values, sim.dt, rel_threshold=1e-9)
    f_num = max(res, key=lambda r: abs(r.amplitude)).frequency
    f_yee = 2 / sim.dt * np.arcsin(c * sim.dt / d * np.sin(k * d / 2)) / (2 * np.pi)
    assert abs(f_num - f_yee) / f_yee < 1e-6


def test_one_sweep_step_only_when_nothing_runs_between_the_half_steps():
    # the one-sweep step (class docstring) must equal the two-sweep order bit for bit, and must give
    # way to it when something acts between the H and the E half (an H source, a PMC face)
    from electromagnetics.fdtd import PEC, PMC

    def make(hsource=False, pmc=False):
        g = Grid((10, 9, 8), spacing=1e-3)
        src = [Source(PointDipole((0.004, 0.005, 0.003)), Ricker(c / 6e-3), "Ez")]
        if hsource:
            src.append(Source(PointDipole((0.006, 0.004, 0.004)), Ricker(c / 6e-3), "Hy"))
        return FDTDSimulation(g, sources=src, boundaries={"x": Periodic(), "y": PEC(), "z": PMC() if pmc else PEC()})

    one, two = make(), make()
    assert one._one_sweep()
    two._lf_call = None
    for sim in (one, two):
        sim.run(steps=30, progress=False)
    assert np.abs(two.fields["Ez"]).max() > 0 and np.abs(two.fields["Hy"]).max() > 0
    for comp in ("Ex", "Ey", "Ez", "Hx", "Hy", "Hz"):
        np.testing.assert_array_equal(one.fields[comp], two.fields[comp])
    assert not make(hsource=True)._one_sweep()
    assert not make(pmc=True)._one_sweep()
