"""Boundary checks and shape handling shared by the losses (F.cross_entropy conventions)."""
from __future__ import annotations

import numbers

import torch

from ..core.validation import as_real_array, check_real_dtype

REDUCTIONS = ("mean", "sum", "none")


def as_real_tensor(x, name: str) -> torch.Tensor:
    """A real tensor: a tensor keeps its device and (floating) dtype, integers become float64;
    anything else passes the core's input gate (strings, booleans, complex, dates, objects and
    masked arrays are refused with TypeError) and becomes a float64 tensor."""
    if isinstance(x, torch.Tensor):
        check_real_dtype(x.dtype, name)
        return x if x.is_floating_point() else x.to(torch.float64)
    return torch.from_numpy(as_real_array(x, name))


def check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def check_input(input: torch.Tensor, name: str = "input") -> torch.Tensor:
    if not isinstance(input, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(input).__name__}")
    if not input.is_floating_point():
        raise TypeError(f"{name} must be floating point (logits or probabilities), got "
                        f"{input.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{name} must have a class dimension: (K,), (B, K) or (B, K, d1, ...)")
    k = input.shape[0] if input.ndim == 1 else input.shape[1]
    if k < 2:
        raise ValueError(f"{name} needs at least 2 classes along its class dimension, got {k}")
    return input


def flatten_classes(x: torch.Tensor) -> torch.Tensor:
    """(K,) → (1, K); (B, K) as is; (B, K, d1, ...) → (B·d1·..., K) with the class dim last."""
    if x.ndim == 1:
        return x.unsqueeze(0)
    if x.ndim == 2:
        return x
    return x.movedim(1, -1).reshape(-1, x.shape[1])


def batch_shape(input: torch.Tensor) -> tuple[int, ...]:
    """Shape of the per-element losses (reduction='none'): input's shape without the class dim."""
    if input.ndim == 1:
        return ()
    return (input.shape[0],) + tuple(input.shape[2:])


def split_target(input: torch.Tensor, target: torch.Tensor) -> bool:
    """True for class-index targets, False for soft (probability) targets; checks the shape."""
    if not isinstance(target, torch.Tensor):
        raise TypeError(f"target must be a torch.Tensor, got {type(target).__name__}")
    if target.is_floating_point():
        if target.shape != input.shape:
            raise ValueError(f"soft target must have the input's shape {tuple(input.shape)}, "
                             f"got {tuple(target.shape)}")
        return False
    if target.dtype == torch.bool or target.is_complex():
        raise TypeError(f"target must hold class indices (integer) or probabilities (float), "
                        f"got {target.dtype}")
    if tuple(target.shape) != batch_shape(input):
        raise ValueError(f"class-index target must have shape {batch_shape(input)} for input of "
                         f"shape {tuple(input.shape)}, got {tuple(target.shape)}")
    return True


def check_indices(t: torch.Tensor, k: int, ignore_index: int | None) -> torch.Tensor:
    """Boolean mask of the kept (not ignored) rows; every kept index must lie in [0, K)."""
    keep = torch.ones_like(t, dtype=torch.bool) if ignore_index is None else t != ignore_index
    bad = keep & ((t < 0) | (t >= k))
    if bool(bad.any()):
        also = "" if ignore_index is None else f" and are not ignore_index={ignore_index}"
        raise ValueError(f"target contains class indices outside [0, {k}) "
                         f"(e.g. {int(t[bad][0])}){also}")
    return keep


def distribution_tolerance(x: torch.Tensor) -> float:
    # A softmax written in this dtype sums to 1 within about K rounding errors.
    return 1e-4 + x.shape[-1] * torch.finfo(x.dtype).eps


def check_distributions(p: torch.Tensor, name: str) -> None:
    """Rows of ``p`` (class dim last) must be non-negative and sum to 1."""
    with torch.no_grad():
        low = float(p.min())
        if not low >= 0.0:  # also catches NaN
            raise ValueError(f"{name} must be probabilities, but contains {low:g}")
        worst = float((p.sum(dim=-1) - 1.0).abs().max())
        if not worst <= distribution_tolerance(p):
            raise ValueError(f"{name} rows must sum to 1 over the classes; the worst is off by "
                             f"{worst:.3g} (pass from_logits=True for unnormalised scores)")


def check_r(r: float) -> float:
    if isinstance(r, bool) or not isinstance(r, numbers.Real):
        raise TypeError(f"r must be a real number, got {type(r).__name__}")
    if not (1.0 <= float(r) < float("inf")):
        raise ValueError(f"r must be a finite number >= 1 (a metric exponent), got {r}")
    return float(r)


def as_class_vector(values, k: int, name: str, like: torch.Tensor) -> torch.Tensor:
    """A finite length-K vector on ``like``'s device and dtype."""
    v = as_real_tensor(values, name).to(dtype=like.dtype, device=like.device)
    if v.shape != (k,):
        raise ValueError(f"{name} must have shape ({k},) (one entry per class), got {tuple(v.shape)}")
    if not bool(torch.isfinite(v).all()):
        raise ValueError(f"{name} contains NaN or inf")
    return v


def reduce(losses: torch.Tensor, reduction: str, denominator: torch.Tensor | None = None
           ) -> torch.Tensor:
    """'none' as is; 'sum'; 'mean' divides by ``denominator`` (the weight total) or the count."""
    if reduction == "none":
        return losses
    total = losses.sum()
    if reduction == "sum":
        return total
    if denominator is None:
        return total / losses.numel()
    return total / denominator


def refuse_double_backward(what: str) -> None:
    """Inside a custom backward: raise rather than return a gradient that a double backward
    (``create_graph=True``) would treat as constant, silently losing the second-order terms."""
    if torch.is_grad_enabled():
        raise NotImplementedError(
            f"{what}: second derivatives are not implemented (double backward, "
            "create_graph=True); this gradient is computed outside the autograd graph")
