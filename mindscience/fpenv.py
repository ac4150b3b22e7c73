"""Subnormal floats flushed to zero inside numba kernels (x86-64 MXCSR FTZ and DAZ bits).

Arithmetic on subnormal numbers (below 1.2e-38 in float32, 2.2e-308 in float64) runs through
microcode assists tens to hundreds of times slower than normal arithmetic. Wave solvers produce
them wherever a field decays: the leading edge of a pulse, evanescent tails, a ring-down. In a
148^3 FDTD run seeded at one point, 8.5-9 % of the nonzero field values were subnormal after 120
steps and the step took 1.24-1.29x as long as with them flushed. Many solvers therefore run with
flush-to-zero (FTZ: subnormal results become 0) and denormals-are-zero (DAZ: subnormal inputs read
as 0); the change is below ``tiny`` relative to 1, i.e. far below any physical signal.

The mode is per thread. Kernels call :func:`flush_subnormals` at the start of each parallel
chunk and :func:`restore_fpenv` at its end, so code outside them (numpy in the main thread, other
numba kernels) keeps IEEE behaviour. On other architectures both are no-ops. The compiler keeps
memory accesses between the two calls (the mode switches are opaque side effects), but it may move
pure register arithmetic across them: the work in between must read and write arrays, as kernels do.

Examples
--------
>>> import numpy as np
>>> from numba import njit
>>> @njit
... def halve(x):
...     old = flush_subnormals()
...     for i in range(x.size):
...         x[i] *= np.float32(0.5)
...     restore_fpenv(old)
>>> x = np.full(3, np.finfo(np.float32).tiny)  # smallest normal float32
>>> halve(x)
>>> bool(np.all(x == 0)) if FLUSH_SUPPORTED else True
True
>>> float(np.finfo(np.float32).tiny * np.float32(0.5)) > 0  # outside the kernel: IEEE subnormals
True
"""

import platform

from llvmlite import ir
from numba import njit
from numba.core import cgutils, types
from numba.extending import intrinsic

FLUSH_SUPPORTED = platform.machine().lower() in ("x86_64", "amd64")
"""True where :func:`flush_subnormals` changes the FP mode (x86-64); elsewhere it is a no-op."""

_FTZ_DAZ = 0x8040  # MXCSR bit 15 (flush to zero) and bit 6 (denormals are zero)


def _mxcsr_call(builder, name, ptr):
    i8p = ir.IntType(8).as_pointer()
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p]), name)
    builder.call(fn, [builder.bitcast(ptr, i8p)])


@intrinsic
def _set_mxcsr_bits(typingctx):
    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        slot = cgutils.alloca_once(builder, i32)
        if not FLUSH_SUPPORTED:
            return ir.Constant(i32, -1)
        _mxcsr_call(builder, "llvm.x86.sse.stmxcsr", slot)
        old = builder.load(slot)
        builder.store(builder.or_(old, ir.Constant(i32, _FTZ_DAZ)), slot)
        _mxcsr_call(builder, "llvm.x86.sse.ldmxcsr", slot)
        return old

    return types.int32(), codegen


@intrinsic
def _load_mxcsr(typingctx, value):
    def codegen(context, builder, signature, args):
        if FLUSH_SUPPORTED:
            slot = cgutils.alloca_once(builder, ir.IntType(32))
            builder.store(args[0], slot)
            _mxcsr_call(builder, "llvm.x86.sse.ldmxcsr", slot)
        return context.get_dummy_value()

    return types.none(types.int32), codegen


@njit(cache=True, inline="always")
def flush_subnormals():
    """Set FTZ and DAZ for the calling thread; returns the previous mode for :func:`restore_fpenv`.

    Returns
    -------
    int32
        The previous MXCSR value (-1 where unsupported).
    """
    return _set_mxcsr_bits()


@njit(cache=True, inline="always")
def restore_fpenv(old):
    """Restore the mode returned by :func:`flush_subnormals` (no-op for -1)."""
    if old != -1:
        _load_mxcsr(old)
