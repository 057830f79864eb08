"""All-pairs EMD between many signatures, on all local cores or on a Dask cluster."""
from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import ArrayLike

from .costs import Metric
from .emd import signature_emd
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


def _distances(sigs, pairs, metric) -> np.ndarray:
    return np.array([signature_emd(sigs[i][0], sigs[i][1], sigs[j][0], sigs[j][1], metric).distance
                     for i, j in pairs])


def pairwise_emd(signatures: Sequence[Signature], metric: Metric = "euclidean", n_jobs: int = -1,
                 progress: bool = False, scheduler: str | None = None) -> np.ndarray:
    """Symmetric N×N matrix of exact EMDs (Rubner, partial matching) between signatures.

    Parameters
    ----------
    signatures : sequence of (positions (m_k, d), weights (m_k,)).
    metric : ground distance, as in :func:`emdkit.ground_distance`.
    n_jobs : local worker threads (-1: all cores). The solver releases the GIL.
    progress : show a tqdm progress bar.
    scheduler : address of a Dask distributed scheduler ("tcp://host:8786"); the pairs are
        solved there in chunks and the matrix is identical to a local run.
    """
    sigs = _check_signatures(signatures)
    n = len(sigs)
    D = np.zeros((n, n))
    iu, ju = np.triu_indices(n, k=1)
    pairs = list(zip(iu.tolist(), ju.tolist()))
    if not pairs:
        return D
    if scheduler is not None:
        values = _run_on_dask(scheduler, sigs, pairs, metric, progress)
    else:
        workers = (os.cpu_count() or 1) if n_jobs in (-1, None) else int(n_jobs)
        if workers < 1:
            raise ValueError(f"n_jobs must be -1 or >= 1, got {n_jobs}")
        chunks = np.array_split(np.arange(len(pairs)), max(1, min(len(pairs), workers * 8)))
        bar = _progress_bar(len(pairs), progress)
        values = np.empty(len(pairs))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [(idx, pool.submit(_distances, sigs, [pairs[k] for k in idx], metric))
                       for idx in chunks]
            for idx, fut in futures:
                values[idx] = fut.result()
                bar.update(len(idx))
        bar.close()
    D[iu, ju] = values
    D[ju, iu] = values
    return D


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm
    return tqdm(total=total, desc="pairwise EMD", unit="pair")


def _run_on_dask(address: str, sigs, pairs, metric, progress: bool) -> np.ndarray:
    from dask.distributed import Client
    with Client(address) as client:
        sig_future = client.scatter(sigs, broadcast=True)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        chunks = np.array_split(np.arange(len(pairs)), max(1, min(len(pairs), n_workers * 8)))
        futures = [client.submit(_distances, sig_future, [pairs[k] for k in idx], metric,
                                 pure=False) for idx in chunks]
        values = np.empty(len(pairs))
        bar = _progress_bar(len(pairs), progress)
        for idx, fut in zip(chunks, futures):
            values[idx] = fut.result()
            bar.update(len(idx))
        bar.close()
    return values
