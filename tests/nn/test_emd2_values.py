"""emd2_loss values against hand formulas, the CRPS identity and the exact solver."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

torch = pytest.importorskip("torch")

import emdkit  # noqa: E402
from emdkit import metrics  # noqa: E402
from emdkit.nn import EMD2Loss, emd2_loss  # noqa: E402


def by_hand(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Σ_k (ΔCDF_k)² per row, written with explicit loops (no cumsum)."""
    n, k = p.shape
    out = np.zeros(n)
    for row in range(n):
        for c in range(k):
            out[row] += (sum(p[row, :c + 1]) - sum(t[row, :c + 1])) ** 2
    return out


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(6, 5, generator=g, dtype=torch.float64)
    t = torch.tensor([0, 4, 2, 1, 3, 2])
    return z, t


def test_equals_sum_of_squared_cdf_gaps_over_k(batch):
    z, t = batch
    p = torch.softmax(z, 1).numpy()
    ref = by_hand(p, np.eye(5)[t.numpy()])
    np.testing.assert_allclose(emd2_loss(z, t, reduction="none").numpy(), ref / 5, rtol=1e-12)
    assert emd2_loss(z, t).item() == pytest.approx(ref.mean() / 5, rel=1e-12)
    assert emd2_loss(z, t, normalize="sum").item() == pytest.approx(ref.mean(), rel=1e-12)
    assert emd2_loss(z, t, normalize="rps").item() == pytest.approx(ref.mean() / 4, rel=1e-12)


def test_soft_target_by_hand(batch):
    z, _ = batch
    q = torch.softmax(torch.randn(6, 5, dtype=torch.float64), 1)
    ref = by_hand(torch.softmax(z, 1).numpy(), q.numpy())
    np.testing.assert_allclose(emd2_loss(z, q, reduction="none").numpy(), ref / 5, rtol=1e-12)


def test_one_hot_crps_identity(batch):
    # Σ_k (F_k − [k ≥ t])² = Σ_i p_i |i − t| − ½ Σ_ij p_i p_j |i − j|  (energy form of the CRPS)
    z, t = batch
    p = torch.softmax(z, 1).numpy()
    idx = np.arange(5)
    A = np.abs(idx[:, None] - idx[None, :])
    ref = np.array([p[n] @ A[:, t[n]] - 0.5 * p[n] @ A @ p[n] for n in range(6)])
    np.testing.assert_allclose(emd2_loss(z, t, normalize="sum", reduction="none").numpy(), ref,
                               rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, 7, elements=st.floats(0.0, 1.0)),
       arrays(np.float64, 7, elements=st.floats(0.0, 1.0)))
def test_r1_sum_is_the_exact_emd(a, b):
    if a.sum() < 1e-3 or b.sum() < 1e-3:
        return
    a, b = a / a.sum(), b / b.sum()
    cost = metrics.absolute_cost(7)
    ref = emdkit.emd(a, b, cost).work
    got = emd2_loss(torch.tensor(a)[None], torch.tensor(b)[None], from_logits=False, r=1,
                    normalize="sum").item()
    assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_r1_with_positions_is_the_exact_emd_on_those_positions():
    pos = np.array([1.0, 5.0, 10.5, 20.0, 45.0])  # e.g. mid-ages of age groups
    rng = np.random.default_rng(3)
    a, b = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
    ref = emdkit.emd(a, b, np.abs(pos[:, None] - pos[None, :])).work
    got = emd2_loss(torch.tensor(a)[None], torch.tensor(b)[None], from_logits=False, r=1,
                    normalize="sum", positions=pos).item()
    assert got == pytest.approx(ref, rel=1e-10)
    assert got == pytest.approx(emdkit.wasserstein_1d(pos, pos, a, b), rel=1e-10)


def test_positions_weight_each_cdf_gap_by_the_distance_to_the_next_centre(batch):
    z, t = batch
    pos = torch.tensor([0.0, 1.0, 3.0, 4.0, 10.0], dtype=torch.float64)
    p = torch.softmax(z, 1).numpy()
    H = np.eye(5)[t.numpy()]
    gaps = np.diff(pos.numpy())
    ref = ((np.cumsum(p, 1) - np.cumsum(H, 1))[:, :4] ** 2 @ gaps) / 5
    np.testing.assert_allclose(emd2_loss(z, t, positions=pos, reduction="none").numpy(), ref,
                               rtol=1e-12)


def test_root_is_nima_form(batch):
    z, t = batch
    p = torch.softmax(z, 1).numpy()
    ref = np.sqrt(by_hand(p, np.eye(5)[t.numpy()]) / 5)
    np.testing.assert_allclose(emd2_loss(z, t, root=True, reduction="none").numpy(), ref,
                               rtol=1e-12)
    r3 = np.abs(np.cumsum(p, 1) - np.cumsum(np.eye(5)[t.numpy()], 1)) ** 3
    np.testing.assert_allclose(emd2_loss(z, t, r=3, root=True, reduction="none").numpy(),
                               np.cbrt(r3.sum(1) / 5), rtol=1e-12)


def test_rps_normalisation_matches_the_metric():
    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.ones(6), size=20)
    y = rng.integers(0, 6, 20)
    got = emd2_loss(torch.tensor(P), torch.tensor(y), from_logits=False, normalize="rps").item()
    assert got == pytest.approx(metrics.rps(y, P), rel=1e-12)


def test_probabilities_get_no_second_softmax():
    p = torch.tensor([[0.0, 1.0, 0.0]], dtype=torch.float64)
    assert emd2_loss(p, torch.tensor([1]), from_logits=False).item() == 0.0
    # the same numbers read as logits are not a point mass
    assert emd2_loss(p, torch.tensor([1])).item() > 0.01


def test_spatial_shape_like_cross_entropy():
    z = torch.randn(2, 4, 3, 5, dtype=torch.float64)
    t = torch.randint(0, 4, (2, 3, 5))
    none = emd2_loss(z, t, reduction="none")
    assert none.shape == torch.nn.functional.cross_entropy(z, t, reduction="none").shape
    flat = emd2_loss(z.movedim(1, -1).reshape(-1, 4), t.reshape(-1), reduction="none")
    torch.testing.assert_close(none.reshape(-1), flat)
    unbatched = emd2_loss(z[0, :, 0, 0], t[0, 0, 0])
    torch.testing.assert_close(unbatched, none[0, 0, 0])


def test_module_matches_function_and_moves_buffers(batch):
    z, t = batch
    pos = [0.0, 1.0, 2.5, 3.0, 7.0]
    w = [1.0, 2.0, 0.5, 1.0, 3.0]
    m = EMD2Loss(positions=pos, weight=w, normalize="rps")
    m = m.to(torch.float64)
    assert m.positions.dtype == torch.float64
    torch.testing.assert_close(m(z, t), emd2_loss(z, t, positions=pos, weight=torch.tensor(w),
                                                  normalize="rps"))
