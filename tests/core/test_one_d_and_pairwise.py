import numpy as np
import pytest
from scipy.stats import wasserstein_distance

import emdkit


@pytest.mark.parametrize("weighted", [False, True])
def test_wasserstein_1d_matches_scipy_for_p1(weighted):
    rng = np.random.default_rng(0)
    for _ in range(50):
        m, n = rng.integers(1, 60, size=2)
        u, v = rng.normal(size=m), rng.normal(1, 2, size=n)
        uw = rng.random(m) if weighted else None
        vw = rng.random(n) if weighted else None
        assert emdkit.wasserstein_1d(u, v, uw, vw) == pytest.approx(
            wasserstein_distance(u, v, uw, vw), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("p, metric", [(1, "euclidean"), (2, "sqeuclidean")])
def test_wasserstein_1d_matches_general_solver(p, metric):
    rng = np.random.default_rng(p)
    for _ in range(40):
        m, n = rng.integers(1, 40, size=2)
        u, v = rng.normal(size=m), rng.normal(size=n)
        u[: m // 3] = u[0]  # ties
        uw, vw = rng.random(m) + 0.01, rng.random(n) + 0.01
        exact = emdkit.emd(uw / uw.sum(), vw / vw.sum(),
                           emdkit.ground_distance(u, v, metric)).work
        assert emdkit.wasserstein_1d(u, v, uw, vw, p=p) == pytest.approx(
            exact ** (1 / p), rel=1e-9, abs=1e-12)


def test_wasserstein_1d_gaussian_closed_form():
    # W2 between N(0,1) and N(3,2²) is sqrt(3² + (2−1)²); quantile grids are exact samples
    from scipy.stats import norm
    t = (np.arange(200_000) + 0.5) / 200_000
    w = emdkit.wasserstein_1d(norm.ppf(t), norm.ppf(t, loc=3, scale=2), p=2)
    assert w == pytest.approx(np.sqrt(10.0), rel=1e-4)


def _signatures(rng, count):
    sigs = []
    for _ in range(count):
        k = int(rng.integers(3, 20))
        sigs.append((rng.random((k, 3)) * 255, rng.integers(1, 500, k).astype(float)))
    return sigs


def test_pairwise_matches_loop_of_signature_emd():
    rng = np.random.default_rng(4)
    sigs = _signatures(rng, 12)
    D = emdkit.pairwise_emd(sigs, n_jobs=2)
    assert D.shape == (12, 12)
    np.testing.assert_array_equal(D, D.T)
    assert np.all(np.diag(D) == 0)
    for i in range(12):
        for j in range(i + 1, 12):
            expected = emdkit.signature_emd(*sigs[i], *sigs[j]).distance
            assert D[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("metric", ["sqeuclidean", "cityblock", "chebyshev"])
def test_pairwise_other_metrics(metric):
    rng = np.random.default_rng(5)
    sigs = _signatures(rng, 6)
    D = emdkit.pairwise_emd(sigs, metric=metric)
    assert D[1, 4] == pytest.approx(
        emdkit.signature_emd(*sigs[1], *sigs[4], metric=metric).distance, rel=1e-12)


def test_pairwise_on_dask_local_cluster_equals_local_run():
    distributed = pytest.importorskip("dask.distributed")
    rng = np.random.default_rng(6)
    sigs = _signatures(rng, 8)
    local = emdkit.pairwise_emd(sigs)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = emdkit.pairwise_emd(sigs, scheduler=cluster.scheduler_address)
    np.testing.assert_array_equal(local, remote)


@pytest.mark.parametrize("metric", ["euclidean", "sqeuclidean", "cityblock", "chebyshev"])
def test_monotone_fast_path_equals_general_solver_with_certificates(metric):
    rng = np.random.default_rng(8)
    for trial in range(30):
        m, n = rng.integers(1, 40, size=2)
        x = rng.normal(size=m)
        y = rng.normal(size=n)
        x[: m // 3] = x[0]  # ties
        wx = rng.random(m) + 0.01
        wy = rng.random(n) + 0.01
        if trial % 3 == 0:
            wx[rng.random(m) < 0.3] = 0.0
            wx[0] = 1.0
        wy *= wx.sum() / wy.sum()
        fast = emdkit.signature_emd(x, wx, y, wy, metric)
        slow = emdkit.signature_emd(x, wx, y, wy, metric, method="dense")
        assert fast.method == "monotone_1d"
        assert fast.work == pytest.approx(slow.work, rel=1e-9, abs=1e-12)
        C = emdkit.ground_distance(x, y, metric)
        F = fast.flow
        assert np.all(F.sum(axis=1) <= wx + 1e-12) and np.all(F.sum(axis=0) <= wy + 1e-12)
        assert (F * C).sum() == pytest.approx(fast.work, rel=1e-12)
        assert np.all(fast.u[:, None] + fast.v[None, :] <= C + 1e-9)
        assert wx @ fast.u + wy @ fast.v == pytest.approx(fast.work, rel=1e-9, abs=1e-12)


def test_unequal_totals_on_the_line_use_the_general_solver():
    r = emdkit.signature_emd([0.0, 1.0], [1.0, 1.0], [0.5], [1.0])
    assert r.method != "monotone_1d"
    assert r.distance == pytest.approx(0.5)
