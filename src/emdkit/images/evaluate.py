"""Retrieval quality of a distance matrix against known classes (the seed's claim, measured)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emdkit.core.validation import check_positive_int


def _check(D: np.ndarray, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    D = np.asarray(D, dtype=np.float64)
    labels = np.asarray(labels)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"D must be a square matrix, got shape {D.shape}")
    if labels.shape != (D.shape[0],):
        raise ValueError(f"labels has {labels.size} entries but D is {D.shape[0]}×{D.shape[0]}")
    return D, labels


def precision_at_k(D: np.ndarray, labels: Sequence[str], k: int = 5) -> float:
    """Mean over queries of the fraction of the k nearest *other* items that share the
    query's label (ties broken by index, so the value is deterministic)."""
    D, labels = _check(D, labels)
    k = check_positive_int(k, "k")
    n = D.shape[0]
    if k > n - 1:
        raise ValueError(f"k={k} but each query has only {n - 1} other items")
    hits = []
    for i in range(n):
        others = np.array([j for j in range(n) if j != i])
        nearest = others[np.lexsort((others, D[i, others]))[:k]]
        hits.append(np.mean(labels[nearest] == labels[i]))
    return float(np.mean(hits))


@dataclass
class WithinBetween:
    within_mean: float      # mean EMD over pairs with the same label
    between_mean: float     # mean EMD over pairs with different labels
    class_means: np.ndarray  # (c, c) mean EMD between classes (diagonal: within, i ≠ j pairs)
    classes: list[str]
    triplet_accuracy: float  # P(D[i, j] < D[i, k]) for j same class as i, k another class


def within_between(D: np.ndarray, labels: Sequence[str]) -> WithinBetween:
    """Mean within-class and between-class distances, the class-by-class mean table and the
    triplet accuracy (the seed's claim "same-kind images are closer", pair by pair)."""
    D, labels = _check(D, labels)
    n = D.shape[0]
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(n, dtype=bool)
    if not (same & off).any() or not (~same).any():
        raise ValueError("labels need at least one class with 2 items and at least 2 classes")
    classes = sorted(set(labels.tolist()))
    C = np.zeros((len(classes), len(classes)))
    for a, ca in enumerate(classes):
        for b, cb in enumerate(classes):
            block = D[np.ix_(labels == ca, labels == cb)]
            if a == b:
                m = block.shape[0]
                C[a, b] = block[~np.eye(m, dtype=bool)].mean() if m > 1 else np.nan
            else:
                C[a, b] = block.mean()
    wins = total = 0
    for i in range(n):
        js = np.flatnonzero(same[i] & off[i])
        ks = np.flatnonzero(~same[i])
        if js.size and ks.size:
            wins += int((D[i, js][:, None] < D[i, ks][None, :]).sum())
            total += js.size * ks.size
    return WithinBetween(within_mean=float(D[same & off].mean()), between_mean=float(D[~same].mean()),
                         class_means=C, classes=classes, triplet_accuracy=wins / total)


# ---------------------------------------------------------------- baselines and split-aware scores

def mean_colour_distances(centroids: np.ndarray) -> np.ndarray:
    """Euclidean distances between mean colours, (n, 3) -> (n, n): the 3-number baseline.

    With CIELAB centroids this is ΔE*ab between the images' average colours.
    """
    c = np.asarray(centroids, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"centroids must be an (n, channels) array, got shape {c.shape}")
    return np.sqrt(np.maximum(np.sum((c[:, None, :] - c[None, :, :]) ** 2, axis=2), 0.0))


def colour_histogram(rgb: np.ndarray, bins: int = 8) -> np.ndarray:
    """Joint RGB histogram with ``bins`` levels per channel, normalised to sum 1 (bins³ values)."""
    bins = check_positive_int(bins, "bins")
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"rgb must be an (h, w, 3) uint8 array, got {arr.dtype} {arr.shape}")
    q = (arr.reshape(-1, 3).astype(np.int64) * bins) // 256
    counts = np.bincount((q[:, 0] * bins + q[:, 1]) * bins + q[:, 2], minlength=bins ** 3)
    return counts / counts.sum()


def histogram_intersection_distances(H: np.ndarray) -> np.ndarray:
    """1 − Σ_b min(h_b, g_b) between rows of H (normalised histograms; Swain & Ballard 1991)."""
    H = np.asarray(H, dtype=np.float64)
    return 1.0 - np.minimum(H[:, None, :], H[None, :, :]).sum(axis=2)


def chi2_distances(H: np.ndarray) -> np.ndarray:
    """χ² histogram distance ½ Σ_b (h_b − g_b)² / (h_b + g_b) over bins with h_b + g_b > 0."""
    H = np.asarray(H, dtype=np.float64)
    diff = (H[:, None, :] - H[None, :, :]) ** 2
    total = H[:, None, :] + H[None, :, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return 0.5 * np.where(total > 0, diff / total, 0.0).sum(axis=2)


@dataclass
class QueryScores:
    precision: np.ndarray    # (q,) share of the k nearest allowed candidates that are relevant
    attainable: np.ndarray   # (q,) the best precision possible: min(k, #relevant allowed) / k
    queries: np.ndarray      # (q,) indices of the query items


def query_precision(D: np.ndarray, labels: Sequence, k: int, exclude: np.ndarray | None = None,
                    queries: Sequence[int] | None = None) -> QueryScores:
    """Per-query precision@k with an optional split.

    labels : one entry per item; None marks a distractor (never relevant, never a query).
    exclude : boolean (n, n); exclude[i, j] removes j from query i's candidates (for example
        tiles from i's own region, for a cross-region split). The query itself is always removed.
    queries : the query items (default: every item with a label).
    Ties are broken by index, so the value is deterministic.
    """
    D = np.asarray(D, dtype=np.float64)
    n = D.shape[0]
    if D.ndim != 2 or D.shape != (n, n):
        raise ValueError(f"D must be a square matrix, got shape {D.shape}")
    labels = list(labels)
    if len(labels) != n:
        raise ValueError(f"labels has {len(labels)} entries but D is {n}×{n}")
    k = check_positive_int(k, "k")
    if exclude is None:
        exclude = np.zeros((n, n), dtype=bool)
    exclude = np.asarray(exclude, dtype=bool)
    if exclude.shape != (n, n):
        raise ValueError(f"exclude must be {n}×{n}, got {exclude.shape}")
    if queries is None:
        queries = [i for i in range(n) if labels[i] is not None]
    prec, best = [], []
    for i in queries:
        if labels[i] is None:
            raise ValueError(f"item {i} is a distractor (label None) and cannot be a query")
        cand = np.array([j for j in range(n) if j != i and not exclude[i, j]])
        if cand.size < k:
            raise ValueError(f"query {i} has only {cand.size} candidates, fewer than k={k}")
        rel = np.array([labels[j] is not None and labels[j] == labels[i] for j in cand])
        nearest = np.lexsort((cand, D[i, cand]))[:k]
        prec.append(rel[nearest].mean())
        best.append(min(k, int(rel.sum())) / k)
    return QueryScores(np.array(prec), np.array(best), np.asarray(queries))


def bootstrap_mean_ci(values: np.ndarray, n_boot: int = 4000, level: float = 0.95,
                      seed: int = 0) -> tuple[float, float, float]:
    """(mean, low, high): percentile bootstrap interval of the mean over the entries of values
    (for paired comparisons, pass the per-query differences)."""
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or v.size == 0:
        raise ValueError("values must be a non-empty 1-D array")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, size=(check_positive_int(n_boot, "n_boot"), v.size))].mean(1)
    tail = (1 - level) / 2
    return float(v.mean()), float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))


# ---------------------------------------------------------------- CIELAB bins and cross-bin (issue 26)

#: CIELAB box the fixed bins cover: L* in [0, 100], a* and b* in [-110, 110] (sRGB stays inside)
LAB_RANGES = ((0.0, 100.0), (-110.0, 110.0), (-110.0, 110.0))


def _lab_bin_index(lab: np.ndarray, bins: int) -> np.ndarray:
    idx = []
    for c, (lo, hi) in enumerate(LAB_RANGES):
        idx.append(np.clip(((lab[:, c] - lo) / (hi - lo) * bins).astype(np.int64), 0, bins - 1))
    return (idx[0] * bins + idx[1]) * bins + idx[2]


def lab_bin_centres(bins: int) -> np.ndarray:
    """(bins³, 3) CIELAB centres of the fixed bins, in the order of :func:`lab_histogram`."""
    bins = check_positive_int(bins, "bins")
    axes = [lo + (np.arange(bins) + 0.5) * (hi - lo) / bins for lo, hi in LAB_RANGES]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)


def lab_histogram(rgb: np.ndarray, bins: int = 8) -> np.ndarray:
    """Joint CIELAB histogram on fixed equal bins over :data:`LAB_RANGES`, normalised (bins³)."""
    from .signature import to_colour_space
    bins = check_positive_int(bins, "bins")
    arr = np.asarray(rgb)
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.dtype != np.uint8:
        raise ValueError(f"rgb must be an (h, w, 3) uint8 array, got {arr.dtype} {arr.shape}")
    counts = np.bincount(_lab_bin_index(to_colour_space(arr.reshape(-1, 3), "lab"), bins),
                         minlength=bins ** 3)
    return counts / counts.sum()


def quadratic_form_distances(H: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Quadratic-form histogram distance √((h − g)ᵀ A (h − g)) between rows of H, with the
    cross-bin similarity A_ij = 1 − d_ij / max d (d Euclidean between bin centres; Hafner et al.,
    IEEE PAMI 17(7), 1995). A is positive semidefinite for these centres in practice; tiny
    negative rounding is clipped to 0."""
    H = np.asarray(H, dtype=np.float64)
    c = np.asarray(centres, dtype=np.float64)
    d = np.sqrt(np.maximum(np.sum((c[:, None, :] - c[None, :, :]) ** 2, axis=2), 0.0))
    A = 1.0 - d / d.max()
    Q = H @ A @ H.T
    q = np.diag(Q)
    return np.sqrt(np.maximum(q[:, None] + q[None, :] - 2.0 * Q, 0.0))


# ---------------------------------------------------------------- clustered inference (issue 26)

def cluster_means(values: np.ndarray, clusters: Sequence) -> np.ndarray:
    """The mean of ``values`` within each cluster, clusters in order of first appearance."""
    values = np.asarray(values, dtype=np.float64)
    clusters = np.asarray(clusters)
    if values.shape != clusters.shape:
        raise ValueError(f"values has shape {values.shape} but clusters {clusters.shape}")
    keys = list(dict.fromkeys(clusters.tolist()))
    return np.array([values[clusters == k].mean() for k in keys])


def signflip_p(cluster_diffs: np.ndarray) -> float:
    """Exact two-sided sign-flip randomisation p-value of the mean of per-cluster differences.

    Every one of the 2^m sign patterns is enumerated (m ≤ 20), so the p-value is exact under
    the null of a distribution symmetric about 0 for each cluster's difference; the smallest
    attainable p is 2 / 2^m.
    """
    x = np.asarray(cluster_diffs, dtype=np.float64)
    m = x.size
    if m == 0 or m > 20:
        raise ValueError(f"signflip_p needs 1 to 20 clusters, got {m}")
    signs = 1 - 2 * ((np.arange(2 ** m)[:, None] >> np.arange(m)[None, :]) & 1)
    stats = np.abs(signs @ x) / m
    observed = abs(x.mean())
    return float(np.mean(stats >= observed - 1e-12 * max(1.0, observed)))


def cluster_bootstrap_ci(cluster_diffs: np.ndarray, n_boot: int = 4000, level: float = 0.95,
                         seed: int = 0) -> tuple[float, float]:
    """Percentile interval of the mean over clusters, resampling clusters (not items)."""
    x = np.asarray(cluster_diffs, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(check_positive_int(n_boot, "n_boot"), x.size))].mean(1)
    tail = (1 - level) / 2
    return float(np.quantile(means, tail)), float(np.quantile(means, 1 - tail))
