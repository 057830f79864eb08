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
