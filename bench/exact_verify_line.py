"""The exact walk on the line (issue 20): what it costs next to the float walk.

Run:  PYTHONPATH=src python bench/exact_verify_line.py [--sizes 1000 10000] [--rounds 15]

``signature_emd`` on 1-D signatures (normal positions, a tenth of them tied) by its
"monotone_1d" route, with ``emdkit.core.exact.VERIFY_EVERY_ANSWER`` on (the integer walk of
cpp/one_d/exact_line.hpp: exact flows and work, correctly rounded) and off (the float walk and
its float sum, as before), interleaved A/B in one process: each round times a batch of calls
with the switch on, then off (the order alternates round by round), in CPU time (process time)
and wall time; the table gives the medians over rounds of the time per call and the ratio
on/off (issue 20's budget: at most 1.2). Weights: "uniform" 1/n on both sides; "integer"
random integers and a permutation of them (equal totals, exact); "drift" random weights
normalised on each side (the exact totals differ in the last bits: the walk stops after
comparing them and the float walk answers, exact False).
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
from emdkit.core import exact

# Calls per timed batch: enough for ~20 ms of work at each size (process_time's resolution is
# a microsecond, but one call at n = 1,000 takes ~100 µs).
CALLS_PER_BATCH = {1000: 100, 10000: 10}


def problem(n, weights, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=n), rng.normal(size=n) * 1.5 + 0.1
    x[: n // 10] = x[0]
    if weights == "uniform":
        wx = wy = np.full(n, 1.0 / n)
    elif weights == "integer":
        wx = rng.integers(1, 100, n).astype(float)
        wy = wx[rng.permutation(n)]
    else:
        wx, wy = rng.random(n) + 0.01, rng.random(n) + 0.01
        wx, wy = wx / wx.sum(), wy / wy.sum()
    return x, wx, y, wy


def batch_time(call, calls, verify):
    exact.VERIFY_EVERY_ANSWER = verify
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(calls):
        r = call()
    return r, (time.perf_counter() - w0) / calls, (time.process_time() - c0) / calls


def run_config(n, metric, weights, rounds):
    x, wx, y, wy = problem(n, weights, seed=n)

    def call():
        return emdkit.signature_emd(x, wx, y, wy, metric)

    calls = CALLS_PER_BATCH.get(n, max(1, 100_000 // n))
    on_cpu, off_cpu, on_wall, off_wall = [], [], [], []
    for k in range(rounds):
        for verify in ((True, False) if k % 2 == 0 else (False, True)):
            r, wall, cpu = batch_time(call, calls, verify)
            assert r.method == "monotone_1d"
            if verify:
                exact_answer = r.exact
                on_cpu.append(cpu)
                on_wall.append(wall)
            else:
                off_cpu.append(cpu)
                off_wall.append(wall)
    exact.VERIFY_EVERY_ANSWER = True
    med = statistics.median
    return {"exact": exact_answer, "on_cpu": med(on_cpu), "off_cpu": med(off_cpu),
            "on_wall": med(on_wall), "off_wall": med(off_wall)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f} at start; {args.rounds} "
          "interleaved rounds, medians\n")
    print("| n | metric | weights | exact | CPU µs/call on | off | ratio CPU | wall µs/call on "
          "| off | ratio wall |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for metric in ("euclidean", "sqeuclidean"):
            for weights in ("uniform", "integer", "drift"):
                m = run_config(n, metric, weights, args.rounds)
                print(f"| {n:,} | {metric} | {weights} | {m['exact']} | "
                      f"{m['on_cpu'] * 1e6:.0f} | {m['off_cpu'] * 1e6:.0f} | "
                      f"{m['on_cpu'] / m['off_cpu']:.2f} | {m['on_wall'] * 1e6:.0f} | "
                      f"{m['off_wall'] * 1e6:.0f} | {m['on_wall'] / m['off_wall']:.2f} |",
                      flush=True)
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
