"""Issue 20's must-show: wide-range problems are never refused and come back correctly rounded.

Run:  PYTHONPATH=src python bench/exact_wide_range.py [--problems 1000] [--seed 0]

Each problem: m, n drawn from 10..200, weights U(0.1, 1.1) (so most are partial matchings),
costs 10**U(-12, 12). ``emdkit.emd`` runs under EMDKIT_ENGINE=native; a SolverError counts as
a refusal. The oracle is exact and shares no arithmetic with the engine: the optimal basis that
``_engine.exact_transport`` reports is checked in Fraction arithmetic (its tree flows >= 0 and
every reduced cost >= 0, which proves optimality by LP duality), and the optimum's work over the
total flow is rounded to float64 by CPython's exact integer division; emd's distance must EQUAL
that whenever ``result.exact`` (an answer the float certificate proved instead must be within
its ``gap`` of it: "certified"). Up to 400 pairs the Fraction simplex (core.exact.refine_exact) recomputes the optimum from
scratch as a second, fully independent oracle. The exact answers should then be most of them:
the strict float certificate fails on most wide-range problems, and then the exact simplex
answers.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

os.environ["EMDKIT_ENGINE"] = "native"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.core
import emdkit  # noqa: E402
from emdkit import _engine  # noqa: E402
from emdkit.core.exact import refine_exact  # noqa: E402
from tests.core.test_exact_integer import assert_exact_certificate  # noqa: E402

SCRATCH_ORACLE_MAX_PAIRS = 400


def one(rng):
    m, n = (int(x) for x in rng.integers(10, 201, 2))
    a, b = rng.random(m) + 0.1, rng.random(n) + 0.1
    C = 10.0 ** rng.uniform(-12, 12, (m, n))
    t0 = time.perf_counter()
    try:
        r = emdkit.emd(a, b, C)
    except emdkit.SolverError:
        return "refused", m * n, time.perf_counter() - t0, ""
    elapsed = time.perf_counter() - t0
    out = _engine.exact_transport(a, b, C, np.zeros(0, np.int64), np.zeros(0, np.int64))
    work = assert_exact_certificate(a, b, C, out)  # raises unless the basis is optimal
    total = min(sum(map(Fraction, a)), sum(map(Fraction, b)))
    optimum = float(work / total)
    if r.distance != optimum:
        # a float answer proven by the certificate: within its gap, not correctly rounded
        if r.exact or abs(r.distance - optimum) > r.gap * optimum:
            return "wrong", m * n, elapsed, r.method
        return "certified", m * n, elapsed, r.method
    if m * n <= SCRATCH_ORACLE_MAX_PAIRS:
        none = np.zeros(0, np.int64)
        assert refine_exact(a, b, C, none, none)[7] == work
    return "exact", m * n, elapsed, r.method


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--problems", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    tally, methods, times, pairs = {}, {}, [], []
    for k in range(args.problems):
        verdict, size, elapsed, method = one(rng)
        tally[verdict] = tally.get(verdict, 0) + 1
        methods[method] = methods.get(method, 0) + 1
        times.append(elapsed)
        pairs.append(size)
        if (k + 1) % 100 == 0:  # a running tally: the Fraction checks take minutes
            print(f"after {k + 1}: {tally}; methods {methods}", flush=True)
    print(f"{args.problems} problems, {min(pairs)} to {max(pairs)} pairs: {tally}; "
          f"methods {methods}; emd time median {np.median(times):.4f} s, "
          f"max {max(times):.3f} s")


if __name__ == "__main__":
    main()
