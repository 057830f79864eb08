"""E1: order in γ with the exact score — synchronous coupling with a fine-step reference on four
targets the seed names, at three early stops, over independent noise seeds."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from emdkit.w2 import exact_w2

from ..ou import Run, coupled_reverse_em, step_size
from ..product_targets import DoubleWellTarget, ElasticNetTarget, GeneralModifiedHalfNormalTarget
from ..report import Section, figure, guide_line, loglog_slope, markdown_table, save, write_csv
from ..targets import MixtureTarget, Target
from .common import EPS, MIXTURE_MU, MIXTURE_MU_TEXT, MIXTURE_S, ORDER_ONE_BAND, in_band, select

E1_EPSILONS = (5e-2, 5e-3, 5e-4)  # the early stop: at 5e-4 the kinks are barely smoothed
MHN_ALPHA, MHN_BETA, MHN_GAMMA = 2.0, 1.0, 1.0  # modes at ±1, ρ(0) = 0: not the elastic net
E1_NOISE_SEEDS = 4  # issue 26 protocol: independent Brownian paths, pooled (4 × 2000 paths)
E1_SEED_STRIDE = 1000
E1_TAIL_POINTS = 3  # the protocol's extra view: the slope over the three smallest γ


def e1_targets() -> list[Target]:
    return [MixtureTarget(MIXTURE_MU, MIXTURE_S), ElasticNetTarget(2, 1.0, 1.0),
            DoubleWellTarget(2), GeneralModifiedHalfNormalTarget(2, MHN_ALPHA, MHN_BETA, MHN_GAMMA)]


def compute(quick: bool = False, seed: int = 0) -> tuple[dict, dict]:
    """Per (ε, target, noise seed, K): the mean and std over paths of ‖Y^γ − Y^ref‖²."""
    horizon = 2.0 if quick else 4.0  # T − ε, so every ε sees the same γ grid
    steps = [20, 40, 80] if quick else [50, 100, 200, 400, 800]
    k_ref = steps[-1] * 8
    n, n_emd = (300, 300) if quick else (2000, 1500)
    epsilons = E1_EPSILONS[:2] if quick else E1_EPSILONS
    reps = 2 if quick else E1_NOISE_SEEDS
    rows, view = [], []
    for e, eps in enumerate(epsilons):
        T = horizon + eps
        for i, target in enumerate(e1_targets()):
            for rep in range(reps):
                rng = np.random.default_rng(seed + i + 10 * e + E1_SEED_STRIDE * rep)
                y0 = rng.standard_normal((n, target.d))
                finals = coupled_reverse_em([Run(target.score, y0, K) for K in steps + [k_ref]],
                                            T, eps, rng)
                for K, y in zip(steps, finals):
                    sq = np.sum((y - finals[-1]) ** 2, axis=1)
                    rows.append(dict(eps=eps, target=target.name, rep=rep, K=K,
                                     gamma=step_size(T, eps, K), n=n, mean_sq=float(sq.mean()),
                                     sd_sq=float(sq.std(ddof=1))))
                if eps == EPS and rep == 0:  # the floor comparison once, at the report's main ε
                    p_eps = target.sample_marginal(n_emd, eps, rng)
                    floor = exact_w2(target.sample_marginal(n_emd, eps, rng), p_eps)
                    view += [dict(target=target.name, K=K, gamma=step_size(T, eps, K),
                                  empirical_W2_to_p_eps=exact_w2(y[:n_emd], p_eps),
                                  empirical_floor=floor) for K, y in zip(steps, finals)]
    return (dict(paths=rows, samples=view),
            dict(horizon=horizon, k_ref=k_ref, finest=steps[-1], n=n, n_emd=n_emd, reps=reps))


def pooled(rows: list[dict]) -> list[dict]:
    """Coupling W2 per (ε, target, K) over the noise seeds: √(mean of the seeds' mean ‖Δ‖²),
    with its delta-method standard error."""
    out = []
    keys = dict.fromkeys((r["eps"], r["target"], r["K"]) for r in rows)
    for eps, target, K in keys:
        sel = select(rows, eps=eps, target=target, K=K)
        ms = float(np.mean([r["mean_sq"] for r in sel]))
        se_ms = float(np.sqrt(sum(r["sd_sq"] ** 2 / r["n"] for r in sel)) / len(sel))
        w = float(np.sqrt(ms))
        out.append(dict(eps=eps, target=target, K=K, gamma=sel[0]["gamma"], coupling_W2=w,
                        coupling_se=se_ms / (2 * w)))
    return out


def _slope(rows: list[dict], value: str = "coupling_W2") -> float:
    return loglog_slope([r["gamma"] for r in rows], [r[value] for r in rows])


def _figure(pool: list[dict], view: list[dict], fits: dict, epsilons, n_emd: int, out: Path) -> str:
    fig, axes = figure(len(epsilons) + 1, width=4.3, height=4.0)
    for e, eps in enumerate(epsilons):
        for name in dict.fromkeys(r["target"] for r in pool):
            sel = select(pool, eps=eps, target=name)
            gam = [r["gamma"] for r in sel]
            line = axes[e].loglog(gam, [r["coupling_W2"] for r in sel], "o-",
                                  label=f"{name} ({fits[(name, eps)]:.2f})")
            if eps == EPS:
                vsel = select(view, target=name)
                axes[-1].loglog(gam, [r["empirical_W2_to_p_eps"] for r in vsel], "s--",
                                color=line[0].get_color(), label=name)
                axes[-1].axhline(vsel[0]["empirical_floor"], color=line[0].get_color(), lw=0.8, ls=":")
        at_eps = select(pool, eps=eps)
        guide_line(axes[e], gam, None, 1.0, "slope 1 (fitted level)",
                   data_x=[r["gamma"] for r in at_eps], data_y=[r["coupling_W2"] for r in at_eps])
        axes[e].set(xlabel="step γ", ylabel="√E‖Y^γ − Y^ref‖²  (≥ W2)",
                    title=f"E1: ε = {eps:g} (fitted slope)")
        axes[e].legend(fontsize=7)
    axes[-1].set(xlabel="step γ", ylabel=f"exact W2 to p_ε samples (n={n_emd})",
                 title=f"ε = {EPS:g} through samples (dotted: floor)")
    axes[-1].legend(fontsize=7)
    return save(fig, out / "e1_order_in_gamma.png")


def _mhn_sentence(fits: dict, tail: dict, per_seed: dict, mhn: str) -> str:
    """What the protocol's pre-set treatment of the one case that failed before (mhn, ε = 5e-4) gave."""
    key = (mhn, 5e-4)
    if key not in fits:
        return ""
    v, seeds = fits[key], per_seed[key]
    head = (f"The {mhn} case at ε = 5e-4 failed the band in the previous single-seed run (0.885); the "
            f"protocol's treatment, fixed in advance (4× the paths, the three-smallest-γ slope in "
            f"brackets), gives a pooled slope of {v:.3f}, per-seed slopes {min(seeds):.2f}–{max(seeds):.2f} "
            f"and {tail[key]:.2f} over the three smallest γ.")
    if in_band(v, ORDER_ONE_BAND):
        return head + " It is in the band."
    return (head + " **It stays outside the band.** The seeds agree with each other, so the low slope is "
            "not Monte Carlo noise; whether the paper's assumptions cover this target (ρ(0) = 0) cannot be "
            "checked offline, so it stands as a failed check, unexplained.")


def render(tables: dict, meta: dict, out: Path) -> Section:
    rows, view = tables["paths"], tables["samples"]
    pool = pooled(rows)
    write_csv(out / "e1.csv", pool)
    epsilons = list(dict.fromkeys(r["eps"] for r in pool))
    names = list(dict.fromkeys(r["target"] for r in pool))
    fits = {(k, eps): _slope(select(pool, target=k, eps=eps)) for eps in epsilons for k in names}
    tail = {key: _slope(select(pool, target=key[0], eps=key[1])[-E1_TAIL_POINTS:]) for key in fits}
    per_seed = {key: [_slope([dict(gamma=r["gamma"], w=np.sqrt(r["mean_sq"])) for r in
                              select(rows, target=key[0], eps=key[1], rep=rep)], "w")
                      for rep in range(meta["reps"])] for key in fits}
    fig_name = _figure(pool, view, fits, epsilons, meta["n_emd"], out)
    band = ORDER_ONE_BAND
    slope_table = [dict(target=k, **{f"ε={eps:g}: pooled fit (3 smallest γ; seeds min–max)":
                                     f"{fits[(k, eps)]:.3f} ({tail[(k, eps)]:.2f}; "
                                     f"{min(per_seed[(k, eps)]):.2f}–{max(per_seed[(k, eps)]):.2f})"
                                     for eps in epsilons}) for k in names]
    failed = [f"{k} at ε = {eps:g} (pooled {v:.3f}, three smallest γ {tail[(k, eps)]:.2f})"
              for (k, eps), v in fits.items() if not in_band(v, band)]
    mhn = f"mhn α={MHN_ALPHA:g}"
    body = f"""d = 2, T = ε + {meta['horizon']:g}, early stop ε ∈ {{{", ".join(f"{e:g}" for e in epsilons)}}};
{meta['reps']} independent noise seeds × n = {meta['n']} coupled paths, pooled (the coupling W2 is
√ of the mean over seeds of E‖Y^γ − Y^ref‖²). Targets (the four classes seed 002 names): mixture
½N(±μ, {MIXTURE_S}² I) with μ = {MIXTURE_MU_TEXT}; elastic net λ1 = λ2 = 1; double well; symmetric
modified half-normal ρ ∝ |x|^(α−1) exp(−βx² + γ|x|) with α = {MHN_ALPHA:g}, β = {MHN_BETA:g}, γ = {MHN_GAMMA:g}
(ρ(0) = 0, modes at ±1). The seed lists modified half-normals among the covered classes;
whether this parametrisation meets the paper's exact assumptions cannot be checked here (the
paper is not available offline). Every run is driven by the same Brownian path as a reference
run with {meta['k_ref']} steps (γ/{meta['k_ref'] // meta['finest']} of the finest γ), coarse increments being sums of fine
ones; √E‖Y^γ − Y^ref‖² is an upper bound on W2(law(Y^γ), law(Y^ref)) with no sample floor.

Order one in γ is the report's reading of such bounds, not the seed's text. Rule (protocol):
the pooled fitted log-log slope lies in [{band[0]}, {band[1]}] for every (target, ε).

{markdown_table(slope_table, ".3f")}

{"Every pooled slope is in the band, the modified half-normal at ε = 5e-4 included." if not failed else "Outside the band: " + "; ".join(failed) + ". Every other (target, ε) is in the band."}
{_mhn_sentence(fits, tail, per_seed, mhn)}
The right panel compares the ε = {EPS:g} runs of the first seed with fresh exact samples of p_ε:
the sample-based estimate sits on its two-sample floor for small γ and cannot see the γ error;
the coupling can.

![E1]({fig_name})

{markdown_table(pool)}
"""
    return Section("e1", "E1 — order in γ with the exact score, three early stops, 4 noise seeds",
                   body, meta["seconds"],
                   tests={f"E1 pooled slope in {band} ({k}, ε={eps:g})": in_band(v, band)
                          for (k, eps), v in fits.items()})
