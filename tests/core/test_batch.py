"""The batch engine: emd_batch, signature_emd_batch, cdist_emd and pairwise_emd."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import emdkit

from .oracle import lp_emd_work


def random_batch(rng, B, m, n):
    a = rng.random((B, m)) + 0.01
    b = rng.random((B, n)) + 0.01
    b[: B // 2] *= (a[: B // 2].sum(1) / b[: B // 2].sum(1))[:, None]  # half balanced
    return a, b, rng.random((B, m, n))


def test_emd_batch_equals_a_loop_bit_for_bit():
    rng = np.random.default_rng(0)
    a, b, C = random_batch(rng, 12, 30, 25)
    res = emdkit.emd_batch(a, b, C)
    assert len(res) == 12
    for k in range(12):
        single = emdkit.emd(a[k], b[k], C[k])
        assert res[k].distance == single.distance
        assert res[k].work == single.work
        np.testing.assert_array_equal(res[k].u, single.u)
        np.testing.assert_array_equal(res[k].flow, single.flow)
        assert res[k].work == pytest.approx(lp_emd_work(a[k], b[k], C[k]), rel=1e-9)
    np.testing.assert_array_equal(res.distance, [r.distance for r in res])


def test_emd_batch_takes_ragged_problems_and_large_ones():
    rng = np.random.default_rng(1)
    sizes = [(3, 4), (1, 1), (340, 300), (50, 2)]  # 340×300 takes candidate rounds
    problems = [(rng.random(m), rng.random(n), rng.random((m, n))) for m, n in sizes]
    res = emdkit.emd_batch(*zip(*problems))
    for r, (a, b, C) in zip(res, problems):
        assert r.distance == emdkit.emd(a, b, C).distance
    assert res[2].method == "candidate_rounds"


def test_signature_batch_equals_signature_emd():
    rng = np.random.default_rng(2)
    X, Y = rng.random((5, 40, 3)), rng.random((5, 35, 3))
    wx, wy = rng.random((5, 40)), rng.random((5, 35))
    res = emdkit.signature_emd_batch(X, wx, Y, wy, "sqeuclidean")
    for k in range(5):
        assert res[k].distance == emdkit.signature_emd(X[k], wx[k], Y[k], wy[k],
                                                       "sqeuclidean").distance


def test_cdist_and_pairwise_equal_the_loop_over_pairs():
    rng = np.random.default_rng(3)
    sigs = []
    for _ in range(7):
        k = int(rng.integers(1, 12))
        sigs.append((rng.random((k, 2)), rng.random(k)))
    cross = emdkit.cdist_emd(sigs[:3], sigs[3:], "cityblock")
    assert cross.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            assert cross[i, j] == emdkit.signature_emd(*sigs[i], *sigs[3 + j],
                                                       "cityblock").distance
    D = emdkit.pairwise_emd(sigs, "cityblock", n_jobs=1)
    np.testing.assert_array_equal(D, D.T)
    assert D[0, 5] == emdkit.signature_emd(*sigs[0], *sigs[5], "cityblock").distance


def test_callable_metric_goes_through_signature_emd():
    rng = np.random.default_rng(4)
    sigs = [(rng.random((4, 2)), np.ones(4)) for _ in range(3)]
    metric = lambda x, y: float(np.abs(x - y).max())  # noqa: E731
    np.testing.assert_allclose(emdkit.pairwise_emd(sigs, metric),
                               emdkit.pairwise_emd(sigs, "chebyshev"), rtol=1e-12)


@pytest.mark.parametrize("call, match", [
    (lambda: emdkit.emd_batch(np.ones((3, 2)), np.ones((2, 2)), np.ones((3, 2, 2))),
     r"batch sizes differ: a has 3, b has 2, cost has 3 problems"),
    (lambda: emdkit.emd_batch([[1.0, 2.0], [1.0, np.nan]], np.ones((2, 2)),
                              np.ones((2, 2, 2))), r"^a\[1\] contains NaN"),
    (lambda: emdkit.emd_batch(np.ones((2, 2)), [[1.0, 1.0], [1.0, -1.0]],
                              np.ones((2, 2, 2))), r"^b\[1\] contains negative"),
    (lambda: emdkit.emd_batch([np.ones(2), np.ones(3)], np.ones((2, 2)), np.ones((2, 2, 2))),
     r"^cost\[1\] has shape \(2, 2\), but the weights need \(3, 2\)"),
    (lambda: emdkit.emd_batch(np.ones((0, 2)), np.ones((0, 2)), np.ones((0, 2, 2))),
     "the batch is empty"),
    (lambda: emdkit.emd_batch(np.ones(3), np.ones(3), np.ones((3, 3))),
     r"a must be stacked with shape \(B, …\)"),
    (lambda: emdkit.signature_emd_batch(np.zeros((2, 3, 2)), np.ones((2, 3)),
                                        np.zeros((2, 3, 3)), np.ones((2, 3))),
     "problem 0: X has 2 coordinates per point but Y has 3"),
    (lambda: emdkit.cdist_emd([(np.zeros((2, 2)), [1.0, np.inf])], [(np.zeros((1, 2)), [1.0])]),
     r"signatures_a\[0\] weights contains NaN or inf"),
])
def test_bad_batches_name_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_ragged_nesting_is_a_type_error():
    with pytest.raises(TypeError, match=r"a\[0\] must be a rectangular array"):
        emdkit.emd_batch([[[1.0], [1.0, 2.0]]], [np.ones(2)], [np.ones((2, 2))])


def test_unreachable_scheduler_fails_fast_with_one_message():
    start = time.perf_counter()
    with pytest.raises(OSError, match="could not reach the Dask scheduler at tcp://127.0.0.1:9"):
        emdkit.pairwise_emd([(np.zeros((1, 1)), [1.0])] * 2, scheduler="tcp://127.0.0.1:9",
                            scheduler_timeout=2)
    assert time.perf_counter() - start < 20


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A scheduler and a worker as separate processes, as on a real cluster."""
    pytest.importorskip("dask.distributed")
    folder = tmp_path_factory.mktemp("dask")
    file = folder / "scheduler.json"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    bin_dir = os.path.dirname(sys.executable)
    scheduler = subprocess.Popen([os.path.join(bin_dir, "dask"), "scheduler", "--host",
                                  "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(file)], env=env, cwd=folder,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.time() + 60
        while not file.exists() and time.time() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        worker = subprocess.Popen([os.path.join(bin_dir, "dask"), "worker", address,
                                   "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                  env=env, cwd=folder, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        from dask.distributed import Client
        with Client(address, timeout=30) as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)


def test_batches_on_a_dask_cluster_equal_local_runs(dask_cluster):
    rng = np.random.default_rng(6)
    sigs = []
    for _ in range(6):
        k = int(rng.integers(2, 9))
        sigs.append((rng.random((k, 2)), rng.random(k)))
    np.testing.assert_array_equal(emdkit.pairwise_emd(sigs, scheduler=dask_cluster),
                                  emdkit.pairwise_emd(sigs))
    np.testing.assert_array_equal(emdkit.cdist_emd(sigs[:2], sigs[2:], scheduler=dask_cluster),
                                  emdkit.cdist_emd(sigs[:2], sigs[2:]))
    a, b, C = random_batch(rng, 5, 6, 7)
    np.testing.assert_array_equal(emdkit.emd_batch(a, b, C, scheduler=dask_cluster).distance,
                                  emdkit.emd_batch(a, b, C).distance)


@pytest.mark.parametrize("dim", [1, 2])
def test_pairwise_equals_signature_emd_with_zero_weights_and_single_points(dim):
    # a signature whose only positive weight is one point takes the closed form in
    # signature_emd; on the line balanced pairs take the sorted coupling: pairwise must agree
    rng = np.random.default_rng(dim)
    sigs = [(rng.random((k, dim)), rng.random(k)) for k in (5, 7, 9)]
    sigs.append((rng.random((4, dim)), np.array([0.0, 1.0, 0.0, 0.0])))
    w = rng.random(6)
    sigs += [(rng.random((6, dim)), w), (rng.random((6, dim)), w[::-1].copy())]  # equal totals
    D = emdkit.pairwise_emd(sigs)
    for i in range(len(sigs)):
        for j in range(i + 1, len(sigs)):
            assert D[i, j] == emdkit.signature_emd(*sigs[i], *sigs[j]).distance
