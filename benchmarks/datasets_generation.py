"""Figure of merit: generation throughput (samples/s) of ``pde-reference-heat``, 1 vs 2 local workers, and Dask.

Also checks that every backend gives the same content hash. Last line: the speed-up of 2 workers over 1.
Run: ``python benchmarks/datasets_generation.py`` (about 20 s; uses a temporary $MINDSCIENCE_DATA).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import datasets  # noqa: E402
from datasets import store  # noqa: E402

N = 200
PARAMS = {"nx": 65, "ny": 65, "nt": 41}


def run(tmp, label, **kw):
    t0 = time.perf_counter()
    path = datasets.generate(
        "pde-reference-heat", n=N, seed=0, params=PARAMS, progress=False, path=Path(tmp) / f"{label}.h5", **kw
    )
    dt = time.perf_counter() - t0
    content = store.read_checksum(path)["content_sha256"]
    size = os.path.getsize(path) / 1e6
    print(f"{label:10s} {N / dt:8.1f} samples/s  ({dt:.2f} s, {size:.1f} MB, content {content[:12]})")
    return dt, content


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MINDSCIENCE_DATA"] = tmp
        t1, c1 = run(tmp, "workers=1", workers=1)
        t2, c2 = run(tmp, "workers=2", workers=2)
        same = [c1 == c2]
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            print("dask.distributed not installed: Dask backend skipped")
        else:
            with (
                LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
                Client(cluster) as c,
            ):
                _, c3 = run(tmp, "dask x2", scheduler=c)
                same.append(c1 == c3)
        print(f"identical content across backends: {all(same)}")
        print(f"speed-up of 2 local workers over 1: {t1 / t2:.2f}")


if __name__ == "__main__":
    main()
