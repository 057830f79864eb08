"""E4: the score error — a known perturbation of the exact score over 3 decades of ε_SN, and
trained scores (fresh seeds) against a constant fixed in the protocol before the run."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..ou import Run, coupled_reverse_em, coupling_rms, step_size
from ..report import Section, figure, guide_line, loglog_slope, markdown_table, save, write_csv
from ..targets import MixtureTarget
from .common import EPS, MIXTURE_MU, MIXTURE_MU_TEXT, MIXTURE_S, ORDER_ONE_BAND, in_band, select

E4_AMPLITUDES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5)  # a: ε_SN = a² E‖φ‖², 3.4 decades of ε_SN
E4_SEEDS = 5
# issue 26 protocol: trained-score seeds 100–104, fresh; the constant below came from seeds 0–4
E4_SEED_OFFSET = 100
E4_SNAPSHOTS = (60, 200, 600, 2000)
# fixed in reports/sgm/PROTOCOL.md before this run (from the previous run's seeds 0–4, whose
# largest ratio was 1.42): W ≤ c·√ε_SN must hold for every snapshot of the fresh seeds
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


def compute(quick: bool = False, seed: int = 0) -> tuple[dict, dict]:
    """W2 between perturbed-score and exact-score samplers driven by the same noise."""
    from ..learned import numpy_score, train_score
    from ..targets import score_mse
    target = MixtureTarget(MIXTURE_MU, MIXTURE_S)
    T = (2.0 if quick else 4.0) + EPS
    K, n, n_mse = (40, 500, 1000) if quick else (100, 4000, 4000)
    gamma = step_size(T, EPS, K)
    probe = (T - gamma * np.arange(K))[:: max(1, K // 20)]  # the sampler's score times, thinned
    y0 = np.random.default_rng(seed + 7).standard_normal((n, target.d))

    def run_with(score):
        return coupled_reverse_em([Run(score, y0, K)], T, EPS, np.random.default_rng(seed + 8))[0]
    exact = run_with(target.score)
    ctrl = []
    for name, phi in _perturbations(target.d).items():
        for a in E4_AMPLITUDES:
            def score(t, x, a=a, phi=phi):
                return target.score(t, x) + a * phi(t, x)
            mse = float(score_mse(score, target, probe, n_mse, seed + 9).max())
            w = coupling_rms(run_with(score), exact)
            ctrl.append(dict(perturbation=name, amplitude=a, eps_SN=mse, sqrt_eps_SN=np.sqrt(mse),
                             coupling_W2=w, ratio=w / np.sqrt(mse)))
    n_iter = 60 if quick else E4_SNAPSHOTS[-1]
    snaps = [10, 30, 60] if quick else list(E4_SNAPSHOTS)
    trained = []
    for s in range(2 if quick else E4_SEEDS):
        for snap in train_score(target, T, EPS, n_iter, snaps, batch=256 if quick else 512,
                                hidden=64, seed=seed + E4_SEED_OFFSET + s, threads=1):
            score = numpy_score(snap.model)
            mse = float(score_mse(score, target, probe, n_mse, seed + 9).max())
            w = coupling_rms(run_with(score), exact)
            trained.append(dict(seed=seed + E4_SEED_OFFSET + s, iteration=snap.iteration,
                                dsm_loss=snap.loss, eps_SN=mse, sqrt_eps_SN=np.sqrt(mse),
                                coupling_W2=w, ratio=w / np.sqrt(mse)))
    return (dict(controlled=ctrl, trained=trained),
            dict(T=T, gamma=gamma, n_probe=len(probe), n_mse=n_mse, n_iter=n_iter, snaps=snaps))


def _figure(ctrl, trained, ctrl_slopes, seed_slopes, out: Path) -> str:
    fig, (ax1, ax2) = figure(2, width=5.0)
    for name, slope in ctrl_slopes.items():
        sel = select(ctrl, perturbation=name)
        ax1.loglog([r["sqrt_eps_SN"] for r in sel], [r["coupling_W2"] for r in sel], "o-",
                   label=f"{name} (slope {slope:.2f})")
    xs = [r["sqrt_eps_SN"] for r in ctrl]
    guide_line(ax1, sorted(set(xs)), None, 1.0, "slope 1 (fitted level)", data_x=xs,
               data_y=[r["coupling_W2"] for r in ctrl])
    ax1.set(xlabel="√ε_SN (max over the time grid)", ylabel="√E‖Y^θ − Y^exact‖²",
            title="E4a: exact score + a·φ, same γ and noise")
    ax1.legend(fontsize=7)
    for s, slope in seed_slopes.items():
        sel = select(trained, seed=s)
        ax2.loglog([r["sqrt_eps_SN"] for r in sel], [r["coupling_W2"] for r in sel], "o-",
                   label=f"seed {s} (slope {slope:.2f})")
    xt = np.array(sorted(r["sqrt_eps_SN"] for r in trained))
    ax2.loglog(xt, E4_BOUND_C * xt, "k--", lw=0.8, label=f"{E4_BOUND_C:g}·√ε_SN (fixed in the protocol)")
    ax2.set(xlabel="√ε_SN", ylabel="√E‖Y^θ − Y^exact‖²", title="E4b: trained scores, fresh seeds")
    ax2.legend(fontsize=7)
    return save(fig, out / "e4_score_error.png")


def render(tables: dict, meta: dict, out: Path) -> Section:
    ctrl, trained = tables["controlled"], tables["trained"]
    write_csv(out / "e4_controlled.csv", ctrl)
    write_csv(out / "e4.csv", trained)
    names = list(dict.fromkeys(r["perturbation"] for r in ctrl))
    ctrl_slopes = {k: loglog_slope([r["sqrt_eps_SN"] for r in select(ctrl, perturbation=k)],
                                   [r["coupling_W2"] for r in select(ctrl, perturbation=k)]) for k in names}
    drift = {k: select(ctrl, perturbation=k)[-1]["ratio"] / select(ctrl, perturbation=k)[0]["ratio"]
             for k in names}
    const_exact = [abs(r["eps_SN"] / r["amplitude"] ** 2 - 1) for r in select(ctrl, perturbation=names[0])]
    seeds = list(dict.fromkeys(r["seed"] for r in trained))
    seed_slopes = {s: loglog_slope([r["sqrt_eps_SN"] for r in select(trained, seed=s)],
                                   [r["coupling_W2"] for r in select(trained, seed=s)]) for s in seeds}
    ratios = np.array([r["ratio"] for r in trained])
    fig_name = _figure(ctrl, trained, ctrl_slopes, seed_slopes, out)
    sl = np.array(list(seed_slopes.values()))
    xs = [r["sqrt_eps_SN"] for r in ctrl]
    held = bool(ratios.max() <= E4_BOUND_C)
    body = f"""Mixture ½N(±μ, {MIXTURE_S}² I), μ = {MIXTURE_MU_TEXT}, γ = {meta['gamma']:.3g}, T = {meta['T']:g}, ε = {EPS}; every
sampler below uses the same Y₀ and noise as the exact-score sampler, so their coupling distance
√E‖Y − Y^exact‖² bounds the score term of W2 from above. ε_SN = max over {meta['n_probe']} of the
sampler's times of the Monte Carlo E_{{p_t}}‖s − ∇log p_t‖² (n = {meta['n_mse']}). A √ε_SN score term is the
report's reading of such bounds, not the seed's text.

**E4a, controlled score error.** s = ∇log p_t + a·φ with a ∈ {{{", ".join(f"{a:g}" for a in E4_AMPLITUDES)}}}
and two known fields: a constant unit drift (ε_SN = a² exactly; the Monte Carlo estimate
matches it to {100 * max(const_exact):.1g}% — an identity) and an oscillating field
√(2/d)·sin(3x) on rolled coordinates. ε_SN spans {np.log10(max(xs) ** 2 / min(xs) ** 2):.1f} decades. Fitted log-log
slopes of W against √ε_SN: {", ".join(f"{k}: **{v:.3f}**" for k, v in ctrl_slopes.items())}.
Ratio W/√ε_SN at the largest amplitude over that at the smallest: {", ".join(f"{k}: {drift[k]:.2f}" for k in names)}
(1 would be exact proportionality). The constant depends on the error's shape: a drift that
points the same way along the whole path moves the samples far more than one that oscillates.

**E4b, trained scores, fresh seeds {seeds[0]}–{seeds[-1]}.** MLP s_θ(t, x) = f_θ(x, log σ_t)/σ_t (3×64 SiLU),
denoising score matching with weight σ_t², Adam + cosine decay, {meta['n_iter']} steps, snapshots at
{meta['snaps']}. Rule (protocol; the constant c = {E4_BOUND_C:g} was fixed before this run, from the
previous run's seeds 0–4, so it is not taken from these data): W ≤ {E4_BOUND_C:g}·√ε_SN for every
snapshot. **{"Held" if held else "Failed"}** for {int(np.sum(ratios <= E4_BOUND_C))} of {len(ratios)} snapshots. Description only
(not a bound): the ratio W/√ε_SN ranged from {ratios.min():.2f} to {ratios.max():.2f}; per-seed slopes of W against
√ε_SN: {", ".join(f"{v:.2f}" for v in sl)}.

![E4]({fig_name})

{markdown_table(ctrl)}

{markdown_table(trained)}
"""
    tests = {f"E4a slope of W in √ε_SN within {ORDER_ONE_BAND} ({k})": in_band(v, ORDER_ONE_BAND)
             for k, v in ctrl_slopes.items()}
    tests[f"E4b W ≤ {E4_BOUND_C:g}·√ε_SN (c fixed in the protocol) for all {len(trained)} "
          "trained snapshots of fresh seeds"] = held
    identities = {"E4a Monte Carlo ε_SN equals a² for the constant unit drift (within 1e-9)":
                  max(const_exact) <= 1e-9}
    return Section("e4", "E4 — score error: controlled perturbation and trained seeds", body,
                   meta["seconds"], tests=tests, identities=identities)
