"""Methods x tasks x seeds, from a TOML file or the built-in default.

The default is sized to finish in about 15 minutes on one thread of a 2-core CPU that other
jobs share (a first version with 2/3 of these epochs took 9.7 min at load average 3-5), so that
it stays under 30 minutes when the machine is busier. Keys of ``[defaults]`` and ``[task.<name>]`` are
:class:`~emdkit.ordinal.train.RunSpec` fields; a task table overrides the defaults.
"""
from __future__ import annotations

import dataclasses
import sys
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core.threads import resolve_threads
from ..core.validation import n_jobs_or_alias
from .data import TASKS
from .methods import METHODS
from .train import RESULT, RunResult, RunSpec, load_matching_result, spec_differences, train_run

DEFAULT_SWEEP_TOML = """\
# emdkit ordinal sweep: the built-in default (print it with `emdkit ordinal default-config`).
# Issue 17 design: 10 seeds per cell; permuted-D and constant-D controls beside learned-gd; a SORD
# temperature sweep (alpha 0.25, 1, 4); two synthetic blur tasks (order strength 1 and 0); EMA of
# the weights for the end-of-training numbers. A [task.<name>] table may list its own methods.
# Sized for the 2 shared cores it ran on (load average 10-14 from other jobs, this sweep at nice 19):
# tasks run in this order (most important first); the controls and SORD variants only where they
# answer a question; diamonds subsampled to 20,000 training stones; diamonds-color left out (it
# asks the same question as diamonds-clarity); Blue Marble 8 epochs, blur 8, digits 20.
[sweep]
tasks = ["diamonds-clarity", "movies", "bluemarble", "digits", "blur-ordered", "blur-shuffled"]
methods = ["ce", "emd2", "ce+emd2", "learned-gd", "perm-gd", "const-gd", "sord", "sord-a0.25", "sord-a4"]
seeds = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
runs_dir = "runs/ordinal"        # checkpoints and per-run results (git-ignored)
report_dir = "emdkit-output/ordinal"   # README.md, CSV tables, PNGs (--out reports/ordinal for the committed one)
# run again in fresh processes after the sweep (same spec; 2 threads; last-bit change of the
# initial weights), to measure reproducibility
reproducibility = ["movies/ce/1", "bluemarble/ce/1"]

[defaults]            # every run; a [task.<name>] table overrides
lr = 0.002
batch_size = 256
hidden = 64
warmup_epochs = 2     # ce+emd2: cross-entropy alone for this many epochs (CEEMD2Schedule default)
gd_start_epoch = 1    # learned-gd, perm-gd, const-gd: first epoch whose features build D
gd_weight = 1.0       # the weight of the weighted-squared term next to CE
sord_alpha = 1.0      # sord: t_k ~ exp(-alpha (k - y)^2); sord-a<alpha> fixes its own alpha
ema_epochs = 2.0      # reported numbers: EMA of the weights over about the last 2 epochs
threads = 1

[task.diamonds-clarity]
epochs = 18
batch_size = 512
max_train = 20000

[task.movies]
epochs = 20

[task.bluemarble]
epochs = 8
batch_size = 128
flip_augment = true   # tiles flipped left-right / up-down: the latitude band does not change
methods = ["ce", "emd2", "ce+emd2", "learned-gd", "perm-gd", "sord"]

[task.digits]
epochs = 20
batch_size = 64
methods = ["ce", "emd2", "ce+emd2"]

[task.blur-ordered]
epochs = 8
batch_size = 64
methods = ["ce", "emd2", "sord"]

[task.blur-shuffled]
epochs = 8
batch_size = 64
methods = ["ce", "emd2", "sord"]
"""

TIMING = "sweep_timing.json"  # in runs_dir: wall time of the last complete sweep
TIMING_LOG = "sweep_timing_log.jsonl"  # in runs_dir: one line per sweep invocation (resumes add up)

# Defaults write outside the repository's tracked reports/ (issue 14): the committed report is
# regenerated only with an explicit `--out reports/ordinal` or a TOML that names it.
DEFAULT_RUNS_DIR = "runs/ordinal"
DEFAULT_REPORT_DIR = "emdkit-output/ordinal"

SPEC_FIELDS = {f.name for f in dataclasses.fields(RunSpec)} - {"task", "method", "seed"}


@dataclass
class SweepConfig:
    tasks: list[str]
    methods: list[str]
    seeds: list[int]
    runs_dir: Path = Path(DEFAULT_RUNS_DIR)
    report_dir: Path = Path(DEFAULT_REPORT_DIR)
    defaults: dict = field(default_factory=dict)
    per_task: dict[str, dict] = field(default_factory=dict)
    source: str = "built-in default"
    reproducibility: list[str] = field(default_factory=list)  # "task/method/seed" to rerun

    def specs(self) -> list[RunSpec]:
        """Every run of the sweep: each task × its methods × the seeds, with the task's options.

        See Also
        --------
        run_sweep : trains these runs.
        train_run : trains one of them.
        """
        out = []
        for task in self.tasks:
            options = {**self.defaults, **self.per_task.get(task, {})}
            # issue 17: a task table may name its own methods (controls and variants where they matter)
            methods = options.pop("methods", self.methods)
            for method in methods:
                for seed in self.seeds:
                    out.append(RunSpec(task=task, method=method, seed=seed, **options))
        return out


def parse_sweep(text: str, source: str = "<string>") -> SweepConfig:
    """Parse and validate a sweep TOML document; every fault names the key.

    See Also
    --------
    load_sweep : the same from a file.
    run_sweep : runs what it describes.

    References
    ----------
    .. [1] T. Preston-Werner et al., "TOML v1.0.0" specification, 2021.
    """
    try:
        import tomllib
    except ModuleNotFoundError as exc:  # Python 3.10
        raise ImportError("reading a sweep TOML needs Python >= 3.11 (tomllib)") from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from exc
    unknown = set(doc) - {"sweep", "defaults", "task"}
    if unknown:
        raise ValueError(f"{source}: unknown top-level tables {sorted(unknown)}; "
                         "expected [sweep], [defaults], [task.<name>]")
    sweep = doc.get("sweep", {})
    bad = set(sweep) - {"tasks", "methods", "seeds", "runs_dir", "report_dir", "reproducibility"}
    if bad:
        raise ValueError(f"{source}: unknown keys in [sweep]: {sorted(bad)}")
    tasks = list(sweep.get("tasks", list(TASKS)))
    methods = list(sweep.get("methods", list(METHODS)))
    seeds = list(sweep.get("seeds", [0, 1, 2]))
    for t in tasks:
        if t not in TASKS:
            raise ValueError(f"{source}: [sweep] tasks: unknown task {t!r}; choose from {list(TASKS)}")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"{source}: [sweep] methods: unknown method {m!r}; choose from {list(METHODS)}")
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int) or s < 0 for s in seeds):
        raise ValueError(f"{source}: [sweep] seeds must be a non-empty list of integers >= 0, got {seeds}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{source}: [sweep] seeds has duplicates: {seeds}")
    defaults = dict(doc.get("defaults", {}))
    per_task = {name: dict(options) for name, options in doc.get("task", {}).items()}
    for where, options in [("[defaults]", defaults)] + [(f"[task.{n}]", o) for n, o in per_task.items()]:
        bad = set(options) - SPEC_FIELDS - ({"methods"} if where != "[defaults]" else set())
        if bad:
            raise ValueError(f"{source}: {where} has unknown keys {sorted(bad)}; allowed: {sorted(SPEC_FIELDS)}")
    for name in per_task:
        if name not in TASKS:
            raise ValueError(f"{source}: [task.{name}]: unknown task; choose from {list(TASKS)}")
        for m in per_task[name].get("methods", []):
            if m not in METHODS:
                raise ValueError(f"{source}: [task.{name}] methods: unknown method {m!r}; "
                                 f"choose from {list(METHODS)}")
    config = SweepConfig(tasks, methods, seeds, Path(sweep.get("runs_dir", DEFAULT_RUNS_DIR)),
                         Path(sweep.get("report_dir", DEFAULT_REPORT_DIR)), defaults, per_task,
                         source)
    config.reproducibility = list(sweep.get("reproducibility", []))
    ids = {spec.run_id for spec in config.specs()}  # builds every RunSpec once: bad values fail early
    for item in config.reproducibility:
        parts = str(item).split("/")
        if len(parts) != 3 or f"{parts[0]}/{parts[1]}/seed{parts[2]}" not in ids:
            raise ValueError(f"{source}: [sweep] reproducibility: {item!r} is not 'task/method/seed' "
                             "of a run in this sweep")
    return config


def load_sweep(path: Path | None) -> SweepConfig:
    """The sweep in the TOML file ``path``, or the built-in default (None).

    See Also
    --------
    parse_sweep : the same from a string.
    run_sweep : runs what it describes.

    References
    ----------
    .. [1] T. Preston-Werner et al., "TOML v1.0.0" specification, 2021.
    """
    if path is None:
        return parse_sweep(DEFAULT_SWEEP_TOML, "built-in default")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"sweep config {path} does not exist")
    return parse_sweep(path.read_text(), str(path))


def run_sweep(config: SweepConfig, *, resume: bool = False, progress: bool = True,
              n_jobs: int = 1, on_mismatch: str = "retrain",
              jobs: int | None = None) -> list[RunResult]:
    """Run every spec; the caller stores the raw data and writes the report
    (:func:`emdkit.ordinal.store.pack`, :func:`emdkit.ordinal.report.write_report`).

    With ``resume`` a stored run is reused only when its spec equals the config's in every
    field (:func:`~emdkit.ordinal.train.spec_differences`); other stored runs are trained
    again (``on_mismatch="retrain"``) or refused (``"refuse"``, naming the differing fields).

    Parameters
    ----------
    config : SweepConfig
        The specs to run and where their runs live.
    resume : bool, default False
        Reuse stored runs whose spec matches.
    progress : bool, default True
        Show a progress bar.
    n_jobs : int, default 1
        Runs trained at once, in worker processes (each on ``spec.threads`` threads); -1: one
        per available core. Results do not depend on it.
    on_mismatch : {"retrain", "refuse"}, default "retrain"
        What to do with a stored run whose spec differs.
    jobs : int, optional
        Deprecated alias of ``n_jobs`` (its name before 0.2); warns, and goes in 0.3.

    Returns
    -------
    list of RunResult

    See Also
    --------
    train_run : one run.
    load_sweep : a sweep from a TOML file.

    References
    ----------
    .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for training
       deep neural networks", arXiv:1611.05916, 2016.
    .. [2] R. Díaz, A. Marathe, "Soft labels for ordinal regression", CVPR 2019.
    """
    jobs = resolve_threads(n_jobs_or_alias(n_jobs, jobs, 1, old_name="jobs"))
    specs = config.specs()
    results = []
    t0 = time.perf_counter()
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(specs), desc="ordinal sweep", unit="run", file=sys.stderr)
    if jobs > 1:
        from .parallel import train_in_workers
        results = train_in_workers(specs, config.runs_dir, jobs, resume=resume, bar=bar)
    for spec in specs if jobs <= 1 else []:
        run_dir = run_dir_of(config, spec)
        if bar is not None:
            bar.set_postfix_str(spec.run_id)
        results.append(train_run(spec, run_dir, resume=resume, progress=progress,
                                 on_mismatch=on_mismatch))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    wall = time.perf_counter() - t0
    if config.reproducibility:
        from .parallel import reproducibility_check
        reproducibility_check(config, specs)
    import json
    record = {"wall_seconds": wall, "runs": len(specs), "resumed": resume, "jobs": jobs,
              "load_average": os.getloadavg()[0],
              "finished_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())}
    (config.runs_dir / TIMING).write_text(json.dumps(record))
    with open(config.runs_dir / TIMING_LOG, "a") as fh:  # every invocation, so resumed sweeps add up
        fh.write(json.dumps(record) + "\n")
    return results


def sweep_timing(runs_dir: Path) -> dict:
    """What the runs folder recorded about time and load: every invocation's wall time, the
    load average sampled after each run of the last parallel invocation, and the first and
    last finished result (file times: a sweep stopped at a deadline writes no timing record)."""
    import json
    from .parallel import LOAD_SAMPLES
    runs_dir = Path(runs_dir)
    log = runs_dir / TIMING_LOG
    invocations = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    samples = runs_dir / LOAD_SAMPLES
    loads = json.loads(samples.read_text())["load_average_1min"] if samples.exists() else []
    stamps = sorted(p.stat().st_mtime for p in runs_dir.rglob(RESULT))
    utc = (lambda t: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t)))
    return dict(invocations=invocations, load_samples=loads,
                first_result=utc(stamps[0]) if stamps else "", last_result=utc(stamps[-1]) if stamps else "",
                result_span_seconds=stamps[-1] - stamps[0] if stamps else 0.0)


def run_dir_of(config: SweepConfig, spec: RunSpec) -> Path:
    """Where a sweep keeps the checkpoint and ``result.json`` of ``spec``."""
    return config.runs_dir / spec.task / spec.method / f"seed{spec.seed}"


def load_results(config: SweepConfig) -> list[RunResult]:
    """The stored results of every finished run of ``config`` whose spec matches it exactly.

    A stored run made with another spec (say 2 epochs where the config asks for 18) is left
    out; :func:`stale_runs` lists those with the fields that differ.
    """
    out = []
    for spec in config.specs():
        try:
            result = load_matching_result(spec, run_dir_of(config, spec), on_mismatch="refuse")
        except ValueError:
            continue
        if result is not None:
            out.append(result)
    return out


def stale_runs(config: SweepConfig) -> dict[str, dict[str, tuple]]:
    """``{run_id: {field: (stored, wanted)}}`` for stored results made with another spec."""
    import json
    out = {}
    for spec in config.specs():
        path = run_dir_of(config, spec) / RESULT
        if path.exists():
            diff = spec_differences(json.loads(path.read_text()).get("spec", {}), spec)
            if diff:
                out[spec.run_id] = diff
    return out


#: the spec fields that may differ between runs a report compares
COMPARABLE_ACROSS = ("method", "seed")


def fields_differing_within_task(specs) -> dict[str, dict[str, list]]:
    """Spec fields other than method and seed that take several values among runs of one task.

    ``{task: {field: [values...]}}``; empty when every task's runs are comparable. A report
    comparing methods must refuse (or at least state) any entry here: runs that differ in,
    say, epochs or learning rate do not compare the methods alone.

    Examples
    --------
    >>> a, b = RunSpec("movies", "ce", epochs=2), RunSpec("movies", "sord", seed=1, epochs=3)
    >>> fields_differing_within_task([a, b])
    {'movies': {'epochs': [2, 3]}}
    >>> fields_differing_within_task([a, RunSpec("movies", "emd2", seed=4, epochs=2)])
    {}
    """
    by_task: dict[str, list[dict]] = {}
    for spec in specs:
        spec = spec.spec if isinstance(spec, RunResult) else spec
        by_task.setdefault(spec.task, []).append(dataclasses.asdict(spec))
    out: dict[str, dict[str, list]] = {}
    for task, rows in by_task.items():
        for name in rows[0]:
            if name in COMPARABLE_ACROSS:
                continue
            values = list(dict.fromkeys(r[name] for r in rows))
            if len(values) > 1:
                out.setdefault(task, {})[name] = values
    return out
