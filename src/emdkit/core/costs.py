"""Ground costs: one registry of metrics, and the ground-distance matrix between signatures.

Every module that needs a metric asks :data:`GROUND_COSTS`: its scipy name, its code for the
compiled kernels, its formula, its units, whether it is a norm (and which), whether the sorted
coupling is optimal for it on the line. The command line, the web page and the API all take
names, units and labels from here.

Adding a metric takes: its entry here; its branch in the compiled engine's
``cpp/costs/ground_cost.hpp`` (``Metric``, and ``accumulate``/``finish`` for a point pair, a
point and a box for KD-tree pricing, and the line; a test checks the codes agree) and in the
Numba reference kernels of :mod:`emdkit.core.cost_kernels` (its code constant too) while that
engine is kept; and, if positions should get gradients in :mod:`emdkit.nn`, its ∇c there
(``POSITION_GRAD_METRICS``).
Everything else (the command line, the web page, units, the 1-D path) reads this registry.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import numpy as np
from numpy.typing import ArrayLike

from .engine import native_engine
from .validation import as_points

Metric = Union[str, Callable[[np.ndarray, np.ndarray], float]]


@dataclass(frozen=True)
class GroundCost:
    """What emdkit knows about one named ground distance.

    Attributes
    ----------
    name : the name users pass (``metric="euclidean"``).
    scipy_name : the name ``scipy.spatial.distance.cdist`` knows it by.
    code : the integer the compiled kernels dispatch on (see :mod:`emdkit.core.cost_kernels`).
    formula : d(x, y) in plain Unicode, for help texts and pages.
    norm_ord : ``numpy.linalg.norm``'s ``ord`` when d(x, y) = ‖x − y‖ for that norm (then the
        centroid lower bound of Rubner holds), else None.
    convex_on_line : on the line, d is a convex function of x − y, so the sorted (monotone)
        coupling is optimal for equal totals.
    unit_power : d is in the coordinates' units to this power; on the line d = |x − y|**power.
    """

    name: str
    scipy_name: str
    code: int
    formula: str
    norm_ord: float | None
    convex_on_line: bool
    unit_power: int

    @property
    def is_norm(self) -> bool:
        return self.norm_ord is not None

    @property
    def label(self) -> str:
        """``"euclidean (‖x − y‖₂)"``: the name and its formula."""
        return f"{self.name} ({self.formula})"

    def units(self, coordinates: str) -> str:
        """The units of this distance (and of an EMD under it) for coordinates in ``coordinates``.

        >>> GROUND_COSTS["euclidean"].units("ΔE*ab"), GROUND_COSTS["sqeuclidean"].units("m")
        ('ΔE*ab', '(m)²')
        """
        return coordinates if self.unit_power == 1 else f"({coordinates})²"


GROUND_COSTS: dict[str, GroundCost] = {c.name: c for c in (
    GroundCost("euclidean", "euclidean", 0, "‖x − y‖₂", 2, convex_on_line=True, unit_power=1),
    GroundCost("sqeuclidean", "sqeuclidean", 1, "‖x − y‖₂²", None, convex_on_line=True,
               unit_power=2),
    GroundCost("cityblock", "cityblock", 2, "‖x − y‖₁", 1, convex_on_line=True, unit_power=1),
    GroundCost("chebyshev", "chebyshev", 3, "‖x − y‖∞", np.inf, convex_on_line=True,
               unit_power=1),
)}
METRICS = tuple(GROUND_COSTS)
NORM_METRICS = tuple(name for name, c in GROUND_COSTS.items() if c.is_norm)


def lookup_metric(metric: object, name: str = "metric") -> GroundCost:
    """The registry entry for a metric name; a clear error for anything else."""
    if not isinstance(metric, str):
        raise TypeError(f"{name} must be one of {METRICS} or a callable, "
                        f"got {type(metric).__name__}")
    try:
        return GROUND_COSTS[metric]
    except KeyError:
        raise ValueError(f"{name} must be one of {METRICS} or a callable, "
                         f"got {metric!r}") from None


def check_metric(metric: object, name: str = "metric") -> Metric:
    """A registered metric name or a callable, returned unchanged."""
    if callable(metric):
        return metric
    lookup_metric(metric, name)
    return metric


def ground_distance(X: ArrayLike, Y: ArrayLike, metric: Metric = "euclidean") -> np.ndarray:
    """Ground-distance matrix ``D[i, j] = d(X[i], Y[j])`` in the units of the coordinates.

    Parameters
    ----------
    X, Y : array_like, shapes (m, d) and (n, d)
        Positions; 1-D inputs are points on a line.
    metric : str or callable, default "euclidean"
        "euclidean" (‖x − y‖₂), "sqeuclidean" (‖x − y‖₂², units squared), "cityblock"
        (‖x − y‖₁), "chebyshev" (‖x − y‖∞), or a callable ``f(x, y) -> float`` returning a non-negative
        finite number.

    Returns
    -------
    numpy.ndarray, shape (m, n), float64
        A named metric is computed by the engine's cost kernel, the one the matrix-free
        point-cloud path uses, so a pair costs the same bits on every path; a callable is
        evaluated pair by pair through ``scipy.spatial.distance.cdist``.

    Raises
    ------
    TypeError
        If the positions are not real numbers or the metric is neither a name nor a callable.
    ValueError
        If the positions are empty, non-finite or of different dimension, the metric name is
        unknown, or a callable returns a negative, NaN or infinite value.

    See Also
    --------
    signature_emd : the EMD under these distances.
    scipy.spatial.distance.cdist : the same matrices; it evaluates a callable metric here.

    References
    ----------
    .. [1] P. Virtanen et al., "SciPy 1.0: fundamental algorithms for scientific computing in
       Python", Nature Methods 17, 2020.

    Examples
    --------
    >>> from emdkit import ground_distance
    >>> ground_distance([[0.0, 0.0]], [[3.0, 4.0], [1.0, 0.0]])
    array([[5., 1.]])
    """
    X = as_points(X, "X")
    Y = as_points(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} coordinates per point but Y has {Y.shape[1]}")
    if callable(metric):
        from scipy.spatial.distance import cdist  # here: SciPy's import is 0.2-0.4 s (issue 21)

        try:
            D = cdist(X, Y, metric=lambda x, y: _checked_callable_value(metric(x, y)))
        except TypeError as exc:
            raise TypeError(f"metric callable failed: {exc}") from None
        if D.size and (not np.all(np.isfinite(D)) or D.min() < 0):
            raise ValueError("metric callable returned a negative, NaN or inf distance")
        return D
    return _cost_matrix(X, Y, lookup_metric(metric).code)


def _cost_matrix(X: np.ndarray, Y: np.ndarray, code: int) -> np.ndarray:
    # the engine's own kernel, so a dense path reads the bits the point-cloud path computes
    native = native_engine()
    if native is not None:
        D = np.empty((X.shape[0], Y.shape[0]))
        native.cost_matrix(np.ascontiguousarray(X), np.ascontiguousarray(Y), code, D)
        return D
    from .cost_kernels import cost_matrix  # the Numba reference, imported only under it
    return cost_matrix(X, Y, code)


def _checked_callable_value(value: object) -> float:
    # a metric returning '1' or True would otherwise be coerced into a number silently
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"metric callable must return a real number, "
                        f"got {type(value).__name__}")
    return float(value)
