"""autodiff_derivatives.py: k-th derivatives (k = 1..6) of a scalar composite function on 10^5 points.

f(x) = sin(x) exp(-x^2/3) + tanh(x). Ours: one Taylor pass (``derivative(f, order=6, all_orders=True)``)
and per-order Taylor passes. Peers, measured side by side: jax ``jet`` (all six orders, jit) and nested
``grad`` (jit, vmap); torch nested autograd; HIPS autograd nested ``elementwise_grad``.
Run: ``.venv/bin/python benchmarks/autodiff_derivatives.py``. Prints the figure (all six orders) last.
"""

import autodiff_common as C  # noqa: I001 - pins threads before numpy loads

import numpy as onp

import autodiff as ad
import autodiff.numpy as anp

N = 100_000
K = 6
x = onp.linspace(-3.0, 3.0, N)


def f(z):
    return anp.sin(z) * anp.exp(-z ** 2 / 3) + anp.tanh(z)


d_all = ad.derivative(f, order=K, all_orders=True)

# correctness of what is timed (reference: sympy, exact)
import sympy as sp  # noqa: E402

t = sp.symbols("t")
expr = sp.sin(t) * sp.exp(-t ** 2 / 3) + sp.tanh(t)
xs = x[:: N // 7]
exact6 = onp.array([float(sp.diff(expr, t, K).subs(t, float(v))) for v in xs])
assert onp.allclose(d_all(x)[K][:: N // 7], exact6, rtol=1e-9, atol=1e-9)

fns = {"ours: Taylor, all 6 orders": lambda: d_all(x),
       "ours: Taylor, 6th order only": lambda: ad.derivative(f, order=K)(x)}

jax = C.try_import("jax")
fns["jax jet (jit), all 6 orders"] = None
if jax is not None:
    import jax.numpy as jnp
    from jax.experimental.jet import jet

    fj = lambda z: jnp.sin(z) * jnp.exp(-z ** 2 / 3) + jnp.tanh(z)  # noqa: E731
    xj = jnp.asarray(x)
    series = [jnp.ones_like(xj)] + [jnp.zeros_like(xj)] * (K - 1)
    jet_fn = jax.jit(lambda z: jet(fj, (z,), (series,)))
    fns["jax jet (jit), all 6 orders"] = lambda: jet_fn(xj)[1][K - 1].block_until_ready()
    g = fj
    for _ in range(K):
        g = jax.grad(g)
    g6 = jax.jit(jax.vmap(g))
    fns["jax nested grad (jit+vmap), 6th"] = lambda: g6(xj).block_until_ready()

torch = C.try_import("torch")
fns["torch nested autograd, 6th"] = None
if torch is not None:
    def torch_nested():
        xt = torch.tensor(x, requires_grad=True)
        y = torch.sin(xt) * torch.exp(-xt ** 2 / 3) + torch.tanh(xt)
        for _ in range(K):
            (y,) = torch.autograd.grad(y.sum(), xt, create_graph=True)
        return y

    fns["torch nested autograd, 6th"] = torch_nested

autograd = C.try_import("autograd")
fns["autograd nested elementwise_grad, 6th"] = None
if autograd is not None:
    import autograd.numpy as agnp

    fa = lambda z: agnp.sin(z) * agnp.exp(-z ** 2 / 3) + agnp.tanh(z)  # noqa: E731
    ga = fa
    for _ in range(K):
        ga = autograd.elementwise_grad(ga)
    fns["autograd nested elementwise_grad, 6th"] = lambda: ga(x)

rows = C.interleaved_ms(fns, repeat=9)
per_k = C.interleaved_ms({k: (lambda k=k: ad.derivative(f, order=k)(x)) for k in range(1, 9)}, repeat=7)
print("per-order Taylor passes (ours, order k only), ms: " + ", ".join(f"k={k}: {v:.2f}" for k, v in per_k.items()))
C.print_table(f"k-th derivatives of sin(x) exp(-x^2/3) + tanh(x) on {N} points (float64, 1 thread, median of "
              "interleaved rounds)", rows, "ours: Taylor, all 6 orders")
ours = rows["ours: Taylor, all 6 orders"]
msg = f"FIGURE all six derivative orders on 1e5 points: {ours:.2f} ms"
if rows.get("jax jet (jit), all 6 orders"):
    msg += f"; ratio to jax jet {ours / rows['jax jet (jit), all 6 orders']:.2f}x (target <= 1.5x)"
if rows.get("autograd nested elementwise_grad, 6th"):
    speedup = rows["autograd nested elementwise_grad, 6th"] / ours
    msg += f"; speed-up over autograd nested {speedup:.1f}x (target >= 10x)"
print(msg)
