"""CPU kernel for the CDF loss: value and gradient per row in one cache-resident sweep (Numba).

For row n with probabilities p (overwritten), target CDF T, gaps g and exponent r:

    Δ_k = Σ_{i≤k} p_i − T_k,   s = Σ_{k<K−1} g_k |Δ_k|^r,
    G_k = ∂s/∂Δ_k = r g_k |Δ_k|^{r−1} sign Δ_k,    S_j = ∂s/∂p_j = Σ_{j≤k≤K−2} G_k,
    ∂s/∂z_j = p_j (S_j − Σ_i p_i S_i)             (through a softmax, z the logits).

The row (a few KB) stays in cache between the forward scan, the backward scan and the final
product, so the whole loss reads the probabilities once and writes the gradient once; the
torch-op version needs about nine passes over (N, K) memory. Accumulation is in float64.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def cdf_loss_rows(p: np.ndarray, t_index: np.ndarray, t_soft: np.ndarray, gaps: np.ndarray,
                  r: float, hard: bool, through_softmax: bool, with_grad: bool,
                  s_out: np.ndarray) -> None:
    """Fill s_out[n]; if ``with_grad``, overwrite p[n] with ∂s_n/∂(logits or probabilities)."""
    n, k = p.shape
    for row in prange(n):
        scratch = np.empty(k)
        cdf = 0.0
        target_cdf = 0.0
        s = 0.0
        t = t_index[row] if hard else 0
        for j in range(k - 1):
            cdf += p[row, j]
            if hard:
                target_cdf = 1.0 if j >= t else 0.0
            else:
                target_cdf += t_soft[row, j]
            d = cdf - target_cdf
            if r == 2.0:
                s += gaps[j] * d * d
                scratch[j] = 2.0 * gaps[j] * d
            else:
                a = abs(d)
                s += gaps[j] * a ** r
                if d != 0.0:
                    scratch[j] = r * gaps[j] * a ** (r - 1.0) * (1.0 if d > 0 else -1.0)
                else:
                    scratch[j] = 0.0
        s_out[row] = s
        if not with_grad:
            continue
        # reversed cumulative sum: S_j = Σ_{j≤k≤K−2} G_k, S_{K−1} = 0
        acc = 0.0
        dot = 0.0
        scratch[k - 1] = 0.0
        for j in range(k - 2, -1, -1):
            acc += scratch[j]
            scratch[j] = acc
            dot += p[row, j] * acc
        if through_softmax:
            for j in range(k):
                p[row, j] = p[row, j] * (scratch[j] - dot)
        else:
            for j in range(k):
                p[row, j] = scratch[j]
