"""Per-row buffers of the k most negative reduced costs, shared by the dense and KD-tree pricing."""
from __future__ import annotations

from .._jit import njit


@njit(cache=True, nogil=True, inline="always")
def push_smallest(vals, idx, k, value, index):
    """Insert (value, index) into the ascending buffer of the k smallest seen so far."""
    if value >= vals[k - 1]:
        return
    t = k - 1
    while t > 0 and vals[t - 1] > value:
        vals[t] = vals[t - 1]
        idx[t] = idx[t - 1]
        t -= 1
    vals[t] = value
    idx[t] = index


@njit(cache=True, nogil=True, inline="always")
def emit_row(idx, cap, out_cols, out_count, row):
    """Copy the filled slots of a row's buffer into ``out_cols[row]`` and their count."""
    count = 0
    for t in range(cap):
        if idx[t] >= 0:
            out_cols[row, count] = idx[t]
            count += 1
    out_count[row] = count
