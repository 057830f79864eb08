"""The sweep report: configuration as run, verdicts under a rule fixed in advance, tables, figures.

Every number in the Markdown is computed here from the stored runs; no sentence carries a typed
number. The report refuses runs of one task whose specs differ in anything but method and seed
(:func:`check_comparable`), and states the configuration that the runs actually used.
"""
from __future__ import annotations

import csv
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from .data import TASKS
from .evaluate import HIGHER_IS_BETTER, OVER_COST, UNDER_COST, business_cost, ground_distance_spearman
from .stats import ALPHA, DECISION_RULE, Comparison, apply_holm, compare_paired
from .train import RunResult

TIMING = "sweep_timing.json"  # in runs_dir: wall time of the last complete sweep
TIMING_LOG = "sweep_timing_log.jsonl"  # in runs_dir: one line per sweep invocation (resumes add up)
COLUMNS = ("accuracy", "off_by_one", "mae", "qwk", "rps", "cwe_abs", "cwe_business", "hist_emd")
HEADERS = {"accuracy": "accuracy", "off_by_one": "off-by-one acc.", "mae": "MAE", "qwk": "QWK",
           "rps": "RPS", "cwe_abs": "cost err. abs(i-j)", "cwe_business": "cost err. business",
           "hist_emd": "histogram EMD"}
METHOD_LABELS = {"ce": "cross-entropy", "emd2": "EMD² alone", "ce+emd2": "CE → CE+EMD²",
                 "learned-gd": "learned ground distance + CE", "perm-gd": "permuted-D control + CE",
                 "const-gd": "constant-D control + CE", "sord": "SORD α=1", "sord-a0.25": "SORD α=0.25",
                 "sord-a4": "SORD α=4"}
REFERENCE = "ce"
CHALLENGERS = ("emd2", "ce+emd2", "learned-gd", "perm-gd", "const-gd", "sord")
SORD_VARIANTS = ("sord-a0.25", "sord", "sord-a4")
GD_CONTROLS = ("perm-gd", "const-gd")
#: tasks whose classes have no order (their MAE and costs are never judged)
UNORDERED = {"digits"}
#: synthetic tasks of controllable order strength (their own section)
ORDER_STRENGTH = ("blur-ordered", "blur-shuffled")
#: methods drawn in the per-task figures (all nine would not be readable)
FIGURE_METHODS = ("ce", "emd2", "ce+emd2", "learned-gd", "sord")
#: spec fields that may differ between runs of one task (everything else must be equal)
FREE_FIELDS = {"method", "seed"}


# ---------------------------------------------------------------- grouping and sanity

def _group(results: list[RunResult]) -> dict[str, dict[str, list[RunResult]]]:
    out: dict[str, dict[str, list[RunResult]]] = defaultdict(lambda: defaultdict(list))
    for r in results:
        out[r.spec.task][r.spec.method].append(r)
    for runs in out.values():
        for lst in runs.values():
            lst.sort(key=lambda r: r.spec.seed)
    return {t: dict(m) for t, m in out.items()}


def _spec_fields(r: RunResult) -> dict:
    import dataclasses
    return {k: v for k, v in dataclasses.asdict(r.spec).items() if k not in FREE_FIELDS | {"task"}}


def check_comparable(results: list[RunResult]) -> dict[str, dict]:
    """The one spec (less method and seed) of each task; ValueError if runs of a task differ.

    Also refuses a task whose runs were scored on different test labels (pairing by example
    needs the same test set).
    """
    specs: dict[str, dict] = {}
    labels: dict[str, list[int]] = {}
    for r in results:
        fields = _spec_fields(r)
        task = r.spec.task
        if task not in specs:
            specs[task], labels[task] = fields, r.y_true
            continue
        diff = sorted(k for k in fields if fields[k] != specs[task].get(k))
        if diff:
            raise ValueError(f"runs of task {task!r} differ in {diff} (e.g. {r.spec.run_id}: "
                             f"{ {k: fields[k] for k in diff} } vs {({k: specs[task].get(k) for k in diff})}); "
                             "the report compares only runs that differ in method and seed")
        if r.y_true and labels[task] and r.y_true != labels[task]:
            raise ValueError(f"runs of task {task!r} were scored on different test labels "
                             f"({r.spec.run_id}); they cannot be paired by example")
    return specs


def check_against_config(results: list[RunResult], config) -> None:
    """ValueError if a stored result's spec is not one the config asks for (e.g. an older design)."""
    wanted = {spec.run_id: spec for spec in config.specs()}
    for r in results:
        if wanted.get(r.spec.run_id) != r.spec:
            raise ValueError(f"stored run {r.spec.run_id} was trained with a spec that the config "
                             f"({config.source}) does not ask for; rerun it or remove it from {config.runs_dir}")


def _mean_std(values) -> tuple[float, float]:
    arr = np.asarray(values, dtype=float)
    return float(arr.mean()), float(arr.std(ddof=1)) if len(arr) > 1 else 0.0


def per_example(r: RunResult, measure: str) -> np.ndarray:
    """The per-test-example quantity whose mean is ``measure`` (MAE, business cost, accuracy)."""
    y, p = np.asarray(r.y_true), np.asarray(r.y_pred)
    if measure in ("mae", "cwe_abs"):
        return np.abs(y - p).astype(float)
    if measure == "cwe_business":
        return business_cost(len(r.confusion))[y, p]
    if measure == "accuracy":
        return (y == p).astype(float)
    raise ValueError(f"no per-example form for measure {measure!r}")


def comparison(reference: list[RunResult], challenger: list[RunResult], measure: str) -> Comparison:
    return compare_paired({r.spec.seed: r.metrics[measure] for r in reference},
                          {r.spec.seed: r.metrics[measure] for r in challenger},
                          {r.spec.seed: per_example(r, measure) for r in reference},
                          {r.spec.seed: per_example(r, measure) for r in challenger},
                          HIGHER_IS_BETTER[measure])


# ---------------------------------------------------------------- tables

def summary_rows(results: list[RunResult]) -> list[dict]:
    rows = []
    for task, methods in _group(results).items():
        for method, runs in methods.items():
            row = {"task": task, "method": method, "seeds": len(runs)}
            for col in COLUMNS:
                vals = [r.metrics[col] for r in runs if col in r.metrics]
                if vals:
                    row[f"{col}_mean"], row[f"{col}_std"] = _mean_std(vals)
            rhos = [ground_distance_spearman(r.ground_distance) for r in runs if r.ground_distance
                    and method != "const-gd"]
            if rhos:
                row["gd_spearman_mean"], row["gd_spearman_std"] = _mean_std(rhos)
            row["seconds_mean"] = _mean_std([r.seconds for r in runs])[0]
            rows.append(row)
    return rows


def write_tables(rows: list[dict], results: list[RunResult], out_dir: Path) -> None:
    keys = ["task", "method", "seeds"]
    for col in COLUMNS + ("gd_spearman",):
        keys += [f"{col}_mean", f"{col}_std"]
    keys.append("seconds_mean")
    with open(out_dir / "results.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{row[k]:.6g}" if isinstance(row.get(k), float) else row.get(k, ""))
                             for k in keys})
    with open(out_dir / "runs.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["task", "method", "seed", "epochs", *COLUMNS, "mae_last_step", "gd_spearman",
                         "seconds", "torch", "threads"])
        for r in sorted(results, key=lambda r: (r.spec.task, r.spec.method, r.spec.seed)):
            rho = (ground_distance_spearman(r.ground_distance)
                   if r.ground_distance and r.spec.method != "const-gd" else "")
            writer.writerow([r.spec.task, r.spec.method, r.spec.seed, r.spec.epochs]
                            + [f"{r.metrics[c]:.6g}" if c in r.metrics else "" for c in COLUMNS]
                            + [f"{r.metrics_last['mae']:.6g}" if "mae" in r.metrics_last else "",
                               f"{rho:.4f}" if rho != "" else "", f"{r.seconds:.2f}",
                               r.environment.get("torch", ""), r.environment.get("torch_threads", "")])


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "–"
    return f"{p:.1e}" if p < 1e-3 else f"{p:.3f}"


def _verdict_cell(c: Comparison) -> str:
    v = c.verdict
    return f"**{v}**" if v in ("beats", "worse") else v


def comparison_table(grouped: dict, tasks, pairs: list[tuple[str, str]], measures: tuple[str, ...],
                     heading: str = "challenger vs reference") -> tuple[list[str], dict]:
    """Rows: task x (reference, challenger); columns per measure. One Holm family per table.

    Returns the Markdown lines and {(task, reference, challenger, measure): Comparison}.
    """
    found = {}
    for task in tasks:
        methods = grouped.get(task, {})
        for ref, ch in pairs:
            if ref in methods and ch in methods:
                for m in measures:
                    found[(task, ref, ch, m)] = comparison(methods[ref], methods[ch], m)
    apply_holm(list(found.values()))
    head = f"| task | {heading} | " + " | ".join(
        f"{HEADERS[m]}: Δ | 95% CI (test examples) | p (Holm) | won | verdict" for m in measures) + " |"
    lines = [head, "|" + "---|" * (2 + 5 * len(measures))]
    for task in tasks:
        for ref, ch in pairs:
            if (task, ref, ch, measures[0]) not in found:
                continue
            cells = []
            for m in measures:
                c = found[(task, ref, ch, m)]
                cells += [f"{c.delta:+.4f}", f"[{c.ci[0]:+.4f}, {c.ci[1]:+.4f}]",
                          f"{_fmt_p(c.p)} ({_fmt_p(c.p_holm)})", f"{c.wins}/{c.n}", _verdict_cell(c)]
            name = METHOD_LABELS[ch] if ref == REFERENCE else f"{METHOD_LABELS[ch]} vs {METHOD_LABELS[ref]}"
            lines.append(f"| {task} | {name} | " + " | ".join(cells) + " |")
    lines += ["", f"Holm family of this table: {len(found)} tests; a raw p below {ALPHA:g} can miss "
              "the rule once adjusted."]
    return lines, found


def markdown_table(rows: list[dict], task: str) -> str:
    rows = [r for r in rows if r["task"] == task]
    cols = [c for c in COLUMNS if any(f"{c}_mean" in r for r in rows) and c != "cwe_abs"
            and (task not in UNORDERED or c == "accuracy")]  # no order: ordinal measures mean nothing
    arrows = {c: "↑" if HIGHER_IS_BETTER[c] else "↓" for c in cols}
    head = "| method | " + " | ".join(f"{HEADERS[c]} {arrows[c]}" for c in cols) + " |"
    lines = [head, "|" + "---|" * (len(cols) + 1)]
    for r in rows:
        cells = [f"{r[f'{c}_mean']:.4f} ± {r[f'{c}_std']:.4f}" for c in cols]
        lines.append(f"| {METHOD_LABELS.get(r['method'], r['method'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- sections

def config_section(specs: dict[str, dict], grouped: dict) -> list[str]:
    """The configuration the runs actually used: fields shared by every task, then per task."""
    tasks = list(specs)
    shared = {k: v for k, v in specs[tasks[0]].items() if all(specs[t].get(k) == v for t in tasks)}
    varying = sorted({k for t in tasks for k in specs[t]} - set(shared))
    lines = ["Configuration of the runs summarised here (read from their stored specs, not from a "
             "config file); runs of one task differ only in method and seed:", "",
             "- same for every task: " + ", ".join(f"`{k}={v}`" for k, v in sorted(shared.items())),
             "", "| task | methods | seeds | " + "".join(f"{k} | " for k in varying),
             "|" + "---|" * (3 + len(varying))]
    for t in tasks:
        seeds = sorted({r.spec.seed for runs in grouped[t].values() for r in runs})
        lines.append(f"| {t} | {len(grouped[t])} | {len(seeds)} ({seeds[0]}–{seeds[-1]}) | "
                     + "".join(f"{specs[t].get(k)} | " for k in varying))
    return lines


def engine_label(environment: dict) -> str | None:
    """The engine a run's kernels ran on: "native (emdkit 0.3.0)" as runs record it now, or
    "numba 0.61.0" for runs stored before the engine was recorded (they all ran on Numba)."""
    if "engine" in environment:
        return f"{environment['engine']} (emdkit {environment.get('emdkit', '?')})"
    if "numba" in environment:
        return f"numba {environment['numba']}"
    return None


def environment_lines(results: list[RunResult]) -> list[str]:
    keys = ("platform", "python", "torch", "numpy", "scipy", "engine", "torch_threads",
            "torch_interop_threads", "cpu_capability", "cpu_count")
    combos = Counter(tuple(engine_label(r.environment) if k == "engine" else r.environment.get(k)
                           for k in keys) for r in results)
    lines = ["| runs | " + " | ".join(keys) + " |", "|" + "---|" * (len(keys) + 1)]
    for combo, n in combos.most_common():
        lines.append(f"| {n} | " + " | ".join(str(v) for v in combo) + " |")
    return lines


def ema_section(grouped: dict) -> list[str]:
    """The EMA against the last step: seed spread of CE and the wobble over the last epochs."""
    lines = ["CE's test MAE from the EMA weights and from the last step's weights, and how much it "
             "moves from epoch to epoch at the end of training (mean absolute change between "
             "consecutive epochs over the last 3 epochs, averaged over seeds):", "",
             "| task | CE MAE, EMA: mean ± std | CE MAE, last step: mean ± std | epoch-to-epoch change, "
             "EMA | epoch-to-epoch change, last step |", "|---|---|---|---|---|"]
    stats = {}
    for task, methods in grouped.items():
        runs = methods.get(REFERENCE, [])
        if not runs or "mae" not in runs[0].metrics_last:
            continue
        ema, last = _mean_std([r.metrics["mae"] for r in runs]), _mean_std([r.metrics_last["mae"] for r in runs])

        def wobble(key):
            moves = [np.abs(np.diff([h[key] for h in r.history[-3:]])).mean() for r in runs
                     if all(key in h for h in r.history[-3:])]
            return float(np.mean(moves)) if moves else float("nan")
        w_ema, w_last = wobble("ema_mae"), wobble("test_mae")
        stats[task] = (ema, last, w_ema, w_last)
        lines.append(f"| {task} | {ema[0]:.4f} ± {ema[1]:.4f} | {last[0]:.4f} ± {last[1]:.4f} | "
                     f"{w_ema:.4f} | {w_last:.4f} |")
    if not stats:
        return []
    calmer = [t for t, v in stats.items() if v[2] < v[3]]
    shift = [v[0][0] - v[1][0] for v in stats.values()]
    lines += ["", f"The EMA moves less from epoch to epoch than the last step's weights on {len(calmer)} of "
              f"{len(stats)} tasks ({', '.join(calmer) if calmer else 'none'}). It is not free: it lags a "
              f"model that is still improving, and its mean CE MAE differs from the last step's by "
              f"{min(shift):+.4f} to {max(shift):+.4f} class steps over the tasks (largest where the "
              "budget is short and the curve still falls). Every method is evaluated with the same EMA, "
              "so it favours none by construction; the seed std columns show how much "
              "spread is left."]
    return lines


def _move_cell(c: dict) -> str:
    return (f"{c['mae_diff']:+.4f} ({c['share_of_predictions_changed']:.1%} of predictions changed; "
            f"largest change of any measure {c['max_abs_metric_diff']:.1g})")


def reproducibility_section(record: dict, grouped: dict) -> list[str]:
    if not record:
        return ["No reproducibility check was stored with these runs (`[sweep] reproducibility`)."]
    lines = ["| run | MAE in the sweep | same spec, fresh process | 2 threads: Δ MAE | initial weights "
             "× (1 + 2⁻²³): Δ MAE | seed std of this cell's MAE |", "|---|---|---|---|---|---|"]
    thread_moves, ulp_moves, seed_stds = [], [], []
    for row in record["runs"]:
        task, method, seed = row["run"].split("/")
        runs = grouped.get(task, {}).get(method, [])
        sd = _mean_std([r.metrics["mae"] for r in runs])[1] if runs else float("nan")
        same, two, ulp = row["same_spec_other_process"], row["threads_2"], row.get("last_bit_init")
        thread_moves.append(abs(two["mae_diff"]))
        seed_stds.append(sd)
        ulp_cell = "not run"
        if ulp:
            ulp_moves.append(abs(ulp["mae_diff"]))
            ulp_cell = _move_cell(ulp)
        lines.append(f"| {row['run']} | {row['mae_sweep']:.4f} | "
                     + ("identical" if same["identical"] else f"differs (max Δ {same['max_abs_metric_diff']:.2g})")
                     + f" | {_move_cell(two)} | {ulp_cell} | {sd:.4f} |")
    all_same = all(r["same_spec_other_process"]["identical"] for r in record["runs"])
    moves = [m for m in thread_moves + ulp_moves if m > 0]
    ratios = [m / s for m, s in zip(thread_moves, seed_stds) if s > 0] + \
             [m / s for m, s in zip(ulp_moves, seed_stds) if s > 0]
    sd_range = f"{min(seed_stds):.4f}–{max(seed_stds):.4f}"
    text = ("Rerunning a spec in a fresh process on this machine gave "
            + ("bit-identical results in every case checked. " if all_same else
               "**different** results in at least one case (see the table). ")
            + "Changing only the torch thread count moved the MAE by "
            + ", ".join(f"{m:.4f}" for m in thread_moves) + "; scaling the initial weights by "
            "1 + 2⁻²³ (a last-bit change, as another platform's rounding would make) moved it by "
            + (", ".join(f"{m:.4f}" for m in ulp_moves) if ulp_moves else "(not run)")
            + f". The seed-to-seed std of the same cells is {sd_range}.")
    expect = ("What to expect on another platform: a different CPU, BLAS/oneDNN build or torch version "
              "changes the order of floating-point reductions, i.e. the last bits of some results, and "
              "training can amplify a last-bit difference into a different trajectory. "
              + (f"Here such a perturbation moved a single run's MAE by up to {max(moves):.4f}, at most "
                 f"{max(ratios):.2f} × the seed-to-seed std of its own cell, so a single run on "
                 "another platform should be expected to differ by that much, and plausibly by up to the "
                 "seed-to-seed spread (a different platform then acts like a different seed). "
                 if moves else
                 "Here neither perturbation moved the MAE, so a single run may well reproduce exactly "
                 "elsewhere; where the reduction order differs more, expect up to the seed-to-seed spread. ")
              + "Equal specs give bit-equal results only on one platform, library build and thread "
              "count (all recorded in every result's `environment`). What should carry over are the "
              "verdicts, which rest on 10 paired seeds: means over 10 seeds should agree to within about "
              + ", ".join(f"{np.sqrt(2) * s / np.sqrt(10):.4f}" for s in seed_stds)
              + " for the cells above (√2 · seed std / √10).")
    return lines + ["", text, "", expect]


def order_strength_lines(grouped: dict, found: dict) -> list[str]:
    lines = []
    for task in ORDER_STRENGTH:
        data_notes = None
        try:
            from .data import load_task
            data_notes = load_task(task).notes
        except Exception:  # data package missing: the table still stands
            pass
        if task in grouped and data_notes:
            lines.append(f"- {task}: class → blur level {data_notes['level_of_class']}, Spearman ρ(class, "
                         f"level) = {data_notes['spearman_class_vs_level']}.")
    return lines


def reproduce_line(config) -> str:
    """The command that reruns these runs: the built-in default when the design is the default's."""
    from .sweep import load_sweep
    default = load_sweep(None)
    same = ([s.run_id for s in config.specs()] == [s.run_id for s in default.specs()]
            and config.specs() == default.specs())
    if same:
        return ("- Reproduce: `nice -n 19 emdkit ordinal sweep --jobs 2` (the built-in default, printed by "
                "`emdkit ordinal default-config`; these runs used exactly its specs, with other paths for "
                "runs and report; runs go to `runs/ordinal/`, git-ignored; `--resume` continues an "
                "interrupted sweep). Rebuild this page from stored runs: `emdkit ordinal report`.")
    return (f"- Reproduce: `nice -n 19 emdkit ordinal sweep {config.source} --jobs 2` (not the built-in "
            f"default). Rebuild this page from stored runs: `emdkit ordinal report {config.source}`.")


def cpu_statement(results: list[RunResult]) -> str:
    """What the sweep costs on 2 idle cores: per-run CPU time (load does not inflate it), over 2 jobs.

    Runs stored before CPU time was recorded count with their wall time, which is an upper bound
    for a one-thread run (under load a generous one).
    """
    timed = [r for r in results if r.cpu_seconds > 0]
    bounded = [r for r in results if r.cpu_seconds <= 0]
    total = sum(r.cpu_seconds for r in timed) + sum(r.seconds for r in bounded)
    note = (f"; {len(bounded)} runs trained before CPU time was recorded count with their wall time under "
            "load, an upper bound" if bounded else "")
    return (f"Training + evaluation cost summed over runs (one thread each): CPU time for {len(timed)} runs{note}: "
            f"{total / 60:.1f} min in all, so at most about {total / 120:.0f} min of wall time with "
            "`--jobs 2` on 2 idle cores (the issue's budget is 60 min).")


def _pct(c: Comparison, ref_mean: float) -> str:
    return f"{100 * c.delta / ref_mean:+.1f}%"


def reading_section(grouped: dict, main: dict, controls: dict, sord: dict, strength: dict,
                    unordered: dict) -> list[str]:
    """Generated sentences: every number comes from the comparisons above."""
    out = []
    ordered = [t for t in grouped if t not in UNORDERED and t not in ORDER_STRENGTH]
    ce_mae = {t: _mean_std([r.metrics["mae"] for r in grouped[t][REFERENCE]])[0]
              for t in grouped if REFERENCE in grouped[t]}
    for ch in CHALLENGERS:
        cells = {t: main[(t, REFERENCE, ch, "mae")] for t in ordered if (t, REFERENCE, ch, "mae") in main}
        if not cells:
            continue
        beats = [t for t, c in cells.items() if c.verdict == "beats"]
        worse = [t for t, c in cells.items() if c.verdict == "worse"]
        detail = "; ".join(f"{t} Δ {c.delta:+.4f} ({_pct(c, ce_mae[t])}, p = {_fmt_p(c.p)}, "
                           f"{c.wins}/{c.n} seeds)" for t, c in cells.items())
        out.append(f"- **{METHOD_LABELS[ch]}** beats CE on MAE on {len(beats)} of {len(cells)} ordered "
                   f"real tasks{' (' + ', '.join(beats) + ')' if beats else ''}"
                   + (f" and is worse on {', '.join(worse)}" if worse else "") + f": {detail}.")
    for t in ordered:
        key_l = (t, REFERENCE, "learned-gd", "mae")
        if key_l not in main:
            continue
        learned = main[key_l]
        bits = []
        for ctl in GD_CONTROLS:
            c_ctl, vs = main.get((t, REFERENCE, ctl, "mae")), controls.get((t, ctl, "learned-gd", "mae"))
            if c_ctl is None or vs is None:
                continue
            share = (f", {c_ctl.delta / learned.delta:.0%} of learned-gd's gain"
                     if learned.verdict == "beats" else "")
            bits.append(f"the {METHOD_LABELS[ctl]} gets Δ {c_ctl.delta:+.4f}{share}; learned − control "
                        f"= {vs.delta:+.4f} (p = {_fmt_p(vs.p)}): {vs.verdict}")
        out.append(f"- {t}: learned-gd against CE on MAE: Δ {learned.delta:+.4f} (p = {_fmt_p(learned.p)}), "
                   f"{learned.verdict}" + ("; " + "; ".join(bits) if bits else "") + ".")
    for t in [t for t in grouped if t not in UNORDERED]:
        variants = [(v, sord[(t, REFERENCE, v, "mae")]) for v in SORD_VARIANTS if (t, REFERENCE, v, "mae") in sord]
        if len(variants) > 1:  # a temperature sweep ran here
            best = min(variants, key=lambda vc: vc[1].delta)
            out.append(f"- SORD temperature on {t}: Δ MAE vs CE " + ", ".join(
                f"{METHOD_LABELS[v].split()[-1]} {c.delta:+.4f} ({c.verdict})" for v, c in variants)
                + f"; lowest mean MAE at {METHOD_LABELS[best[0]].split()[-1]}.")
    for ch in ("emd2", "ce+emd2", "learned-gd", "sord"):
        cells = [(t, strength.get((t, REFERENCE, ch, "mae"))) for t in ORDER_STRENGTH]
        if all(c is not None for _, c in cells):
            out.append(f"- Order strength, {METHOD_LABELS[ch]}: Δ MAE vs CE "
                       + "; ".join(f"{t} {c.delta:+.4f} (p = {_fmt_p(c.p)}, {c.verdict})" for t, c in cells) + ".")
    for (t, _, ch, m), c in unordered.items():
        out.append(f"- {t} (no order), {METHOD_LABELS[ch]}: Δ accuracy {c.delta:+.4f}, "
                   f"CI [{c.ci[0]:+.4f}, {c.ci[1]:+.4f}], p = {_fmt_p(c.p)}: {c.verdict}.")
    return out


def gd_rho_lines(grouped: dict) -> list[str]:
    lines = ["| task | learned D: ρ mean ± std | permuted D (control): ρ mean ± std |", "|---|---|---|"]
    any_row = False
    for task, methods in grouped.items():
        cells = []
        for m in ("learned-gd", "perm-gd"):
            rhos = [ground_distance_spearman(r.ground_distance) for r in methods.get(m, []) if r.ground_distance]
            cells.append(f"{np.mean(rhos):+.3f} ± {np.std(rhos, ddof=1) if len(rhos) > 1 else 0:.3f}"
                         if rhos else "–")
        if cells != ["–", "–"]:
            any_row = True
            lines.append(f"| {task} | {cells[0]} | {cells[1]} |")
    return lines if any_row else []


# ---------------------------------------------------------------- the whole report

def write_report(results: list[RunResult], config, *, wall_seconds: float | None = None) -> Path:
    """Write README.md, results.csv, runs.csv and figures into ``config.report_dir``."""
    from . import figures
    from .parallel import LOAD_SAMPLES, REPRODUCIBILITY
    check_against_config(results, config)
    specs = check_comparable(results)
    out = Path(config.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = summary_rows(results)
    write_tables(rows, results, out)
    grouped = _group(results)
    runs_dir = Path(config.runs_dir)

    def read(name):
        path = runs_dir / name
        return json.loads(path.read_text()) if path.exists() else {}
    record, loads, repro = read(TIMING), read(LOAD_SAMPLES).get("load_average_1min", []), read(REPRODUCIBILITY)
    log_path = runs_dir / TIMING_LOG
    parts = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()] if log_path.exists() else []
    if wall_seconds is None:  # rebuilt by `emdkit ordinal report`
        wall_seconds = sum(p["wall_seconds"] for p in parts) if parts else record.get("wall_seconds")
    jobs = (parts[-1] if parts else record).get("jobs", 1)
    train_seconds = sum(r.seconds for r in results)
    cpu_note = cpu_statement(results)
    n_seeds = Counter(len(runs) for methods in grouped.values() for runs in methods.values())
    ordered = [t for t in grouped if t not in UNORDERED and t not in ORDER_STRENGTH]

    main_lines, main = comparison_table(grouped, ordered, [(REFERENCE, c) for c in CHALLENGERS],
                                        ("mae", "cwe_business"))
    ctl_lines, controls = comparison_table(grouped, ordered + [t for t in ORDER_STRENGTH if t in grouped],
                                           [(c, "learned-gd") for c in GD_CONTROLS], ("mae",),
                                           heading="learned-gd vs control")
    sord_lines, sord = comparison_table(grouped, [t for t in grouped if t not in UNORDERED],
                                        [(REFERENCE, v) for v in SORD_VARIANTS], ("mae", "accuracy"))
    str_lines, strength = comparison_table(grouped, [t for t in ORDER_STRENGTH if t in grouped],
                                           [(REFERENCE, c) for c in CHALLENGERS], ("mae", "accuracy"))
    un_lines, unordered = comparison_table(grouped, [t for t in grouped if t in UNORDERED],
                                           [(REFERENCE, c) for c in CHALLENGERS], ("accuracy",))
    forest = figures.forest(main, ordered, CHALLENGERS, out)

    cores = results[0].environment.get("cpu_count", "?")
    load_note = (f"1-minute load average sampled after every run of the last invocation: mean "
                 f"{np.mean(loads):.1f}, max {np.max(loads):.1f}, on {cores} cores" if loads else "load not recorded")
    md = [
        "# Ordinal experiments: the EMD² loss against cross-entropy",
        "",
        "Generated by `emdkit ordinal sweep` / `emdkit ordinal report` from stored runs; do not edit by hand.",
        "",
        f"- {len(results)} runs: {len(grouped)} tasks; seeds per cell: "
        + ", ".join(f"{k} ({v} cells)" for k, v in sorted(n_seeds.items())) + ".",
        (f"- Wall time of the sweep: **{wall_seconds / 60:.1f} min** with {jobs} worker processes under "
         f"`nice -n 19`, measured under load ({load_note}; other jobs shared the machine)"
         + (f", in {len(parts)} invocations: " + "; ".join(
             f"{p['wall_seconds'] / 60:.1f} min" + (f" ({p['note']})" if p.get("note") else
                                                   " (resumed: the runs not yet finished)" if p.get("resumed") else "")
             for p in parts) if len(parts) > 1 else "")
         + ". " + cpu_note
         if wall_seconds is not None else
         f"- Training + evaluation time summed over runs: {train_seconds / 60:.1f} min."),
        reproduce_line(config),
        f"- Written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        "## Decision rule (fixed before any result was read)",
        "",
        DECISION_RULE + " The rule lives in `emdkit.ordinal.stats`; it was committed before any "
        "result of this sweep was read (see that file's git history). The per-example quantities are |y − ŷ| (MAE), C[y, ŷ] (business "
        "cost) and 1[y = ŷ] (accuracy).",
        "",
        "## Setup",
        "",
        "Every method trains the same model (tabular: MLP; images: 2-conv CNN) from the same initial "
        "weights for a given seed, with Adam, the same epochs, batch size and learning rate (cosine "
        "decay to 0); the batch order depends only on the seed. **Every method trains on the same "
        "label form**: the task's target, i.e. class indices, or on movies the vote histogram "
        "(learned-gd included: its D-weighted term uses the histogram, with D's row replaced by its "
        "expectation under the histogram; only the centroids that build D use the median-bin class).",
        "",
        "**End-of-training evaluation**: every reported number comes from an exponential moving "
        "average of the weights (decay 1 − 1/(ema_epochs · steps per epoch), i.e. roughly the last "
        "`ema_epochs` epochs; the value is in the configuration table), not from the last step's "
        "weights. No early stopping, no model selection on the test set. Class predictions are the "
        "arg-max, except on movies (median bin of the predicted histogram, the same statistic as the "
        "label). Mean ± sample std over seeds.",
        "",
        "| task | data |", "|---|---|",
        *[f"| {t} | {TASKS.get(t, t)} |" for t in grouped],
        "",
        *config_section(specs, grouped),
        "",
        "Methods: " + "; ".join(f"`{m}` = {METHOD_LABELS[m]}" for m in METHOD_LABELS) + ". The controls "
        "use the learned D of the same run with its rows and columns permuted by a fixed random "
        "permutation per seed (`perm-gd`: same values, order destroyed), or with every off-diagonal "
        "entry replaced by their mean (`const-gd`: no order at all). See `emdkit.ordinal.methods`.",
        "",
        "Measures: accuracy; off-by-one accuracy; MAE in class steps (= cost-weighted error under "
        "|i − j|, so that column is dropped); QWK; RPS; the **business cost**: under-predicting costs "
        f"{UNDER_COST:g} per step, over-predicting {OVER_COST:g} per step; on movies also the "
        "histogram EMD to the true vote histogram.",
        "",
        "Platform, library versions and thread counts, as recorded by every run:",
        "",
        *environment_lines(results),
        "",
        "## Does EMD² beat cross-entropy on ordered classes?",
        "",
        "Ordered real tasks; Δ = challenger − CE (lower is better for both measures).",
        "",
        *main_lines,
        "",
        f"![Δ MAE vs CE with intervals]({forest.name})" if forest else
        "(No ordered task in these runs: no Δ MAE figure.)",
        "",
        "## Does the learned ground distance earn its gain through the order it learns?",
        "",
        "Learned-gd against its own controls (Δ = learned − control; lower is better). A verdict "
        "of 'beats' means the learned order adds something that the same D without its order does not.",
        "",
        *ctl_lines,
        "",
        "Spearman ρ between the off-diagonal entries of the final D and |i − j|:",
        "",
        *gd_rho_lines(grouped),
        "",
        "## SORD temperature sweep",
        "",
        "SORD soft labels t_k ∝ exp(−α (k − y)²) at three α against CE (Δ = SORD − CE; MAE lower, "
        "accuracy higher is better).",
        "",
        *sord_lines,
        "",
        "## Order strength: a synthetic task with and without order",
        "",
        "The same photo patches at 6 blur levels; on `blur-ordered` class c is blur level c, on "
        "`blur-shuffled` the classes show the levels in a fixed shuffled order, so neighbouring class "
        "indices do not look alike. A loss that uses the class order should help on the first "
        "and not on the second.",
        "",
        *order_strength_lines(grouped, strength),
        "",
        *str_lines,
        "",
        "## Classes without order (digits): accuracy only",
        "",
        "On digits the class index has no order, so MAE and the costs are not judged; only "
        "accuracy (does a method keep CE's performance?).",
        "",
        *un_lines,
        "",
        "## Reading (generated from the tables above)",
        "",
        *reading_section(grouped, main, controls, sord, strength, unordered),
        "",
        "## End-of-training evaluation: EMA of the weights against the last step",
        "",
        *ema_section(grouped),
        "",
        "## Reproducibility",
        "",
        *reproducibility_section(repro, grouped),
        "",
        "## Results per task",
        "",
    ]
    for task in grouped:
        shown = {m: grouped[task][m] for m in FIGURE_METHODS if m in grouped[task]}
        md += [f"### {task}", "", markdown_table(rows, task), "",
               f"![learning curves]({figures.learning_curves(shown, task, out, task not in UNORDERED).name})",
               f"![confusion matrices]({figures.confusion_matrices(shown, task, out, task not in UNORDERED).name})",
               ""]
        runs = [r for r in grouped[task].get("learned-gd", []) if r.ground_distance]
        if runs:
            md += [f"![learned ground distance, {task}]({figures.ground_distance(runs, task, out).name})", ""]
    md += ["## Files", "", "- `results.csv`: mean and std per task and method; `runs.csv`: every run "
           "(EMA and last-step MAE, torch version and threads).", ""]
    path = out / "README.md"
    path.write_text("\n".join(md))
    return path
