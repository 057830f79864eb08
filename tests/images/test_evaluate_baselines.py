"""Baseline distances, split-aware precision and the bootstrap interval of images.evaluate."""
import numpy as np
import pytest
from scipy.spatial.distance import cdist

from emdkit.images.evaluate import (bootstrap_mean_ci, chi2_distances, colour_histogram,
                                    histogram_intersection_distances, mean_colour_distances,
                                    query_precision)


def test_mean_colour_distances_match_scipy():
    c = np.random.default_rng(0).normal(size=(7, 3)) * 20
    np.testing.assert_allclose(mean_colour_distances(c), cdist(c, c), atol=1e-12)
    with pytest.raises(ValueError, match="centroids"):
        mean_colour_distances(np.zeros(3))


def test_colour_histogram_bins_known_pixels():
    img = np.array([[[0, 0, 0], [255, 255, 255]], [[128, 0, 0], [128, 0, 0]]], dtype=np.uint8)
    h = colour_histogram(img, bins=8)
    assert h.shape == (512,) and h.sum() == pytest.approx(1.0)
    assert h[0] == 0.25 and h[511] == 0.25 and h[4 * 64] == 0.5  # 128 // 32 = 4 on the R axis
    with pytest.raises(ValueError, match="uint8"):
        colour_histogram(img.astype(float))


def test_histogram_distances_on_hand_examples():
    H = np.array([[0.5, 0.5, 0.0], [0.5, 0.0, 0.5], [0.0, 0.0, 1.0]])
    inter = histogram_intersection_distances(H)
    np.testing.assert_allclose(np.diag(inter), 0, atol=1e-15)
    assert inter[0, 1] == pytest.approx(0.5) and inter[0, 2] == pytest.approx(1.0)
    chi = chi2_distances(H)
    # ½[(0.5−0)²/0.5 + (0.5−0)²/0.5 + (0−1)²/1] = ½(0.5 + 0.5 + 1) = 1 for rows 0 and 2
    assert chi[0, 2] == pytest.approx(1.0)
    # ½[0 + 0.25/0.5 + 0.25/0.5] = 0.5 for rows 0 and 1
    assert chi[0, 1] == pytest.approx(0.5)
    np.testing.assert_allclose(chi, chi.T)


def test_query_precision_with_distractors_and_an_exclusion():
    labels = ["a", "a", "b", None, "a"]
    D = np.array([[0, 1, 2, 0.5, 3],
                  [1, 0, 2, 3, 0.2],
                  [2, 2, 0, 1, 2],
                  [0.5, 3, 1, 0, 3],
                  [3, 0.2, 2, 3, 0]], dtype=float)
    s = query_precision(D, labels, k=1)
    # query 0's nearest is the distractor 3 (0.5): miss; 1 -> 4 hit; 2 -> 3 miss; 4 -> 1 hit
    np.testing.assert_array_equal(s.queries, [0, 1, 2, 4])
    np.testing.assert_allclose(s.precision, [0, 1, 0, 1])
    np.testing.assert_allclose(s.attainable, [1, 1, 0, 1])
    ex = np.zeros((5, 5), bool)
    ex[1, 4] = True  # hide 4 from query 1: its nearest allowed is 0 (1.0), still an 'a'
    ex[0, 3] = True  # hide the distractor from query 0: nearest is 1, a hit
    s2 = query_precision(D, labels, k=1, exclude=ex)
    np.testing.assert_allclose(s2.precision, [1, 1, 0, 1])
    with pytest.raises(ValueError, match="distractor"):
        query_precision(D, labels, k=1, queries=[3])
    with pytest.raises(ValueError, match="candidates"):
        query_precision(D, labels, k=5)


def test_bootstrap_interval_brackets_the_mean_and_shrinks_with_n():
    rng = np.random.default_rng(1)
    small, large = rng.normal(0.3, 1, 40), rng.normal(0.3, 1, 4000)
    m, lo, hi = bootstrap_mean_ci(small, 2000, seed=0)
    assert lo < m < hi and m == pytest.approx(small.mean())
    _, lo2, hi2 = bootstrap_mean_ci(large, 2000, seed=0)
    assert hi2 - lo2 < (hi - lo) / 5  # ∝ 1/√n: 10× the width for 100× fewer
    assert bootstrap_mean_ci(np.full(5, 2.0)) == (2.0, 2.0, 2.0)
    with pytest.raises(ValueError, match="level"):
        bootstrap_mean_ci(small, level=1.5)
