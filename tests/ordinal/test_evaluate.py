"""The report's measures against hand computations and the exact EMD solver."""
import numpy as np
import pytest

from emdkit import emd
from emdkit.ordinal.evaluate import business_cost, confusion, decide, evaluate


def test_business_cost_by_hand():
    # under-predicting costs 2 per step, over-predicting 1 per step (rows = truth)
    expected = np.array([[0, 1, 2],
                         [2, 0, 1],
                         [4, 2, 0]], dtype=float)
    np.testing.assert_array_equal(business_cost(3), expected)


def test_decide_argmax_and_median():
    p = np.array([[0.1, 0.2, 0.3, 0.4],    # argmax 3, CDF .1 .3 .6 -> median 2
                  [0.5, 0.0, 0.0, 0.5],    # argmax 0 (first), CDF reaches .5 at 0 -> median 0
                  [0.0, 0.45, 0.1, 0.45]])  # argmax 1, CDF .45 .55 -> median 2
    np.testing.assert_array_equal(decide(p, "argmax"), [3, 0, 1])
    np.testing.assert_array_equal(decide(p, "median"), [2, 0, 2])
    with pytest.raises(ValueError, match="decision must be"):
        decide(p, "mean")


def test_evaluate_hand_example():
    y = np.array([0, 1, 2, 2])
    p = np.array([[0.7, 0.2, 0.1],   # predicts 0, right
                  [0.1, 0.1, 0.8],   # predicts 2, one too high: |.|=1, business 1
                  [0.6, 0.3, 0.1],   # predicts 0, two too low: |.|=2, business 4
                  [0.0, 0.2, 0.8]])  # predicts 2, right
    m = evaluate(y, p)
    assert m["accuracy"] == pytest.approx(0.5)
    assert m["off_by_one"] == pytest.approx(0.75)
    assert m["mae"] == pytest.approx(3 / 4) and m["cwe_abs"] == pytest.approx(3 / 4)
    assert m["cwe_business"] == pytest.approx(5 / 4)
    # expected business cost, row by row: sum_i p_i C[y, i]
    C = business_cost(3)
    exp = np.mean([p[n] @ C[y[n]] for n in range(4)])
    assert m["expected_business_cost"] == pytest.approx(exp)
    np.testing.assert_array_equal(confusion(y, p.argmax(1), 3), [[1, 0, 0], [0, 0, 1], [1, 0, 1]])


def test_histogram_emd_matches_the_exact_solver():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(6), size=5)
    t = rng.dirichlet(np.ones(6), size=5)
    y = decide(t, "median")
    cost = np.abs(np.subtract.outer(np.arange(6), np.arange(6))).astype(float)
    oracle = np.mean([emd(t[n], p[n], cost).work for n in range(5)])
    assert evaluate(y, p, soft_true=t, decision="median")["hist_emd"] == pytest.approx(oracle, rel=1e-9)


def test_ground_distance_spearman():
    from emdkit.ordinal.evaluate import ground_distance_spearman
    k = 6
    ref = np.abs(np.subtract.outer(np.arange(k), np.arange(k))).astype(float)
    assert ground_distance_spearman(ref ** 2 + 7 * np.eye(k)) == pytest.approx(1.0)  # diagonal ignored
    assert ground_distance_spearman(-ref) == pytest.approx(-1.0)
