"""Output: the optimal flow, the distance it certifies, and the dual potentials."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class EMDResult:
    """An optimal transport between two signatures (Rubner's EMD).

    Attributes
    ----------
    distance : float
        EMD = Σ f*_ij d_ij / Σ f*_ij, in the units of the ground distance.
    work : float
        Σ f*_ij d_ij, in (weight units) × (ground-distance units).
    total_flow : float
        Σ f*_ij = min(Σ a, Σ b), in weight units.
    u, v : (m,), (n,) arrays
        Dual potentials: u_i + v_j <= d_ij for every pair, with equality where f_ij > 0, and
        Σ a_i u_i + Σ b_j v_j = work. With unequal totals the potentials are measured from the
        zero-cost dummy, so u <= 0 when Σ a > Σ b (v <= 0 when Σ b > Σ a). ∂work/∂a_i = u_i.
    n_iter : int
        Network-simplex pivots; augmenting paths for the assignment path; 0 for the 1-D path.
    method : str
        Which solver produced the answer.
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
    method: str = "network_simplex"

    @property
    def flow(self) -> np.ndarray:
        """The dense (m, n) optimal flow f*; use :meth:`flow_sparse` for large problems."""
        dense = np.zeros(self.shape, dtype=np.float64)
        np.add.at(dense, (self.flow_rows, self.flow_cols), self.flow_values)
        return dense

    def flow_sparse(self) -> sp.coo_array:
        """The optimal flow as a SciPy sparse array (at most m + n − 1 non-zeros)."""
        return sp.coo_array((self.flow_values, (self.flow_rows, self.flow_cols)), shape=self.shape)

    def __float__(self) -> float:
        return float(self.distance)
