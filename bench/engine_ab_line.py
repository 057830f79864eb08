"""wasserstein_1d with the Numba kernel and with the compiled one, in one process, interleaved.

Run:  PYTHONPATH=src:. .venv/bin/python bench/engine_ab_line.py [--n 100000] [--calls 300]

wasserstein_1d is numpy (validation, two sorts, the CDFs) around one kernel, the quantile merge
``_quantile_wp``; only the kernel differs between the engines. Timed in separate processes
(bench/engine_paths_ab.py) its ratio wandered 0.97-1.20 with the process and the load. Here
both kernels live in one process (the Numba one from the tests' ``numba_copy_of``), and each
call of ``wasserstein_1d`` is bound to one or the other in turn, so that process, memory layout
and load are shared. Reported per p: percentiles of both, the ratio of medians, and equality.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from emdkit.core import one_d
from tests.engines import native_engine_module, numba_copy_of


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--calls", type=int, default=300)
    args = ap.parse_args()
    kernels = {"numba": numba_copy_of("emdkit.core.one_d")._quantile_wp,
               "native": native_engine_module().quantile_wp}
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=args.n), rng.normal(0.5, 2.0, size=args.n)
    print("| p | engine | 5% (ms) | 25% | median | 75% | 95% | median ratio native/numba |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in (1, 2):
        times = {e: [] for e in kernels}
        values = set()
        for k in range(args.calls + 5):  # the first 5 rounds warm up
            for engine in (kernels if k % 2 else list(kernels)[::-1]):
                one_d._quantile_wp = kernels[engine]
                t0 = time.perf_counter()
                values.add(one_d.wasserstein_1d(u, v, p=p))
                if k >= 5:
                    times[engine].append(time.perf_counter() - t0)
        ratio = statistics.median(times["native"]) / statistics.median(times["numba"])
        for engine, t in times.items():
            q = np.percentile(np.array(t) * 1e3, [5, 25, 50, 75, 95])
            print(f"| {p} | {engine} | " + " | ".join(f"{x:.2f}" for x in q) +
                  (f" | {ratio:.2f} (same value: {len(values) == 1}) |" if engine == "native"
                   else " | |"))


if __name__ == "__main__":
    main()
