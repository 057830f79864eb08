"""E2: W2 against the dimension d at fixed γ, by coupling against a fine reference.

E2a (decides, issue 26): a rotated product of 2-D mixture blocks, whose non-Gaussian part does
not fade with d. E2b: the 128-component sphere mixture of the previous report, whose
per-coordinate non-Gaussian part fades like R²/d (shown, supports nothing about non-Gaussian
targets). Product targets: an identity.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..ou import Run, coupled_reverse_em, coupling_rms, step_size
from ..product_targets import DoubleWellTarget, ElasticNetTarget
from ..report import Section, figure, loglog_slope, markdown_table, save, write_csv
from ..targets import GaussianTarget, RotatedBlockMixtureTarget, Target, sphere_mixture
from .common import EPS, MIXTURE_MU, MIXTURE_MU_TEXT, MIXTURE_S, coupling_se, select

E2_COMPONENTS = 128  # E2b: as many as the largest d
E2_WIDTH = 0.5  # E2b: s, every component's standard deviation
E2_RADII = (0.5, 1.0, 1.5)  # E2b: |μ_j|: K = (R² − s²)/s⁴ = 0, 12, 32
# E2a rule (protocol, fixed before the run): the whole-range log-log slope of W2 in d in this band
E2A_SLOPE_BAND = (0.45, 0.55)
# E2b rule (unchanged from the previous run, where it was revised after a smoke run; disclosed)
E2B_SLOPE_MAX = 0.55
E2_PRODUCT_SPREAD = 0.05  # product identity: W2/√d within ±5% over d


def _point(target: Target, n: int, K: int, k_ref: int, T: float, rng) -> dict:
    y0 = rng.standard_normal((n, target.d))
    coarse, ref = coupled_reverse_em([Run(target.score, y0, K), Run(target.score, y0, k_ref)],
                                     T, EPS, rng)
    w = coupling_rms(coarse, ref)
    return dict(d=target.d, n=n, coupling_W2=w, W2_over_sqrt_d=w / np.sqrt(target.d),
                se_over_sqrt_d=coupling_se(coarse, ref) / np.sqrt(target.d))


def compute(quick: bool = False, seed: int = 0) -> tuple[dict, dict]:
    T = (2.0 if quick else 4.0) + EPS
    K, k_ref = (20, 80) if quick else (100, 800)
    dims = [2, 8, 32] if quick else [2, 8, 32, 128]
    coords = 2000 if quick else 16000  # n·d: equal Monte Carlo effort per d ...
    n_cap = 4000  # ... but at most this many paths (a d = 2 score call costs n·128 exponentials)

    def n_of(d):
        return min(max(coords // d, 200), n_cap)
    blocks = [dict(**_point(RotatedBlockMixtureTarget(d, MIXTURE_MU, MIXTURE_S, seed=seed + d),
                            n_of(d), K, k_ref, T, np.random.default_rng(seed + 500 + d)))
              for d in dims]
    sphere = []
    # issue-26 protocol amendment (2026-12-03): E2b is not rerun on the loaded machine; the
    # --quick smoke run keeps it so its code stays exercised
    for r_i, radius in enumerate(E2_RADII[1:] if quick else ()):
        for d in dims:
            target = sphere_mixture(d, E2_COMPONENTS, radius, E2_WIDTH, seed=seed + d)
            sphere.append(dict(radius=radius, K_semiconvex=target.semiconvexity_bound,
                               **_point(target, n_of(d), K, k_ref, T,
                                        np.random.default_rng(seed + 1000 * r_i + d))))
    limit = _point(GaussianTarget(np.zeros(1), np.eye(1) * E2_WIDTH ** 2), 2000 if quick else 40000,
                   K, k_ref, T, np.random.default_rng(seed + 77))["coupling_W2"]
    products = []
    for d in ([1, 4, 16] if quick else [1, 4, 16, 64]):
        for i, target in enumerate([ElasticNetTarget(d, 1.0, 1.0), DoubleWellTarget(d)]):
            products.append(dict(target=target.name, **_point(target, max(coords // d, 200), K, k_ref,
                                                              T, np.random.default_rng(seed + 100 * i + d))))
    tables = dict(blocks=blocks, products=products, **(dict(sphere=sphere) if sphere else {}))
    return (tables,
            dict(T=T, K=K, k_ref=k_ref, coords=coords, n_cap=n_cap, gaussian_limit=limit,
                 gamma=step_size(T, EPS, K)))


def _figure(blocks, sphere, products, slopes_b, limit, gamma, out: Path) -> str:
    fig, (ax0, ax1, ax2) = figure(3, width=4.6)
    ax0.errorbar([r["d"] for r in blocks], [r["W2_over_sqrt_d"] for r in blocks],
                 yerr=[2 * r["se_over_sqrt_d"] for r in blocks], marker="o", capsize=3,
                 label="rotated 2-D mixture blocks")
    ax0.set(xlabel="dimension d", ylabel="coupling W2 / √d", xscale="log",
            title=f"E2a: non-Gaussian part kept, γ = {gamma:.3g}")
    ax0.set_ylim(bottom=0)
    ax0.legend(fontsize=7)
    for radius in dict.fromkeys(r["radius"] for r in sphere):
        sel = select(sphere, radius=radius)
        ax1.errorbar([r["d"] for r in sel], [r["W2_over_sqrt_d"] for r in sel],
                     yerr=[2 * r["se_over_sqrt_d"] for r in sel], marker="o", capsize=3,
                     label=f"R = {radius:g} (last slope {slopes_b[radius]:.2f})")
    ax1.axhline(limit, color="grey", ls="--", lw=1, label=f"N(0, {E2_WIDTH}²) per coordinate")
    ax1.set(xlabel="dimension d", ylabel="coupling W2 / √d", xscale="log",
            title="E2b: sphere mixture (fades to Gaussian)")
    ax1.set_ylim(bottom=0)
    ax1.legend(fontsize=7)
    for name in dict.fromkeys(r["target"] for r in products):
        sel = select(products, target=name)
        ax2.errorbar([r["d"] for r in sel], [r["W2_over_sqrt_d"] for r in sel],
                     yerr=[2 * r["se_over_sqrt_d"] for r in sel], marker="s", capsize=3, label=name)
    ax2.set(xlabel="dimension d", ylabel="coupling W2 / √d", xscale="log",
            title="Identity: product targets")
    ax2.set_ylim(bottom=0)
    ax2.legend(fontsize=7)
    return save(fig, out / "e2_sqrt_d.png")


def _e2b_text(sphere, radii, dims, slopes_b, limit) -> str:
    at_top = ", ".join(f"R = {rad:g}: {select(sphere, radius=rad, d=dims[-1])[0]['W2_over_sqrt_d'] / limit:.2f}×"
                       for rad in radii)
    return f"""**E2b (supports nothing about non-Gaussian targets): the sphere mixture.**
π = (1/{E2_COMPONENTS}) Σ_j N(μ_j, {E2_WIDTH}² I_d), centres uniform on |μ| = R, R ∈ {{{", ".join(f"{r:g}" for r in radii)}}}
(K = (R² − s²)/s⁴). Its per-coordinate departure from a Gaussian fades like R²/d: at d = {dims[-1]}
W2/√d is {at_top} of the Gaussian limit {limit:.4f} (the coupling error of N(0, {E2_WIDTH}²) in one
coordinate), so its flat W2/√d at the top of the range is mostly the Gaussian part. Rule, as in
the previous run (revised there after a smoke run: under the original fit over d ≥ 8 two of three
cases fail; disclosed): slope between d = {dims[-2]} and d = {dims[-1]} ≤ {E2B_SLOPE_MAX}. Slopes:
{", ".join(f"R = {r:g}: {s:.3f}" for r, s in slopes_b.items())}.

"""


def render(tables: dict, meta: dict, out: Path) -> Section:
    blocks, sphere, products = tables["blocks"], tables.get("sphere", []), tables["products"]
    if sphere:
        write_csv(out / "e2.csv", sphere)
    write_csv(out / "e2_blocks.csv", blocks)
    write_csv(out / "e2_products.csv", products)
    dims = [r["d"] for r in blocks]
    slope_a = loglog_slope(dims, [r["coupling_W2"] for r in blocks])
    radii = list(dict.fromkeys(r["radius"] for r in sphere))
    slopes_b = {rad: loglog_slope([r["d"] for r in select(sphere, radius=rad)[-2:]],
                                  [r["coupling_W2"] for r in select(sphere, radius=rad)[-2:]])
                for rad in radii}
    spread = {}
    for name in dict.fromkeys(r["target"] for r in products):
        v = np.array([r["W2_over_sqrt_d"] for r in select(products, target=name)])
        spread[name] = float(np.max(np.abs(v / v.mean() - 1)))
    limit = meta["gaussian_limit"]
    fig_name = _figure(blocks, sphere, products, slopes_b, limit, meta["gamma"], out)
    K_block = RotatedBlockMixtureTarget(2, MIXTURE_MU, MIXTURE_S).semiconvexity_bound
    lo, hi = E2A_SLOPE_BAND
    e2b_text = (_e2b_text(sphere, radii, dims, slopes_b, limit) if sphere else
                "**E2b (the sphere mixture) was not rerun** (protocol amendment of 2026-12-03: machine "
                "budget); its rule is not evaluated and the previous run's numbers are history, not "
                "results.\n\n")
    body = f"""γ = {meta['gamma']:.3g} against a reference with γ/{meta['k_ref'] // meta['K']}, T = {meta['T']:g}, ε = {EPS},
n = min(max({meta['coords']}/d, 200), {meta['n_cap']}) coupled paths per point (the s.e. column gives the
Monte Carlo error of each point). The seed's O(√d) (S2) says W2/√d stays bounded as d grows.

**E2a (decides S2): a non-Gaussian part that does not fade with d.** π = law of Q·Z, Z made of
d/2 independent 2-D blocks ½N(±μ, {MIXTURE_S}² I₂), μ = {MIXTURE_MU_TEXT}, Q a seeded random rotation
of R^d, so the score couples every coordinate; every block is as non-Gaussian at d = {dims[-1]} as
at d = 2, and K = {K_block:g} in every d. Rule (protocol): the log-log slope of W2 in d over
d ∈ {dims} lies in [{lo}, {hi}]. Measured: **{slope_a:.3f}**; W2/√d from
{min(r['W2_over_sqrt_d'] for r in blocks):.4f} to {max(r['W2_over_sqrt_d'] for r in blocks):.4f}.
Stated before the run and repeated here: the sampler is rotation-equivariant and this target is
a rotated product of blocks, so W2² adds over blocks and slope 1/2 follows from d = 2 alone. E2a
shows that the implementation adds no d-dependence on a coupled score; it cannot tell a √d law
from a faster one on targets that do not factorise, and "a constant independent of K" is
**not tested** (no target with an exact score, a d-independent K, a non-fading non-Gaussian
part and no product structure is known to us).

{e2b_text}**Identity (product targets).** For π = ρ^⊗d, W2² of the coupling splits over coordinates, so
W2/√d is constant by construction; it checks the coupling code, not the theorem. Largest
deviation of W2/√d from its mean over d: {", ".join(f"{k}: {100 * v:.1f}%" for k, v in spread.items())}.

![E2]({fig_name})

{markdown_table(blocks)}

{markdown_table(sphere) if sphere else ""}

{markdown_table(products)}
"""
    tests = {f"E2a rotated 2-D mixture blocks (K = {K_block:g}): slope of W2 in d over d = "
             f"{dims[0]}…{dims[-1]} within {E2A_SLOPE_BAND}": lo <= slope_a <= hi}
    tests.update({f"E2b sphere mixture R={r:g}: slope of W2 in d between d={dims[-2]} and "
                  f"d={dims[-1]} ≤ {E2B_SLOPE_MAX:g}": s <= E2B_SLOPE_MAX for r, s in slopes_b.items()})
    identities = {f"E2 product W2/√d within ±{100 * E2_PRODUCT_SPREAD:g}% over d ({k})":
                  v <= E2_PRODUCT_SPREAD for k, v in spread.items()}
    return Section("e2", "E2 — √d: a non-Gaussian part that stays, and one that fades", body,
                   meta["seconds"], tests=tests, identities=identities)
