"""The web server's read-only, warm view of an image index.

The database is opened read-only (``mode=ro``) and every signature is loaded once into memory.
Each request first asks SQLite for ``PRAGMA data_version``, which changes when another
connection (``emdkit images index``) commits; only then are the rows re-listed, and only new
rows are read. The index is in WAL mode, so these reads never wait on the indexer's writes.

Ids are SQLite rowids. A re-indexed file gets a new row (``INSERT OR REPLACE``), hence a new
id; the old id then answers 404, so a stale link never shows a different image.
"""
from __future__ import annotations

import io
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..index import open_index
from ..loading import _to_rgb_array, find_images
from ..search import PreparedCandidates

# Thumbnails are JPEG bytes of a few kB each (measured 1.5–9 kB at 160 px); 64 MiB keeps
# every thumbnail of a 10,000-image index warm, so a page view decodes nothing.
THUMB_CACHE_BYTES = 64 * 2**20
THUMB_SIDE = 160      # px, the browse grid and result lists
VIEW_SIDE = 480       # px, the query image on a results page
JPEG_QUALITY = 88
# Staleness means one os.stat per indexed file (about 5 ms per 2,000 files here); re-checked
# at most this often so a busy page does not stat the whole index on every view.
STALENESS_TTL_S = 10.0
# rows read per query when picking up new rows (SQLite's default limit on host parameters
# is 999 in old builds)
ROWS_PER_QUERY = 500

_COLUMNS = ("rowid, path, sha256, size, mtime_ns, colour_space, method, k, n_pixels, width, "
            "height, colours, weights")


@dataclass(frozen=True)
class Entry:
    """One indexed image as the server keeps it."""

    id: int
    path: str
    sha256: str
    size: int
    mtime_ns: int
    method: str
    n_pixels: int
    width: int
    height: int
    colours: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(frozen=True)
class Snapshot:
    """An immutable state of the index: requests read one snapshot, refreshes build a new one."""

    entries: tuple[Entry, ...]                      # sorted by path
    by_id: dict[int, Entry]
    by_path: dict[str, Entry]
    candidates: PreparedCandidates  # knn_search's (name, X, w) with name = path, prepared once
    data_version: int
    loaded_at: float


@dataclass(frozen=True)
class Staleness:
    changed: int     # size or mtime differs from the row
    missing: int     # the file is gone
    unindexed: int   # image files under --roots with no row (None-like -1: no roots given)
    checked_at: float
    # (path, reason) of files the indexer recorded as unreadable and that have not changed
    # since: re-indexing would not help, so they are listed, not counted as "not yet indexed"
    unreadable: tuple[tuple[str, str], ...] = ()


class IndexStore:
    """Warm, read-only access to an :class:`~emdkit.images.ImageIndex` database.

    Parameters
    ----------
    db_path : an existing index database.
    roots : folders the indexed images live under. Only used to name each image's folder
        (colours on the map) and to count image files not yet indexed; None: folders are
        named relative to the common parent of all indexed files.

    Raises
    ------
    FileNotFoundError : no database at ``db_path``.
    ValueError : the file is not an emdkit image index of a schema this version reads.
    """

    def __init__(self, db_path: str | os.PathLike, roots: list[str | os.PathLike] | None = None) -> None:
        self.db_path = Path(db_path)
        self.roots = [Path(r).resolve() for r in (roots or [])]
        for r in self.roots:
            if not r.is_dir():
                raise FileNotFoundError(f"--roots: no such folder: {r}")
        self._conn, self.options = open_index(self.db_path, read_only=True)
        self._lock = threading.Lock()
        self._snapshot = Snapshot((), {}, {}, PreparedCandidates.prepare([]), -1, 0.0)
        self._staleness: Staleness | None = None
        self._thumbs: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._thumb_bytes = 0
        self._thumb_lock = threading.Lock()
        self.snapshot()

    def close(self) -> None:
        self._conn.close()

    # ---- rows -------------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current rows; re-reads only when another connection has committed since."""
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._snapshot.data_version:
                self._snapshot = self._reload(version)
            return self._snapshot

    def _reload(self, version: int) -> Snapshot:
        old = self._snapshot.by_id
        # one read transaction, so the listing and the new rows are the same committed state
        self._conn.execute("BEGIN")
        try:
            ids = [r[0] for r in self._conn.execute("SELECT rowid FROM images")]
            new = [i for i in ids if i not in old]
            fresh: dict[int, Entry] = {}
            for start in range(0, len(new), ROWS_PER_QUERY):
                chunk = new[start:start + ROWS_PER_QUERY]
                marks = ",".join("?" * len(chunk))
                for row in self._conn.execute(
                        f"SELECT {_COLUMNS} FROM images WHERE rowid IN ({marks})", chunk):
                    fresh[row[0]] = _entry(row)
        finally:
            self._conn.execute("COMMIT")
        by_id = {i: old.get(i) or fresh[i] for i in ids if i in old or i in fresh}
        entries = tuple(sorted(by_id.values(), key=lambda e: e.path))
        return Snapshot(entries=entries, by_id=by_id, by_path={e.path: e for e in entries},
                        candidates=PreparedCandidates.prepare(
                            [(e.path, e.colours, e.weights) for e in entries]),
                        data_version=version, loaded_at=time.time())

    def folder_of(self, entry: Entry) -> str:
        """The image's folder relative to the root holding it (for colouring and labels)."""
        parent = Path(entry.path).parent
        for root in self.roots:
            if parent == root or parent.is_relative_to(root):
                rel = parent.relative_to(root)
                return f"{root.name}/{rel}" if str(rel) != "." else root.name
        return parent.name or str(parent)

    # ---- staleness ----------------------------------------------------------------------------
    def staleness(self) -> Staleness:
        """Files changed or gone since they were indexed, and new files under ``roots``."""
        cached = self._staleness
        if cached is not None and time.time() - cached.checked_at < STALENESS_TTL_S:
            return cached
        snap = self.snapshot()
        changed = missing = 0
        for e in snap.entries:
            try:
                st = os.stat(e.path)
            except OSError:
                missing += 1
                continue
            if st.st_size != e.size or st.st_mtime_ns != e.mtime_ns:
                changed += 1
        unreadable = self._unreadable()
        unindexed = -1
        if self.roots:
            unindexed = sum(1 for p in find_images(self.roots)
                            if str(p) not in snap.by_path and str(p) not in unreadable)
        self._staleness = Staleness(changed, missing, unindexed, time.time(),
                                    tuple(sorted(unreadable.items())))
        return self._staleness

    def _unreadable(self) -> dict[str, str]:
        """{path: reason} of the files recorded as unreadable whose stamp has not changed
        since (an index written before the table existed has none)."""
        with self._lock:
            try:
                rows = self._conn.execute(
                    "SELECT path, size, mtime_ns, reason FROM unreadable").fetchall()
            except sqlite3.OperationalError:  # no such table
                return {}
        out = {}
        for path, size, mtime_ns, reason in rows:
            try:
                st = os.stat(path)
            except OSError:
                continue
            if (st.st_size, st.st_mtime_ns) == (size, mtime_ns):
                out[path] = reason
        return out

    # ---- thumbnails -------------------------------------------------------------------------
    def thumbnail(self, entry: Entry, side: int = THUMB_SIDE) -> bytes:
        """JPEG bytes of the image shrunk to ``side`` px, made once and then served from memory.

        Raises FileNotFoundError when the file is gone and ValueError when it no longer decodes.
        """
        key = (entry.id, side)
        with self._thumb_lock:
            data = self._thumbs.get(key)
            if data is not None:
                self._thumbs.move_to_end(key)
                return data
        data = _make_thumbnail(entry.path, side)
        with self._thumb_lock:
            if key not in self._thumbs:
                self._thumbs[key] = data
                self._thumb_bytes += len(data)
            while self._thumb_bytes > THUMB_CACHE_BYTES and len(self._thumbs) > 1:
                _, dropped = self._thumbs.popitem(last=False)
                self._thumb_bytes -= len(dropped)
        return data

    @property
    def thumbnails_cached(self) -> int:
        return len(self._thumbs)


def _entry(row) -> Entry:
    (rowid, path, sha, size, mtime_ns, _space, method, k, n_pixels, width, height,
     colours, weights) = row
    return Entry(id=rowid, path=path, sha256=sha, size=size, mtime_ns=mtime_ns, method=method,
                 n_pixels=n_pixels, width=width, height=height,
                 colours=np.frombuffer(colours, dtype="<f8").reshape(k, 3),
                 weights=np.frombuffer(weights, dtype="<f8"))


def _make_thumbnail(path: str, side: int) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not os.path.isfile(path):
        raise FileNotFoundError("the image file is no longer on disk")
    try:
        with Image.open(path) as im:
            im.draft("RGB", (side, side))  # JPEG: decode at reduced scale, much faster
            im = ImageOps.exif_transpose(im)
            im.thumbnail((side, side), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # the indexer's conversion: transparency on white, 16-bit grey rescaled
            Image.fromarray(_to_rgb_array(im)).save(out, "JPEG", quality=JPEG_QUALITY)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise ValueError(f"the image file no longer decodes: {type(exc).__name__}") from exc
    return out.getvalue()
