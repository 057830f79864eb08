"""The ``emdkit`` command line: ``emdkit <area> <verb> [options]``.

Each area lives in its own module under ``emdkit.cli`` and exposes ``register(subparsers)``.
Area modules import their heavy dependencies (torch, scikit-image, ...) inside the command
handlers, so ``emdkit --help`` stays fast and works without the optional extras.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from ._policy import (EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, check_scheduler_timeout, extras_of,
                      require_extras, run_command)

# area name -> module; order is the order shown in --help
AREAS = {
    "demo": "emdkit.cli.demo",
    "emd": "emdkit.cli.core",
    "images": "emdkit.cli.images",
    "ordinal": "emdkit.cli.ordinal",
    "sgm": "emdkit.cli.sgm",
    "warmup": "emdkit.cli.warmup",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emdkit",
        description="Exact Earth Mover's Distance: signatures, image search, ordinal losses and W2 "
                    "evaluation of score-based generative models.",
        epilog="Run `emdkit <area> --help` for the verbs of an area. Start with `emdkit demo` "
               "(`emdkit demo --only core` on a core install). "
               + EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action="version", version=f"emdkit {_version()}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an error (may also follow the verb)")
    sub = parser.add_subparsers(dest="area", metavar="<area>")
    for module_name in AREAS.values():
        importlib.import_module(module_name).register(sub)
    return parser


def _version() -> str:
    from emdkit import __version__
    return __version__


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``), run the command, return its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE if args.area is None else EXIT_OK

    def command() -> int | None:
        require_extras(*extras_of(args))  # before any work: exit 2 naming the extra
        check_scheduler_timeout(args)
        return args.func(args)

    return run_command(command, debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
