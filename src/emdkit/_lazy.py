"""Public names that load on first use (PEP 562), so that importing a package costs only the
modules its caller reaches: ``import emdkit.core.validation`` loads no solver, and
``emdkit images search`` no image table (issue 21: first answers within 0.5 s)."""
from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable, Callable]:
    """A package's module-level ``__getattr__`` and ``__dir__`` for ``exports`` (public name ->
    the submodule, relative to ``package``, that defines it); a name is cached in the package
    once loaded."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str):
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
