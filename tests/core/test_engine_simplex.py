"""The compiled engine's dense exact core against the Numba kernels, bit for bit.

Same inputs through both engines: the network simplex (live solver and the all-arcs block),
the certificate, the assignment and one-to-many routes, the layout helpers, candidate rounds'
kernels and the batch kernels must return the same statuses, supports, flows, potentials,
work and gaps to the last bit. Problems are drawn by hypothesis with fixed seeds, with ties
(small integer costs), unbalanced totals (dummy rows and columns), uniform squares and
constant costs among them. The Numba kernels are only reachable when the Numba engine is
selected (the default), so this file runs there; under EMDKIT_ENGINE=native the rest of
tests/core runs the compiled engine end to end.
"""
import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from emdkit.core import assignment, batch, block, candidate_rounds, certificate, problem
from emdkit.core.engine import engine_name
from emdkit.core.network_simplex import NetworkSimplex

_engine = pytest.importorskip("emdkit._engine", reason="the compiled engine is not built")
numba_only = pytest.mark.skipif(engine_name() != "numba",
                                reason="compares with the Numba kernels (EMDKIT_ENGINE=numba)")

EXAMPLES = settings(max_examples=60, deadline=None, database=None)


def same(x, y):
    """Equal to the last bit (arrays: same dtype kind, shape and bytes)."""
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x), np.asarray(y)
        return x.dtype.kind == y.dtype.kind and x.shape == y.shape and \
            x.astype(y.dtype).tobytes() == y.tobytes()
    if isinstance(x, float) or isinstance(y, float):
        return np.float64(x).tobytes() == np.float64(y).tobytes()
    return x == y


def assert_same(got, want):
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want)):
        assert same(g, w), f"entry {k}: {g!r} != {w!r}"


@st.composite
def dense_problems(draw):
    """Scaled positive weights and costs of the kinds solve_small meets."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    m, n = draw(st.integers(1, 24)), draw(st.integers(1, 24))
    kind = draw(st.sampled_from(["random", "ties", "constant", "uniform_square", "wide",
                                 "missing"]))
    if kind == "uniform_square":
        n = m
        a = b = np.full(m, 1.0 / m)
    else:
        a, b = rng.random(m) + 0.05, rng.random(n) + 0.05
        if draw(st.booleans()):
            b = b * (a.sum() / b.sum())  # balanced up to rounding
    if kind == "ties":
        C = rng.integers(0, 3, (m, n)).astype(float)
    elif kind == "constant":
        C = np.full((m, n), 0.25)
    elif kind == "wide":
        C = rng.random((m, n)) * 10.0 ** rng.integers(-12, 12, (m, n))
    else:
        C = rng.random((m, n))
    if kind == "missing":  # inf marks an absent arc; each row and column keeps a finite one
        C[rng.random((m, n)) < 0.3] = np.inf
        C[np.arange(m), np.arange(m) % n] = 0.5
        C[np.arange(n) % m, np.arange(n)] = 0.5
    return a, b, C


@numba_only
@seed(20261203)
@EXAMPLES
@given(dense_problems(), st.booleans())
def test_solve_small_matches_numba(prob, shortcuts):
    a, b, C = prob
    want = block.solve_small(a, b, C, 10**6, shortcuts)
    assert_same(_engine.solve_small(a, b, C, 10**6, shortcuts), want)


@numba_only
@seed(20261204)
@EXAMPLES
@given(dense_problems())
def test_certificate_matches_numba(prob):
    a, b, C = prob
    status, _, r, c, f, pi, work, _, kind, _, _ = block.solve_small(a, b, C, 10**6, False)
    supply, _, _ = problem.balanced_layout(a, b)
    n_rows = a.shape[0] + (kind == problem.DUMMY_SOURCE)
    noise = pi + np.random.default_rng(0).normal(0, 1e-9, pi.shape)  # not already repaired
    pi_numba, pi_native = noise.copy(), noise.copy()
    want = certificate.certify(C, n_rows, supply, pi_numba, r, c, f, work, kind)
    assert_same(_engine.certify(C, n_rows, supply, pi_native, r, c, f, work, kind), want)
    assert same(pi_native, pi_numba)  # normalised in place alike
    u, v = want[1], want[2]
    assert_same(_engine.lower_bound(supply, u, v), certificate.lower_bound(supply, u, v))
    assert same(_engine.finite_max(C), certificate.finite_max(C))
    for args in [(work, -1.0, 2.0, 9, 0.0, 3.0, 1.0), (work, work * 0.9, work, 9, 1e-13, 1e9, 2.0),
                 (work, work * 0.9, work, 9, 1.0, 1e9, 2.0), (0.0, 1.0, 1.0, 3, 0.0, 1.0, 1.0)]:
        assert_same(_engine.judge(*args), certificate.judge(*args))
    assert same(_engine.repaired_column_duals(C, u, v.shape[0]),
                certificate.repaired_column_duals(C, u, v.shape[0]))
    assert same(_engine.marginal_residual(n_rows, supply, r, c, f * 1.001),
                certificate.marginal_residual(n_rows, supply, r, c, f * 1.001))
    assert same(_engine.work_upper_bound(work, 17), certificate.work_upper_bound(work, 17))


@numba_only
@seed(20261205)
@EXAMPLES
@given(dense_problems(), st.integers(1, 8), st.booleans())
def test_live_network_simplex_matches_numba(prob, k, defer_dummy):
    """Greedy start on a few arcs per row, solve, open every arc, solve again."""
    a, b, C = prob
    m, n = C.shape
    supply, kind, _ = problem.balanced_layout(a, b)
    n_rows = m + (kind == problem.DUMMY_SOURCE)
    dummy = {0: -1, 1: n_rows + n, 2: m}[kind]
    rng = np.random.default_rng(k)
    ii = np.repeat(np.arange(m), k)
    jj = rng.integers(0, n, ii.shape[0])
    I, J = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    states = []
    for cls in (NetworkSimplex, _engine.NetworkSimplex):
        ns = cls(supply, C.max())
        if kind == problem.DUMMY_SINK:
            ns.add_arcs(np.arange(m), np.full(m, dummy), np.zeros(m))
        elif kind == problem.DUMMY_SOURCE:
            ns.add_arcs(np.full(n, dummy), n_rows + np.arange(n), np.zeros(n))
        ns.add_arcs(ii, n_rows + jj, C[ii, jj])
        ns.start_greedy(dummy if defer_dummy else -1)
        first = ns.solve(10**6)
        ns.add_arcs(I.ravel(), n_rows + J.ravel(), C.ravel())
        second = ns.solve(10**6)
        states.append((first, second, ns.n_iter, ns.phase, ns.artificial_flow(),
                       ns.pi[: ns.n_nodes + 1], ns.flow[: ns.n_arcs], ns.state[: ns.n_arcs],
                       *ns.real_flows()))
    assert_same(states[1], states[0])


@numba_only
@seed(20261206)
@EXAMPLES
@given(st.integers(0, 2**32 - 1), st.integers(1, 40))
def test_assignment_and_one_to_many_match_numba(s, n):
    rng = np.random.default_rng(s)
    C = rng.integers(0, 4, (n, n)).astype(float) if s % 2 else rng.random((n, n))
    assert_same(_engine.solve_assignment(C), assignment.solve_assignment(C))
    w, weights, costs = float(rng.random() * n), rng.random(n) + 0.01, C[0].copy()
    assert_same(_engine.one_to_many(w, weights, costs), block.one_to_many(w, weights, costs))


@numba_only
@seed(20261207)
@pytest.mark.filterwarnings("ignore:overflow encountered in ldexp")
@EXAMPLES
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(1, 30))
def test_layout_helpers_match_python(s, m, n):
    rng = np.random.default_rng(s)
    a = rng.random(m) * 10.0 ** rng.integers(-300, 300)
    b = rng.random(n) * 10.0 ** rng.integers(-300, 300)
    a[rng.random(m) < 0.2] = 0.0
    b[rng.random(n) < 0.2] = 0.0
    a[0], b[0] = max(a[0], 1e-300), max(b[0], 1e-300)
    assert_same(_engine.reduce_weights(a, b), problem.reduce_weights(a, b))
    ar, bc = a[a > 0], b[b > 0]
    assert_same(_engine.balanced_layout(ar, bc), problem.balanced_layout(ar, bc))
    big = float(10.0 ** rng.integers(-320, 308))
    assert _engine.cost_exponent(big) == problem.cost_exponent(big)


@numba_only
@seed(20261208)
@settings(max_examples=25, deadline=None, database=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 60), st.integers(2, 60), st.integers(1, 20))
def test_candidate_kernels_match_numba(s, m, n, cap):
    rng = np.random.default_rng(s)
    C = rng.integers(0, 5, (m, n)).astype(float) if s % 2 else rng.random((m, n))
    want = candidate_rounds._initial_candidates(C, 16)
    got = _engine.initial_candidates(C, 16)
    assert_same(got, want)
    pi = rng.normal(0, 1, m + n)
    cap = min(cap, n)
    want_cols, want_count = np.zeros((m, cap), np.int64), np.empty(m, np.int64)
    candidate_rounds._price_rows_serial(C, pi, m, want[0], cap, want_cols, want_count)
    for threads in (1, 2):
        cols, count = np.zeros((m, cap), np.int64), np.empty(m, np.int64)
        _engine.price_rows(C, pi, m, want[0], cap, cols, count, threads)
        assert same(count, want_count)
        assert all(same(cols[i, :count[i]], want_cols[i, :want_count[i]]) for i in range(m))


@numba_only
@seed(20261209)
@settings(max_examples=20, deadline=None, database=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2, 3]))
def test_pairs_kernel_matches_numba(s, code):
    rng = np.random.default_rng(s)
    sizes = rng.integers(1, 12, 5)
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    points = rng.random((int(offsets[-1]), 3))
    weights = rng.random(int(offsets[-1]))
    weights[rng.random(weights.shape[0]) < 0.1] = 0.0
    weights[offsets[:-1]] += 0.1  # every signature keeps a point
    first, second = (x.astype(np.int64) for x in np.triu_indices(5, k=1))
    results = []
    # the float distances, without the compiled kernel's exact verification (verify=True,
    # which the Numba kernel does not do): what both engines share, bit for bit
    for kernel in (batch._pairs_kernel, _engine.pairs_kernel):
        out, status = np.empty(first.shape[0]), np.empty(first.shape[0], np.int64)
        kernel(0, first.shape[0], points, weights, offsets, first, second, code, out, status)
        results.append((out, status))
    assert_same(results[1], results[0])


@numba_only
def test_dense_kernel_matches_numba():
    rng = np.random.default_rng(7)
    probs = [(rng.random(m) + 0.1, rng.random(n) + 0.1, rng.integers(0, 3, (m, n)) * 1.0)
             for m, n in [(3, 4), (5, 5), (1, 6), (8, 2), (6, 6)]]
    probs.append((np.full(4, 0.25), np.full(4, 0.25), rng.random((4, 4))))
    a_off = np.concatenate([[0], np.cumsum([p[0].size for p in probs])]).astype(np.int64)
    b_off = np.concatenate([[0], np.cumsum([p[1].size for p in probs])]).astype(np.int64)
    c_off = np.concatenate([[0], np.cumsum([p[2].size for p in probs])]).astype(np.int64)
    cap = np.concatenate([[0], np.cumsum([p[0].size + p[1].size + 1 for p in probs])])
    cap = cap.astype(np.int64)
    flat = [np.concatenate([p[i].ravel() for p in probs]) for i in range(3)]
    results = []
    for kernel in (batch._dense_kernel, _engine.dense_kernel):
        total = int(cap[-1])
        # the stats' last three columns (exact, exact distance, exact work) stay 0: the
        # compiled kernel verifies exactly only when given the problems' scales, which the
        # Numba kernel does not do; the float solves are what both engines share, bit for bit
        out = (np.zeros(total, np.int64), np.zeros(total, np.int64), np.zeros(total),
               np.zeros(total), np.zeros((len(probs), batch.STATS_COLUMNS)))
        kernel(0, len(probs), flat[0], a_off, flat[1], b_off, flat[2], c_off, 10**6, True,
               cap, out[0], out[1], out[2], cap, out[3], out[4])
        results.append(out)
    assert_same(results[1], results[0])


def test_invariant_checks_pass_on_degenerate_problems():
    """All-equal and tied costs pivot through many degenerate bases; in a build with
    EMDKIT_CHECK_INVARIANTS every pivot checks the tree and would raise EngineError."""
    for n in (5, 17, 40):
        a = np.full(n, 1.0 / n)
        C = np.add.outer(np.arange(n) % 3, np.arange(n) % 2).astype(float)
        out = _engine.solve_small(a, a * 1.5, C, 10**6, False)
        assert out[0] == 0


def _misaligned(x):
    """A float64 copy of x whose data starts one byte past an 8-byte boundary."""
    x = np.ascontiguousarray(x, np.float64)
    buf = np.zeros(x.nbytes + 1, np.uint8)
    out = np.frombuffer(buf.data, np.float64, count=x.size, offset=1).reshape(x.shape)
    out[...] = x
    assert not out.flags.aligned
    return out


def test_misaligned_inputs_give_the_same_answer():
    """Unpickled arrays (Dask) may be misaligned; validation hands the engine aligned ones."""
    import emdkit
    rng = np.random.default_rng(3)
    for m, n in [(7, 9), (300, 340)]:  # the all-arcs block, then candidate rounds
        a, b, C = rng.random(m) + 0.1, rng.random(n) + 0.1, rng.random((m, n))
        want = emdkit.emd(a, b, C)
        got = emdkit.emd(_misaligned(a), _misaligned(b), _misaligned(C))
        assert same(got.work, want.work) and same(got.distance, want.distance)
