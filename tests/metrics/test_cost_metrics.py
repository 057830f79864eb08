"""Probability and cost metrics against hand computation and the exact solver."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import emdkit
from emdkit import metrics

from .test_hard_metrics import Y_PRED, Y_TRUE


def test_absolute_and_asymmetric_cost_matrices():
    np.testing.assert_array_equal(metrics.absolute_cost(3), [[0, 1, 2], [1, 0, 1], [2, 1, 0]])
    np.testing.assert_array_equal(metrics.asymmetric_cost(3, under=2.0, over=1.0),
                                  [[0, 1, 2], [2, 0, 1], [4, 2, 0]])


def test_cost_weighted_error_on_the_table():
    # signed errors p − t: 0,+1,+2,0,0,0,+1,−1,0,−3 → costs 0,1,2,0,0,0,1,2,0,6 = 12
    C = metrics.asymmetric_cost(4, under=2.0, over=1.0)
    assert metrics.cost_weighted_error(Y_TRUE, Y_PRED, cost=C) == pytest.approx(1.2)
    assert metrics.cost_weighted_error(Y_TRUE, Y_PRED, cost=metrics.absolute_cost(4)) == \
        pytest.approx(metrics.mae(Y_TRUE, Y_PRED))


def test_cost_weighted_error_with_rating_labels():
    C = metrics.absolute_cost(5)
    assert metrics.cost_weighted_error([1, 5], [2, 3], cost=C, labels=[1, 2, 3, 4, 5]) == 1.5


def test_rps_by_hand():
    # F = (0.2, 0.7), truth CDF = (0, 1): ((0.2)² + (0.3)²) / 2
    assert metrics.rps([1], [[0.2, 0.5, 0.3]]) == pytest.approx(0.065)
    assert metrics.rps([0, 2], [[1, 0, 0], [0, 0, 1]]) == 0.0
    assert metrics.rps([0], [[0, 0, 1]]) == 1.0


def test_expected_cost_by_hand():
    assert metrics.expected_cost([1], [[0.2, 0.5, 0.3]], cost=metrics.absolute_cost(3)) == \
        pytest.approx(0.5)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, 5, elements=st.floats(0.01, 1.0)), st.integers(0, 4))
def test_expected_cost_is_exact_emd_to_one_hot(w, y):
    p = w / w.sum()
    onehot = np.eye(5)[y]
    C = metrics.asymmetric_cost(5, under=3.0, over=0.5)
    ref = emdkit.emd(onehot, p, C).work  # rows of C are the true class
    assert metrics.expected_cost([y], p[None], cost=C) == pytest.approx(ref, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: metrics.rps([0], [[0.5, 0.6]]), "sum to 1"),
    (lambda: metrics.rps([0], [[1.5, -0.5]]), "negative"),
    (lambda: metrics.rps([0], [[1.0]]), "two classes"),
    (lambda: metrics.rps([0, 1], [[1.0, 0.0]]), "rows"),
    (lambda: metrics.rps([3], [[1.0, 0.0]]), "not among the labels"),
    (lambda: metrics.rps([0], [[1.0, 0.0]], num_classes=3), "num_classes"),
    (lambda: metrics.expected_cost([0], [[1.0, 0.0]], cost=np.zeros((3, 3))), "3×3"),
    (lambda: metrics.cost_weighted_error([0], [1], cost=np.zeros((2, 3))), "square"),
    (lambda: metrics.asymmetric_cost(3, under=-1.0), "under"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
