"""Table-driven checks of every registered primitive: check_grads to order 2 in both modes
(reference: central finite differences), and jet against nested jvp (reference: the slower path)."""

import numpy as onp
import pytest

import autodiff as ad
import autodiff.numpy as anp
from autodiff.numpy import _fused
from autodiff.testing import check_grads

TAYLOR_ORDER = 3
TAYLOR_RTOL = 1e-9


def U(lo, hi, shape=(3,)):
    """Uniform sample in [lo, hi] (the domain ``lims`` of an entry)."""
    return ("U", lo, hi, shape)


def _draw(spec, rng):
    _, lo, hi, shape = spec
    return rng.uniform(lo, hi, size=shape)


def _sym(a):
    return (a + anp.swapaxes(a, -1, -2)) * 0.5


def _spd(a):
    n = a.shape[-1]
    return anp.matmul(a, anp.swapaxes(a, -1, -2)) + n * onp.eye(n)


_C = onp.array([1.0 + 2.0j, -0.5 + 0.3j, 0.2 - 1.1j])
_MASK = onp.array([[True, False, True], [False, True, True]])

# (case id, primitive names covered, function, argument specs, check taylor?)
CASES = [
    ("add_bcast", {"add"}, lambda x, y: x + y, [U(-1, 1, (2, 3)), U(-1, 1, (3,))], True),
    ("sub_bcast", {"subtract"}, lambda x, y: x - y, [U(-1, 1, (3,)), U(-1, 1, (2, 3))], True),
    ("neg", {"negative"}, lambda x: -x, [U(-1, 1)], True),
    ("mul_bcast", {"multiply"}, lambda x, y: x * y, [U(-1, 1, (2, 1)), U(-1, 1, (3,))], True),
    ("div_bcast", {"divide"}, lambda x, y: x / y, [U(-1, 1, (2, 3)), U(0.5, 2, (3,))], True),
    ("pow_var", {"power"}, lambda x, y: x ** y, [U(0.5, 2), U(-1.5, 1.5)], True),
    ("pow_const", {"power"}, lambda x: x ** 3.5, [U(0.5, 2)], True),
    ("exp", {"exp"}, anp.exp, [U(-1, 1)], True),
    ("exp2", {"exp2"}, anp.exp2, [U(-1, 1)], True),
    ("expm1", {"expm1"}, anp.expm1, [U(-1, 1)], True),
    ("log", {"log"}, anp.log, [U(0.5, 2)], True),
    ("log2", {"log2"}, anp.log2, [U(0.5, 2)], True),
    ("log10", {"log10"}, anp.log10, [U(0.5, 2)], True),
    ("log1p", {"log1p"}, anp.log1p, [U(-0.5, 1)], True),
    ("sqrt", {"sqrt"}, anp.sqrt, [U(0.5, 2)], True),
    ("cbrt", {"cbrt"}, anp.cbrt, [U(0.5, 2)], True),
    ("sin", {"sin"}, anp.sin, [U(-2, 2)], True),
    ("cos", {"cos"}, anp.cos, [U(-2, 2)], True),
    ("tan", {"tan"}, anp.tan, [U(-1, 1)], True),
    ("sinh", {"sinh"}, anp.sinh, [U(-1, 1)], True),
    ("cosh", {"cosh"}, anp.cosh, [U(-1, 1)], True),
    ("tanh", {"tanh"}, anp.tanh, [U(-1.5, 1.5)], True),
    ("arcsin", {"arcsin"}, anp.arcsin, [U(-0.8, 0.8)], True),
    ("arccos", {"arccos"}, anp.arccos, [U(-0.8, 0.8)], True),
    ("arctan", {"arctan"}, anp.arctan, [U(-2, 2)], True),
    ("arcsinh", {"arcsinh"}, anp.arcsinh, [U(-2, 2)], True),
    ("arccosh", {"arccosh"}, anp.arccosh, [U(1.2, 3)], True),
    ("arctanh", {"arctanh"}, anp.arctanh, [U(-0.8, 0.8)], True),
    ("abs", {"abs"}, lambda x: anp.abs(x * onp.array([1.0, -1.0, 1.0])), [U(0.2, 1)], True),
    ("arctan2", {"arctan2"}, anp.arctan2, [U(-1, 1), U(0.3, 1)], True),
    ("maximum", {"maximum"}, anp.maximum, [U(0, 1), U(2, 3)], True),
    ("maximum_mixed", {"maximum"}, lambda x: anp.maximum(x, onp.array([-5.0, 5.0, 0.3])), [U(-1, 0.2)], True),
    ("minimum", {"minimum"}, anp.minimum, [U(0, 1), U(2, 3)], True),
    ("where", {"where"}, lambda x, y: anp.where(_MASK, x, y), [U(-1, 1, (2, 3)), U(-1, 1, (3,))], True),
    ("real_imag", {"real", "imag", "astype"}, lambda x: anp.real(x * _C) + anp.imag(x * _C) ** 2, [U(-1, 1)],
     True),
    ("conj", {"conj"}, lambda x: anp.real(anp.conj(x * _C) * _C), [U(-1, 1)], True),
    ("reshape", {"reshape"}, lambda x: anp.reshape(x, (3, 2)) * onp.arange(6.0).reshape(3, 2),
     [U(-1, 1, (2, 3))], True),
    ("transpose", {"transpose"}, lambda x: anp.transpose(x, (2, 0, 1)) ** 2, [U(-1, 1, (2, 3, 2))], True),
    ("broadcast_to", {"broadcast_to"}, lambda x: anp.broadcast_to(x, (2, 3)) * onp.arange(6.0).reshape(2, 3),
     [U(-1, 1, (3,))], True),
    ("concatenate", {"concatenate"}, lambda x, y: anp.concatenate([x, y, x], axis=1) ** 2,
     [U(-1, 1, (2, 3)), U(-1, 1, (2, 1))], True),
    ("getitem_basic", {"getitem", "scatter"}, lambda x: x[1:, ::2] ** 2, [U(-1, 1, (3, 4))], True),
    ("getitem_fancy", {"getitem", "scatter"}, lambda x: x[onp.array([0, 0, 2])] ** 2, [U(-1, 1, (3, 2))],
     True),
    ("getitem_bool", {"getitem"}, lambda x: anp.sin(x[_MASK]), [U(-1, 1, (2, 3))], True),
    ("index_add", {"index_add"}, lambda x, v: anp.index_add(x, onp.array([1, 1, 0]), v) ** 2,
     [U(-1, 1, (3,)), U(-1, 1, (3,))], True),
    ("index_update", {"index_add"}, lambda x, v: anp.index_update(x, slice(1, None), v) * x,
     [U(-1, 1, (3,)), U(-1, 1, (2,))], True),
    ("pad", {"pad"}, lambda x: anp.pad(x, ((1, 0), (2, 1))) ** 2, [U(-1, 1, (2, 2))], True),
    ("sum", {"sum"}, lambda x: anp.sum(x ** 2, axis=1), [U(-1, 1, (2, 3))], True),
    ("amax", {"amax"}, lambda x: anp.max(x * onp.arange(1.0, 4.0), axis=1), [U(0.5, 1, (2, 3))], True),
    ("amin", {"amin"}, lambda x: anp.min(x * onp.arange(1.0, 4.0), axis=0), [U(0.5, 1, (2, 3))], True),
    ("prod", {"prod"}, lambda x: anp.prod(x, axis=0), [U(0.5, 2, (3, 2))], True),
    ("cumsum", {"cumsum"}, lambda x: anp.cumsum(x, axis=1) ** 2, [U(-1, 1, (2, 3))], True),
    ("cumprod", {"cumprod"}, lambda x: anp.cumprod(x, axis=0), [U(0.5, 2, (3, 2))], True),
    ("matmul", {"matmul"}, anp.matmul, [U(-1, 1, (2, 3)), U(-1, 1, (3, 4))], True),
    ("matmul_batched", {"matmul"}, lambda a, b: a @ b, [U(-1, 1, (2, 2, 3)), U(-1, 1, (3, 2))], True),
    ("matvec", {"matmul", "reshape"}, lambda a, b: a @ b, [U(-1, 1, (2, 3)), U(-1, 1, (3,))], True),
    ("einsum", {"einsum"}, lambda a, b: anp.einsum("ij,jk->ik", a, b), [U(-1, 1, (2, 3)), U(-1, 1, (3, 2))],
     True),
    ("einsum_diag", {"einsum"}, lambda a: anp.einsum("ii->i", a) ** 2, [U(-1, 1, (3, 3))], True),
    ("einsum_three", {"einsum"}, lambda a, b, c: anp.einsum("i,ij,j->", a, b, c),
     [U(-1, 1, (2,)), U(-1, 1, (2, 3)), U(-1, 1, (3,))], True),
    ("einsum_outer_sum", {"einsum"}, lambda a, b: anp.einsum("ij,k->jk", a, b),
     [U(-1, 1, (2, 3)), U(-1, 1, (2,))], True),
    ("solve", {"solve"}, lambda a, b: anp.linalg.solve(a + 3 * onp.eye(3), b),
     [U(-1, 1, (3, 3)), U(-1, 1, (3,))], True),
    ("inv", {"solve"}, lambda a: anp.linalg.inv(a + 3 * onp.eye(3)), [U(-1, 1, (3, 3))], True),
    ("slogdet", {"logabsdet"}, lambda a: anp.linalg.slogdet(a + 3 * onp.eye(3))[1], [U(-1, 1, (3, 3))], True),
    ("det", {"logabsdet", "exp"}, lambda a: anp.linalg.det(a + 3 * onp.eye(3)), [U(-1, 1, (3, 3))], True),
    ("cholesky", {"cholesky"}, lambda a: anp.linalg.cholesky(_spd(a)), [U(-1, 1, (3, 3))], True),
    ("eigh", {"eigh"}, lambda a: _eigh_summary(_sym(a) + onp.diag([0.0, 3.0, 6.0])), [U(-1, 1, (3, 3))], True),
    ("qr", {"qr"}, lambda a: _qr_summary(a), [U(-1, 1, (4, 3))], True),
    ("fft", {"fft"}, lambda x: _ri(anp.fft.fft(x)), [U(-1, 1, (4,))], True),
    ("ifft2", {"fft"}, lambda x: _ri(anp.fft.ifftn(x)), [U(-1, 1, (2, 4))], True),
    ("rfft", {"fft"}, lambda x: _ri(anp.fft.rfft(x)), [U(-1, 1, (5,))], True),
    ("irfft", {"fft"}, lambda x: anp.fft.irfft(x * _C) * onp.arange(1.0, 5.0), [U(-1, 1)], True),
    ("rfftn_irfftn", {"fft"}, lambda x: anp.fft.irfftn(anp.fft.rfftn(x) * 0.7, s=(2, 4)) ** 2,
     [U(-1, 1, (2, 4))], True),
    ("erf", {"erf"}, anp.special.erf, [U(-1, 1)], True),
    ("erfc", {"erfc"}, anp.special.erfc, [U(-1, 1)], True),
    ("gammaln", {"gammaln", "polygamma"}, anp.special.gammaln, [U(0.5, 3)], True),
    ("polygamma", {"polygamma"}, lambda x: anp.special.polygamma(1, x), [U(0.5, 3)], True),
    ("expit", {"expit"}, anp.special.expit, [U(-2, 2)], True),
    ("xlogy", {"xlogy"}, anp.special.xlogy, [U(-1, 1), U(0.5, 2)], True),
    ("tanh_taylor2", {"tanh_taylor2"}, lambda a, b, c: anp.stack(_fused.tanh_taylor2(a, b, c)),
     [U(-1.5, 1.5), U(-1, 1), U(-1, 1)], True),
    ("tanh_d2", {"tanh_d2"}, lambda s, o: _fused.tanh_d2(s, o, 2), [U(-1.5, 1.5, (5, 3)), U(-1, 1, (3,))], True),
]


def _ri(z):
    return anp.stack([anp.real(z), anp.imag(z)])


def _eigh_summary(a):
    w, v = anp.linalg.eigh(a)
    return anp.concatenate([w, anp.ravel(v * v)])


def _qr_summary(a):
    q, r = anp.linalg.qr(a)
    return anp.concatenate([anp.ravel(q), anp.ravel(r)])


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_check_grads_order2_both_modes(case, rng):
    # reference: central finite differences (check_grads), recursively to order 2
    _, _, f, specs, _ = case
    args = [_draw(s, rng) for s in specs]
    check_grads(f, args, order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("fast", [True, False], ids=["numba-kernels", "differentiable-rules"])
@pytest.mark.parametrize("case", [c for c in CASES if c[4]], ids=[c[0] for c in CASES if c[4]])
def test_jet_matches_nested_jvp(case, fast, rng, taylor_ref, monkeypatch):
    # reference: nested forward mode, d^k/dt^k f(x + t v) at t = 0; both the numba fast path and the
    # differentiable rules (used under enclosing transformations) are checked
    monkeypatch.setattr(ad.taylor, "FAST_KERNELS", fast)
    _, _, f, specs, _ = case
    args = [_draw(s, rng) for s in specs]
    dirs = [rng.standard_normal(a.shape) for a in args]
    series = [[d] + [onp.zeros_like(d)] * (TAYLOR_ORDER - 1) for d in dirs]
    _, out = ad.jet(f, tuple(args), tuple(series))
    ref = taylor_ref(f, args, dirs, TAYLOR_ORDER)
    for k in range(TAYLOR_ORDER):
        onp.testing.assert_allclose(out[k], ref[k], rtol=TAYLOR_RTOL, atol=TAYLOR_RTOL)


def test_every_builtin_primitive_is_in_the_table():
    covered = set().union(*[c[1] for c in CASES])
    missing = set(anp.BUILTIN_PRIMITIVES) - covered
    assert not missing, f"primitives without a systematic test: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(anp.BUILTIN_PRIMITIVES))
def test_every_builtin_primitive_has_forward_and_reverse_rules(name):
    prim = ad.core.primitives[name]
    assert prim.impl is not None and prim.jvp is not None and prim.vjp is not None


def _flat_fun(f, args, i):
    def g(v):
        a = list(args)
        a[i] = v
        return anp.ravel(f(*a))

    return g


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_batched_jacobians_match_one_by_one(case, rng):
    # reference: the Jacobian assembled column by column from unbatched jvp calls and row by row from
    # unbatched vjp calls (independent of the batching rules exercised by jacfwd / jacrev)
    _, _, f, specs, _ = case
    args = [_draw(s, rng) for s in specs]
    for i, x in enumerate(args):
        g = _flat_fun(f, args, i)
        cols = []
        for k in range(x.size):
            e = onp.zeros(x.size)
            e[k] = 1.0
            cols.append(ad.jvp(g, (x,), (e.reshape(x.shape),))[1])
        J_ref = onp.stack(cols, axis=-1)
        y, fn = ad.vjp(g, x)
        rows = [fn(onp.eye(y.size)[r])[0].ravel() for r in range(y.size)]
        onp.testing.assert_allclose(onp.stack(rows), J_ref, rtol=1e-12, atol=1e-12)
        onp.testing.assert_allclose(ad.jacfwd(g)(x).reshape(J_ref.shape), J_ref, rtol=1e-12, atol=1e-12)
        onp.testing.assert_allclose(ad.jacrev(g)(x).reshape(J_ref.shape), J_ref, rtol=1e-12, atol=1e-12)


def test_every_builtin_primitive_has_a_taylor_rule():
    missing = {n for n in anp.BUILTIN_PRIMITIVES if ad.core.primitives[n].taylor is None}
    assert not missing, f"primitives without a Taylor rule: {sorted(missing)}"
