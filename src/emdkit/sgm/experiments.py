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
from .product_targets import DoubleWellTarget, ElasticNetTarget, ModifiedHalfNormalTarget
from .report import (Section, figure, log_rate, loglog_slope, markdown_table, reference_line, save,
                     write_csv)
from .targets import GaussianTarget, MixtureTarget, Target

EPS = 0.05  # early stop used throughout
MIXTURE_MU, MIXTURE_S = np.array([1.0, 1.0]), 0.5
MIXTURE_MU_TEXT = "(" + ", ".join(f"{x:g}" for x in MIXTURE_MU) + ")"


def rotated_gaussian(d: int, seed: int = 0) -> GaussianTarget:
    """N(m, QΛQᵀ) with eigenvalues geometric in [0.25, 2], a seeded rotation Q and m = Q·0.5."""
    rng = np.random.default_rng(seed)
    eig = np.geomspace(0.25, 2.0, d) if d > 1 else np.array([np.sqrt(0.5)])
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return GaussianTarget(Q @ np.full(d, 0.5), (Q * eig) @ Q.T)


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
    reference_line(ax1, g, rows[0]["W2_to_p_eps"], 1.0, "slope 1")
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
    ax.set(xlabel="dimension d", ylabel=f"W2 estimate between two independent samples of N(0, I)",
           title=f"Sample floor, n = {n_floor} per side (true W2 = 0)")
    ax.legend(fontsize=8)
    fig_floor = save(fig, out / "e0_sample_floor.png")

    d2 = next((r for r in floor_rows if r["d"] == 2), None)
    d32 = next((r for r in floor_rows if r["d"] == 32), None)
    floor_line = ""
    if d2 and d32:
        floor_line = (f"Measured floor of the exact empirical W2 at n = {n_floor}: "
                      f"**{d2['exact_empirical']:.3f} at d = 2, {d32['exact_empirical']:.2f} at "
                      f"d = 32** (the issue quotes ≈ 0.12 and ≈ 5.3).")
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
                   {f"E0 slope in γ within [0.9, 1.1] (d={d})": 0.9 <= s <= 1.1
                    for d, s in slopes.items()})


# ---------------------------------------------------------------- E1: order in γ

def e1_targets() -> list[Target]:
    return [MixtureTarget(MIXTURE_MU, MIXTURE_S), ElasticNetTarget(2, 1.0, 1.0),
            DoubleWellTarget(2)]


def run_e1(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """Strong error of EM against a fine-step reference driven by the same noise."""
    t0 = time.perf_counter()
    T = (2.0 if quick else 4.0) + EPS
    steps = [20, 40, 80] if quick else [50, 100, 200, 400, 800]
    k_ref = steps[-1] * 8
    n = 500 if quick else 4000
    n_emd = 300 if quick else 1500
    rows, fits = [], {}
    fig, axes = figure(2)
    for i, target in enumerate(e1_targets()):
        rng = np.random.default_rng(seed + i)
        y0 = rng.standard_normal((n, target.d))
        finals = coupled_reverse_em([Run(target.score, y0, K) for K in steps + [k_ref]], T, EPS,
                                    rng)
        ref = finals[-1]
        # the sample-based view: exact empirical W2 against fresh samples of p_ε
        p_eps = target.sample_marginal(n_emd, EPS, rng)
        floor = exact_w2(target.sample_marginal(n_emd, EPS, rng), p_eps)
        errs = []
        for K, y in zip(steps, finals):
            errs.append(coupling_rms(y, ref))
            rows.append(dict(target=target.name, K=K, gamma=step_size(T, EPS, K),
                             coupling_W2=errs[-1], coupling_se=_coupling_se(y, ref),
                             empirical_W2_to_p_eps=exact_w2(y[:n_emd], p_eps),
                             empirical_floor=floor))
        rows.append(dict(target=target.name, K=k_ref, gamma=step_size(T, EPS, k_ref),
                         coupling_W2=0.0, coupling_se=0.0,
                         empirical_W2_to_p_eps=exact_w2(ref[:n_emd], p_eps),
                         empirical_floor=floor))
        gam = [step_size(T, EPS, K) for K in steps]
        fits[target.name] = loglog_slope(gam, errs)
        line = axes[0].loglog(gam, errs, "o-", label=f"{target.name} (slope {fits[target.name]:.2f})")
        axes[1].loglog(gam, [r["empirical_W2_to_p_eps"] for r in rows[-len(steps) - 1:-1]], "s--",
                       color=line[0].get_color(), label=f"{target.name}: exact empirical W2")
        axes[1].axhline(floor, color=line[0].get_color(), lw=0.8, ls=":")
    reference_line(axes[0], gam, rows[0]["coupling_W2"], 1.0, "slope 1")
    axes[0].set(xlabel="step γ", ylabel="√E‖Y^γ − Y^ref‖²  (≥ W2)",
                title=f"E1: synchronous coupling, ref γ/{k_ref // steps[-1]}")
    axes[1].set(xlabel="step γ", ylabel=f"exact W2 to fresh p_ε samples (n={n_emd})",
                title="E1: the same, seen through samples (dotted: floor)")
    axes[0].legend(fontsize=8)
    axes[1].legend(fontsize=7)
    fig_name = save(fig, out / "e1_order_in_gamma.png")
    write_csv(out / "e1.csv", rows)
    body = f"""d = 2, T = {T:g}, ε = {EPS}, n = {n} coupled paths; targets: mixture ½N(±μ, {MIXTURE_S}² I)
with μ = {MIXTURE_MU_TEXT}, elastic net λ1 = λ2 = 1, double well. Every run is driven by the
same Brownian path as a reference run with {k_ref} steps (γ_ref = {step_size(T, EPS, k_ref):.3g}),
coarse increments being sums of fine ones; √E‖Y^γ − Y^ref‖² is an upper bound on
W2(law(Y^γ), law(Y^ref)) with no sample floor. The reference itself is compared with fresh exact
samples of p_ε in the last column pair: its exact empirical W2 matches the two-sample floor, and
so does every γ ≤ 0.02: the sample-based estimate cannot see the γ error, the coupling can.

Fitted log-log slopes in γ: {", ".join(f"{k}: **{v:.3f}**" for k, v in fits.items())}.

![E1]({fig_name})

{markdown_table(rows)}
"""
    return Section("e1", "E1 — order in γ with the exact score", body, time.perf_counter() - t0,
                   {f"E1 slope in [0.9, 1.1] ({k})": 0.9 <= v <= 1.1 for k, v in fits.items()})


# ---------------------------------------------------------------- E2: √d

def e2_targets(d: int) -> list[Target]:
    mu = np.zeros(d)
    mu[0] = np.linalg.norm(MIXTURE_MU)  # the E1 mixture's |μ|, along a fixed axis
    return [ElasticNetTarget(d, 1.0, 1.0), ModifiedHalfNormalTarget(d, beta=1.0, gamma=-1.0),
            DoubleWellTarget(d), MixtureTarget(mu, MIXTURE_S)]


def run_e2(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """W2/√d at fixed γ across d, by coupling against a fine reference."""
    t0 = time.perf_counter()
    T = (2.0 if quick else 4.0) + EPS
    K, k_ref = (20, 80) if quick else (100, 800)
    dims = [1, 4, 16] if quick else [1, 4, 16, 64]
    coords = 2000 if quick else 32000  # n·d: equal Monte Carlo effort per d
    rows = []
    for d in dims:
        for i, target in enumerate(e2_targets(d)):
            rng = np.random.default_rng(seed + 100 * i + d)
            n = max(coords // d, 200)
            y0 = rng.standard_normal((n, d))
            coarse, ref = coupled_reverse_em([Run(target.score, y0, K), Run(target.score, y0, k_ref)],
                                             T, EPS, rng)
            w = coupling_rms(coarse, ref)
            row = dict(target=target.name, d=d, n=n, coupling_W2=w,
                       W2_over_sqrt_d=w / np.sqrt(d), se_over_sqrt_d=_coupling_se(coarse, ref) / np.sqrt(d))
            if isinstance(target, MixtureTarget):
                row["axis_rms"] = float(np.sqrt(np.mean((coarse - ref)[:, 0] ** 2)))
                row["other_rms"] = (float(np.sqrt(np.mean((coarse - ref)[:, 1:] ** 2)))
                                    if d > 1 else float("nan"))
            rows.append(row)
    names = list(dict.fromkeys(r["target"] for r in rows))
    spread = {}
    for name in names:
        v = np.array([r["W2_over_sqrt_d"] for r in rows if r["target"] == name])
        spread[name] = float(np.max(np.abs(v / v.mean() - 1)))
    mix = [r for r in rows if r["target"] == "mixture"]
    e_par = np.mean([r["axis_rms"] for r in mix])
    e_perp = np.nanmean([r["other_rms"] for r in mix])
    for r in mix:
        r["predicted_over_sqrt_d"] = float(np.sqrt((e_par ** 2 + (r["d"] - 1) * e_perp ** 2) / r["d"]))
    full_rows = [{k: r.get(k, "") for k in ["target", "d", "n", "coupling_W2", "W2_over_sqrt_d",
                                              "se_over_sqrt_d", "axis_rms", "other_rms",
                                              "predicted_over_sqrt_d"]} for r in rows]
    write_csv(out / "e2.csv", full_rows)
    fig, (ax,) = figure(1, width=6.2)
    for name in names:
        sel = [r for r in rows if r["target"] == name]
        ax.errorbar([r["d"] for r in sel], [r["W2_over_sqrt_d"] for r in sel],
                    yerr=[2 * r["se_over_sqrt_d"] for r in sel], marker="o", capsize=3,
                    label=f"{name} (max dev {100 * spread[name]:.1f}%)")
    ax.plot([r["d"] for r in mix], [r["predicted_over_sqrt_d"] for r in mix], "k:",
            label="mixture: √((e∥² + (d−1)e⊥²)/d)")
    ax.set_xscale("log")
    ax.set(xlabel="dimension d", ylabel="coupling W2 / √d",
           title=f"E2: W2/√d at γ = {step_size(T, EPS, K):.3g} (±2 s.e.)")
    ax.legend(fontsize=7)
    fig_name = save(fig, out / "e2_sqrt_d.png")
    product_names = [n for n in names if n != "mixture"]
    body = f"""γ = {step_size(T, EPS, K):.3g} against a reference with γ/{k_ref // K}, T = {T:g},
ε = {EPS}, n·d = {coords} coupled coordinates per point (so the Monte Carlo error is alike
across d). Targets: elastic net λ1 = λ2 = 1; modified half-normal α = 1, β = 1, γ_mhn = −1 (the
semiconvex side: it is the elastic net λ1 = 1, λ2 = 2); double well; mixture ½N(±μ, {MIXTURE_S}² I)
with μ = {np.linalg.norm(MIXTURE_MU):.3g}·e₁ (fixed direction).

Largest deviation of W2/√d from its mean over d ∈ {dims}: {", ".join(f"{k}: **{100 * v:.1f}%**" for k, v in spread.items())}.

For product targets W2² splits over coordinates, so W2/√d is constant by construction; the
measurement confirms the coupling estimator and the score code have no d-dependence. The mixture
along a fixed axis is *not* a product of identical factors: one coordinate carries the bimodal law
(error e∥ = {e_par:.4f}) and d − 1 carry N(0, {MIXTURE_S}²) (error e⊥ = {e_perp:.4f}), so
W2/√d = √((e∥² + (d−1)e⊥²)/d) moves from e∥ at d = 1 towards e⊥: it is bounded by
max(e∥, e⊥) — the O(√d) growth of the theorem — but constant only when e∥ = e⊥. The dotted line is
that prediction from the pooled e∥, e⊥; it matches the measured points.

![E2]({fig_name})

{markdown_table(full_rows)}
"""
    checks = {f"E2 W2/√d within ±5% ({k})": spread[k] <= 0.05 for k in product_names}
    checks["E2 mixture matches the e∥/e⊥ decomposition within ±5%"] = all(
        abs(r["W2_over_sqrt_d"] / r["predicted_over_sqrt_d"] - 1) <= 0.05 for r in mix)
    return Section("e2", "E2 — √d scaling", body, time.perf_counter() - t0, checks)


# ---------------------------------------------------------------- E3: terminal time

def run_e3(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """The horizon term: runs from N(0, I) against runs from exact p_T, same γ and noise."""
    t0 = time.perf_counter()
    gamma = 0.05 if quick else 0.02
    step_counts = [10, 20, 40] if quick else [25, 50, 75, 100, 150, 200, 300]
    n = 500 if quick else 4000
    rows = []
    targets = e1_targets()
    for i, target in enumerate(targets):
        rng = np.random.default_rng(seed + i)
        for K in step_counts:
            T = EPS + K * gamma
            y0 = rng.standard_normal((n, target.d))
            m_T, s_T = np.exp(-T), np.sqrt(-np.expm1(-2 * T))
            y0_exact = m_T * target.sample(n, rng) + s_T * y0  # p_T, coupled with y0
            a, b = coupled_reverse_em([Run(target.score, y0, K), Run(target.score, y0_exact, K)],
                                      T, EPS, rng)
            rows.append(dict(target=target.name, T=T, K=K, start_W2_bound=coupling_rms(y0, y0_exact),
                             final_W2_bound=coupling_rms(a, b)))
    gauss = rotated_gaussian(2, seed)
    eps_mean, eps_cov = gauss.marginal(EPS)
    for K in step_counts:
        T = EPS + K * gamma
        mean, cov = gauss.sampler_law(T, K, EPS)
        rows.append(dict(target="gaussian (exact W2 to p_ε)", T=T, K=K, start_W2_bound=float("nan"),
                         final_W2_bound=gaussian_w2(mean, cov, eps_mean, eps_cov)))
    write_csv(out / "e3.csv", rows)
    rates = {}
    fig, (ax,) = figure(1, width=6.2)
    for name in dict.fromkeys(r["target"] for r in rows):
        sel = [r for r in rows if r["target"] == name]
        Ts = np.array([r["T"] for r in sel])
        w = np.array([r["final_W2_bound"] for r in sel])
        if not name.startswith("gaussian"):
            keep = Ts >= 1.0
            start = np.array([r["start_W2_bound"] for r in sel])
            rates[name] = (log_rate(Ts[keep], start[keep]), log_rate(Ts[keep], w[keep]))
            label = f"{name}: coupling (rate {rates[name][1]:.2f})"
        else:
            label = name
        ax.semilogy(Ts, w, "o-", label=label)
    Ts = np.array(sorted({r["T"] for r in rows}))
    ax.semilogy(Ts, np.exp(-Ts), "k:", label=r"$e^{-T}$")
    ax.set(xlabel="terminal time T", ylabel="W2 bound", title=f"E3: horizon term, γ = {gamma}")
    ax.legend(fontsize=7)
    fig_name = save(fig, out / "e3_terminal_time.png")
    body = f"""γ = {gamma}, ε = {EPS}, T = ε + Kγ. For each target two chains with the same γ and the same
noise start from Y₀ ~ N(0, I) and from Y₀' = m_T X₀ + σ_T Y₀ with X₀ ~ π (an exact sample of
p_T coupled with Y₀); √E‖Y_K − Y_K'‖² bounds the horizon part of the error. Fitted rates of
log W2 in T over T ≥ 1 (e^{{−T}} gives −1), as (gap at the start, gap at the end):
{", ".join(f"{k}: **{a:.2f}**, **{b:.2f}**" for k, (a, b) in rates.items())}.
The start gap W2(N(0, I), p_T) falls like e^{{−T}}, as the theorem's horizon term does. The gap
at the end falls about twice as fast: over most of the horizon p_t is close to N(0, I), where the
reverse drift y + 2∇log p_t(y) ≈ −y contracts the difference of two synchronously coupled chains by
another factor e^{{−T}}. The theorem's e^{{−T}} is an upper bound, and the measurement sits below it.
The Gaussian line is the exact total W2 to p_ε (oracle): it falls like e^{{−T}} until the
γ-term ({rows[-1]['final_W2_bound']:.3g}) takes over.

![E3]({fig_name})

{markdown_table(rows)}
"""
    return Section("e3", "E3 — terminal time T", body, time.perf_counter() - t0,
                   {**{f"E3 start gap falls like e^-T: rate in [-1.3, -0.7] ({k})": -1.3 <= a <= -0.7
                       for k, (a, _) in rates.items()},
                    **{f"E3 horizon term falls at least as fast as e^-T: rate <= -0.7 ({k})": b <= -0.7
                       for k, (_, b) in rates.items()}})



# ---------------------------------------------------------------- E4: learned score

def run_e4(out: Path, quick: bool = False, seed: int = 0) -> Section:
    """W2 between learned-score and exact-score samplers (same noise) against √ε_SN."""
    from .learned import numpy_score, train_score
    from .targets import score_mse
    t0 = time.perf_counter()
    target = MixtureTarget(MIXTURE_MU, MIXTURE_S)
    T = (2.0 if quick else 4.0) + EPS
    K = 40 if quick else 100
    n_iter = 60 if quick else 2000
    snaps = [10, 30, 60] if quick else [20, 60, 150, 400, 1000, 2000]
    n = 500 if quick else 4000
    n_emd = 300 if quick else 1500
    tic = time.perf_counter()
    snapshots = train_score(target, T, EPS, n_iter, snaps, batch=256 if quick else 512,
                            hidden=64, seed=seed, threads=1)
    train_seconds = time.perf_counter() - tic
    gamma = step_size(T, EPS, K)
    grid = T - gamma * np.arange(K)  # the times at which the sampler asks for the score
    probe = grid[:: max(1, K // 20)]
    rng = np.random.default_rng(seed + 7)
    y0 = rng.standard_normal((n, target.d))
    exact = coupled_reverse_em([Run(target.score, y0, K)], T, EPS, np.random.default_rng(seed + 8))[0]
    p0 = target.sample(n_emd, rng)
    floor = exact_w2(target.sample(n_emd, rng), p0)
    rows = []
    for snap in snapshots:
        score = numpy_score(snap.model)
        mse = score_mse(score, target, probe, 1000 if quick else 4000, seed + 9)
        learned = coupled_reverse_em([Run(score, y0, K)], T, EPS, np.random.default_rng(seed + 8))[0]
        rows.append(dict(iteration=snap.iteration, dsm_loss=snap.loss, eps_SN_max=float(mse.max()),
                         eps_SN_mean=float(mse.mean()), sqrt_eps_SN=float(np.sqrt(mse.max())),
                         coupling_W2_to_exact_score=coupling_rms(learned, exact),
                         empirical_W2_to_pi=exact_w2(learned[:n_emd], p0), empirical_floor=floor))
    exact_row = exact_w2(exact[:n_emd], p0)
    write_csv(out / "e4.csv", rows)
    x = [r["sqrt_eps_SN"] for r in rows]
    y = [r["coupling_W2_to_exact_score"] for r in rows]
    slope = loglog_slope(x, y)
    fig, (ax1, ax2) = figure(2)
    ax1.loglog(x, y, "o-", label=f"coupling (slope {slope:.2f})")
    reference_line(ax1, sorted(x), y[int(np.argmin(x))], 1.0, "slope 1")
    for r in rows:
        ax1.annotate(str(r["iteration"]), (r["sqrt_eps_SN"], r["coupling_W2_to_exact_score"]),
                     fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax1.set(xlabel="√ε_SN (max over the time grid)", ylabel="√E‖Y^θ − Y^exact‖²",
            title="E4: learned vs exact score, same γ and noise")
    ax1.legend(fontsize=8)
    ax2.semilogx(x, [r["empirical_W2_to_pi"] for r in rows], "s-", label="learned: exact empirical W2 to π")
    ax2.axhline(exact_row, color="C1", ls="--", label="exact score: same estimate")
    ax2.axhline(floor, color="grey", ls=":", label="two-sample floor")
    ax2.set(xlabel="√ε_SN", ylabel=f"W2 to π samples (n={n_emd})", title="E4: total error through samples")
    ax2.legend(fontsize=7)
    fig_name = save(fig, out / "e4_learned_score.png")
    body = f"""Mixture ½N(±μ, {MIXTURE_S}² I), μ = {MIXTURE_MU_TEXT}; MLP s_θ(t, x) = f_θ(x, log σ_t)/σ_t (3×64 SiLU),
denoising score matching with weight σ_t², t ~ U[ε, T], Adam + cosine decay, torch on 1 CPU
thread ({n_iter} steps, {train_seconds:.0f} s). Snapshots along training give scores of
decreasing error. ε_SN = max over {len(probe)} of the sampler's times of the Monte Carlo
E_{{p_t}}‖s_θ − ∇log p_t‖² against the exact score. Both samplers use γ = {gamma:.3g}, T = {T:g},
ε = {EPS} and the same noise, so their coupling distance isolates the score term.

Fitted log-log slope of the coupling W2 against √ε_SN: **{slope:.2f}** (the bound is linear in
√ε_SN). Exact-score sampler's exact empirical W2 to π: {exact_row:.4f} (floor {floor:.4f}).

![E4]({fig_name})

{markdown_table(rows)}
"""
    return Section("e4", "E4 — learned score", body, time.perf_counter() - t0,
                   {"E4 slope against √ε_SN within [0.7, 1.3]": 0.7 <= slope <= 1.3})


EXPERIMENTS = {"e0": run_e0, "e1": run_e1, "e2": run_e2, "e3": run_e3, "e4": run_e4}
