"""emdkit.nn's warm starts (WarmStarts, PointCloudEMDLoss(warm_start=True)): the same values
and gradients as cold starts, per batch slot, and a shape change starts that slot cold."""
import zlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import emdkit  # noqa: E402
from emdkit.core.engine import native_engine  # noqa: E402
from emdkit.nn import PointCloudEMDLoss, WarmStarts, signature_emd  # noqa: E402

pytestmark = pytest.mark.skipif(native_engine() is None,
                                reason="warm starts need the compiled engine (make native)")


def generator(*parts):
    return torch.Generator().manual_seed(zlib.crc32(repr(parts).encode()))


def loss_and_grad(loss_fn, x, y):
    x = x.clone().requires_grad_()
    value = loss_fn(x, y)
    value.sum().backward()
    return value.detach(), x.grad


def test_point_cloud_loss_warm_equals_cold_along_a_descent():
    gen = generator("descent")
    # unequal sizes: the simplex paths, where warm starts are used
    x = torch.rand(3, 40, 2, generator=gen, dtype=torch.float64)
    y = torch.rand(3, 50, 2, generator=gen, dtype=torch.float64)
    cold, warm = PointCloudEMDLoss(reduction="none"), PointCloudEMDLoss(reduction="none",
                                                                       warm_start=True)
    for step in range(4):
        v_cold, g_cold = loss_and_grad(cold, x, y)
        v_warm, g_warm = loss_and_grad(warm, x, y)
        torch.testing.assert_close(v_warm, v_cold, rtol=1e-12, atol=0)
        torch.testing.assert_close(g_warm, g_cold, rtol=1e-9, atol=1e-12)
        x = x - 0.05 * g_cold
    assert all(r.method == "warm_start" for r in warm.warm_starts._last)


def test_shape_change_starts_cold_without_error():
    gen = generator("shapes")
    loss = PointCloudEMDLoss(warm_start=True)
    y = torch.rand(2, 30, 2, generator=gen, dtype=torch.float64)
    loss(torch.rand(2, 20, 2, generator=gen, dtype=torch.float64), y)
    x = torch.rand(3, 25, 2, generator=gen, dtype=torch.float64)  # more slots, other size
    y3 = torch.rand(3, 30, 2, generator=gen, dtype=torch.float64)
    expected = PointCloudEMDLoss()(x, y3)
    torch.testing.assert_close(loss(x, y3), expected, rtol=1e-12, atol=0)


def test_signature_emd_warm_starts_with_changing_weights():
    gen = generator("weights")
    X = torch.rand(2, 30, 3, generator=gen, dtype=torch.float64)
    Y = torch.rand(2, 35, 3, generator=gen, dtype=torch.float64)
    warm = WarmStarts()
    for _ in range(3):
        wx = torch.rand(2, 30, generator=gen, dtype=torch.float64) + 0.1
        wy = torch.rand(2, 35, generator=gen, dtype=torch.float64) + 0.1
        got = signature_emd(X, wx, Y, wy, warm_start=warm)
        want = [emdkit.signature_emd(X[k].numpy(), wx[k].numpy(), Y[k].numpy(),
                                     wy[k].numpy()).distance for k in range(2)]
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


def test_warm_start_arguments_are_checked():
    with pytest.raises(TypeError, match="warm_start"):
        PointCloudEMDLoss(warm_start="yes")
    x = torch.zeros(3, 2, dtype=torch.float64)
    with pytest.raises(TypeError, match="warm_start"):
        signature_emd(x, None, x, None, warm_start=True)
    assert "warm_start=True" in repr(PointCloudEMDLoss(warm_start=True))
