"""Experiments E0–E4: W2 error of the reverse EM sampler against step, dimension, horizon, score.

Each ``run_eN(out, quick=False, seed=0)`` writes ``eN.csv`` and PNG figures into ``out`` and
returns a :class:`~emdkit.sgm.report.Section` for ``reports/sgm/README.md``. ``quick=True``
shrinks every size for tests and the demo (the numbers are then only a smoke check).
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from emdkit.w2 import coordinate_w2, exact_w2, fitted_gaussian_w2, gaussian_w2, sliced_w2

from .ou import Run, coupled_reverse_em, coupling_rms, step_size
from .product_targets import DoubleWellTarget, ElasticNetTarget, GeneralModifiedHalfNormalTarget
from .report import (Section, figure, guide_line, log_rate, loglog_slope, markdown_table, save,
                     write_csv)
from .targets import GaussianTarget, MixtureTarget, Target, sphere_mixture

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


def _coupling_se(a: np.ndarray, b: np.ndarray) -> float:
    """Standard error of coupling_rms by the delta method: se(mean ‖Δ‖²) / (2 rms)."""
    sq = np.sum((a - b) ** 2, axis=1)
    return float(sq.std(ddof=1) / np.sqrt(len(sq)) / (2 * np.sqrt(sq.mean())))


# ---------------------------------------------------------------- E0: Gaussian oracle

def run_e0(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """Exact W2 of the sampler's law (mean/variance recursion + Bures) against γ and d;
    then the W2 estimators on samples of that law, and their sample floor."""
    t0 = time.perf_counter()
    T = 10.0 + EPS  # e^{-T} ≈ 5e-5: the horizon term is negligible here
    dims = [1, 4, 16] if quick else [1, 4, 16, 64]
    steps = [25, 50, 100] if quick else [25, 50, 100, 200, 400, 800]
    rows = []
    for d in dims:
        target = rotated_gaussian(d, seed)
        pi_mean, pi_cov = target.mean, target.cov
        eps_mean, eps_cov = target.marginal(EPS)
        for K in steps:
            mean, cov = target.sampler_law(T, K, EPS)
            w_eps = gaussian_w2(mean, cov, eps_mean, eps_cov)
            w_pi = gaussian_w2(mean, cov, pi_mean, pi_cov)
            rows.append(dict(d=d, K=K, gamma=step_size(T, EPS, K), W2_to_p_eps=w_eps,
                             W2_to_pi=w_pi, W2_to_p_eps_over_sqrt_d=w_eps / np.sqrt(d)))
    write_csv(out / "e0.csv", rows)
    slopes = {d: loglog_slope([r["gamma"] for r in rows if r["d"] == d],
                              [r["W2_to_p_eps"] for r in rows if r["d"] == d]) for d in dims}
    fig, (ax1, ax2) = figure(2)
    for d in dims:
        sel = [r for r in rows if r["d"] == d]
        g = [r["gamma"] for r in sel]
        ax1.loglog(g, [r["W2_to_p_eps"] for r in sel], "o-", label=f"d={d} (slope {slopes[d]:.2f})")
        ax2.loglog(g, [r["W2_to_pi"] for r in sel], "s--", label=f"d={d}")
    guide_line(ax1, g, [r["W2_to_p_eps"] for r in rows if r["d"] == dims[-1]], 1.0, "slope 1")
    ax1.set(xlabel="step γ", ylabel="exact W2(law(Y_K), p_ε)", title="E0: Gaussian oracle, vs p_ε")
    ax2.set(xlabel="step γ", ylabel="exact W2(law(Y_K), π)",
            title=f"E0: vs π (early-stop floor, ε={EPS})")
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig_law = save(fig, out / "e0_gaussian_oracle.png")

    # the estimators on samples of the same laws, against the exact value
    n_est = 400 if quick else 2000
    K_est = steps[0]
    rng = np.random.default_rng(seed + 1)
    est_rows = []
    for d in dims:
        target = rotated_gaussian(d, seed)
        mean, cov = target.sampler_law(T, K_est, EPS)
        sampler = GaussianTarget(mean, cov)
        X, Y = sampler.sample(n_est, rng), target.sample(n_est, rng)
        est_rows.append(dict(
            d=d, exact_bures=gaussian_w2(mean, cov, target.mean, target.cov),
            exact_empirical=exact_w2(X, Y), fitted_bures=fitted_gaussian_w2(X, Y),
            per_coordinate=coordinate_w2(X, Y), sliced=sliced_w2(X, Y, seed=seed)))
    floor_rows = []
    n_floor = 500 if quick else 4000
    for d in ([1, 2, 8] if quick else [1, 2, 4, 8, 16, 32]):
        X, Y = rng.standard_normal((n_floor, d)), rng.standard_normal((n_floor, d))
        tic = time.perf_counter()
        floor = exact_w2(X, Y)
        floor_rows.append(dict(d=d, n=n_floor, exact_empirical=floor,
                               exact_seconds=time.perf_counter() - tic,
                               fitted_bures=fitted_gaussian_w2(X, Y),
                               per_coordinate=coordinate_w2(X, Y),
                               sliced=sliced_w2(X, Y, seed=seed)))
    write_csv(out / "e0_estimators.csv", est_rows)
    write_csv(out / "e0_floor.csv", floor_rows)
    fig, (ax,) = figure(1)
    fd = [r["d"] for r in floor_rows]
    for key, mk in (("exact_empirical", "o-"), ("per_coordinate", "s-"), ("fitted_bures", "^-"),
                    ("sliced", "v-")):
        ax.loglog(fd, [r[key] for r in floor_rows], mk, label=key)
    ax.set(xlabel="dimension d", ylabel="W2 estimate (true value 0)",
           title=f"Sample floor: two n = {n_floor} samples of N(0, I_d)")
    ax.legend(fontsize=8)
    fig_floor = save(fig, out / "e0_sample_floor.png")

    d2 = next((r for r in floor_rows if r["d"] == 2), None)
    d32 = next((r for r in floor_rows if r["d"] == 32), None)
    floor_line = ""
    if d2 and d32:
        floor_line = (f"Measured floor of the exact empirical W2 at n = {n_floor}: "
                      f"**{d2['exact_empirical']:.3f} at d = 2, {d32['exact_empirical']:.2f} at "
                      f"d = 32**.")
    body = f"""Target N(m, QΛQᵀ), eigenvalues geometric in [0.25, 2], seeded rotation Q; T = {T:g},
ε = {EPS}. The sampler's law is Gaussian and follows the mean/variance recursion exactly, so W2 is
the Bures closed form: **no sampling at all**.

Fitted log-log slope of W2(law(Y_K), p_ε) in γ: {", ".join(f"d={d}: **{s:.3f}**" for d, s in slopes.items())}.

![E0]({fig_law})

{markdown_table(rows)}

**Estimators on samples** (n = {n_est} per side, γ = {step_size(T, EPS, K_est):.3g}; the exact
value is the Bures column). Exact empirical W2 is pushed up by the sample floor; the fitted
Bures is unbiased here up to O(d/√n) because both laws are Gaussian; the per-coordinate value is
a lower bound (the covariance is rotated, not a product); sliced W2 is a lower bound on another
scale (≈ W2/√d for isotropic errors).

{markdown_table(est_rows)}

**Sample floor**: two independent n-samples of N(0, I_d), true W2 = 0. {floor_line}

![floor]({fig_floor})

{markdown_table(floor_rows)}
"""
    return Section("e0", "E0 — Gaussian oracle and the W2 estimators", body,
                   time.perf_counter() - t0,
                   tests={f"E0 slope of the exact W2 in γ within {ORDER_ONE_BAND} (d={d})":
                          in_band(s, ORDER_ONE_BAND) for d, s in slopes.items()})


# ---------------------------------------------------------------- E1: order in γ

E1_EPSILONS = (5e-2, 5e-3, 5e-4)  # the early stop: at 5e-4 the kinks are barely smoothed
MHN_ALPHA, MHN_BETA, MHN_GAMMA = 2.0, 1.0, 1.0  # modes at ±1, ρ(0) = 0: not the elastic net


def e1_targets() -> list[Target]:
    return [MixtureTarget(MIXTURE_MU, MIXTURE_S), ElasticNetTarget(2, 1.0, 1.0),
            DoubleWellTarget(2), GeneralModifiedHalfNormalTarget(2, MHN_ALPHA, MHN_BETA, MHN_GAMMA)]


def run_e1(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """Strong error of EM against a fine-step reference driven by the same noise, per early stop ε."""
    t0 = time.perf_counter()
    horizon = 2.0 if quick else 4.0  # T − ε, so every ε sees the same γ grid
    steps = [20, 40, 80] if quick else [50, 100, 200, 400, 800]
    k_ref = steps[-1] * 8
    n = 300 if quick else 2000
    n_emd = 300 if quick else 1500
    epsilons = E1_EPSILONS[:2] if quick else E1_EPSILONS
    rows, fits = [], {}
    fig, axes = figure(len(epsilons) + 1, width=4.3, height=4.0)
    for e, eps in enumerate(epsilons):
        T = horizon + eps
        ax = axes[e]
        for i, target in enumerate(e1_targets()):
            rng = np.random.default_rng(seed + i + 10 * e)
            y0 = rng.standard_normal((n, target.d))
            finals = coupled_reverse_em([Run(target.score, y0, K) for K in steps + [k_ref]], T, eps,
                                        rng)
            ref = finals[-1]
            sample_view = eps == EPS  # the floor comparison once, at the report's main ε
            if sample_view:
                p_eps = target.sample_marginal(n_emd, eps, rng)
                floor = exact_w2(target.sample_marginal(n_emd, eps, rng), p_eps)
            errs = []
            for K, y in zip(steps, finals):
                errs.append(coupling_rms(y, ref))
                rows.append(dict(eps=eps, target=target.name, K=K, gamma=step_size(T, eps, K),
                                 coupling_W2=errs[-1], coupling_se=_coupling_se(y, ref),
                                 empirical_W2_to_p_eps=exact_w2(y[:n_emd], p_eps) if sample_view
                                 else float("nan"),
                                 empirical_floor=floor if sample_view else float("nan")))
            gam = [step_size(T, eps, K) for K in steps]
            fits[(target.name, eps)] = loglog_slope(gam, errs)
            line = ax.loglog(gam, errs, "o-", label=f"{target.name} ({fits[(target.name, eps)]:.2f})")
            if sample_view:
                sel = rows[-len(steps):]
                axes[-1].loglog(gam, [r["empirical_W2_to_p_eps"] for r in sel], "s--",
                                color=line[0].get_color(), label=target.name)
                axes[-1].axhline(floor, color=line[0].get_color(), lw=0.8, ls=":")
        at_eps = [r for r in rows if r["eps"] == eps]
        guide_line(ax, gam, None, 1.0, "slope 1 (fitted level)", data_x=[r["gamma"] for r in at_eps],
                   data_y=[r["coupling_W2"] for r in at_eps])
        ax.set(xlabel="step γ", ylabel="√E‖Y^γ − Y^ref‖²  (≥ W2)",
               title=f"E1: ε = {eps:g} (fitted slope)")
        ax.legend(fontsize=7)
    axes[-1].set(xlabel="step γ", ylabel=f"exact W2 to p_ε samples (n={n_emd})",
                 title=f"ε = {EPS:g} through samples (dotted: floor)")
    axes[-1].legend(fontsize=7)
    fig_name = save(fig, out / "e1_order_in_gamma.png")
    write_csv(out / "e1.csv", rows)
    names = list(dict.fromkeys(k for k, _ in fits))
    # the local slope over the two smallest γ: is a low fitted slope pre-asymptotic?
    tail = {}
    for (k, eps) in fits:
        sel = [r for r in rows if r["target"] == k and r["eps"] == eps][-2:]
        tail[(k, eps)] = loglog_slope([r["gamma"] for r in sel], [r["coupling_W2"] for r in sel])
    slope_table = [dict(target=k, **{f"ε={eps:g}: fit (two smallest γ)":
                                     f"{fits[(k, eps)]:.3f} ({tail[(k, eps)]:.2f})" for eps in epsilons})
                   for k in names]
    failed = [f"{k} at ε = {eps:g} (fitted {v:.3f}, two smallest γ {tail[(k, eps)]:.2f})"
              for (k, eps), v in fits.items() if not in_band(v, ORDER_ONE_BAND)]
    lo, hi = min(fits.values()), max(fits.values())
    band = ORDER_ONE_BAND
    body = f"""d = 2, T = ε + {horizon:g}, n = {n} coupled paths, early stop ε ∈ {{{", ".join(f"{e:g}" for e in epsilons)}}}.
Targets: mixture ½N(±μ, {MIXTURE_S}² I) with μ = {MIXTURE_MU_TEXT}; elastic net λ1 = λ2 = 1; double
well; symmetric modified half-normal ρ ∝ |x|^(α−1) exp(−βx² + γ|x|) with α = {MHN_ALPHA:g}, β = {MHN_BETA:g},
γ = {MHN_GAMMA:g} (ρ(0) = 0, modes at ±1; U → +∞ at 0, so it is *not* semiconvex: outside the
theorem, a probe). Every run is driven by the same Brownian path as a reference run with {k_ref}
steps (γ/{k_ref // steps[-1]} of the finest γ), coarse increments being sums of fine ones;
√E‖Y^γ − Y^ref‖² is an upper bound on W2(law(Y^γ), law(Y^ref)) with no sample floor.

Fitted log-log slopes in γ (decision rule: order one if the slope lies in [{band[0]}, {band[1]}]):

{markdown_table(slope_table, ".3f")}

All {len(fits)} fitted slopes lie in [{lo:.3f}, {hi:.3f}]; the two-point slopes over the smallest γ carry more
Monte Carlo noise (see coupling_se). {"Order one in γ holds for every target at every ε, the kinks included, even where ε is far below the largest γ." if not failed else "Outside the band: " + "; ".join(failed) + ". Every other (target, ε) is in the band."}
The modified half-normal with α = {MHN_ALPHA:g} is not semiconvex, so the theorem does not cover it; where
its fitted slope is low, the slope over the two smallest γ (in brackets) says whether that is
a reduced order or a pre-asymptotic range of γ.
The right panel compares the ε = {EPS:g} runs with fresh exact samples of p_ε: the
sample-based estimate sits on its two-sample floor for small γ and cannot see the γ error;
the coupling can.

![E1]({fig_name})

{markdown_table(rows)}
"""
    return Section("e1", "E1 — order in γ with the exact score, three early stops", body,
                   time.perf_counter() - t0,
                   tests={f"E1 slope in {band} ({k}, ε={eps:g})": in_band(v, band)
                          for (k, eps), v in fits.items()})


# ---------------------------------------------------------------- E2: √d

E2_COMPONENTS = 128  # as many as the largest d, so the non-Gaussian part spans every coordinate
E2_WIDTH = 0.5  # s, every component's standard deviation
E2_RADII = (0.5, 1.0, 1.5)  # |μ_j|: K = (R² − s²)/s⁴ = 0, 12, 32
# The theorem's O(√d) at fixed γ means W2/√d stays bounded as d grows. Finite data cannot show
# boundedness; the test is that the growth has stopped at the top of the range: the log-log
# slope of W2 between the two largest d must not exceed 1/2 by more than this (its Monte Carlo
# s.e., from the per-point s.e., is < 0.01). Over the whole range W2/√d rises, because each
# coordinate's variance s² + R²/d falls towards s², and a narrower law has a larger γ error
# per coordinate; the d → ∞ limit, the N(0, s²) per-coordinate error, is drawn for reference.
# (Rule revised after a smoke run, before the full run: a whole-range slope mixes in that drift.)
E2_SLOPE_MARGIN = 0.05
E2_PRODUCT_SPREAD = 0.05  # product identity: W2/√d within ±5% over d


def e2_product_targets(d: int) -> list[Target]:
    return [ElasticNetTarget(d, 1.0, 1.0), DoubleWellTarget(d)]


def _e2_point(target: Target, n: int, K: int, k_ref: int, T: float, rng) -> dict:
    y0 = rng.standard_normal((n, target.d))
    coarse, ref = coupled_reverse_em([Run(target.score, y0, K), Run(target.score, y0, k_ref)],
                                     T, EPS, rng)
    w = coupling_rms(coarse, ref)
    return dict(d=target.d, n=n, coupling_W2=w, W2_over_sqrt_d=w / np.sqrt(target.d),
                se_over_sqrt_d=_coupling_se(coarse, ref) / np.sqrt(target.d))


def run_e2(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """W2 against d at fixed γ, by coupling against a fine reference: a 16-component Gaussian
    mixture with centres on a sphere (couples coordinates; semiconvexity constant set by the
    radius), and product targets as an identity."""
    t0 = time.perf_counter()
    T = (2.0 if quick else 4.0) + EPS
    K, k_ref = (20, 80) if quick else (100, 800)
    dims = [2, 8, 32] if quick else [2, 8, 32, 128]
    coords = 2000 if quick else 16000  # n·d: equal Monte Carlo effort per d ...
    n_cap = 4000  # ... but at most this many paths (a d = 2 score call costs n·128 exponentials)
    radii = E2_RADII[1:] if quick else E2_RADII
    rows = []
    for r_i, radius in enumerate(radii):
        for d in dims:
            target = sphere_mixture(d, E2_COMPONENTS, radius, E2_WIDTH, seed=seed + d)
            rng = np.random.default_rng(seed + 1000 * r_i + d)
            n = min(max(coords // d, 200), n_cap)
            rows.append(dict(radius=radius, K_semiconvex=target.semiconvexity_bound,
                             **_e2_point(target, n, K, k_ref, T, rng)))
    slopes, whole = {}, {}
    for radius in radii:
        sel = [r for r in rows if r["radius"] == radius]
        slopes[radius] = loglog_slope([r["d"] for r in sel[-2:]], [r["coupling_W2"] for r in sel[-2:]])
        whole[radius] = loglog_slope([r["d"] for r in sel], [r["coupling_W2"] for r in sel])
    # the d → ∞ limit of W2/√d: the coupling error of N(0, s²) in one coordinate
    limit_target = GaussianTarget(np.zeros(1), np.eye(1) * E2_WIDTH ** 2)
    limit = _e2_point(limit_target, 2000 if quick else 40000, K, k_ref, T,
                      np.random.default_rng(seed + 77))["coupling_W2"]
    prod_dims = [1, 4, 16] if quick else [1, 4, 16, 64]
    prod_rows = []
    for d in prod_dims:
        for i, target in enumerate(e2_product_targets(d)):
            rng = np.random.default_rng(seed + 100 * i + d)
            prod_rows.append(dict(target=target.name,
                                  **_e2_point(target, max(coords // d, 200), K, k_ref, T, rng)))
    spread = {}
    for name in dict.fromkeys(r["target"] for r in prod_rows):
        v = np.array([r["W2_over_sqrt_d"] for r in prod_rows if r["target"] == name])
        spread[name] = float(np.max(np.abs(v / v.mean() - 1)))
    write_csv(out / "e2.csv", rows)
    write_csv(out / "e2_products.csv", prod_rows)
    gamma = step_size(T, EPS, K)
    fig, (ax1, ax2) = figure(2, width=5.0)
    for radius in radii:
        sel = [r for r in rows if r["radius"] == radius]
        ax1.errorbar([r["d"] for r in sel], [r["W2_over_sqrt_d"] for r in sel],
                     yerr=[2 * r["se_over_sqrt_d"] for r in sel], marker="o", capsize=3,
                     label=f"R = {radius:g}, K = {sel[0]['K_semiconvex']:.3g} (last slope {slopes[radius]:.2f})")
    ax1.axhline(limit, color="grey", ls="--", lw=1,
                label=f"N(0, {E2_WIDTH}²) per coordinate (d → ∞ limit)")
    ax1.set_xscale("log")
    ax1.set_ylim(bottom=0)
    ax1.set(xlabel="dimension d", ylabel="coupling W2 / √d",
            title=f"E2: {E2_COMPONENTS}-component mixture, γ = {gamma:.3g} (±2 s.e.)")
    ax1.legend(fontsize=7)
    for name in spread:
        sel = [r for r in prod_rows if r["target"] == name]
        ax2.errorbar([r["d"] for r in sel], [r["W2_over_sqrt_d"] for r in sel],
                     yerr=[2 * r["se_over_sqrt_d"] for r in sel], marker="s", capsize=3, label=name)
    ax2.set_xscale("log")
    ax2.set_ylim(bottom=0)
    ax2.set(xlabel="dimension d", ylabel="coupling W2 / √d",
            title="Identity: product targets (W2² adds over coordinates)")
    ax2.legend(fontsize=7)
    fig_name = save(fig, out / "e2_sqrt_d.png")
    worst = max(slopes.values())
    ratio_hi = {radius: max(r["W2_over_sqrt_d"] for r in rows if r["radius"] == radius)
                / next(r["W2_over_sqrt_d"] for r in rows if r["radius"] == radius)
                for radius in radii}
    body = f"""γ = {gamma:.3g} against a reference with γ/{k_ref // K}, T = {T:g}, ε = {EPS},
n = min(max({coords}/d, 200), {n_cap}) coupled paths per point (the s.e. column gives the Monte Carlo
error of each point).

**Test target (couples coordinates).** π = (1/{E2_COMPONENTS}) Σ_j N(μ_j, {E2_WIDTH}² I_d) with the {E2_COMPONENTS}
centres drawn uniformly on the sphere |μ| = R in R^d (closed-form score,
`IsotropicMixtureTarget`). Its potential is semiconvex with K = (R² − s²)/s⁴ (Hessian
⪰ (1/s² − R²/s⁴) I), the same in every d, so R tunes K: R ∈ {{{", ".join(f"{r:g}" for r in radii)}}} gives
K ∈ {{{", ".join(f"{(r * r - E2_WIDTH ** 2) / E2_WIDTH ** 4:g}" for r in radii)}}} (K = 0: log-concave).
The theorem's O(√d) says W2/√d stays bounded as d grows at fixed γ. Decision rule: the growth
has stopped at the top of the range, i.e. the log-log slope of W2 between d = {dims[-2]} and d = {dims[-1]}
is ≤ 0.5 + {E2_SLOPE_MARGIN}. (Revised after a smoke run and before this run: over the whole range
W2/√d rises, because each coordinate's variance s² + R²/d falls towards s² and a narrower law has
a larger γ error per coordinate; the whole-range slope mixes in that drift. Disclosed here.)

Slopes of W2 in d between the two largest d: {", ".join(f"R = {r:g}: **{s:.3f}**" for r, s in slopes.items())};
over the whole range: {", ".join(f"R = {r:g}: {s:.3f}" for r, s in whole.items())}. W2/√d at its largest
over d, relative to d = {dims[0]}: {", ".join(f"R = {r:g}: {v:.2f}" for r, v in ratio_hi.items())}; the d → ∞
limit (the coupling error of N(0, {E2_WIDTH}²) in one coordinate, dashed) is {limit:.4f}, and W2/√d at
d = {dims[-1]} is {", ".join(f"{next(r['W2_over_sqrt_d'] for r in rows if r['radius'] == rad and r['d'] == dims[-1]) / limit:.2f}×" for rad in radii)} of it.
{"The growth has stopped at every separation: consistent with W2 = O(√d), with a constant that does not depend on K here." if worst <= 0.5 + E2_SLOPE_MARGIN else "At some separation W2 still grows faster than √d at the top of the range (see the FAIL line)."}

**Identity (product targets).** For π = ρ^⊗d, W2² of the coupling splits over coordinates, so
W2/√d is constant by construction; it checks the coupling code, not the theorem. Largest
deviation of W2/√d from its mean over d ∈ {prod_dims}: {", ".join(f"{k}: {100 * v:.1f}%" for k, v in spread.items())}.

![E2]({fig_name})

{markdown_table(rows)}

{markdown_table(prod_rows)}
"""
    tests = {f"E2 mixture R={r:g} (K = {max((r * r - E2_WIDTH ** 2) / E2_WIDTH ** 4, 0):g}): slope of W2 in d "
             f"between d={dims[-2]} and d={dims[-1]} ≤ {0.5 + E2_SLOPE_MARGIN:g}": s <= 0.5 + E2_SLOPE_MARGIN
             for r, s in slopes.items()}
    identities = {f"E2 product W2/√d within ±{100 * E2_PRODUCT_SPREAD:g}% over d ({k})":
                  v <= E2_PRODUCT_SPREAD for k, v in spread.items()}
    return Section("e2", "E2 — √d: a mixture that couples coordinates", body,
                   time.perf_counter() - t0, tests=tests, identities=identities)


# ---------------------------------------------------------------- E3: terminal time

E3_MIN_T = 1.0  # rates are fitted over T ≥ 1, past the initial transient
E3_START_RATE_BAND = (-1.1, -0.9)  # identity: the start gap is m_T‖X0‖-dominated, e^{−T}
E3_END_RATE_MAX = -0.7  # test: the horizon term falls at least about as fast as e^{−T}


def run_e3(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """The horizon term: runs from N(0, I) against runs from exact p_T, same γ and noise."""
    t0 = time.perf_counter()
    gamma = 0.05 if quick else 0.02
    step_counts = [10, 20, 40] if quick else [25, 50, 75, 100, 150, 200, 300]
    n = 500 if quick else 4000
    rows = []
    targets = e1_targets()[:3]
    for i, target in enumerate(targets):
        rng = np.random.default_rng(seed + i)
        for K in step_counts:
            T = EPS + K * gamma
            y0 = rng.standard_normal((n, target.d))
            m_T, s_T = np.exp(-T), np.sqrt(-np.expm1(-2 * T))
            y0_exact = m_T * target.sample(n, rng) + s_T * y0  # p_T, coupled with y0
            a, b = coupled_reverse_em([Run(target.score, y0, K), Run(target.score, y0_exact, K)],
                                      T, EPS, rng)
            rows.append(dict(target=target.name, kind="coupling bound", T=T, K=K,
                             start_gap=coupling_rms(y0, y0_exact), end_gap=coupling_rms(a, b)))
    gauss = rotated_gaussian(2, seed)
    for K in step_counts:
        T = EPS + K * gamma
        p_T = gauss.marginal(T)
        law_a = gauss.sampler_law(T, K, EPS)
        law_b = gauss.sampler_law(T, K, EPS, start_exact=True)
        rows.append(dict(target="gaussian", kind="exact W2", T=T, K=K,
                         start_gap=gaussian_w2(np.zeros(2), np.eye(2), *p_T),
                         end_gap=gaussian_w2(*law_a, *law_b)))
    write_csv(out / "e3.csv", rows)
    rates = {}
    fig, (ax1, ax2) = figure(2, width=5.0)
    names = list(dict.fromkeys(r["target"] for r in rows))
    for name in names:
        sel = [r for r in rows if r["target"] == name]
        Ts = np.array([r["T"] for r in sel])
        start, end = (np.array([r[k] for r in sel]) for k in ("start_gap", "end_gap"))
        keep = Ts >= E3_MIN_T
        rates[name] = (log_rate(Ts[keep], start[keep]), log_rate(Ts[keep], end[keep]))
        style = "k^--" if name == "gaussian" else "o-"
        ax1.semilogy(Ts, start, style, label=f"{name} (rate {rates[name][0]:.2f})")
        ax2.semilogy(Ts, end, style, label=f"{name} (rate {rates[name][1]:.2f})")
    Ts = np.array(sorted({r["T"] for r in rows}))
    fit_T = Ts[Ts >= E3_MIN_T]
    mean_start = np.exp(np.mean([np.log([r["start_gap"] for r in rows if r["target"] == nm
                                          and r["T"] >= E3_MIN_T]) for nm in names], axis=0))
    mean_end = np.exp(np.mean([np.log([r["end_gap"] for r in rows if r["target"] == nm
                                        and r["T"] >= E3_MIN_T]) for nm in names], axis=0))
    guide_line(ax1, fit_T, mean_start, -1.0, r"$\propto e^{-T}$ (fitted level)", log_x=False)
    guide_line(ax2, fit_T, mean_end, -1.0, r"$\propto e^{-T}$ (fitted level)", log_x=False)
    guide_line(ax2, fit_T, mean_end, -2.0, r"$\propto e^{-2T}$ (fitted level)", log_x=False,
               style="--")
    ax1.set(xlabel="terminal time T", ylabel="W2 at the start (bound or exact)",
            title="E3: start gap, N(0, I) vs p_T")
    ax2.set(xlabel="terminal time T", ylabel="W2 at the end (bound or exact)",
            title=f"E3: horizon term after the sampler, γ = {gamma}")
    ax1.legend(fontsize=7)
    ax2.legend(fontsize=7)
    fig_name = save(fig, out / "e3_terminal_time.png")
    end_rates = [b for _, b in rates.values()]
    body = f"""γ = {gamma}, ε = {EPS}, T = ε + Kγ. For each target two chains with the same γ and the same
noise start from Y₀ ~ N(0, I) and from Y₀' = m_T X₀ + σ_T Y₀ with X₀ ~ π (an exact sample of
p_T coupled with Y₀); √E‖Y_K − Y_K'‖² bounds the horizon part of the error from above. For the
Gaussian N(m, QΛQᵀ) of E0 (d = 2) both chains' laws are exact Gaussians (mean/variance
recursion from either start), so its horizon term is an exact W2, not a bound. Rates are
least-squares slopes of log W2 against T over T ≥ {E3_MIN_T:g} (e^{{−T}} gives −1, e^{{−2T}} gives −2);
guide lines have the stated slope and a level fitted to the geometric mean of the curves.

| target | rate of the start gap | rate of the end gap (horizon term) |
|---|---:|---:|
""" + "\n".join(f"| {k} | {a:.2f} | {b:.2f} |" for k, (a, b) in rates.items()) + f"""

The start gap is an identity: Y₀ − Y₀' = (1 − σ_T) Y₀ − m_T X₀ with 1 − σ_T ≈ e^{{−2T}}/2, so it
falls like e^{{−T}} by construction (for the Gaussian, W2(N(0, I), p_T) ≈ e^{{−T}}|m| in closed
form). The horizon term at the end is what the theorem bounds by an e^{{−T}}-type term: measured
rates lie in [{min(end_rates):.2f}, {max(end_rates):.2f}], i.e. it falls roughly like e^{{−2T}}, faster than the theorem's
e^{{−T}}, for every target including the exact Gaussian. Reason: over most of the horizon p_t is
close to N(0, I), where the reverse drift y + 2∇log p_t(y) ≈ −y contracts the difference of two
synchronously coupled chains by another factor e^{{−T}}. The theorem's e^{{−T}} is an upper bound
and the measurement sits below it.

![E3]({fig_name})

{markdown_table(rows)}
"""
    return Section("e3", "E3 — terminal time T", body, time.perf_counter() - t0,
                   tests={f"E3 horizon term falls at least like e^-T: rate ≤ {E3_END_RATE_MAX} ({k})":
                          b <= E3_END_RATE_MAX for k, (_, b) in rates.items()},
                   identities={f"E3 start gap falls like e^-T: rate in {E3_START_RATE_BAND} ({k})":
                               in_band(a, E3_START_RATE_BAND) for k, (a, _) in rates.items()})


# ---------------------------------------------------------------- E4: score error

E4_AMPLITUDES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5)  # a: ε_SN = a² E‖φ‖², 3.4 decades of ε_SN
E4_SEEDS = 5
E4_SNAPSHOTS = (60, 200, 600, 2000)
# pre-registered: the 4-seed re-run saw W/√ε_SN up to 1.42; a bound c·√ε_SN with
# c = 2 must hold for every snapshot of every seed
E4_BOUND_C = 2.0


def _perturbations(d: int):
    """Known score errors φ(t, x): a constant drift (unit vector) and an oscillating field."""
    u = np.ones(d) / np.sqrt(d)

    def constant(t, x):
        return np.broadcast_to(u, x.shape)

    def oscillating(t, x):
        # rotates with x: averages out along a path, unlike the constant drift
        return np.sqrt(2.0 / d) * np.sin(3.0 * np.roll(x, 1, axis=1))
    return {"constant drift": constant, "oscillating sin(3x)": oscillating}


def run_e4(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """W2 between perturbed-score and exact-score samplers (same noise) against √ε_SN: a known
    perturbation of the exact score over 3 decades of ε_SN, and trained scores over seeds."""
    from .learned import numpy_score, train_score
    from .targets import score_mse
    t0 = time.perf_counter()
    target = MixtureTarget(MIXTURE_MU, MIXTURE_S)
    T = (2.0 if quick else 4.0) + EPS
    K = 40 if quick else 100
    n = 500 if quick else 4000
    n_mse = 1000 if quick else 4000
    gamma = step_size(T, EPS, K)
    grid = T - gamma * np.arange(K)  # the times at which the sampler asks for the score
    probe = grid[:: max(1, K // 20)]
    rng = np.random.default_rng(seed + 7)
    y0 = rng.standard_normal((n, target.d))
    noise_seed = seed + 8

    def run_with(score):
        return coupled_reverse_em([Run(score, y0, K)], T, EPS, np.random.default_rng(noise_seed))[0]
    exact = run_with(target.score)

    # (a) the exact score plus a known perturbation a·φ
    ctrl_rows = []
    for name, phi in _perturbations(target.d).items():
        for a in E4_AMPLITUDES:
            def score(t, x, a=a, phi=phi):
                return target.score(t, x) + a * phi(t, x)
            mse = score_mse(score, target, probe, n_mse, seed + 9)
            w = coupling_rms(run_with(score), exact)
            ctrl_rows.append(dict(perturbation=name, amplitude=a, eps_SN=float(mse.max()),
                                  sqrt_eps_SN=float(np.sqrt(mse.max())), coupling_W2=w,
                                  ratio=w / np.sqrt(mse.max())))
    ctrl_slopes = {}
    for name in _perturbations(target.d):
        sel = [r for r in ctrl_rows if r["perturbation"] == name]
        ctrl_slopes[name] = loglog_slope([r["sqrt_eps_SN"] for r in sel],
                                         [r["coupling_W2"] for r in sel])
    drift = {}
    for name in ctrl_slopes:
        sel = [r for r in ctrl_rows if r["perturbation"] == name]
        drift[name] = sel[-1]["ratio"] / sel[0]["ratio"]
    const_exact = [abs(r["eps_SN"] / r["amplitude"] ** 2 - 1) for r in ctrl_rows
                   if r["perturbation"] == "constant drift"]

    # (b) trained scores: seeds × snapshots along training
    n_iter = 60 if quick else E4_SNAPSHOTS[-1]
    snaps = [10, 30, 60] if quick else list(E4_SNAPSHOTS)
    n_seeds = 2 if quick else E4_SEEDS
    train_rows, train_seconds = [], 0.0
    for s in range(n_seeds):
        tic = time.perf_counter()
        snapshots = train_score(target, T, EPS, n_iter, snaps, batch=256 if quick else 512,
                                hidden=64, seed=seed + s, threads=1)
        train_seconds += time.perf_counter() - tic
        for snap in snapshots:
            score = numpy_score(snap.model)
            mse = score_mse(score, target, probe, n_mse, seed + 9)
            w = coupling_rms(run_with(score), exact)
            train_rows.append(dict(seed=seed + s, iteration=snap.iteration, dsm_loss=snap.loss,
                                   eps_SN=float(mse.max()), sqrt_eps_SN=float(np.sqrt(mse.max())),
                                   coupling_W2=w, ratio=w / np.sqrt(mse.max())))
    seed_slopes = {}
    for s in dict.fromkeys(r["seed"] for r in train_rows):
        sel = [r for r in train_rows if r["seed"] == s]
        seed_slopes[s] = loglog_slope([r["sqrt_eps_SN"] for r in sel],
                                      [r["coupling_W2"] for r in sel])
    ratios = np.array([r["ratio"] for r in train_rows])
    c_max = float(ratios.max())
    write_csv(out / "e4_controlled.csv", ctrl_rows)
    write_csv(out / "e4.csv", train_rows)

    fig, (ax1, ax2) = figure(2, width=5.0)
    for name in ctrl_slopes:
        sel = [r for r in ctrl_rows if r["perturbation"] == name]
        x = [r["sqrt_eps_SN"] for r in sel]
        ax1.loglog(x, [r["coupling_W2"] for r in sel], "o-",
                   label=f"{name} (slope {ctrl_slopes[name]:.2f})")
    xs = [r["sqrt_eps_SN"] for r in ctrl_rows]
    guide_line(ax1, sorted(set(xs)), None, 1.0, "slope 1 (fitted level)", data_x=xs,
               data_y=[r["coupling_W2"] for r in ctrl_rows])
    ax1.set(xlabel="√ε_SN (max over the time grid)", ylabel="√E‖Y^θ − Y^exact‖²",
            title="E4a: exact score + a·φ, same γ and noise")
    ax1.legend(fontsize=7)
    for s in seed_slopes:
        sel = [r for r in train_rows if r["seed"] == s]
        ax2.loglog([r["sqrt_eps_SN"] for r in sel], [r["coupling_W2"] for r in sel], "o-",
                   label=f"seed {s} (slope {seed_slopes[s]:.2f})")
    xt = np.array(sorted(r["sqrt_eps_SN"] for r in train_rows))
    ax2.loglog(xt, c_max * xt, "k:", label=f"{c_max:.2f}·√ε_SN (largest ratio)")
    ax2.loglog(xt, E4_BOUND_C * xt, "k--", lw=0.8, label=f"{E4_BOUND_C:g}·√ε_SN (pre-set bound)")
    ax2.set(xlabel="√ε_SN", ylabel="√E‖Y^θ − Y^exact‖²",
            title=f"E4b: trained scores, {n_seeds} seeds × {len(snaps)} snapshots")
    ax2.legend(fontsize=7)
    fig_name = save(fig, out / "e4_score_error.png")

    sl = np.array(list(seed_slopes.values()))
    spread = ratios.max() / ratios.min()
    linear = bool(np.all((sl >= ORDER_ONE_BAND[0]) & (sl <= ORDER_ONE_BAND[1])) and spread < 1.5)
    verdict = ("consistent with W ∝ √ε_SN: every seed's slope is in the order-one band and the "
               f"ratio W/√ε_SN varies by less than 1.5×"
               if linear else
               f"an upper bound, not a law: W ≲ {c_max:.2f}·√ε_SN holds for every snapshot, but the "
               f"ratio W/√ε_SN varies {spread:.1f}× (from {ratios.min():.2f} to {ratios.max():.2f}) "
               "and the per-seed slopes leave the order-one band, so W is not a fixed multiple of "
               "√ε_SN")
    body = f"""Mixture ½N(±μ, {MIXTURE_S}² I), μ = {MIXTURE_MU_TEXT}, γ = {gamma:.3g}, T = {T:g}, ε = {EPS}; every
sampler below uses the same Y₀ and noise as the exact-score sampler, so their coupling distance
√E‖Y − Y^exact‖² bounds the score term of W2 from above. ε_SN = max over {len(probe)} of the
sampler's times of the Monte Carlo E_{{p_t}}‖s − ∇log p_t‖² (n = {n_mse}).

**E4a, controlled score error.** s = ∇log p_t + a·φ with a ∈ {{{", ".join(f"{a:g}" for a in E4_AMPLITUDES)}}}
and two known fields: a constant unit drift (ε_SN = a² exactly; the Monte Carlo estimate
matches it to {100 * max(const_exact):.1g}% — an identity) and an oscillating field
√(2/d)·sin(3x) on rolled coordinates. ε_SN spans {np.log10(max(xs) ** 2 / min(xs) ** 2):.1f} decades. Fitted log-log
slopes of W against √ε_SN: {", ".join(f"{k}: **{v:.3f}**" for k, v in ctrl_slopes.items())}; ratio W/√ε_SN:
{", ".join(f"{k}: {min(r['ratio'] for r in ctrl_rows if r['perturbation'] == k):.2f}–{max(r['ratio'] for r in ctrl_rows if r['perturbation'] == k):.2f}" for k in ctrl_slopes)}.
Ratio W/√ε_SN at the largest amplitude over that at the smallest: {", ".join(f"{k}: {drift[k]:.2f}" for k in ctrl_slopes)}
(1 would be exact proportionality). For a fixed error shape W is close to linear in the
error's size while the error is small; the constant depends on the shape: a drift that points
the same way along the whole path moves the samples far more than one that oscillates and
mostly averages out, at equal ε_SN.

**E4b, trained scores.** MLP s_θ(t, x) = f_θ(x, log σ_t)/σ_t (3×64 SiLU), denoising score
matching with weight σ_t², Adam + cosine decay, {n_iter} steps, {n_seeds} seeds, snapshots at
{snaps} ({train_seconds:.0f} s of training on 1 torch thread). Per-seed slopes of W against
√ε_SN: {", ".join(f"{v:.2f}" for v in sl)} (range {sl.min():.2f}–{sl.max():.2f}).
Conclusion the data allow: {verdict}.

![E4]({fig_name})

{markdown_table(ctrl_rows)}

{markdown_table(train_rows)}
"""
    tests = {f"E4a slope of W in √ε_SN within {ORDER_ONE_BAND} ({k})": in_band(v, ORDER_ONE_BAND)
             for k, v in ctrl_slopes.items()}
    tests[f"E4b W ≤ {E4_BOUND_C:g}·√ε_SN for all {len(train_rows)} trained snapshots"] = \
        c_max <= E4_BOUND_C
    identities = {"E4a Monte Carlo ε_SN equals a² for the constant unit drift (within 1e-9)":
                  max(const_exact) <= 1e-9}
    return Section("e4", "E4 — score error: controlled perturbation and trained seeds", body,
                   time.perf_counter() - t0, tests=tests, identities=identities)


EXPERIMENTS = {"e0": run_e0, "e1": run_e1, "e2": run_e2, "e3": run_e3, "e4": run_e4}
