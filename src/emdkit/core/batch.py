"""Many exact EMDs at once: ``emd_batch``, ``signature_emd_batch``, ``cdist_emd`` and
``pairwise_emd``, on a thread pool, one problem per thread.

Each problem is validated and prepared once (:mod:`emdkit.core.prepare`). Small problems (the
"small" path of :func:`emdkit.core.prepare._choose`) are solved in chunks by an engine kernel
that releases the GIL, so the pool's threads run side by side with no Python in the loop: the
same :func:`emdkit.core.block.solve_small` that :func:`emdkit.emd` calls, so a batch entry and
the single call agree bit for bit. Larger problems take their own path (candidate rounds, point
clouds) through :func:`emdkit.core.solve.solve_prepared`, one problem per worker, each
single-threaded. With a Dask ``scheduler`` the problems are split into chunks that workers solve
with this same code.
"""
from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._jit import njit
from . import prepare as _prepare
from .block import METHOD_NAMES, solve_small
from .cluster import DEFAULT_SCHEDULER_TIMEOUT, check_scheduler, connect
from .cost_kernels import point_cost
from .costs import Metric, check_metric, lookup_metric
from .engine import native_engine
from .exact import exact_everywhere
from .errors import (
    STATUS_MAX_ITER,
    STATUS_NOT_CERTIFIED,
    STATUS_OPTIMAL,
    SolverError,
    for_problem,
    raise_for_status,
)
from .prepare import (
    SIGNATURE_METHODS,
    PreparedProblem,
    _choose,
    default_max_iter,
    prepare_dense,
    prepare_signature,
)
from .problem import cost_exponent, reduce_weights
from .progress import progress_bar
from .result import BatchEMDResult, EMDResult
from .solve import finish, solve_one_to_many, solve_prepared
from .threads import resolve_threads
from .warm_start import batch_inits, warm_hint
from .validation import (
    aligned,
    as_dense_problem,
    as_real_array,
    as_signature,
    check_max_iter,
    check_n_jobs,
)

# Problems per chunk when a progress bar or a Dask scheduler is asked for.
CHUNKS_FOR_PROGRESS = 64
# Chunks per thread for the kernels: enough that a thread slowed by another process's load
# hands its share to the others, few enough that scheduling costs nothing (a chunk is at
# least a few problems of ~0.1-10 ms each).
CHUNKS_PER_THREAD = 8


# ---------------------------------------------------------------- kernels

@njit(cache=True, nogil=True)
def _store(k, out, sup_off, sup_r, sup_c, sup_f, pi_off, pi_out, stats):
    st, meth, r, c, f, pi, work, total, kind, piv, gap = out
    stats[k, 0] = st
    stats[k, 1] = meth
    stats[k, 2] = piv
    stats[k, 3] = gap
    stats[k, 4] = work
    stats[k, 5] = total
    stats[k, 6] = r.shape[0]
    base = sup_off[k]
    for t in range(r.shape[0]):
        sup_r[base + t] = r[t]
        sup_c[base + t] = c[t]
        sup_f[base + t] = f[t]
    base = pi_off[k]
    for t in range(pi.shape[0]):
        pi_out[base + t] = pi[t]


@njit(cache=True, nogil=True)
def _dense_kernel(first, last, a_flat, a_off, b_flat, b_off, c_flat, c_off, max_iter, shortcuts,
                  sup_off, sup_r, sup_c, sup_f, pi_off, pi_out, stats):
    """Problems first..last-1: scaled kept weights a_flat[a_off[k]:…], b likewise, costs
    c_flat[c_off[k]:…] (row-major m × n). Results go to the packed outputs at each problem's
    offsets. Serial and without the GIL: threads run chunks of problems side by side."""
    for k in range(first, last):
        ar = a_flat[a_off[k]:a_off[k + 1]]
        bc = b_flat[b_off[k]:b_off[k + 1]]
        C = c_flat[c_off[k]:c_off[k + 1]].reshape(ar.shape[0], bc.shape[0])
        _store(k, solve_small(ar, bc, C, max_iter, shortcuts), sup_off, sup_r, sup_c, sup_f,
               pi_off, pi_out, stats)


@njit(cache=True, nogil=True)
def _signature_distance(X, wx, Y, wy, code, max_iter):
    """(distance, status) of one signature pair, exactly as signature_emd's "small" path."""
    rows, cols, ar, bc, wexp = reduce_weights(wx, wy)
    m = rows.shape[0]
    n = cols.shape[0]
    C = np.empty((m, n))
    for i in range(m):
        for j in range(n):
            C[i, j] = point_cost(X[rows[i]], Y[cols[j]], code)
    cexp = cost_exponent(C.max())
    if cexp != 0:
        C = np.ldexp(C, -cexp)
    out = solve_small(ar, bc, C, max_iter)
    work = out[6]
    total = out[7]
    return np.ldexp(work / total, cexp), out[0]


@njit(cache=True, nogil=True)
def _pairs_kernel(lo, hi, points, weights, offsets, first, second, code, out, status):
    """Pairs lo..hi-1 of (first, second); serial and without the GIL, like _dense_kernel."""
    for p in range(lo, hi):
        i = first[p]
        j = second[p]
        X = points[offsets[i]:offsets[i + 1]]
        Y = points[offsets[j]:offsets[j + 1]]
        wx = weights[offsets[i]:offsets[i + 1]]
        wy = weights[offsets[j]:offsets[j + 1]]
        out[p], status[p] = _signature_distance(X, wx, Y, wy, code,
                                                default_max_iter(X.shape[0], Y.shape[0]))


# The kernels' per-problem stats: status, method, pivots, gap, work, total, support size, then
# exact (0 or 1), exact distance and exact work (written by the compiled kernel only).
STATS_COLUMNS = 10

# The compiled engine's kernels (cpp/solve/batch.cpp), same signatures and bits; they release
# the GIL, so in_chunks' threads run them side by side. Given the problems' scales
# (weight_exp, cost_exp; verify=True for pairs) they also verify every answer exactly in the
# same call (cpp/solve/exact_check.hpp), which the Numba kernels do not.
_native = native_engine()
EXACT_IN_KERNEL = _native is not None
if _native is not None:
    _dense_kernel = _native.dense_kernel  # noqa: F811
    _pairs_kernel = _native.pairs_kernel  # noqa: F811


def in_chunks(count: int, n_threads: int, run) -> None:
    """``run(lo, hi)`` over chunks of range(count) on ``n_threads`` threads.

    Chunks are handed out as threads free up (dynamic, not static, scheduling): when another
    process takes a core, its thread simply takes fewer chunks, so a busy core costs at most its
    share. About ``CHUNKS_PER_THREAD`` chunks per thread balance the load without a launch per
    problem.
    """
    if n_threads <= 1 or count <= 1:
        run(0, count)
        return
    n_chunks = min(count, n_threads * CHUNKS_PER_THREAD)
    bounds = np.linspace(0, count, n_chunks + 1).astype(int)
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        list(pool.map(lambda c: run(bounds[c], bounds[c + 1]), range(n_chunks)))


# ---------------------------------------------------------------- input handling

def _problem_list(x, name: str, ndim: int, none_ok: bool = False) -> list | None:
    """A stacked array (one more axis) or a sequence of per-problem arrays → list.

    ``None`` (uniform weights for every problem, where ``none_ok``) is returned as None.
    """
    if x is None and none_ok:
        return None
    if isinstance(x, (str, bytes, dict)) or x is None:
        raise TypeError(f"{name} must be a stacked array or a sequence of arrays, "
                        f"got {type(x).__name__}")
    ragged = isinstance(x, np.ndarray) and x.dtype == object and x.ndim == 1
    if hasattr(x, "ndim") and hasattr(x, "shape") and not ragged:
        arr = as_real_array(x, name)
        if arr.ndim != ndim + 1:
            raise ValueError(f"{name} must be stacked with shape (B, …) of {ndim + 1} axes or a "
                             f"sequence of {ndim}-D arrays, got shape {arr.shape}")
        return list(arr)
    if not isinstance(x, Sequence) and not ragged:
        raise TypeError(f"{name} must be a stacked array or a sequence of arrays, "
                        f"got {type(x).__name__}")
    return list(x)


def _check_batch_sizes(**lists) -> int:
    sizes = {name: len(v) for name, v in lists.items() if v is not None}
    B = next(iter(sizes.values()))
    for name, size in sizes.items():
        if size != B:
            detail = ", ".join(f"{k} has {v}" for k, v in sizes.items())
            raise ValueError(f"batch sizes differ: {detail} problems")
    if B == 0:
        raise ValueError("the batch is empty: pass at least one problem")
    return B


def _entry(items: list | None, k: int):
    """Problem k's entry of a per-problem list; None (uniform weights) when the list is None."""
    return None if items is None else items[k]


# ---------------------------------------------------------------- emd_batch

def _solve_small_batch(items: list[PreparedProblem], numbers: list[int],
                       n_threads: int) -> list[EMDResult]:
    """Solve prepared "small" problems in the parallel kernel and assemble their results;
    ``numbers`` are their indices in the caller's batch, for messages."""
    sizes_a = np.array([it.problem.m for it in items])
    sizes_b = np.array([it.problem.n for it in items])
    a_off = np.concatenate([[0], np.cumsum(sizes_a)]).astype(np.int64)
    b_off = np.concatenate([[0], np.cumsum(sizes_b)]).astype(np.int64)
    c_off = np.concatenate([[0], np.cumsum(sizes_a * sizes_b)]).astype(np.int64)
    cap_off = np.concatenate([[0], np.cumsum(sizes_a + sizes_b + 1)]).astype(np.int64)
    a_flat = np.concatenate([it.problem.a for it in items])
    b_flat = np.concatenate([it.problem.b for it in items])
    c_flat = np.concatenate([it.Cs.ravel() for it in items])
    total = int(cap_off[-1])
    sup_r = np.empty(total, np.int64)
    sup_c = np.empty(total, np.int64)
    sup_f = np.empty(total)
    pi_out = np.empty(total)
    stats = np.zeros((len(items), STATS_COLUMNS))
    max_iter = max(it.max_iter for it in items)
    scales = {}
    if EXACT_IN_KERNEL and exact_everywhere():  # verified exactly in the kernel's own call
        scales = {"weight_exp": np.array([it.problem.weight_exp for it in items], np.int64),
                  "cost_exp": np.array([it.cost_exp for it in items], np.int64)}
    in_chunks(len(items), n_threads, lambda lo, hi: _dense_kernel(
        lo, hi, a_flat, a_off, b_flat, b_off, c_flat, c_off, max_iter, _prepare.FAST_PATHS,
        cap_off, sup_r, sup_c, sup_f, cap_off, pi_out, stats, **scales))
    results = []
    for k, it in enumerate(items):
        status, method, pivots, gap, work = int(stats[k, 0]), int(stats[k, 1]), \
            int(stats[k, 2]), float(stats[k, 3]), float(stats[k, 4])
        base, cnt = int(cap_off[k]), int(stats[k, 6])
        r, c, f = sup_r[base:base + cnt], sup_c[base:base + cnt], sup_f[base:base + cnt]
        pi = pi_out[base:base + it.problem.supply.shape[0]]
        exact = (float(stats[k, 8]), float(stats[k, 9])) if stats[k, 7] else None
        results.append(finish(it, status, r, c, f, pi, work, gap, METHOD_NAMES[method], pivots,
                              where=f"problem {numbers[k]}", exact=exact))
    return results


def emd_batch(a, b, cost, *, max_iter: int | None = None, n_jobs: int = -1,
              progress: bool = False, scheduler: str | None = None,
              scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT,
              init=None) -> BatchEMDResult:
    """Exact EMDs of B independent problems, solved in parallel: ``[emd(a[k], b[k], cost[k])]``.

    Parameters
    ----------
    a : array_like (B, m), sequence of B 1-D arrays, or None
        Weights of each problem's rows (sizes may differ between problems). None, for the
        batch or for one problem: uniform, 1/m each (total 1).
    b : array_like (B, n), sequence of B 1-D arrays, or None
        Weights of each problem's columns; None: uniform.
    cost : array_like (B, m, n) or sequence of B 2-D arrays
        Each problem's ground distances.
    max_iter : int, optional
        Pivot bound per problem, as in :func:`emdkit.emd`.
    n_jobs : int, default -1
        Threads (-1: all available; ``NUMBA_NUM_THREADS`` and the affinity mask cap it). One
        problem runs per thread, so a busy core costs at most its share.
    progress : bool, default False
        Show a tqdm progress bar (needs ``emdkit[progress]``).
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.
    init : BatchEMDResult or sequence of B entries, optional
        Warm starts, one per problem (an :class:`EMDResult`, a (u, v) pair or None), as
        ``init`` in :func:`emdkit.emd`: typically the previous call's result. Problems with
        one leave the batch kernel for the warm-started simplex; the values are the same.

    Returns
    -------
    BatchEMDResult
        ``res[k]`` equals ``emd(a[k], b[k], cost[k])`` bit for bit (without ``init``);
        ``res.distance`` etc. are (B,) arrays.

    Raises
    ------
    TypeError, ValueError
        As in :func:`emdkit.emd` (``max_iter`` included), naming the problem's index in the
        batch (``a[3] contains NaN or inf``), or when the batch sizes differ.
    SolverError
        If any problem cannot be certified, naming its index in the batch (``problem 3: …``),
        whichever path, chunk, thread or Dask worker solved it.

    See Also
    --------
    emdkit.emd : one problem.
    signature_emd_batch : many problems given as signatures.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] P. Kovács, "Minimum-cost flow algorithms: an experimental evaluation", Optimization
       Methods and Software 30(1), 2015 (LEMON's network simplex).

    Examples
    --------
    >>> import numpy as np, emdkit
    >>> a = np.ones((2, 3)); b = np.ones((2, 3)); C = np.stack([np.eye(3), 1 - np.eye(3)])
    >>> emdkit.emd_batch(a, b, C).distance
    array([0., 0.])
    """
    a_list = _problem_list(a, "a", 1, none_ok=True)
    b_list = _problem_list(b, "b", 1, none_ok=True)
    c_list = _problem_list(cost, "cost", 2)
    B = _check_batch_sizes(a=a_list, b=b_list, cost=c_list)
    problems = [as_dense_problem(_entry(a_list, k), _entry(b_list, k), c_list[k],
                                 (f"a[{k}]", f"b[{k}]", f"cost[{k}]"), allow_inf=True)
                for k in range(B)]
    max_iter = check_max_iter(max_iter)
    n_jobs = check_n_jobs(n_jobs)
    inits = batch_inits(init, B)
    return BatchEMDResult(_run(_solve_dense_problems, problems, (max_iter, n_jobs, inits),
                               progress, scheduler, scheduler_timeout, "EMD batch",
                               numbered=True))


def _solve_dense_problems(problems, first: int, max_iter, n_jobs, inits=None
                          ) -> list[EMDResult]:
    """Problems ``first``, ``first + 1``, … of the caller's batch (a chunk of it), each
    prepared once and solved: small ones in the parallel kernel, the closed form inline, the
    rest (warm starts included) one per thread; ``inits`` (the whole batch's warm starts, or
    None) are found at ``first + k``."""
    problems = aligned(problems)  # unpickled on a Dask worker, arrays may be misaligned
    threads = resolve_threads(n_jobs)
    init_of = [None if inits is None else inits[first + k] for k in range(len(problems))]
    prepared = [_prepare_numbered(first + k, problem, max_iter, init_of[k])
                for k, problem in enumerate(problems)]
    out: list[EMDResult | None] = [None] * len(prepared)
    small = [k for k, it in enumerate(prepared) if it.path == "small" and init_of[k] is None]
    if small:
        for k, res in zip(small, _solve_small_batch([prepared[k] for k in small],
                                                    [first + k for k in small], threads)):
            out[k] = res
    for k, it in enumerate(prepared):
        # the closed form runs interpreted, microseconds a problem: a thread pool would
        # only add its own overhead (bench/RESULTS_batch.md, one-to-many)
        if it.path == "one_to_many":
            out[k] = solve_one_to_many(it, where=f"problem {first + k}")
    rest = [k for k in range(len(prepared)) if out[k] is None]
    if rest:
        def one(k):
            try:
                return solve_prepared(prepared[k])
            except (SolverError, ValueError) as exc:
                raise for_problem(f"problem {first + k}", exc) from None
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for k, res in zip(rest, pool.map(one, rest)):
                out[k] = res
    return out


def _prepare_numbered(k: int, problem, max_iter, init=None) -> PreparedProblem:
    hint = warm_hint(init, None, problem[2].shape)
    try:
        return prepare_dense(*problem, max_iter=max_iter, init=hint)
    except ValueError as exc:  # a problem whose points with mass have only inf costs
        raise for_problem(f"problem {k}", exc) from None


# ---------------------------------------------------------------- signature batches

def signature_emd_batch(X, wx, Y, wy, metric: Metric = "euclidean", *, method: str = "auto",
                        max_iter: int | None = None, n_jobs: int = -1,
                        progress: bool = False, scheduler: str | None = None,
                        scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT,
                        init=None) -> BatchEMDResult:
    """``[signature_emd(X[k], wx[k], Y[k], wy[k], metric, method=method)]``, in parallel.

    Parameters
    ----------
    X, Y : array_like (B, m, d), (B, n, d) or sequences of (m_k, d), (n_k, d) arrays
        Positions of each problem's signatures.
    wx, wy : array_like (B, m), (B, n), sequences of 1-D arrays, or None
        Their weights; None (for the whole batch or one problem): uniform, 1/m each.
    metric, method, max_iter :
        As in :func:`emdkit.signature_emd`.
    n_jobs : int, default -1
        Threads; one problem per thread.
    progress : bool, default False
        Show a tqdm progress bar (needs ``emdkit[progress]``).
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.
    init : BatchEMDResult or sequence of B entries, optional
        Warm starts, one per problem, as in :func:`emd_batch`.

    Returns
    -------
    BatchEMDResult
        Entry k equals ``signature_emd`` on problem k.

    Raises
    ------
    TypeError, ValueError, SolverError
        As in :func:`emdkit.signature_emd`, naming the problem's index (``wx[3] contains NaN or
        inf``, ``problem 3: method='monotone_1d' needs equal totals``).

    See Also
    --------
    emdkit.signature_emd : one pair of signatures.
    emd_batch : many problems given as cost matrices.
    cdist_emd : every pair between two sets.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.

    Examples
    --------
    >>> import numpy as np, emdkit
    >>> X = np.zeros((2, 3, 2)); Y = np.ones((2, 3, 2)); w = np.ones((2, 3))
    >>> np.round(emdkit.signature_emd_batch(X, w, Y, w).distance, 6)
    array([1.414214, 1.414214])
    """
    lists = dict(X=_problem_list(X, "X", 2), wx=_problem_list(wx, "wx", 1, none_ok=True),
                 Y=_problem_list(Y, "Y", 2), wy=_problem_list(wy, "wy", 1, none_ok=True))
    B = _check_batch_sizes(**lists)
    check_metric(metric)
    if not isinstance(method, str) or method not in SIGNATURE_METHODS:
        raise ValueError(f"method must be one of {SIGNATURE_METHODS}, got {method!r}")
    sigs = []
    for k in range(B):
        Xk, wxk = as_signature(lists["X"][k], _entry(lists["wx"], k), f"X[{k}]", f"wx[{k}]")
        Yk, wyk = as_signature(lists["Y"][k], _entry(lists["wy"], k), f"Y[{k}]", f"wy[{k}]")
        if Xk.shape[1] != Yk.shape[1]:
            raise ValueError(f"problem {k}: X has {Xk.shape[1]} coordinates per point but Y "
                             f"has {Yk.shape[1]}")
        sigs.append((Xk, wxk, Yk, wyk))
    args = (metric, method, check_max_iter(max_iter), check_n_jobs(n_jobs),
            batch_inits(init, B))
    return BatchEMDResult(_run(_solve_signature_problems, sigs, args, progress, scheduler,
                               scheduler_timeout, "signature EMD batch", numbered=True))


def _solve_signature_problems(sigs, first: int, metric, method, max_iter, n_jobs, inits=None
                              ) -> list[EMDResult]:
    """Problems ``first``, ``first + 1``, … of a signature batch, one per thread (warm
    starts ``inits`` as in :func:`_solve_dense_problems`)."""
    def one(k):
        try:
            return solve_prepared(prepare_signature(
                *sigs[k], metric, method, max_iter=max_iter,
                init=warm_hint(None if inits is None else inits[first + k], None,
                               (sigs[k][0].shape[0], sigs[k][2].shape[0]))))
        except (SolverError, ValueError) as exc:
            raise for_problem(f"problem {first + k}", exc) from None

    # each problem runs single-threaded engine code that releases the GIL; one problem or one
    # thread needs no pool (starting one costs ~0.1 ms, a step of a small descent ~2 ms)
    threads = min(resolve_threads(n_jobs), len(sigs))
    if threads <= 1:
        return [one(k) for k in range(len(sigs))]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(one, range(len(sigs))))


def _check_signatures(signatures, name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """``signatures[k]`` as checked (positions, weights) pairs (weights None: uniform), all
    with one number of coordinates; faults are named ``{name}[k] positions`` / ``weights``."""
    if isinstance(signatures, (str, bytes)) or not hasattr(signatures, "__len__"):
        raise TypeError(f"{name} must be a sequence of (positions, weights) pairs")
    out = []
    for k, sig in enumerate(signatures):
        try:
            X, w = sig
        except (TypeError, ValueError):
            raise TypeError(f"{name}[{k}] must be a (positions, weights) pair") from None
        X, w = as_signature(X, w, f"{name}[{k}] positions", f"{name}[{k}] weights",
                            f"{name}[{k}]")
        if out and X.shape[1] != out[0][0].shape[1]:
            raise ValueError(f"{name}[{k}] has {X.shape[1]} coordinates, {name}[0] has "
                             f"{out[0][0].shape[1]}")
        out.append((X, w))
    if not out:
        raise ValueError(f"{name} is empty: pass at least one signature")
    return out


def _signature_label(index: int, parts: tuple[tuple[str, int], ...]) -> str:
    """The caller's name of signature ``index`` of a concatenation: ``parts`` lists each
    argument's (name, first index), in order (("signatures_a", 0), ("signatures_b", 5))."""
    for name, start in reversed(parts):
        if index >= start:
            return f"{name}[{index - start}]"
    raise IndexError(index)


def _pack(signatures) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sizes = np.array([X.shape[0] for X, _ in signatures])
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    points = np.ascontiguousarray(np.concatenate([X for X, _ in signatures]))
    weights = np.ascontiguousarray(np.concatenate([w for _, w in signatures]))
    return points, weights, offsets


def _pair_distances(sigs, first: np.ndarray, second: np.ndarray, metric: Metric,
                    n_jobs: int, parts: tuple[tuple[str, int], ...]) -> np.ndarray:
    """Distances for the given pairs of ``sigs``: the kernel for small pairs of a registered
    metric, signature_emd (exact refinement, large paths, callables) for the rest. A failure
    names the pair with the caller's names (``parts``, see :func:`_signature_label`)."""
    def pair_name(i, j):
        return f"{_signature_label(i, parts)} and {_signature_label(j, parts)}"

    first, second = np.asarray(first, np.int64), np.asarray(second, np.int64)
    out = np.full(first.shape[0], np.nan)
    threads = resolve_threads(n_jobs)
    if isinstance(metric, str) and _prepare.FAST_PATHS:
        # the kernel serves the pairs that the one dispatch rule sends to the "small" path by
        # their kept (positive-weight) sizes alone; a pair whose route depends on its totals
        # (the sorted coupling on the line) is prepared on its own below, as are all pairs
        # when the shortcut routes are off (the kernel always takes them)
        kept = [int(np.count_nonzero(w > 0)) for _, w in sigs]
        d = sigs[0][0].shape[1]
        small = np.array([_choose(kept[i], kept[j], balanced=None, d=d,
                                  metric=metric) == "small"
                          for i, j in zip(first.tolist(), second.tolist())], bool)
        if small.any():
            status = np.empty(int(small.sum()), np.int64)
            vals = np.empty(int(small.sum()))
            points, weights, offsets = _pack(sigs)
            fs, ss, code = first[small], second[small], lookup_metric(metric).code
            verify = {"verify": True} if EXACT_IN_KERNEL and exact_everywhere() else {}
            in_chunks(fs.shape[0], threads, lambda lo, hi: _pairs_kernel(
                lo, hi, points, weights, offsets, fs, ss, code, vals, status, **verify))
            ok = status == STATUS_OPTIMAL
            idx = np.flatnonzero(small)
            out[idx[ok]] = vals[ok]
            bad = status[~ok]
            # uncertified pairs and stalls (the default pivot bound) are solved one by one below,
            # exactly where need be
            final = (bad != STATUS_NOT_CERTIFIED) & (bad != STATUS_MAX_ITER)
            if np.any(final):
                worst = np.flatnonzero(final)[0]
                k = int(idx[~ok][worst])
                raise_for_status(int(bad[worst]), where=pair_name(first[k], second[k]))
    rest = np.flatnonzero(np.isnan(out))
    if rest.size:
        def one(p):
            i, j = int(first[p]), int(second[p])
            try:
                return solve_prepared(prepare_signature(*sigs[i], *sigs[j], metric)).distance
            except (SolverError, ValueError) as exc:
                raise for_problem(pair_name(i, j), exc) from None
        with ThreadPoolExecutor(max_workers=threads) as pool:
            out[rest] = list(pool.map(one, rest.tolist()))
    return out


def cdist_emd(signatures_a, signatures_b, metric: Metric = "euclidean", *, n_jobs: int = -1,
              progress: bool = False, scheduler: str | None = None,
              scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> np.ndarray:
    """Exact EMDs between every signature of A and every signature of B (``scipy.spatial.distance.cdist`` order).

    Entry (i, j) is ``signature_emd(*signatures_a[i], *signatures_b[j], metric).distance``.

    Parameters
    ----------
    signatures_a, signatures_b : sequences of (positions (m_k, d), weights (m_k,) or None) pairs
        None weights: uniform, 1/m_k each.
    metric : str or callable, default "euclidean"
        As in :func:`emdkit.ground_distance`.
    n_jobs : int, default -1
        Threads (-1: every available thread), one pair per thread, as in :func:`emd_batch`.
    progress : bool, default False
        Show a tqdm progress bar.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    numpy.ndarray, shape (len(A), len(B))

    Raises
    ------
    TypeError, ValueError, SolverError
        As in :func:`emdkit.signature_emd`, naming the signature (``signatures_b[2] weights``).

    See Also
    --------
    pairwise_emd : every pair within one set.
    emdkit.signature_emd : one pair.
    scipy.spatial.distance.cdist : the same layout for vectors.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] P. Virtanen et al., "SciPy 1.0: fundamental algorithms for scientific computing in
       Python", Nature Methods 17, 2020.

    Examples
    --------
    >>> import emdkit
    >>> A = [([[0.0]], [1.0]), ([[1.0]], [1.0])]
    >>> emdkit.cdist_emd(A, [([[3.0]], [1.0])])
    array([[3.],
           [2.]])
    """
    sa = _check_signatures(signatures_a, "signatures_a")
    sb = _check_signatures(signatures_b, "signatures_b")
    return cross_matrix(sa, sb, ("signatures_a", "signatures_b"), metric, n_jobs, progress,
                        scheduler, scheduler_timeout)


def cross_matrix(sa, sb, names: tuple[str, str], metric, n_jobs, progress, scheduler,
                 timeout=DEFAULT_SCHEDULER_TIMEOUT) -> np.ndarray:
    """:func:`cdist_emd` of signatures already checked by :func:`_check_signatures` under the
    caller's ``names`` (emdkit.metrics calls it with "generated", "reference")."""
    if sa[0][0].shape[1] != sb[0][0].shape[1]:
        raise ValueError(f"{names[0]} have {sa[0][0].shape[1]} coordinates, {names[1]} "
                         f"have {sb[0][0].shape[1]}")
    check_metric(metric)
    n_jobs = check_n_jobs(n_jobs)
    first, second = np.meshgrid(np.arange(len(sa)), len(sa) + np.arange(len(sb)),
                                indexing="ij")
    values = _pairs_over(sa + sb, ((names[0], 0), (names[1], len(sa))), first.ravel(),
                         second.ravel(), metric, n_jobs, progress, scheduler, timeout,
                         "cross EMD")
    return values.reshape(len(sa), len(sb))


def pairwise_emd(signatures, metric: Metric = "euclidean", *, n_jobs: int = -1,
                 progress: bool = False, scheduler: str | None = None,
                 scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> np.ndarray:
    """Symmetric N×N matrix of exact EMDs (Rubner, partial matching) between signatures.

    Entry (i, j) with i < j is ``signature_emd(*signatures[i], *signatures[j],
    metric).distance``, in the units of the ground distance, bit for bit. Each pair is solved
    once: entry (j, i) is a copy of (i, j), so the matrix is exactly symmetric. (The EMD is
    symmetric, but ``signature_emd(sig_j, sig_i)`` adds its terms in another order and may
    differ from it in the last one or two units in the last place.)

    Parameters
    ----------
    signatures : sequence of (positions (m_k, d), weights (m_k,) or None) pairs
        None weights: uniform, 1/m_k each.
    metric : str or callable, default "euclidean"
        As in :func:`emdkit.ground_distance`.
    n_jobs : int, default -1
        Threads (-1: all available). The solver runs one pair per thread without the GIL.
    progress : bool, default False
        Show a tqdm progress bar.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); the pairs are solved
        there in chunks and the matrix is identical to a local run.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    numpy.ndarray, shape (N, N)

    Raises
    ------
    TypeError, ValueError, SolverError
        As in :func:`emdkit.signature_emd`, naming the signature.
    OSError
        If the Dask scheduler cannot be reached within ``scheduler_timeout``.

    See Also
    --------
    cdist_emd : every pair between two sets.
    emdkit.signature_emd : one pair.
    emdkit.images.emd_table : the table of a folder of images.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.

    Examples
    --------
    >>> import emdkit
    >>> sigs = [([[0.0]], [1.0]), ([[2.0]], [1.0]), ([[5.0]], [1.0])]
    >>> emdkit.pairwise_emd(sigs)
    array([[0., 2., 5.],
           [2., 0., 3.],
           [5., 3., 0.]])
    """
    sigs = _check_signatures(signatures, "signatures")
    return pairwise_matrix(sigs, (("signatures", 0),), metric, n_jobs, progress, scheduler,
                           scheduler_timeout)


def pairwise_matrix(sigs, parts: tuple[tuple[str, int], ...], metric, n_jobs, progress,
                    scheduler, timeout=DEFAULT_SCHEDULER_TIMEOUT) -> np.ndarray:
    """:func:`pairwise_emd` of checked signatures; ``parts`` names them in messages (see
    :func:`_signature_label`; emdkit.metrics passes "generated" and "reference")."""
    check_metric(metric)
    n_jobs = check_n_jobs(n_jobs)
    n = len(sigs)
    D = np.zeros((n, n))
    first, second = np.triu_indices(n, k=1)
    if first.size:
        values = _pairs_over(sigs, parts, first, second, metric, n_jobs, progress, scheduler,
                             timeout, "pairwise EMD")
        D[first, second] = values
        D[second, first] = values
    return D


def _pairs_over(sigs, parts, first, second, metric, n_jobs, progress, scheduler, timeout,
                desc):
    values = _run(_pairs_task, [(int(i), int(j)) for i, j in zip(first, second)],
                  (sigs, metric, n_jobs, parts), progress, scheduler, timeout, desc,
                  shared_first=True)
    return np.asarray(values, dtype=np.float64)


def _pairs_task(pairs, sigs, metric, n_jobs, parts):
    sigs = aligned(sigs)  # unpickled on a Dask worker, arrays may be misaligned
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    return list(_pair_distances(sigs, pairs[:, 0], pairs[:, 1], metric, n_jobs, parts))


# ---------------------------------------------------------------- local or Dask, in chunks

def _run(task, items: list, args: tuple, progress: bool, scheduler: str | None,
         timeout: float, desc: str, shared_first: bool = False, numbered: bool = False) -> list:
    """``task(chunk, *args)`` over chunks of ``items``, locally or on a Dask cluster; the
    concatenated results. ``shared_first`` scatters args[0] to the workers once. ``numbered``
    calls ``task(chunk, first, *args)`` instead, ``first`` being the index of the chunk's
    first item in ``items``, so that a task names its problems by their index in the
    caller's batch whatever the chunking."""
    check_scheduler(scheduler, timeout)
    n = len(items)
    n_chunks = max(1, min(n, CHUNKS_FOR_PROGRESS if (progress or scheduler) else 1))
    bounds = np.linspace(0, n, n_chunks + 1).astype(int)
    chunks = [items[bounds[c]:bounds[c + 1]] for c in range(n_chunks)]
    bar = progress_bar(n, progress, desc, "problem")
    if numbered:
        args = [(int(bounds[c]), *args) for c in range(n_chunks)]
        shared_first = False
    else:
        args = [args] * n_chunks
    out: list = []
    if scheduler is None:
        for chunk, chunk_args in zip(chunks, args):
            out.extend(task(chunk, *chunk_args))
            bar.update(len(chunk))
    else:
        out = _run_on_dask(scheduler, timeout, task, chunks, args, bar, shared_first)
    bar.close()
    return out


def _run_on_dask(address, timeout, task, chunks, args, bar, shared_first) -> list:
    """``_run`` on a Dask cluster: ``args`` holds each chunk's arguments."""
    with connect(address, timeout) as client:
        if shared_first:
            shared = client.scatter(args[0][0], broadcast=True)
            args = [(shared, *chunk_args[1:]) for chunk_args in args]
        futures = [client.submit(task, chunk, *chunk_args, pure=False)
                   for chunk, chunk_args in zip(chunks, args)]
        out: list = []
        for chunk, fut in zip(chunks, futures):
            out.extend(fut.result())
            bar.update(len(chunk))
    return out
