"""CPU kernel for the CDF loss: value and gradient per row in one cache-resident sweep (Numba).

For row n with probabilities p (overwritten), target CDF T, gaps g and exponent r:

    Δ_k = Σ_{i≤k} p_i − T_k,   s = Σ_{k<K−1} g_k |Δ_k|^r,
    G_k = ∂s/∂Δ_k = r g_k |Δ_k|^{r−1} sign Δ_k,    S_j = ∂s/∂p_j = Σ_{j≤k≤K−2} G_k,
    ∂s/∂z_j = p_j (S_j − Σ_i p_i S_i)             (through a softmax, z the logits).

The row (a few KB) stays in cache between the forward scan, the backward scan and the final
product, so the whole loss reads the probabilities once and writes the gradient once; the
torch-op version needs about nine passes over (N, K) memory. Accumulation is in float64.

:func:`cdf_loss` picks the kernel for a call and runs it on a given number of threads. With
``EMDKIT_ENGINE=native`` every kernel here is the compiled engine's (cpp/nn/cdf_loss.cpp: the
same operations in the same order, so the same bits), which takes the thread count per call on
threads of its own; the Numba kernels below set Numba's process-wide count instead.
"""
from __future__ import annotations

import numpy as np
import torch

from .._jit import NUMBA_ENGINE, njit, prange
from ..core.engine import native_engine
from ..core.threads import available_threads

if NUMBA_ENGINE:  # the reference engine's thread controls
    import numba


@njit(parallel=True, cache=True)
def cdf_loss_rows(p: np.ndarray, t_index: np.ndarray, t_soft: np.ndarray, gaps: np.ndarray,
                  r: float, hard: bool, through_softmax: bool, with_grad: bool,
                  grad_scale: float, s_out: np.ndarray) -> None:
    """Fill s_out[n]; if ``with_grad``, overwrite p[n] with grad_scale · ∂s_n/∂(logits or
    probabilities) (the scale folds a later normalisation/mean into this one write)."""
    n, k = p.shape
    # rows in blocks so that the scratch row is allocated once per block, not once per row
    block = 64
    for first in prange((n + block - 1) // block):
        scratch = np.empty(k)
        for row in range(first * block, min(n, (first + 1) * block)):
            _one_row(p, row, t_index, t_soft, gaps, r, hard, through_softmax, with_grad,
                     grad_scale, s_out, scratch)


@njit(inline="always")
def _one_row(p, row, t_index, t_soft, gaps, r, hard, through_softmax, with_grad, grad_scale,
             s_out, scratch):
    """One row of :func:`cdf_loss_rows`; ``scratch`` holds G, then S."""
    k = p.shape[1]
    if hard and r == 2.0:
        s = _forward_hard_squared(p, row, t_index[row], gaps, scratch)
    else:
        s = _forward_general(p, row, t_index, t_soft, gaps, r, hard, scratch)
    s_out[row] = s
    if not with_grad:
        return
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
            p[row, j] = p[row, j] * (scratch[j] - dot) * grad_scale
    else:
        for j in range(k):
            p[row, j] = scratch[j] * grad_scale


@njit(inline="always")
def _forward_hard_squared(p, row, t, gaps, scratch):
    """The common case (class-index target, r = 2), split at t so the loops carry no branch."""
    k = p.shape[1]
    cdf = 0.0
    s = 0.0
    for j in range(min(t, k - 1)):
        cdf += p[row, j]
        s += gaps[j] * cdf * cdf
        scratch[j] = 2.0 * gaps[j] * cdf
    for j in range(t, k - 1):
        cdf += p[row, j]
        d = cdf - 1.0
        s += gaps[j] * d * d
        scratch[j] = 2.0 * gaps[j] * d
    return s


@njit(inline="always")
def _forward_general(p, row, t_index, t_soft, gaps, r, hard, scratch):
    k = p.shape[1]
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
    return s


# Below this many classes the per-row scans are too short to hide the add latency of their
# dependency chains; the column-major kernel runs ROWS_PER_BLOCK rows side by side instead, so
# the inner loops are vectorisable across rows. Measured crossover ≈ 50 classes (bench_loss.py).
SMALL_K = 32
ROWS_PER_BLOCK = 64


@njit(parallel=True, cache=True)
def cdf_loss_hard_squared_small_k(p: np.ndarray, t_index: np.ndarray, gaps: np.ndarray,
                                  through_softmax: bool, with_grad: bool, grad_scale: float,
                                  s_out: np.ndarray) -> None:
    """:func:`cdf_loss_rows` for index targets and r = 2, with blocks of rows transposed."""
    n, k = p.shape
    width = ROWS_PER_BLOCK
    for block in prange((n + width - 1) // width):
        first = block * width
        rows = min(width, n - first)
        pt = np.zeros((k, width))    # pt[j, q] = p[first + q, j]
        grad = np.zeros((k, width))  # G, then S
        cdf = np.zeros(width)
        s = np.zeros(width)
        acc = np.zeros(width)
        dot = np.zeros(width)
        target = np.full(width, k)   # padding rows: a target past the end, harmless zeros
        for q in range(rows):
            target[q] = t_index[first + q]
            for j in range(k):
                pt[j, q] = p[first + q, j]
        for j in range(k - 1):
            gj = gaps[j]
            for q in range(width):
                cdf[q] += pt[j, q]
                d = cdf[q] - (1.0 if j >= target[q] else 0.0)
                s[q] += gj * d * d
                grad[j, q] = 2.0 * gj * d
        for q in range(rows):
            s_out[first + q] = s[q]
        if not with_grad:
            continue
        for j in range(k - 2, -1, -1):
            for q in range(width):
                acc[q] += grad[j, q]
                grad[j, q] = acc[q]
                dot[q] += pt[j, q] * acc[q]
        for q in range(rows):
            for j in range(k):
                if through_softmax:
                    p[first + q, j] = pt[j, q] * (grad[j, q] - dot[q]) * grad_scale
                else:
                    p[first + q, j] = grad[j, q] * grad_scale


# Rows scanned side by side by the interleaved kernel: four independent add chains hide the
# latency of one (the per-row scans are latency-bound at K ≈ 100: 0.97 → 0.78 ms on one thread,
# B = 4096, K = 100, best of 200; bench/bench_loss.py has the end-to-end figure).
INTERLEAVE = 4


@njit(parallel=True, cache=True)
def cdf_loss_hard_squared_interleaved(p: np.ndarray, t_index: np.ndarray, gaps: np.ndarray,
                                      through_softmax: bool, with_grad: bool,
                                      grad_scale: float, s_out: np.ndarray) -> None:
    """:func:`cdf_loss_rows` for index targets and r = 2, four rows at a time (rows must be a
    multiple of :data:`INTERLEAVE`; the caller sends the tail to :func:`cdf_loss_rows`)."""
    n, k = p.shape
    for quad in prange(n // 4):
        r0 = 4 * quad
        g = np.empty((k, 4))  # G, then S, for the four rows
        t0, t1, t2, t3 = t_index[r0], t_index[r0 + 1], t_index[r0 + 2], t_index[r0 + 3]
        c0 = c1 = c2 = c3 = 0.0
        s0 = s1 = s2 = s3 = 0.0
        for j in range(k - 1):
            gj = gaps[j]
            c0 += p[r0, j]
            c1 += p[r0 + 1, j]
            c2 += p[r0 + 2, j]
            c3 += p[r0 + 3, j]
            d0 = c0 - (1.0 if j >= t0 else 0.0)
            d1 = c1 - (1.0 if j >= t1 else 0.0)
            d2 = c2 - (1.0 if j >= t2 else 0.0)
            d3 = c3 - (1.0 if j >= t3 else 0.0)
            s0 += gj * d0 * d0
            s1 += gj * d1 * d1
            s2 += gj * d2 * d2
            s3 += gj * d3 * d3
            g[j, 0] = 2.0 * gj * d0
            g[j, 1] = 2.0 * gj * d1
            g[j, 2] = 2.0 * gj * d2
            g[j, 3] = 2.0 * gj * d3
        s_out[r0], s_out[r0 + 1], s_out[r0 + 2], s_out[r0 + 3] = s0, s1, s2, s3
        if not with_grad:
            continue
        a0 = a1 = a2 = a3 = 0.0
        e0 = e1 = e2 = e3 = 0.0
        for q in range(4):
            g[k - 1, q] = 0.0
        for j in range(k - 2, -1, -1):
            a0 += g[j, 0]
            a1 += g[j, 1]
            a2 += g[j, 2]
            a3 += g[j, 3]
            g[j, 0], g[j, 1], g[j, 2], g[j, 3] = a0, a1, a2, a3
            e0 += p[r0, j] * a0
            e1 += p[r0 + 1, j] * a1
            e2 += p[r0 + 2, j] * a2
            e3 += p[r0 + 3, j] * a3
        for q, dot in ((0, e0), (1, e1), (2, e2), (3, e3)):
            row = r0 + q
            if through_softmax:
                for j in range(k):
                    p[row, j] = p[row, j] * (g[j, q] - dot) * grad_scale
            else:
                for j in range(k):
                    p[row, j] = g[j, q] * grad_scale


_numba_threads: int | None = None


def _set_numba_threads(threads: int) -> int:
    """Set Numba's thread count for this call (numba's own query takes a lock, so we remember
    what we last set). Returns torch's setting, for :func:`_keep_torch_threads`."""
    global _numba_threads
    torch_threads = torch.get_num_threads()
    if threads != _numba_threads:
        numba.set_num_threads(threads)
        _numba_threads = threads
    return torch_threads


def _keep_torch_threads(torch_threads: int) -> None:
    """Undo what Numba's OpenMP layer does when its pool starts: it resets the process-wide
    OpenMP thread count, and with it torch's intra-op threads. Left alone, torch's reductions
    would round differently from then on, and a seeded training run would depend on what ran
    before it in the process."""
    if torch.get_num_threads() != torch_threads:
        torch.set_num_threads(torch_threads)


def cdf_loss(p: np.ndarray, t_index: np.ndarray, t_soft: np.ndarray, gaps: np.ndarray, r: float,
             hard: bool, through_softmax: bool, with_grad: bool, grad_scale: float,
             s_out: np.ndarray, n_threads: int = 1, chunk: int = 0) -> None:
    """:func:`cdf_loss_rows` by the kernel that suits the call, on ``n_threads`` threads (at
    most :data:`MAX_THREADS`) handed ``chunk`` blocks of rows at a time (0: equal shares).

    Index targets with r = 2 take the column-major kernel up to :data:`SMALL_K` classes and the
    interleaved one above (its last ``n % INTERLEAVE`` rows by :func:`cdf_loss_rows`); every
    other call takes :func:`cdf_loss_rows`. All give the same bits.
    """
    torch_threads = _set_numba_threads(n_threads)
    n, k = p.shape
    with numba.parallel_chunksize(chunk):
        if hard and r == 2.0 and k <= SMALL_K:
            cdf_loss_hard_squared_small_k(p, t_index, gaps, through_softmax, with_grad,
                                          grad_scale, s_out)
        elif hard and r == 2.0:
            body = n - n % INTERLEAVE
            if body:
                cdf_loss_hard_squared_interleaved(p[:body], t_index[:body], gaps,
                                                  through_softmax, with_grad, grad_scale,
                                                  s_out[:body])
            if body < n:
                cdf_loss_rows(p[body:], t_index[body:], t_soft, gaps, r, hard, through_softmax,
                              with_grad, grad_scale, s_out[body:])
        else:
            cdf_loss_rows(p, t_index, t_soft, gaps, r, hard, through_softmax, with_grad,
                          grad_scale, s_out)
    _keep_torch_threads(torch_threads)


#: The most threads one call may use: ``NUMBA_NUM_THREADS`` for Numba's pool; for the compiled
#: engine, the CPU affinity mask (and ``NUMBA_NUM_THREADS`` where a user set it as a limit).
MAX_THREADS = numba.config.NUMBA_NUM_THREADS if NUMBA_ENGINE else available_threads()

_native = native_engine()
if _native is not None:
    cdf_loss = _native.cdf_loss
    cdf_loss_rows = _native.cdf_loss_rows
    cdf_loss_hard_squared_small_k = _native.cdf_loss_hard_squared_small_k
    cdf_loss_hard_squared_interleaved = _native.cdf_loss_hard_squared_interleaved
