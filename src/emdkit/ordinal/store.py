"""The sweep's raw data in one file, ``<report>/raw/runs.npz`` (issue 26).

:func:`pack` gathers every finished run of a sweep (metrics of both evaluations, per-epoch
history, per-example predictions of the last step and of the EMA, specs, environment, timings)
into a compressed ``.npz`` via :mod:`emdkit.rawdata`; :func:`load` gives it back as a
:class:`StoredSweep`, which is all the report reads. Predictions are int8 class indices, one
row per run, so a few hundred runs stay at a few MB.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emdkit.rawdata import load_tables, save_tables

RAW = Path("raw") / "runs.npz"
#: measures kept per run for both evaluations (the report's descriptive table)
MEASURES = ("accuracy", "off_by_one", "mae", "qwk", "rps", "cwe_business")


@dataclass
class StoredSweep:
    runs: list[dict]               # one row per run: task, method, seed, last_*/ema_* measures, seconds
    history: list[dict]            # one row per run and epoch: test_* (last step) and ema_* measures
    y_true: dict[str, np.ndarray]  # task -> test labels
    pred: dict[str, dict[str, np.ndarray]]  # "last"/"ema" -> task -> (runs of the task, n) predictions
    meta: dict                     # specs per task, environments, timing log, load samples, planned runs

    def row_of(self, task: str, method: str, seed: int) -> int | None:
        """Index of the run within its task's prediction matrix (None if not run)."""
        rows = [r for r in self.runs if r["task"] == task]
        for i, r in enumerate(rows):
            if r["method"] == method and r["seed"] == seed:
                return i
        return None


def pack(results, config, out_dir: Path, timing: dict) -> Path:
    """Write ``out_dir/raw/runs.npz`` from finished :class:`~emdkit.ordinal.train.RunResult` s;
    ``timing`` is :func:`emdkit.ordinal.sweep.sweep_timing` of the runs folder."""
    results = sorted(results, key=lambda r: (config.tasks.index(r.spec.task), r.spec.method, r.spec.seed))
    runs, history, arrays, specs, envs = [], [], {}, {}, []
    for task in dict.fromkeys(r.spec.task for r in results):
        mine = [r for r in results if r.spec.task == task]
        arrays[f"{task}/y_true"] = np.asarray(mine[0].y_true, dtype=np.int8)
        arrays[f"{task}/last"] = np.array([r.y_pred_last for r in mine], dtype=np.int8)
        arrays[f"{task}/ema"] = np.array([r.y_pred for r in mine], dtype=np.int8)
        specs[task] = {k: v for k, v in dataclasses.asdict(mine[0].spec).items()
                       if k not in ("task", "method", "seed")}
    for r in results:
        row = dict(task=r.spec.task, method=r.spec.method, seed=r.spec.seed,
                   seconds=float(r.seconds), cpu_seconds=float(r.cpu_seconds))
        row.update({f"last_{m}": float(r.metrics_last[m]) for m in MEASURES})
        row.update({f"ema_{m}": float(r.metrics[m]) for m in MEASURES})
        runs.append(row)
        for h in r.history:
            history.append(dict(task=r.spec.task, method=r.spec.method, seed=r.spec.seed,
                                epoch=int(h["epoch"]), last_mae=float(h["test_mae"]),
                                ema_mae=float(h.get("ema_mae", np.nan)),
                                last_accuracy=float(h["test_accuracy"]),
                                ema_accuracy=float(h.get("ema_accuracy", np.nan))))
        env = json.dumps(r.environment, sort_keys=True)
        if env not in envs:
            envs.append(env)
    planned = [s.run_id for s in config.specs()]
    meta = dict(specs=specs, environments=[json.loads(e) for e in envs], planned=planned,
                config=str(config.source), **timing)
    return save_tables(Path(out_dir) / RAW, dict(runs=runs, history=history), meta, arrays)


def load(out_dir: Path) -> StoredSweep:
    """The stored sweep of ``out_dir/raw/runs.npz``."""
    path = Path(out_dir) / RAW
    if not path.exists():
        raise FileNotFoundError(f"no stored runs at {path}; run `emdkit ordinal pack` (or a sweep) first")
    tables, meta, arrays = load_tables(path)
    tasks = list(dict.fromkeys(r["task"] for r in tables["runs"]))
    return StoredSweep(tables["runs"], tables["history"],
                       {t: arrays[f"{t}/y_true"].astype(np.int64) for t in tasks},
                       {kind: {t: arrays[f"{t}/{kind}"].astype(np.int64) for t in tasks}
                        for kind in ("last", "ema")}, meta)
