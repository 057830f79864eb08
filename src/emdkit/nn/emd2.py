"""The squared EMD loss of Hou, Yu and Samaras (arXiv 1611.05916) for ordered classes.

For classes 0..K−1 on a line, the EMD between two distributions has a closed form in their CDFs
F(p)_k = Σ_{i≤k} p_i; the paper trains with

    EMD²(p, t) = norm · Σ_{k=0}^{K−2} g_k |F_k(p) − F_k(t)|^r,    r = 2,

where g_k = x_{k+1} − x_k is the gap to the next class centre (1 for evenly spaced classes) and
norm is 1/K ("mean", the authors' code), 1 ("sum") or 1/(K−1) ("rps"). The last CDF entry is 1
on both sides and is left out. With r = 1 and "sum" this is the exact 1-D EMD with cost |x_i − x_j|.
The value is in (position units) × (probability)^r.
"""
from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..core.validation import n_jobs_or_alias
from . import _cdf_kernel, _checks

NORMALIZATIONS = ("mean", "sum", "rps")
# The fused kernel (_cdf_kernel) serves CPU float32/float64; other devices and dtypes use torch ops.
# Tests switch it off to check the two paths against each other.
USE_CPU_KERNEL = True


class _CDFResidualPower(torch.autograd.Function):
    """s_n = Σ_{k<K−1} g_k |Δ_nk|^r with Δ = F(p) − F(t), softmax included, exact gradient.

    Written by hand for speed and memory. Autograd would differentiate the cumulative sum by
    flip–cumsum–flip and keep F(p), Δ and |Δ|^r alive. Here Δ is one cumsum of p − t (for an index
    target, p − e_t: a copy and N scattered subtractions, no K-wide comparison), only p and Δ are
    kept, and the reversed cumulative sum in the backward is C_{K−2} − C_j + G_j with C = cumsum(G).
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, target: torch.Tensor, gaps: torch.Tensor | None,
                r: float, hard: bool, from_logits: bool) -> torch.Tensor:
        n, k = x.shape
        p = torch.softmax(x, dim=-1) if from_logits else x
        if hard:
            diff = p.clone()
            flat = diff.view(-1)
            at = torch.arange(n, device=x.device) * k + target
            flat.index_put_((at,), torch.full_like(at, -1.0, dtype=x.dtype), accumulate=True)
        else:
            diff = p - target
        delta = torch.cumsum(diff, dim=-1, out=diff)  # F(p) − F(t); column K−1 is only rounding
        kept = delta[:, :-1]
        if r == 2.0 and gaps is None:
            s = torch.linalg.vecdot(kept, kept)
        else:
            power = kept * kept if r == 2.0 else kept.abs().pow(r)
            s = power.sum(dim=-1) if gaps is None else power @ gaps
        ctx.save_for_backward(p if from_logits else None, delta, gaps)
        ctx.r, ctx.hard, ctx.from_logits = r, hard, from_logits
        return s

    @staticmethod
    def backward(ctx, grad_s: torch.Tensor):
        _checks.refuse_double_backward("emd2_loss")
        p, delta, gaps = ctx.saved_tensors
        r = ctx.r
        # G_k = ∂s/∂Δ_k up to the per-row factor r·grad_s (applied once, below)
        if r == 2.0:
            g = delta if gaps is None else delta * F.pad(gaps, (0, 1))
        else:
            g = delta.sign() if r == 1.0 else delta.sign() * delta.abs().pow(r - 1.0)
            if gaps is not None:
                g = g * F.pad(gaps, (0, 1))
        # ∂s/∂p_j = Σ_{j≤k≤K−2} G_k = C_{K−2} − C_j + G_j; it is exactly 0 for j = K−1.
        partial = torch.cumsum(g, dim=-1)
        grad_p = torch.sub(g, partial).add_(partial[:, -2:-1]).mul_((r * grad_s).unsqueeze(1))
        grad_t = -grad_p if (not ctx.hard and ctx.needs_input_grad[1]) else None
        if ctx.from_logits:
            # softmax backward: p ⊙ (grad_p − <p, grad_p>)
            grad_x = torch._softmax_backward_data(grad_p, p, -1, p.dtype)
        else:
            grad_x = grad_p
        return grad_x, grad_t, None, None, None, None


# Below this many (row × class) entries the kernel runs on one thread. Such a call takes a few
# ms at most (B = 4096, K = 100: 0.8 ms on one thread, ~2 ns an entry), the length of one
# scheduler time slice (4 ms at HZ = 250). Split over two threads, it waits for the slower half,
# and when another process holds a core that half is descheduled for a whole slice: issue 12
# measured 1.98× cross-entropy with other work running against 1.13× quiet. From this size on a
# region lasts several slices, and rows are handed out in small chunks (PARALLEL_CHUNK blocks)
# so that a thread slowed by a busy core takes fewer chunks and costs only its share.
PARALLEL_MIN_ENTRIES = 4_000_000
PARALLEL_CHUNK = 8


def kernel_threads(n_entries: int, n_jobs: int) -> int:
    """Threads for one kernel call: ``n_jobs`` if given, else (-1) torch's intra-op setting (the
    user's limit) for large calls and 1 below :data:`PARALLEL_MIN_ENTRIES`; never more than
    the engine's :data:`~emdkit.nn._cdf_kernel.MAX_THREADS`."""
    if n_jobs == -1:
        n_jobs = torch.get_num_threads() if n_entries >= PARALLEL_MIN_ENTRIES else 1
    return max(1, min(int(n_jobs), _cdf_kernel.MAX_THREADS))


@functools.lru_cache(maxsize=16)
def _unit_gaps(k: int) -> np.ndarray:
    gaps = np.ones(k - 1)
    gaps.flags.writeable = False
    return gaps


def _run_cdf_kernel(x: torch.Tensor, target: torch.Tensor, gaps: torch.Tensor | None, r: float,
                    hard: bool, from_logits: bool, with_grad: bool, scale: float,
                    n_jobs: int) -> tuple[np.ndarray, torch.Tensor]:
    """One call of the fused CPU kernel: per-row s and, with ``with_grad``, a fresh (n, k)
    tensor holding scale · ∂s_n/∂x (the softmax output, overwritten: never the caller's x)."""
    n, k = x.shape
    x = x.detach()
    p = torch.softmax(x, dim=-1) if from_logits else x.clone()
    p = p.contiguous()
    g = _unit_gaps(k) if gaps is None else gaps.detach().cpu().double().numpy()
    s = np.empty(n)
    if hard:
        t_index = target.detach().numpy().astype(np.int64, copy=False)
        t_soft = np.empty((0, 0), dtype=p.numpy().dtype)
    else:
        t_index, t_soft = np.empty(0, np.int64), target.detach().contiguous().numpy()
    threads = kernel_threads(n * k, n_jobs)
    _cdf_kernel.cdf_loss(p.numpy(), t_index, t_soft, g, float(r), hard, from_logits,
                         with_grad, scale, s, threads, PARALLEL_CHUNK if threads > 1 else 0)
    return s, p


class _CDFLossCPU(torch.autograd.Function):
    """Same value and gradient as :class:`_CDFResidualPower`, from the fused CPU kernel.

    The gradient is computed in the forward sweep while the row is in cache, into a buffer of
    its own; the backward hands that buffer to autograd as the gradient (scaled in place by the
    incoming gradient unless that is exactly 1), so the backward allocates nothing and makes no
    pass over (N, K) memory: AccumulateGrad keeps the buffer as ``x.grad`` without copying it
    (the buffer is dropped from ``ctx`` first, so no other reference remains). A second backward
    through the same graph (``retain_graph=True``, ``gradcheck``) no longer has the buffer, which
    the first one gave away, and recomputes it from the saved input. With ``total_scale`` set
    the output is the scalar total_scale · Σ_n s_n (a plain mean or sum of the loss), and the
    factor is folded into the gradient, so no per-sample autograd nodes remain.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, target: torch.Tensor, gaps: torch.Tensor | None,
                r: float, hard: bool, from_logits: bool, total_scale: float | None,
                n_jobs: int = -1) -> torch.Tensor:
        with_grad = bool(ctx.needs_input_grad[0])
        scale = 1.0 if total_scale is None else float(total_scale)
        s, grad = _run_cdf_kernel(x, target, gaps, r, hard, from_logits, with_grad, scale,
                                  n_jobs)
        ctx.total = total_scale is not None
        if with_grad:
            # x and target are kept (references, no copies) only for a repeated backward
            ctx.save_for_backward(x, target, gaps)
            ctx.grad_buffer = grad
            ctx.call = (r, hard, from_logits, scale, n_jobs)
        if ctx.total:
            return torch.tensor(scale * s.sum(), dtype=x.dtype)
        return torch.from_numpy(s).to(x.dtype)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        _checks.refuse_double_backward("emd2_loss")
        grad, ctx.grad_buffer = ctx.grad_buffer, None
        if grad is None:  # a second backward through this graph: the first gave the buffer away
            x, target, gaps = ctx.saved_tensors
            r, hard, from_logits, scale, n_jobs = ctx.call
            _, grad = _run_cdf_kernel(x, target, gaps, r, hard, from_logits, True, scale,
                                      n_jobs)
        if ctx.total:
            if float(grad_out) != 1.0:
                grad.mul_(grad_out)
        else:
            grad.mul_(grad_out.unsqueeze(1))
        return grad, None, None, None, None, None, None, None


def _cdf_loss(x: torch.Tensor, target: torch.Tensor, gaps: torch.Tensor | None, r: float,
              hard: bool, from_logits: bool, total_scale: float | None = None,
              n_jobs: int = -1) -> torch.Tensor:
    """Per-sample s_n, or total_scale · Σ_n s_n when ``total_scale`` is given."""
    fused = (USE_CPU_KERNEL and x.device.type == "cpu" and x.dtype in (torch.float32, torch.float64)
             and (hard or not target.requires_grad))
    if fused:
        return _CDFLossCPU.apply(x, target, gaps, r, hard, from_logits, total_scale, n_jobs)
    s = _CDFResidualPower.apply(x, target, gaps, r, hard, from_logits)
    return s if total_scale is None else s.sum() * total_scale


def _safe_root(x: torch.Tensor, r: float) -> torch.Tensor:
    """x^(1/r) for x >= 0 with a finite gradient at 0.

    d x^(1/r)/dx = x^(1/r − 1)/r diverges at 0. Below the smallest normal number of the dtype we
    return 0 with gradient 0 (a subgradient of the root-of-sum-of-powers norm at the origin); the
    value error there is at most tiny^(1/r) (about 1e-19 in float32 for r = 2).
    """
    tiny = torch.finfo(x.dtype).tiny
    positive = x > tiny
    safe = torch.where(positive, x, torch.ones_like(x))
    return torch.where(positive, safe.pow(1.0 / r), torch.zeros_like(x))


def emd2_loss(input: torch.Tensor, target: torch.Tensor, *, from_logits: bool = True,
              positions=None, normalize: str = "mean", r: float = 2.0, root: bool = False,
              reduction: str = "mean", weight: torch.Tensor | None = None,
              ignore_index: int = -100, n_jobs: int = -1,
              n_threads: int | None = None) -> torch.Tensor:
    """Squared EMD between predicted and target distributions over ordered classes.

    Per sample n::

        loss_n = norm · Σ_{k<K−1} g_k |F_k(p_n) − F_k(t_n)|^r        (root=False)
        loss_n = (norm · Σ_{k<K−1} g_k |F_k(p_n) − F_k(t_n)|^r)^(1/r) (root=True, NIMA's form)

    Parameters
    ----------
    input : (K,), (B, K) or (B, K, d1, ...) logits, or probabilities with ``from_logits=False``
        (then no softmax is applied: a second softmax is a known bug elsewhere).
    target : class indices of shape (), (B,) or (B, d1, ...), or soft distributions of the
        input's shape (e.g. rating histograms).
    positions : optional (K,) strictly increasing class centres (e.g. mid-ages of age groups);
        each CDF gap is weighted by g_k = x_{k+1} − x_k. Default: evenly spaced, g_k = 1.
    normalize : "mean" (1/K, the authors' code), "sum" (1) or "rps" (1/(K−1), the ranked
        probability score).
    r : exponent >= 1; r = 2 is the paper's EMD², r = 1 with "sum" is the exact EMD.
    root : take the r-th root per sample (NIMA). The gradient stays finite at zero loss.
    reduction, weight, ignore_index : as in ``F.cross_entropy``. For index targets the sample
        weight is weight[t_n] and "mean" divides by Σ weight[t_n] over kept samples; for soft
        targets it is Σ_k weight_k t_nk, "mean" divides by the number of samples and
        ignore_index does not apply (PyTorch's rules for probability targets).
    n_jobs : int, default -1
        Threads for the fused CPU kernel. -1: one thread below ``PARALLEL_MIN_ENTRIES``
        (B·K = 4,000,000) entries, where a parallel region is shorter than a scheduler time
        slice and a core busy with another process would stall it; above, torch's intra-op
        setting (``torch.set_num_threads``). k >= 1: k threads. Never more than the CPUs the
        process may use (``NUMBA_NUM_THREADS`` on the Numba engine).
    n_threads : int, optional
        Deprecated alias of ``n_jobs`` (its name before 0.2); warns, and goes in 0.3.

    Returns
    -------
    Tensor: a scalar, or the per-element losses (input's shape without the class dim) for
    reduction="none" (ignored elements are 0).

    Raises
    ------
    TypeError, ValueError
        Bad input, named (``input must be floating point …``); arrays go through the core's
        gate (:mod:`emdkit.core.validation`).
    NotImplementedError
        In a double backward (``create_graph=True``): the gradient is computed outside the
        autograd graph, and its second-order terms would be silently missing.

    See Also
    --------
    EMD2Loss : the module form.
    ground_cost_loss : classes that do not lie on a line.
    emdkit.metrics.rps : the ranked probability score as a metric.

    References
    ----------
    .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for training
       deep neural networks", arXiv:1611.05916, 2016.
    .. [2] H. Talebi, P. Milanfar, "NIMA: neural image assessment", IEEE Transactions on Image
       Processing 27(8), 2018.
    """
    _checks.check_input(input)
    hard = _checks.split_target(input, target)
    reduction = _checks.check_reduction(reduction)
    if normalize not in NORMALIZATIONS:
        raise ValueError(f"normalize must be one of {NORMALIZATIONS}, got {normalize!r}")
    r = _checks.check_r(r)
    n_jobs = n_jobs_or_alias(n_jobs, n_threads, -1)
    out_shape = _checks.batch_shape(input)
    k = input.shape[0] if input.ndim == 1 else input.shape[1]
    compute_dtype = torch.float32 if input.dtype in (torch.float16, torch.bfloat16) else input.dtype

    x = _checks.flatten_classes(input).to(compute_dtype)
    if not from_logits:
        _checks.check_distributions(x, "input")
    gaps = None
    if positions is not None:
        pos = _checks.as_class_vector(positions, k, "positions", x)
        gaps = pos[1:] - pos[:-1]
        if not bool((gaps > 0).all()):
            raise ValueError("positions must be strictly increasing (they are ordered class centres)")
    w = None if weight is None else _checks.as_class_vector(weight, k, "weight", x)

    if hard:
        t = target.reshape(-1).long()
        low, high = torch.aminmax(t)
        if int(low) >= 0 and int(high) < k and not 0 <= ignore_index < k:
            # the common case, checked with one reduction: every index valid, none ignored
            t_safe, sample_w = t, None if w is None else w[t]
        else:
            keep = _checks.check_indices(t, k, ignore_index)
            t_safe = torch.where(keep, t, torch.zeros_like(t))
            sample_w = keep.to(x.dtype) if w is None else w[t_safe] * keep
    else:
        soft = _checks.flatten_classes(target).to(compute_dtype)
        _checks.check_distributions(soft, "target")
        t_safe, sample_w = soft, None if w is None else soft @ w

    norm = {"mean": 1.0 / k, "sum": 1.0, "rps": 1.0 / (k - 1)}[normalize]
    if sample_w is None and reduction != "none" and (not root or r == 1.0):
        # a plain mean or sum of norm · s_n: one fused node (the common training call)
        count = x.shape[0] if reduction == "mean" else 1
        return _cdf_loss(x, t_safe, gaps, r, hard, from_logits, norm / count,
                         n_jobs).to(input.dtype)
    losses = _cdf_loss(x, t_safe, gaps, r, hard, from_logits, n_jobs=n_jobs) * norm
    if root and r != 1.0:
        losses = _safe_root(losses, r)
    if sample_w is not None:
        losses = losses * sample_w
    denominator = sample_w.sum() if (hard and sample_w is not None) else None
    out = _checks.reduce(losses, reduction, denominator)
    if reduction == "none":
        out = out.reshape(out_shape)
    return out.to(input.dtype)


class EMD2Loss(nn.Module):
    """Module form of :func:`emd2_loss`; the keyword arguments are fixed at construction.

    Parameters
    ----------
    from_logits, positions, normalize, r, root, reduction, weight, ignore_index :
        As in :func:`emd2_loss`.
    n_jobs : int, default -1
        Threads for the fused CPU kernel, as in :func:`emd2_loss`.
    n_threads : int, optional
        Deprecated alias of ``n_jobs``; warns, and goes in 0.3.
    """

    def __init__(self, *, from_logits: bool = True, positions=None, normalize: str = "mean",
                 r: float = 2.0, root: bool = False, reduction: str = "mean",
                 weight: torch.Tensor | None = None, ignore_index: int = -100,
                 n_jobs: int = -1, n_threads: int | None = None) -> None:
        super().__init__()
        self.n_jobs = n_jobs_or_alias(n_jobs, n_threads, -1)
        self.from_logits = from_logits
        self.normalize = normalize
        self.r = r
        self.root = root
        self.reduction = reduction
        self.ignore_index = ignore_index
        # buffers follow .to(device) with the module
        self.register_buffer("positions", None if positions is None
                             else _checks.as_real_tensor(positions, "positions"))
        self.register_buffer("weight", None if weight is None
                             else _checks.as_real_tensor(weight, "weight"))

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of ``input`` against ``target``: :func:`emd2_loss` with this module's options.

        See Also
        --------
        emd2_loss : the function, which documents the arguments and the formula.
        CEEMD2Schedule : cross-entropy first, then this loss added with a measured weight.

        References
        ----------
        .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for
           training deep neural networks", arXiv:1611.05916, 2016.
        """
        return emd2_loss(input, target, from_logits=self.from_logits, positions=self.positions,
                         normalize=self.normalize, r=self.r, root=self.root,
                         reduction=self.reduction, weight=self.weight,
                         ignore_index=self.ignore_index, n_jobs=self.n_jobs)

    def extra_repr(self) -> str:
        """The options shown by ``repr(module)`` (PyTorch's hook).

        See Also
        --------
        forward : where the options are used.
        """
        return (f"normalize={self.normalize!r}, r={self.r}, root={self.root}, "
                f"from_logits={self.from_logits}, reduction={self.reduction!r}")
