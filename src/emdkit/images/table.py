"""Rubner's pairwise EMD table for a folder of images, as CSV, heatmap and 2-D MDS map."""
from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from emdkit.core import pairwise_emd
from emdkit.core.cluster import DEFAULT_SCHEDULER_TIMEOUT
from emdkit.core.progress import progress_bar

from .loading import UnreadableImageError, find_images
from .signature import ColourSignature, SignatureOptions, image_signature


def class_of(path: Path, root: Path) -> str:
    """An image's class: its folder relative to ``root`` ("." for files directly in it)."""
    try:
        rel = path.parent.relative_to(root)
    except ValueError:
        return path.parent.name
    return str(rel) if str(rel) != "." else "."


def emd_table(roots, options: SignatureOptions | None = None, *, n_jobs: int = -1,
              progress: bool = False, scheduler: str | None = None,
              scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT
              ) -> tuple[list[Path], np.ndarray, list[ColourSignature]]:
    """All-pairs EMD between the colour signatures of every image under ``roots`` (Rubner's table).

    Parameters
    ----------
    roots : path or sequence of paths
        Image files and folders (searched recursively).
    options : SignatureOptions, optional
        Signature settings (default: CIELAB, k-means, K=24, weights as fractions).
    n_jobs : int, default -1
        Threads for the pairs (-1: every available thread), as in :func:`emdkit.pairwise_emd`.
    progress : bool, default False
        Show tqdm progress bars.
    scheduler : str, optional
        Address of a Dask distributed scheduler ("tcp://host:8786"); the same matrix.
    scheduler_timeout : float, default 10
        Seconds to wait for the scheduler before raising ``OSError``.

    Returns
    -------
    paths : list of Path
        The images, sorted.
    D : numpy.ndarray, shape (N, N)
        ``D[i, j]`` is Rubner's EMD in ΔE*ab (CIELAB) or RGB levels.
    signatures : list of ColourSignature

    Raises
    ------
    ValueError
        If fewer than 2 images are found.
    UnreadableImageError
        If an image cannot be decoded (naming the file).
    OSError
        If the Dask scheduler cannot be reached within ``scheduler_timeout``.

    See Also
    --------
    emdkit.pairwise_emd : the matrix between any signatures.
    plot_table : the heatmap and MDS map of the result.
    write_table_csv : the result as CSV.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for
       image retrieval", IJCV 40(2), 2000.
    """
    options = options or SignatureOptions()
    paths = find_images(roots)
    if len(paths) < 2:
        where = ", ".join(str(r) for r in ([roots] if isinstance(roots, (str, os.PathLike))
                                           else roots))
        raise ValueError(f"a table needs at least 2 images; found {len(paths)} under {where}")
    paths, sigs, failed = sign_images(paths, options, progress=progress)
    if failed:
        path, reason = failed[0]
        raise UnreadableImageError(f"{path}: {reason}")
    D = pairwise_emd([s.as_pair() for s in sigs], n_jobs=n_jobs, progress=progress,
                     scheduler=scheduler, scheduler_timeout=scheduler_timeout)
    return paths, D, sigs


def sign_images(paths: Sequence[Path], options: SignatureOptions, progress: bool = False
                ) -> tuple[list[Path], list[ColourSignature], list[tuple[str, str]]]:
    """Signatures of ``paths``; unreadable files are left out and listed as (path, reason)."""
    kept, sigs, failed = [], [], []
    bar = progress_bar(len(paths), progress, "signatures", "img")
    try:
        for path in paths:
            try:
                sigs.append(image_signature(path, options))
                kept.append(path)
            except UnreadableImageError as exc:
                failed.append((str(path), exc.reason))
            bar.update(1)
    finally:
        bar.close()
    return kept, sigs, failed


def write_table_csv(path: str | os.PathLike, names: Sequence[str], D: np.ndarray) -> None:
    """CSV with a header row of names and one row per image, distances to 6 decimals.

    See Also
    --------
    emd_table : the matrix it writes.
    plot_table : the same matrix as a figure.
    """
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([""] + list(names))
        for name, row in zip(names, D):
            writer.writerow([name] + [f"{x:.6f}" for x in row])


def mds_embedding(D: np.ndarray, seed: int = 0) -> np.ndarray:
    """2-D metric MDS (SMACOF) of a precomputed distance matrix."""
    from sklearn.manifold import MDS

    try:  # scikit-learn >= 1.8 names the input kind `metric` and wants `init` spelled out
        mds = MDS(n_components=2, metric="precomputed", init="classical_mds", random_state=seed)
    except TypeError:
        mds = MDS(n_components=2, dissimilarity="precomputed", random_state=seed, n_init=4)
    return mds.fit_transform(D)


def plot_table(png: str | os.PathLike, names: Sequence[str], D: np.ndarray,
               classes: Sequence[str] | None = None, title: str = "",
               units: str = "EMD (ΔE*ab)") -> np.ndarray:
    """Heatmap (sorted by class) and 2-D MDS map side by side; returns the MDS coordinates.

    See Also
    --------
    emd_table : the matrix it draws.
    write_table_csv : the same matrix as CSV.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] J. de Leeuw, "Applications of convex analysis to multidimensional scaling", in Recent
       Developments in Statistics, 1977 (SMACOF).
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(names)
    classes = list(classes) if classes is not None else ["."] * n
    order = sorted(range(n), key=lambda i: (classes[i], names[i]))
    Ds = D[np.ix_(order, order)]
    labels = sorted(set(classes))
    cmap = plt.get_cmap("tab10" if len(labels) <= 10 else "tab20")
    colour_of = {c: cmap(i % cmap.N) for i, c in enumerate(labels)}

    fig, (ax_h, ax_m) = plt.subplots(1, 2, figsize=(14, 6.2), constrained_layout=True)
    im = ax_h.imshow(Ds, cmap="viridis", interpolation="nearest")
    fig.colorbar(im, ax=ax_h, shrink=0.85, label=units)
    if n <= 30:
        short = [Path(names[i]).stem for i in order]
        ax_h.set_xticks(range(n), short, rotation=90, fontsize=7)
        ax_h.set_yticks(range(n), short, fontsize=7)
    else:  # one tick per class block, with block borders
        starts = [k for k in range(n) if k == 0 or classes[order[k]] != classes[order[k - 1]]]
        ends = starts[1:] + [n]
        centres = [(s + e - 1) / 2 for s, e in zip(starts, ends)]
        ax_h.set_xticks(centres, [classes[order[s]] for s in starts], rotation=45, ha="right")
        ax_h.set_yticks(centres, [classes[order[s]] for s in starts])
        for s in starts[1:]:
            ax_h.axhline(s - 0.5, color="white", lw=0.8)
            ax_h.axvline(s - 0.5, color="white", lw=0.8)
    ax_h.set_title("pairwise EMD" + (f" — {title}" if title else ""))

    xy = mds_embedding(D)
    for c in labels:
        idx = [i for i in range(n) if classes[i] == c]
        ax_m.scatter(xy[idx, 0], xy[idx, 1], s=40, color=colour_of[c], label=c,
                     edgecolor="black", linewidth=0.4)
    if n <= 30:
        for i in range(n):
            ax_m.annotate(Path(names[i]).stem, xy[i], fontsize=7, xytext=(3, 3),
                          textcoords="offset points")
    if len(labels) > 1:
        ax_m.legend(loc="best", fontsize=9)
    ax_m.set_title("2-D metric MDS of the EMD matrix")
    ax_m.set_xlabel(f"MDS 1 ({units.split('(')[-1].rstrip(')')})")
    ax_m.set_ylabel("MDS 2")
    ax_m.set_aspect("equal", adjustable="datalim")
    ax_m.grid(alpha=0.3)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return xy
