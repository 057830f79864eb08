"""Warm starts (issue 22): a solve started from the previous optimum against a cold one.

    PYTHONPATH=src .venv/bin/python bench/bench_warm_start.py [--n 1000] [--repeats 7]

1. One problem of n × n (default 1,000) whose costs are then perturbed by 1 % (each entry
   times 1 + 0.01·N(0, 1)): ``emd(a, b, C2)`` cold against ``emd(a, b, C2, init=emd(a, b, C))``
   (the previous tree and potentials) and against ``potentials_init=(u, v)`` alone. Families:
   2-D clouds with squared-euclidean costs (uniform and random weights) and uniform random
   costs. Cold and warm are timed interleaved, medians; the works must agree to 1e-12.
2. The point-cloud descent example (examples/pointcloud_descent.py, 150 Adam steps) in total,
   with and without ``warm_start``, at its 200 points (the assignment path, which keeps its
   cold solve) and at 400 (candidate rounds), interleaved, medians.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import emdkit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))


def family(name: str, n: int, rng):
    if name == "random costs":
        return None, None, rng.random((n, n))
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    C = emdkit.ground_distance(X, Y, "sqeuclidean")
    if name.endswith("uniform weights"):
        return None, None, C
    a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
    return a, b * (a.sum() / b.sum()), C


FAMILIES = ("2-D clouds, uniform weights", "2-D clouds, random weights", "random costs")


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def perturbed_rows(n: int, repeats: int) -> list[dict]:
    rows = []
    for name in FAMILIES:
        rng = np.random.default_rng(22)
        a, b, C = family(name, n, rng)
        first = emdkit.emd(a, b, C)
        C2 = C * (1.0 + 0.01 * rng.standard_normal(C.shape))
        runs = {"cold": lambda: emdkit.emd(a, b, C2),
                "warm (init=result)": lambda: emdkit.emd(a, b, C2, init=first),
                "warm (potentials_init)": lambda: emdkit.emd(a, b, C2,
                                                             potentials_init=(first.u, first.v))}
        times = {k: [] for k in runs}
        results = {}
        for _ in range(repeats):
            for k, fn in runs.items():
                t, results[k] = timed(fn)
                times[k].append(t)
        cold = statistics.median(times["cold"])
        for k in runs:
            agree = abs(results[k].work - results["cold"].work) / results["cold"].work
            rows.append({"family": name, "start": k, "ms": 1e3 * statistics.median(times[k]),
                         "speedup": cold / statistics.median(times[k]),
                         "pivots": results[k].n_iter, "agree": agree})
    return rows


def descent_rows(repeats: int) -> list[dict]:
    import pointcloud_descent as example
    import torch
    torch.set_num_threads(1)
    rows = []
    example.descend(example.heart(20))  # imports (torch's optimiser pulls in its compiler)
    for n in (200, 400):
        target = example.heart(n)
        times = {False: [], True: []}
        for _ in range(repeats):
            for warm in (False, True):
                t, _ = timed(lambda: example.descend(target, warm_start=warm))
                times[warm].append(t)
        cold, warm = statistics.median(times[False]), statistics.median(times[True])
        rows.append({"n": n, "cold_s": cold, "warm_s": warm, "speedup": cold / warm})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--descent-repeats", type=int, default=3, help="0: skip the descent rows")
    args = ap.parse_args()
    one, five, fifteen = os.getloadavg()
    print(f"Run: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, one "
          f"thread; load average {one:.2f}, {five:.2f}, {fifteen:.2f} before the run\n")
    print(f"| n = {args.n}, costs × (1 + 0.01 N(0,1)) | start | median (ms) | × cold | pivots "
          f"| work vs cold |")
    print("|---|---|---:|---:|---:|---:|", flush=True)
    for r in perturbed_rows(args.n, args.repeats):
        print(f"| {r['family']} | {r['start']} | {r['ms']:.1f} | {r['speedup']:.2f} | "
              f"{r['pivots']} | {r['agree']:.1e} |", flush=True)
    if args.descent_repeats > 0:
        print("\n| descent example, 150 steps | cold total (s) | warm_start total (s) | × |")
        print("|---|---:|---:|---:|", flush=True)
    for r in descent_rows(args.descent_repeats) if args.descent_repeats > 0 else []:
        print(f"| {r['n']} points | {r['cold_s']:.2f} | {r['warm_s']:.2f} | "
              f"{r['speedup']:.2f} |", flush=True)
    one, five, fifteen = os.getloadavg()
    print(f"\nload average {one:.2f}, {five:.2f}, {fifteen:.2f} after the run")


if __name__ == "__main__":
    main()
