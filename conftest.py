"""Collection rules for the docstring examples under src/emdkit (run with --doctest-modules).

A module whose optional extra is not installed is skipped rather than failed: a core-only
install still runs every core example. ``__main__`` is never imported (it runs the CLI).
"""
import importlib
from pathlib import Path

SRC = Path(__file__).parent / "src"


def pytest_ignore_collect(collection_path, config):
    path = Path(collection_path)
    if path.suffix != ".py" or SRC not in path.parents:
        return None
    if path.name in ("__main__.py", "conftest.py"):
        return True
    from emdkit.cli._policy import MODULE_EXTRA
    parts = path.relative_to(SRC).with_suffix("").parts
    module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in MODULE_EXTRA:
            return True  # its extra is not installed here
        raise
    return None
