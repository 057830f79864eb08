"""emdkit.ordinal: the EMD² loss against cross-entropy on ordered classes, on offline real data.

Tasks (``emdkit.ordinal.data``): diamonds clarity and colour, movie rating histograms, Blue
Marble latitude bands, digits (no order). Methods (``emdkit.ordinal.methods``): ce, emd2,
ce+emd2, learned-gd, sord. ``train_run`` trains one checkpointed run; ``run_sweep`` runs
methods x tasks x seeds and writes the report (``emdkit ordinal sweep``).
"""
from .data import TASKS, Task, load_task
from .methods import METHODS
from .sweep import SweepConfig, load_sweep, parse_sweep, run_sweep
from .train import RunResult, RunSpec, train_run

__all__ = ["METHODS", "RunResult", "RunSpec", "SweepConfig", "TASKS", "Task", "load_sweep", "load_task",
           "parse_sweep", "run_sweep", "train_run"]
