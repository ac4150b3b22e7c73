"""numba kernels as differentiable primitives: a Lennard-Jones pair-energy kernel differentiated with
respect to positions and parameters, to second order (references: central differences, analytic
dE/d(epsilon) = E / epsilon, and a pure autodiff.numpy implementation)."""

import numpy as onp
from numba import njit

import autodiff as ad
import autodiff.numpy as anp
from autodiff.kernels import register_kernel
from autodiff.testing import check_grads

# LJ has large third derivatives: a smaller central-difference step keeps the O(eps^2) error below tolerance
FD_EPS = 1e-5


@njit(cache=True)
def _lj_energy_kernel(pos, eps, sig):
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            r2 = 0.0
            for d in range(3):
                dx = pos[i, d] - pos[j, d]
                r2 += dx * dx
            s6 = (sig[0] * sig[0] / r2) ** 3
            e += 4.0 * eps[0] * (s6 * s6 - s6)
    return onp.array(e)


@njit(cache=True)
def _lj_grads_kernel(pos, eps, sig):
    """Gradient of the energy w.r.t. positions (N, 3), epsilon (1,) and sigma (1,), packed in one row-major
    array of length 3N + 2."""
    n = pos.shape[0]
    out = onp.zeros(3 * n + 2)
    for i in range(n):
        for j in range(i + 1, n):
            r2 = 0.0
            for d in range(3):
                dx = pos[i, d] - pos[j, d]
                r2 += dx * dx
            s6 = (sig[0] * sig[0] / r2) ** 3
            de_dr2 = 4.0 * eps[0] * (-6.0 * s6 * s6 + 3.0 * s6) / r2
            for d in range(3):
                dx = pos[i, d] - pos[j, d]
                out[3 * i + d] += 2.0 * de_dr2 * dx
                out[3 * j + d] -= 2.0 * de_dr2 * dx
            out[3 * n] += 4.0 * (s6 * s6 - s6)
            out[3 * n + 1] += 4.0 * eps[0] * (12.0 * s6 * s6 - 6.0 * s6) / sig[0]
    return out


def lj_energy_numpy(pos, eps, sig):
    """The same energy in autodiff.numpy: the reference implementation and the second-order rule."""
    n = pos.shape[0]
    i, j = onp.triu_indices(n, 1)
    d = pos[i] - pos[j]
    r2 = anp.sum(d * d, axis=1)
    s6 = (sig[0] ** 2 / r2) ** 3
    return anp.sum(4.0 * eps[0] * (s6 * s6 - s6))


# the gradient kernel is itself a primitive; its derivative rules are autodiff.numpy expressions, so the
# energy can be differentiated twice
lj_grads = register_kernel(
    "test_lj_grads", _lj_grads_kernel,
    vjp=lambda g, ans, pos, eps, sig: ad.vjp(_packed_grad_numpy, pos, eps, sig)[1](g),
    jvp=lambda primals, tangents: ad.jvp(_packed_grad_numpy, primals, tangents)[1],
)


def _packed_grad_numpy(pos, eps, sig):
    gp, ge, gs = ad.grad(lj_energy_numpy, argnums=(0, 1, 2))(pos, eps, sig)
    return anp.concatenate([anp.ravel(gp), ge, gs])


def _energy_vjp(g, ans, pos, eps, sig):
    packed = lj_grads(pos, eps, sig)
    n3 = pos.shape[0] * 3
    return (g * anp.reshape(packed[:n3], pos.shape), g * packed[n3:n3 + 1], g * packed[n3 + 1:])


def _energy_jvp(primals, tangents):
    pos, eps, sig = primals
    tp, te, ts = tangents
    packed = lj_grads(pos, eps, sig)
    n3 = pos.shape[0] * 3
    return anp.sum(packed[:n3] * anp.ravel(tp)) + packed[n3] * te[0] + packed[n3 + 1] * ts[0]


lj_energy = register_kernel("test_lj_energy", _lj_energy_kernel, vjp=_energy_vjp, jvp=_energy_jvp,
                            taylor=lj_energy_numpy)


def _config(rng):
    base = onp.array([[0.0, 0.0, 0.0], [1.1, 0.0, 0.0], [0.0, 1.2, 0.0], [0.3, 0.4, 1.1]])
    return base + 0.05 * rng.standard_normal(base.shape), onp.array([0.9]), onp.array([0.95])


def test_kernel_value_matches_numpy_reference(rng):
    pos, eps, sig = _config(rng)
    assert abs(float(lj_energy(pos, eps, sig)) - float(lj_energy_numpy(pos, eps, sig))) < 1e-12


def test_kernel_gradient_positions_and_parameters(rng):
    pos, eps, sig = _config(rng)
    gp, ge, gs = ad.grad(lj_energy, argnums=(0, 1, 2))(pos, eps, sig)
    # analytic: E is linear in epsilon
    onp.testing.assert_allclose(ge, float(lj_energy(pos, eps, sig)) / eps, rtol=1e-12)
    # Newton's third law: forces sum to zero
    onp.testing.assert_allclose(gp.sum(axis=0), 0.0, atol=1e-10)
    # central differences in every mode, to second order (the rules of the gradient kernel are autodiff.numpy)
    check_grads(lj_energy, (pos, eps, sig), order=2, modes=("fwd", "rev"), eps=FD_EPS)


def test_kernel_hessian_matches_numpy_implementation(rng):
    pos, eps, sig = _config(rng)
    H = ad.hessian(lambda p: lj_energy(anp.reshape(p, (4, 3)), eps, sig))(pos.ravel())
    H_ref = ad.hessian(lambda p: lj_energy_numpy(anp.reshape(p, (4, 3)), eps, sig))(pos.ravel())
    onp.testing.assert_allclose(H, H_ref, rtol=1e-10, atol=1e-10)
    # mixed d2E / (d positions d sigma), forward over reverse vs the numpy path
    m = ad.jacfwd(lambda s: ad.grad(lj_energy)(pos, eps, s))(sig)
    m_ref = ad.jacfwd(lambda s: ad.grad(lj_energy_numpy)(pos, eps, s))(sig)
    onp.testing.assert_allclose(m, m_ref, rtol=1e-10, atol=1e-10)


def test_kernel_in_taylor_mode(rng):
    pos, eps, sig = _config(rng)
    v = rng.standard_normal(pos.shape)
    _, (d1, d2) = ad.jet(lambda p: lj_energy(p, eps, sig), (pos,), ([v, onp.zeros_like(v)],))
    g = ad.grad(lj_energy_numpy)(pos, eps, sig)
    assert abs(float(d1) - float(onp.sum(g * v))) < 1e-10
