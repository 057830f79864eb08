"""How each answer was proven, and how far it is from an independent optimum (issue 20).

Run:  .venv/bin/python bench/exactness_census.py [--quick]
      PYTHONPATH=<other checkout>/src .venv/bin/python bench/exactness_census.py   (before)

Families (the generators of tests/core/families.py, as in the tests):

* big-M: uniform weights, 2 allowed arcs per row and column with costs U(0, 1), 1e8, 1e10 or
  1e12 elsewhere; the issue's 40 problems of 50–300 points, then 1,000 of 10–300;
* split copies: a signature against shuffled copies of its points sharing each point's weight
  (SciPy's test_same_distribution_nD; optimum 0 up to the weights' rounding), 1,000;
* wide range: costs 10^U(-12, 12), 10% zeros, 20% zero weights, half of them unbalanced,
  1,000 of 10–200 points a side, and 200 of 3–40 checked against the exact rational optimum.

For each family: how many answers the strict certificate proved, how many the float64-scale
verdict, how many rational refinement, how many the exact integer simplex (the compiled
engine's, which takes every answer the strict certificate leaves), how many raised SolverError;
how many say they are the exact optimum rounded once (``result.exact``: with the compiled
engine, every answer of the dense paths, which it verifies exactly; the paths of the others
are listed below the row);
and the largest error against the oracle (big-M: HiGHS, one problem in 25, with POT's value
on every problem tallied beside it; the rational optimum for the small wide-range problems;
split copies: the distance).
"""
from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

import emdkit
import emdkit.core.solve as _solve

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.core.families import (BIG_COSTS, big_m_family, big_m_problem,  # noqa: E402
                                  split_copies_family, wide_range_problem)
from tests.core.oracle import lp_emd_work  # noqa: E402

VERDICT = {"last": "strict"}
POT = {"same": 0, "above": 0, "below": 0, "highs_sides_with_us": 0}


def _count_verdicts() -> bool:
    """Wrap the one place that settles uncertified answers (absent before issue 20)."""
    settle = getattr(_solve, "settle_uncertified", None)
    if settle is None:
        return False

    def counted(problem, gap, float_answer, exact_answer=None):
        VERDICT["last"] = "float64 scale"
        return settle(problem, gap, float_answer, exact_answer)

    _solve.settle_uncertified = counted
    return True


def solve(call):
    """(result or None, how it was proven)."""
    VERDICT["last"] = "strict"
    try:
        r = call()
    except emdkit.SolverError:
        return None, "refused"
    return r, (r.method if r.method.startswith("exact_") else VERDICT["last"])


def exact_distance(a, b, C) -> float:
    """The rational optimum (emdkit's rational simplex, from the north-west corner)."""
    from emdkit.core.exact import refine_exact
    from emdkit.core.problem import TransportProblem
    p = TransportProblem.from_weights(np.asarray(a, float), np.asarray(b, float))
    Ck = np.ascontiguousarray(np.asarray(C)[np.ix_(p.rows, p.cols)])
    none = np.zeros(0, np.int64)
    work = refine_exact(p.a, p.b, Ck, none, none)[7]
    # the exact total flow: the float total_flow_scaled is the sum rounded
    total = min(sum(map(Fraction, p.a.tolist())), sum(map(Fraction, p.b.tolist())))
    return float(work / total)


def report(name, rows, t0):
    """One table row; POT's tally (big-M families) is printed after it and reset. "exact"
    counts the answers that say they are the exact optimum rounded once (``result.exact``)."""
    counts = {}
    for _, how, _ in rows:
        counts[how] = counts.get(how, 0) + 1
    exact = sum(1 for r, _, _ in rows if r is not None and getattr(r, "exact", False))
    errors = [e for _, _, e in rows if e is not None]
    worst = f"{max(errors):.1e}" if errors else "–"
    order = ("strict", "float64 scale", "exact_rational", "exact_integer", "refused")
    cells = " | ".join(str(counts.get(k, 0)) for k in order)
    print(f"| {name} | {len(rows)} | {cells} | {exact} of {len(rows)} | "
          f"{worst} ({len(errors)} checked) | "
          f"{time.perf_counter() - t0:.0f} s |", flush=True)
    not_exact = {}
    for r, _, _ in rows:
        if r is not None and not getattr(r, "exact", False):
            not_exact[r.method] = not_exact.get(r.method, 0) + 1
    if not_exact:
        print(f"  not exact, by path: {not_exact}", flush=True)
    if sum(POT.values()):
        print(f"  POT vs emdkit: {POT}", flush=True)
        POT.update(same=0, above=0, below=0, highs_sides_with_us=0)


def big_m_rows(problems, highs_every):
    """Errors against HiGHS (one problem in ``highs_every``); POT's value for every problem
    (when installed) is compared too, and POT["below"] / POT["above"] count the problems where
    POT's value lies more than 1e-9 (relative) below / above ours: above means POT stopped at a
    worse flow (HiGHS decides between us where it ran, POT["highs_sides_with_us"])."""
    try:
        import ot
    except ImportError:
        ot = None
    rows = []
    for k, (a, b, C) in enumerate(problems):
        r, how = solve(lambda: emdkit.emd(a, b, C))
        err = None
        if r is not None and k % highs_every == 0:
            ref = lp_emd_work(a, b, C)
            err = abs(r.work - ref) / ref
        if r is not None and ot is not None:
            pot = float(ot.emd2(a, b, C, numItermax=10**7))
            side = "above" if pot > r.work * (1 + 1e-9) else \
                "below" if pot < r.work * (1 - 1e-9) else "same"
            POT[side] += 1
            if side != "same" and err is not None and err <= 1e-9:
                POT["highs_sides_with_us"] += 1
        rows.append((r, how, err))
    return rows


def issue_repro():
    rng = np.random.default_rng(2020)
    for _ in range(40):
        m, n = (int(x) for x in rng.integers(50, 301, size=2))
        yield big_m_problem(rng, m, n, float(rng.choice(BIG_COSTS)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 problems per family")
    count = 100 if ap.parse_args().quick else 1000
    counted = _count_verdicts()
    print(f"emdkit from {Path(emdkit.__file__).parent}; verdicts counted: {counted}")
    print("| family | problems | strict | float64 scale | exact_rational | exact_integer | "
          "refused | exact | largest error vs oracle | time |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    t0 = time.perf_counter()
    report("big-M, the issue's 40 (50–300 points)", big_m_rows(issue_repro(), 1), t0)
    t0 = time.perf_counter()
    report(f"big-M, {count} of 10–300 points", big_m_rows(big_m_family(22, count, (10, 301)),
                                                          25), t0)
    t0 = time.perf_counter()
    rows = []
    for X, wx, Y, wy in split_copies_family(23, count, 4):
        r, how = solve(lambda: emdkit.signature_emd(X, wx, Y, wy))
        rows.append((r, how, None if r is None else r.distance))  # the error: from 0
    report(f"split copies, {count} (distance, from 0)", rows, t0)
    t0 = time.perf_counter()
    rng = np.random.default_rng(2020)
    rows = []
    for _ in range(count):
        a, b, C = wide_range_problem(rng, (10, 201))
        rows.append((*solve(lambda: emdkit.emd(a, b, C)), None))
    report(f"wide range, {count} of 10–200 points", rows, t0)
    t0 = time.perf_counter()
    rng = np.random.default_rng(2021)
    rows = []
    for _ in range(count // 5):
        a, b, C = wide_range_problem(rng, (3, 41))
        r, how = solve(lambda: emdkit.emd(a, b, C))
        err = None
        if r is not None:
            exact = exact_distance(a, b, C)
            err = abs(r.distance - exact) / exact if exact > 0 else r.distance
        rows.append((r, how, err))
    report(f"wide range, {count // 5} of 3–40 points, against the rational optimum", rows, t0)


if __name__ == "__main__":
    main()
