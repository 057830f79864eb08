"""Where the assignment route stops beating the all-arcs block on uniform clouds, CPU time.

    PYTHONPATH=src python bench/assignment_threshold.py [--sizes 32 48 64 96 128 200] [--rounds 5]

Uniform 2-D clouds with squared Euclidean costs (bench/_small.py's first family, 5 instances),
prepared once; the compiled engine's one call that emd() makes (the solve and its exact check,
``solve_small_exact``) runs with the shortcuts on (the assignment route) and off (the block),
alternating. Prints medians and block / assignment; assignment.ASSIGNMENT_BELOW is set from it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _small import alternating_medians, load, problem  # noqa: E402

from emdkit.core import prepare  # noqa: E402
from emdkit.core.block import solve_small_exact  # noqa: E402
from emdkit.core.validation import as_dense_problem  # noqa: E402

CALLS_PER_ROUND = 4000  # divided by n: about the same time per size


def per_call(preps, shortcuts: bool, calls: int) -> float:
    """CPU seconds per solve over ``calls`` passes through the prepared problems."""
    start = time.process_time()
    for _ in range(calls):
        for prep in preps:
            p = prep.problem
            solve_small_exact(p.a, p.b, prep.Cs, prep.max_iter, shortcuts, p.weight_exp,
                              prep.cost_exp)
    return (time.process_time() - start) / (calls * len(preps))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[32, 48, 64, 96, 128, 200])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    if solve_small_exact is None:
        print("the compiled engine is not built", file=sys.stderr)
        return 2
    print(f"load before: {load()}")
    for n in args.sizes:
        preps = [prepare.prepare_dense(*as_dense_problem(*problem(
            "clouds, uniform, sqeuclidean", n, seed)[:3], allow_inf=True)) for seed in range(5)]
        calls = CALLS_PER_ROUND // (10 * n) + 1
        a, b = alternating_medians(args.rounds, lambda: per_call(preps, True, calls),
                                   lambda: per_call(preps, False, calls))
        print(f"n={n}: assignment {a * 1e6:.0f} µs, block {b * 1e6:.0f} µs, "
              f"block / assignment {b / a:.2f}", flush=True)
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
