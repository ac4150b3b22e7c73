"""BLAS thread limits for work made of many small matrix products (network training)."""

import contextlib


@contextlib.contextmanager
def blas_threads(n):
    """Limit the BLAS thread pool to ``n`` threads inside the block; ``None`` leaves it alone.

    Small products (a 4096 x 64 by 64 x 64 matmul) gain nothing from threads, and on shared cores a
    spinning multi-threaded BLAS made one PINN loss-and-gradient evaluation 7-11x slower than a
    single thread (measured: 140 s vs 19 s for the README's Poisson example at load ~9 on 2 cores).

    Parameters
    ----------
    n : int or None
        Threads for BLAS calls inside the block (>= 1), or ``None`` for no change.

    Examples
    --------
    >>> with blas_threads(1):
    ...     pass
    """
    if n is None:
        yield
        return
    if int(n) != n or n < 1:
        raise ValueError(f"blas_threads={n!r} must be an integer >= 1 or None")
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=int(n), user_api="blas"):
        yield
