"""emdkit.nn.emd / signature_emd: gradients against gradcheck, POT's plan and finite differences
of an independent LP (HiGHS)."""
import numpy as np
import ot
import pytest
import torch

from emdkit.nn import emd, signature_emd
from tests.core.oracle import lp_emd_work

F64 = torch.float64


def random_weights(gen, *shape, total=1.0):
    w = torch.rand(*shape, generator=gen, dtype=F64) + 0.1
    return w / w.sum(-1, keepdim=True) * total


@pytest.mark.parametrize("batched", [False, True])
def test_gradcheck_partial_matching_in_a_b_and_cost(batched):
    gen = torch.Generator().manual_seed(1)
    lead = (3,) if batched else ()
    a = random_weights(gen, *lead, 5, total=1.0).requires_grad_()
    b = random_weights(gen, *lead, 6, total=1.7).requires_grad_()
    C = torch.rand(*lead, 5, 6, generator=gen, dtype=F64).requires_grad_()
    assert torch.autograd.gradcheck(emd, (a, b, C))
    # and the other side lighter
    assert torch.autograd.gradcheck(lambda a, b, C: emd(b, a, C.transpose(-1, -2)), (a, b, C))


@pytest.mark.parametrize("batched", [False, True])
def test_gradcheck_balanced_through_a_total_preserving_parametrisation(batched):
    """With equal totals, D has no derivative in a direction that changes one total only (it
    switches to partial matching there), so gradcheck runs in the directions along equal totals:
    a = 2·softmax(α), b = 2·softmax(β). Any error in the tangent part of ∂D/∂a shows here."""
    gen = torch.Generator().manual_seed(2)
    lead = (3,) if batched else ()
    alpha = torch.randn(*lead, 5, generator=gen, dtype=F64, requires_grad=True)
    beta = torch.randn(*lead, 7, generator=gen, dtype=F64, requires_grad=True)
    C = torch.rand(*lead, 5, 7, generator=gen, dtype=F64, requires_grad=True)

    def f(alpha, beta, C):
        return emd(2 * torch.softmax(alpha, -1), 2 * torch.softmax(beta, -1), C)

    assert torch.autograd.gradcheck(f, (alpha, beta, C))


def test_balanced_weight_gradient_is_centred_and_free_of_the_dual_constant():
    gen = torch.Generator().manual_seed(3)
    a = random_weights(gen, 4, 6, total=3.0).requires_grad_()
    b = random_weights(gen, 4, 8, total=3.0).requires_grad_()
    C = torch.rand(4, 6, 8, generator=gen, dtype=F64)
    emd(a, b, C).sum().backward()
    assert torch.allclose((a * a.grad).sum(-1), torch.zeros(4, dtype=F64), atol=1e-14)
    assert torch.allclose((b * b.grad).sum(-1), torch.zeros(4, dtype=F64), atol=1e-14)


def test_cost_gradient_equals_pots_plan_where_unique():
    gen = torch.Generator().manual_seed(4)
    for _ in range(5):
        a = random_weights(gen, 12)
        b = random_weights(gen, 15)
        C = torch.rand(12, 15, generator=gen, dtype=F64, requires_grad=True)
        emd(a, b, C).backward()
        plan = ot.emd(a.numpy(), b.numpy(), C.detach().numpy())
        np.testing.assert_allclose(C.grad.numpy(), plan, atol=1e-12)


def test_partial_matching_matches_finite_differences_of_an_lp_oracle():
    """Central differences of HiGHS's optimum W/min(Σa, Σb), in every weight and some costs."""
    rng = np.random.default_rng(5)
    a = rng.random(4) + 0.2
    b = (rng.random(5) + 0.2) * 1.6
    C = rng.random((4, 5))

    def distance(a, b, C):
        return lp_emd_work(a, b, C) / min(a.sum(), b.sum())

    for light_first in (True, False):
        A, B, Cm = (a, b, C) if light_first else (b, a, C.T.copy())
        ta = torch.tensor(A, requires_grad=True)
        tb = torch.tensor(B, requires_grad=True)
        tc = torch.tensor(Cm, requires_grad=True)
        emd(ta, tb, tc).backward()
        h = 1e-6
        for i in range(A.size):
            e = np.zeros_like(A)
            e[i] = h
            fd = (distance(A + e, B, Cm) - distance(A - e, B, Cm)) / (2 * h)
            assert ta.grad[i].item() == pytest.approx(fd, abs=1e-6)
        for j in range(B.size):
            e = np.zeros_like(B)
            e[j] = h
            fd = (distance(A, B + e, Cm) - distance(A, B - e, Cm)) / (2 * h)
            assert tb.grad[j].item() == pytest.approx(fd, abs=1e-6)
        for i, j in [(0, 0), (1, 2), (3, 3)]:
            E = np.zeros_like(Cm)
            E[i, j] = h
            fd = (distance(A, B, Cm + E) - distance(A, B, Cm - E)) / (2 * h)
            assert tc.grad[i, j].item() == pytest.approx(fd, abs=1e-6)


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "cityblock"])
@pytest.mark.parametrize("total_y", [1.0, 1.4])
@pytest.mark.parametrize("batched", [False, True])
def test_signature_gradcheck_in_positions_and_weights(metric, total_y, batched):
    gen = torch.Generator().manual_seed(6)
    lead = (2,) if batched else ()
    X = torch.randn(*lead, 5, 2, generator=gen, dtype=F64, requires_grad=True)
    Y = torch.randn(*lead, 6, 2, generator=gen, dtype=F64, requires_grad=True)
    if total_y == 1.0:  # equal totals: weights along the simplex (see the balanced test above)
        alpha = torch.randn(*lead, 5, generator=gen, dtype=F64, requires_grad=True)
        beta = torch.randn(*lead, 6, generator=gen, dtype=F64, requires_grad=True)

        def f(X, alpha, Y, beta):
            return signature_emd(X, torch.softmax(alpha, -1), Y, torch.softmax(beta, -1), metric)

        assert torch.autograd.gradcheck(f, (X, alpha, Y, beta))
    else:
        wx = random_weights(gen, *lead, 5).requires_grad_()
        wy = random_weights(gen, *lead, 6, total=total_y).requires_grad_()
        assert torch.autograd.gradcheck(lambda *t: signature_emd(*t, metric), (X, wx, Y, wy))


def test_signature_position_gradient_on_the_pointcloud_path_equals_the_dense_path():
    gen = torch.Generator().manual_seed(7)
    X = torch.rand(600, 3, generator=gen, dtype=F64, requires_grad=True)
    Y = torch.rand(500, 3, generator=gen, dtype=F64, requires_grad=True)
    wx = random_weights(gen, 600)
    wy = random_weights(gen, 500)
    grads = {}
    for method in ("dense", "pointcloud"):
        X.grad = Y.grad = None
        value = signature_emd(X, wx, Y, wy, method=method)
        value.backward()
        grads[method] = (value.item(), X.grad.clone(), Y.grad.clone())
    assert grads["dense"][0] == pytest.approx(grads["pointcloud"][0], rel=1e-12)
    torch.testing.assert_close(grads["dense"][1], grads["pointcloud"][1], rtol=0, atol=1e-12)
    torch.testing.assert_close(grads["dense"][2], grads["pointcloud"][2], rtol=0, atol=1e-12)
