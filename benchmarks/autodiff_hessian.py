"""autodiff_hessian.py: dense Hessian of the extended Rosenbrock function, n = 200 and n = 1000.

Ours: ``hessian(f)`` (forward-over-reverse). Peers side by side: jax ``hessian`` (jit), torch
``autograd.functional.hessian(vectorize=True)``, HIPS autograd ``hessian``.
Run: ``.venv/bin/python benchmarks/autodiff_hessian.py``. Prints the n = 1000 figure last.
"""

import autodiff_common as C  # noqa: I001 - pins threads before numpy loads

import numpy as onp

import autodiff as ad
import autodiff.numpy as anp


def rosen(x):
    return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosen_hessian_exact(x):
    n = x.size
    H = onp.zeros((n, n))
    i = onp.arange(n - 1)
    H[i, i] += 1200 * x[:-1] ** 2 - 400 * x[1:] + 2
    H[i + 1, i + 1] += 200
    H[i, i + 1] = H[i + 1, i] = -400 * x[:-1]
    return H


jax = C.try_import("jax")
torch = C.try_import("torch")
autograd = C.try_import("autograd")


def bench(n):
    x = onp.random.default_rng(0).uniform(-1, 1, n)
    hess = ad.hessian(rosen)
    assert onp.allclose(hess(x), rosen_hessian_exact(x), rtol=1e-12, atol=1e-9)  # analytic reference
    fns = {"ours: hessian (fwd-over-rev)": lambda: hess(x), "jax hessian (jit)": None,
           "torch hessian (vectorize=True)": None, "autograd hessian": None}
    if jax is not None:
        import jax.numpy as jnp

        fj = lambda z: jnp.sum(100.0 * (z[1:] - z[:-1] ** 2) ** 2 + (1.0 - z[:-1]) ** 2)  # noqa: E731
        hj = jax.jit(jax.hessian(fj))
        xj = jnp.asarray(x)
        fns["jax hessian (jit)"] = lambda: hj(xj).block_until_ready()
    if torch is not None:
        ft = lambda z: torch.sum(100.0 * (z[1:] - z[:-1] ** 2) ** 2 + (1.0 - z[:-1]) ** 2)  # noqa: E731
        xt = torch.tensor(x)
        fns["torch hessian (vectorize=True)"] = lambda: torch.autograd.functional.hessian(ft, xt, vectorize=True)
    if autograd is not None:
        import autograd.numpy as agnp

        fa = lambda z: agnp.sum(100.0 * (z[1:] - z[:-1] ** 2) ** 2 + (1.0 - z[:-1]) ** 2)  # noqa: E731
        ha = autograd.hessian(fa)
        fns["autograd hessian"] = lambda: ha(x)
    rows = C.interleaved_ms(fns, repeat=7, warmup=1)
    C.print_table(f"dense Hessian of extended Rosenbrock, n = {n} (float64, 1 thread, median of interleaved rounds)",
                  rows,
                  "ours: hessian (fwd-over-rev)")
    return rows


results = {n: bench(n) for n in (200, 1000)}
r = results[1000]
msg = f"FIGURE dense Hessian n = 1000: {r['ours: hessian (fwd-over-rev)']:.2f} ms"
if r["torch hessian (vectorize=True)"]:
    ratio = r["ours: hessian (fwd-over-rev)"] / r["torch hessian (vectorize=True)"]
    msg += f"; ratio to torch vectorized {ratio:.2f}x (target <= 1.0x)"
print(msg)
