"""Issue 24 for emdkit.nn's exact EMD: gradients at every weight scale where the values hold
(2^-1060 … 2^1021), gradcheck at 2^±1000, double backward, the balance test in each input's
own precision, integer clouds, empty batches, n_jobs as numpy integers, and the core's input
gate and names."""
import numpy as np
import pytest
import torch

import emdkit
from emdkit import nn as enn

F64 = torch.float64
COST = torch.tensor([[0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 1.0, 2.0], [2.0, 1.0, 0.0, 1.0]],
                    dtype=F64)
A_INT, B_INT = [3.0, 7.0, 2.0], [5.0, 4.0, 1.0, 5.0]  # totals 12 and 15: partial matching


def _emd_with_grads(a, b, C):
    a = torch.tensor(a, dtype=F64, requires_grad=True)
    b = torch.tensor(b, dtype=F64, requires_grad=True)
    C = C.clone().requires_grad_()
    d = enn.emd(a, b, C)
    d.backward()
    return d, a.grad, b.grad, C.grad


@pytest.mark.parametrize("exponent", [-1060, -1000, 1000, 1021])
def test_gradients_hold_at_scales_where_the_values_do(exponent):
    """D and ∂D/∂C do not change when both weight vectors are scaled by 2^k, and ∂D/∂a scales
    by 2^-k; all of it exactly, because the gradients are formed in the solver's scaled units.
    (Issue repros: 2^-1060 gave a NaN cost gradient, 2^1021 a cost gradient summing to 0.)"""
    ref = _emd_with_grads(A_INT, B_INT, COST)
    got = _emd_with_grads(np.ldexp(A_INT, exponent), np.ldexp(B_INT, exponent), COST)
    assert got[0].item() == ref[0].item() == pytest.approx(5 / 12)
    assert torch.equal(got[3], ref[3]) and got[3].sum().item() == pytest.approx(1.0, rel=1e-15)
    if exponent > -1024:  # 2^-k · gradient is a float64 there (2^1060 · 0.1 is not)
        assert torch.equal(got[1], torch.ldexp(ref[1], torch.tensor(-exponent)))
        assert torch.equal(got[2], torch.ldexp(ref[2], torch.tensor(-exponent)))
    else:
        assert torch.isinf(got[1]).any() or (got[1] == 0).all()  # beyond float64: ±inf or 0


@pytest.mark.parametrize("exponent", [-1000, 1000])
@pytest.mark.parametrize("balanced", [True, False])
def test_gradcheck_with_weights_scaled_by_two_to_the_1000(exponent, balanced):
    """gradcheck in a moderate parameter s with a = 2^k·s (a perturbation of 1e-6 in a weight of
    2^1000 would vanish in rounding). Balanced: a and b on 2^k times the simplex (softmax),
    the directions along which D is differentiable there (see test_exact_gradients)."""
    gen = torch.Generator().manual_seed(24)
    scale = 2.0 ** exponent
    C = torch.rand(2, 4, 5, generator=gen, dtype=F64, requires_grad=True)
    if balanced:
        alpha = torch.randn(2, 4, generator=gen, dtype=F64, requires_grad=True)
        beta = torch.randn(2, 5, generator=gen, dtype=F64, requires_grad=True)

        def f(alpha, beta, C):
            return enn.emd(scale * torch.softmax(alpha, -1), scale * torch.softmax(beta, -1), C)
        assert torch.autograd.gradcheck(f, (alpha, beta, C))
    else:
        sa = (torch.rand(2, 4, generator=gen, dtype=F64) + 0.1).requires_grad_()
        sb = (torch.rand(2, 5, generator=gen, dtype=F64) + 0.6).requires_grad_()

        def f(sa, sb, C):
            return enn.emd(scale * sa, scale * sb, C)
        assert torch.autograd.gradcheck(f, (sa, sb, C))
        X = torch.randn(2, 4, 2, generator=gen, dtype=F64, requires_grad=True)
        Y = torch.randn(2, 5, 2, generator=gen, dtype=F64, requires_grad=True)

        def g(X, sa, Y, sb):
            return enn.signature_emd(X, scale * sa, Y, scale * sb)
        assert torch.autograd.gradcheck(g, (X, sa, Y, sb))


# ---------------------------------------------------------------- double backward

@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean"])
@pytest.mark.parametrize("total_y", [1.0, 1.5])
def test_double_backward_in_the_positions_is_supported(metric, total_y):
    """A gradient penalty needs ∂/∂X of ∂D/∂X = s Σ_j f_ij ∇²c: the flow is constant near a
    non-degenerate optimum, so gradgradcheck holds with fixed weights."""
    gen = torch.Generator().manual_seed(5)
    X = torch.randn(2, 5, 2, generator=gen, dtype=F64, requires_grad=True)
    Y = torch.randn(2, 6, 2, generator=gen, dtype=F64, requires_grad=True)
    wx = torch.full((2, 5), 0.2, dtype=F64)
    wy = torch.full((2, 6), total_y / 6, dtype=F64)

    def f(X, Y):
        return enn.signature_emd(X, wx, Y, wy, metric)
    assert torch.autograd.gradgradcheck(f, (X, Y))
    (gx,) = torch.autograd.grad(f(X, Y).sum(), X, create_graph=True)
    assert gx.requires_grad  # the repro: it came back detached


def test_double_backward_in_the_cost_is_zero_and_flows_through_a_ground_distance():
    gen = torch.Generator().manual_seed(6)
    a = torch.rand(5, generator=gen, dtype=F64) + 0.1
    b = torch.rand(6, generator=gen, dtype=F64) + 0.1
    C = torch.rand(5, 6, generator=gen, dtype=F64, requires_grad=True)
    assert torch.autograd.gradgradcheck(lambda C: enn.emd(a, b, C), (C,))
    X = torch.randn(5, 2, generator=gen, dtype=F64, requires_grad=True)
    Y = torch.randn(6, 2, generator=gen, dtype=F64)
    def sqeuclidean(X):  # torch.cdist has no double backward
        return ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    assert torch.autograd.gradgradcheck(lambda X: enn.emd(a, b, sqeuclidean(X)), (X,))


def test_double_backward_through_weights_that_require_grad_is_a_clear_error():
    X = torch.randn(4, 2, dtype=F64, requires_grad=True)
    w = torch.full((4,), 0.25, dtype=F64, requires_grad=True)
    d = enn.signature_emd(X, w, X.detach() + 1.0, None)
    with pytest.raises(NotImplementedError, match="second derivatives through the weights"):
        torch.autograd.grad(d, X, create_graph=True)
    d = enn.emd(w, None, torch.rand(4, 3, dtype=F64))
    with pytest.raises(NotImplementedError, match="detached"):
        torch.autograd.grad(d, w, create_graph=True)
    logits = torch.randn(3, 5, requires_grad=True)
    loss = enn.emd2_loss(logits, torch.tensor([0, 2, 4]))
    with pytest.raises(NotImplementedError, match="emd2_loss: second derivatives"):
        torch.autograd.grad(loss, logits, create_graph=True)


# ---------------------------------------------------------------- precision, types, shapes

def test_float32_prediction_against_float64_target_is_balanced_in_each_sides_precision():
    """Uniform float32 weights (1/7 each) sum to 1 only within float32 rounding; judged in
    float64 that was partial matching, off the exact EMD by ~8e-9 with uncentred gradients."""
    gen = torch.Generator().manual_seed(7)
    x = torch.rand(1, 7, 2, generator=gen)
    y = torch.rand(1, 5, 2, generator=gen, dtype=F64)
    loss = enn.PointCloudEMDLoss()(x, y)
    exact = emdkit.signature_emd(x[0].double().numpy(), None, y[0].numpy(), None).distance
    assert loss.item() == pytest.approx(exact, rel=1e-14)
    wx = torch.full((1, 7), 1 / 7, dtype=torch.float32, requires_grad=True)
    enn.point_cloud_emd_loss(x, y, input_weights=wx).backward()
    assert abs((wx * wx.grad).sum().item()) < 1e-6  # centred (float32 rounding)


def test_integer_point_clouds_are_read_as_float64():
    loss = enn.PointCloudEMDLoss()(torch.tensor([[[0, 0], [1, 1]]]),
                                   torch.tensor([[[1, 1], [2, 2]]]))
    assert loss.dtype == F64 and loss.item() == pytest.approx(2 ** 0.5, rel=1e-15)


def test_an_empty_batch_gives_an_empty_result_with_gradients():
    a = torch.zeros(0, 3, dtype=F64, requires_grad=True)
    C = torch.zeros(0, 3, 2, dtype=F64, requires_grad=True)
    d = enn.emd(a, torch.zeros(0, 2, dtype=F64), C)
    assert d.shape == (0,)
    d.sum().backward()
    assert a.grad.shape == a.shape and C.grad.shape == C.shape
    X = torch.zeros(0, 4, 2, dtype=F64, requires_grad=True)
    out = enn.point_cloud_emd_loss(X, torch.zeros(0, 3, 2, dtype=F64), reduction="none")
    assert out.shape == (0,)
    out.sum().backward()
    assert X.grad.shape == X.shape


def test_numpy_integers_are_accepted_for_n_jobs_as_in_the_core():
    C = torch.rand(2, 3, 3, dtype=F64)
    w = torch.full((2, 3), 1 / 3, dtype=F64)
    for n_jobs in (np.int64(2), np.int32(1)):
        assert enn.emd(w, w, C, n_jobs=n_jobs).shape == (2,)
        X = torch.rand(2, 3, 2, dtype=F64)
        assert enn.signature_emd(X, w, X, w, n_jobs=n_jobs).shape == (2,)
        assert enn.PointCloudEMDLoss(n_jobs=n_jobs)(X, X).shape == ()


@pytest.mark.parametrize("bad, match", [
    (["0.5", "0.5"], r"^a must contain real numbers, got strings"),
    ([True, False], r"^a must contain real numbers, got booleans"),
    (np.ma.masked_array([0.5, 0.5], [0, 1]), r"^a is a masked array"),
    (np.array([0.5, 0.5], dtype=complex), r"^a must contain real numbers, got complex"),
])
def test_the_core_input_gate_applies(bad, match):
    """Issue repro: strings were parsed into numbers (tensor(0.25))."""
    with pytest.raises(TypeError, match=match):
        enn.emd(bad, [0.25, 0.75], [[0.0, 1.0], [1.0, 0.0]])


def test_none_weights_are_uniform():
    gen = torch.Generator().manual_seed(9)
    C = torch.rand(3, 4, generator=gen, dtype=F64)
    u = enn.emd(torch.full((3,), 1 / 3, dtype=F64), torch.full((4,), 0.25, dtype=F64), C)
    assert enn.emd(None, None, C).item() == u.item()
    X, Y = torch.rand(3, 2, generator=gen, dtype=F64), torch.rand(4, 2, generator=gen, dtype=F64)
    assert enn.signature_emd(X, None, Y, None).item() == \
        emdkit.signature_emd(X.numpy(), None, Y.numpy(), None).distance


def test_signature_emd_names_the_problem_that_monotone_1d_cannot_serve():
    X = torch.zeros(3, 2, 1, dtype=F64)
    wy = torch.ones(3, 2, dtype=F64)
    wy[1] = torch.tensor([1.0, 3.0], dtype=F64)
    with pytest.raises(ValueError, match=r"^problem 1: method='monotone_1d' needs equal"):
        enn.signature_emd(X, torch.ones(3, 2, dtype=F64), X, wy, method="monotone_1d")
