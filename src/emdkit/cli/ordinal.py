"""``emdkit ordinal``: the EMD² loss against cross-entropy on ordered classes, on offline data.

Verbs: ``run`` (one task, method and seed), ``sweep`` (methods x tasks x seeds from a TOML file
or the built-in default, then the report), ``report`` (rebuild the report from stored runs),
``default-config`` (print the built-in sweep TOML). torch, matplotlib and the data packages are
imported inside the handlers.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ._policy import check_output_folder

TASK_NAMES = ["diamonds-clarity", "diamonds-color", "movies", "bluemarble", "digits",
              "blur-ordered", "blur-shuffled"]
METHOD_NAMES = ["ce", "emd2", "ce+emd2", "learned-gd", "perm-gd", "const-gd", "sord", "sord-a0.25", "sord-a4"]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ordinal", help="EMD² loss vs cross-entropy on ordered classes (diamonds, movies, Blue Marble)",
        description="Train small networks with cross-entropy, the squared-EMD loss, CE then CE+EMD², "
                    "a learned ground distance and SORD soft labels on data shipped in installed "
                    "packages, and report accuracy, off-by-one accuracy, MAE, QWK, RPS and "
                    "cost-weighted errors.")
    verbs = p.add_subparsers(dest="verb", metavar="<verb>")

    run = verbs.add_parser("run", help="train one task with one method and seed",
                           description="Train one run; checkpoints go to --runs-dir/<task>/<method>/seed<S>.")
    run.add_argument("--task", required=True, choices=TASK_NAMES, help="data set and target")
    run.add_argument("--method", required=True, choices=METHOD_NAMES, help="training objective")
    run.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    run.add_argument("--seed", type=int, default=0, help="seed of weights and batch order (default 0)")
    run.add_argument("--batch-size", type=int, default=256, help="mini-batch size (default 256)")
    run.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default 0.002)")
    run.add_argument("--warmup-epochs", type=int, default=2, help="ce+emd2: CE-only epochs (default 2)")
    run.add_argument("--flip-augment", action="store_true",
                     help="images: random left-right/up-down flips of each batch")
    run.add_argument("--max-train", type=int, default=None, help="subsample the training set")
    run.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    run.add_argument("--runs-dir", type=Path, default=Path("runs/ordinal"),
                     help="checkpoint root (default runs/ordinal)")
    run.add_argument("--resume", action="store_true",
                     help="reuse the stored run if it was made with exactly these settings "
                          "(finished: its result; interrupted: continue from its checkpoint); "
                          "a stored run with other settings is trained again")
    run.add_argument("--refuse-mismatch", action="store_true",
                     help="with --resume: stop with an error naming the differing settings "
                          "instead of training a mismatched stored run again")
    run.set_defaults(func=_run, needs=("torch", "ordinal"))

    sweep = verbs.add_parser("sweep", help="methods x tasks x seeds, then the report",
                             description="Run a sweep from CONFIG (TOML) or the built-in default, "
                                         "then write README.md, CSV tables and figures.")
    sweep.add_argument("config", nargs="?", type=Path, default=None,
                       help="sweep TOML (default: built-in; see `emdkit ordinal default-config`)")
    sweep.add_argument("--resume", action="store_true",
                       help="reuse finished runs and continue interrupted ones, but only those "
                            "made with exactly the config's settings; others are trained again")
    sweep.add_argument("--refuse-mismatch", action="store_true",
                       help="with --resume: stop with an error naming the differing settings "
                            "instead of training mismatched stored runs again")
    sweep.add_argument("--out", type=Path, default=None,
                       help="report folder (default: the config's report_dir, built-in "
                            "emdkit-output/ordinal; the committed report is --out reports/ordinal)")
    sweep.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    sweep.add_argument("--jobs", type=int, default=1,
                       help="runs trained at once in worker processes (default 1; results do not change)")
    sweep.set_defaults(func=_sweep, needs=("torch", "ordinal"))

    report = verbs.add_parser("report", help="rebuild the report from the stored runs of a sweep",
                              description="Read result.json of every finished run of CONFIG and "
                                          "write the report; trains nothing.")
    report.add_argument("config", nargs="?", type=Path, default=None, help="sweep TOML (default: built-in)")
    report.add_argument("--out", type=Path, default=None,
                        help="report folder (default: the config's report_dir)")
    report.set_defaults(func=_report, needs=("torch", "ordinal"))

    default = verbs.add_parser("default-config", help="print the built-in sweep TOML")
    # the TOML lives in emdkit.ordinal, which imports torch: name both extras, as run does
    default.set_defaults(func=_default_config, needs=("torch", "ordinal"))
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _run(args: argparse.Namespace) -> int:
    from emdkit.core.validation import check_positive_int
    for flag, value in [("--epochs", args.epochs), ("--batch-size", args.batch_size),
                        ("--threads", args.threads)]:
        check_positive_int(value, flag)
    if args.max_train is not None:
        check_positive_int(args.max_train, "--max-train")
    check_positive_int(args.seed, "--seed", minimum=0)
    check_positive_int(args.warmup_epochs, "--warmup-epochs", minimum=0)
    if not args.lr > 0:
        raise ValueError(f"--lr must be a positive number, got {args.lr}")
    check_output_folder(args.runs_dir, "--runs-dir")
    from emdkit.ordinal.train import RunSpec, train_run
    spec = RunSpec(task=args.task, method=args.method, seed=args.seed, epochs=args.epochs,
                   batch_size=args.batch_size, lr=args.lr, warmup_epochs=args.warmup_epochs,
                   flip_augment=args.flip_augment, max_train=args.max_train, threads=args.threads)
    run_dir = args.runs_dir / spec.task / spec.method / f"seed{spec.seed}"
    result = train_run(spec, run_dir, resume=args.resume,
                       on_mismatch="refuse" if args.refuse_mismatch else "retrain")
    print(f"{result.spec.run_id}: {result.spec.epochs} epochs, {result.seconds:.1f} s -> {run_dir}")
    for name, value in result.metrics.items():
        print(f"  {name:24s} {value:.4f}")
    return 0


def _load_config(args: argparse.Namespace):
    from emdkit.ordinal.sweep import load_sweep
    config = load_sweep(args.config)
    if args.out is not None:
        config.report_dir = args.out
    check_output_folder(config.report_dir, "--out" if args.out is not None else "report_dir")
    return config


def _sweep(args: argparse.Namespace) -> int:
    from emdkit.ordinal.sweep import run_sweep
    config = _load_config(args)
    check_output_folder(config.runs_dir, "runs_dir")
    if args.jobs < 1:
        raise ValueError(f"--jobs must be >= 1, got {args.jobs}")
    run_sweep(config, resume=args.resume, progress=not args.no_progress, n_jobs=args.jobs,
              on_mismatch="refuse" if args.refuse_mismatch else "retrain")
    print(f"report: {config.report_dir / 'README.md'}")
    return 0


def _report(args: argparse.Namespace) -> int:
    import sys
    from emdkit.ordinal.report import write_report
    from emdkit.ordinal.sweep import load_results, stale_runs
    from emdkit.ordinal.train import describe_differences
    config = _load_config(args)
    results = load_results(config)
    for run_id, diff in stale_runs(config).items():
        print(f"left out {run_id}: stored with other settings ({describe_differences(diff)})",
              file=sys.stderr)
    if not results:
        raise FileNotFoundError(f"no finished runs of this config under {config.runs_dir}; run "
                                "`emdkit ordinal sweep` first")
    print(f"report from {len(results)}/{len(config.specs())} finished runs: "
          f"{write_report(results, config)}")
    return 0


def _default_config(args: argparse.Namespace) -> int:
    from emdkit.ordinal.sweep import DEFAULT_SWEEP_TOML
    print(DEFAULT_SWEEP_TOML, end="")
    return 0


def quick_demo(out: Path) -> None:
    """Cross-entropy vs EMD² on a 6,000-diamond subsample of the clarity task (about 10-20 s)."""
    import time
    from emdkit.ordinal.train import RunSpec, train_run
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    print("diamonds clarity (8 ordered grades), 6,000 training stones, 6 epochs, seed 0")
    lines = ["method,accuracy,off_by_one,mae,cwe_business,rps"]
    for method in ("ce", "emd2"):
        t0 = time.perf_counter()
        spec = RunSpec("diamonds-clarity", method, seed=0, epochs=6, max_train=6000, max_test=3000)
        m = train_run(spec, None, progress=False).metrics
        print(f"  {method:5s} accuracy {m['accuracy']:.3f}  off-by-one {m['off_by_one']:.3f}  "
              f"MAE {m['mae']:.3f}  business cost {m['cwe_business']:.3f}  RPS {m['rps']:.4f}  "
              f"({time.perf_counter() - t0:.1f} s)")
        lines.append(f"{method},{m['accuracy']:.6f},{m['off_by_one']:.6f},{m['mae']:.6f},"
                     f"{m['cwe_business']:.6f},{m['rps']:.6f}")
    (out / "ordinal_demo.csv").write_text("\n".join(lines) + "\n")
    print(f"  -> {out / 'ordinal_demo.csv'}; full study: emdkit ordinal sweep")
