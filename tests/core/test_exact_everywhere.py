"""Issue 20: with the compiled engine, EVERY answer of the dense kernels is the exact optimum
of the problem as posed, rounded once (``exact`` True, ``gap`` 0), however the float solve
was certified, and the batch, pairwise and cdist kernels, which verify in their own call,
return the same bits as ``emd``.

The oracle is independent of the engine: the rational tableau LP (tests/core/oracle.py) on
tiny problems, the Fraction transportation simplex (``refine_exact``) above that.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import emdkit
from emdkit.core.exact import exact_everywhere

from .test_exact_integer import FIXED, KINDS, exact_distance, exact_work, make_problem, rounded

pytestmark = pytest.mark.skipif(not exact_everywhere(),
                                reason="exact answers everywhere need the compiled engine")

FAMILIES = KINDS + ("big_m", "split_copies", "integer_ties")


def make_family(kind, m, n, rng):
    """make_problem's families plus issue 20's: big-M costs outside a random support, a
    signature against split copies of its points (optimum 0 up to the weights' rounding) and
    integer costs with integer weights (degenerate bases, many optimal flows)."""
    if kind == "big_m":
        a, b = rng.random(m) + 0.1, rng.random(n) + 0.1
        allowed = rng.random((m, n)) < 0.4
        allowed[np.arange(m), np.arange(m) % n] = True
        allowed[np.arange(n) % m, np.arange(n)] = True
        C = rng.random((m, n)) + float(10.0 ** rng.integers(8, 13)) * (~allowed)
        return a, b, C
    if kind == "split_copies":
        X = rng.random((m, 3))
        owner = np.concatenate([np.arange(m), rng.integers(0, m, max(0, n - m))])[:n]
        wy = rng.random(n) + 0.1
        wx = np.bincount(owner, weights=wy, minlength=m) + (np.arange(m) >= n)
        C = emdkit.ground_distance(X, X[owner])
        return wx, wy, C
    if kind == "integer_ties":
        return (rng.integers(1, 4, m).astype(float), rng.integers(1, 4, n).astype(float),
                rng.integers(0, 2, (m, n)).astype(float))
    return make_problem(kind, m, n, rng)


def assert_exact_answer(r, a, b, C):
    assert r.exact and r.gap == 0.0
    assert r.distance == exact_distance(a, b, C)
    assert r.work == rounded(exact_work(a, b, C))


@FIXED
@given(st.sampled_from(FAMILIES), st.integers(1, 8), st.integers(1, 8),
       st.integers(0, 2 ** 32 - 1))
def test_every_emd_answer_equals_the_rounded_rational_optimum(kind, m, n, seed):
    a, b, C = make_family(kind, m, n, np.random.default_rng(seed))
    assert_exact_answer(emdkit.emd(a, b, C), a, b, C)


@FIXED
@given(st.sampled_from(FAMILIES), st.integers(0, 2 ** 32 - 1))
def test_emd_batch_returns_emds_bits(kind, seed):
    rng = np.random.default_rng(seed)
    problems = [make_family(kind, int(rng.integers(1, 7)), int(rng.integers(1, 7)), rng)
                for _ in range(4)]
    batch = emdkit.emd_batch(*(list(x) for x in zip(*problems)), n_jobs=1)
    for (a, b, C), got in zip(problems, batch):
        want = emdkit.emd(a, b, C)
        assert got.exact and want.exact
        for field in ("distance", "work", "gap", "method", "n_iter"):
            assert getattr(got, field) == getattr(want, field), field
        for field in ("flow_rows", "flow_cols", "flow_values", "u", "v"):
            assert np.array_equal(getattr(got, field), getattr(want, field)), field


@FIXED
@given(st.integers(1, 6), st.integers(0, 2 ** 32 - 1), st.sampled_from(
    ["euclidean", "sqeuclidean", "cityblock", "chebyshev"]))
def test_pairwise_and_cdist_return_signature_emds_bits(count, seed, metric):
    rng = np.random.default_rng(seed)
    sigs = []
    for _ in range(count + 1):
        k = int(rng.integers(1, 7))
        X = rng.random((k, 2)) * float(10.0 ** rng.integers(-3, 4))
        w = rng.random(k) + 0.05
        if rng.random() < 0.3 and k > 1:  # copies of another signature's points: ties, zeros
            X = sigs[0][0][rng.integers(0, sigs[0][0].shape[0], k)] if sigs else X
        sigs.append((X, w))
    D = emdkit.pairwise_emd(sigs, metric, n_jobs=1)
    E = emdkit.cdist_emd(sigs[:1], sigs, metric, n_jobs=1)
    for j, (Y, wy) in enumerate(sigs):
        X, wx = sigs[0]
        r = emdkit.signature_emd(X, wx, Y, wy, metric)
        assert r.exact
        assert r.distance == exact_distance(wx, wy, emdkit.ground_distance(X, Y, metric))
        assert E[0, j] == r.distance
        if j > 0:
            assert D[0, j] == r.distance


@pytest.mark.parametrize("n", [1, 300])
def test_one_to_many_is_exact(n):
    rng = np.random.default_rng(n)
    a, b, C = np.array([0.7]), rng.random(n) + 0.1, rng.random((1, n))
    r = emdkit.emd(a, b, C)
    assert r.method == "one_to_many" and r.exact and r.gap == 0.0
    assert r.distance == exact_distance(a, b, C)


def test_candidate_rounds_and_warm_starts_are_exact():
    """Above the block's size the float rounds run in Python calls, then the exact check
    (here the engine's own certificate, the problem being too large for the Fraction oracle
    in a test's time: the distance is compared with a cold exact solve's)."""
    rng = np.random.default_rng(20)
    n = 320  # above block.ALL_ARCS_BELOW
    a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
    C = rng.random((n, n))
    r = emdkit.emd(a, b, C)
    assert r.method == "candidate_rounds" and r.exact and r.gap == 0.0
    from .test_exact_integer import solve_native
    cold = solve_native(a, b, C)
    assert r.distance == cold["distance"] and r.work == cold["work"]
    warm = emdkit.emd(a, b, C * (1 + 1e-3 * rng.random((n, n))), init=r)
    assert warm.exact and warm.gap == 0.0


def test_nn_forward_values_are_exact():
    torch = pytest.importorskip("torch")
    from emdkit import nn
    rng = np.random.default_rng(3)
    a, b, C = rng.random((3, 5)) + 0.1, rng.random((3, 6)) + 0.1, rng.random((3, 5, 6))
    got = nn.emd(torch.tensor(a), torch.tensor(b), torch.tensor(C))
    for k in range(3):
        assert float(got[k]) == emdkit.emd(a[k], b[k], C[k]).distance == \
            exact_distance(a[k], b[k], C[k])
    X, Y = rng.random((4, 2)), rng.random((5, 2))
    wx, wy = rng.random(4) + 0.1, rng.random(5) + 0.1
    got = nn.signature_emd(torch.tensor(X), torch.tensor(wx), torch.tensor(Y), torch.tensor(wy))
    assert float(got) == emdkit.signature_emd(X, wx, Y, wy).distance == \
        exact_distance(wx, wy, emdkit.ground_distance(X, Y))


def test_the_exact_checks_reused_workspace_forgets_the_last_problem():
    """The in-engine check keeps one solver per thread and width between calls (issue 22): an
    answer must not depend on what that solver verified before. The same problems, in two
    orders that put a larger or smaller one, with or without a dummy, just before each, give
    the same bits; each equals the rational optimum."""
    rng = np.random.default_rng(22)
    kinds = ("wide_cost", "wide_weight", "ties", "uniform", "integer_ties", "big_m", "split_copies")
    problems = [make_family(kind, m, n, rng)
                for kind in kinds for m, n in ((7, 5), (3, 8), (6, 6))]

    def answers(order):
        out = {}
        for k in order:
            r = emdkit.emd(*problems[k])
            out[k] = (r.distance, r.work, r.flow.tobytes(), r.u.tobytes(), r.v.tobytes())
        return out

    forward = answers(range(len(problems)))
    backward = answers(reversed(range(len(problems))))
    assert forward == backward
    for a, b, C in problems:
        assert_exact_answer(emdkit.emd(a, b, C), a, b, C)
