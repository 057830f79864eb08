"""The statistics behind the report's verdicts, against scipy and hand-worked cases."""
import numpy as np
import pytest
from scipy import stats as sps

from emdkit.ordinal.stats import (ALPHA, Comparison, bootstrap_mean_ci, compare_paired, holm,
                                  paired_t_p)


def test_holm_by_hand():
    # sorted 0.01, 0.03, 0.04 -> 3*0.01, 2*0.03, max(0.06, 1*0.04)
    assert np.allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])
    assert np.isnan(holm([0.2, float("nan")])[1])
    assert holm([0.6, 0.7]) == [1.0, 1.0]


def test_paired_t_matches_scipy_ttest_rel():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=10), rng.normal(size=10) + 0.3
    assert paired_t_p(b - a) == pytest.approx(sps.ttest_rel(b, a).pvalue, rel=1e-12)
    assert paired_t_p(np.full(5, 0.1)) == pytest.approx(2 * 0.5 ** 5) and paired_t_p(np.zeros(5)) == 1.0


def test_bootstrap_interval_agrees_with_scipy_and_covers():
    rng = np.random.default_rng(1)
    x = rng.exponential(size=3000)
    lo, hi = bootstrap_mean_ci(x, resamples=4000)
    ref = sps.bootstrap((x,), np.mean, n_resamples=4000, method="percentile", random_state=2).confidence_interval
    assert lo == pytest.approx(ref.low, abs=0.01) and hi == pytest.approx(ref.high, abs=0.01)
    # width of a 95% interval of a mean: about 2 * 1.96 * sd / sqrt(n)
    assert hi - lo == pytest.approx(2 * 1.96 * x.std() / np.sqrt(len(x)), rel=0.1)


def test_verdicts_follow_the_rule():
    base = dict(delta=-0.01, delta_std=0.001, wins=10, n=10, higher_is_better=False)
    assert Comparison(ci=(-0.02, -0.005), p=0.001, p_holm=0.01, **base).verdict == "beats"
    assert Comparison(ci=(-0.02, 0.001), p=0.001, p_holm=0.01, **base).verdict == "no difference shown"
    assert Comparison(ci=(-0.02, -0.005), p=0.04, p_holm=ALPHA, **base).verdict == "no difference shown"
    assert Comparison(ci=(0.002, 0.02), p=0.001, p_holm=0.01, **base).verdict == "worse"
    assert Comparison(ci=(0.002, 0.02), p=0.001, p_holm=0.01,
                      **{**base, "n": 3}).verdict == "no verdict"


def test_compare_paired_detects_a_real_gain_and_not_noise():
    rng = np.random.default_rng(0)
    n_test, seeds = 2000, range(10)
    ref_err = {s: (rng.random(n_test) < 0.5).astype(float) for s in seeds}
    # the challenger fixes 5% of the reference's errors in every seed
    better = {s: np.where(rng.random(n_test) < 0.1, 0.0, ref_err[s]) for s in seeds}
    noise = {s: (rng.random(n_test) < 0.5).astype(float) for s in seeds}
    ref_m = {s: ref_err[s].mean() for s in seeds}
    c = compare_paired(ref_m, {s: better[s].mean() for s in seeds}, ref_err, better, False)
    c.p_holm = c.p
    assert c.verdict == "beats" and c.wins == 10
    c = compare_paired(ref_m, {s: noise[s].mean() for s in seeds}, ref_err, noise, False)
    c.p_holm = c.p
    assert c.verdict == "no difference shown"


def test_hierarchical_bootstrap_matches_a_direct_nested_resampling():
    """The multinomial shortcut against resampling seeds, then examples, index by index."""
    from emdkit.ordinal.stats import hierarchical_bootstrap_ci, seed_t_interval
    rng = np.random.default_rng(5)
    per_seed = [rng.integers(-2, 3, size=300) + 0.3 * (s % 3) for s in range(6)]
    lo, hi = hierarchical_bootstrap_ci(per_seed, resamples=4000, seed=1)
    direct = []
    for _ in range(4000):
        seeds = rng.integers(0, 6, size=6)
        direct.append(np.mean([per_seed[s][rng.integers(0, 300, size=300)].mean() for s in seeds]))
    d_lo, d_hi = np.quantile(direct, [0.025, 0.975])
    assert abs(lo - d_lo) < 0.03 and abs(hi - d_hi) < 0.03
    means = np.array([d.mean() for d in per_seed])
    t_lo, t_hi = seed_t_interval(means)
    assert t_lo < means.mean() < t_hi
    # a t interval over seeds with zero spread collapses to the point
    assert seed_t_interval(np.full(5, 0.2)) == pytest.approx((0.2, 0.2))
