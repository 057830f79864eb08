"""The exact EMD as a differentiable PyTorch function: :func:`emd` and :func:`signature_emd`.

Gradients come from the certified optimum of each problem (see :func:`emd` for the formulas,
the subgradient chosen where the optimum is degenerate, and the centring of weight gradients).
"""
from __future__ import annotations

import numpy as np
import torch

from ..core import METRICS
from ..core.validation import check_n_jobs
from ._solve import solve_dense_batch, solve_signature_batch

# Totals that agree this closely are one total written with rounding (the core's BALANCE_RTOL).
BALANCE_RTOL_FLOAT64 = 1e-13
# Metrics with a closed-form gradient in the positions (∇c used in Σ_j f_ij ∇c(x_i, y_j)).
POSITION_GRAD_METRICS = ("euclidean", "sqeuclidean", "cityblock")


def _where(k: int, batched: bool) -> str:
    return f" (batch index {k})" if batched else ""


def _as_float_tensor(x, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        if x.is_complex() or x.dtype == torch.bool:
            raise TypeError(f"{name} must hold real numbers, got {x.dtype}")
        return x if x.is_floating_point() else x.to(torch.float64)
    try:
        return torch.as_tensor(np.asarray(x, dtype=np.float64))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a tensor or array of numbers, got "
                        f"{type(x).__name__}") from exc


def _numpy64(x: torch.Tensor) -> np.ndarray:
    """float64 copy on the CPU (CUDA, float32 and float16 inputs are solved in float64)."""
    return np.ascontiguousarray(x.detach().to("cpu", torch.float64).numpy())


def _check_weights(W: np.ndarray, name: str, batched: bool) -> None:
    """W is (B, m): every row finite, non-negative, with a positive total."""
    for test, what in ((~np.isfinite(W).all(axis=1), "contains NaN or inf"),
                       ((W < 0).any(axis=1), "contains negative weights"),
                       (W.sum(axis=1) <= 0, "has all-zero weights: there is no mass to move")):
        if test.any():
            k = int(np.flatnonzero(test)[0])
            raise ValueError(f"{name}{_where(k, batched)} {what}")


def _check_finite(V: np.ndarray, name: str, batched: bool, nonnegative: bool = False) -> None:
    flat = V.reshape(V.shape[0], -1)
    bad = ~np.isfinite(flat).all(axis=1)
    if bad.any():
        raise ValueError(f"{name}{_where(int(np.flatnonzero(bad)[0]), batched)} contains NaN or inf")
    if nonnegative:
        neg = (flat < 0).any(axis=1)
        if neg.any():
            raise ValueError(f"{name}{_where(int(np.flatnonzero(neg)[0]), batched)} contains "
                             f"negative entries; ground distances are >= 0")


def _balance_rtol(dtype: torch.dtype, n_points: int) -> float:
    """A sum of n values in ``dtype`` rounds by up to about n units in the last place."""
    if dtype == torch.float64:
        return BALANCE_RTOL_FLOAT64
    return max(BALANCE_RTOL_FLOAT64, n_points * torch.finfo(dtype).eps)


class _Weights:
    """Per problem: the totals, whether they count as equal, and the weights handed to the solver
    (each side divided by its total when balanced, as given otherwise)."""

    def __init__(self, A: np.ndarray, B: np.ndarray, dtype: torch.dtype) -> None:
        self.sa, self.sb = A.sum(axis=1), B.sum(axis=1)
        rtol = _balance_rtol(dtype, max(A.shape[1], B.shape[1]))
        self.balanced = np.abs(self.sa - self.sb) <= rtol * np.maximum(self.sa, self.sb)
        self.A, self.B = A, B
        self.A_solve = np.where(self.balanced[:, None], A / self.sa[:, None], A)
        self.B_solve = np.where(self.balanced[:, None], B / self.sb[:, None], B)

    def gradients(self, k: int, res) -> tuple[np.ndarray, np.ndarray, float]:
        """(∂D/∂a, ∂D/∂b, s) for problem k, where ∂D/∂cost = s · flow of ``res``."""
        if self.balanced[k]:
            a_hat, b_hat = self.A_solve[k], self.B_solve[k]
            grad_a = (res.u - a_hat @ res.u) / self.sa[k]
            grad_b = (res.v - b_hat @ res.v) / self.sb[k]
            return grad_a, grad_b, 1.0
        total, distance = res.total_flow, res.distance
        grad_a, grad_b = res.u / total, res.v / total
        if self.sa[k] < self.sb[k]:
            grad_a = grad_a - distance / total
        else:
            grad_b = grad_b - distance / total
        return grad_a, grad_b, 1.0 / total


def _grad_out(grad: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(grad).to(device=like.device, dtype=like.dtype)


class _EMDFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, cost, batched, n_jobs):
        A, B, C = _numpy64(a), _numpy64(b), _numpy64(cost)
        _check_weights(A, "a", batched)
        _check_weights(B, "b", batched)
        _check_finite(C, "cost", batched, nonnegative=True)
        weights = _Weights(A, B, torch.promote_types(a.dtype, b.dtype))
        results = solve_dense_batch(weights.A_solve, weights.B_solve, C, n_jobs)
        value = np.array([res.distance for res in results])
        need_a, need_b, need_cost = ctx.needs_input_grad[:3]
        if need_a or need_b or need_cost:
            grads = [weights.gradients(k, res) for k, res in enumerate(results)]
            ctx.grad_a = _grad_out(np.stack([g[0] for g in grads]), a) if need_a else None
            ctx.grad_b = _grad_out(np.stack([g[1] for g in grads]), b) if need_b else None
            ctx.grad_cost = _grad_out(np.stack([g[2] * res.flow for g, res in zip(grads, results)]),
                                      cost) if need_cost else None
        out_dtype = torch.promote_types(torch.promote_types(a.dtype, b.dtype), cost.dtype)
        return torch.from_numpy(value).to(device=cost.device, dtype=out_dtype)

    @staticmethod
    def backward(ctx, grad_value):
        g = grad_value.detach()
        grad_a = None if ctx.grad_a is None else g[:, None].to(ctx.grad_a) * ctx.grad_a
        grad_b = None if ctx.grad_b is None else g[:, None].to(ctx.grad_b) * ctx.grad_b
        grad_cost = None if ctx.grad_cost is None else \
            g[:, None, None].to(ctx.grad_cost) * ctx.grad_cost
        return grad_a, grad_b, grad_cost, None, None


def emd(a, b, cost, *, n_jobs: int = -1) -> torch.Tensor:
    """Exact EMD (Rubner) between weights ``a`` and ``b`` under ``cost``, with autograd.

    The value is :func:`emdkit.emd`'s ``distance``: with flows f_ij >= 0, Σ_j f_ij <= a_i,
    Σ_i f_ij <= b_j, Σ_ij f_ij = T = min(Σa, Σb),

        D(a, b, C) = W / T,   W = min_f Σ_ij f_ij C_ij,

    in the units of ``cost``. Gradients come from the certified optimum: the flow f and the dual
    potentials (u, v), u_i + v_j <= C_ij with equality on the flow.

    * Equal totals (Σa = Σb to rounding; to ``max(m, n)`` units in the last place for float32 and
      float16 inputs): D = W(a/Σa, b/Σb), solved with both sides normalised. Then

          ∂D/∂C = f̂ (the flow of the normalised problem),
          ∂D/∂a = (u − <â, u>) / Σa,   ∂D/∂b = (v − <b̂, v>) / Σb,   â = a/Σa, b̂ = b/Σb.

      The potentials are fixed only up to a shared constant (u + c, v − c); this gradient is free
      of it. It is **centred by the weights** (Σ_i a_i ∂D/∂a_i = 0): D does not change when a is
      scaled, and the returned vector is the exact gradient of a ↦ W(a/Σa, b̂). D has no
      derivative across Σa = Σb in a direction that changes one total only (it switches to
      partial matching there); this is the gradient along the set of equal totals, and it is
      what a softmax or any normalised parametrisation of a and b needs.
    * Unequal totals (partial matching, T = the lighter total): the potentials are measured from
      the zero-cost dummy node (u <= 0 when Σa > Σb), ∂W/∂a = u, ∂W/∂b = v, so

          ∂D/∂C = f / T,   ∂D/∂a = u / T − [Σa < Σb] · D / T,   ∂D/∂b = v / T − [Σb < Σa] · D / T,

      the last term coming from the total flow T in the denominator.
    * Degenerate optima: where the optimal flow or the potentials are not unique, D is not
      differentiable and we return the one optimum the solver certified (a vertex), not an
      average over all optima. Within each regime (Σa < Σb, Σa = Σb, Σa > Σb) the optimal work
      W is convex in the weights and concave in C, and the certified (u, v) and f are a
      subgradient and a supergradient of it; the formulas above carry them to D. A zero weight
      gets the largest potential the other constraints allow, the derivative for adding mass
      there (POT PR#123 concerns the same case).

    Parameters
    ----------
    a : (m,) or (B, m) tensor of non-negative weights with a positive total per problem.
    b : (n,) or (B, n) tensor, likewise.
    cost : (m, n) or (B, m, n) tensor of non-negative ground distances.
    n_jobs : int, default -1
        Threads over the problems of a batch (-1: every available thread); forwarded to the
        core's batch engine.

    Returns
    -------
    Tensor of shape () or (B,), in the promoted dtype of the inputs, on ``cost``'s device.
    float32 and float16 inputs are solved in float64 and rounded to their dtype on return. CUDA
    tensors are copied to the CPU, solved there, and the value and gradients come back on their
    device. Under ``torch.no_grad()`` or without ``requires_grad`` inputs no gradient is formed.

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Shape or batch-size mismatch; NaN or inf; negative weights or costs; an all-zero side.
        The message names the argument and, for batches, the batch index.

    See Also
    --------
    signature_emd : from positions, with gradients in them.
    emdkit.emd : the value alone, on NumPy arrays.

    References
    ----------
    Rubner, Tomasi & Guibas (2000), "The Earth Mover's Distance as a metric for image retrieval".
    PythonOT/POT issues #747 and #776 (which subgradient, centring).

    Examples
    --------
    >>> import torch
    >>> a = torch.tensor([0.5, 0.5], dtype=torch.float64, requires_grad=True)
    >>> b = torch.tensor([0.25, 0.75], dtype=torch.float64)
    >>> C = torch.tensor([[0.0, 1.0], [1.0, 0.0]], dtype=torch.float64)
    >>> d = emd(a, b, C)
    >>> d.item()
    0.25
    >>> d.backward(); a.grad.sum().item()  # centred: Σ a_i ∂D/∂a_i = 0 with equal weights
    0.0
    """
    n_jobs = check_n_jobs(n_jobs)
    a = _as_float_tensor(a, "a")
    b = _as_float_tensor(b, "b")
    cost = _as_float_tensor(cost, "cost")
    if a.ndim not in (1, 2):
        raise ValueError(f"a must be (m,) or (B, m), got shape {tuple(a.shape)}")
    batched = a.ndim == 2
    if b.ndim != a.ndim:
        raise ValueError(f"b must have a's number of dimensions ({a.ndim}), got shape "
                         f"{tuple(b.shape)}")
    if cost.ndim != a.ndim + 1:
        raise ValueError(f"cost must have {a.ndim + 1} dimensions for a of shape "
                         f"{tuple(a.shape)}, got shape {tuple(cost.shape)}")
    if not batched:
        a, b, cost = a[None], b[None], cost[None]
    if b.shape[0] != a.shape[0] or cost.shape[0] != a.shape[0]:
        raise ValueError(f"batch sizes differ: a has {a.shape[0]}, b {b.shape[0]}, cost "
                         f"{cost.shape[0]}")
    if cost.shape[1:] != (a.shape[1], b.shape[1]):
        need = (a.shape[1], b.shape[1])
        raise ValueError(f"cost has shape {tuple(cost.shape[0 if batched else 1:])}, but the "
                         f"weights need {(a.shape[0],) + need if batched else need}")
    if a.shape[1] == 0 or b.shape[1] == 0:
        raise ValueError("a and b need at least one point each")
    out = _apply(_EMDFunction, a, b, cost, batched, n_jobs)
    return out if batched else out[0]


def _apply(function, *args):
    """``function.apply``, or its forward alone when no gradient is wanted (no bookkeeping)."""
    wants = torch.is_grad_enabled() and any(isinstance(x, torch.Tensor) and x.requires_grad
                                            for x in args)
    if wants:
        return function.apply(*args)

    class _NoGrad:
        needs_input_grad = (False,) * len(args)

    return function.forward(_NoGrad(), *args)


def _position_gradients(res, X: np.ndarray, Y: np.ndarray, metric: str, scale: float):
    """Σ_j f_ij ∇_x c(x_i, y_j) and its mirror for Y, from the sparse flow; ∇|0| := 0."""
    rows, cols = res.flow_rows, res.flow_cols
    diff = X[rows] - Y[cols]
    if metric == "sqeuclidean":
        g = 2.0 * diff
    elif metric == "euclidean":
        norm = np.sqrt((diff * diff).sum(axis=1, keepdims=True))
        g = np.divide(diff, norm, out=np.zeros_like(diff), where=norm > 0)
    else:  # cityblock
        g = np.sign(diff)
    g *= (scale * res.flow_values)[:, None]
    grad_x = np.zeros_like(X)
    grad_y = np.zeros_like(Y)
    np.add.at(grad_x, rows, g)
    np.add.at(grad_y, cols, -g)
    return grad_x, grad_y


class _SignatureFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, wx, Y, wy, metric, method, batched, n_jobs):
        Xn, Yn = _numpy64(X), _numpy64(Y)
        A, B = _numpy64(wx), _numpy64(wy)
        _check_finite(Xn, "X", batched)
        _check_finite(Yn, "Y", batched)
        _check_weights(A, "wx", batched)
        _check_weights(B, "wy", batched)
        weights = _Weights(A, B, torch.promote_types(wx.dtype, wy.dtype))
        results = solve_signature_batch(Xn, weights.A_solve, Yn, weights.B_solve, metric,
                                        method, n_jobs)
        value = np.array([res.distance for res in results])
        need_x, need_wx, need_y, need_wy = ctx.needs_input_grad[:4]
        if need_x or need_wx or need_y or need_wy:
            grads = [weights.gradients(k, res) for k, res in enumerate(results)]
            ctx.grad_wx = _grad_out(np.stack([g[0] for g in grads]), wx) if need_wx else None
            ctx.grad_wy = _grad_out(np.stack([g[1] for g in grads]), wy) if need_wy else None
            ctx.grad_x = ctx.grad_y = None
            if need_x or need_y:
                pos = [_position_gradients(res, Xn[k], Yn[k], metric, grads[k][2])
                       for k, res in enumerate(results)]
                ctx.grad_x = _grad_out(np.stack([p[0] for p in pos]), X) if need_x else None
                ctx.grad_y = _grad_out(np.stack([p[1] for p in pos]), Y) if need_y else None
        out_dtype = torch.promote_types(X.dtype, Y.dtype)
        return torch.from_numpy(value).to(device=X.device, dtype=out_dtype)

    @staticmethod
    def backward(ctx, grad_value):
        g = grad_value.detach()

        def scaled(grad, extra_dims):
            if grad is None:
                return None
            return g.reshape(-1, *([1] * extra_dims)).to(grad) * grad

        return (scaled(ctx.grad_x, 2), scaled(ctx.grad_wx, 1), scaled(ctx.grad_y, 2),
                scaled(ctx.grad_wy, 1), None, None, None, None)


def signature_emd(X, wx, Y, wy, metric: str = "euclidean", *, method: str = "auto",
                  n_jobs: int = -1) -> torch.Tensor:
    """Exact EMD between signatures {(X_i, wx_i)} and {(Y_j, wy_j)}, with autograd in all four.

    D = :func:`emd` (wx, wy, C) with C_ij = c(X_i, Y_j), the ground distance ``metric``. The
    weight gradients, partial matching and the subgradient convention are those of :func:`emd`.
    The position gradients follow from ∂D/∂C = s·f (s = 1 for equal totals, where f is the
    normalised flow, and 1/T otherwise) through the ground distance:

        ∂D/∂X_i = s Σ_j f_ij ∇_x c(X_i, Y_j),   ∂D/∂Y_j = −s Σ_i f_ij ∇_x c(X_i, Y_j),

    with ``∇_x c = (x − y)/|x − y|`` (euclidean; 0 where x = y, a subgradient), 2(x − y)
    (sqeuclidean), sign(x − y) (cityblock). The value uses the core's dispatch (``method``):
    uniform equal-size clouds take the assignment path, large ones the matrix-free point-cloud
    path, which never forms the m×n matrix; the flow is kept sparse throughout.

    Parameters
    ----------
    X : (m, d) or (B, m, d) positions.   wx : (m,) or (B, m) weights.
    Y : (n, d) or (B, n, d) positions.   wy : (n,) or (B, n) weights.
    metric : "euclidean", "sqeuclidean" or "cityblock" for position gradients; "chebyshev" for
        values and weight gradients only. Distances are in coordinate units (squared for
        "sqeuclidean").
    method : as in :func:`emdkit.signature_emd` ("auto", "dense", "pointcloud", ...).
    n_jobs : int, default -1
        Threads over the problems of a batch (-1: every available thread).

    Returns
    -------
    Tensor of shape () or (B,) in the positions' promoted dtype, on X's device (CUDA inputs are
    solved on the CPU and returned on their device).

    Raises
    ------
    TypeError
        Non-numeric input.
    ValueError
        Shapes that do not match, an unknown metric, position gradients for a metric without
        one, NaN/inf, negative weights; the message names the argument and the batch index.

    See Also
    --------
    emd : from a cost matrix.
    point_cloud_emd_loss : the same as a reduced loss.
    emdkit.signature_emd : the value alone.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] G. Peyré, M. Cuturi, "Computational Optimal Transport", Foundations and Trends in
       Machine Learning 11(5-6), 2019.

    Examples
    --------
    >>> import torch
    >>> X = torch.tensor([[0.0, 0.0], [1.0, 0.0]], dtype=torch.float64, requires_grad=True)
    >>> Y = torch.tensor([[0.0, 1.0], [1.0, 1.0]], dtype=torch.float64)
    >>> w = torch.tensor([0.5, 0.5], dtype=torch.float64)
    >>> d = signature_emd(X, w, Y, w)
    >>> d.item()
    1.0
    >>> d.backward(); X.grad
    tensor([[ 0.0000, -0.5000],
            [ 0.0000, -0.5000]], dtype=torch.float64)
    """
    n_jobs = check_n_jobs(n_jobs)
    X = _as_float_tensor(X, "X")
    Y = _as_float_tensor(Y, "Y")
    wx = _as_float_tensor(wx, "wx")
    wy = _as_float_tensor(wy, "wy")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    if X.ndim not in (2, 3):
        raise ValueError(f"X must be (m, d) or (B, m, d), got shape {tuple(X.shape)}")
    batched = X.ndim == 3
    for name, t, nd in (("Y", Y, X.ndim), ("wx", wx, X.ndim - 1), ("wy", wy, X.ndim - 1)):
        if t.ndim != nd:
            raise ValueError(f"{name} must have {nd} dimensions for X of shape "
                             f"{tuple(X.shape)}, got shape {tuple(t.shape)}")
    if not batched:
        X, wx, Y, wy = X[None], wx[None], Y[None], wy[None]
    sizes = {X.shape[0], Y.shape[0], wx.shape[0], wy.shape[0]}
    if len(sizes) > 1:
        raise ValueError(f"batch sizes differ: X has {X.shape[0]}, wx {wx.shape[0]}, Y "
                         f"{Y.shape[0]}, wy {wy.shape[0]}")
    if wx.shape[1] != X.shape[1]:
        raise ValueError(f"wx has {wx.shape[1]} weights but X has {X.shape[1]} points")
    if wy.shape[1] != Y.shape[1]:
        raise ValueError(f"wy has {wy.shape[1]} weights but Y has {Y.shape[1]} points")
    if X.shape[2] != Y.shape[2]:
        raise ValueError(f"X has {X.shape[2]} coordinates per point but Y has {Y.shape[2]}")
    if X.shape[1] == 0 or Y.shape[1] == 0:
        raise ValueError("X and Y need at least one point each")
    if (X.requires_grad or Y.requires_grad) and metric not in POSITION_GRAD_METRICS \
            and torch.is_grad_enabled():
        raise ValueError(f"gradients in the positions need metric in {POSITION_GRAD_METRICS}, "
                         f"got {metric!r}")
    out = _apply(_SignatureFunction, X, wx, Y, wy, metric, method, batched, n_jobs)
    return out if batched else out[0]
