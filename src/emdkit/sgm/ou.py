"""The forward Ornstein–Uhlenbeck process and the reverse Euler–Maruyama sampler.

Forward:  dX = −X dt + √2 dW, so X_t = m_t X_0 + σ_t Z with m_t = e^{−t}, σ_t² = 1 − e^{−2t};
p_t → N(0, I) as t → ∞.

Reverse (time τ = T − kγ runs from T down to the early stop ε):

    Y_{k+1} = Y_k + γ (Y_k + 2 s(T − kγ, Y_k)) + √(2γ) Z_{k+1},   Y_0 ~ N(0, I_d),

for k = 0 … K−1 with K = (T − ε)/γ; Y_K approximates p_ε, hence π for small ε.
Times are dimensionless (the OU rate is 1).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from emdkit.core.validation import check_positive_int

Score = Callable[[float, np.ndarray], np.ndarray]  # s(t, x): (n, d) -> (n, d)


def ou_mean_scale(t: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m_t, σ_t) = (e^{−t}, √(1 − e^{−2t})) of the forward OU process.

    See Also
    --------
    forward_ou : samples with them.

    References
    ----------
    .. [1] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon, B. Poole, "Score-based
       generative modeling through stochastic differential equations", ICLR 2021.
    .. [2] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models under
       semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
    """
    t = np.asarray(t, dtype=np.float64)
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("t must be finite and >= 0")
    return np.exp(-t), np.sqrt(-np.expm1(-2.0 * t))


def forward_ou(x0: np.ndarray, t: float, rng: np.random.Generator | int | None = None
               ) -> np.ndarray:
    """Exact sample of X_t given X_0 = x0 (rows): m_t x0 + σ_t Z.

    See Also
    --------
    ou_mean_scale : its m_t and σ_t.
    reverse_em : the sampler that runs it backwards.

    References
    ----------
    .. [1] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon, B. Poole, "Score-based
       generative modeling through stochastic differential equations", ICLR 2021.
    .. [2] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models under
       semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
    """
    rng = np.random.default_rng(rng)
    m, s = ou_mean_scale(t)
    x0 = np.asarray(x0, dtype=np.float64)
    return m * x0 + s * rng.standard_normal(x0.shape)


def check_horizon(T: float, eps: float) -> tuple[float, float]:
    if not (np.isfinite(T) and np.isfinite(eps)):
        raise ValueError(f"T and eps must be finite, got T={T}, eps={eps}")
    if eps < 0:
        raise ValueError(f"eps (early stop) must be >= 0, got {eps}")
    if T <= eps:
        raise ValueError(f"terminal time T must exceed the early stop eps, got T={T}, eps={eps}")
    return float(T), float(eps)


def step_size(T: float, eps: float, n_steps: int) -> float:
    """γ = (T − ε)/K.

    See Also
    --------
    reverse_em : the sampler that takes these steps.

    References
    ----------
    .. [1] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models under
       semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
    """
    T, eps = check_horizon(T, eps)
    return (T - eps) / check_positive_int(n_steps, "n_steps")


@dataclass
class Run:
    """One reverse Euler–Maruyama chain: its score, start points Y_0 (n, d) and step count K."""
    score: Score
    y0: np.ndarray
    n_steps: int


def coupled_reverse_em(runs: Sequence[Run], T: float, eps: float,
                       rng: np.random.Generator | int | None = None) -> list[np.ndarray]:
    """Run several reverse EM chains driven by one Brownian path (synchronous coupling).

    The path is drawn on the finest grid, K_max = max K_j steps of γ_f = (T − ε)/K_max; a chain
    with K_j steps (K_max must be a multiple of K_j) uses the sum of the r = K_max/K_j fine
    increments inside each of its steps, so every chain is an exact EM discretisation of the
    same SDE path. E‖Y^{(i)}_K − Y^{(j)}_K‖² then bounds W2²(law(Y^{(i)}), law(Y^{(j)})) from
    above with no sample floor.

    Returns the final states Y_K of the runs, in order.

    See Also
    --------
    reverse_em : one chain.
    coupling_rms : the W2 bound from the coupled samples.

    References
    ----------
    .. [1] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models under
       semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
    .. [2] P. E. Kloeden, E. Platen, "Numerical Solution of Stochastic Differential Equations",
       Springer, 1992.
    """
    T, eps = check_horizon(T, eps)
    if len(runs) == 0:
        raise ValueError("runs is empty")
    steps = [check_positive_int(r.n_steps, "n_steps") for r in runs]
    k_max = max(steps)
    for k in steps:
        if k_max % k:
            raise ValueError(f"step counts must divide the finest one ({k_max}); got {k}")
    shape = np.asarray(runs[0].y0).shape
    ys = []
    for r in runs:
        y = np.array(r.y0, dtype=np.float64)
        if y.ndim != 2 or y.shape != shape:
            raise ValueError(f"every y0 must be the same (n, d) array; got {y.shape} and {shape}")
        ys.append(y)
    rng = np.random.default_rng(rng)
    fine_dt = (T - eps) / k_max
    ratios = [k_max // k for k in steps]
    # W is the running Brownian path; a run's increment over its step is W_now − W_at_its_last_step
    path = np.zeros(shape)
    last = [np.zeros(shape) for _ in runs]
    sqrt_dt = np.sqrt(fine_dt)
    for i in range(k_max):
        path += sqrt_dt * rng.standard_normal(shape)
        for j, r in enumerate(runs):
            if (i + 1) % ratios[j]:
                continue
            k = (i + 1) // ratios[j] - 1  # the step of run j that ends here
            gamma = ratios[j] * fine_dt
            dW = path - last[j]
            last[j][:] = path
            ys[j] += gamma * (ys[j] + 2.0 * r.score(T - k * gamma, ys[j])) + np.sqrt(2.0) * dW
    return ys


def reverse_em(score: Score, n: int, d: int, T: float, n_steps: int, eps: float = 0.0,
               rng: np.random.Generator | int | None = None) -> np.ndarray:
    """n samples of the reverse EM sampler from Y_0 ~ N(0, I_d) with K = n_steps steps.

    See Also
    --------
    coupled_reverse_em : several step sizes on one Brownian path.
    step_size : γ.

    References
    ----------
    .. [1] Y. Song, J. Sohl-Dickstein, D. P. Kingma, A. Kumar, S. Ermon, B. Poole, "Score-based
       generative modeling through stochastic differential equations", ICLR 2021.
    .. [2] S. Bruno, S. Sabanis, "Wasserstein convergence of score-based generative models under
       semiconvexity and discontinuous gradients", arXiv:2505.03432, 2025.
    .. [3] P. E. Kloeden, E. Platen, "Numerical Solution of Stochastic Differential Equations",
       Springer, 1992.
    """
    n = check_positive_int(n, "n")
    d = check_positive_int(d, "d")
    rng = np.random.default_rng(rng)
    y0 = rng.standard_normal((n, d))
    return coupled_reverse_em([Run(score, y0, n_steps)], T, eps, rng)[0]


def coupling_rms(a: np.ndarray, b: np.ndarray) -> float:
    """√(E‖a − b‖²) over rows: the W2 upper bound from a coupling given as paired samples.

    See Also
    --------
    coupled_reverse_em : makes the coupled samples.
    emdkit.w2.exact_w2 : the exact empirical W2.

    References
    ----------
    .. [1] C. Villani, "Optimal Transport: Old and New", Springer, 2009.
    """
    return float(np.sqrt(np.mean(np.sum((a - b) ** 2, axis=1))))
