"""CEEMD2Schedule: CE during warm-up, CE + w·EMD² after, w from the loss ratio."""
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from emdkit.nn import CEEMD2Schedule, emd2_loss  # noqa: E402


def batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(16, 6, generator=g, dtype=torch.float64), torch.randint(0, 6, (16,), generator=g)


def test_warmup_is_cross_entropy_then_mix_with_the_measured_ratio():
    s = CEEMD2Schedule(warmup_epochs=2)
    assert s.weight is None
    ces, e2s = [], []
    for epoch in range(2):
        for seed in range(3):
            z, t = batch(seed + 10 * epoch)
            torch.testing.assert_close(s.loss(z, t, epoch), F.cross_entropy(z, t))
            ces.append(F.cross_entropy(z, t).item())
            e2s.append(emd2_loss(z, t).item())
        w = s.end_epoch(epoch)
        if epoch == 0:
            assert w is None  # not the last warm-up epoch yet
    expected = (sum(ces[3:]) / 3) / (sum(e2s[3:]) / 3)  # means over the last warm-up epoch
    assert s.weight == pytest.approx(expected, rel=1e-12)
    z, t = batch(99)
    torch.testing.assert_close(s.loss(z, t, 2), F.cross_entropy(z, t) + expected * emd2_loss(z, t))


def test_explicit_means_and_fixed_weight():
    s = CEEMD2Schedule(warmup_epochs=1)
    assert s.end_epoch(0, mean_ce=2.0, mean_emd2=0.05) == pytest.approx(40.0)
    fixed = CEEMD2Schedule(warmup_epochs=1, weight=3.0)
    fixed.end_epoch(0, mean_ce=2.0, mean_emd2=0.05)
    assert fixed.weight == 3.0
    z, t = batch()
    torch.testing.assert_close(fixed.loss(z, t, 1), F.cross_entropy(z, t) + 3.0 * emd2_loss(z, t))


def test_warmup_batches_carry_no_emd2_gradient_and_mixed_ones_do():
    s = CEEMD2Schedule(warmup_epochs=1, weight=10.0, normalize="sum")
    z, t = batch()
    z.requires_grad_()
    s.loss(z, t, 0).backward()
    ce_grad = z.grad.clone()
    z.grad = None
    F.cross_entropy(z, t).backward()
    torch.testing.assert_close(ce_grad, z.grad)
    z.grad = None
    s.loss(z, t, 1).backward()
    z2 = z.detach().clone().requires_grad_()
    (F.cross_entropy(z2, t) + 10.0 * emd2_loss(z2, t, normalize="sum")).backward()
    torch.testing.assert_close(z.grad, z2.grad)


def test_class_weight_and_ignore_index_go_to_both_terms():
    w = torch.tensor([1.0, 2.0, 1.0, 0.5, 1.0, 3.0], dtype=torch.float64)
    s = CEEMD2Schedule(warmup_epochs=0, weight=2.0, class_weight=w, ignore_index=5)
    z, t = batch()
    ref = F.cross_entropy(z, t, weight=w, ignore_index=5) + 2.0 * emd2_loss(
        z, t, weight=w, ignore_index=5)
    torch.testing.assert_close(s.loss(z, t, 0), ref)


def test_errors():
    with pytest.raises(ValueError, match="warmup_epochs >= 1"):
        CEEMD2Schedule(warmup_epochs=0)
    with pytest.raises(ValueError, match="give weight"):
        CEEMD2Schedule(warmup_epochs=1, auto_weight=False)
    with pytest.raises(ValueError, match="weight"):
        CEEMD2Schedule(warmup_epochs=1, weight=-1.0)
    with pytest.raises(TypeError, match="unknown"):
        CEEMD2Schedule(warmup_epochs=1, from_logits=False)
    with pytest.raises(ValueError, match="warmup_epochs"):
        CEEMD2Schedule(warmup_epochs=-1)
    s = CEEMD2Schedule(warmup_epochs=1)
    z, t = batch()
    with pytest.raises(RuntimeError, match="end_epoch"):
        s.loss(z, t, 1)
    with pytest.raises(RuntimeError, match="no losses"):
        s.end_epoch(0)
    with pytest.raises(ValueError, match="EMD"):
        s.end_epoch(0, mean_ce=1.0, mean_emd2=0.0)
