"""Shared fixtures for the autodiff tests: a seeded generator and the Taylor reference path."""

import numpy as onp
import pytest

import autodiff as ad


@pytest.fixture
def rng():
    return onp.random.default_rng(20261129)


def taylor_by_nested_jvp(f, primals, directions, order):
    """Reference for jet: d^k/dt^k f(x + t v) at t = 0, k = 1..order, by nested forward mode.

    This is the independent slower path (JAX's ``jvp_taylor`` idea): each level is a JVP in the
    scalar t of the previous level, so the cost is exponential in ``order``.
    """

    def g(t):
        return f(*[x + t * v for x, v in zip(primals, directions)])

    fns = [g]
    for _ in range(order):
        prev = fns[-1]
        fns.append(lambda t, prev=prev: ad.jvp(prev, (t,), (onp.ones(()),))[1])
    t0 = onp.zeros(())
    return [onp.asarray(fns[k](t0)) for k in range(1, order + 1)]


@pytest.fixture
def taylor_ref():
    return taylor_by_nested_jvp
