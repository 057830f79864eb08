"""Warm starts (emd's init / potentials_init, emd_batch's init, emdkit.nn.WarmStarts): the same
certified optimum as a cold start, checked against the LP oracle, whatever the hint."""
import numpy as np
import pytest

import emdkit
from emdkit.core.engine import native_engine

from .oracle import lp_emd_work, rational_emd_work
from .test_emd_oracle import assert_certified, stable_seed

pytestmark = pytest.mark.skipif(native_engine() is None,
                                reason="warm starts need the compiled engine (make native)")

REL = 1e-9


def clouds(seed, m, n, weights="random", d=2):
    rng = np.random.default_rng(seed)
    X, Y = rng.random((m, d)), rng.random((n, d))
    C = emdkit.ground_distance(X, Y, "sqeuclidean")
    if weights == "uniform":
        return np.full(m, 1.0 / m), np.full(n, 1.0 / n), C, rng
    a, b = rng.random(m) + 0.1, rng.random(n) + 0.1
    return a, b * (a.sum() / b.sum()), C, rng


def perturbed(C, rng, rel=0.01):
    return C * (1.0 + rel * rng.standard_normal(C.shape)).clip(0.5)


# The sizes cover both warm routes: one engine call over the whole block (m·n <= 30,000) and
# candidate rounds from the previous tree (larger).
SIZES = [(12, 15), (60, 70), (190, 200)]


@pytest.mark.parametrize("m,n", SIZES)
@pytest.mark.parametrize("weights", ["random", "uniform"])
def test_perturbed_costs_same_optimum_as_cold_and_the_lp(m, n, weights):
    a, b, C, rng = clouds(stable_seed("perturbed", m, n, weights), m, n, weights)
    first = emdkit.emd(a, b, C)
    C2 = perturbed(C, rng)
    cold, warm = emdkit.emd(a, b, C2), emdkit.emd(a, b, C2, init=first)
    assert warm.method == "warm_start"
    assert warm.work == pytest.approx(cold.work, rel=REL)
    assert warm.work == pytest.approx(lp_emd_work(a, b, C2), rel=REL)
    assert_certified(warm, a, b, C2)


@pytest.mark.parametrize("m,n", SIZES)
def test_weights_that_change_between_calls(m, n):
    """The previous arcs are repaired for the new weights (cut where they would need a
    negative flow), phase 1 drives the imbalance out: same optimum, partial matching too."""
    a, b, C, rng = clouds(stable_seed("weights", m, n), m, n)
    previous = emdkit.emd(a, b, C)
    for a2, b2 in [(a * (1 + 0.3 * rng.random(m)), b),            # unequal totals now
                   (rng.random(m) + 0.01, rng.random(n) + 0.01),   # unrelated weights
                   (np.where(rng.random(m) < 0.2, 0.0, a), b)]:    # points dropped
        warm = emdkit.emd(a2, b2, C, init=previous)
        assert warm.method == "warm_start"
        assert warm.work == pytest.approx(lp_emd_work(a2, b2, C), rel=REL)
        assert_certified(warm, a2, b2, C)
        previous = warm


def test_small_problem_against_the_rational_oracle():
    a, b, C, rng = clouds(stable_seed("rational"), 5, 6)
    a, b, C = np.round(a, 3), np.round(b, 3), np.round(C, 3)
    first = emdkit.emd(a, b, C)
    C2 = np.round(perturbed(C, rng, 0.2), 3)
    a2 = np.round(a * (1 + 0.5 * rng.random(5)), 3)
    warm = emdkit.emd(a2, b, C2, init=first)
    assert warm.method == "warm_start"
    assert warm.work == pytest.approx(float(rational_emd_work(a2, b, C2)), rel=1e-12)


def test_potentials_alone_and_pots_name():
    a, b, C, rng = clouds(stable_seed("potentials"), 190, 200)
    first = emdkit.emd(a, b, C)
    C2 = perturbed(C, rng)
    cold = emdkit.emd(a, b, C2)
    for warm in (emdkit.emd(a, b, C2, init=(first.u, first.v)),
                 emdkit.emd(a, b, C2, potentials_init=(first.u, first.v))):
        assert warm.method == "warm_start"
        assert warm.work == pytest.approx(cold.work, rel=REL)
        assert_certified(warm, a, b, C2)


def test_shape_change_is_ignored_without_error():
    a, b, C, _ = clouds(stable_seed("shape"), 20, 30)
    first = emdkit.emd(a, b, C)
    a2, b2, C2, _ = clouds(stable_seed("shape", 2), 25, 30)
    r = emdkit.emd(a2, b2, C2, init=first)
    assert r.method != "warm_start"
    assert r.work == pytest.approx(lp_emd_work(a2, b2, C2), rel=REL)
    r = emdkit.emd(a2, b2, C2, init=(first.u, first.v))
    assert r.method != "warm_start"


def test_stale_init_from_another_problem_gives_the_right_answer():
    """Only a hint: another problem's arcs and potentials (same shape, unrelated costs,
    weights and scale) cost pivots, never correctness."""
    a, b, C, _ = clouds(stable_seed("stale"), 40, 50)
    other = emdkit.emd(*clouds(stable_seed("stale", "other"), 40, 50)[:2], 1e6 * C[::-1, ::-1])
    warm = emdkit.emd(a, b, C, init=other)
    assert warm.method == "warm_start"
    assert warm.work == pytest.approx(lp_emd_work(a, b, C), rel=REL)
    for u, v in [(np.full(40, np.nan), np.full(50, -1e300)), (np.full(40, 1e308), -C[0])]:
        junk = emdkit.emd(a, b, C, init=(u, v))
        assert junk.work == pytest.approx(warm.work, rel=REL)


def test_missing_arcs_in_the_new_costs():
    a, b, C, rng = clouds(stable_seed("missing"), 30, 30)
    first = emdkit.emd(a, b, C)
    C2 = C.copy()
    C2[first.flow_rows[:10], first.flow_cols[:10]] = np.inf  # the old support loses arcs
    warm = emdkit.emd(a, b, C2, init=first)
    assert warm.work == pytest.approx(lp_emd_work(a, b, C2), rel=REL)


def test_bad_init_is_refused_with_its_name():
    a, b, C, _ = clouds(stable_seed("bad"), 4, 5)
    with pytest.raises(TypeError, match="init"):
        emdkit.emd(a, b, C, init="previous")
    with pytest.raises(TypeError, match="potentials_init"):
        emdkit.emd(a, b, C, potentials_init=3.0)
    with pytest.raises(ValueError, match="not both"):
        r = emdkit.emd(a, b, C)
        emdkit.emd(a, b, C, init=r, potentials_init=(r.u, r.v))


def test_emd_batch_init_per_problem():
    problems = [clouds(stable_seed("batch", k), 30 + k, 40) for k in range(4)]
    a = [p[0] for p in problems]
    b = [p[1] for p in problems]
    C = [p[2] for p in problems]
    first = emdkit.emd_batch(a, b, C)
    C2 = [perturbed(c, p[3]) for c, p in zip(C, problems)]
    cold = emdkit.emd_batch(a, b, C2)
    inits = list(first)
    inits[1] = None                # a slot without a warm start
    inits[2] = first[3]            # another shape: ignored
    warm = emdkit.emd_batch(a, b, C2, init=inits)
    np.testing.assert_allclose(warm.work, cold.work, rtol=REL)
    assert [r.method for r in warm] == ["warm_start", cold[1].method, cold[2].method,
                                        "warm_start"]
    with pytest.raises(ValueError, match="init has 3 entries"):
        emdkit.emd_batch(a, b, C2, init=inits[:3])
    with pytest.raises(TypeError, match="init must be a sequence"):
        emdkit.emd_batch(a, b, C2, init=first[0])


def test_signature_emd_init():
    rng = np.random.default_rng(stable_seed("signature"))
    X, Y = rng.random((50, 3)), rng.random((60, 3))
    w, v = rng.random(50), rng.random(60)
    first = emdkit.signature_emd(X, w, Y, v)
    Y2 = Y + 0.01 * rng.standard_normal(Y.shape)
    warm = emdkit.signature_emd(X, w, Y2, v, init=first)
    assert warm.method == "warm_start"
    assert warm.work == pytest.approx(emdkit.signature_emd(X, w, Y2, v).work, rel=REL)


def test_large_problem_reuses_the_tree_and_stays_exact():
    a, b, C, rng = clouds(stable_seed("large"), 330, 320)  # above block.ALL_ARCS_BELOW
    first = emdkit.emd(a, b, C)
    assert first.method == "candidate_rounds" and first.basis_arcs is not None
    # a spanning tree of the block: at most m + n (+ dummy) - 1 real arcs, flows among them
    rows, cols = first.basis_arcs
    assert first.flow_rows.shape[0] <= rows.shape[0] <= 330 + 320 - 1
    C2 = perturbed(C, rng)
    warm = emdkit.emd(a, b, C2, init=first)
    assert warm.method == "warm_start"
    assert warm.work == pytest.approx(emdkit.emd(a, b, C2).work, rel=REL)
    assert warm.n_iter < emdkit.emd(a, b, C2).n_iter
