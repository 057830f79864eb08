"""Optional extras at library level: a missing one is named with the command that installs it.

The command line maps a ``ModuleNotFoundError`` to its extra by the module's name
(:data:`emdkit.cli._policy.MODULE_EXTRA`); a library call gets the same advice in the message
itself, and keeps ``name`` set so that the command line still recognises it.
"""
from __future__ import annotations

import importlib
from types import ModuleType


def require(module: str, extra: str, feature: str) -> ModuleType:
    """``import module``, or a ModuleNotFoundError saying ``pip install "emdkit[extra]"``."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name is None or exc.name.split(".")[0] != top:
            raise  # something *inside* the module is missing: not this extra's fault
        raise ModuleNotFoundError(f"{feature} needs {top}, which is not installed; install it "
                                  f'with: pip install "emdkit[{extra}]"', name=top) from None
