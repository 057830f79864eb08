"""The tests behind every "beats" in the ordinal report, and the rule that applies them.

A challenger is compared with a reference method (cross-entropy) on one measure, on runs paired
by seed (same seed = same initial weights and batch order):

1. Paired t-test over seeds on the per-seed differences of the measure (two-sided).
2. Bootstrap over test examples: per example, the difference of its error averaged over seeds;
   its mean is resampled :data:`BOOTSTRAP_RESAMPLES` times (percentile interval,
   :data:`CONFIDENCE`). This is the uncertainty from the finite test set, which the seed test
   does not see.
3. Holm's step-down correction over every test of one table (a family).

The rule (:data:`DECISION_RULE`) is fixed here, in code, before the sweep's numbers exist.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emdkit.multiplicity import holm  # noqa: F401  (re-exported: the rule's Holm step)

ALPHA = 0.05
CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 0
MIN_SEEDS = 10  # the floor for a cell

DECISION_RULE = (
    f"A challenger **beats** cross-entropy on a measure when, over the ≥ {MIN_SEEDS} seeds paired "
    "by seed, (a) the two-sided paired t-test of the per-seed differences has a Holm-adjusted "
    f"p < {ALPHA:g} (Holm over every test of the same table), **and** (b) the {CONFIDENCE:.0%} "
    f"bootstrap interval over test examples ({BOOTSTRAP_RESAMPLES} resamples of the per-example "
    "difference averaged over seeds) lies entirely on the better side of 0. It is **worse** "
    "when both hold on the other side. Anything else is **no difference shown**, whatever the "
    "sign of the mean. Fewer than "
    f"{MIN_SEEDS} paired seeds: no verdict. Each cell gives Δ (challenger − reference, mean over "
    "seeds), the bootstrap interval, the raw and the Holm-adjusted p, and the seeds won."
)


@dataclass
class Comparison:
    """One challenger against the reference on one measure (lower is better after ``sign``)."""

    delta: float          # mean over seeds of (challenger - reference), in the measure's units
    delta_std: float      # sample std over seeds of that difference
    ci: tuple[float, float]  # bootstrap interval of the per-example difference (same units)
    p: float              # two-sided paired t-test over seeds
    wins: int             # seeds where the challenger is better
    n: int                # paired seeds
    higher_is_better: bool
    p_holm: float = float("nan")

    @property
    def verdict(self) -> str:
        """'beats', 'worse' or 'no difference shown' under :data:`DECISION_RULE`."""
        if self.n < MIN_SEEDS or not np.isfinite(self.p_holm):
            return "no verdict"
        lo, hi = self.ci
        better_side = lo > 0 if self.higher_is_better else hi < 0
        worse_side = hi < 0 if self.higher_is_better else lo > 0
        if self.p_holm < ALPHA and better_side:
            return "beats"
        if self.p_holm < ALPHA and worse_side:
            return "worse"
        return "no difference shown"


def paired_t_p(diff: np.ndarray) -> float:
    """Two-sided p of the paired t-test of ``diff`` (per-seed differences) against 0.

    Differences that are all equal (zero spread) leave the t statistic undefined; they get the
    exact two-sided sign-test p, 2 * 0.5**n (0.002 for 10 seeds), if not 0, else 1.
    """
    from scipy.stats import ttest_1samp
    diff = np.asarray(diff, dtype=float)
    if len(diff) < 2:
        return float("nan")
    if np.ptp(diff) == 0:
        return min(1.0, 2 * 0.5 ** len(diff)) if diff[0] != 0 else 1.0
    return float(ttest_1samp(diff, 0.0).pvalue)


def bootstrap_mean_ci(values: np.ndarray, resamples: int = BOOTSTRAP_RESAMPLES,
                      confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (one value per test example)."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        raise ValueError("values must not be empty")
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    chunk = max(1, 2_000_000 // n)  # bounded memory: about 16 MB of indices at a time
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = values[idx].mean(axis=1)
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return float(lo), float(hi)


def compare_paired(reference_metric: dict[int, float], challenger_metric: dict[int, float],
                   reference_errors: dict[int, np.ndarray], challenger_errors: dict[int, np.ndarray],
                   higher_is_better: bool) -> Comparison:
    """Challenger against reference: per-seed measures and per-example errors, keyed by seed.

    ``*_errors[seed]`` is the per-example quantity whose mean is the measure (|y - ŷ| for MAE,
    C[y, ŷ] for a cost, 1[y = ŷ] for accuracy), all over the same test examples.
    """
    seeds = sorted(set(reference_metric) & set(challenger_metric))
    diff = np.array([challenger_metric[s] - reference_metric[s] for s in seeds])
    sign = 1 if higher_is_better else -1
    per_example = np.mean([np.asarray(challenger_errors[s], float) - np.asarray(reference_errors[s], float)
                           for s in seeds], axis=0)
    return Comparison(float(diff.mean()), float(diff.std(ddof=1)) if len(diff) > 1 else 0.0,
                      bootstrap_mean_ci(per_example), paired_t_p(diff), int(np.sum(sign * diff > 0)),
                      len(seeds), higher_is_better)


def apply_holm(comparisons: list[Comparison]) -> list[Comparison]:
    """Fill ``p_holm`` of every comparison of one family (one table)."""
    for c, p in zip(comparisons, holm([c.p for c in comparisons])):
        c.p_holm = p
    return comparisons


# ---------------------------------------------------------------- seed-level intervals (issue 26)

def seed_t_interval(diff: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student-t interval of the mean of per-seed differences (the seed is the replicate)."""
    from scipy.stats import t
    diff = np.asarray(diff, dtype=float)
    if len(diff) < 2:
        return float("nan"), float("nan")
    half = t.ppf(0.5 + confidence / 2, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    return float(diff.mean() - half), float(diff.mean() + half)


def hierarchical_bootstrap_ci(per_seed: list[np.ndarray], resamples: int = BOOTSTRAP_RESAMPLES,
                              confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED
                              ) -> tuple[float, float]:
    """Percentile interval of the mean difference, resampling seeds, then examples within each
    resampled seed (both with replacement).

    ``per_seed[s]`` holds seed s's per-example differences. These take few distinct values
    (class-step differences, or −1/0/1 for accuracy), so resampling n examples of seed s is
    drawing multinomial counts over its distinct values: the same distribution, at a cost that
    does not grow with n.
    """
    rng = np.random.default_rng(seed)
    support = [np.unique(np.asarray(d, dtype=float), return_counts=True) for d in per_seed]
    S = len(per_seed)
    picks = rng.integers(0, S, size=(resamples, S))
    totals = np.zeros(resamples)
    for s, (values, counts) in enumerate(support):
        hits = np.argwhere(picks == s)[:, 0]  # one draw of seed s per occurrence
        if hits.size:
            n = int(counts.sum())
            draws = rng.multinomial(n, counts / n, size=hits.size)
            np.add.at(totals, hits, draws @ values / n)
    tail = (1 - confidence) / 2
    lo, hi = np.quantile(totals / S, [tail, 1 - tail])
    return float(lo), float(hi)
