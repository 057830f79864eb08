"""Experiments E0–E4: W2 error of the reverse EM sampler against step, dimension, horizon, score.

One module per experiment (``e0`` … ``e4``), each with ``compute(quick, seed) -> (tables, meta)``
(the measurement: rows of numbers, no prose) and ``render(tables, meta, out) -> Section`` (CSV
tables, PNG figures and the report section, from the stored numbers alone). :func:`run_experiment`
does both and keeps the numbers in ``out/raw/<name>.npz``; :func:`rebuild` renders again from
them, so the committed report is rebuilt byte for byte without rerunning anything (issue 26).
``quick=True`` shrinks every size for tests and the demo (the numbers are then only a smoke check).
"""
from __future__ import annotations

import functools
import os
import platform
import time
from pathlib import Path

from emdkit.rawdata import load_tables, save_tables

from ..report import Section
from . import e0, e1, e2, e3, e4
from .common import EPS, ORDER_ONE_BAND, rotated_gaussian

MODULES = {"e0": e0, "e1": e1, "e2": e2, "e3": e3, "e4": e4}
RAW_DIR = "raw"


def raw_path(out: Path, name: str) -> Path:
    return Path(out) / RAW_DIR / f"{name}.npz"


def run_experiment(name: str, out: Path, quick: bool = False, seed: int = 0) -> Section:
    """Measure experiment ``name``, store its numbers under ``out/raw`` and render its section."""
    t0 = time.perf_counter()
    tables, meta = MODULES[name].compute(quick=quick, seed=seed)
    meta.update(seconds=time.perf_counter() - t0, quick=quick, seed=seed,
                load_average=os.getloadavg()[0], cpu_count=os.cpu_count(),
                machine=platform.processor() or platform.machine(),
                finished_utc=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    save_tables(raw_path(out, name), tables, meta)
    return rebuild(name, out)


def rebuild(name: str, out: Path) -> Section:
    """Render experiment ``name`` again from ``out/raw/<name>.npz``; nothing is measured."""
    path = raw_path(out, name)
    if not path.exists():
        raise FileNotFoundError(f"no stored numbers for {name} at {path}; run `emdkit sgm {name}` first")
    tables, meta, _ = load_tables(path)
    section = MODULES[name].render(tables, meta, Path(out))
    section.run_info = meta
    return section


#: name -> callable(out, quick=False, seed=0) -> Section (the CLI's verbs)
EXPERIMENTS = {name: functools.partial(run_experiment, name) for name in MODULES}

__all__ = ["EPS", "EXPERIMENTS", "MODULES", "ORDER_ONE_BAND", "rebuild", "rotated_gaussian",
           "run_experiment"]
