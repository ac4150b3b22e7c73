"""Hessians: extended Rosenbrock against its analytic Hessian; a small MLP against central differences
of its gradient."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp

FD_EPS = 1e-5
FD_TOL = 1e-7


def rosenbrock(x):
    """Extended Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2."""
    return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    """Analytic Hessian (tridiagonal)."""
    n = x.size
    H = onp.zeros((n, n))
    i = onp.arange(n - 1)
    H[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    H[i + 1, i + 1] += 200
    H[i, i + 1] = H[i + 1, i] = -400 * x[:-1]
    return H


@pytest.mark.parametrize("n", [2, 7, 20])
@pytest.mark.parametrize("how", ["hessian", "jacrev_jacfwd", "jacrev_jacrev"])
def test_rosenbrock_hessian_analytic(n, how, rng):
    x = rng.uniform(-1.5, 1.5, size=n)
    if how == "hessian":
        H = ad.hessian(rosenbrock)(x)
    elif how == "jacrev_jacfwd":
        H = ad.jacrev(ad.jacfwd(rosenbrock))(x)
    else:
        H = ad.jacrev(ad.jacrev(rosenbrock))(x)
    onp.testing.assert_allclose(H, rosenbrock_hessian(x), rtol=1e-12, atol=1e-10)


def _mlp_loss(params, x):
    W1, b1, W2, b2 = params
    h = anp.tanh(x @ W1 + b1)
    return anp.mean((h @ W2 + b2) ** 2)


def test_mlp_hessian_matches_central_differences_of_gradient(rng):
    x = rng.standard_normal((5, 2))
    params = [rng.standard_normal((2, 4)) * 0.5, rng.standard_normal(4) * 0.1, rng.standard_normal((4, 1)) * 0.5,
              rng.standard_normal(1) * 0.1]
    flat, unravel = ad.ravel_pytree(params)

    def f(p):
        return _mlp_loss(unravel(p), x)

    H = ad.hessian(f)(flat)
    g = ad.grad(f)
    n = flat.size
    H_fd = onp.zeros((n, n))
    for i in range(n):
        e = onp.zeros(n)
        e[i] = FD_EPS
        H_fd[:, i] = (g(flat + e) - g(flat - e)) / (2 * FD_EPS)
    onp.testing.assert_allclose(H, H_fd, rtol=1e-6, atol=FD_TOL)
    onp.testing.assert_allclose(H, H.T, atol=1e-13)
