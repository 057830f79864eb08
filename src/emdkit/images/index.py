"""A durable, incremental index of colour signatures in one SQLite file (stdlib ``sqlite3``).

Durability: rows are written in batches, one transaction per batch, in SQLite's write-ahead
log (WAL) mode with ``synchronous=FULL``. A crash (Ctrl-C, ``kill -9``, power loss) at
any moment leaves the database as it was after the last committed batch: every row is
complete, and the next run indexes what is missing. An image that cannot be decoded is
reported and never gets a row. WAL lets readers (``emdkit images serve``) keep reading the
last committed state while an indexer writes, instead of waiting on its lock.

Incremental: a file whose size and modification time match its row is skipped without being
read; a file whose stamp changed but whose SHA-256 did not only has its stamp updated.

Unreadable files: a file that cannot be read or decoded gets no image row but a row in the
``unreadable`` table, with its stamp and the reason. It is reported once, by the run that
found it; later runs skip it while its stamp is unchanged (and count it), and try it again
when it changes. The web page lists these files with their reasons instead of counting them
as "not yet indexed". The table is added to older index files when an indexer opens them
(schema version 1 either way: readers that do not know it simply ignore it).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emdkit.core.cluster import DEFAULT_SCHEDULER_TIMEOUT, check_scheduler, connect
from emdkit.core.progress import progress_bar
from emdkit.core.validation import check_positive_int

from .loading import UnreadableImageError, decode_rgb, find_images
from .signature import ColourSignature, SignatureOptions, signature_from_rgb

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
    path         TEXT PRIMARY KEY,   -- absolute, resolved
    sha256       TEXT NOT NULL,      -- of the file's bytes
    size         INTEGER NOT NULL,   -- bytes
    mtime_ns     INTEGER NOT NULL,
    colour_space TEXT NOT NULL,      -- 'lab' | 'rgb'
    method       TEXT NOT NULL,      -- 'palette' | 'kmeans'
    k            INTEGER NOT NULL,   -- number of signature points
    n_pixels     INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    colours      BLOB NOT NULL,      -- k*3 little-endian float64
    weights      BLOB NOT NULL,      -- k little-endian float64
    indexed_at   REAL NOT NULL,      -- unix time
    CHECK (length(colours) = 24 * k AND length(weights) = 8 * k)
);
"""
# Added within schema version 1: created by every indexer that opens the file (IF NOT EXISTS).
_UNREADABLE_TABLE = """
CREATE TABLE IF NOT EXISTS unreadable (
    path         TEXT PRIMARY KEY,   -- absolute, resolved
    size         INTEGER NOT NULL,   -- bytes (-1: could not even be read)
    mtime_ns     INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    seen_at      REAL NOT NULL       -- unix time
)"""


@dataclass
class IndexReport:
    """What one ``update`` did. ``failed`` lists (path, reason) for files found unreadable by
    this run; ``still_unreadable`` counts those recorded by an earlier run and unchanged since
    (skipped without being read again)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    touched: int = 0  # stamp changed, content identical
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    still_unreadable: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        """The report as the CLI prints it: one line of counts, then each unreadable file.

        See Also
        --------
        ImageIndex.update : returns this report.
        """
        known = (f", {self.still_unreadable} known unreadable (unchanged, skipped)"
                 if self.still_unreadable else "")
        lines = [f"{self.added} added, {self.updated} re-indexed, {self.unchanged + self.touched} "
                 f"unchanged, {self.removed} removed, {len(self.failed)} unreadable{known} "
                 f"({self.seconds:.1f} s)"]
        if self.failed:
            lines.append("unreadable images (skipped, not in the index):")
            lines += [f"  {path}: {reason}" for path, reason in self.failed]
        return "\n".join(lines)


@dataclass
class _Outcome:
    path: str
    size: int
    mtime_ns: int
    sha256: str
    signature: ColourSignature | None
    error: str | None


def process_file(path: str, options: SignatureOptions, known_sha: str | None = None) -> _Outcome:
    """Hash and (if the content is new) sign one file. Runs locally or on a Dask worker."""
    try:
        st = os.stat(path)
        data = Path(path).read_bytes()
    except OSError as exc:  # vanished or unreadable since it was listed
        return _Outcome(path, -1, -1, "", None, f"cannot read: {exc}")
    sha = hashlib.sha256(data).hexdigest()
    if known_sha is not None and sha == known_sha:
        return _Outcome(path, st.st_size, st.st_mtime_ns, sha, None, None)
    try:
        sig = signature_from_rgb(decode_rgb(data, options.max_side, name=path), options)
    except UnreadableImageError as exc:
        return _Outcome(path, st.st_size, st.st_mtime_ns, sha, None, exc.reason)
    except ValueError as exc:
        return _Outcome(path, st.st_size, st.st_mtime_ns, sha, None, str(exc))
    return _Outcome(path, st.st_size, st.st_mtime_ns, sha, sig, None)


def open_index(db_path: str | os.PathLike, *, read_only: bool = False,
               options: SignatureOptions | None = None, must_exist: bool = False
               ) -> tuple[sqlite3.Connection, SignatureOptions]:
    """Open an index database: the one place that checks the file, the schema version and the
    stored signature settings, for the indexer (:class:`ImageIndex`) and the web page alike.

    Parameters
    ----------
    db_path : path
        The database file.
    read_only : bool, default False
        Open with SQLite's ``mode=ro`` (the web page): nothing is created or written, and the
        file must exist and already be an index.
    options : SignatureOptions, optional
        For a writer: the settings a new index stores; an existing one must have been built
        with the same (ValueError otherwise). None: the stored ones, or the defaults.
    must_exist : bool, default False
        Raise FileNotFoundError instead of creating a missing database.

    Returns
    -------
    (sqlite3.Connection, SignatureOptions)
        The connection (autocommit; WAL mode for a writer) and the index's stored settings.

    Raises
    ------
    FileNotFoundError
        No database at ``db_path`` (with ``read_only`` or ``must_exist``), or no folder for it.
    TypeError
        ``options`` is not a :class:`SignatureOptions`.
    ValueError
        The file is not an emdkit image index, was written by a newer emdkit (schema version
        above :data:`SCHEMA_VERSION`), or was built with other settings than ``options``.
    """
    db_path = Path(db_path)
    if options is not None and not isinstance(options, SignatureOptions):
        raise TypeError(f"options must be SignatureOptions, got {type(options).__name__}")
    if (must_exist or read_only) and not db_path.is_file():
        raise FileNotFoundError(f"no index database at {db_path} (create it with "
                                f"`emdkit images index DIR --db {db_path}`)")
    if db_path.is_dir():
        raise ValueError(f"db_path {db_path} is a folder, not a database file")
    if not db_path.parent.is_dir():
        raise FileNotFoundError(f"folder for the index database does not exist: {db_path.parent}")
    if read_only:
        conn = sqlite3.connect(db_path.resolve().as_uri() + "?mode=ro", uri=True,
                               check_same_thread=False, isolation_level=None)
    else:
        conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        if not read_only:
            # WAL: readers never block on the writer nor it on them (the web server reads
            # while `images index` writes); the mode is stored in the file and persists
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
        return conn, _checked_schema(conn, db_path, options, read_only)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ValueError(f"{db_path} is not an emdkit image index: {exc}") from exc
    except BaseException:
        conn.close()
        raise


def _checked_schema(conn: sqlite3.Connection, db_path: Path, options: SignatureOptions | None,
                    read_only: bool) -> SignatureOptions:
    """The stored settings, after the one version rule (0: none yet, above SCHEMA_VERSION: a
    newer emdkit's); a new, writable file gets the schema and ``options``."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    has_tables = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    if version == 0 and (has_tables or read_only):
        raise ValueError(f"{db_path} is an SQLite database but not an emdkit image index")
    if version > SCHEMA_VERSION:
        raise ValueError(f"{db_path} has index schema version {version}; this emdkit "
                         f"reads version {SCHEMA_VERSION} (upgrade emdkit)")
    if version == 0:
        with _Transaction(conn):
            for stmt in _SCHEMA.strip().split(";\n"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute("INSERT INTO meta VALUES ('options', ?)",
                         (json.dumps((options or SignatureOptions()).to_dict()),))
            conn.execute("INSERT INTO meta VALUES ('created', ?)", (str(time.time()),))
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    if not read_only:  # indexes written before the table existed get it on their next update
        conn.execute(_UNREADABLE_TABLE)
    row = conn.execute("SELECT value FROM meta WHERE key='options'").fetchone()
    stored = SignatureOptions.from_dict(json.loads(row[0]))
    if options is not None and options != stored:
        diff = {k: (v, getattr(options, k)) for k, v in stored.to_dict().items()
                if getattr(options, k) != v}
        raise ValueError(f"{db_path} was built with different signature settings "
                         + ", ".join(f"{k}={old!r} (asked {new!r})"
                                     for k, (old, new) in diff.items())
                         + "; use those settings or a new --db file")
    return stored


class ImageIndex:
    """Colour signatures of image files, kept in a SQLite database.

    Parameters
    ----------
    db_path : the database file; created if missing.
    options : signature settings. A new database stores them; an existing one keeps its own,
        and passing different ones raises ValueError (mixing settings would make distances
        between rows meaningless). None: the stored ones, or the defaults for a new file.
    must_exist : raise FileNotFoundError instead of creating a missing database.
    """

    def __init__(self, db_path: str | os.PathLike, options: SignatureOptions | None = None,
                 must_exist: bool = False) -> None:
        self.db_path = Path(db_path)
        self.conn, self.options = open_index(self.db_path, options=options,
                                             must_exist=must_exist)

    def _transaction(self):
        return _Transaction(self.conn)

    def __enter__(self) -> "ImageIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection (leaving a ``with`` block does it too).

        See Also
        --------
        integrity_ok : SQLite's own check of the file, before closing.
        """
        self.conn.close()

    def __len__(self) -> int:
        return self.conn.execute("SELECT count(*) FROM images").fetchone()[0]

    def paths(self) -> list[str]:
        """Every indexed file's path, sorted.

        See Also
        --------
        signatures : the same paths with their signatures.
        unreadable : the files recorded as unreadable, which are not among these.
        """
        return [r[0] for r in self.conn.execute("SELECT path FROM images ORDER BY path")]

    def unreadable(self) -> list[tuple[str, str]]:
        """(path, reason) of every file recorded as unreadable, sorted by path.

        See Also
        --------
        paths : the files that were indexed.
        update : records these, and retries them when a file changes.
        """
        return [tuple(r) for r in self.conn.execute(
            "SELECT path, reason FROM unreadable ORDER BY path")]

    def signatures(self) -> list[tuple[str, ColourSignature]]:
        """Every indexed (path, signature), sorted by path.

        See Also
        --------
        search_index : the nearest signatures to a query image, from these rows.
        emd_table : every pairwise EMD between images.
        """
        rows = self.conn.execute(
            "SELECT path, colour_space, method, k, n_pixels, width, height, colours, weights "
            "FROM images ORDER BY path")
        return [(path, ColourSignature(
            colours=np.frombuffer(c, dtype="<f8").reshape(k, 3),
            weights=np.frombuffer(w, dtype="<f8"), colour_space=space, method=method,
            n_pixels=n_pixels, size=(width, height)))
            for path, space, method, k, n_pixels, width, height, c, w in rows]

    def update(self, roots: Iterable[str | os.PathLike] | str | os.PathLike, *,
               batch_size: int = 32, progress: bool = False, scheduler: str | None = None,
               scheduler_timeout: float = DEFAULT_SCHEDULER_TIMEOUT,
               prune_missing: bool = True) -> IndexReport:
        """Index every image under ``roots``; see the module docstring for what is skipped.

        Parameters
        ----------
        roots : path or iterable of paths
            Files and folders to index (folders recursively).
        batch_size : int
            Images per transaction (a crash loses at most one batch of work).
        progress : bool
            Show a tqdm progress bar.
        scheduler : str or None
            Dask distributed address; signatures are computed on its workers, which
            must see the same file paths. Rows are written here, by this process only.
        scheduler_timeout : float, default 10
            Seconds to wait for the scheduler before raising ``OSError``.
        prune_missing : bool
            Drop rows of files under ``roots`` that no longer exist.

        Returns
        -------
        IndexReport
            Counts of added, updated, unchanged and removed rows, and the files that failed.

        See Also
        --------
        image_signature : what is computed for every new or changed file.
        IndexReport.summary : the report as the CLI prints it.
        """
        batch_size = check_positive_int(batch_size, "batch_size")
        check_scheduler(scheduler, scheduler_timeout)
        started = time.perf_counter()
        if isinstance(roots, (str, os.PathLike)):
            roots = [roots]
        roots = [Path(r) for r in roots]
        if not roots:
            raise ValueError("roots is empty: give at least one file or folder to index")
        files = [str(p) for p in find_images(roots)]
        known = {path: (size, mtime, sha) for path, size, mtime, sha in self.conn.execute(
            "SELECT path, size, mtime_ns, sha256 FROM images")}
        bad = {path: (size, mtime) for path, size, mtime in self.conn.execute(
            "SELECT path, size, mtime_ns FROM unreadable")}
        report = IndexReport()
        todo: list[tuple[str, str | None]] = []
        for path in files:
            try:
                st = os.stat(path)
            except OSError as exc:
                report.failed.append((path, f"cannot read: {exc}"))
                continue
            row = known.get(path)
            if row and row[0] == st.st_size and row[1] == st.st_mtime_ns:
                report.unchanged += 1
            elif bad.get(path) == (st.st_size, st.st_mtime_ns):
                report.still_unreadable += 1
            else:
                todo.append((path, row[2] if row else None))
        if prune_missing:
            report.removed = self._prune(roots, set(files), known, bad)
        bar = progress_bar(len(todo), progress, "indexing", "img")
        pending: list[_Outcome] = []
        try:
            for outcome in _outcomes(todo, self.options, scheduler, scheduler_timeout):
                bar.update(1)
                if outcome.error is not None:
                    report.failed.append((outcome.path, outcome.error))
                pending.append(outcome)
                if len(pending) >= batch_size:
                    self._write(pending, known, report)
                    pending = []
            self._write(pending, known, report)
        finally:
            bar.close()
            report.seconds = time.perf_counter() - started
        return report

    def _write(self, outcomes: list[_Outcome], known: dict, report: IndexReport) -> None:
        if not outcomes:
            return
        now = time.time()
        with self._transaction():
            for o in outcomes:
                if o.error is not None:
                    # an indexed file that no longer decodes loses its row: it described
                    # content that is gone
                    self.conn.execute("INSERT OR REPLACE INTO unreadable VALUES (?,?,?,?,?)",
                                      (o.path, o.size, o.mtime_ns, o.error, now))
                    self.conn.execute("DELETE FROM images WHERE path=?", (o.path,))
                    continue
                self.conn.execute("DELETE FROM unreadable WHERE path=?", (o.path,))
                if o.signature is None:  # same bytes, new stamp
                    self.conn.execute("UPDATE images SET size=?, mtime_ns=? WHERE path=?",
                                      (o.size, o.mtime_ns, o.path))
                    report.touched += 1
                    continue
                s = o.signature
                self.conn.execute(
                    "INSERT OR REPLACE INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (o.path, o.sha256, o.size, o.mtime_ns, s.colour_space, s.method,
                     len(s.weights), s.n_pixels, s.size[0], s.size[1],
                     np.ascontiguousarray(s.colours, dtype="<f8").tobytes(),
                     np.ascontiguousarray(s.weights, dtype="<f8").tobytes(), now))
                if o.path in known:
                    report.updated += 1
                else:
                    report.added += 1

    def _prune(self, roots: list[Path], present: set[str], known: dict, bad: dict) -> int:
        """Drop the rows (images and unreadable) of files under ``roots`` that are gone;
        returns how many image rows went."""
        resolved = [r.resolve() for r in roots]

        def gone(paths):
            return [(p,) for p in paths if p not in present and not os.path.exists(p)
                    and any(Path(p).is_relative_to(r) for r in resolved)]
        images, unreadable = gone(known), gone(bad)
        if images or unreadable:
            with self._transaction():
                self.conn.executemany("DELETE FROM images WHERE path=?", images)
                self.conn.executemany("DELETE FROM unreadable WHERE path=?", unreadable)
        return len(images)

    def integrity_ok(self) -> bool:
        """Whether SQLite's ``PRAGMA integrity_check`` finds the database file sound.

        See Also
        --------
        update : each batch of rows is one transaction, so a crash leaves the file sound.
        """
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any exception including KeyboardInterrupt."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        elif self.conn.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
            self.conn.execute("ROLLBACK")


def _outcomes(todo: list[tuple[str, str | None]], options: SignatureOptions,
              scheduler: str | None, timeout: float) -> Iterator[_Outcome]:
    if scheduler is None:
        for path, sha in todo:
            yield process_file(path, options, sha)
        return
    with connect(scheduler, timeout) as client:
        from dask.distributed import as_completed
        futures = [client.submit(process_file, path, options, sha, pure=False)
                   for path, sha in todo]
        for fut in as_completed(futures):
            yield fut.result()
