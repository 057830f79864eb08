"""``emdkit warmup``: run every solver path once (a self-check; nothing needs compiling)."""
from __future__ import annotations

import argparse
import time


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "warmup", help="run every solver path once on a tiny problem (a self-check)",
        description="emdkit's solver is compiled when it is installed, so first calls are as "
                    "fast as later ones and there is nothing to warm up. This command, which "
                    "compiled the Numba kernels before emdkit 0.2, is kept for one release for "
                    "scripts and container builds that call it: it runs every solver path once "
                    "on a tiny problem and reports the time (milliseconds). Under "
                    "EMDKIT_ENGINE=numba (the reference engine) it still compiles its kernels.")
    parser.add_argument("--quiet", action="store_true", help="print only the total")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from emdkit.core.engine import engine_name
    from emdkit.core.warmup import warmup
    if not args.quiet:
        print(f"emdkit warmup: running every solver path once ({engine_name()} engine)",
              flush=True)
    start = time.perf_counter()
    warmup(verbose=not args.quiet)
    print(f"emdkit warmup: done in {time.perf_counter() - start:.2f} s")
    return 0
