"""Output: the optimal flow, the distance it certifies, the dual potentials — and the one
assembly step that every solver path returns through."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .problem import ldexp

if TYPE_CHECKING:  # annotations only: prepare.py imports the solver's modules, and
    import scipy.sparse as sp  # scipy.sparse takes 0.1-0.2 s to import (flow_sparse's)

    from .prepare import PreparedProblem

# The largest dense flow that EMDResult.flow forms: 2 GiB (128² images a side, 16,384², fit;
# 256² would need 32 GiB), so a large result never exhausts memory by a property access.
DENSE_FLOW_MAX_BYTES = 2 * 2**30


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
        "constant", "one_to_many", "monotone_1d", "pointcloud", "multiscale", "exact_integer" or
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
        with the compiled engine every answer of the dense, batch, pairwise and point-cloud
        paths (verified exactly from its final basis), and the exact simplex's
        ("exact_integer", "exact_rational"); on the 1-D route ("monotone_1d") when the totals
        are exactly equal, with the cost |x − y| or (x − y)² evaluated exactly on the float64
        positions (not rounded). False for an answer proven by the float certificate alone
        (``gap``; ``EMDKIT_ENGINE=numba``) and on the 1-D route when the totals agree only to
        rounding, whose distance can differ from the correctly rounded one in the last few
        bits.
    basis_arcs : tuple of two int arrays, or None
        (rows, cols) of the optimal spanning tree's real arcs, zero-flow ones included, in the
        caller's indices, where the route kept them (candidate rounds, warm starts); a warm
        start from this result (``emd(..., init=result)``) reuses them, else its flow.

    The result is read-only. ``u`` and ``v`` are formed from the solver's potentials on
    first access (a small ``emd`` call spends no time on duals it is not asked for).
    """

    # the fields live in one list (one store instead of thirteen: a small emd call builds its
    # result in 1 µs, not 3), read through the properties made below the class
    __slots__ = ("_fields", "_duals")

    def __init__(self, distance: float, work: float, total_flow: float, u, v,
                 shape: tuple[int, int], flow_rows: np.ndarray, flow_cols: np.ndarray,
                 flow_values: np.ndarray, n_iter: int = 0, method: str = "block",
                 gap: float = 0.0, exact: bool = False, basis_arcs: tuple | None = None,
                 duals=None) -> None:
        """``u`` and ``v`` may be None when ``duals()`` returns them (called once, on first
        access)."""
        object.__setattr__(self, "_fields", [distance, work, total_flow, u, v, shape,
                                             flow_rows, flow_cols, flow_values, n_iter,
                                             method, gap, exact, basis_arcs])
        object.__setattr__(self, "_duals", duals)

    def __setattr__(self, name, value):
        raise AttributeError(f"EMDResult is read-only: cannot set {name!r}")

    __delattr__ = __setattr__

    def _complete(self) -> None:
        duals = self._duals
        if duals is not None:
            self._fields[3:5] = duals()
            object.__setattr__(self, "_duals", None)

    @property
    def u(self) -> np.ndarray:
        """Dual potentials of the rows (see the class docstring).

        See Also
        --------
        v : the columns' potentials; u_i + v_j <= d_ij certifies the flow.
        gap : how far the dual objective Σ a u + Σ b v may lie below the work.

        References
        ----------
        .. [1] R. K. Ahuja, T. L. Magnanti, J. B. Orlin, *Network Flows*, Prentice Hall, 1993,
           ch. 9 (complementary slackness of minimum-cost flow).
        """
        self._complete()
        return self._fields[3]

    @property
    def v(self) -> np.ndarray:
        """Dual potentials of the columns (see the class docstring).

        See Also
        --------
        u : the rows' potentials, and where the optimality conditions they meet are cited.
        """
        self._complete()
        return self._fields[4]

    def __reduce__(self):
        # the duals are formed before pickling (Dask sends results between processes)
        self._complete()
        return (EMDResult, tuple(self._fields))

    def __repr__(self) -> str:
        return (f"EMDResult(distance={self.distance!r}, work={self.work!r}, "
                f"total_flow={self.total_flow!r}, u={self.u!r}, v={self.v!r}, "
                f"shape={self.shape!r}, n_iter={self.n_iter!r}, method={self.method!r}, "
                f"gap={self.gap!r}, exact={self.exact!r})")

    @property
    def flow(self) -> np.ndarray:
        """The dense (m, n) optimal flow f*, formed on each access; use :meth:`flow_sparse`
        for large problems.

        Raises
        ------
        MemoryError
            When m·n float64 values would take more than ``DENSE_FLOW_MAX_BYTES``.

        See Also
        --------
        flow_sparse : the same flow without the m·n array.
        flow_rows : the non-zeros' coordinates and values, as stored.
        """
        need = 8 * self.shape[0] * self.shape[1]
        if need > DENSE_FLOW_MAX_BYTES:
            raise MemoryError(
                f"the dense {self.shape[0]} x {self.shape[1]} flow would take "
                f"{need / 2**30:.1f} GiB (limit {DENSE_FLOW_MAX_BYTES / 2**30:.0f} GiB); use "
                f"result.flow_sparse(), which holds its {self.flow_values.shape[0]} non-zeros")
        dense = np.zeros(self.shape, dtype=np.float64)
        np.add.at(dense, (self.flow_rows, self.flow_cols), self.flow_values)
        return dense

    def flow_sparse(self) -> sp.coo_array:
        """The optimal flow as a SciPy sparse array (at most m + n − 1 non-zeros).

        See Also
        --------
        flow : the same flow as a dense (m, n) array.
        basis_arcs : the spanning tree the flow lies on, zero-flow arcs included.
        """
        import scipy.sparse as sp
        return sp.coo_array((self.flow_values, (self.flow_rows, self.flow_cols)),
                            shape=self.shape)

    def __float__(self) -> float:
        return float(self.distance)


# Each field's pointers for its See Also section: (name, why), read by _field below.
_FIELD_SEE_ALSO = {
    "distance": ("work", "the unnormalised cost; distance = work / total_flow"),
    "work": ("distance", "the work per unit of mass moved"),
    "total_flow": ("distance", "the work divided by this mass"),
    "shape": ("flow", "the (m, n) flow this shape describes"),
    "flow_rows": ("flow_sparse", "these coordinates and values as a SciPy sparse array"),
    "flow_cols": ("flow_sparse", "these coordinates and values as a SciPy sparse array"),
    "flow_values": ("flow_sparse", "these coordinates and values as a SciPy sparse array"),
    "n_iter": ("method", "which path ran, and so what the count counts"),
    "method": ("emdkit.emd", "its Notes list which path runs when"),
    "gap": ("exact", "True when the gap is 0 and the answer is the rounded exact optimum"),
    "exact": ("gap", "the certificate of the answers that are not exact"),
    "basis_arcs": ("emdkit.emd", "``init=result`` starts from these arcs"),
}


def _field(index: int, name: str) -> property:
    other, why = _FIELD_SEE_ALSO[name]
    doc = (f"See the class docstring: {name}.\n\nSee Also\n--------\n{other} : {why}.\n"
           f"EMDResult : the class docstring, which defines every field.\n")
    return property(lambda self: self._fields[index], doc=doc)


for _index, _name in enumerate(("distance", "work", "total_flow", "u", "v", "shape",
                                "flow_rows", "flow_cols", "flow_values", "n_iter", "method",
                                "gap", "exact", "basis_arcs")):
    if _name not in ("u", "v"):
        setattr(EMDResult, _name, _field(_index, _name))
del _index, _name


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
        """The (B,) distances, one per problem.

        See Also
        --------
        EMDResult.distance : one problem's distance, defined there.
        """
        return self._vector("distance")

    @property
    def work(self) -> np.ndarray:
        """The (B,) works, one per problem.

        See Also
        --------
        EMDResult.work : one problem's work, defined there.
        """
        return self._vector("work")

    @property
    def total_flow(self) -> np.ndarray:
        """The (B,) total flows, one per problem.

        See Also
        --------
        EMDResult.total_flow : one problem's mass moved, defined there.
        """
        return self._vector("total_flow")

    @property
    def exact(self) -> np.ndarray:
        """The (B,) bools: which answers are the rounded exact optimum.

        See Also
        --------
        EMDResult.exact : one problem's flag, defined there.
        """
        return np.array([r.exact for r in self._results], dtype=bool)

    def __repr__(self) -> str:
        return f"BatchEMDResult(B={len(self)}, distance={self.distance!r})"


def assemble(prep: "PreparedProblem", sup_r: np.ndarray, sup_c: np.ndarray,
             f_scaled: np.ndarray, pi: np.ndarray, work_scaled: float, method: str,
             n_iter: int, gap: float, exact: tuple[float, float] | None = None,
             basis_arcs: tuple | None = None) -> EMDResult:
    """Every path's answer, in the user's units, from a solve of the prepared problem ``prep``
    in scaled block layout.

    ``sup_r, sup_c`` index the balanced block in row-major order (every path lists its
    support so; dummy row/column included, dropped here), ``f_scaled`` are flows in weights
    scaled by 2**-weight_exp, ``pi`` node potentials (rows, then columns) and ``work_scaled``
    the canonical Σ f c in costs scaled by 2**-cost_exp. The distance is work / total in
    scaled units, rescaled by a power of two, so it is finite whenever the answer is. The
    duals of dropped points are formed from ``prep``'s costs when first asked for.

    ``exact``: the (distance, work) of an exact solve, each rounded once from the exact
    rational, in place of the ones rescaled here (the result is then marked ``exact``).
    ``basis_arcs``: the optimal tree's arcs in the caller's indices, where the route kept them
    (for warm starts).
    """
    problem, cost_exp = prep.problem, prep.cost_exp
    if problem.dummy != "none":
        real = (sup_r < problem.m) & (sup_c < problem.n)
        sup_r, sup_c, f_scaled = sup_r[real], sup_c[real], f_scaled[real]
    rows, cols = (problem.rows[sup_r], problem.cols[sup_c]) if problem.dropped else \
        (sup_r, sup_c)
    flows = np.ldexp(f_scaled, problem.weight_exp)
    total_scaled = problem.total_flow_scaled
    if exact is not None:
        distance, work = exact
    else:
        distance = ldexp(work_scaled / total_scaled, cost_exp) if total_scaled > 0 else 0.0
        work = ldexp(work_scaled, cost_exp + problem.weight_exp)

    def duals():
        u_k, v_k = problem.split_potentials(pi)
        if cost_exp:
            # costs near 1e308 can have potentials past float64 (up to ~(m + n) times the
            # largest cost): those are ±inf, like the work's overflow (problem.ldexp)
            with np.errstate(over="ignore"):
                u_k, v_k = np.ldexp(u_k, cost_exp), np.ldexp(v_k, cost_exp)
        return problem.complete_potentials(u_k, v_k, prep.cost_rows, prep.cost_cols,
                                           prep.shape, *prep.dual_minima())

    return EMDResult(distance, work, problem.total_flow, None, None, prep.shape, rows, cols,
                     flows, int(n_iter), method, float(gap), exact is not None, basis_arcs,
                     duals)
