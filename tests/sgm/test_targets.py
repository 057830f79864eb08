"""Exact scores against numerical differentiation of log p_t computed by quadrature; samplers
against CDFs computed by quadrature."""
import numpy as np
import pytest
from scipy import integrate, stats

from emdkit.sgm import (DoubleWellTarget, ElasticNetTarget, GaussianTarget, MixtureTarget,
                        ModifiedHalfNormalTarget)

TIMES = [0.05, 0.3, 1.5]


def ou(t):
    return np.exp(-t), 1 - np.exp(-2 * t)


def log_pt_1d(density, t, y, reach=9.0):
    """log ∫ ρ(x) φ_v(y − m x) dx by adaptive quadrature (unnormalised)."""
    m, v = ou(t)
    f = lambda x: density(x) * np.exp(-(y - m * x) ** 2 / (2 * v))
    val, _ = integrate.quad(f, -reach, reach, points=[0.0, y / m], limit=400,
                            epsabs=0, epsrel=1e-13)
    return np.log(val)


def numeric_score_1d(density, t, y, h=1e-4):
    return (log_pt_1d(density, t, y + h) - log_pt_1d(density, t, y - h)) / (2 * h)


def elastic_density(lam1, lam2):
    return lambda x: np.exp(-lam1 * abs(x) - lam2 * x * x / 2)


def double_well_density(x):
    return np.exp(-x ** 4 / 4 + x ** 2 / 2)


@pytest.mark.parametrize("t", TIMES)
@pytest.mark.parametrize("lam1,lam2", [(1.0, 1.0), (3.0, 0.5)])
def test_elastic_net_score_matches_quadrature(t, lam1, lam2):
    target = ElasticNetTarget(1, lam1, lam2)
    ys = np.array([-4.0, -1.0, -0.1, 0.0, 0.05, 0.7, 2.5, 6.0])
    got = target.score(t, ys[:, None]).ravel()
    expected = [numeric_score_1d(elastic_density(lam1, lam2), t, y) for y in ys]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_elastic_net_score_stays_finite_far_out():
    target = ElasticNetTarget(1, 5.0, 0.1)
    got = target.score(1e-3, np.array([[-60.0], [0.0], [80.0]])).ravel()
    assert np.all(np.isfinite(got))
    # far from 0 at tiny t the score is −U'(y) = −λ1 sign(y) − λ2 y
    np.testing.assert_allclose(got[[0, 2]], [5.0 + 6.0, -5.0 - 8.0], rtol=1e-2)


@pytest.mark.parametrize("t", TIMES)
def test_modified_half_normal_score_matches_quadrature(t):
    beta, gamma = 0.75, -1.5
    target = ModifiedHalfNormalTarget(1, beta=beta, gamma=gamma)
    density = lambda x: np.exp(-beta * x * x + gamma * abs(x))
    ys = np.array([-2.0, -0.2, 0.3, 1.7])
    expected = [numeric_score_1d(density, t, y) for y in ys]
    np.testing.assert_allclose(target.score(t, ys[:, None]).ravel(), expected, rtol=1e-6,
                               atol=1e-6)


def test_modified_half_normal_rejects_concave_kink():
    with pytest.raises(ValueError, match="not semiconvex"):
        ModifiedHalfNormalTarget(2, beta=1.0, gamma=0.5)
    with pytest.raises(ValueError, match="beta"):
        ModifiedHalfNormalTarget(2, beta=0.0, gamma=-1.0)


@pytest.mark.parametrize("t", TIMES + [0.01, 4.0])
def test_double_well_score_matches_quadrature(t):
    target = DoubleWellTarget(1)
    m = np.exp(-t)
    ys = np.array([-3.0, -1.1, -0.4, 0.0, 0.33, 0.9, 1.6, 4.0]) * max(m, 0.3)
    ys = np.append(ys, m * 3.5 + 8 * np.sqrt(1 - m * m) + 0.5)  # beyond the table: direct
    expected = np.array([numeric_score_1d(double_well_density, t, y, h=1e-4) for y in ys])
    got = target.score(t, ys[:, None]).ravel()
    assert np.all(np.abs(got - expected) <= 1e-4 * (1 + np.abs(expected))), got - expected


def trapezoid_log_pt_2d(log_density, t, y, half=7.0, n=561):
    """log p_t(y) for a 2-D target by the trapezoid rule on a fine grid (unnormalised)."""
    m, v = ou(t)
    g = np.linspace(-half, half, n)
    X1, X2 = np.meshgrid(g, g, indexing="ij")
    logf = log_density(X1, X2) - ((y[0] - m * X1) ** 2 + (y[1] - m * X2) ** 2) / (2 * v)
    top = logf.max()
    return top + np.log(np.trapezoid(np.trapezoid(np.exp(logf - top), g, axis=1), g))


def numeric_score_2d(log_density, t, y, h=1e-4):
    out = np.zeros(2)
    for i in range(2):
        e = np.zeros(2)
        e[i] = h
        out[i] = (trapezoid_log_pt_2d(log_density, t, y + e)
                  - trapezoid_log_pt_2d(log_density, t, y - e)) / (2 * h)
    return out


@pytest.mark.parametrize("t", TIMES)
def test_mixture_score_matches_quadrature(t):
    mu, s = np.array([1.0, 0.5]), 0.6
    target = MixtureTarget(mu, s)

    def log_density(x1, x2):
        a = -((x1 - mu[0]) ** 2 + (x2 - mu[1]) ** 2) / (2 * s * s)
        b = -((x1 + mu[0]) ** 2 + (x2 + mu[1]) ** 2) / (2 * s * s)
        return np.logaddexp(a, b)

    for y in ([0.2, -0.3], [1.5, 1.0], [-2.0, 0.4]):
        y = np.array(y)
        np.testing.assert_allclose(target.score(t, y[None, :])[0],
                                   numeric_score_2d(log_density, t, y), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("t", [0.0] + TIMES)
def test_gaussian_score_matches_quadrature(t):
    mean, cov = np.array([0.5, -1.0]), np.array([[1.0, 0.6], [0.6, 0.8]])
    target = GaussianTarget(mean, cov)
    P = np.linalg.inv(cov)

    def log_density(x1, x2):
        d1, d2 = x1 - mean[0], x2 - mean[1]
        return -0.5 * (P[0, 0] * d1 * d1 + 2 * P[0, 1] * d1 * d2 + P[1, 1] * d2 * d2)

    for y in ([0.0, 0.0], [1.2, -2.0]):
        y = np.array(y)
        got = target.score(t, y[None, :])[0]
        if t == 0.0:
            np.testing.assert_allclose(got, -P @ (y - mean), rtol=1e-12)
        else:
            np.testing.assert_allclose(got, numeric_score_2d(log_density, t, y), rtol=1e-5,
                                       atol=1e-5)


def quad_cdf(density, lo=-9.0):
    total, _ = integrate.quad(density, lo, -lo, points=[0.0], limit=200)
    return np.vectorize(lambda x: integrate.quad(density, lo, x, limit=200)[0] / total)


@pytest.mark.parametrize("target,density", [
    (ElasticNetTarget(1, 1.0, 1.0), elastic_density(1.0, 1.0)),
    (ElasticNetTarget(1, 4.0, 0.5), elastic_density(4.0, 0.5)),
    (ModifiedHalfNormalTarget(1, 1.0, 0.0), lambda x: np.exp(-x * x)),
    (DoubleWellTarget(1), double_well_density),
])
def test_product_samplers_match_quadrature_cdf(target, density):
    x = target.sample(1500, rng=11).ravel()
    assert stats.kstest(x, quad_cdf(density)).pvalue > 1e-3


def test_mixture_and_gaussian_samplers_moments():
    rng = np.random.default_rng(2)
    mix = MixtureTarget([2.0, 0.0, 0.0], s=0.5)
    x = mix.sample(40_000, rng)
    np.testing.assert_allclose(x.mean(0), 0, atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), np.diag([4.25, 0.25, 0.25]), atol=0.06)
    cov = np.array([[2.0, -0.5], [-0.5, 1.0]])
    g = GaussianTarget([1.0, 2.0], cov)
    y = g.sample_marginal(40_000, 0.7, rng)
    mean_t, cov_t = g.marginal(0.7)
    np.testing.assert_allclose(y.mean(0), mean_t, atol=0.03)
    np.testing.assert_allclose(np.cov(y.T), cov_t, atol=0.05)
    np.testing.assert_allclose(cov_t, np.exp(-1.4) * cov + (1 - np.exp(-1.4)) * np.eye(2))


def test_bad_target_input_is_named():
    with pytest.raises(ValueError, match="lam2"):
        ElasticNetTarget(1, 1.0, 0.0)
    with pytest.raises(ValueError, match="lam1"):
        ElasticNetTarget(1, -1.0, 1.0)
    with pytest.raises(ValueError, match="x must have shape"):
        ElasticNetTarget(2).score(0.5, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="t must be finite and > 0"):
        DoubleWellTarget(1).score(0.0, np.zeros((1, 1)))
    with pytest.raises(ValueError, match="s .* must be > 0"):
        MixtureTarget([1.0], s=-1)
    with pytest.raises(ValueError, match="positive definite"):
        GaussianTarget([0, 0], [[1, 0], [0, 0]])
    with pytest.raises(ValueError, match="d must be >= 1"):
        DoubleWellTarget(0)
