"""Gradients: gradcheck in float64, finiteness at extremes, and F.cross_entropy conventions."""
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from emdkit.nn import emd2_loss  # noqa: E402


def leaf(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(*shape, generator=g, dtype=torch.float64)).requires_grad_()


@pytest.mark.parametrize("kwargs", [
    {},
    {"normalize": "sum"},
    {"positions": torch.tensor([0.0, 1.0, 4.0, 5.0, 9.0], dtype=torch.float64)},
    {"r": 3.0},
    {"r": 1.5, "root": True},
    {"root": True},
    {"weight": torch.tensor([1.0, 2.0, 0.5, 3.0, 1.0], dtype=torch.float64), "ignore_index": 2},
    {"reduction": "sum"},
])
def test_gradcheck_index_target(kwargs):
    z = leaf(7, 5)
    t = torch.tensor([0, 4, 2, 1, 3, 2, 0])
    assert torch.autograd.gradcheck(lambda x: emd2_loss(x, t, **kwargs), (z,))


def test_gradcheck_soft_target_wrt_input_and_target():
    z = leaf(4, 6)
    q = torch.softmax(leaf(4, 6, seed=1).detach(), 1).requires_grad_()
    assert torch.autograd.gradcheck(lambda x, y: emd2_loss(x, y, reduction="sum"), (z, q))


def test_gradcheck_probability_input():
    p = torch.softmax(leaf(5, 4).detach(), 1).requires_grad_()
    t = torch.tensor([0, 3, 1, 2, 2])
    assert torch.autograd.gradcheck(lambda x: emd2_loss(x, t, from_logits=False), (p,))


def test_gradcheck_spatial_input():
    z = leaf(2, 4, 3)
    t = torch.tensor([[0, 3, 1], [2, 2, 0]])
    assert torch.autograd.gradcheck(lambda x: emd2_loss(x, t), (z,))


def test_float32_logits_of_magnitude_1e4_stay_finite():
    z = (1e4 * torch.randn(64, 10, generator=torch.Generator().manual_seed(0))).requires_grad_()
    t = torch.randint(0, 10, (64,), generator=torch.Generator().manual_seed(1))
    for kwargs in ({}, {"root": True}, {"r": 1.0}, {"r": 3.0, "root": True}):
        z.grad = None
        loss = emd2_loss(z, t, **kwargs)
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(z.grad).all(), kwargs


def test_probabilities_with_exact_zeros_stay_finite():
    p = torch.tensor([[0.0, 0.5, 0.5, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]],
                     requires_grad=True)
    t = torch.tensor([1, 0, 0])
    for kwargs in ({}, {"root": True}, {"r": 1.0}, {"r": 2.5, "root": True}):
        p.grad = None
        loss = emd2_loss(p, t, from_logits=False, **kwargs)
        loss.backward()
        assert torch.isfinite(loss) and torch.isfinite(p.grad).all(), kwargs


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_root_gradient_is_finite_at_zero_loss(dtype):
    p = torch.tensor([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], dtype=dtype, requires_grad=True)
    target = torch.tensor([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], dtype=dtype)
    loss = emd2_loss(p, target, from_logits=False, root=True, reduction="none")
    assert loss.detach().abs().max() < 1e-6
    loss.sum().backward()
    assert torch.isfinite(p.grad).all()
    # logits of a perfect prediction: the gradient is finite (and zero) too
    z = torch.tensor([[-50.0, 50.0, -50.0]], dtype=dtype, requires_grad=True)
    emd2_loss(z, torch.tensor([1]), root=True).backward()
    assert torch.isfinite(z.grad).all()


def per_sample(fn, z, t):
    return fn(z, t, reduction="none")


def test_weight_ignore_index_and_none_follow_cross_entropy_rules():
    z = leaf(8, 5).detach()
    t = torch.tensor([0, 4, 2, -100, 3, 2, 1, -100])
    w = torch.tensor([1.0, 2.0, 0.5, 3.0, 1.5], dtype=torch.float64)
    kept = t != -100
    t0 = torch.where(kept, t, 0)
    for fn in (F.cross_entropy, emd2_loss):
        base = fn(z, t0, reduction="none")                 # unweighted, nothing ignored
        none = fn(z, t, weight=w, reduction="none")
        # 'none' is weight[t] · loss, and exactly 0 where the target is ignored
        torch.testing.assert_close(none, torch.where(kept, w[t0] * base, 0.0))
        # 'mean' divides by the total weight of the kept samples, 'sum' does not
        torch.testing.assert_close(fn(z, t, weight=w), none.sum() / w[t0][kept].sum())
        torch.testing.assert_close(fn(z, t, weight=w, reduction="sum"), none.sum())
        # without weight, 'mean' is over kept samples only
        torch.testing.assert_close(fn(z, t), base[kept].mean())
        # a custom ignore_index
        torch.testing.assert_close(fn(z, t0, ignore_index=2, reduction="none"),
                                   torch.where(t0 == 2, 0.0, base))


def test_all_ignored_mean_is_nan_like_cross_entropy():
    z = leaf(3, 4).detach()
    t = torch.full((3,), -100)
    assert torch.isnan(F.cross_entropy(z, t)) and torch.isnan(emd2_loss(z, t))


def test_soft_target_weight_follows_cross_entropy_rules():
    z = leaf(6, 4).detach()
    q = torch.softmax(leaf(6, 4, seed=2).detach(), 1)
    w = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=torch.float64)
    base = emd2_loss(q.log(), q, reduction="none")  # sanity: zero loss at the target
    assert base.abs().max() < 1e-12
    plain = emd2_loss(z, q, reduction="none")
    torch.testing.assert_close(emd2_loss(z, q, weight=w, reduction="none"), plain * (q @ w))
    # with probability targets PyTorch's 'mean' divides by the number of samples
    torch.testing.assert_close(emd2_loss(z, q, weight=w), (plain * (q @ w)).mean())
    ce_none = F.cross_entropy(z, q, weight=w, reduction="none")
    torch.testing.assert_close(F.cross_entropy(z, q, weight=w), ce_none.mean())


def test_weight_moves_gradient_like_cross_entropy():
    z = leaf(4, 3)
    t = torch.tensor([0, 1, 2, 1])
    w = torch.tensor([0.0, 1.0, 1.0], dtype=torch.float64)
    emd2_loss(z, t, weight=w).backward()
    assert torch.all(z.grad[0] == 0)  # weight 0 on class 0 silences sample 0
    assert torch.any(z.grad[1] != 0)
