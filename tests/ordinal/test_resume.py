"""Issue 14: a stored run stands in for a request only when its whole spec matches."""
import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("sklearn")

from emdkit.cli import main  # noqa: E402
from emdkit.ordinal.sweep import (fields_differing_within_task, load_results, load_sweep,  # noqa: E402
                                  run_sweep, stale_runs)
from emdkit.ordinal.train import (RunSpec, SpecMismatchError, spec_differences,  # noqa: E402
                                  train_run)

RUN = ["ordinal", "run", "--task", "digits", "--method", "ce", "--max-train", "200",
       "--batch-size", "64"]


def _stored(runs):
    return json.loads((runs / "digits" / "ce" / "seed0" / "result.json").read_text())


def test_epochs_4_with_resume_after_a_2_epoch_run_trains_4_epochs(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(RUN + ["--epochs", "2", "--runs-dir", str(runs)]) == 0
    two = _stored(runs)
    assert two["spec"]["epochs"] == 2 and len(two["history"]) == 2
    capsys.readouterr()
    assert main(RUN + ["--epochs", "4", "--resume", "--runs-dir", str(runs)]) == 0
    captured = capsys.readouterr()
    four = _stored(runs)
    assert four["spec"]["epochs"] == 4 and len(four["history"]) == 4
    assert four["metrics"] != two["metrics"]
    assert "4 epochs" in captured.out and "epochs 2 -> 4" in captured.err
    # the same request again is served from the store: same metrics, no retraining message
    assert main(RUN + ["--epochs", "4", "--resume", "--runs-dir", str(runs)]) == 0
    assert _stored(runs)["metrics"] == four["metrics"]
    assert "training again" not in capsys.readouterr().err


def test_a_changed_learning_rate_is_not_served_from_the_store(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(RUN + ["--epochs", "1", "--runs-dir", str(runs)]) == 0
    assert main(RUN + ["--epochs", "1", "--lr", "0.5", "--resume", "--runs-dir", str(runs)]) == 0
    assert _stored(runs)["spec"]["lr"] == 0.5
    assert "lr 0.002 -> 0.5" in capsys.readouterr().err


def test_refuse_mismatch_names_the_differing_fields(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(RUN + ["--epochs", "1", "--runs-dir", str(runs)]) == 0
    capsys.readouterr()
    assert main(RUN + ["--epochs", "3", "--lr", "0.01", "--resume", "--refuse-mismatch",
                       "--runs-dir", str(runs)]) == 2
    err = capsys.readouterr().err
    assert "epochs 1 -> 3" in err and "lr 0.002 -> 0.01" in err and len(err.splitlines()) == 1
    assert _stored(runs)["spec"]["epochs"] == 1  # refused: the stored run is untouched


def test_an_interrupted_run_of_another_spec_is_not_continued(tmp_path):
    spec = RunSpec("digits", "ce", epochs=3, max_train=200, max_test=100, batch_size=64)
    train_run(spec, tmp_path, progress=False, stop_after_epoch=0)
    other = RunSpec("digits", "ce", epochs=2, max_train=200, max_test=100, batch_size=64)
    with pytest.raises(SpecMismatchError, match="epochs 3 -> 2"):
        train_run(other, tmp_path, resume=True, progress=False, on_mismatch="refuse")
    resumed = train_run(other, tmp_path, resume=True, progress=False)
    fresh = train_run(other, None, progress=False)
    assert resumed.metrics == fresh.metrics and len(resumed.history) == 2


SWEEP = """
[sweep]
tasks = ["digits"]
methods = ["ce"]
seeds = [0]
runs_dir = "{runs}"
report_dir = "{report}"
[defaults]
epochs = {epochs}
max_train = 150
max_test = 80
batch_size = 64
"""


def test_a_sweep_with_a_changed_config_does_not_reuse_old_runs(tmp_path):
    cfg = tmp_path / "mini.toml"
    fmt = dict(runs=tmp_path / "runs", report=tmp_path / "report")
    cfg.write_text(SWEEP.format(epochs=1, **fmt))
    first = run_sweep(load_sweep(cfg), progress=False)
    cfg.write_text(SWEEP.format(epochs=3, **fmt))
    config = load_sweep(cfg)
    assert load_results(config) == []  # the 1-epoch run is not this config's
    assert stale_runs(config) == {"digits/ce/seed0": {"epochs": (1, 3)}}
    again = run_sweep(config, resume=True, progress=False)
    assert again[0].spec.epochs == 3 and len(again[0].history) == 3
    assert again[0].metrics != first[0].metrics
    assert [r.spec for r in load_results(config)] == [again[0].spec]


def test_spec_helpers_for_the_report():
    a = RunSpec("movies", "ce", epochs=2)
    assert spec_differences(a, RunSpec("movies", "sord", seed=3, epochs=2)) == \
        {"method": ("ce", "sord"), "seed": (0, 3)}
    assert spec_differences({"task": "movies"}, a)["epochs"] == ("<not recorded>", 2)
    mixed = [a, RunSpec("movies", "emd2", epochs=4), RunSpec("digits", "ce", lr=0.1),
             RunSpec("digits", "sord", seed=2, lr=0.1)]
    assert fields_differing_within_task(mixed) == {"movies": {"epochs": [2, 4]}}
