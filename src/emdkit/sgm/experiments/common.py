"""What the experiments E0–E4 share: the early stop, the order-one band, the E1 mixture, and the
Gaussian test target; one experiment per module beside this one (issue 25)."""
from __future__ import annotations

import numpy as np

from ..targets import GaussianTarget

EPS = 0.05  # early stop of E0, E2–E4
# Decision rules, fixed before the runs. "Order one" means a fitted log-log slope in this band:
# the ±0.1 is 3–10× the slope's spread over seeds in the pre-issue runs (E0/E1, 0.98–1.04).
ORDER_ONE_BAND = (0.9, 1.1)
MIXTURE_MU, MIXTURE_S = np.array([1.0, 1.0]), 0.5
MIXTURE_MU_TEXT = "(" + ", ".join(f"{x:g}" for x in MIXTURE_MU) + ")"


def rotated_gaussian(d: int, seed: int = 0) -> GaussianTarget:
    """N(m, QΛQᵀ) with eigenvalues geometric in [0.25, 2], a seeded rotation Q and m = Q·0.5."""
    rng = np.random.default_rng(seed)
    eig = np.geomspace(0.25, 2.0, d) if d > 1 else np.array([np.sqrt(0.5)])
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return GaussianTarget(Q @ np.full(d, 0.5), (Q * eig) @ Q.T)


def in_band(value: float, band: tuple[float, float]) -> bool:
    return band[0] <= value <= band[1]


def coupling_se(a: np.ndarray, b: np.ndarray) -> float:
    """Standard error of coupling_rms by the delta method: se(mean ‖Δ‖²) / (2 rms)."""
    sq = np.sum((a - b) ** 2, axis=1)
    return float(sq.std(ddof=1) / np.sqrt(len(sq)) / (2 * np.sqrt(sq.mean())))


def select(rows: list[dict], **where) -> list[dict]:
    """The rows whose fields equal every ``where`` value."""
    return [r for r in rows if all(r[k] == v for k, v in where.items())]
