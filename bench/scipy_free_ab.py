"""Our k nearest neighbours and cost matrix against SciPy's, interleaved in one process.

Run:  PYTHONPATH=src .venv/bin/python bench/scipy_free_ab.py [--repeats 5]

Issue 21 took ``cKDTree`` (the point-cloud path's first candidates) and ``cdist`` (named
metrics in ``ground_distance``) off the core paths: importing ``scipy.spatial`` cost 0.2-0.4 s
of a first call. This checks that nothing got slower: CPU-second medians (``process_time``,
which waiting for a core does not inflate), each pair of rivals run alternately, and the
answers compared (the same candidate arcs, the same work, the same matrix bits).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

import emdkit
from emdkit.core import knn, pointcloud
from emdkit.core.kdtree import KDTree
from emdkit.core.validation import as_points

OURS_ARCS = pointcloud._knn_arcs


def ckdtree_arcs(X, Y, k, workers):
    """The candidate arcs as pointcloud._knn_arcs made them before issue 21."""
    m, n = X.shape[0], Y.shape[0]
    kx, ky = min(k, n), min(k, m)
    near_y = cKDTree(Y).query(X, k=kx, workers=workers)[1].reshape(m, kx)
    near_x = cKDTree(X).query(Y, k=ky, workers=workers)[1].reshape(n, ky)
    return np.unique(np.concatenate([(np.arange(m)[:, None] * n + near_y).ravel(),
                                     (near_x * n + np.arange(n)[:, None]).ravel()]))


def ground_distance_before(X, Y, metric):
    """ground_distance for a named metric before issue 21: the same checks, then cdist."""
    return cdist(as_points(X, "X"), as_points(Y, "Y"), metric)


def cpu_median(rivals: dict, repeats: int) -> dict:
    """{name: (median CPU seconds, last result)}, the rivals run alternately."""
    times, results = {name: [] for name in rivals}, {}
    for _ in range(repeats):
        for name, call in rivals.items():
            t = time.process_time()
            results[name] = call()
            times[name].append(time.process_time() - t)
    return {name: (statistics.median(times[name]), results[name]) for name in rivals}


def report(label: str, got: dict, same: bool) -> None:
    (a, (ta, _)), (b, (tb, _)) = got.items()
    print(f"{label}: {a} {ta:.4f} s, {b} {tb:.4f} s, ratio {ta / tb:.2f}, same answer {same}",
          flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    repeats = ap.parse_args().repeats
    rng = np.random.default_rng(1)
    for n, d in ((3000, 2), (20000, 2), (20000, 3)):
        X, Y = rng.random((n, d)), rng.random((n, d))
        tree, scipy_tree = KDTree(Y), cKDTree(Y)
        layout = (tree.points, tree.perm, tree.start, tree.end, tree.left, tree.right, tree.lo,
                  tree.hi, 16)
        got = cpu_median({"ours": lambda: knn._nearest_kernel(X, *layout, 1),
                          "cKDTree": lambda: scipy_tree.query(X, k=16)[1]}, repeats)
        report(f"k = 16 query, n = {n}, d = {d}", got,
               np.array_equal(got["ours"][1], got["cKDTree"][1]))
        got = cpu_median({"ours": lambda: OURS_ARCS(X, Y, 16, 1),
                          "cKDTree": lambda: ckdtree_arcs(X, Y, 16, 1)}, repeats)
        report(f"candidate arcs (trees built), n = {n}, d = {d}", got,
               np.array_equal(got["ours"][1], got["cKDTree"][1]))
    for n, metric in ((3000, "sqeuclidean"), (3000, "euclidean"), (10000, "euclidean")):
        X, Y, w = rng.random((n, 2)), rng.random((n, 2)), np.ones(n)
        works = {}

        def solve(arcs):
            pointcloud._knn_arcs = arcs
            try:
                return emdkit.signature_emd(X, w, Y, w, metric, method="pointcloud").work
            finally:
                pointcloud._knn_arcs = OURS_ARCS
        works = cpu_median({"ours": lambda: solve(OURS_ARCS),
                            "cKDTree": lambda: solve(ckdtree_arcs)}, repeats)
        report(f"point-cloud solve, n = {n}, {metric}", works,
               works["ours"][1] == works["cKDTree"][1])
    for m, d in ((24, 3), (300, 2), (2000, 2), (2000, 3), (500, 64)):
        X, Y = rng.random((m, d)), rng.random((m, d))
        for metric in ("euclidean", "sqeuclidean", "cityblock", "chebyshev"):
            got = cpu_median({"ours": lambda: emdkit.ground_distance(X, Y, metric),
                              "before (cdist)": lambda: ground_distance_before(X, Y, metric)},
                             repeats * (200 if m < 100 else 1))
            report(f"ground_distance {m}×{m}, d = {d}, {metric}", got,
                   got["ours"][1].tobytes() == got["before (cdist)"][1].tobytes())


if __name__ == "__main__":
    main()
