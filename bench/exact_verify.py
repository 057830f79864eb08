"""Exact verification of every answer (issue 20): what it costs.

Run:  PYTHONPATH=src python bench/exact_verify.py [--sizes 1000 10000] [--small 16 32 64 128 256]
                                                 [--repeats 3] [--out bench/RESULTS_exact.md]

1. ``emd()`` with and without the exact verification of its answer
   (``emdkit.core.exact.VERIFY_EVERY_ANSWER``), interleaved in one process so that a change of
   load hits both alike: random costs U(0, 1) with random weights, random costs with uniform
   weights, and 2-D point clouds by their dense squared-euclidean costs (random weights), at
   n = 1,000 and 10,000 (the candidate-rounds path: float rounds, certificate, then
   ``_engine.exact_transport`` from the float support and duals). Wall and CPU medians.
2. The same at n = 16 … 256 (bench/_small.py's four families, the one-call block path, where
   the check runs inside the engine's solve_small), with POT's ``ot.emd2`` beside for the
   ratio issue 22 chases; and ``emd_batch`` / ``pairwise_emd``, whose kernels verify in
   their own call.
3. Exact continuation: costs 10**U(-12, 12) on 200×200 (where float64 cannot certify), solved
   from no hint, with the fixed-width integers and with the arbitrary-width BigInt throughout,
   and the Fraction simplex (emdkit.core.exact.refine_exact) at 30×30 for scale.
Medians over repeats; the machine and its load are printed with the tables.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from run_core import machine, median_time  # bench/ is the script's directory

import emdkit
from emdkit import _engine
from emdkit.core import exact as core_exact
from emdkit.core.exact import refine_exact


def machine_and_load() -> str:
    return f"{machine()}, load average {os.getloadavg()[0]:.2f} at start"


def ab(call, repeats):
    """Medians (wall, CPU) of call() with the exact check off and on, alternating per repeat,
    and the last results of each."""
    times = {False: ([], []), True: ([], [])}
    results = {}
    for _ in range(repeats):
        for verify in (False, True):
            core_exact.VERIFY_EVERY_ANSWER = verify
            w0, c0 = time.perf_counter(), time.process_time()
            results[verify] = call()
            times[verify][0].append(time.perf_counter() - w0)
            times[verify][1].append(time.process_time() - c0)
    core_exact.VERIFY_EVERY_ANSWER = True
    med = {k: (statistics.median(v[0]), statistics.median(v[1])) for k, v in times.items()}
    return med, results


def large_problem(family, n, seed):
    rng = np.random.default_rng([20, n, seed])
    if family == "random costs, random weights":
        a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
        return a, b * (a.sum() / b.sum()), rng.random((n, n))
    if family == "random costs, uniform weights":
        return np.ones(n), np.ones(n), rng.random((n, n))
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
    return a, b * (a.sum() / b.sum()), emdkit.ground_distance(X, Y, "sqeuclidean")


LARGE_FAMILIES = ("random costs, random weights", "random costs, uniform weights",
                  "2-D clouds (dense sqeuclidean costs), random weights")


def large_rows(sizes, repeats):
    lines = []
    for n in sizes:
        for family in LARGE_FAMILIES:
            a, b, C = large_problem(family, n, 0)
            med, res = ab(lambda: emdkit.emd(a, b, C), repeats)
            (w0, c0), (w1, c1) = med[False], med[True]
            r0, r1 = res[False], res[True]
            rel = abs(r1.distance - r0.distance) / r1.distance
            lines.append(f"| n={n} {family} | {w0:.3f} / {c0:.3f} | {w1:.3f} / {c1:.3f} | "
                         f"{100 * (w1 / w0 - 1):+.1f}% / {100 * (c1 / c0 - 1):+.1f}% | "
                         f"{r1.method}, exact={r1.exact} | {rel:.1e} | "
                         f"{os.getloadavg()[0]:.1f} |")
            print(lines[-1], flush=True)
    return lines


def small_rows(sizes, repeats):
    """emd() with and without the check, and ot.emd2, on bench/_small.py's families."""
    import _small
    lines = []
    for family in _small.FAMILIES:
        for n in sizes:
            # POT's value through _small's closure (a zero-cost dummy for unequal totals)
            cases = [_small.problem(family, n, seed) for seed in range(_small.INSTANCES)]
            calls = max(2, _small.REPEATS.get(n, 2) * repeats // 3)
            t = {False: [], True: [], "pot": []}
            for a, b, C, _ in cases:
                emdkit.emd(a, b, C)  # warm
            for _ in range(calls):
                for a, b, C, pot in cases:
                    for verify in (False, True):
                        core_exact.VERIFY_EVERY_ANSWER = verify
                        t0 = time.perf_counter_ns()
                        emdkit.emd(a, b, C)
                        t[verify].append(time.perf_counter_ns() - t0)
                    t0 = time.perf_counter_ns()
                    pot()
                    t["pot"].append(time.perf_counter_ns() - t0)
            core_exact.VERIFY_EVERY_ANSWER = True
            m = {k: statistics.median(v) * 1e-3 for k, v in t.items()}
            lines.append(f"| {family} | {n} | {m[False]:.0f} | {m[True]:.0f} | "
                         f"{m[True] / m[False]:.2f} | {m['pot']:.0f} | "
                         f"{m[False] / m['pot']:.2f} | {m[True] / m['pot']:.2f} |")
            print(lines[-1], flush=True)
    return lines


def batch_rows(repeats):
    """emd_batch (B = 200 random 32×32 and 100×100 problems) and pairwise_emd (60 colour-like
    signatures of 20-60 points), one thread, with and without the in-kernel check."""
    rng = np.random.default_rng(21)
    lines = []
    for B, n in ((200, 32), (100, 100)):
        a = rng.random((B, n)) + 0.01
        b = rng.random((B, n)) + 0.01
        b *= (a.sum(1) / b.sum(1))[:, None]
        C = rng.random((B, n, n))
        med, res = ab(lambda: emdkit.emd_batch(a, b, C, n_jobs=1), repeats)
        lines.append(f"| emd_batch, B={B}, {n}×{n} random costs | {med[False][0]:.4f} | "
                     f"{med[True][0]:.4f} | {med[True][0] / med[False][0]:.2f} | "
                     f"{int(res[True].exact.sum())} of {B} |")
        print(lines[-1], flush=True)
    sigs = []
    for _ in range(60):
        k = int(rng.integers(20, 61))
        sigs.append((rng.random((k, 3)) * 100, rng.integers(1, 500, k).astype(float)))
    med, _ = ab(lambda: emdkit.pairwise_emd(sigs, n_jobs=1), repeats)
    lines.append(f"| pairwise_emd, 60 signatures of 20-60 points (1,770 pairs) | "
                 f"{med[False][0]:.4f} | {med[True][0]:.4f} | "
                 f"{med[True][0] / med[False][0]:.2f} | all |")
    print(lines[-1], flush=True)
    return lines


def continuation_rows(repeats):
    rng = np.random.default_rng(20)
    lines = []
    for m in (30, 200):
        a, b = rng.random(m) + 0.1, rng.random(m) + 0.1
        C = np.ascontiguousarray(10.0 ** rng.uniform(-12, 12, (m, m)))
        none = np.zeros(0, np.int64)
        t_fixed, out = median_time(lambda: _engine.exact_transport(a, b, C, none, none),
                                   repeats)
        t_big, big = median_time(lambda: _engine.exact_transport(a, b, C, none, none,
                                                                 width=-1), repeats)
        assert big["distance"] == out["distance"]
        row = (f"| {m}×{m}, costs 1e-12..1e12 | {out['pivots']} | {out['limbs']} | "
               f"{t_fixed:.4f} | {t_big:.4f} |")
        if m <= 30:
            t_frac, ref = median_time(lambda: refine_exact(a, b, C, none, none), 1)
            total = min(sum(map(Fraction, a)), sum(map(Fraction, b)))
            assert float(ref[7] / total) == out["distance"]
            row += f" {t_frac:.3f} |"
        else:
            row += " (minutes) |"
        lines.append(row)
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--small", type=int, nargs="*", default=[16, 32, 64, 128, 256])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = [f"Machine: {machine_and_load()}.", "",
             "| problem | emd() without check: wall / CPU (s) | with check (s) | overhead "
             "wall / CPU | answer | rel. diff. | load |",
             "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    lines += large_rows(args.sizes, args.repeats)
    lines += ["", "| family | n | emd() without check (µs) | with check (µs) | ratio | "
              "POT ot.emd2 (µs) | without / POT | with / POT |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += small_rows(args.small, args.repeats)
    lines += ["", "| batch | without check (s) | with check (s) | ratio | exact |",
              "| --- | ---: | ---: | ---: | ---: |"]
    lines += batch_rows(args.repeats)
    lines += ["", "| problem | pivots | limbs | fixed width (s) | BigInt (s) | Fraction simplex (s) |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += continuation_rows(args.repeats)
    lines += ["", f"Load average at the end: {os.getloadavg()[0]:.2f}."]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
