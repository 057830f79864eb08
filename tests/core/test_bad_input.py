"""Bad input is rejected before any work, with the argument and the fault named."""
import numpy as np
import pytest

import emdkit

GOOD_A = [1.0, 2.0]
GOOD_B = [1.5, 1.5]
GOOD_C = [[0.0, 1.0], [1.0, 0.0]]


@pytest.mark.parametrize("a, b, cost, match", [
    ([np.nan, 1.0], GOOD_B, GOOD_C, r"^a contains NaN"),
    (GOOD_A, [np.inf, 1.0], GOOD_C, r"^b contains NaN or inf"),
    ([-1.0, 2.0], GOOD_B, GOOD_C, r"^a contains negative weights"),
    (GOOD_A, [0.0, 0.0], GOOD_C, r"^b has all-zero weights"),
    ([], GOOD_B, np.zeros((0, 2)), r"^a is empty"),
    (GOOD_A, GOOD_B, [[0.0, 1.0]], r"^cost has shape \(1, 2\)"),
    (GOOD_A, GOOD_B, [[0.0, -1.0], [1.0, 0.0]], r"^cost contains negative"),
    (GOOD_A, GOOD_B, [[0.0, np.nan], [1.0, 0.0]], r"^cost contains NaN"),
    (GOOD_A, GOOD_B, [[0.0, -np.inf], [1.0, 0.0]], r"^cost contains NaN or -inf"),
    (GOOD_A, GOOD_B, [[np.inf, np.inf], [np.inf, np.inf]], r"^cost is inf everywhere"),
    ([[1.0, 2.0]], GOOD_B, GOOD_C, r"^a must be 1-D"),
    (GOOD_A, GOOD_B, [0.0, 1.0], r"^cost must be 2-D"),
])
def test_emd_rejects(a, b, cost, match):
    with pytest.raises(ValueError, match=match):
        emdkit.emd(a, b, cost)


def test_emd_rejects_non_numeric():
    with pytest.raises(TypeError, match="^a must contain real numbers"):
        emdkit.emd(["x", "y"], GOOD_B, GOOD_C)
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        emdkit.emd(GOOD_A, GOOD_B, GOOD_C, max_iter=1.5)


def test_iteration_bound_raises_instead_of_returning_a_guess():
    rng = np.random.default_rng(0)
    C = rng.random((50, 50))
    a = rng.random(50) + 0.5  # not uniform: the network simplex, not the assignment fast path
    with pytest.raises(emdkit.SolverError, match="max_iter=3"):
        emdkit.emd(a, a[::-1], C, max_iter=3)


def test_signature_and_metric_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="wx has 2 weights but X has 3 points"):
        emdkit.signature_emd(X, [1.0, 1.0], X, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="X has 2 coordinates per point but Y has 3"):
        emdkit.ground_distance(X, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="metric must be one of"):
        emdkit.ground_distance(X, X, metric="cosine-ish")
    with pytest.raises(ValueError, match="Y contains NaN"):
        emdkit.ground_distance(X, [[0.0, np.nan]])
    with pytest.raises(ValueError, match="metric callable returned a negative"):
        emdkit.ground_distance(X, X, metric=lambda x, y: -1.0)


def test_pairwise_errors():
    with pytest.raises(TypeError, match=r"signatures\[1\] must be a \(positions, weights\) pair"):
        emdkit.pairwise_emd([(np.zeros((1, 2)), [1.0]), 5])
    with pytest.raises(ValueError, match=r"signatures\[0\] has 2 positions but 1 weights"):
        emdkit.pairwise_emd([(np.zeros((2, 2)), [1.0])])
    with pytest.raises(ValueError, match=r"n_jobs must be -1 \(all threads\) or >= 1"):
        emdkit.pairwise_emd([(np.zeros((1, 2)), [1.0])] * 2, n_jobs=0)


def test_wasserstein_1d_errors():
    with pytest.raises(ValueError, match="u_values is empty"):
        emdkit.wasserstein_1d([], [1.0])
    with pytest.raises(ValueError, match="p must be a finite number >= 1"):
        emdkit.wasserstein_1d([0.0], [1.0], p=0.5)
    with pytest.raises(ValueError, match="v_weights has shape"):
        emdkit.wasserstein_1d([0.0], [1.0, 2.0], v_weights=[1.0])
    with pytest.raises(ValueError, match="u_weights contains negative"):
        emdkit.wasserstein_1d([0.0], [1.0], u_weights=[-1.0])
