"""Output: the optimal flow, the distance it certifies, the dual potentials — and the one
assembly step that every solver path returns through."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .problem import TransportProblem

if TYPE_CHECKING:  # scipy.sparse takes 0.1-0.2 s to import: only flow_sparse needs it
    import scipy.sparse as sp


@dataclass(frozen=True)
class EMDResult:
    """An optimal transport between two signatures (Rubner's EMD).

    Attributes
    ----------
    distance : float
        EMD = Σ f*_ij d_ij / Σ f*_ij, in the units of the ground distance.
    work : float
        Σ f*_ij d_ij, in (weight units) × (ground-distance units). It can overflow to inf
        when the distance does not (costs near 1e308 times large weights).
    total_flow : float
        Σ f*_ij = min(Σ a, Σ b), in weight units.
    u, v : numpy.ndarray, shapes (m,) and (n,)
        Dual potentials, in ground-distance units: u_i + v_j <= d_ij for every pair (up to the
        rounding of the sum, at most a few ulps of ``|u_i| + |v_j|``), and Σ a_i u_i + Σ b_j v_j
        equals the work within ``gap``. With unequal totals they are measured from the
        zero-cost dummy, so u <= 0 when Σ a > Σ b (v <= 0 when Σ b > Σ a). ∂work/∂a_i = u_i
        where the optimum is non-degenerate.
    n_iter : int
        Network-simplex pivots (or exact-refinement pivots); augmenting paths for the
        assignment path; 0 for the 1-D, one-to-many and constant-cost paths.
    method : str
        Which path produced the answer: "block", "candidate_rounds", "assignment",
        "constant", "one_to_many", "monotone_1d", "pointcloud", "exact_integer" or
        "exact_rational".
    gap : float
        The certificate, at most 1e-11: a proven bound on (work − optimum) / work, or, where
        float64 cannot prove that (optima near 0, big-M costs), on (work − optimum) /
        max(work, Σ a|u| + Σ b|v|) for a flow that meets the weights to within 1e-11 of the
        mass (see "The exactness certificate" in the user guide). 0 for the exact paths and
        the 1-D closed form.
    exact : bool
        True when ``distance`` and ``work`` are the exact optimum of the problem as posed
        (every weight and cost the float64 it is) rounded once to nearest, and ``gap`` is 0:
        the answers of the exact simplex ("exact_integer", "exact_rational"). False for an
        answer proven by the float certificate (``gap``), whose distance can differ from the
        correctly rounded one in the last few bits.
    basis_arcs : tuple of two int arrays, or None
        (rows, cols) of the optimal spanning tree's real arcs, zero-flow ones included, in the
        caller's indices, where the route kept them (candidate rounds, warm starts); a warm
        start from this result (``emd(..., init=result)``) reuses them, else its flow.
    """

    distance: float
    work: float
    total_flow: float
    u: np.ndarray
    v: np.ndarray
    shape: tuple[int, int]
    flow_rows: np.ndarray = field(repr=False)
    flow_cols: np.ndarray = field(repr=False)
    flow_values: np.ndarray = field(repr=False)
    n_iter: int = 0
    method: str = "block"
    gap: float = 0.0
    exact: bool = False
    basis_arcs: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def flow(self) -> np.ndarray:
        """The dense (m, n) optimal flow f*; use :meth:`flow_sparse` for large problems."""
        dense = np.zeros(self.shape, dtype=np.float64)
        np.add.at(dense, (self.flow_rows, self.flow_cols), self.flow_values)
        return dense

    def flow_sparse(self) -> sp.coo_array:
        """The optimal flow as a SciPy sparse array (at most m + n − 1 non-zeros)."""
        import scipy.sparse as sp
        return sp.coo_array((self.flow_values, (self.flow_rows, self.flow_cols)),
                            shape=self.shape)

    def __float__(self) -> float:
        return float(self.distance)


class BatchEMDResult(Sequence):
    """The results of :func:`emdkit.emd_batch` and friends: a sequence of :class:`EMDResult`.

    ``res[k]`` is problem k's result; ``res.distance``, ``res.work`` and ``res.total_flow``
    are (B,) float64 arrays, ``res.exact`` a (B,) bool array (see :attr:`EMDResult.exact`).
    """

    def __init__(self, results: list[EMDResult]):
        self._results = list(results)

    def __len__(self) -> int:
        return len(self._results)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return BatchEMDResult(self._results[k])
        return self._results[k]

    def _vector(self, name: str) -> np.ndarray:
        return np.array([getattr(r, name) for r in self._results], dtype=np.float64)

    @property
    def distance(self) -> np.ndarray:
        return self._vector("distance")

    @property
    def work(self) -> np.ndarray:
        return self._vector("work")

    @property
    def total_flow(self) -> np.ndarray:
        return self._vector("total_flow")

    @property
    def exact(self) -> np.ndarray:
        return np.array([r.exact for r in self._results], dtype=bool)

    def __repr__(self) -> str:
        return f"BatchEMDResult(B={len(self)}, distance={self.distance!r})"


def assemble(problem: TransportProblem, sup_r: np.ndarray, sup_c: np.ndarray,
             f_scaled: np.ndarray, pi: np.ndarray, work_scaled: float, cost_exp: int,
             shape: tuple[int, int], cost_rows, cost_cols, method: str, n_iter: int,
             gap: float) -> EMDResult:
    """Every path's answer, in the user's units, from a solve in scaled block layout.

    ``sup_r, sup_c`` index the balanced block (dummy row/column included; dropped here),
    ``f_scaled`` are flows in weights scaled by 2**-weight_exp, ``pi`` node potentials
    (rows, then columns) and ``work_scaled`` the canonical Σ f c in costs scaled by
    2**-cost_exp. The distance is work / total in scaled units, rescaled by a power of two,
    so it is finite whenever the answer is. ``cost_rows(idx)`` / ``cost_cols(idx)`` give
    unscaled cost rows / columns of the full problem, for the potentials of dropped points.
    """
    real = (sup_r < problem.m) & (sup_c < problem.n)
    order = np.lexsort((sup_c[real], sup_r[real]))
    rows = problem.rows[sup_r[real][order]]
    cols = problem.cols[sup_c[real][order]]
    flows = np.ldexp(f_scaled[real][order], problem.weight_exp)
    total_scaled = problem.total_flow_scaled
    distance = float(np.ldexp(work_scaled / total_scaled, cost_exp)) if total_scaled > 0 else 0.0
    work = float(np.ldexp(work_scaled, cost_exp + problem.weight_exp))
    u_k, v_k = problem.split_potentials(pi)
    u, v = problem.complete_potentials(np.ldexp(u_k, cost_exp), np.ldexp(v_k, cost_exp),
                                       cost_rows, cost_cols, shape)
    return EMDResult(distance=distance, work=work, total_flow=problem.total_flow, u=u, v=v,
                     shape=shape, flow_rows=rows, flow_cols=cols, flow_values=flows,
                     n_iter=int(n_iter), method=method, gap=float(gap))
