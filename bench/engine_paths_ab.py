"""Every benchmarked path on the Numba engine and on the compiled one, timed in turns (issue 21).

Run:  .venv/bin/python bench/engine_paths_ab.py [--rounds 5] [--only TEXT ...] [--out FILE]

The workloads are emdkit's side of bench/run_core.py (dense ``emd`` on point clouds, the 300
colour signatures of ``pairwise_emd``, ``wasserstein_1d``), of ``run_core.py --batch``, of
bench/bench_torch.py (``emdkit.nn``, forward + backward) and of bench/bench_images.py
(indexing and search): the same inputs, built by those scripts' own functions, without the
peers (which do not depend on the engine). bench/run_pointcloud.py's solves need a fresh process
each for their peak memory: bench/engine_ab_pointcloud.py runs them; bench_loss.py's losses:
bench/bench_loss_engines.py.

An engine is chosen when emdkit is imported (``EMDKIT_ENGINE``), so each engine has a worker
process of its own, both alive for the whole run. Each worker builds a case's inputs and makes
one untimed call (Numba loads its cache, the compiled engine warms up its pages) the first time
the case is asked for. The parent then asks the two workers in turns for one timed call each,
the order swapped every round (a turn is one call, or the median of repeated calls when one
is short: MIN_TIMED_S), so that load from other processes on the shared machine hits
both alike. Reported per case: the median over rounds of each engine's time, the ratio
compiled / Numba (below 1: the compiled engine is faster), the spread of the per-round ratios
(their min-max, our noise estimate) and whether the values agree bit for bit.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = ("numba", "native")
# One timed turn lasts at least this long: a call faster than that is repeated (at most
# MAX_CALLS times) and the turn reports the median. Single calls of a few ms varied by 0.8-1.5x
# between turns on this shared machine; the medians of 0.2 s turns by under 0.1.
MIN_TIMED_S = 0.2
MAX_CALLS = 200

# --------------------------------------------------------------------------- worker side


def _dense_case(n: int, dim: int, metric: str):
    """run_core.py's point_cloud_rows problem: uniform weights, cdist costs."""
    import numpy as np
    from scipy.spatial.distance import cdist

    import emdkit
    rng = np.random.default_rng(n * 10 + dim)
    X, Y = rng.random((n, dim)), rng.random((n, dim))
    a = np.full(n, 1.0 / n)
    C = cdist(X, Y, metric)
    return lambda: emdkit.emd(a, a, C).work


def _pairwise_case(count: int):
    import emdkit
    from run_core import colour_signatures
    sigs = colour_signatures(count)
    return lambda: float(emdkit.pairwise_emd(sigs).sum())


def _line_case(n: int, p: int):
    import numpy as np

    import emdkit
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=n), rng.normal(0.5, 2.0, size=n)
    return lambda: emdkit.wasserstein_1d(u, v, p=p)


def _batch_case(kind: str):
    """run_core.py --batch's problems (B = 64 random 256×256, or 4,000 one-to-many 1×3)."""
    import numpy as np
    from scipy.spatial.distance import cdist

    import emdkit
    rng = np.random.default_rng(3)
    if kind == "one-to-many":
        rng = np.random.default_rng(24)
        B = 4000
        a = [rng.random(1) + 0.1 for _ in range(B)]
        b = [rng.random(3) + 0.1 for _ in range(B)]
        C = [rng.random((1, 3)) for _ in range(B)]
    else:
        B, n = 64, 256
        a = rng.random((B, n)) + 0.01
        b = rng.random((B, n)) + 0.01
        b *= (a.sum(1) / b.sum(1))[:, None]
        C = (rng.random((B, n, n)) if kind == "uniform" else
             np.stack([cdist(rng.random((n, 2)), rng.random((n, 2)), "sqeuclidean")
                       for _ in range(B)]))
    return lambda: sum(r.work for r in emdkit.emd_batch(a, b, C))


def _torch_case(kind: str):
    import torch

    from bench_torch import clouds, dense_problems
    from emdkit.nn import emd, point_cloud_emd_loss
    torch.set_num_threads(1)
    if kind == "dense":
        a, b, C = dense_problems(64, 256)

        def step():
            ta, tb, tc = (t.clone().requires_grad_() for t in (a, b, C))
            value = emd(ta, tb, tc)
            value.sum().backward()
            return float(value.detach().sum()) + float(tc.grad.sum())
        return step
    x, y = clouds(16, 2048, 3)

    def step():
        xp = x.clone().requires_grad_()
        losses = point_cloud_emd_loss(xp, y, reduction="none")
        losses.sum().backward()
        return float(losses.detach().sum()) + float(xp.grad.sum())
    return step


_IMAGES: dict = {}


def _image_tiles(count: int):
    """bench_images.py's tiles (random 32×32 crops of the bundled demo data), made once."""
    import tempfile

    from emdkit.images.demo_data import make_grid_tiles
    if "tiles" not in _IMAGES:
        work = Path(tempfile.mkdtemp(prefix="emdkit-ab-images-"))
        _IMAGES["work"], _IMAGES["tiles"] = work, make_grid_tiles(work / "tiles", n=count,
                                                                  tile=32, seed=0)
    return _IMAGES["work"], _IMAGES["tiles"]


def _images_case(kind: str, count: int = 400, queries: int = 10):
    import numpy as np

    from emdkit.images import ImageIndex, search_index
    work, tiles = _image_tiles(count)
    if kind == "index":
        runs = iter(range(10**6))

        def index():
            db = work / f"index-{next(runs)}.db"
            with ImageIndex(db) as idx:
                rep = idx.update([work / "tiles"], batch_size=64)
            db.unlink()
            return float(rep.added)
        return index
    db = work / "search.db"
    if not db.exists():
        with ImageIndex(db) as idx:
            idx.update([work / "tiles"], batch_size=64)
    rng = np.random.default_rng(1)
    picked = [tiles[i] for i in rng.choice(len(tiles), size=queries, replace=False)]

    def search():
        with ImageIndex(db) as idx:
            return sum(h.distance for q in picked for h in search_index(idx, q, k=10).hits)
    return search


def cases() -> dict:
    """name -> (factory of the timed call, bench script it comes from)."""
    out = {}
    for n in (100, 500, 1000, 2000, 4000):
        for dim, metric in ((2, "euclidean"), (3, "euclidean"), (2, "sqeuclidean"),
                            (3, "sqeuclidean")):
            out[f"emd n={n} {dim}-D {metric}"] = (
                lambda n=n, dim=dim, metric=metric: _dense_case(n, dim, metric), "run_core.py")
    out["pairwise_emd 300 colour signatures"] = (lambda: _pairwise_case(300), "run_core.py")
    out["wasserstein_1d p=1, 10^6 samples"] = (lambda: _line_case(10**6, 1), "run_core.py")
    out["wasserstein_1d p=2, 10^5 samples"] = (lambda: _line_case(10**5, 2), "(issue 21 note)")
    out["wasserstein_1d p=2, 10^6 samples"] = (lambda: _line_case(10**6, 2), "(issue 21 note)")
    out["emd_batch 4,000 one-to-many 1×3"] = (lambda: _batch_case("one-to-many"),
                                              "run_core.py --batch")
    out["emd_batch 64 × 256×256 uniform costs"] = (lambda: _batch_case("uniform"),
                                                   "run_core.py --batch")
    out["emd_batch 64 × 256×256 2-D sqeuclidean"] = (lambda: _batch_case("clouds"),
                                                     "run_core.py --batch")
    out["nn.emd B=64 256×256 fwd+bwd"] = (lambda: _torch_case("dense"), "bench_torch.py")
    out["nn.point_cloud_emd_loss B=16 N=2048 d=3 fwd+bwd"] = (lambda: _torch_case("clouds"),
                                                              "bench_torch.py")
    out["images: index 400 tiles"] = (lambda: _images_case("index"), "bench_images.py")
    out["images: 10 searches over 400 tiles"] = (lambda: _images_case("search"),
                                                 "bench_images.py")
    return out


def worker() -> None:
    """Answers one case name per line with {"seconds", "value"} of one timed call."""
    sys.path.insert(0, str(HERE))
    import emdkit  # noqa: F401  (the engine is chosen here)
    table, ready = cases(), {}
    for line in sys.stdin:
        name = line.strip()
        if name not in ready:
            ready.clear()  # the parent asks case by case: free the last one's inputs
            call = table[name][0]()
            t0 = time.perf_counter()
            call()  # Numba loads its cache; both warm their pages
            # a fast call is repeated (its median taken) so that one preemption is not a result
            ready[name] = call, max(1, min(MAX_CALLS, int(MIN_TIMED_S / (time.perf_counter() - t0))))
        call, calls = ready[name]
        times = []
        for _ in range(calls):
            t0 = time.perf_counter()
            value = call()
            times.append(time.perf_counter() - t0)
        print(json.dumps({"seconds": statistics.median(times), "value": float(value).hex()}),
              flush=True)


# --------------------------------------------------------------------------- parent side


def main(argv=None) -> int:
    if argv is None and sys.argv[1:2] == ["--worker"]:
        worker()
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=[], help="cases whose name contains any TEXT")
    ap.add_argument("--out", type=Path, default=None, help="also write the table here")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from run_core import machine
    names = [n for n in cases() if not args.only or any(t in n for t in args.only)]
    workers = {e: subprocess.Popen([sys.executable, __file__, "--worker"], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   env=dict(os.environ, EMDKIT_ENGINE=e)) for e in ENGINES}

    def ask(engine: str, name: str) -> dict:
        workers[engine].stdin.write(name + "\n")
        workers[engine].stdin.flush()
        return json.loads(workers[engine].stdout.readline())

    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    lines = [f"Machine: {machine()}. `uptime` at the start: `{uptime}`", "",
             "| case | from | Numba (s) | compiled (s) | compiled/Numba | per-round ratios "
             "min-max | same value |", "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    print("\n".join(lines), flush=True)
    table = cases()
    try:
        for name in names:
            times = {e: [] for e in ENGINES}
            values = set()
            for k in range(args.rounds):
                for engine in (ENGINES if k % 2 == 0 else ENGINES[::-1]):
                    got = ask(engine, name)
                    times[engine].append(got["seconds"])
                    values.add(got["value"])
            med = {e: statistics.median(t) for e, t in times.items()}
            ratios = [n / o for o, n in zip(times["numba"], times["native"])]
            row = (f"| {name} | {table[name][1]} | {med['numba']:.4f} | {med['native']:.4f} | "
                   f"**{med['native'] / med['numba']:.2f}** | {min(ratios):.2f}-{max(ratios):.2f}"
                   f" | {'yes' if len(values) == 1 else 'NO'} |")
            lines.append(row)
            print(row, flush=True)
    finally:
        for proc in workers.values():
            proc.stdin.close()
            proc.wait()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    lines.append(f"\n`uptime` at the end: `{uptime}`")
    print(lines[-1])
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
