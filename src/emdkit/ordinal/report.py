"""The ordinal report of the issue-26 protocol, rebuilt from ``raw/runs.npz`` alone.

Everything in ``README.md`` is computed here from :class:`~emdkit.ordinal.store.StoredSweep`;
no sentence carries a typed number. The decision rule is the protocol's (``PROTOCOL.md``): the
seed is the replicate, paired t-tests over seeds, **Holm over every test of the report** (one
family), the last step's weights decide and the EMA is shown beside them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .evaluate import business_cost
from .methods import METHOD_LABELS
from .stats import ALPHA, hierarchical_bootstrap_ci, paired_t_p, seed_t_interval
from .train import RunResult

REFERENCE = "ce"
ORDERED = ("diamonds-clarity", "bluemarble", "blur-ordered")  # H1/H2: the ordered tasks
PAIR = ("blur-ordered", "blur-shuffled")  # same patches, order strength 1 and 0
UNORDERED = ("digits",)
MEASURES = ("mae", "accuracy")
HIGHER = {"mae": False, "accuracy": True}
MIN_SEEDS = 10
NONINFERIORITY = -0.01  # H3 (protocol): Δ accuracy interval above −1 point
OVERHEAD_MAX = 1.5  # H4 (protocol): median CPU seconds per run, EMD² over CE
COMMAND = "nice -n 19 emdkit ordinal sweep reports/ordinal/sweep.toml --jobs 2"
REBUILD = "emdkit ordinal report reports/ordinal/sweep.toml"


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


FREE_FIELDS = {"method", "seed"}


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



# ---------------------------------------------------------------- the protocol's tests

def _errors(sw, kind: str, task: str, method: str, measure: str) -> dict[int, np.ndarray]:
    """seed -> per-example |y − ŷ| (MAE) or 1[y = ŷ] (accuracy) of one method's runs."""
    if task not in sw.y_true:
        return {}
    rows = [r for r in sw.runs if r["task"] == task]
    y = sw.y_true[task]
    out = {}
    for i, r in enumerate(rows):
        if r["method"] == method:
            p = sw.pred[kind][task][i]
            out[r["seed"]] = np.abs(y - p).astype(float) if measure == "mae" else (y == p).astype(float)
    return out


def compare(sw, kind: str, task: str, a: str, b: str, measure: str) -> dict | None:
    """a − b on one task and measure, paired by seed; None when either side has no runs."""
    ea, eb = _errors(sw, kind, task, a, measure), _errors(sw, kind, task, b, measure)
    seeds = sorted(set(ea) & set(eb))
    if not seeds:
        return None
    per_seed = [ea[s] - eb[s] for s in seeds]
    diff = np.array([d.mean() for d in per_seed])
    sign = 1 if HIGHER[measure] else -1
    return dict(task=task, a=a, b=b, measure=measure, n=len(seeds), delta=float(diff.mean()),
                t_ci=seed_t_interval(diff), p=paired_t_p(diff), wins=int(np.sum(sign * diff > 0)),
                h_ci=hierarchical_bootstrap_ci(per_seed) if kind == "last" else None)


def interaction(sw, kind: str, a: str, measure: str) -> dict | None:
    """(a − CE on blur-ordered) − (a − CE on blur-shuffled), paired by seed."""
    parts = []
    for task in PAIR:
        ea, ec = _errors(sw, kind, task, a, measure), _errors(sw, kind, task, REFERENCE, measure)
        parts.append({s: ea[s].mean() - ec[s].mean() for s in set(ea) & set(ec)})
    seeds = sorted(set(parts[0]) & set(parts[1]))
    if not seeds:
        return None
    i = np.array([parts[0][s] - parts[1][s] for s in seeds])
    sign = 1 if HIGHER[measure] else -1
    return dict(task="blur: ordered − shuffled", a=a, b=REFERENCE, measure=measure, n=len(seeds),
                delta=float(i.mean()), t_ci=seed_t_interval(i), p=paired_t_p(i),
                wins=int(np.sum(sign * i > 0)), h_ci=None)


def _methods(sw, task: str) -> list[str]:
    return list(dict.fromkeys(r["method"] for r in sw.runs if r["task"] == task))


def family(sw, kind: str = "last") -> list[dict]:
    """The protocol's tests (section 5), in its order; Holm over all of them for ``last``."""
    from emdkit.multiplicity import holm
    tests = []
    for task in ("diamonds-clarity", "bluemarble") + PAIR:
        for m in _methods(sw, task):
            if m != REFERENCE:
                tests += [compare(sw, kind, task, m, REFERENCE, x) for x in MEASURES]
    for task in UNORDERED:
        tests += [compare(sw, kind, task, m, REFERENCE, "accuracy") for m in _methods(sw, task) if m != REFERENCE]
    tests.append(compare(sw, kind, "diamonds-clarity", "learned-gd", "perm-gd", "mae"))
    shared = [m for m in _methods(sw, PAIR[0]) if m != REFERENCE and m in _methods(sw, PAIR[1])]
    tests += [interaction(sw, kind, m, x) for m in shared for x in MEASURES]
    tests = [t for t in tests if t is not None and t["n"] >= MIN_SEEDS]
    adjusted = holm([t["p"] for t in tests]) if kind == "last" else [float("nan")] * len(tests)
    for t, p in zip(tests, adjusted):
        t["p_holm"] = p
        better = t["delta"] > 0 if HIGHER[t["measure"]] else t["delta"] < 0
        t["verdict"] = ("—" if kind != "last" else "no difference shown" if not p < ALPHA
                        else "**beats**" if better else "**worse**")
    return tests


# ---------------------------------------------------------------- sections

def _p(p: float) -> str:
    return "—" if not np.isfinite(p) else f"{p:.2g}" if p < 0.001 else f"{p:.3f}"


def _verdict(t: dict) -> str:
    if not t["task"].startswith("blur: ordered"):
        return t["verdict"]
    return {"**beats**": "**order used** (better on ordered than on shuffled)",
            "**worse**": "**opposite** (better on shuffled than on ordered)"}.get(t["verdict"], "no interaction shown")


def tests_table(tests: list[dict], decided: bool = True) -> list[str]:
    head = ("| task | method | against | measure | Δ (mean over seeds) | 95% t-interval (seeds) | "
            + ("95% hierarchical bootstrap | p | p (Holm, whole report) | seeds won | verdict |" if decided
               else "p (raw) | seeds won |"))
    lines = [head, "|---|---|---|---|---:|---:|" + ("---:|---:|---:|---:|---|" if decided else "---:|---:|")]
    for t in tests:
        cells = [t["task"], METHOD_LABELS[t["a"]], METHOD_LABELS[t["b"]], t["measure"], f"{t['delta']:+.4f}",
                 f"[{t['t_ci'][0]:+.4f}, {t['t_ci'][1]:+.4f}]"]
        if decided:
            h = "—" if t["h_ci"] is None else f"[{t['h_ci'][0]:+.4f}, {t['h_ci'][1]:+.4f}]"
            cells += [h, _p(t["p"]), _p(t["p_holm"]), f"{t['wins']}/{t['n']}", _verdict(t)]
        else:
            cells += [_p(t["p"]), f"{t['wins']}/{t['n']}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _find(tests, task, a, measure, b=REFERENCE):
    return next((t for t in tests if t["task"] == task and t["a"] == a and t["b"] == b
                 and t["measure"] == measure), None)


def claims_table(sw, tests: list[dict]) -> list[str]:
    """Hou, Yu & Samaras (arXiv:1611.05916), claim by claim, under the protocol's criteria."""
    def beats(task, m):
        t = _find(tests, task, m, "mae")
        return t is not None and t["verdict"] == "**beats**"
    tested = [t for t in ORDERED if any(_find(tests, t, m, "mae") for m in ("emd2", "ce+emd2"))]
    h1 = [t for t in tested if beats(t, "emd2") or beats(t, "ce+emd2")]
    h1v = ("not tested" if not tested else "reproduced" if len(h1) >= 2 else
           "partly reproduced" if len(h1) == 1 else "not reproduced")
    gd = [t for t in ORDERED if _find(tests, t, "learned-gd", "mae")]
    gd_beats = [t for t in gd if beats(t, "learned-gd")]
    ctrl = _find(tests, "diamonds-clarity", "learned-gd", "mae", "perm-gd")
    h2v = ("not tested" if not gd else "reproduced" if len(gd_beats) >= 2 and ctrl and
           ctrl["verdict"] == "**beats**" else "not reproduced")
    h3 = []
    for m in ("emd2", "ce+emd2"):
        t = _find(tests, "digits", m, "accuracy")
        if t is not None:
            lo, hi = t["t_ci"]
            h3.append(f"{METHOD_LABELS[m]}: Δ {t['delta']:+.4f} [{lo:+.4f}, {hi:+.4f}] → "
                      + ("reproduced" if lo > NONINFERIORITY else "not reproduced" if hi < NONINFERIORITY
                         else "inconclusive"))
    ratios = {}
    for task in dict.fromkeys(r["task"] for r in sw.runs):
        cpu = {m: np.median([r["cpu_seconds"] for r in sw.runs if r["task"] == task and r["method"] == m])
               for m in ("ce", "emd2") if any(r["task"] == task and r["method"] == m for r in sw.runs)}
        if len(cpu) == 2:
            ratios[task] = cpu["emd2"] / cpu["ce"]
    h4v = ("not tested" if not ratios else "reproduced" if max(ratios.values()) <= OVERHEAD_MAX
           else "not reproduced")
    inter = [t for t in tests if t["task"].startswith("blur: ordered") and t["measure"] == "mae"]
    rows = [("H1", "EMD² losses improve on data with ordered classes", h1v,
             f"EMD² or CE→CE+EMD² beats CE on MAE on {len(h1)} of {len(tested)} ordered tasks run "
             f"({', '.join(h1) or 'none'})"),
            ("H2", "a learned ground distance gives the same gain", h2v,
             f"learned-gd beats CE on MAE on {len(gd_beats)} of {len(gd)} ordered tasks run; vs its "
             f"permuted-D control: {ctrl['verdict'] if ctrl else 'not run'}"),
            ("H3", "performance is kept on tasks without order", "see evidence" if h3 else "not tested",
             "; ".join(h3) or "digits not run"),
            ("H4", "limited computational overhead", h4v,
             ", ".join(f"{t}: {v:.2f}×" for t, v in ratios.items()) + f" (median CPU s per run, EMD² / CE; "
             f"criterion ≤ {OVERHEAD_MAX:g})"),
            ("H5", "(the report's question) the gain comes through the class order", "see evidence",
             "; ".join(f"{METHOD_LABELS[t['a']]}: {_verdict(t)} (Δ {t['delta']:+.4f})" for t in inter)
             or "blur pair not run"),
            ("—", "new state-of-the-art results", "not tested", "no published baselines on these tasks")]
    return (["| claim | Hou et al. (seed 000) | verdict | evidence (last step, Holm across the report) |",
             "|---|---|---|---|"] + [f"| {k} | {c} | **{v}** | {e} |" for k, c, v, e in rows])


def results_table(sw) -> list[str]:
    """Mean ± std over seeds per task and method, both evaluations."""
    cols = [("last", "accuracy", "accuracy ↑"), ("last", "mae", "MAE ↓"), ("last", "qwk", "QWK ↑"),
            ("last", "cwe_business", "business cost ↓"), ("ema", "accuracy", "EMA accuracy ↑"),
            ("ema", "mae", "EMA MAE ↓")]
    lines = ["| task | method | seeds | " + " | ".join(c[2] for c in cols) + " |",
             "|---|---|---:|" + "---|" * len(cols)]
    for task in dict.fromkeys(r["task"] for r in sw.runs):
        for m in _methods(sw, task):
            sel = [r for r in sw.runs if r["task"] == task and r["method"] == m]
            cells = [f"{np.mean([r[f'{k}_{x}'] for r in sel]):.4f} ± "
                     f"{np.std([r[f'{k}_{x}'] for r in sel], ddof=1) if len(sel) > 1 else 0:.4f}"
                     for k, x, _ in cols]
            lines.append(f"| {task} | {METHOD_LABELS[m]} | {len(sel)} | " + " | ".join(cells) + " |")
    return lines


def setup_lines(sw) -> list[str]:
    """The stored specs per task, the environments, the not-run runs and the timing record."""
    meta = sw.meta
    fields = sorted({k for spec in meta["specs"].values() for k in spec})
    lines = ["| task | " + " | ".join(fields) + " |", "|---|" + "---|" * len(fields)]
    lines += [f"| {t} | " + " | ".join(str(spec.get(k)) for k in fields) + " |" for t, spec in meta["specs"].items()]
    done = {f"{r['task']}/{r['method']}/seed{r['seed']}" for r in sw.runs}
    missing = [rid for rid in meta["planned"] if rid not in done]
    tasks_missing = list(dict.fromkeys(rid.split("/")[0] for rid in missing))
    loads = meta.get("load_samples") or [float("nan")]
    cpu_min = sum(r["cpu_seconds"] for r in sw.runs) / 60
    lines += ["", f"Runs finished: **{len(done)} of {len(meta['planned'])}** planned; not run (machine budget, "
              f"protocol section 7): {', '.join(tasks_missing) or 'none'} ({len(missing)} runs).",
              f"Finished results span {meta['first_result']} to {meta['last_result']} "
              f"({meta['result_span_seconds'] / 60:.1f} min of wall time, `--jobs 2`, `nice -n 19`); "
              f"CPU time summed over runs {cpu_min:.1f} min; 1-minute load average sampled after each run of the "
              f"last training process to finish: mean "
              f"{np.mean(loads):.1f}, max {np.max(loads):.1f} on 2 cores shared with other jobs. Timings depend "
              "on the machine, its load and the EMD engine; verdicts do not.",
              "", "Environments recorded by the runs: " + "; ".join(
                  ", ".join(f"{k} {v}" for k, v in sorted(env.items())) for env in meta["environments"])]
    return lines


def write_report(out_dir: Path) -> Path:
    """``out_dir/README.md`` and ``results.csv`` from ``out_dir/raw/runs.npz`` (nothing else)."""
    from emdkit.rawdata import protocol_amendments

    from .store import load
    out_dir = Path(out_dir)
    sw = load(out_dir)
    tests, ema = family(sw, "last"), family(sw, "ema")
    from .figures import forest
    figure = forest(tests, out_dir)
    amendments = protocol_amendments(out_dir / "PROTOCOL.md")
    text = [
        "# The EMD² loss against cross-entropy on ordered classes (issue-26 protocol)", "",
        f"Runs: `{COMMAND}`; this page is rebuilt from the stored predictions (`raw/runs.npz`) by "
        f"`{REBUILD}`. Design, evaluation and decision rule were fixed in `reports/ordinal/PROTOCOL.md` "
        "before the first run. Seed paper: Hou, Yu & Samaras, *Squared Earth Mover's Distance-based "
        "Loss for Training Deep Neural Networks*, arXiv:1611.05916 (seed 000).", "",
        "## Amendments to the protocol", "", *([f"- {a}" for a in amendments] or ["- none"]), "",
        "## Hou et al., claim by claim", "", *claims_table(sw, tests), "",
        "## Every test of the report (last step's weights decide)", "",
        f"Per-seed differences (challenger − reference); paired t-test over seeds; Holm over all "
        f"{len(tests)} tests below (one family); **beats** / **worse**: Holm-adjusted p < {ALPHA:g}, "
        "direction by the sign. Intervals: seed-level t, and a hierarchical bootstrap (seeds, then "
        "test examples within each seed; 2000 resamples); the interaction rows (blur: ordered − "
        "shuffled, i < 0 on MAE = the method helps more where the classes are ordered) have the t "
        "interval only. MAE and business cost reward hedging toward middle classes; the shuffled task "
        "and the interaction exist to expose that.", "",
        *tests_table(tests), "", *([f"![Δ MAE against CE]({figure})", ""] if figure else []),
        "## The same tests on the EMA of the weights (shown, decides nothing)", "",
        "The EMA was chosen after the pilot and changed results there; it is outside the family.", "",
        *tests_table(ema, decided=False), "",
        "## Results per task (mean ± std over seeds)", "", *results_table(sw), "",
        "## Setup as run", "", *setup_lines(sw), "",
        "## History (before the protocol; disclosed, not results)", "",
        "A 3-seed pilot (2026-11-23) claimed the paper's recipe held and a learned-D win on movies "
        "(MAE −0.0083) that came from unequal label forms (+0.0004 once fixed); **its claims are "
        "withdrawn**. A 10-seed sweep (2026-11-26) had its design trimmed four times while it ran, "
        "test-example-only intervals and per-table Holm; it is superseded. Details: protocol "
        "section 8.", ""]
    (out_dir / "README.md").write_text("\n".join(text))
    _write_csv(out_dir / "results.csv", sw)
    return out_dir / "README.md"


def _write_csv(path: Path, sw) -> None:
    from .store import MEASURES as KEPT
    keys = [f"{k}_{m}" for k in ("last", "ema") for m in KEPT]
    lines = ["task,method,seed," + ",".join(keys) + ",cpu_seconds"]
    lines += [f"{r['task']},{r['method']},{r['seed']}," + ",".join(f"{r[k]:.6f}" for k in keys)
              + f",{r['cpu_seconds']:.2f}" for r in sw.runs]
    path.write_text("\n".join(lines) + "\n")
