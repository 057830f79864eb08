"""emdkit.nn.emd / signature_emd / PointCloudEMDLoss: values, dtypes, batches, bad input."""
import numpy as np
import ot
import pytest
import torch
from scipy.spatial.distance import cdist

import emdkit
from emdkit.nn import PointCloudEMDLoss, emd, point_cloud_emd_loss, signature_emd

F64 = torch.float64


def simplex(gen, *shape, dtype=F64):
    w = torch.rand(*shape, generator=gen, dtype=F64) + 0.05
    return (w / w.sum(-1, keepdim=True)).to(dtype)


def test_values_equal_pot_emd2_balanced():
    gen = torch.Generator().manual_seed(0)
    a, b = simplex(gen, 8, 30), simplex(gen, 8, 40)
    C = torch.rand(8, 30, 40, generator=gen, dtype=F64)
    ours = emd(a, b, C)
    for k in range(8):
        assert ours[k].item() == pytest.approx(ot.emd2(a[k], b[k], C[k]).item(), abs=1e-10)


def test_batch_equals_loop_over_single_problems_and_core():
    gen = torch.Generator().manual_seed(1)
    a = simplex(gen, 5, 9) * 2.0
    b = simplex(gen, 5, 7) * 1.3  # partial matching
    C = torch.rand(5, 9, 7, generator=gen, dtype=F64)
    batch = emd(a, b, C)
    for k in range(5):
        single = emd(a[k], b[k], C[k])
        assert single.shape == ()
        assert batch[k].item() == single.item()
        assert single.item() == pytest.approx(emdkit.emd(a[k], b[k], C[k]).distance, rel=1e-14)


def test_signature_batch_equals_loop_and_pot_on_the_ground_distance():
    gen = torch.Generator().manual_seed(2)
    X = torch.randn(4, 10, 3, generator=gen, dtype=F64)
    Y = torch.randn(4, 12, 3, generator=gen, dtype=F64)
    wx, wy = simplex(gen, 4, 10), simplex(gen, 4, 12)
    for metric in ("euclidean", "sqeuclidean", "cityblock", "chebyshev"):
        batch = signature_emd(X, wx, Y, wy, metric)
        for k in range(4):
            assert batch[k].item() == signature_emd(X[k], wx[k], Y[k], wy[k], metric).item()
            M = cdist(X[k].numpy(), Y[k].numpy(), metric if metric != "sqeuclidean" else
                      "sqeuclidean")
            assert batch[k].item() == pytest.approx(ot.emd2(wx[k].numpy(), wy[k].numpy(), M),
                                                    abs=1e-10)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_low_precision_in_gives_the_same_dtype_and_value_to_its_precision(dtype):
    gen = torch.Generator().manual_seed(3)
    a, b = simplex(gen, 3, 6), simplex(gen, 3, 8)
    C = torch.rand(3, 6, 8, generator=gen, dtype=F64)
    low = [t.to(dtype).requires_grad_() for t in (a, b, C)]
    out = emd(*low)
    assert out.dtype == dtype
    # the same problem, read back from the low-precision inputs, solved in float64
    exact = emd(*(t.detach().double() for t in low))
    torch.testing.assert_close(out, exact.to(dtype), rtol=torch.finfo(dtype).eps * 4, atol=0)
    out.sum().backward()
    assert all(t.grad.dtype == dtype for t in low)
    # float32 totals that differ by rounding are treated as equal: the gradient stays centred
    if dtype == torch.float32:
        assert torch.allclose((low[0] * low[0].grad).sum(-1), torch.zeros(3), atol=1e-5)


def test_no_grad_and_plain_inputs_build_no_graph():
    gen = torch.Generator().manual_seed(4)
    a, b = simplex(gen, 4), simplex(gen, 5)
    C = torch.rand(4, 5, generator=gen, dtype=F64, requires_grad=True)
    with torch.no_grad():
        out = emd(a, b, C)
    assert out.grad_fn is None and not out.requires_grad
    assert emd(a, b, C.detach()).grad_fn is None
    assert emd(a, b, C).grad_fn is not None


def test_point_cloud_loss_uniform_equal_size_is_the_mean_matched_distance():
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(3, 40, 3, generator=gen, dtype=F64)
    y = torch.randn(3, 40, 3, generator=gen, dtype=F64)
    from scipy.optimize import linear_sum_assignment
    expected = []
    for k in range(3):
        M = cdist(x[k].numpy(), y[k].numpy())
        r, c = linear_sum_assignment(M)
        expected.append(M[r, c].mean())
    losses = point_cloud_emd_loss(x, y, reduction="none")
    np.testing.assert_allclose(losses.numpy(), expected, rtol=1e-12)
    assert PointCloudEMDLoss()(x, y).item() == pytest.approx(np.mean(expected), rel=1e-12)
    assert PointCloudEMDLoss(reduction="sum")(x, y).item() == pytest.approx(np.sum(expected),
                                                                            rel=1e-12)


def test_point_cloud_loss_with_n_not_m_and_weights_matches_pot():
    gen = torch.Generator().manual_seed(6)
    x = torch.rand(2, 30, 2, generator=gen, dtype=F64, requires_grad=True)
    y = torch.rand(2, 45, 2, generator=gen, dtype=F64)
    wy = simplex(gen, 2, 45)
    losses = point_cloud_emd_loss(x, y, target_weights=wy, metric="sqeuclidean", reduction="none")
    for k in range(2):
        M = cdist(x[k].detach().numpy(), y[k].numpy(), "sqeuclidean")
        assert losses[k].item() == pytest.approx(ot.emd2(np.full(30, 1 / 30), wy[k].numpy(), M),
                                                 abs=1e-10)
    losses.sum().backward()
    assert x.grad.shape == x.shape


@pytest.mark.parametrize("call, match", [
    (lambda a, b, C: emd(a, b, C[:, :, :-1]), r"cost has shape"),
    (lambda a, b, C: emd(a[:2], b, C), r"batch sizes differ"),
    (lambda a, b, C: emd(a[0], b, C), r"b must have a's number of dimensions"),
    (lambda a, b, C: emd(torch.where(torch.arange(3)[:, None] == 1, -a, a), b, C),
     r"a\[1\] contains negative weights"),
    (lambda a, b, C: emd(a, torch.where(torch.arange(3)[:, None] == 2, np.nan, b), C),
     r"b\[2\] contains NaN"),
    (lambda a, b, C: emd(a, b, torch.where(torch.arange(3)[:, None, None] == 1, -C, C)),
     r"cost\[1\] contains negative"),
    (lambda a, b, C: emd(a[0], b[0], C[0] * np.nan), r"^cost contains NaN or inf$"),
    (lambda a, b, C: emd(a * 0, b, C), r"a\[0\] has all-zero weights"),
])
def test_bad_input_names_the_argument_and_batch_index(call, match):
    gen = torch.Generator().manual_seed(7)
    a, b = simplex(gen, 3, 4), simplex(gen, 3, 5)
    C = torch.rand(3, 4, 5, generator=gen, dtype=F64)
    with pytest.raises(ValueError, match=match):
        call(a, b, C)


def test_bad_input_to_signature_emd_and_the_loss():
    x = torch.rand(2, 4, 3, dtype=F64)
    w = torch.full((2, 4), 0.25, dtype=F64)
    with pytest.raises(ValueError, match="metric must be one of"):
        signature_emd(x, w, x, w, "minkowski")
    with pytest.raises(ValueError, match="gradients in the positions need metric"):
        signature_emd(x.clone().requires_grad_(), w, x, w, "chebyshev")
    with pytest.raises(ValueError, match=r"X has 3 coordinates per point but Y has 2"):
        signature_emd(x, w, x[..., :2], w)
    bad = x.clone()
    bad[1, 2, 0] = np.inf
    with pytest.raises(ValueError, match=r"Y\[1\] contains NaN or inf"):
        signature_emd(x, w, bad, w)
    with pytest.raises(TypeError, match="input must be a torch.Tensor"):
        point_cloud_emd_loss(x.numpy(), x)
    with pytest.raises(ValueError, match="reduction must be one of"):
        PointCloudEMDLoss(reduction="avg")
    with pytest.raises(ValueError, match="n_jobs must be -1"):
        emd(w, w, torch.ones(2, 4, 4), n_jobs=0)
    with pytest.raises(TypeError, match="n_jobs must be an integer"):
        signature_emd(x, w, x, w, n_jobs=1.5)
    with pytest.raises(TypeError, match="a must contain real numbers, got booleans"):
        emd(torch.ones(3, dtype=torch.bool), torch.ones(3), torch.ones(3, 3))


from hypothesis import given, strategies as st  # noqa: E402


@given(st.integers(1, 4), st.integers(1, 7), st.integers(1, 7), st.floats(0.5, 2.0),
       st.integers(0, 2**32 - 1))
def test_property_batch_equals_core_loop_and_cost_gradient_is_the_scaled_flow(
        batch, m, n, total_b, seed):
    rng = np.random.default_rng(seed)
    a = rng.random((batch, m)) + 0.01
    b = (rng.random((batch, n)) + 0.01)
    b *= total_b * a.sum(1, keepdims=True) / b.sum(1, keepdims=True)
    C = rng.random((batch, m, n))
    tc = torch.tensor(C, requires_grad=True)
    out = emd(torch.tensor(a), torch.tensor(b), tc)
    out.sum().backward()
    for k in range(batch):
        res = emdkit.emd(a[k], b[k], C[k])
        assert out[k].item() == pytest.approx(res.distance, rel=1e-12, abs=1e-15)
        # ∂D/∂C is a flow of total mass 1 (D is the work per unit of flow)
        assert tc.grad[k].sum().item() == pytest.approx(1.0, rel=1e-12)
        assert (tc.grad[k] >= 0).all()
