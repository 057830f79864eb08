"""Checks at the public boundary: one input policy, and every fault named with its argument.

Every public entry point (the core, its batch engine, :mod:`emdkit.nn`, :mod:`emdkit.metrics`,
the image tools and the command line) reads its arrays through this module, so the policy is
written once. It is documented in the README and in each public docstring; the table of
``tests/README.md`` is generated from it by ``tests/test_input_policy.py``:

* ``TypeError`` for a wrong *type*: strings, bytes, booleans, complex numbers, dates and time
  deltas, ``Decimal`` and other Python objects, masked arrays (their mask would be ignored),
  dicts, ragged nested lists, and torch tensors that require grad (outside ``emdkit.nn``).
  Nothing is coerced into a number.
* ``ValueError`` for a wrong *value*: NaN or infinity, negative weights or costs, all-zero
  weights, empty signatures and mismatched shapes. The one exception: +inf in a cost matrix
  given to the transport solvers means "no arc" (``allow_inf``).
* ``None`` for a weight vector means uniform weights, 1/n each (total 1), SciPy's and POT's
  convention (``ot.unif``).

Messages use the caller's names and indices (``a[3] contains NaN or inf``). numpy and the
compiled engine only: importing this module loads neither the engine, numba nor torch.
"""
from __future__ import annotations

import math
import sys
import warnings

import numpy as np
from numpy.typing import ArrayLike

from .engine import native_engine

# dtype kinds accepted as real numbers: signed/unsigned integers and floats
_REAL_KINDS = "iuf"
_KIND_NAMES = {"b": "booleans", "c": "complex numbers", "U": "strings", "S": "bytes",
               "M": "dates", "m": "time deltas", "O": "Python objects", "V": "raw records"}


# ---------------------------------------------------------------- types

def dtype_kind(dtype: object) -> str:
    """numpy's kind letter of a numpy or torch dtype ("f", "i", "u", "b", "c", …)."""
    try:
        return np.dtype(dtype).kind
    except TypeError:  # a torch dtype: described by its flags, without importing torch
        if getattr(dtype, "is_complex", False):
            return "c"
        if getattr(dtype, "is_floating_point", False):
            return "f"
        return "b" if str(dtype).endswith(".bool") else "i"


def check_real_dtype(dtype: object, name: str, first: object = None) -> None:
    """TypeError naming ``name`` unless ``dtype`` holds real numbers (integers or floats).

    ``first`` (an element, for object arrays) names what the objects are.
    """
    kind = dtype_kind(dtype)
    if kind in _REAL_KINDS:
        return
    what = _KIND_NAMES.get(kind, f"dtype {dtype}")
    if kind == "O" and first is not None:
        what = f"Python objects ({type(first).__name__})"
    raise TypeError(f"{name} must contain real numbers, got {what} (dtype {dtype})")


def _holds_bool(values: object) -> bool:
    """Whether a (nested) list or tuple holds a Python or numpy bool: numpy would make it 0/1."""
    if isinstance(values, (bool, np.bool_)):
        return True
    return isinstance(values, (list, tuple)) and any(_holds_bool(v) for v in values)


def _is_masked(values: object) -> bool:
    # numpy.ma loads on first use (30 ms of a fresh `emdkit images search`, issue 21); no
    # masked array can exist before it is imported, so an unloaded numpy.ma answers False
    masked = sys.modules.get("numpy.ma")
    return masked is not None and isinstance(values, masked.MaskedArray)


def as_real_array(values: object, name: str) -> np.ndarray:
    """``values`` as a float64 array, refusing anything that is not already real numbers."""
    return real_array(values, name).astype(np.float64, copy=False)


def real_array(values: object, name: str) -> np.ndarray:
    """``values`` as an array of real numbers in its own dtype (integers stay integers)."""
    if values is None:
        raise TypeError(f"{name} must be an array of real numbers, got None")
    if _is_masked(values):
        raise TypeError(f"{name} is a masked array; pass the unmasked values you mean "
                        "(np.ma.compressed or .filled) — a mask would be ignored")
    if isinstance(values, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(values).__name__}")
    if getattr(values, "requires_grad", False) is True:
        raise TypeError(f"{name} is a tensor that requires grad; emdkit.nn differentiates the "
                        f"EMD, or pass {name}.detach() for its value")
    try:
        arr = np.asarray(values)
    except ValueError:
        raise TypeError(f"{name} must be a rectangular array of real numbers; "
                        "got a ragged nested sequence") from None
    except (TypeError, RuntimeError) as exc:  # e.g. a CUDA tensor
        raise TypeError(f"{name} could not be read as an array ({exc})") from None
    check_real_dtype(arr.dtype, name, arr.flat[0] if arr.dtype.kind == "O" and arr.size else None)
    if isinstance(values, (list, tuple)) and _holds_bool(values):
        raise TypeError(f"{name} must contain real numbers, got booleans in a list")
    return aligned(arr)


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


# ---------------------------------------------------------------- the fast lane

_FLOAT64 = np.dtype(np.float64)


def _ready(values: object, ndim: int) -> bool:
    """Whether ``values`` is already what validation would make of it: a plain, aligned,
    C-contiguous float64 ndarray of ``ndim`` axes. Such input skips the type checks (about
    10 µs of a small ``emd`` call); its values are checked all the same."""
    return (type(values) is np.ndarray and values.dtype is _FLOAT64 and values.ndim == ndim
            and values.flags.c_contiguous and values.flags.aligned)


def _numpy_value_range(x: np.ndarray) -> tuple[float, float]:
    return float(x.min()), float(x.max())


def value_range(x: np.ndarray) -> tuple[float, float]:
    """(min, max) of a non-empty float64 array, both NaN when it holds a NaN (as numpy's
    reductions): one pass under the compiled engine, two numpy reductions otherwise.

    The first call binds the module's name to the engine's kernel: loading the engine at
    import cost ``emdkit --help`` 17 ms, and the callers here look the name up on each call."""
    global value_range
    native = native_engine()
    value_range = _numpy_value_range if native is None else native.value_range
    return value_range(x)


# ---------------------------------------------------------------- weights

def weight_fault(lo: float, hi: float) -> str | None:
    """What is wrong with a weight vector of this min and max, or None if nothing."""
    # min and max propagate NaN and expose inf: two reductions cover every check
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "contains NaN or inf"
    if lo < 0:
        return f"contains negative weights (min {lo:g})"
    if hi <= 0:
        return "has all-zero weights: there is no mass to move"
    return None


def uniform_weights(n: int) -> np.ndarray:
    """1/n each (total 1): what ``None`` means for a weight vector."""
    return np.full(n, 1.0 / n)


def as_weights(values: ArrayLike | None, name: str, size: int | None = None) -> np.ndarray:
    """``values`` as a finite, non-negative, non-empty float64 vector with a positive total.

    ``None`` gives uniform weights over ``size`` points (``size`` is the length the caller's
    positions or cost fix); with no ``size`` to go by, None is refused.
    """
    if values is None and size is not None:
        if size == 0:
            raise ValueError(f"{name} is empty: a signature needs at least one point")
        return uniform_weights(size)
    arr = values if _ready(values, 1) else as_real_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a signature needs at least one point")
    fault = weight_fault(*value_range(arr))
    if fault:
        raise ValueError(f"{name} {fault}")
    return arr


def check_weight_rows(W: np.ndarray, name: str, batched: bool = True) -> None:
    """Every row of a float64 (B, m) array is a valid weight vector; the first bad one is
    named ``name[k]`` (or ``name`` when not ``batched``), with :func:`as_weights`'s words."""
    if W.shape[0] == 0 or W.shape[1] == 0:
        return
    lo, hi = W.min(axis=1), W.max(axis=1)
    bad = ~(np.isfinite(lo) & np.isfinite(hi) & (lo >= 0) & (hi > 0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}{f'[{k}]' if batched else ''} {weight_fault(lo[k], hi[k])}")


def as_dense_problem(a: ArrayLike | None, b: ArrayLike | None, cost: ArrayLike,
                     names: tuple[str, str, str] = ("a", "b", "cost"), allow_inf: bool = False
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """(a, b, cost, min cost, max cost) of one problem, checked; a ``None`` weight vector is
    uniform over the cost's rows (a) or columns (b). ``allow_inf``: as in
    :func:`as_cost_with_range`."""
    rows = cols = None
    if a is None or b is None:
        cost = as_real_array(cost, names[2])
        if cost.ndim != 2:
            raise ValueError(f"{names[2]} must be 2-D, got shape {cost.shape}")
        rows, cols = cost.shape
    a = as_weights(a, names[0], rows)
    b = as_weights(b, names[1], cols)
    return (a, b, *as_cost_with_range(cost, (a.shape[0], b.shape[0]), names[2], allow_inf))


def as_signature(X: ArrayLike, w: ArrayLike | None, x_name: str, w_name: str,
                 pair_name: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Positions (n, d) and their n weights (``None``: uniform), checked and counted.

    ``pair_name`` names a (positions, weights) pair given as one argument (``signatures[2]``).
    """
    X = as_points(X, x_name)
    w = as_weights(w, w_name, X.shape[0])
    if w.shape[0] != X.shape[0]:
        if pair_name:
            raise ValueError(f"{pair_name} has {X.shape[0]} positions but {w.shape[0]} weights")
        raise ValueError(f"{w_name} has {w.shape[0]} weights but {x_name} has {X.shape[0]} "
                         "points")
    return X, w


# ---------------------------------------------------------------- costs and positions

def as_cost(cost: ArrayLike, shape: tuple[int, int], name: str = "cost") -> np.ndarray:
    """``cost`` as a finite, non-negative, C-contiguous float64 matrix of the given shape."""
    return as_cost_with_range(cost, shape, name)[0]


def as_cost_with_range(cost: ArrayLike, shape: tuple[int, int], name: str = "cost",
                       allow_inf: bool = False) -> tuple[np.ndarray, float, float]:
    """``cost`` as a finite, non-negative, C-contiguous float64 matrix of the given shape, with
    the min and max it checked (so callers need no second pass).

    ``allow_inf``: +inf entries are accepted as "no arc" (the transport solvers' rule); the
    max is then inf. NaN and −inf stay refused, and so does a matrix that is inf everywhere.
    """
    arr = cost if _ready(cost, 2) else np.ascontiguousarray(as_real_array(cost, name))
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
    if arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}, but the weights need {shape} "
                         "(len(a), len(b))")
    lo, hi = value_range(arr) if arr.size else (0.0, 0.0)
    if allow_inf and lo == math.inf:
        raise ValueError(f"{name} is inf everywhere: no arc can move any mass "
                         "(np.inf marks a missing arc)")
    if not (math.isfinite(lo) and (math.isfinite(hi) or (allow_inf and hi == math.inf))):
        raise ValueError(f"{name} contains NaN or -inf" if allow_inf else
                         f"{name} contains NaN or inf")
    if lo < 0:
        raise ValueError(f"{name} contains negative entries (min {lo:g}); "
                         "ground distances are >= 0")
    return arr, float(lo), float(hi)


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


# ---------------------------------------------------------------- settings

def _is_integer(value: object) -> bool:
    """An int or numpy integer; not a bool, nor numpy's time delta (a numpy integer subclass)."""
    return (isinstance(value, (int, np.integer)) and not isinstance(value, bool)
            and not isinstance(value, np.timedelta64))


def check_positive_int(value: object, name: str, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``; booleans and floats are refused."""
    if not _is_integer(value):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def as_real_number(value: object, name: str) -> float:
    """A real scalar as a float (no NaN check): booleans, strings, Decimal etc. are refused."""
    arr = real_array(value, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got shape {arr.shape}")
    return float(arr)


def check_n_jobs(n_jobs: object, name: str = "n_jobs") -> int:
    """-1 (all available threads) or a positive thread count; ``name`` is the caller's spelling."""
    if type(n_jobs) is int and (n_jobs >= 1 or n_jobs == -1):  # the common case, at once
        return n_jobs
    if n_jobs is None:
        return -1
    if not _is_integer(n_jobs):
        raise TypeError(f"{name} must be an integer, got {type(n_jobs).__name__}")
    if n_jobs != -1 and n_jobs < 1:
        raise ValueError(f"{name} must be -1 (all threads) or >= 1, got {n_jobs}")
    return int(n_jobs)


def n_jobs_or_alias(n_jobs: object, old: object, default: int, old_name: str = "n_threads") -> int:
    """The thread count from ``n_jobs``, or from ``old``, its name (``old_name``) before 0.2.

    The old name is kept for one release: it warns (``DeprecationWarning``) and is checked
    under its own name, so an error names the argument the caller wrote. Passing both raises.
    """
    if old is None:
        return check_n_jobs(n_jobs)
    warnings.warn(f"{old_name} is deprecated and will be removed in emdkit 0.3; use n_jobs "
                  "(the same meaning: -1 = every available core)", DeprecationWarning,
                  stacklevel=3)
    if n_jobs != default:
        raise TypeError(f"pass n_jobs or its deprecated alias {old_name}, not both")
    return check_n_jobs(old, old_name)


def check_max_iter(max_iter: object) -> int | None:
    """None (the solver's default bound) or a pivot bound >= 1."""
    return None if max_iter is None else check_positive_int(max_iter, "max_iter")
