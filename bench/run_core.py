"""Core benchmark: emdkit against POT, `wasserstein`, pyemd, OpenCV and SciPy on the same inputs.

Run:  .venv/bin/python bench/run_core.py [--quick] [--out FILE] [--overwrite]
      .venv/bin/python bench/run_core.py --under-load [--out FILE] [--overwrite]
      .venv/bin/python bench/run_core.py --batch [--out FILE] [--overwrite]
      .venv/bin/python bench/run_core.py --small [--busy] [--src OLD/src --src NEW/src]

--under-load times emdkit and POT at n = 300, 1000 and 2000 twice in one run: on a quiet
machine, then with a CPU-bound process busy on every core but one (started and stopped here).
--batch times emd_batch against a loop of ot.emd2 (and of emdkit.emd) on B = 4,000 one-to-many
problems and B = 64 random 256×256 problems, and pairwise_emd over 300 colour signatures
against a loop of ot.emd2.
--small times four families of small and medium problems (n = 16 … 1000) against ot.emd2, with
the engine call alone beside the full emd() call (bench/_small.py says how); --busy keeps one
core busy meanwhile, --src compares checkouts in alternating worker processes.

Every peer is timed in this one run on identical inputs; we report the median over repeats and
the ratio to emdkit (ratio > 1: emdkit is faster), plus each peer's relative error against
emdkit's certified value. The `wasserstein` package needs numpy < 2, so it runs from its own
virtual environment (bench/.venv-wasserstein, made by `make bench-env`) through
bench/_wasserstein_worker.py, which times only the solve.
Peers that are not installed are reported as such, never silently skipped.
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from scipy.stats import wasserstein_distance

import emdkit
from _output import add_out_arguments, refuse_existing_out  # noqa: E402 (bench/ is sys.path[0])

HERE = Path(__file__).resolve().parent
WASSERSTEIN_PY = HERE / ".venv-wasserstein" / "bin" / "python"


def median_time(fn, repeats):
    times, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


# ---------------------------------------------------------------- peers on one dense problem
def peer_pot(a, b, C):
    import ot
    return float(ot.emd2(a, b, C, numItermax=10**9))


def peer_pot_default(a, b, C):
    import ot
    return float(ot.emd2(a, b, C))  # POT's default numItermax=100000: may stop early


def peer_pyemd(X, Y, a, b, metric):
    """pyemd's histograms share one bin set, so the bins are X ∪ Y with the union's distances."""
    import pyemd
    Z = np.concatenate([X, Y])
    D = np.ascontiguousarray(cdist(Z, Z, metric))
    h1 = np.concatenate([a, np.zeros(b.size)])
    h2 = np.concatenate([np.zeros(a.size), b])
    return float(pyemd.emd(h1, h2, D))


def peer_opencv(a, b, C):
    import cv2
    s1 = np.column_stack([a, np.arange(a.size)]).astype(np.float32)
    s2 = np.column_stack([b, np.arange(b.size)]).astype(np.float32)
    dist, _, _ = cv2.EMD(s1, s2, cv2.DIST_USER, cost=C.astype(np.float32))
    return float(dist) * min(a.sum(), b.sum())  # cv2 returns work / larger total


def peer_lsa(C):
    r, c = linear_sum_assignment(C)
    return float(C[r, c].sum()) / C.shape[0]


def run_wasserstein(X, Y, beta, repeats):
    """Time the `wasserstein` package in its own venv; returns (median seconds, value) or None."""
    if not WASSERSTEIN_PY.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "problem.npz"
        np.savez(path, X=X, Y=Y)
        out = subprocess.run([str(WASSERSTEIN_PY), str(HERE / "_wasserstein_worker.py"), str(path),
                              str(beta), str(repeats)], capture_output=True, text=True,
                             timeout=1800)
    if out.returncode != 0:
        return ("error", out.stderr.strip().splitlines()[-1] if out.stderr else "failed")
    res = json.loads(out.stdout)
    return res["median_s"], res["value"]


def point_cloud_rows(sizes, quick):
    rows = []
    rng = np.random.default_rng(0)
    for n in sizes:
        for dim, metric in [(2, "euclidean"), (3, "euclidean"), (2, "sqeuclidean"), (3, "sqeuclidean")]:
            X, Y = rng.random((n, dim)), rng.random((n, dim))
            a = np.full(n, 1.0 / n)
            C = cdist(X, Y, metric)
            repeats = 1 if (quick or n >= 4000) else (3 if n >= 1000 else 5)
            t_cost, _ = median_time(lambda: cdist(X, Y, metric), repeats)
            t_ours, r = median_time(lambda: emdkit.emd(a, a, C), repeats)
            ref = r.work
            row = {"problem": f"n={n} {dim}-D {metric}", "emdkit": t_ours, "cost matrix": t_cost,
                   "peers": {}}
            peers = [("POT ot.emd2", lambda: peer_pot(a, a, C)),
                     ("POT default iters", lambda: peer_pot_default(a, a, C)),
                     ("scipy LSA", lambda: peer_lsa(C))]
            if n <= 1000:  # both take minutes beyond this
                peers.append(("OpenCV cv2.EMD", lambda: peer_opencv(a, a, C)))
                peers.append(("pyemd", lambda: peer_pyemd(X, Y, a, a, metric)))
            for name, fn in peers:
                try:
                    t, v = median_time(fn, repeats)
                    row["peers"][name] = (t, abs(v - ref) / ref)
                except Exception as exc:  # a peer crashing is a result worth reporting
                    row["peers"][name] = ("error", f"{type(exc).__name__}: {exc}"[:80])
            w = run_wasserstein(X, Y, 1 if metric == "euclidean" else 2, repeats)
            if w is None:
                row["peers"]["wasserstein"] = ("missing", "make bench-env")
            elif w[0] == "error":
                row["peers"]["wasserstein"] = w
            else:
                row["peers"]["wasserstein"] = (w[0], abs(w[1] - ref) / ref)
            rows.append(row)
            print(format_row(row), flush=True)
    return rows


def format_row(row):
    parts = [f"{row['problem']}: emdkit {row['emdkit']:.4f}s"]
    for name, (t, err) in row["peers"].items():
        if isinstance(t, str):
            parts.append(f"{name} {t} ({err})")
        else:
            parts.append(f"{name} {t:.4f}s x{t / row['emdkit']:.2f} err {err:.1e}")
    return " | ".join(parts)


# ---------------------------------------------------------------- pairwise signatures
def colour_signatures(count, seed=0):
    rng = np.random.default_rng(seed)
    sigs = []
    for _ in range(count):
        k = int(rng.integers(20, 61))
        centres = rng.random((k, 3)) * 255
        sigs.append((centres, rng.integers(1, 3000, k).astype(float)))
    return sigs


def pot_work_with_dummy(wx, wy, C):
    """Rubner's work with POT: a zero-cost dummy on the lighter side takes the surplus."""
    import ot
    sa, sb = wx.sum(), wy.sum()
    if sa > sb:
        C = np.hstack([C, np.zeros((C.shape[0], 1))])
        wy = np.append(wy, sa - sb)
    elif sb > sa:
        C = np.vstack([C, np.zeros((1, C.shape[1]))])
        wx = np.append(wx, sb - sa)
    return float(ot.emd2(wx, wy, C, numItermax=10**9))


def pot_pair_with_dummy(X, wx, Y, wy):
    return pot_work_with_dummy(wx, wy, cdist(X, Y)) / min(wx.sum(), wy.sum())


def pairwise_row(count):
    sigs = colour_signatures(count)
    emdkit.pairwise_emd(sigs[:3])  # load the compiled kernel
    t_ours, D = median_time(lambda: emdkit.pairwise_emd(sigs), 3)
    pairs = [(i, j) for i in range(count) for j in range(i + 1, count)]
    t0 = time.perf_counter()
    worst = 0.0
    for i, j in pairs:
        v = pot_pair_with_dummy(*sigs[i], *sigs[j])
        worst = max(worst, abs(v - D[i, j]) / max(D[i, j], 1e-300))
    t_pot = time.perf_counter() - t0
    row = {"problem": f"pairwise_emd, {count} signatures of 20-60 colours, unequal totals "
                      f"({len(pairs)} pairs)",
           "emdkit": t_ours, "cost matrix": float("nan"),
           "peers": {"Python loop of POT ot.emd2 + dummy": (t_pot, worst)}}
    print(format_row(row), flush=True)
    return row


# ---------------------------------------------------------------- 1-D
def one_d_row(n):
    import ot
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=n), rng.normal(0.5, 2.0, size=n)
    t_ours, ref = median_time(lambda: emdkit.wasserstein_1d(u, v), 5)
    row = {"problem": f"1-D W1, {n:,} samples each", "emdkit": t_ours, "cost matrix": float("nan"),
           "peers": {}}
    for name, fn in [("scipy wasserstein_distance", lambda: wasserstein_distance(u, v)),
                     ("POT ot.wasserstein_1d", lambda: float(ot.wasserstein_1d(u, v, p=1)))]:
        t, val = median_time(fn, 5)
        row["peers"][name] = (t, abs(val - ref) / ref)
    print(format_row(row), flush=True)
    return row


# ---------------------------------------------------------------- under load
BUSY_LOOP = "import time\nwhile True:\n    sum(range(10000))"


class BusyCores:
    """CPU-bound processes on every core but one, as another program would keep them busy."""

    def __init__(self, count: int):
        self.count = count

    def __enter__(self):
        self.procs = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
                      for _ in range(self.count)]
        time.sleep(1.0)  # let the scheduler settle them on their cores
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.kill()
            proc.wait()
        return False


def load_rows(sizes, repeats):
    """emdkit.emd and POT on the same 2-D problems; returns {label: (emdkit s, POT s)}."""
    rng = np.random.default_rng(7)
    out = {}
    for n in sizes:
        for weights in ("uniform", "random"):
            X, Y = rng.random((n, 2)), rng.random((n, 2))
            a = np.full(n, 1.0 / n) if weights == "uniform" else rng.random(n)
            b = np.full(n, 1.0 / n) if weights == "uniform" else rng.random(n)
            b = b * a.sum() / b.sum()
            C = cdist(X, Y)
            t_ours, r = median_time(lambda: emdkit.emd(a, b, C), repeats)
            t_pot, v = median_time(lambda: peer_pot(a, b, C), repeats)
            assert abs(v - r.work) <= 1e-9 * r.work, (v, r.work)
            out[f"n={n}, {weights} weights"] = (t_ours, t_pot)
            print(f"n={n} {weights}: emdkit {t_ours * 1e3:.1f} ms, POT {t_pot * 1e3:.1f} ms",
                  flush=True)
    return out


def under_load(args) -> int:
    import os
    sizes = [300, 1000] if args.quick else [300, 1000, 2000]
    repeats = 3 if args.quick else 5
    busy = max(1, (os.cpu_count() or 2) - 1)
    emdkit.warmup()
    quiet = load_rows(sizes, repeats)
    with BusyCores(busy):
        loaded = load_rows(sizes, repeats)
    lines = ["# Core benchmark under load", "",
             f"Machine: {machine()}. {args.note}", "",
             f"Command: `.venv/bin/python bench/run_core.py --under-load`. Uniform 2-D points, "
             f"euclidean, median of {repeats}. The loaded columns run while {busy} CPU-bound "
             f"process(es) keep every core but one busy (started and stopped by the script). "
             "emdkit runs with its defaults (the simplex is serial; threads only for sweeps of "
             "4M pairs or more when asked). Target: emdkit ≤ 0.7× POT's time under load.", "",
             "| problem | quiet: emdkit (ms) | quiet: POT (ms) | quiet ratio | loaded: emdkit "
             "(ms) | loaded: POT (ms) | loaded ratio emdkit/POT |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label in quiet:
        (qo, qp), (lo, lp) = quiet[label], loaded[label]
        lines.append(f"| {label} | {qo * 1e3:.1f} | {qp * 1e3:.1f} | {qo / qp:.2f} | "
                     f"{lo * 1e3:.1f} | {lp * 1e3:.1f} | **{lo / lp:.2f}** |")
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


# ---------------------------------------------------------------- many problems
def batch_rows(B, n, repeats, kind):
    import ot
    rng = np.random.default_rng(3)
    a = rng.random((B, n)) + 0.01
    b = rng.random((B, n)) + 0.01
    b *= (a.sum(1) / b.sum(1))[:, None]
    if kind == "uniform costs in [0, 1)":
        C = rng.random((B, n, n))
    else:  # random 2-D point clouds, squared euclidean
        C = np.stack([cdist(rng.random((n, 2)), rng.random((n, 2)), "sqeuclidean")
                      for _ in range(B)])
    t_batch, res = median_time(lambda: emdkit.emd_batch(a, b, C), repeats)
    t_loop, loop = median_time(lambda: [emdkit.emd(a[k], b[k], C[k]) for k in range(B)],
                               repeats)
    t_pot, pot = median_time(lambda: [float(ot.emd2(a[k], b[k], C[k], numItermax=10**9))
                                      for k in range(B)], repeats)
    same = max(abs(res[k].distance - loop[k].distance) / loop[k].distance for k in range(B))
    pot_err = max(abs(pot[k] - res[k].work) / res[k].work for k in range(B))
    return {"problem": f"emd_batch, B = {B} random {n}×{n} problems ({kind})",
            "emdkit": t_batch, "cost matrix": float("nan"),
            "peers": {"loop of emdkit.emd": (t_loop, same),
                      "loop of POT ot.emd2": (t_pot, pot_err)}}


def one_to_many_row(B, repeats):
    """Issue 24: B problems with one row and three columns (the closed form), ragged lists."""
    rng = np.random.default_rng(24)
    a = [rng.random(1) + 0.1 for _ in range(B)]
    b = [rng.random(3) + 0.1 for _ in range(B)]
    C = [rng.random((1, 3)) for _ in range(B)]
    t_batch, res = median_time(lambda: emdkit.emd_batch(a, b, C), repeats)
    t_loop, loop = median_time(lambda: [emdkit.emd(a[k], b[k], C[k]) for k in range(B)],
                               repeats)
    # POT has no partial matching: the lighter side is given a zero-cost dummy, as for pairwise
    t_pot, pot = median_time(lambda: [pot_work_with_dummy(a[k], b[k], C[k]) for k in range(B)],
                             repeats)
    same = max(abs(res[k].distance - loop[k].distance) / loop[k].distance for k in range(B))
    pot_err = max(abs(pot[k] - res[k].work) / res[k].work for k in range(B))
    return {"problem": f"emd_batch, B = {B} one-to-many problems (1×3, unequal totals)",
            "emdkit": t_batch, "cost matrix": float("nan"),
            "peers": {"loop of emdkit.emd": (t_loop, same),
                      "loop of POT ot.emd2 + dummy": (t_pot, pot_err)}}


def batch(args) -> int:
    emdkit.warmup()
    rows = [one_to_many_row(400 if args.quick else 4000, 1 if args.quick else 5)]
    print(format_row(rows[-1]), flush=True)
    for kind in ("uniform costs in [0, 1)", "2-D point clouds, sqeuclidean"):
        rows.append(batch_rows(16 if args.quick else 64, 128 if args.quick else 256,
                               1 if args.quick else 3, kind))
        print(format_row(rows[-1]), flush=True)
    rows.append(pairwise_row(40 if args.quick else 300))
    write_markdown(rows, args.out, args.note, title="Batch engine: many problems at once",
                   command="bench/run_core.py --batch")
    return 0


def write_markdown(rows, path: Path, note: str, title: str = "Core benchmark: exact EMD",
                   command: str = "bench/run_core.py"):
    lines = [f"# {title}", "",
             f"Machine: {machine()}. {note}", "",
             f"Command: `.venv/bin/python {command}` (after `make bench-env` for the "
             "`wasserstein` peer). Medians over repeats; ratio = peer time / emdkit time "
             "(> 1 means emdkit is faster); err = the peer's relative error against emdkit's "
             "certified optimum.", "",
             "| problem | emdkit (s) | peer | peer (s) | ratio | peer rel. error |",
             "| --- | ---: | --- | ---: | ---: | ---: |"]
    for row in rows:
        for k, (name, (t, err)) in enumerate(row["peers"].items()):
            first = f"| {row['problem']} | {row['emdkit']:.4f} " if k == 0 else "| | "
            if isinstance(t, str):
                lines.append(first + f"| {name} | {t} | | {err} |")
            else:
                lines.append(first + f"| {name} | {t:.4f} | {t / row['emdkit']:.2f} | {err:.1e} |")
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}")


def small(args) -> int:
    import _small
    families = [f for f in _small.FAMILIES if args.family in f]
    sizes = args.sizes or _small.SIZES
    before = _small.load()
    with BusyCores(1) if args.busy else _nothing():
        if args.src:
            results = _small.compare(args.src, args.rounds, args.scale, families, sizes)
            labels = [Path(s).resolve().parent.name for s in args.src]
        else:
            results = {"emdkit": _small.measure(families, sizes, args.scale)}
            labels = ["emdkit"]
    busy = "one core kept busy by a CPU-bound process" if args.busy else "no extra load"
    lines = ["# Small and medium problems against POT (issue 22)", "",
             f"Machine: {machine()}. {args.note}", "",
             f"Command: `.venv/bin/python bench/run_core.py --small` "
             f"{'--busy ' if args.busy else ''}"
             + " ".join(f"--src {s}" for s in args.src) + f". {busy}; {before} before, "
             f"{_small.load()} after. Times are medians (µs) over {_small.INSTANCES} instances "
             "× repeats; engine = the compiled solve alone; ratios to POT's ot.emd2 in the "
             "same process (< 1: emdkit is faster).", ""]
    lines += _small.table(results, labels)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")
    return 0


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one repeat (smoke run)")
    add_out_arguments(ap, None)
    ap.add_argument("--note", default="", help="free text recorded with the machine line")
    ap.add_argument("--under-load", action="store_true",
                    help="quiet and loaded tables at n = 300, 1000, 2000 (see the docstring)")
    ap.add_argument("--batch", action="store_true", help="emd_batch and pairwise against POT")
    ap.add_argument("--small", action="store_true",
                    help="four families at n = 16 … 1000 against POT (see bench/_small.py)")
    ap.add_argument("--busy", action="store_true", help="--small with one core kept busy")
    ap.add_argument("--src", action="append", default=[],
                    help="--small: a checkout's src folder to compare (repeat; alternating)")
    ap.add_argument("--rounds", type=int, default=3, help="--small --src: rounds per version")
    ap.add_argument("--scale", type=float, default=1.0, help="--small: repeats multiplier")
    ap.add_argument("--family", default="", help="--small: families whose name contains this")
    ap.add_argument("--sizes", type=int, nargs="*", help="--small: sizes (default all)")
    args = ap.parse_args(argv)
    mode_default = ("RESULTS_small.md" if args.small else "RESULTS_load.md" if args.under_load
                    else "RESULTS_batch.md" if args.batch else "RESULTS_core.md")
    args.out = args.out or HERE / mode_default
    refuse_existing_out(args)
    if args.small:
        return small(args)
    if args.under_load:
        return under_load(args)
    if args.batch:
        return batch(args)
    sizes = [100, 500] if args.quick else [100, 500, 1000, 2000, 4000]
    emdkit.emd(np.ones(3), np.ones(3), np.ones((3, 3)))  # compiled code loads from cache
    rows = point_cloud_rows(sizes, args.quick)
    rows.append(pairwise_row(40 if args.quick else 300))
    rows.append(one_d_row(10**5 if args.quick else 10**6))
    write_markdown(rows, args.out, args.note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
