"""Small and medium problems against POT (issue 22): ``bench/run_core.py --small``.

Four families at n = 16 … 1000, one thread each, in one run: 2-D clouds with uniform weights
(squared Euclidean), 2-D clouds with random weights (squared Euclidean, equal totals), random
costs in [0, 1) with random weights (equal totals), and Lab colour signatures (random sRGB
colours in CIELAB, Euclidean, integer pixel counts with unequal totals; POT gets a zero-cost
dummy on the lighter side, as in ``--batch``'s pairwise row).

Each size is five instances. Per repeat, each instance runs ``ot.emd2``, ``emdkit.emd`` and
the engine call alone (the compiled solve that ``emd`` makes on the prepared problem, its exact
check included where that is on, without validation, preparation or the result's assembly),
one after the other, so that a change of load hits all three alike. Reported: medians over instances × repeats, the ratios emdkit/POT
and engine/POT, and the largest relative difference between emdkit's work and POT's.

``--src A --src B`` compares checkouts: each round runs one worker process per ``src``
folder, alternating, and the table gives each version's median over rounds.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = (16, 32, 64, 128, 256, 512, 1000)
FAMILIES = ("clouds, uniform, sqeuclidean", "clouds, random weights", "random costs",
            "Lab colour signatures")
INSTANCES = 5
# Timed calls per instance: many at small n, where one call is tens of microseconds (other
# sizes given with --sizes: 1000 // n, at least 2).
REPEATS = {16: 60, 32: 40, 64: 20, 128: 10, 256: 5, 512: 3, 1000: 2}


def problem(family: str, n: int, seed: int):
    """(a, b, C, pot) for one instance: weights, costs and POT's value as a closure."""
    from scipy.spatial.distance import cdist
    rng = np.random.default_rng([22, FAMILIES.index(family), n, seed])
    if family == "Lab colour signatures":
        from emdkit.images.signature import to_colour_space
        X = to_colour_space(rng.integers(0, 256, (n, 3), dtype=np.uint8), "lab")
        Y = to_colour_space(rng.integers(0, 256, (n, 3), dtype=np.uint8), "lab")
        a = rng.integers(1, 3000, n).astype(float)
        b = rng.integers(1, 3000, n).astype(float)
        return a, b, cdist(X, Y), _pot_with_dummy(a, b, cdist(X, Y))
    if family == "random costs":
        C = rng.random((n, n))
    else:
        C = cdist(rng.random((n, 2)), rng.random((n, 2)), "sqeuclidean")
    if family == "clouds, uniform, sqeuclidean":
        a = b = np.full(n, 1.0 / n)
    else:
        a, b = rng.random(n) + 0.01, rng.random(n) + 0.01
        b = b * (a.sum() / b.sum())
    return a, b, C, lambda: _pot(a, b, C)


def _pot(a, b, C):
    import ot
    return float(ot.emd2(a, b, C, numItermax=10**9))


def _pot_with_dummy(a, b, C):
    """Rubner's work with POT: a zero-cost dummy on the lighter side takes the surplus."""
    sa, sb = a.sum(), b.sum()
    if sa > sb:
        C, b = np.hstack([C, np.zeros((C.shape[0], 1))]), np.append(b, sa - sb)
    elif sb > sa:
        C, a = np.vstack([C, np.zeros((1, C.shape[1]))]), np.append(a, sb - sa)
    return lambda: _pot(a, b, C)


def engine_call(a, b, C):
    """The compiled solve that emd() makes on the prepared problem, as a closure: the
    small-problem block (solve_small) or candidate rounds with their certificate."""
    from emdkit.core import prepare
    from emdkit.core.block import solve_small, solve_small_exact
    from emdkit.core.candidate_rounds import certify_live, solve_candidate_rounds
    from emdkit.core.exact import exact_everywhere
    from emdkit.core.validation import as_dense_problem
    prep = prepare.prepare_dense(*as_dense_problem(a, b, C, allow_inf=True))
    p = prep.problem
    if prep.path == "small" and solve_small_exact is not None and exact_everywhere():
        # the call emd() makes: the solve and its exact check (exact verification is on)
        return prep.path, lambda: solve_small_exact(p.a, p.b, prep.Cs, prep.max_iter,
                                                    prepare.FAST_PATHS, p.weight_exp,
                                                    prep.cost_exp)
    if prep.path == "small":
        return prep.path, lambda: solve_small(p.a, p.b, prep.Cs, prep.max_iter,
                                              prepare.FAST_PATHS)
    if prep.path != "candidate_rounds":
        raise RuntimeError(f"unexpected path {prep.path}")

    def rounds():
        ns = solve_candidate_rounds(p, prep.Cs, prep.max_iter, 1)
        return certify_live(p, ns, prep.Cs)
    return prep.path, rounds


def measure(families=FAMILIES, sizes=SIZES, scale: float = 1.0) -> dict:
    """{family: {n: {...}}} timed in this process (see the module docstring)."""
    import emdkit
    emdkit.emd(np.ones(3), np.ones(3), np.ones((3, 3)))  # load the engine
    out = {}
    for family in families:
        out[family] = {}
        for n in sizes:
            cases = []
            for seed in range(INSTANCES):
                a, b, C, pot = problem(family, n, seed)
                path, engine = engine_call(a, b, C)
                cases.append((a, b, C, pot, engine))
                pot(), engine()  # warm caches and allocators
            t_pot, t_emd, t_eng, err, methods = [], [], [], 0.0, set()
            for _ in range(max(1, round(REPEATS.get(n, max(2, 1000 // n)) * scale))):
                for a, b, C, pot, engine in cases:
                    t0 = time.perf_counter_ns()
                    v = pot()
                    t1 = time.perf_counter_ns()
                    r = emdkit.emd(a, b, C)
                    t2 = time.perf_counter_ns()
                    engine()
                    t3 = time.perf_counter_ns()
                    t_pot.append(t1 - t0)
                    t_emd.append(t2 - t1)
                    t_eng.append(t3 - t2)
                    err = max(err, abs(r.work - v) / max(abs(v), 1e-300))
                    methods.add(r.method)
            out[family][n] = {"pot": statistics.median(t_pot) * 1e-9,
                              "emd": statistics.median(t_emd) * 1e-9,
                              "engine": statistics.median(t_eng) * 1e-9,
                              "err": err, "method": "/".join(sorted(methods)), "path": path}
            row = out[family][n]
            print(f"{family} n={n}: POT {row['pot'] * 1e6:.0f} us, emd {row['emd'] * 1e6:.0f} us "
                  f"({row['emd'] / row['pot']:.2f}), engine {row['engine'] * 1e6:.0f} us "
                  f"({row['engine'] / row['pot']:.2f}), err {err:.1e}, {row['method']}",
                  file=sys.stderr, flush=True)
    return out


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def alternating_medians(rounds: int, *timers) -> list[float]:
    """Each timer (no arguments, returns seconds) called once a round, in turn, so that a
    change of load hits them alike; their medians over the rounds."""
    times = [[] for _ in timers]
    for _ in range(rounds):
        for timer, seconds in zip(timers, times):
            seconds.append(timer())
    return [statistics.median(s) for s in times]


def compare(sources: list[str], rounds: int, scale: float, families, sizes) -> dict:
    """{src: {family: {n: medians over rounds}}}, worker processes alternating per round."""
    runs = {src: [] for src in sources}
    for _ in range(rounds):
        for src in sources:
            env = dict(os.environ, PYTHONPATH=str(Path(src).resolve()))
            cmd = [sys.executable, str(Path(__file__).resolve()), str(scale),
                   json.dumps(list(families)), json.dumps(list(sizes))]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
            runs[src].append(json.loads(done.stdout))
    out = {}
    for src, results in runs.items():
        out[src] = {f: {n: {k: (statistics.median(r[f][str(n)][k] for r in results)
                                if k not in ("method", "path") else results[0][f][str(n)][k])
                            for k in results[0][f][str(n)]}
                        for n in sizes} for f in families}
    return out


def table(results: dict, labels: list[str]) -> list[str]:
    """Markdown: one table per family, a column group per version."""
    lines = []
    versions = list(results)
    families = list(results[versions[0]])
    for family in families:
        head = "| n | path | POT (µs) |"
        rule = "|---:|---|---:|"
        for label in labels:
            head += f" {label}: emd (µs) | engine (µs) | emd/POT | engine/POT |"
            rule += "---:|---:|---:|---:|"
        lines += [f"**{family}**", "", head + " max rel. diff |", rule + "---:|"]
        for n in results[versions[0]][family]:
            first = results[versions[0]][family][n]
            pot = statistics.median(results[v][family][n]["pot"] for v in versions)
            line = f"| {n} | {first['method']} | {pot * 1e6:.0f} |"
            err = 0.0
            for v in versions:
                r = results[v][family][n]
                line += (f" {r['emd'] * 1e6:.0f} | {r['engine'] * 1e6:.0f} | "
                         f"**{r['emd'] / r['pot']:.2f}** | {r['engine'] / r['pot']:.2f} |")
                err = max(err, r["err"])
            lines.append(line + f" {err:.0e} |")
        lines.append("")
    return lines


if __name__ == "__main__":  # worker: python _small.py SCALE FAMILIES_JSON SIZES_JSON
    res = measure(json.loads(sys.argv[2]), json.loads(sys.argv[3]), float(sys.argv[1]))
    print(json.dumps(res))
