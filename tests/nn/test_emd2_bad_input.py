"""emd2_loss rejects bad input with errors that name the argument."""
import pytest

torch = pytest.importorskip("torch")

from emdkit.nn import emd2_loss  # noqa: E402

Z = torch.randn(3, 4)
T = torch.tensor([0, 1, 3])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: emd2_loss(Z, torch.tensor([0, 1, 4])), ValueError, "outside"),
    (lambda: emd2_loss(Z, torch.tensor([0, -1, 2])), ValueError, "outside"),
    (lambda: emd2_loss(Z, torch.tensor([0, 1])), ValueError, "shape"),
    (lambda: emd2_loss(Z, torch.rand(3, 5)), ValueError, "soft target"),
    (lambda: emd2_loss(Z, torch.full((3, 4), 0.5)), ValueError, "target rows must sum to 1"),
    (lambda: emd2_loss(Z, T, from_logits=False), ValueError, "input"),
    (lambda: emd2_loss(torch.full((3, 4), 0.5), T, from_logits=False), ValueError, "sum to 1"),
    (lambda: emd2_loss(torch.tensor([[float("nan"), 1.0]]), torch.tensor([0]),
                       from_logits=False), ValueError, "probabilities"),
    (lambda: emd2_loss(Z, T, normalize="max"), ValueError, "normalize"),
    (lambda: emd2_loss(Z, T, reduction="avg"), ValueError, "reduction"),
    (lambda: emd2_loss(Z, T, r=0.5), ValueError, "r must"),
    (lambda: emd2_loss(Z, T, r="2"), TypeError, "r must"),
    (lambda: emd2_loss(Z, T, positions=[0.0, 2.0, 1.0, 3.0]), ValueError, "increasing"),
    (lambda: emd2_loss(Z, T, positions=[0.0, 1.0]), ValueError, "positions"),
    (lambda: emd2_loss(Z, T, weight=torch.ones(3)), ValueError, "weight"),
    (lambda: emd2_loss(Z.long(), T), TypeError, "floating"),
    (lambda: emd2_loss(Z.numpy(), T), TypeError, "torch.Tensor"),
    (lambda: emd2_loss(Z, T.numpy()), TypeError, "torch.Tensor"),
    (lambda: emd2_loss(Z, T.bool()), TypeError, "class indices"),
    (lambda: emd2_loss(torch.randn(3, 1), torch.zeros(3, dtype=torch.long)), ValueError, "2 classes"),
    (lambda: emd2_loss(torch.tensor(1.0), T), ValueError, "class dimension"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
