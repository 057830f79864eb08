"""The issue's size bound: a 5000 × 5000 problem with unequal totals, certified in seconds."""
import numpy as np

import emdkit

from .test_emd_oracle import assert_certified


def test_5000_by_5000_with_partial_matching_zero_weights_and_duplicates():
    rng = np.random.default_rng(5000)
    X = rng.random((5000, 3))
    Y = rng.random((5000, 3))
    Y[:50] = X[:50]                      # duplicated points across the sides
    a = rng.random(5000)
    a[::97] = 0.0                        # zero weights
    b = rng.random(5000) * 1.3           # heavier side: partial matching
    C = emdkit.ground_distance(X, Y, "euclidean")
    r = emdkit.emd(a, b, C)
    assert_certified(r, a, b, C)
    # the matrix-free path reaches the same optimum from its own candidates and pricing
    p = emdkit.signature_emd(X, a, Y, b, "euclidean", method="pointcloud")
    assert abs(p.work - r.work) <= 1e-9 * r.work
