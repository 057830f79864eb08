"""Matrix-free exact verification of point-cloud answers (issue 20): what it adds to a solve.

Run:  PYTHONPATH=src python bench/exact_verify_clouds.py [--sizes 1000 10000] [--repeats 3]

``signature_emd`` on random clouds (2-D and 3-D, uniform and random weights, squared euclidean
and euclidean costs) by the route "auto" picks (pointcloud at 1,000, multiscale at 10,000),
with the compiled engine's exact step (``emdkit.core.pointcloud.solve_exact_cloud``: the float
basis verified in integers, every pair priced on a k-d tree) timed inside the same call. The
overhead is exact step / the rest of the solve (issue 20's goal: at most 20%), wall and CPU
(process time, all threads), medians over repeats; the counters say how much work the exact
step did (sweeps over all pairs, pairs decided in integers, exact pivots). Beside it, where the
dense fallback is possible (n = 1,000), the solve with ``EXACT_MATRIX_FREE`` off: the float
certificate, and the dense exact solve for the answers it cannot prove (the old route).
Prints a markdown table with the machine and its load.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from run_core import machine  # bench/ is the script's directory

import emdkit
from emdkit.core import pointcloud

CONFIGS = [(d, metric, weights) for d in (2, 3) for metric in ("sqeuclidean", "euclidean")
           for weights in ("uniform", "random")]


class ExactStepTimer:
    """Wraps solve_exact_cloud to time it (wall and CPU) and keep its counters."""

    def __init__(self):
        self.inner = pointcloud.solve_exact_cloud
        self.last = {}

    def __call__(self, *args, **kwargs):
        w0, c0 = time.perf_counter(), time.process_time()
        sol, out = self.inner(*args, **kwargs)
        self.last = {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0,
                     **{k: out[k] for k in ("sweeps", "exact_checks", "pivots", "arcs_added")}}
        return sol, out


def problem(n, d, weights, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.random((n, d)), rng.random((n, d))
    if weights == "uniform":
        a = b = np.full(n, 1.0 / n)
    else:
        a, b = rng.random(n) + 0.01, rng.random(n) + 0.01
        a, b = a / a.sum(), b / b.sum()
    return X, a, Y, b


def timed(call):
    w0, c0 = time.perf_counter(), time.process_time()
    value = call()
    return value, time.perf_counter() - w0, time.process_time() - c0


def run_config(n, d, metric, weights, repeats, timer):
    rows = []
    for rep in range(repeats):
        X, a, Y, b = problem(n, d, weights, seed=rep)
        pointcloud.EXACT_MATRIX_FREE = True
        r, wall, cpu = timed(lambda: emdkit.signature_emd(X, a, Y, b, metric))
        assert r.exact and r.gap == 0.0
        step = timer.last
        old = float("nan")
        if n * n <= pointcloud.DENSE_EXACT_MAX_PAIRS and n <= 2000:
            pointcloud.EXACT_MATRIX_FREE = False
            _, old, _ = timed(lambda: emdkit.signature_emd(X, a, Y, b, metric))
            pointcloud.EXACT_MATRIX_FREE = True
        rows.append({"route": r.method, "wall": wall, "cpu": cpu, "exact_wall": step["wall"],
                     "exact_cpu": step["cpu"], "old": old, **{k: step[k] for k in
                     ("sweeps", "exact_checks", "pivots")}})
    med = {k: statistics.median(row[k] for row in rows) for k in rows[0] if k != "route"}
    med["route"] = rows[0]["route"]
    return med


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    timer = ExactStepTimer()
    pointcloud.solve_exact_cloud = timer
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f} at start; "
          f"{args.repeats} repeats, medians\n")
    print("| n | d | metric | weights | route | solve wall s | exact step wall s | overhead wall "
          "| overhead CPU | sweeps | pairs in integers | exact pivots | old route wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for d, metric, weights in CONFIGS:
            med = run_config(n, d, metric, weights, args.repeats, timer)
            over_wall = med["exact_wall"] / (med["wall"] - med["exact_wall"])
            over_cpu = med["exact_cpu"] / (med["cpu"] - med["exact_cpu"])
            print(f"| {n:,} | {d} | {metric} | {weights} | {med['route']} | {med['wall']:.3f} | "
                  f"{med['exact_wall']:.3f} | {over_wall:.1%} | {over_cpu:.1%} | "
                  f"{med['sweeps']:.0f} | {med['exact_checks']:.0f} | {med['pivots']:.0f} | "
                  f"{med['old']:.3f} |", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
