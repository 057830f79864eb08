"""Hard-prediction metrics against a hand-computed confusion table and scikit-learn."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emdkit import metrics

# Confusion table (rows true 0..3, columns predicted 0..3), written out by hand:
#   [[1, 1, 1, 0],
#    [0, 2, 0, 0],
#    [0, 1, 2, 1],
#    [1, 0, 0, 0]]
Y_TRUE = [0, 0, 0, 1, 1, 2, 2, 2, 2, 3]
Y_PRED = [0, 1, 2, 1, 1, 2, 3, 1, 2, 0]


def test_table_accuracy_mae_off_by_one():
    assert metrics.accuracy(Y_TRUE, Y_PRED) == 0.5            # trace 5 / 10
    assert metrics.mae(Y_TRUE, Y_PRED) == pytest.approx(0.8)  # |errors| sum to 8
    assert metrics.off_by_one_accuracy(Y_TRUE, Y_PRED) == pytest.approx(0.8)  # all but 2 and 3


def test_table_per_class_amae_mmae():
    classes, per = metrics.per_class_mae(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(classes, [0, 1, 2, 3])
    np.testing.assert_allclose(per, [1.0, 0.0, 0.5, 3.0])    # (0+1+2)/3, 0, (0+1+1+0)/4, 3
    assert metrics.amae(Y_TRUE, Y_PRED) == pytest.approx(4.5 / 4)
    assert metrics.mmae(Y_TRUE, Y_PRED) == pytest.approx(3.0)


def test_table_qwk_by_hand_and_against_sklearn():
    # Σ W·O = Σ err² = 16; row totals 3,2,4,1 and column totals 2,4,3,1 give
    # Σ_ab r_a c_b (a−b)² = 27·10 − 2·13·13 + 10·25 = 182, so Σ W·E = 18.2.
    assert metrics.qwk(Y_TRUE, Y_PRED) == pytest.approx(1 - 16 / 18.2)
    sk = pytest.importorskip("sklearn.metrics")
    assert metrics.qwk(Y_TRUE, Y_PRED) == pytest.approx(
        sk.cohen_kappa_score(Y_TRUE, Y_PRED, weights="quadratic"))


def test_missing_class_measured_in_label_space():
    # Classes 1..3 are absent. In confusion-matrix index space 4 sits next to 0, which is how
    # dlordinal's amae reports 0.5; in label space the error on class 4 is 4, so AMAE = 2.
    y_true, y_pred = [0, 4], [0, 0]
    assert metrics.amae(y_true, y_pred) == 2.0
    assert metrics.mmae(y_true, y_pred) == 4.0
    assert metrics.mae(y_true, y_pred) == 2.0
    assert metrics.amae(y_true, y_pred, num_classes=5) == 2.0
    assert metrics.off_by_one_accuracy(y_true, y_pred) == 0.5


def test_absent_true_class_is_left_out_not_counted_as_zero():
    # labels declare class 2, but no sample is truly 2: AMAE averages classes 0 and 1 only.
    assert metrics.amae([0, 1], [1, 1], labels=[0, 1, 2]) == pytest.approx(0.5)


def test_non_consecutive_rating_labels():
    assert metrics.mae([1, 5], [2, 3], labels=[1, 2, 3, 4, 5]) == pytest.approx(1.5)


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn warns where kappa is undefined
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=40))
def test_qwk_matches_sklearn_on_random_tables(pairs):
    sk = pytest.importorskip("sklearn.metrics")
    yt = np.array([a for a, _ in pairs])
    yp = np.array([b for _, b in pairs])
    ours = metrics.qwk(yt, yp, num_classes=6)
    with np.errstate(all="ignore"):
        theirs = sk.cohen_kappa_score(yt, yp, weights="quadratic", labels=np.arange(6))
    if np.isnan(theirs):
        assert np.isnan(ours)
    else:
        assert ours == pytest.approx(theirs, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40))
def test_amae_bounds(pairs):
    yt = np.array([a for a, _ in pairs])
    yp = np.array([b for _, b in pairs])
    a = metrics.amae(yt, yp)
    assert 0 <= a <= metrics.mmae(yt, yp) <= 4


@pytest.mark.parametrize("call, match", [
    (lambda: metrics.mae([0, 1], [0]), "differ in length"),
    (lambda: metrics.mae([0, 7], [0, 1], num_classes=3), "not among the labels"),
    (lambda: metrics.mae([0, 1], [0, 1], labels=[1, 0]), "strictly increasing"),
    (lambda: metrics.mae([0, 1], [0, 1], labels=[0, 1], num_classes=2), "not both"),
    (lambda: metrics.mae([], []), "empty"),
    (lambda: metrics.mae([[0]], [[0]]), "1-D"),
    (lambda: metrics.mae([0.0, np.nan], [0, 1]), "NaN"),
])
def test_bad_input_value_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_input_type_errors():
    with pytest.raises(TypeError, match="y_true"):
        metrics.accuracy(["a", "b"], [0, 1])
    with pytest.raises(TypeError, match="num_classes"):
        metrics.accuracy([0, 1], [0, 1], num_classes=2.5)
