"""``emdkit demo``: the main job on embedded defaults, in a few minutes on a laptop CPU."""
from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

from ._policy import MissingExtraError, check_output_folder, require_extras

DEFAULT_OUT = Path("emdkit-output/demo")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="run every part of emdkit on built-in data and write the results",
        description="Runs the core EMD table (Rubner's sea/mountain colour example), then the "
                    "short image, ordinal and score-model parts. Results go to --out. The "
                    "core part needs nothing but the core install (`pip install .` in a "
                    "clone); the others need the extras images, torch, ordinal and sgm "
                    "(`pip install \".[images,torch,ordinal,sgm]\"`). On a core install, run "
                    "`emdkit demo --only core`.")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"folder for CSV tables and figures (default: {DEFAULT_OUT})")
    p.add_argument("--only", choices=["core"] + [name for name, _ in EXTRA_PARTS],
                   help="run one part only")
    p.set_defaults(func=run)


def colour_signatures(seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Four palette signatures shaped like Rubner's sea/mountain example: RGB colours weighted by pixel counts.

    Sea scenes draw most pixels from blues and sand, mountain scenes from greens, greys and
    snow; each has 60–80 colours and a different image size, so the totals differ.
    """
    rng = np.random.default_rng(seed)
    themes = {
        "sea": [((30, 90, 170), 0.45), ((90, 160, 220), 0.30), ((220, 200, 150), 0.25)],
        "mountain": [((60, 110, 50), 0.45), ((120, 120, 125), 0.30), ((240, 240, 245), 0.25)],
    }
    sizes = {"sea_1": (256, 174), "sea_2": (240, 160), "mountain_1": (256, 192),
             "mountain_2": (220, 165)}
    out = {}
    for name, (w, h) in sizes.items():
        theme = themes[name.split("_")[0]]
        n_colours = int(rng.integers(60, 81))
        comp = rng.choice(len(theme), size=n_colours, p=[s for _, s in theme])
        centres = np.array([c for c, _ in theme], dtype=float)[comp]
        colours = np.clip(centres + rng.normal(0, 18, size=(n_colours, 3)), 0, 255).round()
        shares = rng.dirichlet(np.ones(n_colours))
        counts = np.maximum(1, np.round(shares * w * h))
        out[name] = (colours, counts)
    return out


def core_part(out: Path) -> None:
    from emdkit import pairwise_emd
    sigs = colour_signatures()
    names = list(sigs)
    t0 = time.perf_counter()
    D = pairwise_emd([sigs[k] for k in names], metric="euclidean")
    elapsed = time.perf_counter() - t0
    print("EMD between colour signatures (RGB units; partial matching by pixel counts)")
    width = max(len(n) for n in names) + 2
    print(" " * width + "".join(f"{n:>{width}}" for n in names))
    for i, n in enumerate(names):
        print(f"{n:<{width}}" + "".join(f"{D[i, j]:>{width}.2f}" for j in range(len(names))))
    path = out / "core_emd_table.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([""] + names)
        for i, n in enumerate(names):
            writer.writerow([n] + [f"{x:.6f}" for x in D[i]])
    within = [D[0, 1], D[2, 3]]
    between = [D[i, j] for i in (0, 1) for j in (2, 3)]
    verdict = "holds" if max(within) < min(between) else "does NOT hold"
    print(f"sea-sea and mountain-mountain closer than sea-mountain: {verdict} "
          f"(max within {max(within):.1f} < min between {min(between):.1f})")
    print(f"{len(names) * (len(names) - 1) // 2} exact EMDs in {elapsed * 1e3:.1f} ms -> {path}")


# (name, "module:function") of the other parts; each takes the output folder
EXTRA_PARTS: list[tuple[str, str]] = [
    ("images", "emdkit.cli.images:quick_demo"),
    ("ordinal", "emdkit.cli.ordinal:quick_demo"),
    ("sgm", "emdkit.cli.sgm:quick_demo"),
]
# the optional extras each part needs (checked before anything runs)
PART_EXTRAS = {"core": (), "images": ("images",), "ordinal": ("torch", "ordinal"),
               "sgm": ("sgm",)}


def run(args: argparse.Namespace) -> int:
    import importlib
    out: Path = args.out
    parts = [(name, fn) for name, fn in [("core", core_part)] + EXTRA_PARTS
             if not args.only or name == args.only]
    try:
        require_extras(*[e for name, _ in parts for e in PART_EXTRAS[name]])
    except MissingExtraError as exc:
        if args.only:
            raise
        raise MissingExtraError(exc.extras, exc.modules,
                                hint="or run the part that needs none: emdkit demo --only core")
    check_output_folder(out, "--out")
    out.mkdir(parents=True, exist_ok=True)
    for name, fn in parts:
        print(f"\n=== {name} ===", flush=True)
        t0 = time.perf_counter()
        if isinstance(fn, str):
            module, func = fn.split(":")
            fn = getattr(importlib.import_module(module), func)
        part_out = out / name if name != "core" else out
        part_out.mkdir(parents=True, exist_ok=True)
        fn(part_out)
        print(f"[{name} done in {time.perf_counter() - t0:.1f} s]", flush=True)
    print(f"\nAll results are under {out}/")
    return 0
