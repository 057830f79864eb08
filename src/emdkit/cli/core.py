"""``emdkit emd …``: exact EMD between signature files from the shell."""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

import numpy as np

from ._policy import add_metric_option, add_scheduler_options, check_output_file

SIGNATURE_FORMAT = ("A signature file is CSV: one row per point, the coordinates in the first "
                    "columns and the weight in the last (a header row is allowed).")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("emd", help="exact EMD between signature files",
                       description="Exact Earth Mover's Distance (Rubner's definition, partial "
                                   "matching for unequal totals). " + SIGNATURE_FORMAT)
    verbs = p.add_subparsers(dest="verb", metavar="<verb>")

    b = verbs.add_parser("between", help="EMD between two signatures",
                         description="Prints distance (Σfd/Σf), work (Σfd) and total flow. "
                                     + SIGNATURE_FORMAT,
                         epilog="example: emdkit emd between sea.csv mountain.csv --json")
    b.add_argument("first", type=Path)
    b.add_argument("second", type=Path)
    add_metric_option(b, "between points, in the units of the coordinates")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.add_argument("--flow", type=Path, help="write the non-zero flows as CSV (i, j, flow)")
    b.set_defaults(func=_between)

    w = verbs.add_parser("pairwise", help="N×N EMD matrix between many signatures",
                         description="Symmetric matrix of exact EMDs on all cores. "
                                     + SIGNATURE_FORMAT,
                         epilog="example: emdkit emd pairwise sigs/*.csv --csv table.csv")
    w.add_argument("files", type=Path, nargs="+")
    add_metric_option(w, "between points, in the units of the coordinates")
    w.add_argument("--csv", type=Path, help="write the matrix as CSV (default: print it)")
    add_scheduler_options(w, "solve the pairs")
    w.add_argument("--progress", action="store_true",
                   help="show a progress bar (needs emdkit[progress])")
    w.set_defaults(func=_pairwise)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def read_signature(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a signature CSV (coordinates..., weight) with an optional header row.

    Every fault names the file and, where there is one, the line.
    """
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give a signature CSV file")
    if not path.is_file():
        raise FileNotFoundError(f"signature file not found: {path}")
    try:
        rows, lines = _numeric_rows(path)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path} is not a text CSV file (byte {exc.start} cannot be read as "
                         f"{exc.encoding}); {SIGNATURE_FORMAT}") from None
    except csv.Error as exc:  # e.g. a NUL byte
        raise ValueError(f"{path} is not a CSV file ({exc}); {SIGNATURE_FORMAT}") from None
    if not rows:
        raise ValueError(f"{path}: no points")
    width = len(rows[0])
    for row, line in zip(rows, lines):
        if len(row) != width or width < 2:
            raise ValueError(f"{path}: line {line} has {len(row)} columns; every row needs the "
                             f"same number, at least 2 (coordinates then weight)")
    data = np.array(rows)
    for row, line in zip(data, lines):
        if not np.all(np.isfinite(row)):
            raise ValueError(f"{path}: line {line} has a value that is not finite (nan or inf)")
        if row[-1] < 0:
            raise ValueError(f"{path}: line {line}: the weight (last column) is negative "
                             f"({row[-1]:g}); weights must be >= 0")
    if not data[:, -1].sum() > 0:
        raise ValueError(f"{path}: every weight (last column) is zero; a signature needs mass")
    return data[:, :-1], data[:, -1]


def _numeric_rows(path: Path) -> tuple[list[list[float]], list[int]]:
    """The numeric rows of a CSV file and their line numbers (a first non-numeric row is a
    header); a later non-numeric row is an error naming the file and line."""
    rows, lines = [], []
    with open(path, newline="", encoding="utf-8") as fh:
        for k, row in enumerate(csv.reader(fh)):
            if not row or all(not c.strip() for c in row):
                continue
            try:
                rows.append([float(c) for c in row])
            except ValueError:
                if k == 0:
                    continue  # header
                raise ValueError(f"{path}: line {k + 1} is not numeric: {','.join(row)}") from None
            lines.append(k + 1)
    return rows, lines


def _between(args: argparse.Namespace) -> int:
    from emdkit import signature_emd
    if args.flow:
        check_output_file(args.flow, "--flow")
    X, wx = read_signature(args.first)
    Y, wy = read_signature(args.second)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"{args.first} has {X.shape[1]} coordinate columns but {args.second} "
                         f"has {Y.shape[1]}; both signatures need the same number")
    r = signature_emd(X, wx, Y, wy, metric=args.metric)
    if args.flow:
        F = r.flow_sparse()
        with open(args.flow, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["i", "j", "flow"])
            writer.writerows(zip(F.row.tolist(), F.col.tolist(), F.data.tolist()))
    summary = {"distance": r.distance, "work": r.work, "total_flow": r.total_flow,
               "metric": args.metric, "method": r.method}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"EMD = {r.distance:.10g}  (work {r.work:.10g} / total flow {r.total_flow:.10g}, "
              f"{args.metric} ground distance)")
    return 0


def _pairwise(args: argparse.Namespace) -> int:
    from emdkit import pairwise_emd
    if args.csv:
        check_output_file(args.csv, "--csv")
    sigs = [read_signature(f) for f in args.files]
    dims = {X.shape[1] for X, _ in sigs}
    if len(dims) > 1:
        raise ValueError("the signature files have different numbers of coordinate columns: "
                         + ", ".join(f"{f} {X.shape[1]}" for f, (X, _) in zip(args.files, sigs)))
    try:
        D = pairwise_emd(sigs, metric=args.metric, progress=args.progress,
                         scheduler=args.scheduler, scheduler_timeout=args.scheduler_timeout)
    except (ValueError, RuntimeError) as exc:  # named signatures[k]: name the files instead
        raise type(exc)(re.sub(r"signatures\[(\d+)\]",
                               lambda m: str(args.files[int(m.group(1))]), str(exc))) from None
    names = [f.stem for f in args.files]
    out = open(args.csv, "w", newline="") if args.csv else sys.stdout
    try:
        writer = csv.writer(out)
        writer.writerow([""] + names)
        for name, row in zip(names, D):
            writer.writerow([name] + [f"{x:.10g}" for x in row])
    finally:
        if args.csv:
            out.close()
    return 0
