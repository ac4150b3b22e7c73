"""SchNet message-passing potential: convolution kernels and their derivatives, forces, virial,
invariances, save/load, the Force, and energy + force training on md-lj-forces."""

import numpy as np
import pytest

from autodiff.testing import check_grads
from mindscience.errors import InputError
from molecular import ForceField, MDSimulation, VelocityVerlet, lattice
from molecular.forces import _schnet_kernels as K
from molecular.forces.neural import pair_graph
from molecular.forces.schnet import SchNet, SchNetPotential, cfconv, force_rmse, predict, train_schnet
from molecular.system import Box

FD_STEP = 1e-5
FD_TOL = 1e-6  # central differences of a smooth O(1) energy at h = 1e-5: error ~ h^2 E''' + eps/h ~ 1e-9


def _config(rng, n=20, box=3.2, n_types=2):
    """A random, non-overlapping periodic configuration (cubic box) with two elements."""
    x = rng.uniform(0.0, box, size=(n, 3))
    for _ in range(200):
        d = x[:, None] - x[None]
        d -= box * np.round(d / box)
        r = np.sqrt((d**2).sum(-1)) + np.eye(n) * 10
        if r.min() > 0.8:
            break
        i, _ = np.unravel_index(np.argmin(r), r.shape)
        x[i] = rng.uniform(0.0, box, size=3)
    return x, box, rng.integers(0, n_types, size=n)


def _model(seed=3, n_elements=2, cutoff=1.5):
    m = SchNet(cutoff, n_features=8, n_rbf=6, n_interactions=2, n_elements=n_elements, seed=seed)
    m.params["bias"] = np.array([0.3, -0.2])[:n_elements]
    return m


def test_conv_kernels_match_numpy(rng):
    # reference: np.add.at scatter of the gathered products
    n, p, f = 7, 40, 3
    x, w = rng.standard_normal((n, f)), rng.standard_normal((p, f))
    src, dst = rng.integers(0, n, p), rng.integers(0, n, p)
    order = np.argsort(dst, kind="stable")
    start = np.concatenate([[0], np.cumsum(np.bincount(dst, minlength=n))])
    ref = np.zeros((n, f))
    np.add.at(ref, dst, w * x[src])
    np.testing.assert_allclose(K.conv(x, w, src, order, start), ref, rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(K.gather_product(x, x, src, dst), x[src] * x[dst], rtol=1e-15)


def test_cfconv_derivatives_check_grads(rng):
    # reference: autodiff.testing.check_grads (central differences), both modes, second order (the transposes
    # are the kernels themselves, so differentiating them again must be exact too)
    x, box, types = _config(rng, n=10, box=2.6)
    graph, _ = pair_graph(x, np.full(3, box), 1.3, types)
    feats = rng.standard_normal((10, 3))
    filt = rng.standard_normal((graph.center.size, 3))
    check_grads(lambda a, b: cfconv(a * a, b, graph), (feats, filt), order=2, modes=("fwd", "rev"))


def test_forces_are_minus_finite_difference_gradient(rng):
    # reference: central differences of the energy, one coordinate at a time
    x, box, types = _config(rng)
    m = _model()
    _, f, _ = m.energy_forces_virial(x, np.full(3, box), types)
    for i, c in [(0, 0), (3, 1), (7, 2), (11, 0), (19, 2)]:
        xp, xm = x.copy(), x.copy()
        xp[i, c] += FD_STEP
        xm[i, c] -= FD_STEP
        fd = (m.energy_forces_virial(xp, np.full(3, box), types)[0]
              - m.energy_forces_virial(xm, np.full(3, box), types)[0]) / (2 * FD_STEP)
        assert abs(f[i, c] + fd) < FD_TOL * max(1.0, abs(fd)), (i, c, f[i, c], -fd)
    np.testing.assert_allclose(f.sum(axis=0), 0.0, atol=1e-12)  # translation invariance: no net force


def test_virial_is_minus_strain_derivative(rng):
    # reference: W_ab = -dE/d(eps_ab) under x -> x (1 + eps), h -> h (1 + eps) (central differences)
    x, box, types = _config(rng)
    m = _model()
    h0 = np.eye(3) * box
    _, _, w = m.energy_forces_virial(x, Box(h0), types)
    step = 1e-6
    for a, b in [(0, 0), (1, 1), (2, 2), (1, 0), (2, 0), (2, 1)]:
        eps = np.zeros((3, 3))
        eps[a, b] = step
        ep = m.energy_forces_virial(x @ (np.eye(3) + eps), Box(h0 @ (np.eye(3) + eps)), types)[0]
        em = m.energy_forces_virial(x @ (np.eye(3) - eps), Box(h0 @ (np.eye(3) - eps)), types)[0]
        assert abs(w[a, b] + (ep - em) / (2 * step)) < 1e-5 * max(1.0, abs(w[a, b])), (a, b)
    np.testing.assert_allclose(w, w.T, atol=1e-10)  # rotation invariance makes W symmetric


def test_energy_is_rotation_translation_permutation_invariant(rng):
    # reference: the energy and forces of the unmoved configuration
    m = _model()
    x, box, types = _config(rng)
    e0, f0, _ = m.energy_forces_virial(x, np.full(3, box), types)
    e_t = m.energy_forces_virial(x + np.array([0.37, -1.2, 2.9]), np.full(3, box), types)[0]
    perm = rng.permutation(x.shape[0])
    e_p, f_p, _ = m.energy_forces_virial(x[perm], np.full(3, box), types[perm])
    np.testing.assert_allclose([e_t, e_p], e0, rtol=1e-12)
    np.testing.assert_allclose(f_p, f0[perm], atol=1e-12)
    cluster = x[np.linalg.norm(x - x.mean(0), axis=1) < 1.5]
    tc = types[: cluster.shape[0]]
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    e_c, f_c, _ = m.energy_forces_virial(cluster, None, tc)
    e_r, f_r, _ = m.energy_forces_virial(cluster @ q.T + 5.0, None, tc)
    np.testing.assert_allclose(e_r, e_c, rtol=1e-12)
    np.testing.assert_allclose(f_r, f_c @ q.T, atol=1e-11)


def test_energy_is_smooth_at_the_cutoff():
    # reference: the cosine cutoff, f_c(r_c) = f_c'(r_c) = 0: a dimer's energy and force go continuously to
    # the isolated-atom values (two embeddings, no interaction) as r -> r_c
    m = _model(n_elements=1)
    rc = m.cutoff
    e_far = m.energy_forces_virial(np.array([[0.0, 0, 0], [rc + 0.1, 0, 0]]), None)[0]
    e_near, f_near, _ = m.energy_forces_virial(np.array([[0.0, 0, 0], [rc - 1e-4, 0, 0]]), None)
    assert abs(e_near - e_far) < 1e-7
    assert np.abs(f_near).max() < 1e-3


def test_save_load_round_trip(rng, tmp_path):
    m = _model(seed=7)
    m.state["scale"] = np.array([2.5])
    x, box, types = _config(rng)
    m.save(tmp_path / "schnet.h5")
    m2 = SchNet.load(tmp_path / "schnet.h5")
    assert m2.hyperparameters() == m.hyperparameters()
    # reference: the saved model's own energy, bit for bit
    assert m2.energy_forces_virial(x, np.full(3, box), types)[0] == m.energy_forces_virial(x, np.full(3, box),
                                                                                           types)[0]
    assert SchNet(**m.hyperparameters()).energy_forces_virial(x, np.full(3, box), types)[0] != \
        m.energy_forces_virial(x, np.full(3, box), types)[0]


def test_force_matches_model_and_conserves_energy(rng):
    # reference: the model's own energy/forces/virial evaluated outside the force field; then the energy
    # of a short velocity-Verlet run (smooth potential, small time step: relative drift << 1e-3)
    m = _model(n_elements=1)
    system = lattice("fcc", 2, density=0.8).set_velocities(0.5, seed=1, kB=1.0)
    system.positions = system.positions + 0.03 * rng.standard_normal(system.positions.shape)
    ff = ForceField([SchNetPotential(m)], skin=0.3)
    res = ff.compute(system, virial=True)
    e, f, w = m.energy_forces_virial(system.positions, system.box)
    assert abs(res.energy - e) < 1e-10
    np.testing.assert_allclose(res.forces, f, atol=1e-10)
    np.testing.assert_allclose(res.virial, w, atol=1e-10)
    e0 = res.energy + system.kinetic_energy()
    MDSimulation(system, ff, VelocityVerlet(), dt=0.002).run(steps=20, progress=False)
    assert abs(ff.compute(system).energy + system.kinetic_energy() - e0) < 1e-3 * max(1.0, abs(e0))


def test_training_path_matches_force_path(rng):
    # reference: energy_forces_virial per configuration; predict() on a concatenated batch must agree
    from molecular.forces.neural import batch_graph

    m = _model()
    x1, box, types = _config(rng)
    x2 = (x1 + 0.1 * rng.standard_normal(x1.shape)) % box
    graph, d = batch_graph(np.stack([x1, x2]), np.full((2, 3), box), m.cutoff, types)
    energies, forces = predict(m, m.params, graph, d)
    for k, x in enumerate([x1, x2]):
        e, f, _ = m.energy_forces_virial(x, np.full(3, box), types)
        assert abs(energies[k] - e) < 1e-10 * max(1.0, abs(e))
        np.testing.assert_allclose(forces[k * 20:(k + 1) * 20], f, atol=1e-10)


def test_bad_input_is_named():
    with pytest.raises(InputError, match="n_interactions"):
        SchNet(1.5, n_interactions=0)
    with pytest.raises(InputError, match="activation"):
        SchNet(1.5, activation=np.tanh)
    with pytest.raises(InputError, match="SchNet"):
        SchNetPotential(object())
    with pytest.raises(InputError, match="atom types"):
        _model(n_elements=1).energy_forces_virial(np.array([[0.0, 0, 0], [1.0, 0, 0]]), None, [0, 1])
    with pytest.raises(InputError, match="batch_size"):
        train_schnet(_model(n_elements=1), {"positions": np.zeros((2, 3, 3)), "forces": np.zeros((2, 3, 3)),
                                           "energy": np.zeros(2), "box": np.full((2, 3), 4.0)}, batch_size=3)


SMALL = {"n_atoms": 32, "cutoff": 1.5, "equilibration_steps": 60, "density_max": 0.8}


def test_training_on_md_lj_forces_reduces_force_error(tmp_path, monkeypatch):
    # reference: the LJ labels of md-lj-forces; held-out configurations judge the fit
    import datasets

    monkeypatch.setenv("MINDSCIENCE_DATA", str(tmp_path))
    datasets.generate("md-lj-forces", n=12, seed=1, params=SMALL, workers=1, progress=False)
    data = datasets.load("md-lj-forces", n=12, seed=1, params=SMALL).arrays()
    train = {k: v[:8] for k, v in data.items()}
    test = {k: v[8:] for k, v in data.items()}
    m = SchNet(1.5, n_features=16, n_rbf=12, n_interactions=2, seed=0)
    out = train_schnet(m, train, steps=120, lr=1e-2, batch_size=4)
    untrained = SchNet(**m.hyperparameters())
    untrained.state = m.state
    untrained.params["bias"] = m.params["bias"]  # same energy scale and per-atom bias, untrained weights
    before, after = force_rmse(untrained, test), force_rmse(m, test)
    rms = float(np.sqrt(np.mean(test["forces"] ** 2)))
    assert after < 0.4 * before and after < 0.4 * rms, (before, after, rms)
    assert np.mean(out["loss"][-10:]) < 0.2 * np.mean(out["loss"][:10])
