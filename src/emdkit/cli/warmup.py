"""``emdkit warmup``: compile every solver path once, so that first calls are fast."""
from __future__ import annotations

import argparse
import os
import time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "warmup", help="compile the solver's kernels once (first calls are then fast)",
        description="Numba compiles each solver path on its first call and caches the machine "
                    "code on disk (in __pycache__ beside emdkit's sources, or under "
                    "NUMBA_CACHE_DIR when set). On a cold cache a first call takes seconds to "
                    "tens of seconds; this command pays that once for every path, for example "
                    "after `pip install` or in a container build. Run it again after an "
                    "upgrade, and with the same NUMBA_CACHE_DIR as the programs that follow.")
    parser.add_argument("--quiet", action="store_true", help="print only the total")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from emdkit.core.warmup import warmup
    where = os.environ.get("NUMBA_CACHE_DIR") or "__pycache__ beside emdkit's sources"
    if not args.quiet:
        print(f"emdkit warmup: compiling or loading every solver path (cache: {where})",
              flush=True)
    start = time.perf_counter()
    warmup(verbose=not args.quiet)
    print(f"emdkit warmup: done in {time.perf_counter() - start:.1f} s")
    return 0
