"""The --out file of a benchmark: tracked results are never replaced by default.

A bench's default --out is its ``bench/RESULTS_*.md``, a tracked file. Running a bench to look
at its figures must not silently rewrite the committed record, so an existing --out file is
refused unless --overwrite is given (the check runs before any timing, so nothing is lost).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_out_arguments(parser: argparse.ArgumentParser, default: Path | None) -> None:
    """--out (default ``default``; None: chosen later by the bench's mode) and --overwrite."""
    where = f"default: bench/{default.name}" if default is not None else "default by mode"
    parser.add_argument("--out", type=Path, default=default,
                        help=f"Markdown file to write ({where}); an existing file is kept "
                             "unless --overwrite is given")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --out file (the committed results)")


def refuse_existing_out(args: argparse.Namespace) -> None:
    """Exit with one line if --out exists and --overwrite was not given."""
    if args.out is not None and args.out.exists() and not args.overwrite:
        sys.exit(f"error: {args.out} exists; pass --overwrite to replace it, or --out "
                 "another file")
