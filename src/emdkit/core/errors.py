"""Solver outcomes: the status codes every path reports, and the one exception they raise.

An emdkit solver either returns an optimum it has certified or raises :class:`SolverError`;
there is no approximate fallback. Numba kernels cannot raise with a message, so they return
one of the status codes below and the Python side calls :func:`raise_for_status`.
"""
from __future__ import annotations

STATUS_OPTIMAL = 0
STATUS_MAX_ITER = 1
STATUS_UNBOUNDED = 2          # no leaving arc: cannot happen with finite costs and supplies
STATUS_ARTIFICIAL_FLOW = 3    # mass left on the artificial root arcs at the end
STATUS_NOT_CERTIFIED = 4      # the floating-point certificate could not prove optimality
STATUS_NO_AUGMENTING_PATH = 5  # the assignment solver found no path (finite costs rule it out)


class SolverError(RuntimeError):
    """The solver stopped before it could certify optimality (it never returns a guess).

    ``status`` is the solver status it reports (one of the ``STATUS_*`` codes above), or None.
    """

    def __init__(self, message: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def raise_for_status(status: int, max_iter: int = 0, pivots: int = 0, where: str = "") -> None:
    """Turn a solver status into an exception; an uncertified run never returns a value."""
    status = int(status)
    if status == STATUS_OPTIMAL:
        return
    prefix = f"{where}: " if where else ""
    raise SolverError(prefix + _status_message(status, max_iter, pivots), status=status)


def _status_message(status: int, max_iter: int, pivots: int) -> str:
    """What a status means, for :func:`raise_for_status`."""
    if status == STATUS_MAX_ITER:
        return (f"network simplex reached max_iter={max_iter} pivots before optimality; "
                "no value is returned (raise max_iter to continue)")
    if status == STATUS_ARTIFICIAL_FLOW:
        return (f"network simplex ended with mass on artificial arcs ({pivots} pivots); "
                "no value is returned")
    if status == STATUS_NOT_CERTIFIED:
        return ("the optimum could not be certified in float64: the costs' dynamic range "
                "exceeds what the certificate can resolve (see emdkit.emd, 'Exactness'); "
                "no value is returned")
    if status == STATUS_NO_AUGMENTING_PATH:
        return "assignment solver found no augmenting path; no value is returned"
    return (f"network simplex stopped without a certified optimum (status {status}, {pivots} "
            "pivots); no value is returned")


def for_problem(where: str, exc: Exception) -> Exception:
    """``exc`` again, its message prefixed with the problem it concerns (same class; a
    :class:`SolverError` keeps its status)."""
    if isinstance(exc, SolverError):
        return type(exc)(f"{where}: {exc}", status=exc.status)
    return type(exc)(f"{where}: {exc}")
