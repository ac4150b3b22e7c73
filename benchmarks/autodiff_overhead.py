"""autodiff_overhead.py: per-operation overhead of a chain of 1000 small operations under grad.

f(x) = x_1000 with x_{i+1} = sin(x_i) * 0.5 + x_i on a 3-vector (3000 primitive applications, tiny arrays),
summed; the time of grad(f) divided by 3000. Peers side by side: HIPS autograd (the target: within 1.5x),
torch eager, jax without jit.
Run: ``.venv/bin/python benchmarks/autodiff_overhead.py``.
"""

import autodiff_common as C  # noqa: I001 - pins threads before numpy loads

import numpy as onp

import autodiff as ad
import autodiff.numpy as anp

N_OPS = 1000
OPS_PER_STEP = 3
x0 = onp.array([0.1, 0.2, 0.3])


def chain(m):
    def f(x):
        for _ in range(N_OPS):
            x = m.sin(x) * 0.5 + x
        return m.sum(x)

    return f


g = ad.grad(chain(anp))
fns = {"ours: grad": lambda: g(x0), "autograd: grad": None, "torch eager: autograd.grad": None,
       "jax grad (no jit)": None}
autograd = C.try_import("autograd")
if autograd is not None:
    import autograd.numpy as agnp

    ga = autograd.grad(chain(agnp))
    onp.testing.assert_allclose(g(x0), ga(x0), rtol=1e-12)  # reference: autograd
    fns["autograd: grad"] = lambda: ga(x0)
torch = C.try_import("torch")
if torch is not None:
    ft = chain(torch)

    def torch_grad():
        xt = torch.tensor(x0, requires_grad=True)
        return torch.autograd.grad(ft(xt), xt)[0]

    fns["torch eager: autograd.grad"] = torch_grad
jax = C.try_import("jax")
if jax is not None:
    import jax.numpy as jnp

    gj = jax.grad(chain(jnp))
    xj = jnp.asarray(x0)
    fns["jax grad (no jit)"] = lambda: gj(xj).block_until_ready()

ms = C.interleaved_ms(fns, repeat=7)
per_op = {k: (None if v is None else v * 1e3 / (N_OPS * OPS_PER_STEP)) for k, v in ms.items()}
print("\nper-operation time under grad (us per primitive, forward + backward; float64, 1 thread, median of "
      "interleaved rounds)")
ours = per_op["ours: grad"]
for k, v in per_op.items():
    print(f"  {k:<28} " + ("skipped (not installed)" if v is None else f"{v:8.2f} us   ours/this = {ours / v:5.2f}x"))
msg = f"FIGURE per-op overhead under grad: {ours:.2f} us"
if per_op["autograd: grad"]:
    msg += f"; ratio to autograd {ours / per_op['autograd: grad']:.2f}x (target <= 1.5x)"
print(msg)
