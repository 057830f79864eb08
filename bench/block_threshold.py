"""Where one all-arcs block stops beating candidate rounds: emd() on both routes, CPU time.

    PYTHONPATH=src python bench/block_threshold.py [--sizes 256 300 350] [--rounds 3]

For each of bench/_small.py's four families and each size n (n × n problems, 4 instances),
times :func:`emdkit.emd` with the dispatch threshold below the problem (candidate rounds) and
above it (the block), alternating, and prints the medians and their ratio (block / rounds).
block.ALL_ARCS_BELOW is set from these ratios.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _small import FAMILIES, alternating_medians, load, problem  # noqa: E402

import emdkit  # noqa: E402
from emdkit.core import prepare  # noqa: E402

BELOW_EVERY_SIZE = 1_000  # the threshold that sends every problem timed here to the rounds
ABOVE_EVERY_SIZE = 10**7  # ... and to the block


def time_route(problems, threshold: int, routes: dict) -> float:
    """CPU seconds per problem with the dispatch threshold set; the route taken goes into
    ``routes[threshold]``."""
    prepare.ALL_ARCS_BELOW = threshold
    start = time.process_time()
    for a, b, C, _ in problems:
        routes[threshold] = emdkit.emd(a, b, C).method
    return (time.process_time() - start) / len(problems)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 300, 350])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    print(f"load before: {load()}")
    for n in args.sizes:
        for family in FAMILIES:
            problems = [problem(family, n, seed) for seed in range(4)]
            routes = {}
            r, b = alternating_medians(
                args.rounds, lambda: time_route(problems, BELOW_EVERY_SIZE, routes),
                lambda: time_route(problems, ABOVE_EVERY_SIZE, routes))
            m_rounds, m_block = routes[BELOW_EVERY_SIZE], routes[ABOVE_EVERY_SIZE]
            print(f"{n}² {family}: {m_rounds} {r * 1e3:.2f} ms, {m_block} {b * 1e3:.2f} ms, "
                  f"block / rounds {b / r:.2f}", flush=True)
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
