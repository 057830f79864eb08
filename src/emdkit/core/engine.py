"""Which engine runs the solver kernels: the compiled C++ engine or the Numba kernels.

The compiled engine (``emdkit._engine``, C++17 bound with nanobind, built by pip) is replacing
the Numba kernels one module at a time. Until it passes every test it stays behind a switch:
``EMDKIT_ENGINE=native`` selects it, ``EMDKIT_ENGINE=numba`` (the default while the port is in
progress) keeps the Numba kernels. A kernel module asks :func:`native_engine` once, at import,
and binds its kernels to whichever engine answers.
"""
from __future__ import annotations

import os

ENGINE_ENV = "EMDKIT_ENGINE"
ENGINES = ("numba", "native")
DEFAULT_ENGINE = "numba"
# Bumped with cpp/bindings/version.cpp whenever a bound signature changes, so a stale build of
# the module is refused instead of being called with the wrong arguments.
ENGINE_ABI_VERSION = 1


def engine_name() -> str:
    """The engine selected by ``EMDKIT_ENGINE`` (``"numba"`` or ``"native"``)."""
    name = os.environ.get(ENGINE_ENV, DEFAULT_ENGINE).strip().lower() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_ENV} must be one of {', '.join(ENGINES)}, got {name!r}")
    return name


def native_engine():
    """The compiled module when it is selected, else None.

    Raises
    ------
    ImportError
        If the compiled engine is selected but missing or built for another ABI version.
    """
    if engine_name() != "native":
        return None
    try:
        from emdkit import _engine
    except ImportError as exc:
        raise ImportError(
            f"{ENGINE_ENV}=native but emdkit's compiled engine is not built: reinstall with "
            "`pip install .` (needs a C++17 compiler) or run `make native`") from exc
    if getattr(_engine, "ABI_VERSION", None) != ENGINE_ABI_VERSION:
        raise ImportError(f"emdkit._engine is a stale build (ABI {_engine.ABI_VERSION}, "
                          f"expected {ENGINE_ABI_VERSION}): rebuild it")
    return _engine
