"""Learned score: the DSM loss is minimised by the true score; training reduces ε_SN."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from emdkit.sgm import MixtureTarget  # noqa: E402
from emdkit.sgm.learned import DSMLoss, ScoreMLP, dsm_loss, numpy_score, train_score  # noqa: E402
from emdkit.sgm.targets import score_mse  # noqa: E402


class ExactScoreModel(ScoreMLP):
    """A ScoreMLP whose output is the exact score: the DSM minimiser."""

    def __init__(self, target, shift=0.0):
        super().__init__(target.d, hidden=4, depth=1)
        self.target, self.shift = target, shift

    def scaled(self, t, x):
        out = np.stack([self.target.score(float(ti), xi[None].numpy().astype(float))[0]
                        for ti, xi in zip(t, x)])
        sigma = torch.sqrt(-torch.expm1(-2 * t))[:, None]
        return sigma * (torch.as_tensor(out, dtype=torch.float64) + self.shift)


def test_exact_score_minimises_dsm_loss():
    target = MixtureTarget([1.0, 0.0], 0.5)
    gen = torch.Generator().manual_seed(0)
    x0 = torch.as_tensor(target.sample(3000, 1))
    t = 0.05 + 2 * torch.rand(3000, generator=gen, dtype=torch.float64)
    z = torch.randn(3000, 2, generator=gen, dtype=torch.float64)
    exact = dsm_loss(ExactScoreModel(target), x0, t, z)
    shifted = dsm_loss(ExactScoreModel(target, shift=0.3), x0, t, z)
    # loss(s) − loss(s*) = E σ_t² ‖s − s*‖² = 2·0.09·E σ_t² > 0
    expected_gap = 2 * 0.09 * torch.mean(-torch.expm1(-2 * t))
    assert float(shifted - exact) == pytest.approx(float(expected_gap), rel=0.15)
    per = dsm_loss(ExactScoreModel(target), x0, t, z, reduction="none")
    assert per.shape == (3000,)
    assert float(DSMLoss("sum")(ExactScoreModel(target), x0, t, z)) == pytest.approx(float(per.sum()))


def test_training_reduces_score_error_and_exact_score_has_none():
    target = MixtureTarget([1.0, 1.0], 0.5)
    snaps = train_score(target, 2.05, 0.05, n_iter=150, snapshots=[5, 150], batch=128,
                        hidden=32, seed=0)
    times = np.array([0.1, 0.5, 1.5])
    errs = [score_mse(numpy_score(s.model), target, times, 500, 0).mean() for s in snaps]
    assert errs[1] < 0.5 * errs[0]
    assert score_mse(target.score, target, times, 100, 0).max() == 0.0
    out = numpy_score(snaps[-1].model)(0.3, np.zeros((5, 2)))
    assert out.shape == (5, 2) and out.dtype == np.float64


def test_bad_input_is_named():
    target = MixtureTarget([1.0], 1.0)
    model = ScoreMLP(1)
    with pytest.raises(ValueError, match="reduction"):
        dsm_loss(model, torch.zeros(2, 1), torch.ones(2), torch.zeros(2, 1), reduction="max")
    with pytest.raises(ValueError, match="t must have shape"):
        dsm_loss(model, torch.zeros(2, 1), torch.ones(3), torch.zeros(2, 1))
    with pytest.raises(ValueError, match="snapshots"):
        train_score(target, 1.0, 0.05, n_iter=10, snapshots=[20])
    with pytest.raises(ValueError, match="eps must be > 0"):
        train_score(target, 1.0, 0.0, n_iter=10, snapshots=[10])
