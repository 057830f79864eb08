"""Problem: weights and semantics (partial matching) of an EMD, independent of the solver.

Rubner's EMD moves min(Σa, Σb) units: f_ij >= 0, Σ_j f_ij <= a_i, Σ_i f_ij <= b_j,
Σ f_ij = min(Σa, Σb). We solve it as a balanced transportation problem by adding one
zero-cost dummy node on the lighter side that absorbs the surplus; this is exact, not an
approximation. Points of zero weight are dropped before solving and given dual potentials
afterwards.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Totals that agree to this relative precision are the same total written with rounding;
# a dummy node for the difference would only hold rounding noise.
BALANCE_RTOL = 1e-13


@dataclass(frozen=True)
class TransportProblem:
    """The reduced, balanced problem handed to a solver.

    Node numbering: kept rows 0..m'-1, kept columns m'..m'+n'-1, then the dummy (if any).
    """

    rows: np.ndarray  # indices of rows with positive weight
    cols: np.ndarray
    supply: np.ndarray  # +a (rows), −b (cols), ± surplus (dummy)
    dummy: str  # "none", "sink" (Σa > Σb) or "source" (Σb > Σa)
    total_flow: float

    @property
    def m(self) -> int:
        return int(self.rows.shape[0])

    @property
    def n(self) -> int:
        return int(self.cols.shape[0])

    @property
    def dummy_node(self) -> int:
        return self.m + self.n

    @classmethod
    def from_weights(cls, a: np.ndarray, b: np.ndarray) -> "TransportProblem":
        rows = np.flatnonzero(a > 0)
        cols = np.flatnonzero(b > 0)
        ar, bc = a[rows], b[cols]
        sa, sb = float(ar.sum()), float(bc.sum())
        parts = [ar, -bc]
        if abs(sa - sb) <= BALANCE_RTOL * max(sa, sb):
            dummy = "none"
        elif sa > sb:
            dummy = "sink"
            parts.append(np.array([-(sa - sb)]))
        else:
            dummy = "source"
            parts.append(np.array([sb - sa]))
        return cls(rows, cols, np.concatenate(parts), dummy, min(sa, sb))

    def dummy_arcs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Zero-cost arcs between the dummy and every node on the heavier side."""
        if self.dummy == "sink":
            src = np.arange(self.m)
            tgt = np.full(self.m, self.dummy_node)
        elif self.dummy == "source":
            src = np.full(self.n, self.dummy_node)
            tgt = self.m + np.arange(self.n)
        else:
            src = tgt = np.empty(0, np.int64)
        return src.astype(np.int64), tgt.astype(np.int64), np.zeros(src.shape[0])

    def potentials(self, pi: np.ndarray, a: np.ndarray, b: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Split node potentials into (u_kept, v_kept) with u_i + v_j <= c_ij.

        The free constant is fixed by the dummy (its potential is 0) or, when balanced, so that
        Σ a u = Σ b v: each side carries half the work.
        """
        m, n = self.m, self.n
        pr, pc = pi[:m], pi[m:m + n]
        if self.dummy != "none":
            shift = -pi[self.dummy_node]
        else:
            wa, wb = a[self.rows], b[self.cols]
            shift = -(wa @ pr + wb @ pc) / (wa.sum() + wb.sum())
        return -(pr + shift), pc + shift, self.rows, self.cols

    def complete_potentials(self, u_kept: np.ndarray, v_kept: np.ndarray,
                            cost_rows, cost_cols, shape: tuple[int, int]
                            ) -> tuple[np.ndarray, np.ndarray]:
        """Dual potentials for every point, zero-weight ones included.

        A dropped row gets u_i = min_j (c_ij − v_j), the largest value that keeps it feasible
        (capped at 0 against a dummy sink); likewise dropped columns. ``cost_rows(idx)`` and
        ``cost_cols(idx)`` return the cost rows / columns for the given indices.
        """
        m_all, n_all = shape
        u = np.zeros(m_all)
        v = np.zeros(n_all)
        u[self.rows] = u_kept
        v[self.cols] = v_kept
        if self.m == m_all and self.n == n_all:
            return u, v
        drop_r = np.setdiff1d(np.arange(m_all), self.rows)
        drop_c = np.setdiff1d(np.arange(n_all), self.cols)
        if drop_r.size:
            sub = cost_rows(drop_r)[:, self.cols]
            u[drop_r] = (sub - v_kept[None, :]).min(axis=1)
            if self.dummy == "sink":
                u[drop_r] = np.minimum(u[drop_r], 0.0)
        if drop_c.size:
            sub = cost_cols(drop_c)
            v[drop_c] = (sub - u[:, None]).min(axis=0)
            if self.dummy == "source":
                v[drop_c] = np.minimum(v[drop_c], 0.0)
        return u, v
