"""emdkit.nn: PyTorch losses built on the EMD (optional extra: ``pip install torch``).

- :func:`emd2_loss` / :class:`EMD2Loss`: closed-form (squared) EMD for ordered classes
  (Hou, Yu & Samaras, arXiv 1611.05916).
"""
from .emd2 import EMD2Loss, emd2_loss

__all__ = ["EMD2Loss", "emd2_loss"]
