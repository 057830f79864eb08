"""One training run: a task, a method, a seed and a budget, checkpointed after every epoch.

Determinism: the model is initialised after ``torch.manual_seed(seed)``; the batch order of
epoch e comes from a generator seeded with (seed, e), so a run resumed from the checkpoint of
epoch e draws the same batches as an uninterrupted run; ``torch.use_deterministic_algorithms``
is on and the thread count is fixed (default 1), which keeps CPU reductions in a fixed order.

End-of-training evaluation (``ema_epochs > 0``): an exponential moving average of the weights,
updated after every optimiser step with decay beta = 1 - 1 / (ema_epochs * steps per epoch),
i.e. an average over roughly the last ``ema_epochs`` epochs. ``RunResult.metrics`` then come
from the averaged weights and ``RunResult.metrics_last`` from the last step's weights. Every
result records the platform, library versions and thread counts it ran with (``environment``).
"""
from __future__ import annotations

import dataclasses
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data import Task, load_task
from .evaluate import confusion, decide, evaluate
from .methods import METHODS, Batch, build_method

CHECKPOINT = "checkpoint.pt"
RESULT = "result.json"


@dataclass
class RunSpec:
    """Everything that defines a run; two equal specs give equal results."""

    task: str
    method: str
    seed: int = 0
    epochs: int = 10
    batch_size: int = 256
    lr: float = 2e-3
    hidden: int = 64
    warmup_epochs: int = 2
    gd_start_epoch: int = 1
    gd_weight: float = 1.0
    sord_alpha: float = 1.0
    flip_augment: bool = False  # images: random horizontal and vertical flips of each batch
    max_train: int | None = None  # subsample (tests, demo); None = all
    max_test: int | None = None
    threads: int = 1
    ema_epochs: float = 0.0  # > 0: report the EMA of the weights over about this many epochs

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {list(METHODS)}, got {self.method!r}")
        for name in ("epochs", "batch_size", "hidden", "threads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")
        for name in ("max_train", "max_test"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < 1):
                raise ValueError(f"{name} must be a positive integer (or None for all), "
                                 f"got {value!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr!r}")
        if self.warmup_epochs < 0 or self.gd_start_epoch < 0:
            raise ValueError("warmup_epochs and gd_start_epoch must be >= 0")
        if not self.ema_epochs >= 0:
            raise ValueError(f"ema_epochs must be >= 0, got {self.ema_epochs!r}")

    @property
    def run_id(self) -> str:
        return f"{self.task}/{self.method}/seed{self.seed}"


def spec_differences(stored: RunSpec | dict, wanted: RunSpec | dict) -> dict[str, tuple]:
    """The fields in which two run specs differ: ``{field: (stored value, wanted value)}``.

    Either side may be a :class:`RunSpec` or the dict stored in ``result.json`` or a
    checkpoint; a field that one side does not record counts as differing (its value is
    shown as ``"<not recorded>"``). An empty dict means the specs match exactly, which is
    the one condition under which a stored run may stand in for ``wanted``.

    Examples
    --------
    >>> a = RunSpec("movies", "ce", epochs=2)
    >>> spec_differences(a, RunSpec("movies", "ce", epochs=4, lr=0.01))
    {'epochs': (2, 4), 'lr': (0.002, 0.01)}
    >>> spec_differences(a, a)
    {}
    """
    missing = "<not recorded>"
    s = dataclasses.asdict(stored) if isinstance(stored, RunSpec) else dict(stored)
    w = dataclasses.asdict(wanted) if isinstance(wanted, RunSpec) else dict(wanted)
    return {k: (s.get(k, missing), w.get(k, missing)) for k in list(w) + [k for k in s if k not in w]
            if s.get(k, missing) != w.get(k, missing)}


def describe_differences(diff: dict[str, tuple]) -> str:
    """``"epochs 2 -> 4, lr 0.002 -> 0.01"``: the output of :func:`spec_differences` in words."""
    return ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in diff.items())


class SpecMismatchError(ValueError):
    """A stored run (result or checkpoint) was made with a different spec than the one asked for."""

    def __init__(self, path: Path, diff: dict[str, tuple]) -> None:
        self.path, self.diff = path, diff
        super().__init__(f"{path} was made with a different run spec ({describe_differences(diff)}); "
                         "delete it, or rerun without refusing mismatches to train again")


def _stored_spec_problem(path: Path, stored: dict, spec: RunSpec, on_mismatch: str) -> bool:
    """True when the stored spec matches; otherwise refuse (raise) or announce a retrain."""
    diff = spec_differences(stored, spec)
    if not diff:
        return True
    if on_mismatch == "refuse":
        raise SpecMismatchError(path, diff)
    print(f"{spec.run_id}: the stored run at {path} differs ({describe_differences(diff)}); "
          "training again from the start", file=sys.stderr)
    return False


@dataclass
class RunResult:
    spec: RunSpec
    metrics: dict[str, float]
    history: list[dict[str, float]]
    confusion: list[list[int]]
    ground_distance: list[list[float]] | None = None
    method_info: dict = field(default_factory=dict)
    seconds: float = 0.0
    # the end-of-training evaluation (issue 17): per-example predictions for paired bootstraps,
    # the last step's metrics beside the EMA's, and what the run ran on
    metrics_last: dict[str, float] = field(default_factory=dict)
    y_true: list[int] = field(default_factory=list)
    y_pred: list[int] = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0  # process CPU time of training + evaluation (wall time inflates under load)
    # issue 26: the last step's per-example predictions too (the protocol's deciding evaluation)
    y_pred_last: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        """The result as a JSON-ready dict (the spec nested), the form a run directory stores.

        See Also
        --------
        from_json : the inverse.
        run_sweep : writes one of these per run, and reads them back on ``--resume``.
        """
        d = dataclasses.asdict(self)
        d["spec"] = dataclasses.asdict(self.spec)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "RunResult":
        """The result stored by :meth:`to_json`.

        See Also
        --------
        to_json : the inverse.
        """
        d = dict(d)
        d["spec"] = RunSpec(**d["spec"])
        return cls(**d)


def prepare_task(spec: RunSpec) -> Task:
    task = load_task(spec.task)
    if spec.max_train is not None or spec.max_test is not None:
        task = task.subsample(spec.max_train, spec.max_test)
    return task


def load_matching_result(spec: RunSpec, run_dir: Path, on_mismatch: str = "retrain"
                         ) -> RunResult | None:
    """The stored result of ``run_dir`` if it was made with exactly ``spec``, else None.

    ``on_mismatch="refuse"`` raises :class:`SpecMismatchError` (naming the differing fields)
    instead of returning None for a result made with another spec.
    """
    path = Path(run_dir) / RESULT
    if not path.exists():
        return None
    stored = json.loads(path.read_text())
    if not _stored_spec_problem(path, stored.get("spec", {}), spec, on_mismatch):
        return None
    return RunResult.from_json(stored)


def train_run(spec: RunSpec, run_dir: Path | None = None, *, resume: bool = False, progress: bool = True,
              stop_after_epoch: int | None = None, task: Task | None = None,
              on_mismatch: str = "retrain") -> RunResult | None:
    """Train ``spec``; checkpoint into ``run_dir`` after every epoch and write ``result.json`` at the end.

    ``resume=True`` reuses what ``run_dir`` holds only when it was made with exactly ``spec``
    (every field, see :func:`spec_differences`): a finished run's result is returned, an
    interrupted run continues from its checkpoint. A stored run made with another spec is
    trained again from the start (``on_mismatch="retrain"``, the default, which says so on
    stderr) or refused with a :class:`SpecMismatchError` naming the differing fields
    (``on_mismatch="refuse"``). ``stop_after_epoch=e`` stops after epoch e and returns None:
    the same as an interruption right after that checkpoint (used by the resume test).

    See Also
    --------
    run_sweep : many runs and the report.
    load_task : the data.

    References
    ----------
    .. [1] L. Hou, C.-P. Yu, D. Samaras, "Squared Earth Mover's Distance-based loss for training
       deep neural networks", arXiv:1611.05916, 2016.
    .. [2] R. Díaz, A. Marathe, "Soft labels for ordinal regression", CVPR 2019.
    """
    import torch

    if on_mismatch not in ("retrain", "refuse"):
        raise ValueError(f"on_mismatch must be 'retrain' or 'refuse', got {on_mismatch!r}")
    if resume and run_dir is None:
        raise ValueError("resume=True needs a run_dir to resume from")
    if run_dir is not None:
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        if resume:
            stored = load_matching_result(spec, run_dir, on_mismatch)
            if stored is not None:
                return stored
            if (run_dir / RESULT).exists():  # another spec's finished run, announced above
                (run_dir / CHECKPOINT).unlink(missing_ok=True)
        (run_dir / RESULT).unlink(missing_ok=True)  # never leave a result that is not this run's
    torch.set_num_threads(spec.threads)
    torch.use_deterministic_algorithms(True)
    task = prepare_task(spec) if task is None else task
    k = task.num_classes

    torch.manual_seed(spec.seed)
    from .models import build_model
    model = build_model(task.kind, task.x_train.shape[1:], k, spec.hidden)
    optimiser = torch.optim.Adam(model.parameters(), lr=spec.lr)
    # cosine decay to zero over the budget: the last-epoch numbers, which the report compares,
    # then come from a settled model rather than from wherever a constant step size left it
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=spec.epochs)
    method = build_method(spec.method, k, warmup_epochs=spec.warmup_epochs,
                          gd_start_epoch=spec.gd_start_epoch, gd_weight=spec.gd_weight,
                          sord_alpha=spec.sord_alpha, seed=spec.seed)
    ema = WeightAverage(model, spec.ema_epochs, -(-len(task.y_train) // spec.batch_size))
    history: list[dict[str, float]] = []
    start_epoch, elapsed, cpu = 0, 0.0, 0.0
    ckpt_path = None if run_dir is None else run_dir / CHECKPOINT
    if resume and ckpt_path is not None and ckpt_path.exists():
        restored = _restore(ckpt_path, spec, on_mismatch, model, optimiser, scheduler, ema)
        if restored is not None:
            method, history, start_epoch, elapsed, cpu = restored

    x_tr = torch.from_numpy(task.x_train)
    y_tr = torch.from_numpy(task.y_train)
    s_tr = None if task.soft_train is None else torch.from_numpy(task.soft_train)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=spec.epochs, initial=start_epoch, desc=spec.run_id, unit="epoch", leave=False)
    for epoch in range(start_epoch, spec.epochs):
        t0, c0 = time.perf_counter(), time.process_time()
        train_loss = _train_epoch(model, optimiser, ema, method, (x_tr, y_tr, s_tr), spec, epoch)
        method.end_epoch(epoch)
        scheduler.step()
        row = _epoch_row(epoch, train_loss, model, ema, task)
        history.append(row)
        elapsed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        if ckpt_path is not None:
            _save_checkpoint(ckpt_path, spec, model, optimiser, scheduler, method, history,
                             epoch, elapsed, cpu, ema)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{row['train_loss']:.4f}", mae=f"{row['test_mae']:.3f}")
        if stop_after_epoch is not None and epoch >= stop_after_epoch and epoch < spec.epochs - 1:
            if bar is not None:
                bar.close()
            return None
    if bar is not None:
        bar.close()

    result = _final_result(spec, task, model, ema, method, history, elapsed, cpu)
    if run_dir is not None:
        (run_dir / RESULT).write_text(json.dumps(result.to_json(), indent=1))
    return result


class WeightAverage:
    """EMA of a model's weights: w_ema <- beta w_ema + (1 - beta) w after every step.

    beta = 1 - 1 / (ema_epochs * steps_per_epoch): the average reaches back about ``ema_epochs``
    epochs. With ``ema_epochs = 0`` it is off and ``model`` is None.
    """

    def __init__(self, model, ema_epochs: float, steps_per_epoch: int) -> None:
        import copy
        self.enabled = ema_epochs > 0
        self.beta = max(0.0, 1.0 - 1.0 / (ema_epochs * steps_per_epoch)) if self.enabled else 0.0
        self.model = copy.deepcopy(model) if self.enabled else None

    def update(self, model) -> None:
        if not self.enabled:
            return
        import torch
        with torch.no_grad():
            for avg, now in zip(self.model.parameters(), model.parameters()):
                avg.mul_(self.beta).add_(now, alpha=1.0 - self.beta)

    def state_dict(self):
        return None if not self.enabled else self.model.state_dict()

    def load_state_dict(self, state) -> None:
        if self.enabled and state is not None:
            self.model.load_state_dict(state)



def _restore(ckpt_path: Path, spec: RunSpec, on_mismatch: str, model, optimiser, scheduler,
             ema):
    """An interrupted run's checkpoint loaded into the model, optimiser, scheduler, EMA and
    torch's generator: (method, history, next epoch, seconds, CPU seconds), or None when it
    was made with another spec (see :func:`_stored_spec_problem`)."""
    import torch

    state = torch.load(ckpt_path, weights_only=False)
    if not _stored_spec_problem(ckpt_path, state["spec"], spec, on_mismatch):
        return None
    model.load_state_dict(state["model"])
    optimiser.load_state_dict(state["optimiser"])
    scheduler.load_state_dict(state["scheduler"])
    method = pickle.loads(state["method"])
    ema.load_state_dict(state.get("ema"))
    torch.set_rng_state(state["torch_rng"])
    return (method, state["history"], state["epoch"] + 1, state["seconds"],
            state.get("cpu_seconds", 0.0))


def _train_epoch(model, optimiser, ema, method, data, spec: RunSpec, epoch: int) -> float:
    """One pass over the training set in the epoch's seeded order; the mean training loss."""
    import torch

    x_tr, y_tr, s_tr = data
    n = len(y_tr)
    model.train()
    generator = torch.Generator().manual_seed(spec.seed * 100_003 + epoch)
    order = torch.randperm(n, generator=generator)
    total, count = 0.0, 0
    for start in range(0, n, spec.batch_size):
        idx = order[start: start + spec.batch_size]
        batch = Batch(y_tr[idx], None if s_tr is None else s_tr[idx])
        x = x_tr[idx]
        if spec.flip_augment:
            x = _random_flips(x, generator)
        logits, features = model.forward_features(x)
        if method.needs_features:
            method.observe(features, batch)
        loss = method.loss(logits, batch, epoch)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        ema.update(model)
        total += float(loss.detach()) * len(idx)
        count += len(idx)
    return total / count


def _epoch_row(epoch: int, train_loss: float, model, ema, task: Task) -> dict:
    """The history row of an epoch: its training loss and the test metrics (EMA's too)."""
    proba = predict_proba(model, task.x_test)
    row = {"epoch": epoch, "train_loss": train_loss}
    row.update({f"test_{k_}": v for k_, v in evaluate(task.y_test, proba, task.soft_test, task.decision).items()})
    if ema.enabled:
        ema_proba = predict_proba(ema.model, task.x_test)
        row.update({f"ema_{k_}": v for k_, v in
                    evaluate(task.y_test, ema_proba, task.soft_test, task.decision).items()})
    return row


def _save_checkpoint(ckpt_path: Path, spec: RunSpec, model, optimiser, scheduler, method,
                     history, epoch: int, elapsed: float, cpu: float, ema) -> None:
    import torch

    tmp = ckpt_path.with_suffix(".tmp")
    torch.save({"spec": dataclasses.asdict(spec), "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "scheduler": scheduler.state_dict(), "method": pickle.dumps(method),
                "history": history, "epoch": epoch, "seconds": elapsed, "cpu_seconds": cpu,
                "torch_rng": torch.get_rng_state(), "ema": ema.state_dict()}, tmp)
    os.replace(tmp, ckpt_path)  # atomic: an interruption never leaves half a checkpoint


def _final_result(spec: RunSpec, task: Task, model, ema, method, history, elapsed: float,
                  cpu: float) -> RunResult:
    """The run's result: the last step's and the decided (EMA where on) predictions."""
    k = task.num_classes
    last_proba = predict_proba(model, task.x_test)
    last = evaluate(task.y_test, last_proba, task.soft_test, task.decision)
    proba = predict_proba(ema.model if ema.enabled else model, task.x_test)
    y_pred = decide(proba, task.decision)
    D = method.ground_distance()
    return RunResult(spec, evaluate(task.y_test, proba, task.soft_test, task.decision), history,
                     confusion(task.y_test, y_pred, k).tolist(),
                     None if D is None else np.asarray(D, dtype=float).tolist(),
                     method.describe(), elapsed, last, task.y_test.astype(int).tolist(),
                     y_pred.astype(int).tolist(), run_environment(), cpu,
                     decide(last_proba, task.decision).astype(int).tolist())

def run_environment() -> dict:
    """Platform, library versions and thread counts of this process (stored with every result)."""
    import platform
    import sys
    import scipy
    import torch

    from .. import __version__
    from ..core.engine import engine_name
    # the engine that ran the kernels, not numba's version: the compiled engine is part of
    # emdkit's own build, so its version is emdkit's (runs stored before record "numba" instead)
    return {"platform": platform.platform(), "machine": platform.machine(),
            "processor": platform.processor(), "python": sys.version.split()[0],
            "torch": torch.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "engine": engine_name(), "emdkit": __version__,
            "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads(), "cpu_count": os.cpu_count(),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
            "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def _random_flips(x, generator):
    """Flip each image left-right and/or up-down with probability 1/2 (labels are unchanged)."""
    import torch
    flip = torch.rand(2, x.shape[0], generator=generator) < 0.5
    x = torch.where(flip[0][:, None, None, None], x.flip(-1), x)
    return torch.where(flip[1][:, None, None, None], x.flip(-2), x)


def predict_proba(model, x: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """Softmax of the model's logits on ``x``, float64 (n, K)."""
    import torch
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            out.append(torch.softmax(model(torch.from_numpy(x[start: start + batch_size])).double(), dim=1))
    return torch.cat(out).numpy()
