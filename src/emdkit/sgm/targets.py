"""Targets π ∝ exp(−U) with exact samplers and exact scores ∇log p_t of the OU-smoothed laws.

p_t is the law of m_t X_0 + σ_t Z with X_0 ~ π (see :mod:`emdkit.sgm.ou`). Here: the Gaussian
(linear score, and the exact law of the EM sampler) and the symmetric two-component Gaussian
mixture. Product targets with kinks or double wells are in :mod:`emdkit.sgm.product_targets`.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike

from emdkit.core.validation import check_positive_int

from .ou import check_horizon, forward_ou, ou_mean_scale, step_size


def _check_t(t: float) -> float:
    if not np.isfinite(t) or t < 0:
        raise ValueError(f"t must be finite and >= 0, got {t}")
    return float(t)


def _check_x(x: np.ndarray, d: int) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != d:
        raise ValueError(f"x must have shape (n, {d}), got {x.shape}")
    return x


class Target(ABC):
    """A law π on R^d with an exact sampler and the exact score of its OU smoothing p_t."""

    name: str = "target"

    def __init__(self, d: int):
        self.d = check_positive_int(d, "d")

    @abstractmethod
    def sample(self, n: int, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """n exact i.i.d. samples of π, shape (n, d).

        See Also
        --------
        Target.sample_marginal : samples of p_t, pushed from these through the forward OU process.
        emdkit.w2.exact_w2 : the empirical W2 between a sampler's output and these samples.
        """

    @abstractmethod
    def score(self, t: float, x: np.ndarray) -> np.ndarray:
        """∇_x log p_t(x) for rows x of an (n, d) array.

        See Also
        --------
        reverse_em : the sampler that drives this score backwards in time.
        ou_mean_scale : m_t and σ_t of the smoothing p_t = law of m_t X_0 + σ_t Z.

        References
        ----------
        .. [1] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon, B. Poole,
           "Score-based generative modeling through stochastic differential equations", ICLR 2021.
        """

    def sample_marginal(self, n: int, t: float, rng: np.random.Generator | int | None = None
                        ) -> np.ndarray:
        """n exact samples of p_t (π pushed through the forward OU process for time t).

        See Also
        --------
        forward_ou : the push-forward applied to samples of π.
        Target.score : the exact score of the law sampled here.
        """
        rng = np.random.default_rng(rng)
        return forward_ou(self.sample(n, rng), _check_t(t), rng)

    def describe(self) -> str:
        """One line naming the law and its parameters, for reports and figure captions.

        See Also
        --------
        Target.sample : draws from the law described.
        """
        return self.name


class GaussianTarget(Target):
    """π = N(mean, cov). p_t = N(m_t mean, m_t² cov + σ_t² I); the score is linear."""

    name = "gaussian"

    def __init__(self, mean: ArrayLike, cov: ArrayLike):
        mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        cov = np.atleast_2d(np.asarray(cov, dtype=np.float64))
        super().__init__(mean.shape[0])
        if mean.ndim != 1 or cov.shape != (self.d, self.d):
            raise ValueError(f"cov must be ({self.d}, {self.d}) to match mean, got {cov.shape}")
        if not np.allclose(cov, cov.T):
            raise ValueError("cov must be symmetric")
        self.eigval, self.eigvec = np.linalg.eigh(cov)
        if self.eigval.min() <= 0:
            raise ValueError("cov must be positive definite")
        self.mean, self.cov = mean, cov
        self._mean_eig = self.eigvec.T @ mean

    def sample(self, n, rng=None):
        rng = np.random.default_rng(rng)
        z = rng.standard_normal((check_positive_int(n, "n"), self.d))
        return self.mean + (z * np.sqrt(self.eigval)) @ self.eigvec.T

    def _marginal_var_eig(self, t: float) -> tuple[float, np.ndarray]:
        m, s = ou_mean_scale(t)
        return float(m), m ** 2 * self.eigval + s ** 2

    def score(self, t, x):
        x = _check_x(x, self.d)
        m, var = self._marginal_var_eig(_check_t(t))
        z = x @ self.eigvec
        return ((m * self._mean_eig - z) / var) @ self.eigvec.T

    def marginal(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        """(mean, cov) of p_t.

        See Also
        --------
        sampler_law : the law the discretised reverse sampler reaches instead.
        emdkit.w2.gaussian_w2 : the W2 distance between this law and another Gaussian.
        """
        m, var = self._marginal_var_eig(_check_t(t))
        return m * self.mean, (self.eigvec * var) @ self.eigvec.T

    def sampler_law(self, T: float, n_steps: int, eps: float = 0.0, start_exact: bool = False
                    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact (mean, cov) of the reverse EM output Y_K started from N(0, I), or from the exact
        p_T when ``start_exact`` (the two differ only by the horizon term).

        In the eigenbasis of cov each coordinate follows Y' = a_k Y + b_k + √(2γ) Z with
        a_k = 1 + γ − 2γ/v(t_k), b_k = 2γ m(t_k) μ̃ / v(t_k), t_k = T − kγ, so::

            mean' = a_k mean + b_k,   var' = a_k² var + 2γ,

        from mean = 0, var = 1 (or from p_T's mean m_T μ̃ and variance m_T² λ + σ_T²).

        See Also
        --------
        reverse_em : the sampler whose output law this is.
        marginal : the exact law p_t, which the output approximates at the stopping time.
        emdkit.w2.gaussian_w2 : the W2 error of this law against π, in closed form.

        References
        ----------
        .. [1] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models
           under semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
        """
        T, eps = check_horizon(T, eps)
        gamma = step_size(T, eps, n_steps)
        if start_exact:
            m_T, var = self._marginal_var_eig(T)
            mean = m_T * self._mean_eig
        else:
            mean = np.zeros(self.d)
            var = np.ones(self.d)
        for k in range(n_steps):
            m, v = self._marginal_var_eig(T - k * gamma)
            a = 1.0 + gamma - 2.0 * gamma / v
            mean = a * mean + 2.0 * gamma * m * self._mean_eig / v
            var = a ** 2 * var + 2.0 * gamma
        return self.eigvec @ mean, (self.eigvec * var) @ self.eigvec.T

    def describe(self):
        return f"Gaussian N(m, Σ), d={self.d}, eig(Σ) in [{self.eigval.min():g}, {self.eigval.max():g}]"


class MixtureTarget(Target):
    """π = ½ N(μ, s² I) + ½ N(−μ, s² I).

    p_t = ½ N(m_t μ, v_t I) + ½ N(−m_t μ, v_t I) with v_t = m_t² s² + σ_t², and

        ∇log p_t(x) = ( m_t μ tanh(m_t ⟨μ, x⟩ / v_t) − x ) / v_t.

    U = ‖x‖²/(2s²) − log cosh(⟨μ, x⟩/s²) + const is semiconvex with K = ‖μ‖²/s⁴ − 1/s².
    """

    name = "mixture"

    def __init__(self, mu: ArrayLike, s: float = 1.0):
        mu = np.atleast_1d(np.asarray(mu, dtype=np.float64))
        if mu.ndim != 1 or not np.all(np.isfinite(mu)):
            raise ValueError("mu must be a finite 1-D vector")
        super().__init__(mu.shape[0])
        if not (np.isfinite(s) and s > 0):
            raise ValueError(f"s (component standard deviation) must be > 0, got {s}")
        self.mu, self.s = mu, float(s)

    def sample(self, n, rng=None):
        rng = np.random.default_rng(rng)
        n = check_positive_int(n, "n")
        signs = rng.choice([-1.0, 1.0], size=(n, 1))
        return signs * self.mu + self.s * rng.standard_normal((n, self.d))

    def score(self, t, x):
        x = _check_x(x, self.d)
        m, sig = ou_mean_scale(_check_t(t))
        v = m ** 2 * self.s ** 2 + sig ** 2
        proj = np.tanh(m * (x @ self.mu) / v)
        return (m * proj[:, None] * self.mu - x) / v

    def describe(self):
        return f"mixture ½N(±μ, {self.s:g}² I), d={self.d}, |μ|={np.linalg.norm(self.mu):g}"


class IsotropicMixtureTarget(Target):
    """π = (1/M) Σ_j N(μ_j, s² I): M equal components sharing one isotropic width.

    p_t = (1/M) Σ_j N(m_t μ_j, v_t I) with v_t = m_t² s² + σ_t², and

        ∇log p_t(x) = ( m_t Σ_j w_j(x) μ_j − x ) / v_t,   w = softmax_j(−‖x − m_t μ_j‖² / 2v_t).

    The Hessian of U = −log π is I/s² − Cov_w(μ)/s⁴ with Cov_w(μ) ⪯ max_j ‖μ_j‖² I, so with
    every centre at distance ≤ R from 0, U + K‖x‖²/2 is convex for
    K = :attr:`semiconvexity_bound` = max(R²/s⁴ − 1/s², 0): tunable by R/s, the same in every d.
    """

    name = "gauss-mixture"

    def __init__(self, centres: ArrayLike, s: float = 1.0):
        centres = np.asarray(centres, dtype=np.float64)
        if centres.ndim != 2 or centres.shape[0] < 1 or not np.all(np.isfinite(centres)):
            raise ValueError(f"centres must be a finite (M, d) array, got shape {centres.shape}")
        super().__init__(centres.shape[1])
        if not (np.isfinite(s) and s > 0):
            raise ValueError(f"s (component standard deviation) must be > 0, got {s}")
        self.centres, self.s = centres, float(s)

    @property
    def semiconvexity_bound(self) -> float:
        """K with U + K‖x‖²/2 convex: max_j ‖μ_j‖²/s⁴ − 1/s², floored at 0.

        See Also
        --------
        reverse_em : the sampler whose W2 error bound depends on this K.

        References
        ----------
        .. [1] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models
           under semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
        """
        r2 = float(np.max(np.sum(self.centres ** 2, axis=1)))
        k = r2 / self.s ** 4 - 1.0 / self.s ** 2
        # R = s exactly leaves a rounding residue of ~1e-15: report it as the 0 it is
        return k if k > 1e-9 / self.s ** 2 else 0.0

    def sample(self, n, rng=None):
        rng = np.random.default_rng(rng)
        n = check_positive_int(n, "n")
        pick = rng.integers(0, len(self.centres), size=n)
        return self.centres[pick] + self.s * rng.standard_normal((n, self.d))

    def score(self, t, x):
        x = _check_x(x, self.d)
        m, sig = ou_mean_scale(_check_t(t))
        v = m ** 2 * self.s ** 2 + sig ** 2
        mc = m * self.centres
        # −‖x − m μ_j‖²/2v up to a term constant in j
        logits = (x @ mc.T - 0.5 * np.sum(mc ** 2, axis=1)) / v
        logits -= logits.max(axis=1, keepdims=True)
        w = np.exp(logits)
        w /= w.sum(axis=1, keepdims=True)
        return (w @ mc - x) / v

    def describe(self):
        r = np.sqrt(np.max(np.sum(self.centres ** 2, axis=1)))
        return (f"mixture of {len(self.centres)} N(μ_j, {self.s:g}² I), d={self.d}, "
                f"max|μ_j|={r:g}, K ≤ {self.semiconvexity_bound:g}")


class RotatedBlockMixtureTarget(Target):
    """π = law of Q·Z, Z = (Z¹, …, Z^{d/2}) with independent 2-D blocks Z^b ~ ½N(±μ, s² I₂).

    Q is a seeded random rotation of R^d, so the score couples every coordinate, while each
    block stays as non-Gaussian as at d = 2: the non-Gaussian part does not fade with d (unlike
    :func:`sphere_mixture`, whose per-coordinate departure from a Gaussian is ~ R²/d). The OU
    smoothing commutes with Q, so p_t = Q_# (product of the blocks' smoothed mixtures) and

        ∇log p_t(x) = Q · ∇log p_t^Z(Qᵀ x),

    each block's score as in :class:`MixtureTarget`. U is semiconvex with the block constant
    K = ‖μ‖²/s⁴ − 1/s², the same in every d.
    """

    name = "rotated-blocks"

    def __init__(self, d: int, mu: ArrayLike = (1.0, 1.0), s: float = 0.5, seed: int = 0):
        d = check_positive_int(d, "d")
        if d % 2:
            raise ValueError(f"d must be even (2-D blocks), got {d}")
        super().__init__(d)
        self.block = MixtureTarget(mu, s)
        if self.block.d != 2:
            raise ValueError(f"mu must have 2 entries (one block), got {self.block.d}")
        q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
        self.Q = q * np.sign(np.diag(r))  # Haar-distributed rotation

    @property
    def semiconvexity_bound(self) -> float:
        return float(np.sum(self.block.mu ** 2) / self.block.s ** 4 - 1.0 / self.block.s ** 2)

    def sample(self, n, rng=None):
        rng = np.random.default_rng(rng)
        n = check_positive_int(n, "n")
        z = self.block.sample(n * (self.d // 2), rng).reshape(n, self.d)
        return z @ self.Q.T

    def score(self, t, x):
        x = _check_x(x, self.d)
        z = (x @ self.Q).reshape(-1, 2)
        return self.block.score(t, z).reshape(x.shape) @ self.Q.T

    def describe(self):
        return (f"rotated product of {self.d // 2} blocks ½N(±μ, {self.block.s:g}² I₂), "
                f"d={self.d}, K = {self.semiconvexity_bound:g}")


def sphere_mixture(d: int, n_components: int, radius: float, s: float,
                   seed: int = 0) -> IsotropicMixtureTarget:
    """Mixture with ``n_components`` centres drawn uniformly on the sphere of ``radius`` in R^d.

    See Also
    --------
    IsotropicMixtureTarget : the target it returns.

    References
    ----------
    .. [1] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models under
       semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
    """
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((check_positive_int(n_components, "n_components"),
                             check_positive_int(d, "d")))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return IsotropicMixtureTarget(radius * u, s)


def score_mse(score, target: Target, times: np.ndarray, n: int,
              rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Monte Carlo E_{X ~ p_t} ‖score(t, X) − ∇log p_t(X)‖² at each t in ``times``.

    The paper's score error ε_SN bounds this over the sampler's time grid; its standard error
    is the sample standard deviation over √n.
    """
    rng = np.random.default_rng(rng)
    n = check_positive_int(n, "n")
    out = np.empty(len(times))
    for i, t in enumerate(times):
        x = target.sample_marginal(n, float(t), rng)
        out[i] = np.mean(np.sum((score(float(t), x) - target.score(float(t), x)) ** 2, axis=1))
    return out
