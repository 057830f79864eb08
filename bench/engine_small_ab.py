"""Two builds of bench/engine_small.cpp side by side: CPU time per solve, alternating.

Run:  python bench/engine_small_ab.py OLD_BINARY NEW_BINARY [--rounds 3]

Each round runs every (family, n) once per build, old then new, so a change of load hits both
alike; the table gives the median over rounds, the pivots and whether both builds reached the
same summed work (the same optima, to the bit). Build each binary against its checkout as
engine_small.cpp's header says.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess

FAMILIES = ("clouds", "random", "lab", "uniform")
SIZES = {64: 40, 128: 12, 256: 3}  # n -> solves of each of the 5 instances per run
LINE = re.compile(r": ([0-9.]+) us/solve, (\d+) pivots, work (\S+), bad (\d+)")


def run(binary: str, family: str, n: int, repeats: int):
    out = subprocess.run([binary, family, str(n), str(repeats)], capture_output=True,
                         text=True, check=True).stdout
    time_us, pivots, work, bad = LINE.search(out).groups()
    return float(time_us), int(pivots), work, int(bad)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    # uniform weights below 256 points take the assignment route, which the simplex does not
    cases = [(f, n) for f in FAMILIES for n in SIZES if f != "uniform" or n == 256]
    runs: dict = {}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for family, n in cases:
            for version, binary in (("old", args.old), ("new", args.new)):
                runs.setdefault((family, n, version), []).append(
                    run(binary, family, n, SIZES[n]))
        loads.append(os.getloadavg()[0])
    print("load average (1 min) before and after each round:",
          " ".join(f"{x:.1f}" for x in loads))
    print("| family | n | pivots | old (µs CPU) | new (µs CPU) | new/old | same work, all certified |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for family, n in cases:
        old, new = runs[(family, n, "old")], runs[(family, n, "new")]
        t_old = statistics.median(r[0] for r in old)
        t_new = statistics.median(r[0] for r in new)
        same = all(o[1:3] == w[1:3] for o, w in zip(old, new)) and \
            not any(r[3] for r in old + new)
        print(f"| {family} | {n} | {old[0][1]} | {t_old:.0f} | {t_new:.0f} | "
              f"{t_new / t_old:.2f} | {same} |")


if __name__ == "__main__":
    main()
