"""The E2 mixture and the α ≠ 1 modified half-normal against independent oracles (quadrature,
finite differences, the two-component closed form); the Gaussian sampler law from p_T against
Monte Carlo."""
import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import logsumexp

from emdkit.sgm import (GaussianTarget, GeneralModifiedHalfNormalTarget, IsotropicMixtureTarget,
                        MixtureTarget, Run, coupled_reverse_em, sphere_mixture)

TIMES = [0.005, 0.05, 0.3, 1.5]


def ou(t):
    return np.exp(-t), 1 - np.exp(-2 * t)


def mixture_log_pt(centres, s, t, x):
    """log p_t(x) of an isotropic mixture, from the Gaussian density formula (unnormalised)."""
    m, sig2 = ou(t)
    v = m * m * s * s + sig2
    return logsumexp(-np.sum((x[None, :] - m * centres) ** 2, axis=1) / (2 * v))


@pytest.mark.parametrize("t", TIMES)
def test_isotropic_mixture_score_is_the_gradient_of_log_pt(t):
    target = sphere_mixture(5, 12, radius=1.3, s=0.4, seed=3)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5))
    got = target.score(t, x)
    h = 1e-5
    for i in range(4):
        fd = [(mixture_log_pt(target.centres, 0.4, t, x[i] + h * e)
               - mixture_log_pt(target.centres, 0.4, t, x[i] - h * e)) / (2 * h) for e in np.eye(5)]
        np.testing.assert_allclose(got[i], fd, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("t", TIMES)
def test_two_component_mixture_matches_the_symmetric_closed_form(t):
    mu = np.array([0.8, -0.3, 0.5])
    x = np.random.default_rng(1).standard_normal((6, 3)) * 2
    np.testing.assert_allclose(IsotropicMixtureTarget(np.stack([mu, -mu]), 0.5).score(t, x),
                               MixtureTarget(mu, 0.5).score(t, x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("radius", [0.4, 1.0, 1.5])
def test_semiconvexity_bound_holds_for_the_potential(radius):
    """U + K‖x‖²/2 convex: the Hessian of U = −log π (finite differences) is ⪰ −K I."""
    s = 0.5
    target = sphere_mixture(3, 20, radius=radius, s=s, seed=4)
    K = target.semiconvexity_bound
    assert K == pytest.approx(max(radius ** 2 / s ** 4 - 1 / s ** 2, 0.0))
    rng = np.random.default_rng(2)
    h = 1e-4
    worst = np.inf
    for x in rng.standard_normal((200, 3)) * radius:
        H = np.zeros((3, 3))
        for i, ei in enumerate(np.eye(3)):
            H[i] = -(target.score(0.0, (x + h * ei)[None])[0]
                     - target.score(0.0, (x - h * ei)[None])[0]) / (2 * h)
        worst = min(worst, np.linalg.eigvalsh((H + H.T) / 2).min())
    assert worst >= -K - 1e-5
    if K > 0:  # the bound is not vacuous: somewhere the potential is non-convex
        assert worst < 0


def test_mixture_sampler_moments_and_bad_input():
    c = np.array([[1.0, 0.0], [0.0, 2.0], [-1.0, -1.0]])
    x = IsotropicMixtureTarget(c, 0.3).sample(60_000, 5)
    np.testing.assert_allclose(x.mean(0), c.mean(0), atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), np.cov(c.T, bias=True) + 0.09 * np.eye(2), atol=0.05)
    with pytest.raises(ValueError, match="centres"):
        IsotropicMixtureTarget(np.zeros(3), 1.0)
    with pytest.raises(ValueError, match="s .* must be > 0"):
        IsotropicMixtureTarget(np.zeros((2, 2)), 0.0)


def mhn_density(alpha, beta, gamma):
    return lambda x: abs(x) ** (alpha - 1) * np.exp(-beta * x * x + gamma * abs(x))


def quad_score(density, t, y):
    """Tweedie's formula with E[X_0 | X_t = y] by adaptive quadrature (no differencing)."""
    m, v = ou(t)
    kernel = lambda x: density(x) * np.exp(-(y - m * x) ** 2 / (2 * v))
    opts = dict(points=[0.0, y / m], limit=400, epsabs=0, epsrel=1e-12)
    num, _ = integrate.quad(lambda x: x * kernel(x), -12, 12, **opts)
    den, _ = integrate.quad(kernel, -12, 12, **opts)
    return (m * num / den - y) / v


# quad warns of round-off on the far tails, where the integrand is ~1e-300; the values are checked
@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
@pytest.mark.parametrize("t", TIMES)
@pytest.mark.parametrize("alpha,beta,gamma", [(2.0, 1.0, 1.0), (3.0, 0.5, -1.0)])
def test_general_modified_half_normal_score_matches_quadrature(t, alpha, beta, gamma):
    target = GeneralModifiedHalfNormalTarget(1, alpha, beta, gamma)
    m = np.exp(-t)
    ys = np.array([-2.5, -1.0, -0.2, 0.0, 0.07, 0.6, 1.4, 3.0]) * max(m, 0.3)
    expected = np.array([quad_score(mhn_density(alpha, beta, gamma), t, y) for y in ys])
    got = target.score(t, ys[:, None]).ravel()
    assert np.all(np.abs(got - expected) <= 1e-4 * (1 + np.abs(expected))), got - expected


@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_general_modified_half_normal_sampler_matches_quadrature_cdf():
    density = mhn_density(2.0, 1.0, 1.0)
    total, _ = integrate.quad(density, -9, 9, points=[0.0], limit=200)
    cdf = np.vectorize(lambda x: integrate.quad(density, -9, x, points=[0.0] if x > 0 else None,
                                                limit=200)[0] / total)
    x = GeneralModifiedHalfNormalTarget(1).sample(1500, rng=7).ravel()
    assert stats.kstest(x, cdf).pvalue > 1e-3
    with pytest.raises(ValueError, match="alpha"):
        GeneralModifiedHalfNormalTarget(1, alpha=0.5)


def test_gaussian_sampler_law_from_exact_start_matches_monte_carlo():
    g = GaussianTarget([0.5, -0.3], [[0.6, 0.2], [0.2, 0.4]])
    T, eps, K, n = 1.05, 0.05, 20, 200_000
    rng = np.random.default_rng(9)
    y0 = g.sample_marginal(n, T, rng)
    y = coupled_reverse_em([Run(g.score, y0, K)], T, eps, rng)[0]
    mean, cov = g.sampler_law(T, K, eps, start_exact=True)
    np.testing.assert_allclose(y.mean(0), mean, atol=0.01)
    np.testing.assert_allclose(np.cov(y.T), cov, atol=0.01)
    mean0, _ = g.sampler_law(T, K, eps)
    assert np.linalg.norm(mean - mean0) > 0.02  # the two starts differ by the horizon term


def test_rotated_block_mixture_score_matches_finite_differences_of_the_density():
    """The closed-form score against central differences of log p_t, p_t written out directly
    as the product of the blocks' smoothed two-component mixtures in the rotated basis."""
    from emdkit.sgm import RotatedBlockMixtureTarget
    from emdkit.sgm.ou import ou_mean_scale
    target = RotatedBlockMixtureTarget(6, (1.0, 1.0), 0.5, seed=3)
    t = 0.3
    m, sig = ou_mean_scale(t)
    v = m ** 2 * 0.25 + sig ** 2
    mu = m * np.array([1.0, 1.0])

    def log_p(x):
        z = (target.Q.T @ x).reshape(-1, 2)
        a = -np.sum((z - mu) ** 2, axis=1) / (2 * v)
        b = -np.sum((z + mu) ** 2, axis=1) / (2 * v)
        return float(np.sum(np.logaddexp(a, b)))
    x = np.random.default_rng(0).standard_normal(6)
    h = 1e-5
    fd = np.array([(log_p(x + h * e) - log_p(x - h * e)) / (2 * h) for e in np.eye(6)])
    np.testing.assert_allclose(target.score(t, x[None])[0], fd, rtol=1e-6, atol=1e-8)
    assert target.semiconvexity_bound == pytest.approx(28.0)
    with pytest.raises(ValueError, match="even"):
        RotatedBlockMixtureTarget(5)
