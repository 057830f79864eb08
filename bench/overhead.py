"""Per-call overhead of one small ``emdkit.emd`` call, with POT's ``ot.emd2`` beside it.

Run:  python bench/overhead.py [--calls 3000] [--rounds 5]
      python bench/overhead.py --ab OLD_SRC [--sizes 16 24]   (old against new, see below)

Inputs: n random 2-D points a side (n = 16 and 24), Euclidean costs, random positive weights
normalised to total 1 (POT needs equal totals), float64 C-contiguous arrays (the validation's
fast lane). For each size, three callables are timed in blocks of ``--calls`` consecutive
calls, the blocks alternating over ``--rounds`` rounds so that a change in the machine's load
falls on all of them alike; each block gives the median of its calls:

* ``emd``: ``emdkit.emd(a, b, C)``, the whole public call;
* ``engine``: the engine's solve of the same prepared problem (``solve_small`` on the kept,
  rescaled weights and costs: the simplex, its certificate and the canonical work), what no
  Python could remove;
* ``ot.emd2``: POT's network simplex, the whole public call.

The overhead is emd − engine: validation, preparation, the engine call's hand-over and the
result's assembly. The figure reported is the median over rounds; machine and load are printed
with it. Each is timed twice: on the wall clock, and on this thread's CPU clock
(``time.thread_time``), which leaves out the time the thread waits for a core on a loaded
machine (the wall-clock figures then grow with the load; the CPU ones much less).

``--ab OLD_SRC`` times ``emdkit.emd`` alone on the same inputs with the package under OLD_SRC
(another checkout's ``src``, its engine built) and with this one, each in its own process,
alternating four times; every run is the median of ``--calls`` calls.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


def problem(n: int):
    rng = np.random.default_rng(n)
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    C = np.sqrt(((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1))
    a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
    return a / a.sum(), b / b.sum(), C


def in_blocks(fns: dict, calls: int, clock=time.perf_counter) -> dict:
    """Median seconds of each callable over a block of ``calls`` consecutive calls, the
    blocks taken in turn (a loop of one call, as a user's loop runs it: interleaving single
    calls would let POT's large working set evict emdkit's from the caches and the reverse)."""
    out = {}
    for name, fn in fns.items():
        times = []
        for _ in range(calls):
            t0 = clock()
            fn()
            times.append(clock() - t0)
        out[name] = statistics.median(times)
    return out


def emd_only(n: int, calls: int) -> float:
    """Median µs of ``emdkit.emd`` on problem(n), after a warm-up (one process's run)."""
    import emdkit
    a, b, C = problem(n)
    for _ in range(300):
        emdkit.emd(a, b, C)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        emdkit.emd(a, b, C)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def old_against_new(old_src: str, sizes: list[int], calls: int) -> None:
    trees = {"old": str(Path(old_src).resolve()), "new": str(Path(__file__).parents[1] / "src")}
    print(f"load before {os.getloadavg()[0]:.2f}")
    print("| n | old emd (µs), 4 runs | new emd (µs), 4 runs | old / new (medians) |")
    print("|---|---|---|---|")
    for n in sizes:
        runs = {name: [] for name in trees}
        for _ in range(4):
            for name, src in trees.items():
                out = subprocess.run([sys.executable, __file__, "--one", str(n), "--calls",
                                      str(calls)], env=dict(os.environ, PYTHONPATH=src),
                                     capture_output=True, text=True, check=True).stdout
                runs[name].append(json.loads(out))
        old, new = (statistics.median(runs[k]) for k in trees)
        print(f"| {n} | {', '.join(f'{x:.1f}' for x in runs['old'])} | "
              f"{', '.join(f'{x:.1f}' for x in runs['new'])} | {old / new:.2f} |")
    print(f"load after {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ab", metavar="OLD_SRC", help="old against new: the other src tree")
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 24])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # one process of --ab
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(emd_only(args.one, args.calls)))
        return
    if args.ab:
        old_against_new(args.ab, args.sizes, args.calls)
        return

    import emdkit
    from emdkit.core.block import solve_small
    from emdkit.core.engine import engine_name
    from emdkit.core.prepare import prepare_dense
    from emdkit.core.validation import as_dense_problem
    try:
        import ot
    except ImportError:  # POT is an optional peer here
        ot = None

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, engine {engine_name()}, "
          f"load before {os.getloadavg()[0]:.2f}")
    print("| n | clock | emd (µs) | engine solve (µs) | overhead (µs) | ot.emd2 (µs) | method |")
    print("|---|---|---|---|---|---|---|")
    for n in (16, 24):
        a, b, C = problem(n)
        prep = prepare_dense(*as_dense_problem(a, b, C, allow_inf=True))
        p = prep.problem
        fns = {"emd": lambda: emdkit.emd(a, b, C),
               "engine": lambda: solve_small(p.a, p.b, prep.Cs, prep.max_iter, True)}
        if ot is not None:
            fns["ot"] = lambda: ot.emd2(a, b, C)
        in_blocks(fns, 200)  # warm-up
        for label, clock in (("wall", time.perf_counter), ("CPU", time.thread_time)):
            rounds = [in_blocks(fns, args.calls, clock) for _ in range(args.rounds)]
            med = {k: statistics.median(r[k] for r in rounds) * 1e6 for k in fns}
            over = statistics.median((r["emd"] - r["engine"]) * 1e6 for r in rounds)
            pot = f"{med['ot']:.1f}" if ot is not None else "—"
            print(f"| {n} | {label} | {med['emd']:.1f} | {med['engine']:.1f} | {over:.1f} | "
                  f"{pot} | {emdkit.emd(a, b, C).method} |")
    print(f"load after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
