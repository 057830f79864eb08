"""What the pages and the JSON API compute: searches, pair flows, the map, uploads.

Searches call :func:`emdkit.images.knn_search` on the warm candidates with the same names
(paths) and settings as ``emdkit images search``, so the ranking is the same; a search by id
uses the stored signature (nothing is decoded).
"""
from __future__ import annotations

import io
import re
import threading
import time
from dataclasses import dataclass

import numpy as np

from emdkit.core import pairwise_emd, signature_emd
from emdkit._format import human_bytes, megapixels
from emdkit.core.costs import METRICS

from ..loading import UnreadableImageError, decode_rgb
from ..search import SearchResult, knn_search
from ..signature import ColourSignature, distance_units, signature_from_rgb
from .store import Entry, IndexStore, Snapshot

MAX_K = 100
# Uploads: 16 MiB holds any camera JPEG; 4096×4096 = 16.8 Mpx is a 16 Mpx photo. Above that a
# signature takes seconds (np.unique over every pixel, then k-means) and one request could
# hold a worker for long; a decompression bomb (a small file that decodes to gigapixels) is
# refused from its header, before any pixel is decoded.
MAX_UPLOAD_BYTES = 16 * 2**20
MAX_UPLOAD_PIXELS = 4096 * 4096
# The map: pairwise EMDs grow as n², MDS (SMACOF) as n² per iteration. 300 images is 44,850
# EMDs (about 3 s on one busy core with K=24) — a sample, evenly spaced over the sorted paths.
MAP_SAMPLE = 300


# an optionally signed run of ASCII digits (int() would also take " 5", "5_0" and "５")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


class ClientError(ValueError):
    """A request the server refuses: ``status`` is the HTTP status, the message one line."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def weight_units(normalize: bool) -> str:
    return "fraction of the image" if normalize else "px"


@dataclass
class Search:
    """A finished search: the raw result plus what the pages show."""

    result: SearchResult
    hits: list[tuple[Entry, float]]
    seconds: float
    k: int
    metric: str

    @property
    def kth_distance(self) -> float | None:
        """Every skipped candidate had a lower bound above this (the k-th best EMD)."""
        return self.hits[-1][1] if self.hits else None

    def as_json(self, store: IndexStore, query: dict) -> dict:
        r = self.result
        return {"query": query, "k": self.k, "metric": self.metric,
                "units": distance_units(store.options.colour_space, self.metric),
                "results": [{"rank": i + 1, "id": e.id, "path": e.path, "emd": d}
                            for i, (e, d) in enumerate(self.hits)],
                "candidates": r.n_candidates, "exact_emds": r.n_exact,
                "pruned_by_centroid_bound": r.n_pruned_centroid,
                "pruned_by_nearest_colour_bound": r.n_pruned_nearest,
                "kth_emd": self.kth_distance, "seconds": self.seconds}


def parse_int(value: str | None, name: str, lo: int, hi: int, default: int,
              out_of_range: int = 400) -> int:
    """A query parameter as an integer in [lo, hi]: ``default`` when absent; 400 when it is not
    a whole number; ``out_of_range`` (an HTTP status) when it is one outside the range."""
    if value is None or value == "":
        return default
    if not _WHOLE_NUMBER.fullmatch(value):
        raise ClientError(400, f"{name} must be a whole number from {lo} to {hi}, "
                               f"got {_shown(value)!r}")
    if not lo <= int(value) <= hi:
        raise ClientError(out_of_range, f"{name} must be from {lo} to {hi}, got {_shown(value)}")
    return int(value)


def parse_k(value: str | None, default: int = 10) -> int:
    return parse_int(value, "k", 1, MAX_K, default)


def parse_metric(value: str | None) -> str:
    if value is None or value == "":
        return "euclidean"
    if value not in METRICS:
        raise ClientError(400, f"metric must be one of {', '.join(METRICS)}, got {_shown(value)!r}")
    return value


def parse_id(value: str | None, snap: Snapshot, name: str = "id") -> Entry:
    """The entry with index id ``value``; 400 for a malformed id, 404 for an unknown one."""
    if value is None or value == "":
        raise ClientError(400, f"{name} is missing: give an image id from the index")
    if not _WHOLE_NUMBER.fullmatch(value):
        raise ClientError(400, f"{name} must be a whole number (an image id from the index), "
                               f"got {_shown(value)!r}")
    entry = snap.by_id.get(int(value))
    if entry is None:
        raise ClientError(404, f"no image with {name} {_shown(value)} in the index (it may have "
                               f"been re-indexed under a new id)")
    return entry


def _shown(value: str) -> str:
    """A client's value as echoed in a message: at most 40 characters."""
    return value if len(value) <= 40 else value[:40] + "…"


def parse_flag(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes", "on")


def search(store: IndexStore, query: tuple[np.ndarray, np.ndarray], k: int, metric: str,
           exclude_path: str | None = None) -> Search:
    """Exact top-k over the warm candidates (``exclude_path``: leave that file out)."""
    snap = store.snapshot()
    candidates = snap.candidates
    if exclude_path is not None:
        candidates = candidates.without(exclude_path)
    if len(candidates) == 0:
        raise ClientError(409, "the index is empty: run `emdkit images index` first")
    t0 = time.perf_counter()
    result = knn_search(query, candidates, k=k, metric=metric)
    seconds = time.perf_counter() - t0
    hits = [(snap.by_path[h.name], h.distance) for h in result.hits]
    return Search(result, hits, seconds, k, metric)


def decode_upload(data: bytes, store: IndexStore) -> ColourSignature:
    """Signature of uploaded image bytes, with the index's settings, under the size limits.

    Pillow reads the header first; pixels are decoded only when ``MAX_UPLOAD_PIXELS`` allows.
    """
    from PIL import Image, UnidentifiedImageError

    if len(data) == 0:
        raise ClientError(400, "the upload is empty: choose an image file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ClientError(413, f"the upload is {human_bytes(len(data))}; the limit is "
                               f"{human_bytes(MAX_UPLOAD_BYTES)}")
    try:
        with Image.open(io.BytesIO(data)) as im:  # header only: no pixels decoded yet
            width, height = im.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ClientError(415, f"the upload is not an image Pillow can read ({type(exc).__name__})")
    if width * height > MAX_UPLOAD_PIXELS:
        raise ClientError(413, f"the upload is {width}×{height} pixels "
                               f"({megapixels(width * height)}); the limit is "
                               f"{megapixels(MAX_UPLOAD_PIXELS)}")
    try:
        rgb = decode_rgb(data, store.options.max_side, name="the upload")
        return signature_from_rgb(rgb, store.options)
    except (UnreadableImageError, ValueError) as exc:
        raise ClientError(415, str(exc).splitlines()[0][:200])


def warm_up(options=None) -> None:
    """Run the search, flow and signature code once on tiny inputs: compiles Numba's solver
    and imports scikit-image and scikit-learn (seconds), so no visitor waits for them."""
    from ..signature import SignatureOptions
    options = options or SignatureOptions()
    rgb = np.random.default_rng(0).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    signature_from_rgb(rgb, SignatureOptions(colour_space=options.colour_space, method="kmeans",
                                             n_colours=4))
    X = np.array([[50.0, 0.0, 0.0], [60.0, 10.0, -10.0]])
    w = np.array([2.0, 1.0])
    knn_search((X, w), [("a", X + 1.0, w), ("b", X + 2.0, w[::-1].copy())], k=1)
    pair((X, w), (X, np.array([1.0, 1.0])), "euclidean")
    pairwise_emd([(X, w), (X + 1.0, w), (X - 1.0, w[::-1].copy())], n_jobs=1)  # the map's solver


@dataclass
class Pair:
    """The optimal flow between two signatures, as the pair view draws it."""

    a: tuple[np.ndarray, np.ndarray]
    b: tuple[np.ndarray, np.ndarray]
    distance: float
    work: float
    total_flow: float
    partial: bool
    flows: list[tuple[int, int, float]]  # (row in a, row in b, flow), largest first
    metric: str

    def as_json(self) -> dict:
        return {"emd": self.distance, "work": self.work, "total_flow": self.total_flow,
                "partial": self.partial, "metric": self.metric,
                "flows": [{"from": i, "to": j, "flow": f} for i, j, f in self.flows]}


def pair(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray], metric: str) -> Pair:
    res = signature_emd(a[0], a[1], b[0], b[1], metric)
    ta, tb = float(a[1].sum()), float(b[1].sum())
    order = np.argsort(-res.flow_values, kind="stable")
    flows = [(int(res.flow_rows[i]), int(res.flow_cols[i]), float(res.flow_values[i]))
             for i in order if res.flow_values[i] > 0]
    return Pair(a=a, b=b, distance=res.distance, work=res.work, total_flow=res.total_flow,
                partial=not np.isclose(ta, tb, rtol=1e-12, atol=0.0), flows=flows, metric=metric)


class MapCache:
    """The MDS map of a sample of the index, computed once per sample and kept."""

    def __init__(self, sample: int = MAP_SAMPLE) -> None:
        self.sample = sample
        self._lock = threading.Lock()
        self._key: tuple[int, ...] | None = None
        self._value: tuple[list[Entry], np.ndarray, float] | None = None

    def get(self, snap: Snapshot) -> tuple[list[Entry], np.ndarray, float]:
        """(entries, (n, 2) coordinates in EMD units, seconds it took to compute)."""
        entries = list(snap.entries)
        if len(entries) > self.sample:
            pick = np.linspace(0, len(entries) - 1, self.sample).round().astype(int)
            entries = [entries[i] for i in pick]
        key = tuple(e.id for e in entries)
        with self._lock:  # one computation at a time; the others wait and reuse it
            if self._key != key:
                self._value = self._compute(entries)
                self._key = key
            return self._value

    @staticmethod
    def _compute(entries: list[Entry]) -> tuple[list[Entry], np.ndarray, float]:
        from ..table import mds_embedding

        t0 = time.perf_counter()
        if len(entries) < 3:
            xy = np.zeros((len(entries), 2))
            xy[:, 0] = np.arange(len(entries))
        else:
            D = pairwise_emd([(e.colours, e.weights) for e in entries])
            xy = mds_embedding(D)
        return entries, xy, time.perf_counter() - t0
