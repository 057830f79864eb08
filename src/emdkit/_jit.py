"""Numba's decorators for the reference kernels, imported only when the Numba engine runs.

The compiled engine (``emdkit._engine``) runs every solver kernel. The Python kernels it
replaced stay beside it as the reference implementation that the engine is tested against, bit
for bit, with ``EMDKIT_ENGINE=numba`` (which needs ``pip install numba``). Under the compiled
engine these decorators leave the Python functions as they are, so importing emdkit never
imports numba and nothing is compiled at run time.
"""
from __future__ import annotations

from emdkit.core.engine import engine_name

NUMBA_ENGINE = engine_name() == "numba"

if NUMBA_ENGINE:
    try:
        from numba import njit, prange
        from numba.extending import register_jitable
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("EMDKIT_ENGINE=numba runs the reference kernels, which need numba: "
                          "pip install numba (or unset EMDKIT_ENGINE for the compiled engine)"
                          ) from exc
else:
    def njit(*args, **kwargs):
        """``@njit`` or ``@njit(...)`` without Numba: the function itself, uncompiled."""
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda function: function

    register_jitable = njit
    prange = range

__all__ = ["NUMBA_ENGINE", "njit", "prange", "register_jitable"]
