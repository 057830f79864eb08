"""Evaluation metrics of point-cloud generation under the exact EMD (PointFlow's definitions).

With S_g the generated clouds, S_r the reference clouds and D(X, Y) the exact EMD
(:func:`emdkit.signature_emd`, uniform weights per point, in coordinate units):

- MMD-EMD = ``(1/|S_r|) Σ_{Y ∈ S_r} min_{X ∈ S_g} D(X, Y)``   (fidelity; lower is better)
- COV-EMD = ``|{argmin_{Y ∈ S_r} D(X, Y) : X ∈ S_g}| / |S_r|``  (coverage; higher is better)
- 1-NNA-EMD: the leave-one-out accuracy of the 1-nearest-neighbour classifier on S_g ∪ S_r
  with labels "generated"/"reference" (0.5 is ideal; 1.0 means the sets are told apart).

These are ``lgan_mmd``, ``lgan_cov`` and ``1-NN-EMD-acc`` of PointFlow's
``compute_all_metrics`` (Yang et al. 2019, arXiv 1906.12320), written here from the exact EMD
rather than an approximate CUDA kernel, which is why published numbers from different codebases
disagree. Ties in a minimum go to the lowest index.

This module imports numpy only; the solver (numba) is loaded when a metric is first computed.
"""
from __future__ import annotations

import numpy as np

from emdkit.core.cluster import DEFAULT_SCHEDULER_TIMEOUT
from ..core.validation import as_real_array, as_signature


def _as_signatures(clouds, name: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(B, N, d) array, or a sequence of (N_k, d) clouds or (points, weights) pairs (weights
    None: uniform), read through the core's input gate and named as the caller wrote them:
    ``generated[3]``, ``reference[1] weights``."""
    if not isinstance(clouds, (list, tuple)):
        arr = as_real_array(clouds, name)
        if arr.ndim != 3:
            raise ValueError(f"{name} must be (B, N, d) or a sequence of (N, d) clouds, got "
                             f"shape {arr.shape}")
        clouds = list(arr)
    if len(clouds) == 0:
        raise ValueError(f"{name} is empty: it needs at least one cloud")
    sigs = []
    for k, cloud in enumerate(clouds):
        pair = isinstance(cloud, tuple) and len(cloud) == 2
        cloud_name = f"{name}[{k}]"
        x_name = f"{cloud_name} points" if pair else cloud_name
        points = as_real_array(cloud[0] if pair else cloud, x_name)
        if points.ndim != 2 or points.shape[0] == 0:
            raise ValueError(f"{x_name} must be a non-empty (N, d) cloud, got shape "
                             f"{points.shape}")
        sigs.append(as_signature(points, cloud[1] if pair else None, x_name,
                                 f"{cloud_name} weights", cloud_name))
    if any(X.shape[1] != sigs[0][0].shape[1] for X, _ in sigs):
        k = next(k for k, (X, _) in enumerate(sigs) if X.shape[1] != sigs[0][0].shape[1])
        raise ValueError(f"{name}[{k}] has {sigs[k][0].shape[1]} coordinates, {name}[0] has "
                         f"{sigs[0][0].shape[1]}")
    return sigs


def _cross_matrix(generated, reference, metric, parallel: dict) -> np.ndarray:
    """D[i, j] = EMD(generated_i, reference_j): the core's ``cdist_emd`` under our names;
    ``parallel`` holds n_jobs, progress, scheduler and scheduler_timeout."""
    from emdkit.core.batch import cross_matrix

    return cross_matrix(generated, reference, ("generated", "reference"), metric,
                        parallel["n_jobs"], parallel["progress"], parallel["scheduler"],
                        parallel["scheduler_timeout"])


def _all_matrices(generated, reference, metric, parallel: dict):
    """(D_gg, D_gr, D_rr) from one ``pairwise_emd`` over both sets (each pair solved once)."""
    from emdkit.core.batch import pairwise_matrix

    g = len(generated)
    full = pairwise_matrix(list(generated) + list(reference),
                           (("generated", 0), ("reference", g)), metric, parallel["n_jobs"],
                           parallel["progress"], parallel["scheduler"],
                           parallel["scheduler_timeout"])
    return full[:g, :g], full[:g, g:], full[g:, g:]


def mmd_cov_from_matrix(cross: np.ndarray) -> tuple[float, float]:
    """(MMD, COV) from the ``(|S_g|, |S_r|)`` matrix D[i, j] = EMD(generated_i, reference_j)."""
    cross = as_real_array(cross, "cross")
    if cross.ndim != 2 or 0 in cross.shape:
        raise ValueError(f"cross must be a non-empty 2-D matrix, got shape {cross.shape}")
    mmd = float(cross.min(axis=0).mean())
    cov = np.unique(cross.argmin(axis=1)).size / cross.shape[1]
    return mmd, float(cov)


def one_nna_from_matrices(within_generated: np.ndarray, cross: np.ndarray,
                          within_reference: np.ndarray) -> float:
    """Leave-one-out 1-NN accuracy on S_g ∪ S_r from the three distance blocks."""
    gg, gr, rr = (as_real_array(x, name) for x, name in (
        (within_generated, "within_generated"), (cross, "cross"),
        (within_reference, "within_reference")))
    n_g, n_r = gr.shape
    if gg.shape != (n_g, n_g) or rr.shape != (n_r, n_r):
        raise ValueError(f"blocks do not fit: within_generated {gg.shape}, cross {gr.shape}, "
                         f"within_reference {rr.shape}")
    full = np.block([[gg, gr], [gr.T, rr]])
    np.fill_diagonal(full, np.inf)  # leave one out
    is_generated = np.arange(n_g + n_r) < n_g
    nearest = full.argmin(axis=1)
    return float(np.mean(is_generated[nearest] == is_generated))


def mmd_emd(generated, reference, metric: str = "euclidean", *, n_jobs: int = -1,
            progress: bool = False, scheduler: str | None = None,
            scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> float:
    """Minimum matching distance: mean over reference clouds of the EMD to the closest generated.

    Parameters
    ----------
    generated, reference : array_like (B, N, d) or sequence of clouds
        Clouds as a (B, N, d) array, or sequences of (N_k, d) arrays (uniform weights) or of
        (points, weights) pairs (weights None: uniform); sizes may differ between clouds.
    metric : str, default "euclidean"
        Ground distance (PointFlow uses "euclidean"); any of :data:`emdkit.core.METRICS`.
    n_jobs : int, default -1
        Threads (-1: all available).
    progress : bool, default False
        Show a tqdm progress bar.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    float
        MMD-EMD, in the units of the coordinates (squared for "sqeuclidean").

    Raises
    ------
    TypeError
        A set that is neither an array nor a sequence of clouds, or that holds anything but
        real numbers (strings, booleans, complex, dates, objects, masked arrays), naming it.
    ValueError
        An empty set, a cloud that is not (N, d), NaN or inf, naming the set and index
        (``generated[3] contains NaN or inf``, ``reference[1] weights contains NaN or
        inf``); bad weights, as in :func:`emdkit.emd`.

    See Also
    --------
    cov_emd : coverage from the same matrix.
    point_cloud_metrics : all three at once.

    References
    ----------
    Achlioptas et al. (2018), "Learning representations and generative models for 3D point
    clouds", ICML. Yang et al. (2019), "PointFlow: 3D point cloud generation with continuous
    normalizing flows", ICCV, arXiv 1906.12320.

    Examples
    --------
    >>> import numpy as np
    >>> gen = np.array([[[0.0, 0.0]], [[5.0, 0.0]]])
    >>> ref = np.array([[[1.0, 0.0]], [[2.0, 0.0]]])
    >>> mmd_emd(gen, ref)  # each reference's nearest generated cloud is at 1 and 2
    1.5
    """
    parallel = dict(n_jobs=n_jobs, progress=progress, scheduler=scheduler,
                    scheduler_timeout=scheduler_timeout)
    g = _as_signatures(generated, "generated")
    r = _as_signatures(reference, "reference")
    return mmd_cov_from_matrix(_cross_matrix(g, r, metric, parallel))[0]


def cov_emd(generated, reference, metric: str = "euclidean", *, n_jobs: int = -1,
            progress: bool = False, scheduler: str | None = None,
            scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> float:
    """Coverage: the fraction of reference clouds that are the nearest neighbour of some
    generated cloud, ``COV = |{argmin_{Y ∈ S_r} D(X, Y) : X ∈ S_g}| / |S_r|``.

    Parameters
    ----------
    generated, reference : array_like (B, N, d) or sequence of clouds
        Clouds as a (B, N, d) array, or sequences of (N_k, d) arrays (uniform weights) or of
        (points, weights) pairs (weights None: uniform); sizes may differ between clouds.
    metric : str, default "euclidean"
        Ground distance (PointFlow uses "euclidean"); any of :data:`emdkit.core.METRICS`.
    n_jobs : int, default -1
        Threads (-1: all available).
    progress : bool, default False
        Show a tqdm progress bar.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    float
        COV-EMD in [0, 1] (higher is better).

    Raises
    ------
    TypeError
        A set that is neither an array nor a sequence of clouds, or that holds anything but
        real numbers (strings, booleans, complex, dates, objects, masked arrays), naming it.
    ValueError
        An empty set, a cloud that is not (N, d), NaN or inf, naming the set and index
        (``generated[3] contains NaN or inf``, ``reference[1] weights contains NaN or
        inf``); bad weights, as in :func:`emdkit.emd`.

    See Also
    --------
    mmd_emd : fidelity from the same matrix.
    point_cloud_metrics : all three at once.

    References
    ----------
    Achlioptas et al. (2018), "Learning representations and generative models for 3D point
    clouds", ICML. Yang et al. (2019), "PointFlow: 3D point cloud generation with continuous
    normalizing flows", ICCV, arXiv 1906.12320.

    Examples
    --------
    >>> import numpy as np
    >>> gen = np.array([[[0.0, 0.0]], [[0.1, 0.0]]])
    >>> ref = np.array([[[0.0, 0.0]], [[9.0, 0.0]]])
    >>> cov_emd(gen, ref)  # both generated clouds pick the first reference
    0.5
    """
    parallel = dict(n_jobs=n_jobs, progress=progress, scheduler=scheduler,
                    scheduler_timeout=scheduler_timeout)
    g = _as_signatures(generated, "generated")
    r = _as_signatures(reference, "reference")
    return mmd_cov_from_matrix(_cross_matrix(g, r, metric, parallel))[1]


def one_nna_emd(generated, reference, metric: str = "euclidean", *, n_jobs: int = -1,
                progress: bool = False, scheduler: str | None = None,
                scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> float:
    """1-nearest-neighbour accuracy (leave one out) on the union of both sets.

    Each cloud of S_g ∪ S_r is classified by the set of its nearest other cloud under the exact
    EMD; the result is the fraction classified correctly. Ties go to the lowest index.

    Parameters
    ----------
    generated, reference : array_like (B, N, d) or sequence of clouds
        Clouds as a (B, N, d) array, or sequences of (N_k, d) arrays (uniform weights) or of
        (points, weights) pairs (weights None: uniform); sizes may differ between clouds.
    metric : str, default "euclidean"
        Ground distance (PointFlow uses "euclidean"); any of :data:`emdkit.core.METRICS`.
    n_jobs : int, default -1
        Threads (-1: all available).
    progress : bool, default False
        Show a tqdm progress bar.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    float
        1-NNA-EMD in [0, 1]; 0.5 when the sets cannot be told apart, 1.0 when they always can.

    Raises
    ------
    TypeError
        A set that is neither an array nor a sequence of clouds, or that holds anything but
        real numbers (strings, booleans, complex, dates, objects, masked arrays), naming it.
    ValueError
        An empty set, a cloud that is not (N, d), NaN or inf, naming the set and index
        (``generated[3] contains NaN or inf``, ``reference[1] weights contains NaN or
        inf``); bad weights, as in :func:`emdkit.emd`.

    See Also
    --------
    point_cloud_metrics : all three at once.
    emdkit.pairwise_emd : the matrix it needs.

    References
    ----------
    Achlioptas et al. (2018), "Learning representations and generative models for 3D point
    clouds", ICML. Yang et al. (2019), "PointFlow: 3D point cloud generation with continuous
    normalizing flows", ICCV, arXiv 1906.12320.

    Examples
    --------
    >>> import numpy as np
    >>> gen = np.array([[[0.0, 0.0]], [[0.1, 0.0]]])
    >>> ref = np.array([[[9.0, 0.0]], [[9.1, 0.0]]])
    >>> one_nna_emd(gen, ref)  # each cloud's nearest neighbour is from its own set
    1.0
    """
    parallel = dict(n_jobs=n_jobs, progress=progress, scheduler=scheduler,
                    scheduler_timeout=scheduler_timeout)
    g = _as_signatures(generated, "generated")
    r = _as_signatures(reference, "reference")
    return one_nna_from_matrices(*_all_matrices(g, r, metric, parallel))


def point_cloud_metrics(generated, reference, metric: str = "euclidean", *, n_jobs: int = -1,
                        progress: bool = False, scheduler: str | None = None,
                        scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT) -> dict:
    """MMD-EMD, COV-EMD and 1-NNA-EMD from one set of EMD matrices (each pair solved once).

    Parameters
    ----------
    generated, reference : array_like (B, N, d) or sequence of clouds
        Clouds as a (B, N, d) array, or sequences of (N_k, d) arrays (uniform weights) or of
        (points, weights) pairs (weights None: uniform); sizes may differ between clouds.
    metric : str, default "euclidean"
        Ground distance (PointFlow uses "euclidean"); any of :data:`emdkit.core.METRICS`.
    n_jobs : int, default -1
        Threads (-1: all available).
    progress : bool, default False
        Show a tqdm progress bar.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); results are identical.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    dict
        {"mmd_emd": float, "cov_emd": float, "1nna_emd": float}, as :func:`mmd_emd`,
        :func:`cov_emd` and :func:`one_nna_emd` return them.

    Raises
    ------
    TypeError
        A set that is neither an array nor a sequence of clouds, or that holds anything but
        real numbers (strings, booleans, complex, dates, objects, masked arrays), naming it.
    ValueError
        An empty set, a cloud that is not (N, d), NaN or inf, naming the set and index
        (``generated[3] contains NaN or inf``, ``reference[1] weights contains NaN or
        inf``); bad weights, as in :func:`emdkit.emd`.

    See Also
    --------
    mmd_emd, cov_emd, one_nna_emd : each alone.
    emdkit.cdist_emd : the matrices it solves.

    References
    ----------
    Achlioptas et al. (2018), "Learning representations and generative models for 3D point
    clouds", ICML. Yang et al. (2019), "PointFlow: 3D point cloud generation with continuous
    normalizing flows", ICCV, arXiv 1906.12320.

    Examples
    --------
    >>> import numpy as np
    >>> gen = np.array([[[0.0, 0.0]], [[5.0, 0.0]]])
    >>> ref = np.array([[[1.0, 0.0]], [[2.6, 0.0]]])
    >>> {k: round(v, 6) for k, v in point_cloud_metrics(gen, ref).items()}
    {'mmd_emd': 1.7, 'cov_emd': 1.0, '1nna_emd': 0.25}
    """
    parallel = dict(n_jobs=n_jobs, progress=progress, scheduler=scheduler,
                    scheduler_timeout=scheduler_timeout)
    g = _as_signatures(generated, "generated")
    r = _as_signatures(reference, "reference")
    gg, gr, rr = _all_matrices(g, r, metric, parallel)
    mmd, cov = mmd_cov_from_matrix(gr)
    return {"mmd_emd": mmd, "cov_emd": cov, "1nna_emd": one_nna_from_matrices(gg, gr, rr)}
