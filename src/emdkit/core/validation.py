"""Checks at the public boundary: one input policy, and every fault named with its argument.

The policy (documented in the README and in each public docstring):

* ``TypeError`` for a wrong *type*: strings, bytes, booleans, complex numbers, dates and times,
  object arrays, masked arrays (their mask would be ignored), dicts and ragged nested lists.
  Nothing is coerced into a number.
* ``ValueError`` for a wrong *value*: NaN or infinity, negative weights or costs, all-zero
  weights, empty signatures and mismatched shapes. The one exception: +inf in a cost matrix
  given to the transport solvers means "no arc" (``allow_inf``).

numpy only: importing this module does not load numba.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# dtype kinds accepted as real numbers: signed/unsigned integers and floats
_REAL_KINDS = "iuf"
_KIND_NAMES = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes",
               "M": "dates", "m": "time deltas", "O": "Python objects", "V": "raw records"}


def as_real_array(values: object, name: str) -> np.ndarray:
    """``values`` as a float64 array, refusing anything that is not already real numbers."""
    if isinstance(values, np.ma.MaskedArray):
        raise TypeError(f"{name} is a masked array; pass the unmasked values you mean "
                        "(np.ma.compressed or .filled) — a mask would be ignored")
    if isinstance(values, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values)
    except ValueError:
        raise TypeError(f"{name} must be a rectangular array of real numbers; "
                        "got a ragged nested sequence") from None
    except RuntimeError as exc:  # e.g. a torch tensor that requires grad
        raise TypeError(f"{name} could not be read as an array ({exc}); for tensors with "
                        "gradients use emdkit.nn") from None
    if arr.dtype.kind not in _REAL_KINDS:
        what = _KIND_NAMES.get(arr.dtype.kind, f"dtype {arr.dtype}")
        raise TypeError(f"{name} must contain real numbers, got {what} (dtype {arr.dtype})")
    return aligned(arr.astype(np.float64, copy=False))


def aligned(x):
    """``x`` with every array in it (tuples and lists are walked) aligned for its dtype.

    Arrays unpickled from a byte buffer (Dask, multiprocessing) can start at an address that is
    not a multiple of 8; the compiled engine reads float64 through double pointers, which is
    undefined behaviour there (UBSan caught it on emd_batch over Dask). Misaligned arrays are
    copied; aligned ones are returned as they are.
    """
    if isinstance(x, np.ndarray):
        return x if x.flags.aligned else x.copy()
    if isinstance(x, (tuple, list)):
        return type(x)(aligned(v) for v in x)
    return x


def as_weights(values: ArrayLike, name: str) -> np.ndarray:
    """``values`` as a finite, non-negative, non-empty float64 vector with a positive total."""
    arr = as_real_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a signature needs at least one point")
    # min and max propagate NaN and expose inf: two reductions cover every check
    lo, hi = arr.min(), arr.max()
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"{name} contains NaN or inf")
    if lo < 0:
        raise ValueError(f"{name} contains negative weights (min {lo:g})")
    if hi <= 0:
        raise ValueError(f"{name} has all-zero weights: there is no mass to move")
    return arr


def as_cost(cost: ArrayLike, shape: tuple[int, int], name: str = "cost") -> np.ndarray:
    """``cost`` as a finite, non-negative, C-contiguous float64 matrix of the given shape."""
    return as_cost_with_range(cost, shape, name)[0]


def as_cost_with_range(cost: ArrayLike, shape: tuple[int, int], name: str = "cost",
                       allow_inf: bool = False) -> tuple[np.ndarray, float, float]:
    """:func:`as_cost`, with the min and max it checked (so callers need no second pass).

    ``allow_inf``: +inf entries are accepted as "no arc" (the transport solvers' rule); the
    max is then inf. NaN and −inf stay refused, and so does a matrix that is inf everywhere.
    """
    arr = as_real_array(cost, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
    if arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}, but the weights need {shape} "
                         "(len(a), len(b))")
    lo, hi = (arr.min(), arr.max()) if arr.size else (0.0, 0.0)
    if allow_inf and lo == np.inf:
        raise ValueError(f"{name} is inf everywhere: no arc can move any mass "
                         "(np.inf marks a missing arc)")
    if not (np.isfinite(lo) and (np.isfinite(hi) or (allow_inf and hi == np.inf))):
        raise ValueError(f"{name} contains NaN or -inf" if allow_inf else
                         f"{name} contains NaN or inf")
    if lo < 0:
        raise ValueError(f"{name} contains negative entries (min {lo:g}); "
                         "ground distances are >= 0")
    return np.ascontiguousarray(arr), float(lo), float(hi)


def as_points(values: ArrayLike, name: str) -> np.ndarray:
    """Positions as a finite float64 (n, d) array; a 1-D input is n points on a line."""
    arr = as_real_array(values, name)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must be (n, d) or (n,), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: a signature needs at least one point")
    if arr.shape[1] == 0:
        raise ValueError(f"{name} has zero coordinates per point")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return np.ascontiguousarray(arr)


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``; booleans and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_n_jobs(n_jobs: object) -> int:
    """-1 (all available threads) or a positive thread count."""
    if n_jobs is None:
        return -1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise TypeError(f"n_jobs must be an integer, got {type(n_jobs).__name__}")
    if n_jobs != -1 and n_jobs < 1:
        raise ValueError(f"n_jobs must be -1 (all threads) or >= 1, got {n_jobs}")
    return int(n_jobs)
