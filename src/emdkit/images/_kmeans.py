"""Count-weighted k-means of an image's distinct colours (k-means++ seeding, then Lloyd).

Written here (numpy and two compiled passes) instead of calling scikit-learn's ``KMeans``:
importing ``sklearn.cluster`` alone took 0.7–2.4 s on the 2-core test machine, more than the
whole 1 s budget of a command-line search (bench/RESULTS_images.md). One Lloyd round is one
pass over the colours that assigns each to its nearest centre and accumulates the new centres.
The two passes are Numba kernels, or with ``EMDKIT_ENGINE=native`` the compiled engine's
(cpp/images/kmeans.cpp), which does the same operations in the same order: same centres, same
bits, so image signatures and search results do not depend on the engine.
"""
from __future__ import annotations

import numpy as np

from .._jit import njit
from ..core.engine import native_engine

#: Lloyd rounds stop when the centres' total squared shift falls below this fraction of the
#: colours' mean per-coordinate variance (scikit-learn's rule and default tolerance) ...
KMEANS_TOL = 1e-4
#: ... or after this many rounds (scikit-learn's default cap)
KMEANS_MAX_ITER = 300
#: The rounds run on the colours pooled into cubes of this side (colour units: ΔE*ab or RGB
#: levels), each cube one point at its colours' weighted mean; 2 ΔE*ab is below the
#: just-noticeable difference (≈ 2.3, Sharma 2003). A photo's 30–75 thousand distinct colours
#: pool into a few thousand cubes, which cut a 512-px search's k-means from 0.45 s to ~0.1 s.
#: The final assignment uses every colour, so each centre is its own pixels' exact mean.
POOL_CUBE = 2.0
#: fewer distinct colours than this are clustered as they are
POOL_ABOVE = 4096


@njit(cache=True, nogil=True)
def _lloyd_round(x, w, centres, labels, sums, mass):
    """Assign every colour to its nearest centre; accumulate weighted sums and masses."""
    n, d = x.shape
    k = centres.shape[0]
    sums[:] = 0.0
    mass[:] = 0.0
    for i in range(n):
        best, best_j = np.inf, 0
        for j in range(k):
            s = 0.0
            for c in range(d):
                t = x[i, c] - centres[j, c]
                s += t * t
            if s < best:
                best, best_j = s, j
        labels[i] = best_j
        mass[best_j] += w[i]
        for c in range(d):
            sums[best_j, c] += w[i] * x[i, c]


@njit(cache=True, nogil=True)
def _update_nearest(x, centre, nearest):
    """nearest[i] = min(nearest[i], |x_i - centre|²) — one k-means++ step."""
    n, d = x.shape
    for i in range(n):
        s = 0.0
        for c in range(d):
            t = x[i, c] - centre[c]
            s += t * t
        if s < nearest[i]:
            nearest[i] = s


def weighted_kmeans(coords: np.ndarray, counts: np.ndarray, k: int, seed: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(centres, masses) of at most ``k`` clusters of ``coords`` weighted by ``counts``.

    Each centre is exactly the weighted mean of the colours assigned to it and each mass the
    sum of their counts; empty clusters are dropped, so the masses sum to ``counts.sum()``.

    Examples
    --------
    >>> x = np.array([[0.0, 0, 0], [0, 0, 1], [10, 10, 10], [10, 10, 11]])
    >>> centres, masses = weighted_kmeans(x, np.array([1.0, 3, 2, 2]), k=2, seed=0)
    >>> sorted(zip(masses.tolist(), centres[:, 2].tolist()))
    [(4.0, 0.75), (4.0, 10.5)]
    """
    x_all = np.ascontiguousarray(coords, dtype=np.float64)
    w_all = np.ascontiguousarray(counts, dtype=np.float64)
    x, w = _pool(x_all, w_all) if len(x_all) > POOL_ABOVE else (x_all, w_all)
    centres = _lloyd(x, w, k, np.random.default_rng(seed))
    # centres recomputed from every colour's final label: each is exactly its pixels' mean
    n, d = x_all.shape
    labels = np.empty(n, dtype=np.int64)
    sums, mass = np.empty((k, d)), np.empty(k)
    _lloyd_round(x_all, w_all, centres, labels, sums, mass)
    keep = mass > 0  # a cluster can end up empty; it carries no mass
    return sums[keep] / mass[keep, None], mass[keep]


def _pool(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The colours pooled into cubes of side POOL_CUBE: (weighted mean colour, mass) per cube."""
    cell = np.floor(x / POOL_CUBE).astype(np.int64)
    cell -= cell.min(axis=0)
    span = cell.max(axis=0) + 1
    key = (cell[:, 0] * span[1] + cell[:, 1]) * span[2] + cell[:, 2]
    _, inverse = np.unique(key, return_inverse=True)
    mass = np.bincount(inverse, weights=w)
    means = np.stack([np.bincount(inverse, weights=w * x[:, c]) for c in range(x.shape[1])],
                     axis=1) / mass[:, None]
    return np.ascontiguousarray(means), mass


def _lloyd(x: np.ndarray, w: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k centres: k-means++ seeding, then Lloyd rounds until the tolerance."""
    n, d = x.shape
    mean = w @ x / w.sum()
    tol = KMEANS_TOL * float(w @ ((x - mean) ** 2).sum(axis=1) / w.sum() / d)

    # k-means++ (Arthur & Vassilvitskii 2007), every colour weighted by its pixel count
    centres = np.empty((k, d))
    centres[0] = x[rng.choice(n, p=w / w.sum())]
    nearest = np.full(n, np.inf)
    _update_nearest(x, centres[0], nearest)
    for j in range(1, k):
        p = w * nearest
        total = p.sum()
        centres[j] = x[rng.choice(n, p=p / total) if total > 0 else int(rng.integers(n))]
        _update_nearest(x, centres[j], nearest)

    labels = np.empty(n, dtype=np.int64)
    sums, mass = np.empty((k, d)), np.empty(k)
    for _ in range(KMEANS_MAX_ITER):
        _lloyd_round(x, w, centres, labels, sums, mass)
        moved = mass > 0  # an empty cluster keeps its centre and ends with no mass
        new = centres.copy()
        new[moved] = sums[moved] / mass[moved, None]
        shift = float(((new - centres) ** 2).sum())
        centres = new
        if shift <= tol:
            break
    return centres


_native = native_engine()
if _native is not None:
    _lloyd_round = _native.kmeans_lloyd_round
    _update_nearest = _native.kmeans_update_nearest
