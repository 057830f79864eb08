"""How many threads a kernel may use, and when a parallel region is worth its cost.

A parallel region ends at a barrier: every thread must finish its share. When another process
keeps a core busy, the thread that lands on it waits for a scheduler tick (4 ms at 250 Hz)
before it runs, so a region worth less than a few ticks of work gets *slower* with threads
(issue 12: a 300-point problem took 40 ms with 2 threads under load, 3.8 ms with 1). So:

* the simplex itself is serial (its pivots are microseconds each);
* a pricing sweep or certificate runs in parallel only from ``PARALLEL_MIN_PAIRS`` pairs;
* many independent problems run one problem per thread, in chunks, never a barrier per pivot.

Thread counts respect ``NUMBA_NUM_THREADS``, the CPU affinity mask, and the caller's
``n_jobs`` / ``n_threads``. The compiled engine's kernels take the count as an argument on every
call and run their own std::threads; :class:`numba_threads` serves the Numba kernels only.
"""
from __future__ import annotations

import os

# A serial pricing sweep costs about 2.5 ns a pair on the reference machine (bench/RESULTS.md),
# so 4M pairs is ~10 ms: 2-3 scheduler ticks, the least work for which a barrier can pay off
# when a core is taken by another process.
PARALLEL_MIN_PAIRS = 4_000_000


def available_threads() -> int:
    """Threads this process may use: NUMBA_NUM_THREADS, capped by the CPU affinity mask."""
    limit = os.environ.get("NUMBA_NUM_THREADS")
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    if limit:
        try:
            return max(1, min(int(limit), cpus))
        except ValueError:
            pass
    return max(1, cpus)


def resolve_threads(n_jobs: int | None) -> int:
    """-1 / None → every available thread; k → min(k, available)."""
    if n_jobs == 1:  # the default of a single solve: no need to ask the system
        return 1
    avail = available_threads()
    if n_jobs is None or n_jobs == -1:
        return avail
    return max(1, min(int(n_jobs), avail))


def parallel_for_work(n_pairs: int, n_threads: int) -> bool:
    """Whether a sweep over ``n_pairs`` pairs should run in parallel with ``n_threads``."""
    return n_threads > 1 and n_pairs >= PARALLEL_MIN_PAIRS


class numba_threads:
    """Context manager: run Numba parallel kernels with ``n`` threads, then restore."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self):
        import numba
        self.previous = numba.get_num_threads()
        numba.set_num_threads(max(1, min(self.n, numba.config.NUMBA_NUM_THREADS)))
        return self

    def __exit__(self, *exc):
        import numba
        numba.set_num_threads(self.previous)
        return False
