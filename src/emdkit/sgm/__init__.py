"""emdkit.sgm: a score-based generative model lab measured in W2.

Forward OU and reverse Euler–Maruyama (:mod:`.ou`), targets with exact scores (:mod:`.targets`,
:mod:`.product_targets`), a learned score (:mod:`.learned`, torch), experiments E0–E4
(:mod:`.experiments`).
"""
from .ou import Run, coupled_reverse_em, coupling_rms, forward_ou, ou_mean_scale, reverse_em, step_size
from .product_targets import (DoubleWellTarget, ElasticNetTarget, GeneralModifiedHalfNormalTarget,
                              ModifiedHalfNormalTarget, ProductTarget, QuadratureProductTarget)
from .targets import (GaussianTarget, IsotropicMixtureTarget, MixtureTarget, RotatedBlockMixtureTarget,
                      Target, sphere_mixture)

__all__ = ["DoubleWellTarget", "ElasticNetTarget", "GaussianTarget", "GeneralModifiedHalfNormalTarget",
           "IsotropicMixtureTarget", "MixtureTarget", "ModifiedHalfNormalTarget", "ProductTarget",
           "QuadratureProductTarget", "RotatedBlockMixtureTarget", "Run", "sphere_mixture", "Target", "coupled_reverse_em",
           "coupling_rms", "forward_ou", "ou_mean_scale", "reverse_em", "step_size"]
