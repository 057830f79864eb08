"""Forward OU, the coupled reverse EM sampler, and the Gaussian oracle recursion."""
import numpy as np
import pytest

from emdkit.sgm import (GaussianTarget, MixtureTarget, Run, coupled_reverse_em, coupling_rms,
                        forward_ou, ou_mean_scale, reverse_em, step_size)
from emdkit.w2 import gaussian_w2


def test_ou_mean_scale_and_forward_moments():
    m, s = ou_mean_scale(np.array([0.0, 1.0, 40.0]))
    np.testing.assert_allclose(m, [1.0, np.exp(-1), 0.0], atol=1e-15)
    np.testing.assert_allclose(s ** 2, [0.0, 1 - np.exp(-2), 1.0])
    x = forward_ou(np.full((200_000, 1), 2.0), 0.5, rng=0)
    assert x.mean() == pytest.approx(2 * np.exp(-0.5), abs=0.01)
    assert x.var() == pytest.approx(1 - np.exp(-1), rel=0.02)


def test_reverse_em_matches_the_gaussian_oracle_law():
    """Monte Carlo moments of the sampler against the exact mean/variance recursion."""
    target = GaussianTarget([1.0, -0.5], [[0.5, 0.2], [0.2, 1.5]])
    T, K, eps = 3.0, 12, 0.1
    y = reverse_em(target.score, 100_000, 2, T, K, eps, rng=3)
    mean, cov = target.sampler_law(T, K, eps)
    np.testing.assert_allclose(y.mean(0), mean, atol=0.012)
    np.testing.assert_allclose(np.cov(y.T), cov, atol=0.02)


def test_gaussian_oracle_hand_recursion_one_dimension():
    # N(0, 1) is stationary: the score is −x at every t, so Y' = (1 − γ) Y + √(2γ) Z
    target = GaussianTarget([0.0], [[1.0]])
    T, K = 2.0, 8
    gamma = T / K
    var = 1.0
    for _ in range(K):
        var = (1 - gamma) ** 2 * var + 2 * gamma
    mean, cov = target.sampler_law(T, K)
    assert mean[0] == pytest.approx(0.0)
    assert cov[0, 0] == pytest.approx(var, rel=1e-12)


def test_gaussian_oracle_error_is_first_order_in_gamma():
    target = GaussianTarget([0.5, 0.5], np.diag([0.3, 2.0]))
    T, eps = 8.0, 0.05
    pm, pc = target.marginal(eps)
    errs = [gaussian_w2(*target.sampler_law(T, K, eps), pm, pc) for K in (200, 400, 800)]
    assert errs[0] / errs[1] == pytest.approx(2.0, rel=0.05)
    assert errs[1] / errs[2] == pytest.approx(2.0, rel=0.05)


def test_coarse_runs_use_summed_fine_increments():
    """With score 0 the chain is linear: Y_K = (1+γ)^K Y_0 + √2 Σ (1+γ)^{K−1−k} ΔW_k."""
    T, eps, k_fine, K = 1.0, 0.0, 8, 2
    y0 = np.array([[0.3, -1.0]])
    zero = lambda t, x: np.zeros_like(x)
    fine, coarse = coupled_reverse_em([Run(zero, y0, k_fine), Run(zero, y0, K)], T, eps, rng=5)
    dW = np.sqrt(T / k_fine) * np.random.default_rng(5).standard_normal((k_fine, 1, 2))
    gamma_f, gamma_c = T / k_fine, T / K
    expect_f = (1 + gamma_f) ** k_fine * y0 + np.sqrt(2) * sum(
        (1 + gamma_f) ** (k_fine - 1 - k) * dW[k] for k in range(k_fine))
    coarse_dW = dW.reshape(K, k_fine // K, 1, 2).sum(axis=1)
    expect_c = (1 + gamma_c) ** K * y0 + np.sqrt(2) * sum(
        (1 + gamma_c) ** (K - 1 - k) * coarse_dW[k] for k in range(K))
    np.testing.assert_allclose(fine, expect_f, rtol=1e-12)
    np.testing.assert_allclose(coarse, expect_c, rtol=1e-12)


def test_score_is_called_at_the_left_time_points():
    seen = []

    def score(t, x):
        seen.append(round(t, 12))
        return -x

    coupled_reverse_em([Run(score, np.zeros((1, 1)), 4)], T=1.05, eps=0.05, rng=0)
    assert seen == [1.05, 0.8, 0.55, 0.3]


def test_coupling_gives_first_order_strong_error_on_the_mixture():
    target = MixtureTarget([1.0, 1.0], 0.5)
    rng = np.random.default_rng(0)
    y0 = rng.standard_normal((400, 2))
    runs = [Run(target.score, y0, K) for K in (20, 40, 320)]
    a, b, ref = coupled_reverse_em(runs, 2.05, 0.05, rng)
    ratio = coupling_rms(a, ref) / coupling_rms(b, ref)
    assert 1.7 < ratio < 2.4


def test_bad_input_is_named():
    zero = lambda t, x: np.zeros_like(x)
    y0 = np.zeros((3, 2))
    with pytest.raises(ValueError, match="T must exceed"):
        coupled_reverse_em([Run(zero, y0, 4)], T=0.1, eps=0.2)
    with pytest.raises(ValueError, match="eps .* must be >= 0"):
        step_size(1.0, -0.1, 4)
    with pytest.raises(ValueError, match="must divide the finest"):
        coupled_reverse_em([Run(zero, y0, 4), Run(zero, y0, 6)], T=1.0, eps=0.0)
    with pytest.raises(ValueError, match="same .n, d. array"):
        coupled_reverse_em([Run(zero, y0, 4), Run(zero, np.zeros((2, 2)), 4)], T=1.0, eps=0.0)
    with pytest.raises(TypeError, match="n_steps must be an integer"):
        reverse_em(zero, 3, 2, 1.0, 2.5)
    with pytest.raises(ValueError, match="runs is empty"):
        coupled_reverse_em([], T=1.0, eps=0.0)
    with pytest.raises(ValueError, match="t must be finite"):
        ou_mean_scale(-1.0)
