"""MMD-EMD, COV-EMD, 1-NNA-EMD: hand-checked tiny cases, and a direct computation from a matrix
of emdkit.emd values written with plain loops from PointFlow's definitions."""
import numpy as np
import pytest
from scipy.spatial.distance import cdist

import emdkit
from emdkit.metrics import cov_emd, mmd_emd, one_nna_emd, point_cloud_metrics
from emdkit.metrics.pointcloud import mmd_cov_from_matrix, one_nna_from_matrices


def on_line(*xs):
    """One-point clouds at (x, 0): the EMD between two of them is |x − x'|."""
    return np.array([[[x, 0.0]] for x in xs])


def test_hand_checked_one_point_clouds():
    gen, ref = on_line(0.0, 5.0), on_line(1.0, 2.6)
    # D_gr = [[1, 2.6], [4, 2.4]]: reference minima 1 and 2.4; generated pick ref 0 and ref 1
    assert mmd_emd(gen, ref) == pytest.approx(1.7, abs=1e-12)
    assert cov_emd(gen, ref) == 1.0
    # nearest neighbours: g0→r0 (wrong), g1→r1 (wrong), r0→g0 (wrong), r1→r0 (right)
    assert one_nna_emd(gen, ref) == 0.25


def test_hand_checked_two_point_clouds_and_ragged_sizes():
    square_bottom = np.array([[0.0, 0.0], [1.0, 0.0]])
    square_top = np.array([[0.0, 1.0], [1.0, 1.0]])
    far = np.array([[10.0, 0.0], [11.0, 0.0], [12.0, 0.0]])
    # EMD(bottom, top) = 1; every unit moved from bottom to far travels at least 10
    d_far = emdkit.signature_emd(square_bottom, [0.5, 0.5], far, [1 / 3] * 3).distance
    assert d_far > 10
    metrics = point_cloud_metrics([square_bottom], [square_top, far])
    assert metrics["mmd_emd"] == pytest.approx((1.0 + d_far) / 2, abs=1e-12)
    assert metrics["cov_emd"] == 0.5
    # nearest neighbours: bottom→top (a reference: wrong), top→bottom (wrong), and far→bottom
    # (top lies one unit further up, so it is further from far): wrong
    assert metrics["1nna_emd"] == 0.0


def test_equal_a_direct_computation_from_emd_values():
    rng = np.random.default_rng(0)
    gen = [rng.normal(size=(rng.integers(5, 12), 3)) for _ in range(4)]
    ref = [rng.normal(loc=0.3, size=(rng.integers(5, 12), 3)) for _ in range(5)]
    every = gen + ref

    def d(x, y):
        return emdkit.emd(np.full(len(x), 1 / len(x)), np.full(len(y), 1 / len(y)),
                          cdist(x, y)).distance

    M = np.array([[d(x, y) for y in every] for x in every])
    n_g = len(gen)
    mmd = np.mean([min(M[i, n_g + j] for i in range(n_g)) for j in range(len(ref))])
    picked = {min(range(len(ref)), key=lambda j: M[i, n_g + j]) for i in range(n_g)}
    cov = len(picked) / len(ref)
    correct = 0
    for i in range(len(every)):
        nearest = min((k for k in range(len(every)) if k != i), key=lambda k: M[i, k])
        correct += (nearest < n_g) == (i < n_g)
    nna = correct / len(every)

    assert mmd_emd(gen, ref) == pytest.approx(mmd, rel=1e-12)
    assert cov_emd(gen, ref) == cov
    assert one_nna_emd(gen, ref) == nna
    together = point_cloud_metrics(gen, ref, n_jobs=1, progress=False)
    assert together == pytest.approx({"mmd_emd": mmd, "cov_emd": cov, "1nna_emd": nna}, rel=1e-12)


def test_matrix_helpers_and_bad_input():
    assert mmd_cov_from_matrix([[1.0, 3.0], [2.0, 0.5]]) == (0.75, 1.0)
    with pytest.raises(ValueError, match="blocks do not fit"):
        one_nna_from_matrices(np.zeros((2, 2)), np.zeros((2, 3)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"generated\[1\] contains NaN"):
        mmd_emd([np.zeros((2, 2)), np.full((2, 2), np.nan)], [np.zeros((2, 2))])
    with pytest.raises(ValueError, match="reference is empty"):
        cov_emd([np.zeros((2, 2))], [])
    with pytest.raises(ValueError, match=r"generated must be \(B, N, d\)"):
        one_nna_emd(np.zeros((2, 2)), [np.zeros((2, 2))])


def test_importing_the_metrics_loads_neither_numba_nor_torch():
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parents[2] / "src")
    code = ("import sys, emdkit.metrics, emdkit.metrics.pointcloud; "
            "print(sorted(m for m in ('numba', 'torch') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_issue_24_refused_types_and_the_callers_names():
    """mmd_emd took booleans (1.414 for all-False against all-True); faults in a reference
    cloud were named signatures[4] / signatures_b[1]."""
    with pytest.raises(TypeError, match=r"^generated must contain real numbers, got booleans"):
        mmd_emd(np.zeros((1, 2, 2), bool), np.ones((1, 2, 2)))
    rng = np.random.default_rng(24)
    gen = rng.random((3, 5, 2))
    ref = [(rng.random((5, 2)), np.full(5, 0.2)) for _ in range(3)]
    ref[1] = (ref[1][0], np.array([np.nan, 1.0, 1.0, 1.0, 1.0]))
    for metric in (mmd_emd, cov_emd, one_nna_emd, point_cloud_metrics):
        with pytest.raises(ValueError, match=r"^reference\[1\] weights contains NaN or inf$"):
            metric(gen, ref)
    with pytest.raises(ValueError, match=r"^reference\[0\] has 5 positions but 4 weights"):
        mmd_emd(gen, [(ref[0][0], np.ones(4))])
    # None weights are uniform
    uniform = [(X, None) for X, _ in ref[::2]]
    assert mmd_emd(gen, uniform) == mmd_emd(gen, [X for X, _ in ref[::2]])


def test_a_solver_failure_is_named_by_set_and_index(monkeypatch):
    """Past validation, a failing pair is named as the caller's sets, not the concatenation."""
    from emdkit.core import batch

    def fail(sigs, first, second, metric, n_jobs, parts):
        label = batch._signature_label
        raise ValueError(f"{label(int(first[-1]), parts)} and {label(int(second[-1]), parts)}")
    monkeypatch.setattr(batch, "_pair_distances", fail)
    gen, ref = [np.zeros((2, 2))] * 2, [np.ones((2, 2))] * 3
    with pytest.raises(ValueError, match=r"^generated\[1\] and reference\[2\]$"):
        mmd_emd(gen, ref)
    with pytest.raises(ValueError, match=r"^reference\[1\] and reference\[2\]$"):
        one_nna_emd(gen, ref)
