"""GroundDistanceLearner recovers class order from features alone; the rank transform by hand."""
import numpy as np
import pytest
from scipy.stats import spearmanr

torch = pytest.importorskip("torch")

from emdkit.nn import GroundDistanceLearner, ground_cost_loss, rank_ground_distance  # noqa: E402


def curve_features(k=10, per_class=200, dim=64, noise=0.05, seed=0):
    """Class c's features scatter around a point on a smooth arc (angle < π, so the distance
    between centres grows with |i − j|), embedded by a random rotation into ``dim`` positive
    coordinates. Samples arrive shuffled; the learner only ever sees (features, label)."""
    rng = np.random.default_rng(seed)
    theta = np.linspace(0.0, 2.5, k)
    arc = np.stack([np.cos(theta), np.sin(theta), 0.3 * theta], 1)
    basis = np.linalg.qr(rng.normal(size=(dim, 3)))[0]
    centres = 1.0 + arc @ basis.T  # shift keeps coordinates positive so L1 normalisation is benign
    y = np.repeat(np.arange(k), per_class)
    X = centres[y] + noise * rng.normal(size=(y.size, dim))
    order = rng.permutation(y.size)
    return X[order].astype(np.float32), y[order]


def test_recovers_the_order_with_spearman_at_least_0_9():
    k = 10
    X, y = curve_features(k)
    learner = GroundDistanceLearner(k, omega=1.0, mu=0.5)
    for start in range(0, len(y), 256):  # mini-batches, as in training
        learner.accumulate(torch.from_numpy(X[start:start + 256]),
                           torch.from_numpy(y[start:start + 256]))
    D = learner.end_epoch(0)
    iu = np.triu_indices(k, 1)
    gap = np.abs(np.arange(k)[:, None] - np.arange(k)[None])[iu]
    rho = spearmanr(D[iu], gap).statistic
    assert rho >= 0.9, rho
    assert learner.matrix.shape == (k, k) and learner.matrix.dtype == torch.float32
    np.testing.assert_allclose(learner.matrix.numpy(), D, rtol=1e-6)
    assert len(learner.history) == 1 and learner.epochs == [0]


def test_unordered_features_do_not_fake_an_order():
    # control: centres at random positions, no curve; the same statistic must be far from 0.9
    rng = np.random.default_rng(1)
    k, dim = 10, 64
    centres = 1.0 + rng.normal(size=(k, dim))
    y = np.repeat(np.arange(k), 50)
    learner = GroundDistanceLearner(k)
    learner.accumulate(centres[y] + 0.05 * rng.normal(size=(y.size, dim)), y)
    D = learner.end_epoch(0)
    iu = np.triu_indices(k, 1)
    gap = np.abs(np.arange(k)[:, None] - np.arange(k)[None])[iu]
    assert spearmanr(D[iu], gap).statistic < 0.5


def test_rank_transform_by_hand():
    # three centres on a line at 0, 1, 3: distance rows (0,1,3), (1,0,2), (3,2,0)
    c = np.array([[0.0], [1.0], [3.0]])
    # percentile ranks (rank − 1)/(K − 1): rows (0, .5, 1), (.5, 0, 1), (1, .5, 0)
    R = np.array([[0.0, 0.5, 1.0], [0.5, 0.0, 1.0], [1.0, 0.5, 0.0]])
    for omega, mu in ((1.0, 0.5), (2.0, 0.2), (0.5, 0.7)):
        Rw = R ** omega
        ref = 0.5 * (Rw + Rw.T) - mu
        np.fill_diagonal(ref, max(mu, 1 - mu))
        np.testing.assert_allclose(rank_ground_distance(c, omega, mu), ref, atol=1e-15)


def test_one_hot_truth_minimises_the_weighted_squared_loss_under_a_learned_d():
    X, y = curve_features(6, per_class=50)
    learner = GroundDistanceLearner(6, mu=0.5)
    learner.accumulate(X, y)
    D = torch.as_tensor(learner.end_epoch(0))
    rng = np.random.default_rng(2)
    t = torch.tensor([2])
    perfect = ground_cost_loss(torch.eye(6, dtype=torch.float64)[2:3], t, D,
                               kind="weighted_squared", from_logits=False).item()
    for _ in range(200):
        p = torch.tensor(rng.dirichlet(np.ones(6) * 0.3)[None])
        assert ground_cost_loss(p, t, D, kind="weighted_squared", from_logits=False).item() \
            >= perfect - 1e-12


def test_l1_normalisation_makes_the_feature_scale_irrelevant():
    X, y = curve_features(5, per_class=30)
    scale = np.random.default_rng(3).uniform(0.1, 100.0, size=(len(y), 1)).astype(np.float32)
    a, b = GroundDistanceLearner(5), GroundDistanceLearner(5)
    a.accumulate(X, y)
    b.accumulate(X * scale, y)
    np.testing.assert_allclose(a.end_epoch(0), b.end_epoch(0), atol=1e-12)


def test_start_epoch_and_reset_between_epochs():
    X, y = curve_features(4, per_class=20)
    learner = GroundDistanceLearner(4, start_epoch=2)
    assert learner.matrix is None
    for epoch in range(4):
        learner.accumulate(X, y)
        out = learner.end_epoch(epoch)
        assert (out is None) == (epoch < 2)
    assert learner.epochs == [2, 3] and len(learner.history) == 2
    np.testing.assert_allclose(learner.history[0], learner.history[1])  # sums were reset


def test_errors():
    with pytest.raises(ValueError, match="num_classes"):
        GroundDistanceLearner(1)
    with pytest.raises(ValueError, match="omega"):
        GroundDistanceLearner(3, omega=0.0)
    with pytest.raises(TypeError, match="mu"):
        GroundDistanceLearner(3, mu="0.5")
    learner = GroundDistanceLearner(3)
    with pytest.raises(ValueError, match="labels"):
        learner.accumulate(np.ones((2, 4)), [0, 3])
    with pytest.raises(ValueError, match="features"):
        learner.accumulate(np.ones(4), [0])
    with pytest.raises(RuntimeError, match="no features"):
        learner.end_epoch(0)
    learner.accumulate(np.ones((2, 4)), [0, 1])
    with pytest.raises(ValueError, match=r"classes \[2\]"):
        learner.end_epoch(0)
    learner.accumulate(np.ones((2, 4)), [0, 1])
    with pytest.raises(ValueError, match="columns"):
        learner.accumulate(np.ones((2, 5)), [0, 1])
