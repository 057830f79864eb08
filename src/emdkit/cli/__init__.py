"""The ``emdkit`` command line: ``emdkit <area> <verb> [options]``.

Each area lives in its own module under ``emdkit.cli`` and exposes ``register(subparsers)``.
Area modules import their heavy dependencies (torch, scikit-image, ...) inside the command
handlers, so ``emdkit --help`` stays fast and works without the optional extras.
"""
from __future__ import annotations

import argparse
import importlib
import sys

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
        epilog="Run `emdkit <area> --help` for the verbs of an area. Start with `emdkit demo`.",
    )
    parser.add_argument("--version", action="version", version=f"emdkit {_version()}")
    sub = parser.add_subparsers(dest="area", metavar="<area>")
    for module_name in AREAS.values():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # an area whose module is not written yet
            if exc.name != module_name:
                raise
            continue
        module.register(sub)
    return parser


def _version() -> str:
    from emdkit import __version__
    return __version__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2 if args.area is None else 0
    try:
        return int(args.func(args) or 0)
    except (ValueError, TypeError, FileNotFoundError) as exc:
        print(f"emdkit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("emdkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
