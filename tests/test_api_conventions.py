"""One name and one default per setting across the public API (issue 25).

Threads are ``n_jobs`` (scikit-learn's meaning: -1 = every available thread), keyword-only,
with the default each docstring states; the old spellings (``n_threads``, ``jobs``) survive one
release as deprecated aliases. Every function that takes a Dask ``scheduler`` also takes
``scheduler_timeout`` with the one default, and only :func:`emdkit.core.cluster.connect` opens a
Dask client.
"""
from __future__ import annotations

import importlib
import inspect
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import emdkit
from emdkit.core.cluster import DEFAULT_SCHEDULER_TIMEOUT

SRC = Path(emdkit.__file__).parent
PACKAGES = ["emdkit", "emdkit.core", "emdkit.images", "emdkit.metrics", "emdkit.nn",
            "emdkit.ordinal", "emdkit.sgm", "emdkit.w2"]
# every spelling of "how many threads or processes" we have seen or could expect
THREAD_WORDS = {"n_jobs", "n_threads", "jobs", "threads", "workers", "n_workers",
                "num_threads", "num_workers"}
DEPRECATED_ALIASES = {"n_threads", "jobs"}
# Functions that solve one problem run on one thread unless asked (their timings in
# bench/RESULTS.md are single-threaded); the sweep trains one run at a time unless asked.
# Everything else defaults to every available thread.
N_JOBS_DEFAULT_ONE = {"emdkit.core.solve.emd", "emdkit.core.solve.signature_emd",
                      "emdkit.ordinal.sweep.run_sweep"}
# A recorded field, not a knob: torch's thread count inside one training run, stored with the
# run and compared on --resume; renaming it would orphan every stored run.
NOT_A_KNOB = {"emdkit.ordinal.train.RunSpec.__init__"}


def _public_callables():
    """(qualified name, callable) of every public function, class constructor and public
    method of the packages' ``__all__``; packages whose extra is missing are left out."""
    found = {}
    for package in PACKAGES:
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and (attr == "__init__" or not attr.startswith("_")):
                        found.setdefault(f"{obj.__module__}.{obj.__qualname__}.{attr}", member)
    return sorted(found.items())


CALLABLES = _public_callables()


def _parameters(func):
    return inspect.signature(func).parameters


def test_the_scan_sees_the_functions_it_is_about():
    names = {name.rsplit(".", 1)[-1] for name, _ in CALLABLES}
    assert {"emd", "signature_emd", "emd_batch", "pairwise_emd", "cdist_emd"} <= names


@pytest.mark.parametrize("name, func", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_thread_parameters_are_n_jobs_keyword_only_with_the_documented_default(name, func):
    params = _parameters(func)
    threads = [p for p in params if p in THREAD_WORDS]
    if not threads or name in NOT_A_KNOB:
        return
    assert "n_jobs" in params, f"{name}: threads are set by {threads}, not n_jobs"
    for alias in set(threads) - {"n_jobs"}:
        assert alias in DEPRECATED_ALIASES, f"{name}: {alias!r} is not n_jobs"
        assert params[alias].default is None and params[alias].kind == params[alias].KEYWORD_ONLY
    n_jobs = params["n_jobs"]
    assert n_jobs.kind == n_jobs.KEYWORD_ONLY, f"{name}: n_jobs is not keyword-only"
    short = name.rsplit(".", 1)[-1]
    expected = 1 if name in N_JOBS_DEFAULT_ONE else -1
    assert n_jobs.default == expected, f"{name}: n_jobs defaults to {n_jobs.default}"
    doc = inspect.getdoc(_owner(func) if short == "__init__" else func) or ""
    assert re.search(rf"^n_jobs : int, default {expected}$", doc, re.M), \
        f"{name}: the docstring does not state 'n_jobs : int, default {expected}'"


def _owner(func):
    module = importlib.import_module(func.__module__)
    return getattr(module, func.__qualname__.split(".")[0])


@pytest.mark.parametrize("name, func", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_scheduler_comes_with_the_one_timeout(name, func):
    params = _parameters(func)
    if "scheduler" not in params:
        assert "scheduler_timeout" not in params, name
        return
    assert params["scheduler"].default is None, name
    assert "scheduler_timeout" in params, f"{name} takes a scheduler but no scheduler_timeout"
    timeout = params["scheduler_timeout"]
    assert timeout.default == DEFAULT_SCHEDULER_TIMEOUT, f"{name}: timeout {timeout.default}"
    for p in ("scheduler", "scheduler_timeout"):
        assert params[p].kind == params[p].KEYWORD_ONLY, f"{name}: {p} is not keyword-only"


def test_only_connect_opens_a_dask_client():
    opened = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
              if re.search(r"\bClient\(", path.read_text()) and path.name != "cluster.py"]
    assert not opened, f"Dask clients opened outside emdkit.core.cluster.connect: {opened}"


def test_one_default_scheduler_timeout():
    defined = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
               if re.search(r"^DEFAULT_SCHEDULER_TIMEOUT\s*=", path.read_text(), re.M)]
    assert defined == ["core/cluster.py"], defined


@pytest.mark.parametrize("call", [
    lambda **kw: emdkit.emd([1.0], [1.0], [[0.0]], **kw),
    lambda **kw: emdkit.signature_emd([0.0], [1.0], [1.0], [1.0], **kw),
])
def test_n_threads_is_a_deprecated_alias_and_errors_name_it(call):
    with pytest.warns(DeprecationWarning, match="n_threads is deprecated.*use n_jobs"):
        assert call(n_threads=2).distance == call(n_jobs=2).distance
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match=r"^n_threads must be"):
        call(n_threads=0)
    with pytest.raises(ValueError, match=r"^n_jobs must be -1 \(all threads\) or >= 1, got 0"):
        call(n_jobs=0)
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="not both"):
        call(n_jobs=2, n_threads=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name is silent
        call(n_jobs=-1)


def test_emd2_loss_takes_n_jobs_and_the_old_name_warns():
    torch = pytest.importorskip("torch")
    from emdkit.nn import EMD2Loss, emd2_loss
    x, t = torch.randn(4, 5), torch.tensor([0, 1, 2, 4])
    reference = emd2_loss(x, t)
    assert emd2_loss(x, t, n_jobs=2).item() == pytest.approx(reference.item(), rel=1e-12)
    with pytest.warns(DeprecationWarning, match="n_threads is deprecated"):
        assert EMD2Loss(n_threads=1)(x, t).item() == pytest.approx(reference.item(), rel=1e-12)
    with pytest.raises(ValueError, match="^n_jobs must be"):
        emd2_loss(x, t, n_jobs=0)


def test_bad_scheduler_timeout_names_the_argument():
    sigs = [(np.zeros((1, 1)), [1.0])] * 2
    with pytest.raises(ValueError, match="^scheduler_timeout must be a positive number"):
        emdkit.pairwise_emd(sigs, scheduler="tcp://127.0.0.1:9", scheduler_timeout=0)
    with pytest.raises(TypeError, match="^scheduler_timeout must be a number"):
        emdkit.cdist_emd(sigs, sigs, scheduler="tcp://127.0.0.1:9", scheduler_timeout="5")
