"""Report helpers for the experiments: slope fits, Markdown tables, CSV, figures (matplotlib Agg)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np


@dataclass
class Section:
    """One experiment's part of reports/sgm/README.md.

    tests : checks that could fail (a measurement against a rule stated before the run).
    identities : checks that hold by construction (closed forms, decompositions); they guard
        the code, not the theory, and are listed apart.
    """
    key: str
    title: str
    body: str
    seconds: float = 0.0
    tests: dict[str, bool] = field(default_factory=dict)
    identities: dict[str, bool] = field(default_factory=dict)
    run_info: dict = field(default_factory=dict)  # stored with the numbers: load, machine, time

    @property
    def checks(self) -> dict[str, bool]:
        """Tests and identities together (identities prefixed), for the CLI's PASS/FAIL lines."""
        return {**self.tests, **{f"identity: {k}": v for k, v in self.identities.items()}}


def loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against log x."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("loglog_slope needs >= 2 positive points")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def log_rate(x: Sequence[float], y: Sequence[float]) -> float:
    """Least-squares slope of log y against x (an exponential rate); nan with < 2 points."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return float(np.polyfit(x, np.log(y), 1)[0]) if len(x) > 1 else float("nan")


def markdown_table(rows: list[dict], floatfmt: str = ".4g") -> str:
    if not rows:
        return ""
    keys = list(rows[0])

    def fmt(v):
        if isinstance(v, (float, np.floating)):
            return format(float(v), floatfmt)
        return str(v)
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(fmt(r[k]) for k in keys) + " |" for r in rows]
    return "\n".join(lines)


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def figure(ncols: int = 1, width: float = 5.2, height: float = 3.9):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, axes[0]


def _tidy_log_axis(axis, lo: float, hi: float) -> None:
    """Plain-number labels on a log axis, majors only: matplotlib labels minor ticks when an
    axis spans less than a decade, and those labels overlap."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    decades = np.log10(hi / lo)
    subs = (1.0,) if decades > 2.5 else (1.0, 2.0, 5.0) if decades > 0.9 else (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def save(fig, path: Path) -> str:
    for ax in fig.axes:
        if ax.get_xscale() == "log":
            _tidy_log_axis(ax.xaxis, *sorted(ax.get_xlim()))
        if ax.get_yscale() == "log":
            _tidy_log_axis(ax.yaxis, *sorted(ax.get_ylim()))
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")  # tight: no label is cut off
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path.name


def guide_line(ax, x, y, slope: float, label: str, log_x: bool = True, style: str = ":",
               data_x=None, data_y=None) -> None:
    """A grey guide line of fixed slope whose level is fitted to data (least squares in log y).

    log_x : slope in log y per log x (power law) or, if False, per unit x (exponential e^{slope·x}).
    The level is fitted to (data_x, data_y) when given, else to (x, y); the line is drawn over x.
    """
    x = np.asarray(x, float)
    fx = np.asarray(x if data_x is None else data_x, float)
    fy = np.asarray(y if data_y is None else data_y, float)
    if fx.shape != fy.shape or fx.size == 0:
        raise ValueError("guide_line needs matching, non-empty data to fit its level")
    basis = np.log if log_x else (lambda v: v)
    level = float(np.mean(np.log(fy) - slope * basis(fx)))
    ax.plot(x, np.exp(level + slope * basis(x)), style, color="grey", label=label)


PAPER_CONSTANTS_NOTE = (
    "**What the seed says, and what it does not.** Seed `002` (a Japanese summary of Bruno & "
    "Sabanis, arXiv 2505.03432) states an O(√d) dependence, a non-asymptotic W2 bound under "
    "semiconvexity, and the classes covered (Gaussian mixtures, modified half-normals, double "
    "wells, elastic-net potentials); it gives no constants and does **not** state order one in "
    "γ, an e^{−T} term or a √ε_SN term: those are this report's reading of such bounds and are "
    "labelled so. The paper is not available offline, so the bound's value is never evaluated; "
    "every comparison is with a rate (slope).")

#: what is known about rerunning (protocol section 3); no table was rerun for this report
RERUN_NOTE = ("No table was rerun for this report (machine budget). Reruns are not bit-identical "
              "everywhere: in the previous report, `e3.csv` differed in 17 of 28 values, by up to "
              "5e-9 relative, between two runs of the same command; this page itself is rebuilt "
              "byte for byte from the stored numbers.")

#: seed 002's claims (quoted and translated in reports/sgm/PROTOCOL.md) and the tests that bear on them
SEED_CLAIMS = (
    ("S1", "first guarantee for non-smooth data (「…理論的保証を示した初の仕事です」)", ()),
    ("S2", "O(√d) dependence on the dimension (「…O(√d)の依存性を達成しており…」)", ("E2a ",)),
    ("S3", "covers Gaussian mixtures, modified half-normals, double wells, elastic nets "
           "(「混合ガウス…修正ハーフノーマル、ダブルウェル…弾性ネット型…」)", ("E1 ",)),
    ("S4", "a non-asymptotic W2 bound under semiconvexity alone, its value (「…非漸近的…な上界」)", ()),
)


def claims_table(sections: list[Section]) -> str:
    """Each seed claim with the verdict its tests give: consistent, not supported, not tested."""
    tests = {k: ok for s in sections for k, ok in s.tests.items()}
    lines = ["| claim | seed 002 | evidence | verdict |", "|---|---|---|---|"]
    for key, text, prefixes in SEED_CLAIMS:
        mine = {k: ok for k, ok in tests.items() if prefixes and k.startswith(prefixes)}
        absent = [p.strip() for p in prefixes if not any(k.startswith(p) for k in tests)]
        if not prefixes:
            verdict, evidence = "**not tested**", "none (no numerical claim, or no constants)"
        elif absent:
            verdict, evidence = "**not tested**", f"{', '.join(absent)} not in this run"
        else:
            failed = sum(not ok for ok in mine.values())
            evidence = f"{len(mine)} checks ({', '.join(p.strip() for p in prefixes)})"
            verdict = ("**consistent** (every check passes)" if not failed else
                       f"**not supported** ({failed} of {len(mine)} checks fail)")
        lines.append(f"| {key} | {text} | {evidence} | {verdict} |")
    return "\n".join(lines)


def _elapsed_minutes(sections: list[Section]) -> float | None:
    """Minutes from the earliest start to the latest finish, from the stored finish times
    (minute resolution) and durations; None without stored run information."""
    import calendar
    import time as _time
    spans = []
    for s in sections:
        stamp = s.run_info.get("finished_utc")
        if stamp:
            end = calendar.timegm(_time.strptime(stamp, "%Y-%m-%d %H:%M UTC"))
            spans.append((end - s.seconds, end))
    if not spans:
        return None
    return (max(e for _, e in spans) - min(b for b, _ in spans)) / 60


def write_readme(out: Path, sections: list[Section], quick: bool,
                 command: str = "emdkit sgm e0 … e4 --out reports/sgm",
                 rebuild: str = "emdkit sgm report --out reports/sgm") -> Path:
    """reports/sgm/README.md from the sections alone (deterministic: the load, machine and time
    come from the stored numbers, not from the machine that writes the page)."""
    import os
    import platform

    from emdkit.rawdata import protocol_amendments
    total = sum(s.seconds for s in sections)
    info = [s.run_info for s in sections if s.run_info]
    load = max((i["load_average"] for i in info), default=os.getloadavg()[0])
    cpus = info[0]["cpu_count"] if info else os.cpu_count()
    machine = info[0]["machine"] if info else (platform.processor() or platform.machine())
    finished = max((i["finished_utc"] for i in info), default="not recorded")
    elapsed = _elapsed_minutes(sections)

    def lines(kind):
        if quick:  # a smoke run is too small for any check to mean anything: no ✅, no ❌
            return "Not evaluated: a --quick run is too small for the checks to mean anything."
        return "\n".join(f"- {'✅' if ok else '❌'} {k}" for s in sections
                         for k, ok in getattr(s, kind).items()) or "- (none)"
    timing = "\n".join(f"| {s.key} | {s.seconds:.1f} |" for s in sections)
    n_tests = sum(len(s.tests) for s in sections)
    n_failed = sum(not ok for s in sections for ok in s.tests.values())
    protocol = out / "PROTOCOL.md"
    amendments = protocol_amendments(protocol)
    amend = ("\n".join(f"- {a}" for a in amendments) if amendments else "- none") \
        if protocol.exists() else "- no PROTOCOL.md beside this report"
    text = f"""# W2 convergence of score-based generative models — emdkit sgm

Measured by `{command}` (`emdkit sgm all` runs all five){" --quick (this is a QUICK smoke run: the numbers are not meaningful)" if quick else ""};
this page is rebuilt from the stored numbers (`raw/*.npz`) by `{rebuild}`. Rules, constants and
what counts as support were fixed in `reports/sgm/PROTOCOL.md` before the run.

Setting (Bruno & Sabanis, arXiv 2505.03432): forward OU dX = −X dt + √2 dW, reverse
Euler–Maruyama Y_{{k+1}} = Y_k + γ(Y_k + 2 s(T − kγ, Y_k)) + √(2γ) Z_{{k+1}}, Y₀ ~ N(0, I_d), run
until the early stop ε. Each experiment isolates one term; where sampling floors would hide it we
measure W2 through exact laws (Gaussian oracle) or synchronous couplings (upper bounds with no
floor).

{PAPER_CONSTANTS_NOTE}

## The seed's claims

{claims_table(sections) if not quick else "Not evaluated (--quick)."}

## Amendments to the protocol

{amend}

## Tests (could fail; each rule was fixed in the protocol before the run)

{"" if quick else f"{n_tests - n_failed} of {n_tests} pass."}

{lines("tests")}

## Identities (hold by construction; they check the code, not the theory)

{lines("identities")}

## Wall time

All {len(sections)} experiments: **{total:.0f} s ({total / 60:.1f} min)** of wall time summed over the
experiments{f", about {elapsed:.0f} min from the first start to the last finish (they ran partly in parallel)" if elapsed else ""}, measured on a
*shared* machine ({cpus} CPU cores, {machine}, other jobs running; largest 1-minute load average
at the end of an experiment: {load:.1f}; last experiment finished {finished}). Timings depend on
the machine, its load and the EMD engine; the numbers above do not depend on the engine.

| experiment | seconds |
|---|---|
{timing}

**Reruns.** {RERUN_NOTE}

""" + "\n".join(f"## {s.title}\n\n{s.body}" for s in sections)
    path = out / "README.md"
    path.write_text(text)
    return path
