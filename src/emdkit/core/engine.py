"""Which engine runs the solver kernels: the compiled C++ engine or the Numba reference.

The compiled engine (``emdkit._engine``, C++17 bound with nanobind, built when emdkit is
installed) runs every kernel by default. ``EMDKIT_ENGINE=numba`` selects the reference
implementation it was ported from: the same kernels in Python, compiled by Numba (which must
then be installed: ``pip install numba``; no extra brings it), kept for one release so that the tests can
compare the two bit for bit. A kernel module asks :func:`native_engine` once, at import, and
binds its kernels to whichever engine answers.
"""
from __future__ import annotations

import os

ENGINE_ENV = "EMDKIT_ENGINE"
ENGINES = ("numba", "native")
DEFAULT_ENGINE = "native"
# Bumped with cpp/bindings/version.cpp whenever a bound signature changes, so a stale build of
# the module is refused instead of being called with the wrong arguments.
ENGINE_ABI_VERSION = 3


def engine_name() -> str:
    """The engine selected by ``EMDKIT_ENGINE`` (``"numba"`` or ``"native"``)."""
    name = os.environ.get(ENGINE_ENV, DEFAULT_ENGINE).strip().lower() or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_ENV} must be one of {', '.join(ENGINES)}, got {name!r}")
    return name


# The last answer of native_engine and the ENGINE_ENV value it was given for: the exact check
# asks on every small emd call, where reading and parsing the variable and the import took
# 1.5-3 µs of a 50 µs call (n = 16); a change of the variable (tests switch engines) is seen.
_answered = (object(), None)


def native_engine():
    """The compiled module when it is selected, else None.

    Raises
    ------
    ImportError
        If the compiled engine is selected but missing or built for another ABI version.
    """
    global _answered
    raw = os.environ.get(ENGINE_ENV)
    if raw is _answered[0] or raw == _answered[0]:
        return _answered[1]
    module = _load_native() if engine_name() == "native" else None
    _answered = (raw, module)
    return module


def _load_native():
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
