"""All-pairs EMD between many signatures, on all local cores or on a Dask cluster."""
from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
from numpy.typing import ArrayLike

from .batch import pack, pair_distances
from .costs import METRICS, Metric
from .progress import progress_bar
from .solve import signature_emd
from .validation import as_points, as_weights

Signature = tuple[ArrayLike, ArrayLike]


def _check_signatures(signatures: Sequence[Signature]) -> list[tuple[np.ndarray, np.ndarray]]:
    if isinstance(signatures, (str, bytes)) or not hasattr(signatures, "__len__"):
        raise TypeError("signatures must be a sequence of (positions, weights) pairs")
    out = []
    for k, sig in enumerate(signatures):
        try:
            X, w = sig
        except (TypeError, ValueError) as exc:
            raise TypeError(f"signatures[{k}] must be a (positions, weights) pair") from exc
        X = as_points(X, f"signatures[{k}] positions")
        w = as_weights(w, f"signatures[{k}] weights")
        if X.shape[0] != w.shape[0]:
            raise ValueError(f"signatures[{k}] has {X.shape[0]} positions but {w.shape[0]} weights")
        if out and X.shape[1] != out[0][0].shape[1]:
            raise ValueError(f"signatures[{k}] has {X.shape[1]} coordinates, signatures[0] has "
                             f"{out[0][0].shape[1]}")
        out.append((X, w))
    return out


def _distances(sigs, first: np.ndarray, second: np.ndarray, metric: Metric) -> np.ndarray:
    """Distances for the given pairs: the Numba batch kernel, or a loop for callable metrics."""
    if isinstance(metric, str):
        return pair_distances(pack(sigs), first, second, metric)
    return np.array([signature_emd(*sigs[i], *sigs[j], metric).distance
                     for i, j in zip(first.tolist(), second.tolist())])


def pairwise_emd(signatures: Sequence[Signature], metric: Metric = "euclidean", n_jobs: int = -1,
                 progress: bool = False, scheduler: str | None = None) -> np.ndarray:
    """Symmetric N×N matrix of exact EMDs (Rubner, partial matching) between signatures.

    Entry (i, j) is ``signature_emd(*signatures[i], *signatures[j], metric).distance``, in the
    units of the ground distance.

    Parameters
    ----------
    signatures : sequence of (positions (m_k, d), weights (m_k,)).
    metric : ground distance, as in :func:`emdkit.ground_distance`.
    n_jobs : local threads (-1: all cores). The solver runs in Numba threads without the GIL.
    progress : show a tqdm progress bar.
    scheduler : address of a Dask distributed scheduler ("tcp://host:8786"); the pairs are
        solved there in chunks and the matrix is identical to a local run.
    """
    sigs = _check_signatures(signatures)
    if isinstance(metric, str) and metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS} or a callable, got {metric!r}")
    if not (n_jobs in (-1, None) or (isinstance(n_jobs, int) and n_jobs >= 1)):
        raise ValueError(f"n_jobs must be -1 or >= 1, got {n_jobs}")
    n = len(sigs)
    D = np.zeros((n, n))
    first, second = np.triu_indices(n, k=1)
    if first.size == 0:
        return D
    # chunks bound the progress-bar granularity and the work per Dask task
    n_chunks = max(1, min(first.size, 64 if progress or scheduler else 1))
    chunks = np.array_split(np.arange(first.size), n_chunks)
    values = np.empty(first.size)
    bar = progress_bar(first.size, progress, "pairwise EMD", "pair")
    if scheduler is not None:
        _run_on_dask(scheduler, sigs, first, second, metric, chunks, values, bar)
    else:
        threads = numba.config.NUMBA_NUM_THREADS if n_jobs in (-1, None) else \
            min(int(n_jobs), numba.config.NUMBA_NUM_THREADS)
        previous = numba.get_num_threads()
        numba.set_num_threads(threads)
        try:
            for idx in chunks:
                values[idx] = _distances(sigs, first[idx], second[idx], metric)
                bar.update(idx.size)
        finally:
            numba.set_num_threads(previous)
    bar.close()
    D[first, second] = values
    D[second, first] = values
    return D


def _run_on_dask(address, sigs, first, second, metric, chunks, values, bar) -> None:
    from dask.distributed import Client
    with Client(address) as client:
        sig_future = client.scatter(sigs, broadcast=True)
        futures = [client.submit(_distances, sig_future, first[idx], second[idx], metric,
                                 pure=False) for idx in chunks]
        for idx, fut in zip(chunks, futures):
            values[idx] = fut.result()
            bar.update(idx.size)
