"""_choose: every path is reachable, tells itself apart, and an explicit method that cannot
serve its input raises instead of falling back (issue 12)."""
import numpy as np
import pytest

import emdkit
from emdkit.core import candidate_rounds

from .oracle import lp_emd_work

RNG = np.random.default_rng(0)
X2, Y2 = RNG.random((6, 2)), RNG.random((5, 2))
X1, Y1 = RNG.random(6), RNG.random(5)
W6, W5 = np.ones(6), np.full(5, 1.2)


@pytest.mark.parametrize("kwargs, match", [
    # the sorted coupling: points on a line only
    (dict(X=X2, Y=Y2, metric="euclidean", method="monotone_1d"), "needs points on a line"),
    # ... with a registered metric, never a callable it cannot know is convex
    (dict(X=X1, Y=Y1, metric=lambda x, y: abs(x - y).sum(), method="monotone_1d"),
     "needs a registered metric"),
    # ... and equal totals
    (dict(X=X1, Y=Y1, metric="euclidean", method="monotone_1d", wy=np.ones(5)),
     "needs equal totals"),
    # the matrix-free path needs its KD-tree bounds: registered metrics only
    (dict(X=X2, Y=Y2, metric=lambda x, y: 1.0, method="pointcloud"),
     "needs a registered metric"),
    (dict(X=X2, Y=Y2, metric="euclidean", method="fast"), "method must be one of"),
])
def test_explicit_methods_refuse_inputs_they_cannot_serve(kwargs, match):
    X, Y = kwargs.pop("X"), kwargs.pop("Y")
    wy = kwargs.pop("wy", W5)
    with pytest.raises(ValueError, match=match):
        emdkit.signature_emd(X, W6, Y, wy, **kwargs)


def test_monotone_1d_used_to_read_only_the_first_coordinate():
    # the silent wrong answer: 2-D points sent to the 1-D path
    with pytest.raises(ValueError):
        emdkit.signature_emd(X2, W6, Y2, W5, method="monotone_1d")


def test_dense_serves_every_input():
    for metric in ("euclidean", lambda x, y: float(np.abs(x - y).sum())):
        r = emdkit.signature_emd(X2, W6, Y2, W5, metric, method="dense")
        C = emdkit.ground_distance(X2, Y2, metric)
        assert r.work == pytest.approx(lp_emd_work(W6, W5, C), rel=1e-9)


def test_every_path_names_itself(monkeypatch):
    rng = np.random.default_rng(1)
    a, b = rng.random(7) + 0.1, rng.random(9) + 0.1
    assert emdkit.emd(a, b, rng.random((7, 9))).method == "block"
    assert emdkit.emd(a, b, np.full((7, 9), 2.0)).method == "constant"
    assert emdkit.emd(np.ones(7), np.ones(7), rng.random((7, 7))).method == "assignment"
    big = rng.random((340, 300))
    assert emdkit.emd(rng.random(340) + .1, rng.random(300) + .1, big).method == \
        "candidate_rounds"
    assert emdkit.signature_emd(X1, W6, Y1, np.full(5, 1.2)).method == "monotone_1d"
    assert emdkit.signature_emd(X2, W6, Y2, W5, method="pointcloud").method == "pointcloud"
    wide = emdkit.emd([2.0, 3.0, 1.0], [2.0, 1.0], [[1e-6, 1e-5], [1e11, 1e-7], [1e-7, 1e-4]])
    assert wide.method in ("block", "exact_rational", "exact_integer")
    assert wide.distance == pytest.approx(4e-7, rel=1e-15)


def test_uncertifiable_large_problems_are_solved_exactly_or_raise(monkeypatch):
    from emdkit.core import certificate
    from emdkit.core.engine import native_engine

    from .oracle import lp_emd_work
    # a certificate that never passes, on either scale (gap inf): every problem must go to
    # exact arithmetic
    monkeypatch.setattr(candidate_rounds, "certify",
                        lambda *a: (False,) + tuple(certificate.certify(*a)[1:3]) + (np.inf,))
    rng = np.random.default_rng(2)
    a, b, C = rng.random(340) + .1, rng.random(300) + .1, rng.random((340, 300))
    if hasattr(native_engine(), "exact_transport"):  # integers: no size limit
        r = emdkit.emd(a, b, C)
        assert r.method == "exact_integer"
        assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=1e-9)
        return
    with pytest.raises(emdkit.SolverError, match="dynamic range"):
        emdkit.emd(a, b, C)  # too large to refine in rationals: a documented error, not a value


def test_choose_lists_its_rules_in_the_docstrings():
    for fn in (emdkit.emd, emdkit.signature_emd):
        doc = fn.__doc__
        for name in ("assignment", "block", "candidate_rounds", "constant") if fn is emdkit.emd \
                else ("monotone_1d", "pointcloud", "dense"):
            assert name in doc, (fn.__name__, name)
