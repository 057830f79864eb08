"""``emdkit sgm e0|e1|e2|e3|e4|all|report``: W2 convergence experiments for score-based generative
models; ``report`` rebuilds the page from the stored numbers.

Heavy imports (matplotlib, torch) happen inside the handlers.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from ._policy import RuntimeFailure, check_output_folder

#: where results go unless --out says otherwise: never the tracked reports/sgm (issue 14)
DEFAULT_OUT = Path("emdkit-output/sgm")

VERBS = {
    "e0": "Gaussian oracle: exact W2 of the EM sampler's law against step γ and dimension d, "
          "plus the W2 estimators and their sample floor",
    "e1": "order in γ with the exact score: synchronous coupling with a fine-step reference "
          "(mixture, elastic net, double well, modified half-normal α=2) at ε = 5e-2, 5e-3, 5e-4, "
          "4 noise seeds",
    "e2": "√d: W2 against d = 2…128 on a rotated product of 2-D mixture blocks (non-Gaussian in "
          "every d) and a 128-component sphere mixture (product targets as an identity)",
    "e3": "terminal time: the horizon term against T, from N(0, I) versus exact p_T starts",
    "e4": "score error: exact score + a known perturbation over 3 decades of ε_SN, and trained "
          "scores (torch MLP, 5 fresh seeds): W2 against √ε_SN",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sgm", help="W2 convergence lab for score-based generative models (E0–E4)",
        description="Reverse-OU Euler–Maruyama sampler on targets with exact scores, measured in "
                    "W2 (Bruno & Sabanis, arXiv 2505.03432). Each verb writes a CSV table, PNG "
                    "figures and eN.md into --out; `all` also writes README.md.")
    verbs = p.add_subparsers(dest="verb", metavar="<verb>")
    for name, text in list(VERBS.items()) + [("all", "run E0–E4 and write README.md with "
                                                     "figures, fitted slopes and timings")]:
        v = verbs.add_parser(name, help=text, description=text)
        v.add_argument("--out", type=Path, default=DEFAULT_OUT,
                       help=f"output folder (default: {DEFAULT_OUT}; the committed report is "
                            "regenerated with --out reports/sgm)")
        v.add_argument("--quick", action="store_true",
                       help="tiny sizes: a smoke run in seconds, numbers not meaningful, so the "
                            "checks are not evaluated")
        v.add_argument("--seed", type=int, default=0, help="base random seed (default 0)")
        needs = ("sgm", "torch") if name in ("e4", "all") else ("sgm",)
        v.set_defaults(func=_run, verb_name=name, needs=needs)
    rebuild = verbs.add_parser(
        "report", help="rebuild README.md, the eN.md sections, CSVs and figures from the stored "
                       "numbers (raw/*.npz) without running anything",
        description="Render every experiment again from --out/raw/eN.npz and write README.md: "
                    "the committed report is rebuilt byte for byte from its stored numbers.")
    rebuild.add_argument("--out", type=Path, default=Path("reports/sgm"),
                         help="report folder holding raw/ (default: reports/sgm)")
    rebuild.set_defaults(func=_report, needs=("sgm",))
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _report(args: argparse.Namespace) -> int:
    """Rebuild the report from raw/; a check that fails is reported, as in the run."""
    from emdkit.sgm.experiments import MODULES, raw_path, rebuild
    out: Path = args.out
    names = [name for name in MODULES if raw_path(out, name).exists()]
    if not names:
        raise FileNotFoundError(f"no stored numbers under {out / 'raw'}; run `emdkit sgm all "
                                f"--out {out}` first")
    check_output_folder(out, "--out")
    sections = [rebuild(name, out) for name in names]
    for section in sections:
        (out / f"{section.key}.md").write_text(f"## {section.title}\n\n{section.body}")
    quick = any(s.run_info.get("quick") for s in sections)
    print(f"[sgm] report from {', '.join(names)} -> {write_readme(out, sections, quick=quick)}")
    return 0


def _run(args: argparse.Namespace) -> int:
    """Run the experiments; a full run whose checks fail exits 1 after writing everything."""
    check_output_folder(args.out, "--out")
    from emdkit.sgm.experiments import EXPERIMENTS
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    names = list(EXPERIMENTS) if args.verb_name == "all" else [args.verb_name]
    sections, failed = [], []
    for name in names:
        print(f"[sgm] {name}: {VERBS[name]}", flush=True)
        section = EXPERIMENTS[name](out, quick=args.quick, seed=args.seed)
        (out / f"{name}.md").write_text(f"## {section.title}\n\n{section.body}")
        if args.quick:
            print(f"  {len(section.checks)} checks not evaluated: a --quick run is too small "
                  "for them to mean anything")
        else:
            for check, ok in section.checks.items():
                print(f"  {'PASS' if ok else 'FAIL'}  {check}")
                if not ok:
                    failed.append(f"{name}: {check}")
        print(f"  {section.seconds:.1f} s -> {out / (name + '.md')}", flush=True)
        sections.append(section)
    if args.verb_name == "all":
        path = write_readme(out, sections, quick=args.quick)
        print(f"[sgm] report -> {path}")
    if failed:
        raise RuntimeFailure(f"{len(failed)} check(s) failed: " + "; ".join(failed))
    return 0


def write_readme(out: Path, sections, quick: bool) -> Path:
    from emdkit.sgm.report import write_readme as write_sgm_readme
    return write_sgm_readme(out, sections, quick)


def quick_demo(out: Path) -> None:
    """≤ 60 s: a small E1 on the mixture (slope in γ) and one exact-vs-Bures W2 line."""
    import numpy as np

    from emdkit.sgm import MixtureTarget, Run, coupled_reverse_em, coupling_rms, step_size
    from emdkit.sgm.experiments import rotated_gaussian
    from emdkit.sgm.report import loglog_slope, write_csv
    from emdkit.w2 import exact_w2, fitted_gaussian_w2, gaussian_w2
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tic = time.perf_counter()
    target = MixtureTarget([1.0, 1.0], 0.5)
    T, eps, steps, k_ref, n = 3.05, 0.05, [25, 50, 100, 200], 1600, 2000
    rng = np.random.default_rng(0)
    y0 = rng.standard_normal((n, 2))
    finals = coupled_reverse_em([Run(target.score, y0, K) for K in steps + [k_ref]], T, eps, rng)
    gam = [step_size(T, eps, K) for K in steps]
    errs = [coupling_rms(y, finals[-1]) for y in finals[:-1]]
    rows = [dict(gamma=g, coupling_W2=e) for g, e in zip(gam, errs)]
    write_csv(out / "sgm_e1_mixture.csv", rows)
    print("reverse EM on the mixture ½N(±(1,1), 0.25 I), exact score, W2 bound by coupling:")
    for g, e in zip(gam, errs):
        print(f"  γ = {g:.4f}   W2 <= {e:.4f}")
    print(f"  fitted slope in γ: {loglog_slope(gam, errs):.3f} (theory: 1)")
    gauss = rotated_gaussian(4)
    mean, cov = gauss.sampler_law(T, 25, eps)
    X = np.random.default_rng(1).multivariate_normal(mean, cov, size=1500)
    Y = gauss.sample(1500, 2)
    print(f"Gaussian d=4, γ={step_size(T, eps, 25):.3f}: exact W2 (Bures, sampler law) "
          f"{gaussian_w2(mean, cov, gauss.mean, gauss.cov):.4f} | exact empirical W2 (n=1500) "
          f"{exact_w2(X, Y):.4f} | fitted Bures {fitted_gaussian_w2(X, Y):.4f}")
    print(f"  ({time.perf_counter() - tic:.1f} s) -> {out}")
