"""ground_cost_loss: values against the exact solver, dual-potential gradients, conventions."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import emdkit  # noqa: E402
from emdkit import metrics  # noqa: E402
from emdkit.nn import GroundCostLoss, emd2_loss, ground_cost_loss  # noqa: E402


def cost(k=5, seed=0):
    """A non-line ground distance: random points in the plane (a metric), asymmetric-free."""
    pts = np.random.default_rng(seed).normal(size=(k, 2))
    return np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))


def logits(n, k, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, k, generator=g, dtype=torch.float64)


def test_exact_index_target_is_the_expected_cost_and_the_solver():
    D = metrics.asymmetric_cost(5, under=3.0, over=1.0)  # rows = true class
    z, t = logits(6, 5), torch.tensor([0, 4, 2, 1, 3, 2])
    got = ground_cost_loss(z, t, D, reduction="none").numpy()
    p = torch.softmax(z, 1).numpy()
    for n in range(6):
        assert got[n] == pytest.approx(emdkit.emd(np.eye(5)[t[n]], p[n], D).work, rel=1e-10)
    assert ground_cost_loss(z, t, D).item() == pytest.approx(
        metrics.expected_cost(t.numpy(), p, cost=D), rel=1e-12)


def test_exact_soft_target_matches_the_solver_and_one_hot_case():
    D = cost()
    z = logits(4, 5)
    q = torch.softmax(logits(4, 5, seed=1), 1)
    got = ground_cost_loss(z, q, D, reduction="none").numpy()
    p = torch.softmax(z, 1).numpy()
    for n in range(4):
        assert got[n] == pytest.approx(emdkit.emd(q[n].numpy(), p[n], D).work, rel=1e-9)
    t = torch.tensor([1, 3, 0, 4])
    onehot = torch.nn.functional.one_hot(t, 5).double()
    torch.testing.assert_close(ground_cost_loss(z, onehot, D), ground_cost_loss(z, t, D))


def test_exact_soft_target_with_line_cost_equals_closed_form():
    z = logits(5, 6)
    q = torch.softmax(logits(5, 6, seed=2), 1)
    torch.testing.assert_close(ground_cost_loss(z, q, metrics.absolute_cost(6)),
                               emd2_loss(z, q, r=1, normalize="sum"))


def test_exact_soft_gradient_from_duals_passes_gradcheck():
    D = torch.tensor(cost(), dtype=torch.float64)
    z = logits(3, 5).requires_grad_()
    q = torch.softmax(logits(3, 5, seed=3), 1).requires_grad_()
    assert torch.autograd.gradcheck(lambda x, y: ground_cost_loss(x, y, D, reduction="sum"),
                                    (z, q), atol=1e-6)


def test_exact_soft_gradient_matches_directional_finite_difference_on_the_simplex():
    D = cost(6, seed=4)
    rng = np.random.default_rng(5)
    p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
    pt = torch.tensor(p[None], requires_grad=True)
    ground_cost_loss(pt, torch.tensor(q[None]), D, from_logits=False).backward()
    d = rng.normal(size=6)
    d -= d.mean()  # stay on the simplex
    h = 1e-6
    fd = (emdkit.emd(q, p + h * d, D).work - emdkit.emd(q, p - h * d, D).work) / (2 * h)
    assert float(pt.grad[0] @ torch.tensor(d)) == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_exact_gradient_wrt_d_is_the_flow():
    D = torch.tensor(cost(4, seed=6), requires_grad=True)
    p = torch.softmax(logits(1, 4), 1)
    q = torch.softmax(logits(1, 4, seed=7), 1)
    ground_cost_loss(p, q, D, from_logits=False).backward()
    ref = emdkit.emd(q[0].numpy(), p[0].numpy(), D.detach().numpy()).flow
    np.testing.assert_allclose(D.grad.numpy(), ref, atol=1e-12)


def test_exact_is_linear_so_it_rewards_overconfidence():
    # documented pitfall: with the truth at class 1, a point mass on class 1 beats
    # the 'honest' spread 0.8/0.2, and the loss is linear (no curvature) in p
    D = metrics.absolute_cost(3)
    spread = torch.tensor([[0.1, 0.8, 0.1]], dtype=torch.float64)
    sharp = torch.tensor([[0.0, 1.0, 0.0]], dtype=torch.float64)
    t = torch.tensor([1])
    mix = 0.5 * spread + 0.5 * sharp
    f = lambda p: ground_cost_loss(p, t, D, from_logits=False).item()  # noqa: E731
    assert f(sharp) < f(spread)
    assert f(mix) == pytest.approx(0.5 * f(spread) + 0.5 * f(sharp))


def test_weighted_squared_by_hand_and_soft_expectation():
    D = torch.tensor(cost(), dtype=torch.float64) - 0.3  # negative entries are allowed here
    z, t = logits(4, 5), torch.tensor([0, 2, 4, 1])
    p = torch.softmax(z, 1)
    onehot = torch.nn.functional.one_hot(t, 5).double()
    ref = ((p - onehot) ** 2 * D[t]).sum(1)
    torch.testing.assert_close(ground_cost_loss(z, t, D, kind="weighted_squared",
                                                reduction="none"), ref)
    torch.testing.assert_close(ground_cost_loss(z, onehot, D, kind="weighted_squared",
                                                reduction="none"), ref)
    q = torch.softmax(logits(4, 5, seed=9), 1)
    ref_soft = ((p - q) ** 2 * (q @ D)).sum(1)
    torch.testing.assert_close(ground_cost_loss(z, q, D, kind="weighted_squared",
                                                reduction="none"), ref_soft)
    assert torch.autograd.gradcheck(
        lambda x: ground_cost_loss(x, t, D, kind="weighted_squared"), (z.requires_grad_(),))


def test_float32_softmax_rows_are_not_treated_as_partial_matching():
    D = cost()
    z = torch.randn(8, 5) * 30
    q = torch.softmax(torch.randn(8, 5), 1)
    got = ground_cost_loss(z, q, D, reduction="none")
    p = torch.softmax(z.double(), 1).numpy()
    ref = [emdkit.emd(q[n].double().numpy() / q[n].double().sum().item(), p[n], D).work
           for n in range(8)]
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-4, atol=1e-6)


def test_module_and_shapes():
    D = cost()
    m = GroundCostLoss(D, kind="weighted_squared", reduction="none")
    z = torch.randn(2, 5, 3, dtype=torch.float64)
    t = torch.randint(0, 5, (2, 3))
    assert m(z, t).shape == (2, 3)
    torch.testing.assert_close(
        m(z, t).reshape(-1),
        ground_cost_loss(z.movedim(1, -1).reshape(-1, 5), t.reshape(-1), D,
                         kind="weighted_squared", reduction="none"))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, 1]), np.ones((3, 4))), ValueError, "D must have shape"),
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, 1]), -np.ones((3, 3))), ValueError, "negative"),
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, 1]), np.full((3, 3), np.nan)), ValueError, "NaN"),
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, 3]), np.ones((3, 3))), ValueError, "outside"),
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, -1]), np.ones((3, 3))), ValueError, "outside"),
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, 1]), np.ones((3, 3)), kind="l2"), ValueError, "kind"),
    (lambda: ground_cost_loss(logits(2, 3), torch.tensor([0, 1]), "abc"), TypeError, "D must"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
