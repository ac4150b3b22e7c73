"""Figure of merit: PINN training-step time for 2D Poisson (loss + parameter gradient + Adam update).

Network: MLP 2 -> 64 -> 64 -> 64 -> 1 (tanh); 4096 interior + 1024 boundary points; the PDE residual
-(u_xx + u_yy) - f needs the input Laplacian. One step = loss + gradient w.r.t. the parameters + Adam.

Measured side by side in this run, where importable: mindscience (autodiff, forward Laplacian for the
Laplacian, reverse mode for the parameters), PyTorch eager (double backward for the Laplacian) and
JAX (jit and no jit, forward-over-reverse Hessian diagonal). The contenders are timed in interleaved
rounds (one step of each per round, so load changes on a shared machine hit all alike); medians of
``--repeats`` rounds after ``--warmup`` rounds, one thread (``OMP_NUM_THREADS=1`` etc. set before numpy
is imported).

    python benchmarks/pinn_step.py [--repeats 10] [--precision f64 f32]
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
             "XLA_FLAGS"):
    os.environ.setdefault(_var, "1" if _var != "XLA_FLAGS" else
                          "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

# keeps freed large blocks (no mmap/munmap + page faults per array, for every framework alike)
import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import autodiff_common  # noqa: E402,F401 - same process setup as the autodiff benchmarks: 1 thread, and glibc
import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402

WIDTHS = [2, 64, 64, 64, 1]
N_INTERIOR, N_BOUNDARY = 4096, 1024


def _points(dtype, seed=0):
    from mindscience.pinn.geometry import Rectangle

    dom = Rectangle([0, 0], [1, 1])
    xi = dom.sample_interior(N_INTERIOR, "sobol", seed).astype(dtype)
    xb, _ = dom.sample_boundary(N_BOUNDARY, "sobol", seed + 1)
    return xi, xb.astype(dtype)


def _interleaved(steps, warmup, repeats):
    """Median seconds per step of each callable in ``steps`` (name -> callable), interleaved rounds."""
    # the objects created so far (numpy, sympy, torch, jax, earlier runs) are moved out of the cyclic
    # collector's reach, as a long-running trainer would do; process-wide, so fair to every contender
    # (as benchmarks/autodiff_common.interleaved_ms)
    gc.collect()
    gc.freeze()
    for _ in range(warmup):
        for step in steps.values():
            step()
    times = {k: [] for k in steps}
    cpu = {k: [] for k in steps}
    names = list(steps)
    for r in range(repeats):
        # the order rotates every round: JAX runs on XLA threads that may still be busy when the next
        # contender starts, so no contender always follows the same one
        for k in names[r % len(names):] + names[:r % len(names)]:
            c0 = time.thread_time()
            t0 = time.perf_counter()
            steps[k]()
            times[k].append(time.perf_counter() - t0)
            cpu[k].append(time.thread_time() - c0)
    return ({k: statistics.median(v) for k, v in times.items()}, {k: statistics.median(v) for k, v in cpu.items()})


def bench_mindscience(dtype):
    import autodiff as ad
    from mindscience.nn.layers import MLP
    from mindscience.nn.optim import Adam
    from mindscience.pinn.conditions import DirichletBC
    from mindscience.pinn.geometry import Rectangle
    from mindscience.pinn.pde import PDE
    from mindscience.pinn.problem import Problem

    x, y = sp.symbols("x y")
    u = sp.Function("u")
    pde = PDE(-(sp.diff(u(x, y), x, 2) + sp.diff(u(x, y), y, 2))
              - 2 * sp.pi**2 * sp.sin(sp.pi * x) * sp.sin(sp.pi * y), (x, y), [u])
    dom = Rectangle([0, 0], [1, 1])
    net = MLP(WIDTHS, activation="tanh", dtype=dtype)
    prob = Problem(pde, dom, net, [DirichletBC(dom, 0.0, n=N_BOUNDARY)], n_interior=N_INTERIOR)
    xi, xb = _points(dtype)
    batch = prob.sample(0)
    batch["pde"] = xi
    batch["dirichlet0"] = {**batch["dirichlet0"], "x": xb, "g": np.zeros(N_BOUNDARY, dtype)}
    params = prob.init_params(0)
    opt = Adam(1e-3)
    state = {"p": params, "s": opt.init(params)}

    def loss(p):
        t = prob.loss_terms(p, batch)
        return t["pde"] + t["dirichlet0"]

    vg = ad.value_and_grad(loss)

    def step():
        val, g = vg(state["p"])
        state["p"], state["s"] = opt.update(g, state["s"], state["p"])
        return val

    return step


def bench_torch(dtype):
    import torch

    torch.set_num_threads(1)
    tdt = torch.float64 if dtype == np.float64 else torch.float32
    torch.manual_seed(0)
    layers = []
    for a, b in zip(WIDTHS[:-1], WIDTHS[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    net = torch.nn.Sequential(*layers[:-1]).to(tdt)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xi, xb = (torch.tensor(a, dtype=tdt) for a in _points(dtype))
    f = 2 * np.pi**2 * torch.sin(np.pi * xi[:, 0]) * torch.sin(np.pi * xi[:, 1])

    def step():
        opt.zero_grad()
        x = xi.clone().requires_grad_(True)
        uu = net(x)
        (g,) = torch.autograd.grad(uu.sum(), x, create_graph=True)
        uxx = torch.autograd.grad(g[:, 0].sum(), x, create_graph=True)[0][:, 0]
        uyy = torch.autograd.grad(g[:, 1].sum(), x, create_graph=True)[0][:, 1]
        loss = ((-(uxx + uyy) - f) ** 2).mean() + (net(xb) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.detach()

    return step


def bench_jax(dtype, use_jit):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    jdt = jnp.float64 if dtype == np.float64 else jnp.float32
    rng = np.random.default_rng(0)
    params = [(jnp.asarray(rng.normal(size=(a, b)) * np.sqrt(2 / (a + b)), jdt), jnp.zeros(b, jdt))
              for a, b in zip(WIDTHS[:-1], WIDTHS[1:])]
    xi, xb = (jnp.asarray(a, jdt) for a in _points(dtype))
    f = 2 * np.pi**2 * jnp.sin(np.pi * xi[:, 0]) * jnp.sin(np.pi * xi[:, 1])

    def net(p, x):
        for W, b in p[:-1]:
            x = jnp.tanh(x @ W + b)
        return (x @ p[-1][0] + p[-1][1])[..., 0]

    def lap(p, x):
        h = jax.hessian(lambda z: net(p, z))(x)
        return h[0, 0] + h[1, 1]

    def loss(p):
        res = -jax.vmap(lambda z: lap(p, z))(xi) - f
        return jnp.mean(res**2) + jnp.mean(net(p, xb) ** 2)

    b1, b2, lr, eps = 0.9, 0.999, 1e-3, 1e-8

    def update(p, m, v, t):
        val, g = jax.value_and_grad(loss)(p)
        m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
        v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
        p = jax.tree_util.tree_map(lambda p, m, v: p - lr * (m / (1 - b1**t)) / (jnp.sqrt(v / (1 - b2**t)) + eps),
                                   p, m, v)
        return p, m, v, val

    upd = jax.jit(update) if use_jit else update
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = {"p": params, "m": zeros, "v": zeros, "t": 1}

    def step():
        state["p"], state["m"], state["v"], val = upd(state["p"], state["m"], state["v"], state["t"])
        state["t"] += 1
        return jax.block_until_ready(val)

    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--precision", nargs="+", default=["f64", "f32"], choices=["f64", "f32"])
    ap.add_argument("--no-peers", action="store_true", help="time mindscience only")
    ap.add_argument("--no-jax-nojit", action="store_true", help="skip the (slow) JAX run without jit")
    args = ap.parse_args(argv)
    rows = []
    for prec in args.precision:
        dtype = np.float64 if prec == "f64" else np.float32
        steps = {"mindscience": bench_mindscience(dtype)}
        if not args.no_peers:
            peers = [("torch-eager", bench_torch, ()), ("jax-jit", bench_jax, (True,))]
            if not args.no_jax_nojit:
                peers.append(("jax-nojit", bench_jax, (False,)))
            for name, fn, extra in peers:
                try:
                    steps[name] = fn(dtype, *extra)
                except ImportError as exc:
                    print(f"# {name}: not importable ({exc})")
        med, cpu = _interleaved(steps, args.warmup, args.repeats)
        for name, step in steps.items():
            rows.append((prec, name, med[name], float(step()), cpu[name]))
    # CPU time of the calling thread: a second, load-robust figure for the contenders that compute on it
    # (ours, torch with 1 thread); JAX computes on XLA threads, so it has none
    print(f"{'precision':>9} {'implementation':>15} {'ms/step':>9} {'ratio (ours/peer)':>18} {'cpu ms':>8} "
          f"{'cpu ratio':>9} {'loss':>12}")
    for prec, name, t, val, c in rows:
        ours = next(r for r in rows if r[0] == prec and r[1] == "mindscience")
        ratio = "" if name == "mindscience" else f"{ours[2] / t:.2f}x"
        jax = name.startswith("jax")
        cms = "n/a" if jax else f"{1e3 * c:.1f}"
        cratio = "" if name == "mindscience" or jax else f"{ours[4] / c:.2f}x"
        print(f"{prec:>9} {name:>15} {1e3 * t:9.1f} {ratio:>18} {cms:>8} {cratio:>9} {val:12.5g}")
    for prec in args.precision:
        ours = next(r[2] for r in rows if r[0] == prec and r[1] == "mindscience")
        torch_t = [r[2] for r in rows if r[0] == prec and r[1] == "torch-eager"]
        tail = f" ({ours / torch_t[0]:.2f}x PyTorch eager)" if torch_t else ""
        print(f"PINN step {prec}: {1e3 * ours:.1f} ms{tail}")


if __name__ == "__main__":
    main()
