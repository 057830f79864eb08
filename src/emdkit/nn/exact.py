"""The exact EMD as a differentiable PyTorch function: :func:`emd` and :func:`signature_emd`.

Gradients come from the certified optimum of each problem (see :func:`emd` for the formulas,
the subgradient chosen where the optimum is degenerate, and the centring of weight gradients).
"""
from __future__ import annotations

import numpy as np
import torch

from ..core import METRICS
from ..core.problem import BALANCE_RTOL, TINY_TOTAL_LOG2, equal_totals, reduce_weights
from ..core.validation import as_cost, as_points, check_n_jobs, check_weight_rows
from ..core.warm_start import WarmStarts
from ._checks import as_real_tensor
from ._solve import solve_dense_batch, solve_signature_batch

# Metrics with a closed-form gradient in the positions (∇c used in Σ_j f_ij ∇c(x_i, y_j)).
POSITION_GRAD_METRICS = ("euclidean", "sqeuclidean", "cityblock")
SECOND_ORDER_IN_WEIGHTS = (
    "emdkit.nn: second derivatives through the weights are not implemented (they depend on the "
    "optimal basis, not only on the flow and potentials this function keeps). Double backward "
    "(create_graph=True) is supported in the costs and positions with weights that do not "
    "require grad: pass the weights detached, e.g. wx.detach()")


def _name(name: str, k: int, batched: bool) -> str:
    """The caller's name of problem k's part of argument ``name``."""
    return f"{name}[{k}]" if batched else name


def _numpy64(x: torch.Tensor) -> np.ndarray:
    """float64 copy on the CPU (CUDA, float32 and float16 inputs are solved in float64)."""
    return np.ascontiguousarray(x.detach().to("cpu", torch.float64).numpy())


def _uniform_like(like: torch.Tensor, n: int) -> torch.Tensor:
    """Uniform weights 1/n (what ``None`` means for a weight argument) for the points of
    ``like`` (positions (…, n, d) or a cost (…, n, ·)), in its dtype and on its device."""
    return torch.full((*like.shape[:-2], n), 1.0 / n, dtype=like.dtype, device=like.device)


def _balance_rtol(dtype: torch.dtype, n_points: int) -> float:
    """A sum of n values in ``dtype`` rounds by up to about n units in the last place."""
    if dtype == torch.float64:
        return BALANCE_RTOL
    return max(BALANCE_RTOL, n_points * torch.finfo(dtype).eps)


def _scaled_weights(A: np.ndarray, B: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A·2^-e, B·2^-e, e) per problem, with the core's exponent (largest weight in [0.5, 1)),
    so that totals neither overflow (2^1021-scaled weights) nor sink into subnormals.

    Rescaling both sides by one power of two is exact and changes neither D nor its flow; the
    rare problem whose lighter total would still sink below 2^TINY_TOTAL_LOG2 takes the core's
    own rule (:func:`emdkit.core.problem.reduce_weights`) instead.
    """
    with np.errstate(divide="ignore"):
        e = np.maximum(np.frexp(A.max(axis=1))[1], np.frexp(B.max(axis=1))[1])
        As = np.ldexp(A, -e[:, None])
        Bs = np.ldexp(B, -e[:, None])
        lighter = np.log2(np.minimum(As.sum(axis=1), Bs.sum(axis=1)))
    for k in np.flatnonzero(~(lighter > TINY_TOTAL_LOG2)):
        rows, cols, ar, bc, e[k] = reduce_weights(A[k], B[k])
        As[k], Bs[k] = 0.0, 0.0
        As[k, rows], Bs[k, cols] = ar, bc
    return As, Bs, e


class _Weights:
    """Per problem: the weights rescaled by 2^-e (see :func:`_scaled_weights`), their totals,
    whether they count as equal in the inputs' own precision, and the weights handed to the
    solver (each side divided by its total when balanced, as rescaled otherwise).

    Every gradient is formed in these scaled units, where flows, totals and potentials are
    ordinary numbers, and only then carried back to the caller's units by 2^-e (exact): the
    gradients are finite and correct whenever the values are.
    """

    def __init__(self, A: np.ndarray, B: np.ndarray, dtype_a: torch.dtype,
                 dtype_b: torch.dtype) -> None:
        As, Bs, self.exp = _scaled_weights(A, B)
        self.sa, self.sb = As.sum(axis=1), Bs.sum(axis=1)
        rtol = max(_balance_rtol(dtype_a, A.shape[1]), _balance_rtol(dtype_b, B.shape[1]))
        self.balanced = equal_totals(self.sa, self.sb, rtol)
        self.A_solve = np.where(self.balanced[:, None], As / self.sa[:, None], As)
        self.B_solve = np.where(self.balanced[:, None], Bs / self.sb[:, None], Bs)

    def gradients(self, k: int, res) -> tuple[np.ndarray, np.ndarray, float]:
        """(∂D/∂a, ∂D/∂b, s) for problem k, where ∂D/∂cost = s · flow of ``res``."""
        if self.balanced[k]:
            a_hat, b_hat = self.A_solve[k], self.B_solve[k]
            grad_a = (res.u - a_hat @ res.u) / self.sa[k]
            grad_b = (res.v - b_hat @ res.v) / self.sb[k]
            scale = 1.0
        else:
            total, distance = res.total_flow, res.distance
            grad_a, grad_b = res.u / total, res.v / total
            if self.sa[k] < self.sb[k]:
                grad_a = grad_a - distance / total
            else:
                grad_b = grad_b - distance / total
            scale = 1.0 / total
        # back to the caller's units; a gradient beyond float64's range (weights near 1e-320
        # have gradients near 1e320) rounds to ±inf, as any float64 result would
        with np.errstate(over="ignore"):
            return np.ldexp(grad_a, -self.exp[k]), np.ldexp(grad_b, -self.exp[k]), scale


def _check_weights(W: torch.Tensor, name: str, batched: bool) -> np.ndarray:
    """float64 copy of the (B, m) weights, each row checked with the core's words."""
    arr = _numpy64(W)
    check_weight_rows(arr, name, batched)
    return arr


def _grad_out(grads: list[np.ndarray], like: torch.Tensor) -> torch.Tensor:
    stacked = np.stack(grads) if grads else np.zeros(like.shape)
    return torch.from_numpy(stacked).to(device=like.device, dtype=like.dtype)


def _refuse_second_order_in_weights(ctx, *weight_inputs: int) -> None:
    """Inside a backward: raise if a graph is being built (create_graph=True) for a gradient
    that would depend on weights requiring grad (see SECOND_ORDER_IN_WEIGHTS)."""
    if torch.is_grad_enabled() and any(ctx.needs_input_grad[i] for i in weight_inputs):
        raise NotImplementedError(SECOND_ORDER_IN_WEIGHTS)


class _EMDFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, cost, batched, n_jobs):
        A, B = _check_weights(a, "a", batched), _check_weights(b, "b", batched)
        C = _numpy64(cost)
        for k in range(C.shape[0]):
            as_cost(C[k], C.shape[1:], _name("cost", k, batched))
        weights = _Weights(A, B, a.dtype, b.dtype)
        results = solve_dense_batch(weights.A_solve, weights.B_solve, C, n_jobs) \
            if C.shape[0] else []
        value = np.array([res.distance for res in results])
        need_a, need_b, need_cost = ctx.needs_input_grad[:3]
        if need_a or need_b or need_cost:
            grads = [weights.gradients(k, res) for k, res in enumerate(results)]
            ctx.grad_a = _grad_out([g[0] for g in grads], a) if need_a else None
            ctx.grad_b = _grad_out([g[1] for g in grads], b) if need_b else None
            ctx.grad_cost = _grad_out([g[2] * res.flow for g, res in zip(grads, results)],
                                      cost) if need_cost else None
        out_dtype = torch.promote_types(torch.promote_types(a.dtype, b.dtype), cost.dtype)
        return torch.from_numpy(value).to(device=cost.device, dtype=out_dtype)

    @staticmethod
    def backward(ctx, grad_value):
        # ∂D/∂cost is constant in the cost (the flow; zero second derivative almost
        # everywhere), so g · flow is right under create_graph too, unless the weights that
        # fix the flow require grad themselves
        _refuse_second_order_in_weights(ctx, 0, 1)
        g = grad_value
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

    * Equal totals (Σa = Σb to rounding, judged in each side's own precision: to ``m`` units in
      the last place for float32 or float16 ``a``, ``n`` for ``b``, 1e-13 for float64): D =
      W(a/Σa, b/Σb), solved with both sides normalised. Then

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
    a : (m,) or (B, m) tensor of non-negative weights with a positive total per problem, or
        None: uniform, 1/m each. Integer tensors and arrays are read as float64.
    b : (n,) or (B, n) tensor, likewise (None: 1/n each).
    cost : (m, n) or (B, m, n) tensor of non-negative ground distances. B may be 0 (an empty
        result).
    n_jobs : int, default -1
        Threads over the problems of a batch (-1: every available thread); forwarded to the
        core's batch engine. Checked as in the core (numpy integers are integers).

    Returns
    -------
    Tensor of shape () or (B,), in the promoted dtype of the inputs, on ``cost``'s device.
    float32 and float16 inputs are solved in float64 and rounded to their dtype on return. CUDA
    tensors are copied to the CPU, solved there, and the value and gradients come back on their
    device. Under ``torch.no_grad()`` or without ``requires_grad`` inputs no gradient is formed.

    Raises
    ------
    TypeError
        Input that is not real numbers (strings, booleans, complex, dates, objects, masked
        arrays), with the core's words (:mod:`emdkit.core.validation`).
    ValueError
        Shape or batch-size mismatch; NaN or inf; negative weights or costs; an all-zero side.
        The message names the argument and, for batches, the problem (``a[3] contains NaN or
        inf``).
    NotImplementedError
        In a double backward (``create_graph=True``) through weights that require grad.

    Notes
    -----
    **Scale.** Both weight vectors are rescaled by one power of two before the solve (as the
    core does, exactly), and every gradient is formed in those units before it is carried back:
    weights of 2^-1060 (subnormal) or 2^1021 (totals that overflow) give the same cost gradient
    as weights of order 1, and weight gradients 2^-k times theirs. Only a weight gradient beyond
    float64's range (weights below ~1e-300 have gradients near their inverse) rounds to ±inf.

    **Double backward.** D is piecewise linear in the cost, so ∂D/∂C (the flow) is constant in
    C almost everywhere and the second derivative in the cost is zero; a ``create_graph=True``
    backward returns it connected to the graph, so second derivatives through a cost built from
    positions (``cost = f(X)``) are those of f. The flow itself depends on the weights; those
    second-order terms are not implemented, and a double backward while the weights require
    grad raises NotImplementedError rather than dropping them: pass ``a.detach()``.

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
    cost = as_real_tensor(cost, "cost")
    if cost.ndim not in (2, 3):
        raise ValueError(f"cost must be (m, n) or (B, m, n), got shape {tuple(cost.shape)}")
    a = _uniform_like(cost, cost.shape[-2]) if a is None else as_real_tensor(a, "a")
    b = _uniform_like(cost.transpose(-1, -2), cost.shape[-1]) if b is None else \
        as_real_tensor(b, "b")
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


class _Flows:
    """The optimal flows of a batch, sparse and concatenated, each scaled by its problem's
    s (∂D/∂cost = s · flow): what the position gradients need, kept for the backward."""

    def __init__(self, results, scales) -> None:
        sizes = [res.flow_rows.shape[0] for res in results]
        self.problem = torch.from_numpy(np.repeat(np.arange(len(results)), sizes))
        self.rows = torch.from_numpy(_concat([res.flow_rows for res in results], np.int64))
        self.cols = torch.from_numpy(_concat([res.flow_cols for res in results], np.int64))
        self.values = torch.from_numpy(_concat([s * res.flow_values
                                                for s, res in zip(scales, results)]))

    def position_gradients(self, g: torch.Tensor, X: torch.Tensor, Y: torch.Tensor,
                           metric: str) -> tuple[torch.Tensor, torch.Tensor]:
        """g_k · s Σ_j f_ij ∇_x c(X_i, Y_j) and its mirror for Y (∇|0| := 0), in torch ops:
        differentiable in X, Y and g, so that a double backward gets s Σ f ∇²c."""
        k, rows, cols = (t.to(X.device) for t in (self.problem, self.rows, self.cols))
        X64, Y64 = X.to(torch.float64), Y.to(torch.float64)
        diff = X64[k, rows] - Y64[k, cols]
        if metric == "sqeuclidean":
            grad_c = 2.0 * diff
        elif metric == "euclidean":
            norm = torch.linalg.vector_norm(diff, dim=1, keepdim=True)
            safe = torch.where(norm > 0, norm, torch.ones_like(norm))
            grad_c = torch.where(norm > 0, diff / safe, torch.zeros_like(diff))
        else:  # cityblock
            grad_c = torch.sign(diff)
        weight = self.values.to(X.device) * g.to(torch.float64)[k]
        contrib = grad_c * weight[:, None]
        grad_x = torch.zeros_like(X64).index_put((k, rows), contrib, accumulate=True)
        grad_y = torch.zeros_like(Y64).index_put((k, cols), -contrib, accumulate=True)
        return grad_x.to(X.dtype), grad_y.to(Y.dtype)


def _concat(parts: list[np.ndarray], dtype=np.float64) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)


class _SignatureFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, wx, Y, wy, metric, method, batched, n_jobs, names, warm=None):
        Xn, Yn = _numpy64(X), _numpy64(Y)
        for k in range(Xn.shape[0]):
            as_points(Xn[k], _name(names[0], k, batched))
            as_points(Yn[k], _name(names[2], k, batched))
        A, B = _check_weights(wx, names[1], batched), _check_weights(wy, names[3], batched)
        weights = _Weights(A, B, wx.dtype, wy.dtype)
        results = solve_signature_batch(
            Xn, weights.A_solve, Yn, weights.B_solve, metric, method, n_jobs,
            None if warm is None else warm.inits(Xn.shape[0])) if Xn.shape[0] else []
        if warm is not None:
            warm.update(results)
        value = np.array([res.distance for res in results])
        need_x, need_wx, need_y, need_wy = ctx.needs_input_grad[:4]
        if need_x or need_wx or need_y or need_wy:
            grads = [weights.gradients(k, res) for k, res in enumerate(results)]
            ctx.grad_wx = _grad_out([g[0] for g in grads], wx) if need_wx else None
            ctx.grad_wy = _grad_out([g[1] for g in grads], wy) if need_wy else None
            ctx.flows = _Flows(results, [g[2] for g in grads]) if need_x or need_y else None
            ctx.metric = metric
            ctx.save_for_backward(X, Y)
        out_dtype = torch.promote_types(X.dtype, Y.dtype)
        return torch.from_numpy(value).to(device=X.device, dtype=out_dtype)

    @staticmethod
    def backward(ctx, grad_value):
        _refuse_second_order_in_weights(ctx, 1, 3)
        X, Y = ctx.saved_tensors
        g = grad_value
        grad_x = grad_y = None
        if ctx.flows is not None:
            grad_x, grad_y = ctx.flows.position_gradients(g, X, Y, ctx.metric)
            grad_x = grad_x if ctx.needs_input_grad[0] else None
            grad_y = grad_y if ctx.needs_input_grad[2] else None

        def scaled(grad):
            return None if grad is None else g[:, None].to(grad) * grad

        return (grad_x, scaled(ctx.grad_wx), grad_y, scaled(ctx.grad_wy), None, None, None,
                None, None, None)


def signature_emd(X, wx, Y, wy, metric: str = "euclidean", *, method: str = "auto",
                  n_jobs: int = -1, warm_start: WarmStarts | None = None) -> torch.Tensor:
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
    X : (m, d) or (B, m, d) positions (integers are read as float64; B may be 0).
    wx : (m,) or (B, m) weights, or None: uniform, 1/m each.
    Y : (n, d) or (B, n, d) positions.
    wy : (n,) or (B, n) weights, or None: uniform, 1/n each.
    metric : "euclidean", "sqeuclidean" or "cityblock" for position gradients; "chebyshev" for
        values and weight gradients only. Distances are in coordinate units (squared for
        "sqeuclidean").
    method : as in :func:`emdkit.signature_emd` ("auto", "dense", "pointcloud", ...).
    n_jobs : int, default -1
        Threads over the problems of a batch (-1: every available thread).
    warm_start : emdkit.nn.WarmStarts, optional
        Keeps each batch slot's last optimum and starts the next call's problem in that slot
        from it (its flow's arcs and potentials; see ``init`` in :func:`emdkit.emd`) when the
        shapes match; otherwise, and on the 1-D and point-cloud paths, the slot starts cold.
        The values and gradients are the same certified optima; a descent on a fixed target
        gets faster as it converges (bench/RESULTS.md, "Warm starts").

    Returns
    -------
    Tensor of shape () or (B,) in the positions' promoted dtype, on X's device (CUDA inputs are
    solved on the CPU and returned on their device).

    Raises
    ------
    TypeError
        Input that is not real numbers, as in :func:`emd`.
    ValueError
        Shapes that do not match, an unknown metric, position gradients for a metric without
        one, NaN/inf, negative weights, a ``method`` that cannot serve a problem; the message
        names the argument and the problem (``wy[2] …``, ``problem 2: method='monotone_1d'
        …``).
    NotImplementedError
        In a double backward through weights that require grad (see :func:`emd`).

    Notes
    -----
    Double backward (``create_graph=True``) with weights that do not require grad: the
    position gradient above is built from differentiable operations on X and Y with the flow
    held fixed (it is constant near a non-degenerate optimum), so its derivative is
    s Σ_j f_ij ∇²c(X_i, Y_j) (a gradient penalty works); the weights' second-order terms are
    not implemented, as in :func:`emd`. Weight gradients are formed in power-of-two-scaled
    units, as in :func:`emd`.

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
    return signature_emd_named(X, wx, Y, wy, metric, method, n_jobs, ("X", "wx", "Y", "wy"),
                               warm_start)


def signature_emd_named(X, wx, Y, wy, metric: str, method: str, n_jobs: int,
                        names: tuple[str, str, str, str],
                        warm_start: WarmStarts | None = None) -> torch.Tensor:
    """:func:`signature_emd`, its messages naming the four arguments as the caller does
    (:func:`emdkit.nn.point_cloud_emd_loss`: input, input_weights, target, target_weights)."""
    if warm_start is not None and not isinstance(warm_start, WarmStarts):
        raise TypeError(f"warm_start must be an emdkit.nn.WarmStarts or None, got "
                        f"{type(warm_start).__name__}")
    nx, nwx, ny, nwy = names
    n_jobs = check_n_jobs(n_jobs)
    X = as_real_tensor(X, nx)
    Y = as_real_tensor(Y, ny)
    if X.ndim not in (2, 3):
        raise ValueError(f"{nx} must be (m, d) or (B, m, d), got shape {tuple(X.shape)}")
    if Y.ndim != X.ndim:
        raise ValueError(f"{ny} must have {X.ndim} dimensions for {nx} of shape "
                         f"{tuple(X.shape)}, got shape {tuple(Y.shape)}")
    wx = _uniform_like(X, X.shape[-2]) if wx is None else as_real_tensor(wx, nwx)
    wy = _uniform_like(Y, Y.shape[-2]) if wy is None else as_real_tensor(wy, nwy)
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
    batched = X.ndim == 3
    for name, t in ((nwx, wx), (nwy, wy)):
        if t.ndim != X.ndim - 1:
            raise ValueError(f"{name} must have {X.ndim - 1} dimensions for {nx} of shape "
                             f"{tuple(X.shape)}, got shape {tuple(t.shape)}")
    if not batched:
        X, wx, Y, wy = X[None], wx[None], Y[None], wy[None]
    sizes = {X.shape[0], Y.shape[0], wx.shape[0], wy.shape[0]}
    if len(sizes) > 1:
        raise ValueError(f"batch sizes differ: {nx} has {X.shape[0]}, {nwx} {wx.shape[0]}, "
                         f"{ny} {Y.shape[0]}, {nwy} {wy.shape[0]}")
    if wx.shape[1] != X.shape[1]:
        raise ValueError(f"{nwx} has {wx.shape[1]} weights but {nx} has {X.shape[1]} points")
    if wy.shape[1] != Y.shape[1]:
        raise ValueError(f"{nwy} has {wy.shape[1]} weights but {ny} has {Y.shape[1]} points")
    if X.shape[2] != Y.shape[2]:
        raise ValueError(f"{nx} has {X.shape[2]} coordinates per point but {ny} has "
                         f"{Y.shape[2]}")
    if X.shape[1] == 0 or Y.shape[1] == 0:
        raise ValueError(f"{nx} and {ny} need at least one point each")
    if (X.requires_grad or Y.requires_grad) and metric not in POSITION_GRAD_METRICS \
            and torch.is_grad_enabled():
        raise ValueError(f"gradients in the positions need metric in {POSITION_GRAD_METRICS}, "
                         f"got {metric!r}")
    out = _apply(_SignatureFunction, X, wx, Y, wy, metric, method, batched, n_jobs, names,
                 warm_start)
    return out if batched else out[0]
