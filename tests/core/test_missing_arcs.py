"""Issue 20: np.inf in a cost matrix means "no arc".

Such arcs never carry flow; when the finite arcs cannot carry the mass, one ValueError names
the rows and columns left with mass. Values are judged against HiGHS with those arcs' flows
bounded to 0 (tests/core/oracle.py).
"""
import re

import numpy as np
import pytest

import emdkit
from emdkit.core.certificate import CERT_RTOL

from .families import big_m_problem
from .oracle import lp_emd_work
from .test_scale_certificate import HIGHS_REL

inf = np.inf
UNSERVED = "cost has too few finite entries to carry the mass (np.inf marks a missing arc)"


def sparse_support(rng, m, n, allowed=2):
    """Costs U(0, 1) on ``allowed`` arcs per row and per column, inf elsewhere."""
    _, _, C = big_m_problem(rng, m, n, 2.0, allowed)  # allowed arcs < 1, the others >= 2
    C[C >= 2.0] = inf
    return C


def check_feasible(a, b, C):
    r = emdkit.emd(a, b, C)
    assert np.all(r.flow[np.isinf(C)] == 0.0)
    assert r.work == pytest.approx(lp_emd_work(a, b, C), rel=HIGHS_REL)
    assert r.gap <= CERT_RTOL
    assert np.all(r.u[:, None] + r.v[None, :] <= C + 1e-12)
    return r


@pytest.mark.parametrize("m, n", [(3, 3), (1, 4), (4, 1), (40, 60), (300, 320)],
                         ids=["small", "one_row", "one_column", "block", "candidate_rounds"])
def test_missing_arcs_on_a_feasible_support(m, n):
    rng = np.random.default_rng(m * n)
    C = sparse_support(rng, m, n) if min(m, n) > 1 else rng.random((m, n))
    if min(m, n) == 1:
        C.ravel()[1] = inf
    a, b = rng.random(m) + 0.5, rng.random(n) + 0.5
    if min(m, n) > 1:  # uniform weights: the support is feasible by construction (Hall)
        a, b = np.full(m, 1 / m), np.full(n, 1 / n)
    else:  # the single point is the lighter side, so the other side has room to spare
        (a if m == 1 else b)[:] = 0.1
    check_feasible(a, b, C)


def test_missing_arcs_equal_the_big_m_idiom_when_both_are_feasible():
    rng = np.random.default_rng(7)
    C = sparse_support(rng, 120, 90)
    a, b = np.full(120, 1 / 120), np.full(90, 1 / 90)
    r_inf = check_feasible(a, b, C)
    r_big = emdkit.emd(a, b, np.where(np.isinf(C), 1e8, C))
    assert r_inf.work == pytest.approx(r_big.work, rel=1e-12)


def test_partial_matching_leaves_the_heavier_side_free_to_miss_arcs():
    # row 0 has no arc at all, but Σa > Σb: it sends its weight to the dummy
    a, b = [1.0, 1.0, 1.0], [1.0, 1.0]
    C = [[inf, inf], [1.0, inf], [inf, 2.0]]
    r = emdkit.emd(a, b, C)
    assert r.distance == 1.5 and r.flow[0].sum() == 0.0


def unserved(rows=None, cols=None, where=""):
    named = []
    if rows is not None:
        named.append(f"rows {rows} of a")
    if cols is not None:
        named.append(f"columns {cols} of b")
    prefix = f"{where}: " if where else ""
    return "^" + re.escape(f"{prefix}{UNSERVED}: {' and '.join(named)} are left with mass "
                           "that no finite arc can move") + "$"


@pytest.mark.parametrize("a, b, C, rows, cols", [
    # rows 1 and 2 both reach only column 1: one of them, and column 2, keep their mass
    ([1, 1, 1], [1, 1, 1], [[1, inf, 3], [inf, 2, inf], [inf, 2, inf]], [2], [2]),
    # one row: its cheapest-first pass runs into the missing arc
    ([3.0], [1, 1, 1], [[1, inf, 2]], [0], [1]),
    # Σa > Σb: the columns must be served, and column 1 has no arc
    ([1, 1, 1], [1, 1], [[inf, inf], [1, inf], [3, inf]], None, [1]),
    # Σa < Σb: the rows must ship everything, and row 0's only arc is gone
    ([1, 1], [1, 1, 1], [[inf, inf, inf], [1, 2, 3]], [0], None),
    # the only finite arcs belong to a point of zero weight
    ([1, 0], [1, 1], [[inf, inf], [1, 1]], [0], None),
])
def test_missing_arcs_that_cannot_carry_the_mass_name_the_points(a, b, C, rows, cols):
    with pytest.raises(ValueError, match=unserved(rows, cols)):
        emdkit.emd(a, b, C)


def test_an_infeasible_large_support_names_the_points():
    rng = np.random.default_rng(3)
    C = sparse_support(rng, 300, 300)
    C[:, 3] = inf  # column 3 loses its arcs
    w = np.full(300, 1 / 300)
    with pytest.raises(ValueError, match=r"^cost has too few finite entries.*columns \[3\] of b"):
        emdkit.emd(w, w, C)


def test_emd_batch_names_the_problem_index():
    ok = [[1.0, inf], [inf, 1.0]]
    bad = [[1.0, inf], [1.0, inf]]
    w = [1.0, 1.0]
    res = emdkit.emd_batch([w, w], [w, w], [ok, ok])
    assert list(res.distance) == [1.0, 1.0]
    with pytest.raises(ValueError, match=r"^problem 1: cost has too few finite entries.*"
                                         r"rows \[1\] of a and columns \[1\] of b"):
        emdkit.emd_batch([w, w], [w, w], [ok, bad])
    # a problem too large for the batch kernel goes through emd() and keeps its index too
    rng = np.random.default_rng(4)
    big = sparse_support(rng, 200, 200)
    big[:, 5] = inf
    wb = np.full(200, 1 / 200)
    with pytest.raises(ValueError, match=r"^problem 0: cost has too few finite entries"):
        emdkit.emd_batch([wb], [wb], [big])


def test_nan_and_minus_inf_stay_refused():
    with pytest.raises(ValueError, match="^cost contains NaN or -inf$"):
        emdkit.emd([1.0], [1.0, 1.0], [[-inf, 1.0]])
    with pytest.raises(ValueError, match=r"^cost\[0\] contains NaN or -inf$"):
        emdkit.emd_batch([[1.0]], [[1.0, 1.0]], [[[np.nan, 1.0]]])
    with pytest.raises(ValueError, match="^cost is inf everywhere"):
        emdkit.emd([1.0, 2.0], [1.0], [[inf], [inf]])
