"""Both engines' kernels side by side, for the tests that hold them to the same bits.

A kernel module binds its names to one engine at import (``EMDKIT_ENGINE``), so the Numba
kernels come from a second copy of the module imported with ``EMDKIT_ENGINE=numba``, and the
compiled ones straight from ``emdkit._engine`` (the test is skipped where it is not built).

Numba caches a kernel on disk with the name of its module and imports that module again to
load it. The copy is therefore registered in sys.modules under a name of its own, and caches in
a directory of its own: a kernel cached from the copy would otherwise be loaded by the real
module in another process, which cannot import the copy.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import tempfile

import pytest


def native_engine_module():
    """``emdkit._engine``, or skip the test if this checkout has not built it."""
    try:
        return importlib.import_module("emdkit._engine")
    except ImportError:
        pytest.skip("the compiled engine is not built (make native)")


def numba_copy_of(module_name: str):
    """A copy of the kernel module ``module_name`` with its Numba kernels bound, whatever
    ``EMDKIT_ENGINE`` says (imported once per process, as ``<module_name>_numba_copy``)."""
    numba = pytest.importorskip("numba")
    copy_name = module_name + "_numba_copy"
    if copy_name in sys.modules:
        return sys.modules[copy_name]
    origin = importlib.util.find_spec(module_name).origin
    spec = importlib.util.spec_from_file_location(copy_name, origin)
    module = importlib.util.module_from_spec(spec)
    saved = os.environ.get("EMDKIT_ENGINE"), numba.config.CACHE_DIR
    os.environ["EMDKIT_ENGINE"] = "numba"
    numba.config.CACHE_DIR = os.path.join(saved[1] or tempfile.gettempdir(), "numba-copies")
    sys.modules[copy_name] = module
    # the copy's `from .._jit import njit` must get Numba's decorators, not the pass-through
    # that this process's engine chose
    real_jit = sys.modules.pop("emdkit._jit", None)
    try:
        importlib.import_module("emdkit._jit")
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[copy_name]
        raise
    finally:
        if real_jit is not None:
            sys.modules["emdkit._jit"] = real_jit
        if saved[0] is None:
            del os.environ["EMDKIT_ENGINE"]
        else:
            os.environ["EMDKIT_ENGINE"] = saved[0]
        numba.config.CACHE_DIR = saved[1]
    return module
