"""autodiff_pinn.py: PINN-style training step of a 2->64->64->64->1 tanh MLP on 4096 points.

One step = value u(x), input Laplacian (u_xx + u_yy), the loss mean((lap u - f)^2) + mean(u^2) and its
gradient with respect to all parameters, then an Adam update. Ours computes the Laplacian in one forward
pass (``ad.laplacian``: the forward Laplacian of ``autodiff.fwdlap``, value, gradient and pure second
derivative rows of both coordinate directions propagated together, the primal shared) under reverse
mode for the parameters. Peers side by side: torch eager (double backward), jax (jit and no jit; forward-over-reverse
Laplacian), HIPS autograd (nested elementwise_grad).
Run: ``.venv/bin/python benchmarks/autodiff_pinn.py``. Prints the figure last.
"""

import autodiff_common as C  # noqa: I001 - pins threads before numpy loads

import numpy as onp

import autodiff as ad
import autodiff.numpy as anp

N_PTS = 4096
WIDTHS = [2, 64, 64, 64, 1]
LR = 1e-3
rng = onp.random.default_rng(0)
X = rng.uniform(-1, 1, (N_PTS, 2))
F = onp.sin(onp.pi * X[:, 0]) * onp.sin(onp.pi * X[:, 1])
P0 = []
for a, b in zip(WIDTHS[:-1], WIDTHS[1:]):
    P0 += [rng.standard_normal((a, b)) / onp.sqrt(a), onp.zeros(b)]


def mlp(params, x, m):
    h = x
    for i in range(0, len(params) - 2, 2):
        h = m.tanh(h @ params[i] + params[i + 1])
    return (h @ params[-2] + params[-1])[:, 0]


def loss_ours(params):
    # ad.laplacian: both coordinate directions in one forward-Laplacian pass (primal shared)
    u, lap = ad.laplacian(lambda z: mlp(params, z, anp), return_value=True)(X)
    return anp.mean((lap - F) ** 2) + anp.mean(u ** 2)


class Adam:
    def __init__(self, params, xp):
        self.m = [xp.zeros_like(p) for p in params]
        self.v = [xp.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads, b1=0.9, b2=0.999, eps=1e-8):
        self.t += 1
        out = []
        for i, (p, g) in enumerate(zip(params, grads)):
            self.m[i] = b1 * self.m[i] + (1 - b1) * g
            self.v[i] = b2 * self.v[i] + (1 - b2) * g * g
            mh = self.m[i] / (1 - b1 ** self.t)
            vh = self.v[i] / (1 - b2 ** self.t)
            out.append(p - LR * mh / (vh ** 0.5 + eps))
        return out


vg = ad.value_and_grad(loss_ours)


def make_step(vg_fn, params, xp):
    state = {"p": list(params), "opt": Adam(params, xp)}

    def step():
        val, g = vg_fn(state["p"])
        state["p"] = state["opt"].step(state["p"], g)
        return val

    return step


fns = {"ours: forward Laplacian + reverse": None, "torch eager (double backward)": None, "jax jit": None,
       "jax no jit": None, "autograd (nested elementwise_grad)": None}
val0, g0 = vg(P0)
fns["ours: forward Laplacian + reverse"] = make_step(vg, P0, onp)

torch = C.try_import("torch")
if torch is not None:
    Xt = torch.tensor(X)
    Ft = torch.tensor(F)

    def loss_torch(params):
        x = Xt.clone().requires_grad_(True)
        u = mlp(params, x, torch)
        (gu,) = torch.autograd.grad(u.sum(), x, create_graph=True)
        lap = 0.0
        for d in range(2):
            (gg,) = torch.autograd.grad(gu[:, d].sum(), x, create_graph=True)
            lap = lap + gg[:, d]
        return torch.mean((lap - Ft) ** 2) + torch.mean(u ** 2)

    def vg_torch(params):
        ps = [p.detach().requires_grad_(True) for p in params]
        val = loss_torch(ps)
        grads = torch.autograd.grad(val, ps)
        return val.detach(), [g.detach() for g in grads]

    Pt = [torch.tensor(p) for p in P0]
    vt, gt = vg_torch(Pt)
    # cross-check of the value and gradient (reference: torch double backward)
    assert abs(float(vt) - float(val0)) < 1e-10 * max(1.0, abs(float(val0)))
    for a, b in zip(g0, gt):
        onp.testing.assert_allclose(a, b.numpy(), rtol=1e-8, atol=1e-10)
    fns["torch eager (double backward)"] = make_step(vg_torch, Pt, torch)

jax = C.try_import("jax")
if jax is not None:
    import jax.numpy as jnp

    Xj = jnp.asarray(X)
    Fj = jnp.asarray(F)

    def loss_jax(params):
        # rows are independent: grad of the sum gives per-point gradients; a jvp of that along e_d gives
        # the d-th column of every point's Hessian (forward-over-reverse, batched over points)
        def grad_u(z):
            return jax.grad(lambda w: jnp.sum(mlp(params, w, jnp)))(z)

        u = mlp(params, Xj, jnp)
        lap = 0.0
        for d in range(2):
            e = jnp.zeros_like(Xj).at[:, d].set(1.0)
            lap = lap + jax.jvp(grad_u, (Xj,), (e,))[1][:, d]
        return jnp.mean((lap - Fj) ** 2) + jnp.mean(u ** 2)

    Pj = [jnp.asarray(p) for p in P0]
    vg_jit = jax.jit(jax.value_and_grad(loss_jax))
    fns["jax jit"] = make_step(lambda p: jax.block_until_ready(vg_jit(p)), Pj, jnp)
    vg_nojit = jax.value_and_grad(loss_jax)
    fns["jax no jit"] = make_step(lambda p: jax.block_until_ready(vg_nojit(p)), Pj, jnp)

autograd = C.try_import("autograd")
if autograd is not None:
    import autograd.numpy as agnp

    def loss_ag(params):
        def u_of(x):
            return mlp(params, x, agnp)

        lap = 0.0
        for d in range(2):
            def du(x, d=d):
                return autograd.elementwise_grad(u_of)(x)[:, d]

            lap = lap + autograd.elementwise_grad(du)(X)[:, d]
        return agnp.mean((lap - F) ** 2) + agnp.mean(u_of(X) ** 2)

    fns["autograd (nested elementwise_grad)"] = make_step(autograd.value_and_grad(loss_ag), P0, onp)

rows = C.interleaved_ms(fns, repeat=7, warmup=1)

C.print_table(f"PINN step: value + Laplacian + parameter gradient + Adam, MLP {WIDTHS}, {N_PTS} points "
              "(float64, 1 thread, median of interleaved rounds)", rows, "ours: forward Laplacian + reverse")
ours = rows["ours: forward Laplacian + reverse"]
msg = f"FIGURE PINN step: {ours:.1f} ms"
if rows["torch eager (double backward)"]:
    msg += f"; ratio to torch eager {ours / rows['torch eager (double backward)']:.2f}x (target <= 1.0x)"
print(msg)
