"""The images study of issue 26: measure once, keep the per-query scores, rebuild the report.

``run_study(out)`` builds the three image sets (Blue Marble land-cover tiles, the held-out
retrieval set fixed in ``reports/images/PROTOCOL.md``, the earlier exploratory set), computes
every method's distance matrix, and stores per-query precisions in ``out/raw/scores.npz``
(:mod:`emdkit.rawdata`). :mod:`emdkit.images.study_report` writes ``README.md`` from that file
alone (the command line calls it after ``run_study``; this module does not import it, so the
two do not import each other). Nothing here decides anything: the rule lives in the protocol
and the report.
"""
from __future__ import annotations

import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

RAW = Path("raw") / "scores.npz"
PER_CLASS, TILE = 15, 40  # the land-cover tiles: 5 classes × 15 tiles of 40×40 px
K_TILES, K_SET = 5, 4  # precision@k: 5 for 15-tile classes; 4 = every other relevant item of a source
HIST_BINS = 8  # levels per channel of the bin-by-bin histograms: 512 bins (Swain & Ballard's size)
EMD_BINS = 4  # levels per CIELAB axis of the fixed-bin EMD: 64 bins (sparse, cheap to solve)
MEAN, EMD_MAIN, EMD_PARTIAL = ("mean colour (CIELAB)", "EMD, k-means signatures",
                               "EMD, pixel counts (partial)")
#: the protocol's methods, in its order; the two EMDs on signatures last
METHODS = (MEAN, "RGB 8³ intersection", "RGB 8³ χ²", "CIELAB 8³ intersection", "CIELAB 8³ χ²",
           "CIELAB 8³ quadratic form (cross-bin)", "EMD on CIELAB 4³ bins (cross-bin)",
           EMD_MAIN, EMD_PARTIAL)


def method_distances(rgbs: list[np.ndarray]) -> dict[str, tuple[np.ndarray, float]]:
    """Every method's distance matrix over the images (uint8 RGB arrays) and its seconds."""
    from emdkit import pairwise_emd

    from . import evaluate as ev
    from .signature import SignatureOptions, signature_from_rgb, to_colour_space
    out: dict[str, tuple[np.ndarray, float]] = {}

    def timed(name, fn):
        tic = time.perf_counter()
        out[name] = (fn(), time.perf_counter() - tic)
    timed(MEAN, lambda: ev.mean_colour_distances(
        np.array([to_colour_space(r.reshape(-1, 3), "lab").mean(axis=0) for r in rgbs])))
    rgb_h = np.array([ev.colour_histogram(r, HIST_BINS) for r in rgbs])
    lab_h = np.array([ev.lab_histogram(r, HIST_BINS) for r in rgbs])
    timed(METHODS[1], lambda: ev.histogram_intersection_distances(rgb_h))
    timed(METHODS[2], lambda: ev.chi2_distances(rgb_h))
    timed(METHODS[3], lambda: ev.histogram_intersection_distances(lab_h))
    timed(METHODS[4], lambda: ev.chi2_distances(lab_h))
    timed(METHODS[5], lambda: ev.quadratic_form_distances(lab_h, ev.lab_bin_centres(HIST_BINS)))

    def fixed_bins():
        centres = ev.lab_bin_centres(EMD_BINS)
        sigs = []
        for r in rgbs:
            h = ev.lab_histogram(r, EMD_BINS)
            keep = h > 0
            sigs.append((centres[keep], h[keep]))
        return pairwise_emd(sigs, n_jobs=1)
    timed(METHODS[6], fixed_bins)
    for normalize, name in ((True, EMD_MAIN), (False, EMD_PARTIAL)):
        timed(name, lambda normalize=normalize: pairwise_emd(
            [signature_from_rgb(r, SignatureOptions(normalize=normalize)).as_pair() for r in rgbs],
            n_jobs=1))
    return out


def _tiles() -> tuple[list[np.ndarray], list[str], list[str]]:
    """The land-cover tiles as arrays, their classes and 'class/box' regions."""
    from .demo_data import LAND_COVER, load_bluemarble, make_bluemarble_tiles, tile_boxes
    from .loading import load_rgb
    with tempfile.TemporaryDirectory(prefix="emdkit-images-study-") as work:
        paths = make_bluemarble_tiles(work, per_class=PER_CLASS, tile=TILE)
        rgbs = [load_rgb(p) for p in paths]
    classes = [p.parent.name for p in paths]
    h, w = load_bluemarble().shape[:2]
    boxes = {c: tile_boxes(LAND_COVER[c], PER_CLASS, TILE, w, h) for c in LAND_COVER}
    regions = [f"{c}/{boxes[c][int(p.stem.rsplit('_', 1)[1])][2]}" for p, c in zip(paths, classes)]
    return rgbs, classes, regions


def _tile_rows(D: dict, classes: list[str], regions: list[str]) -> list[dict]:
    from .evaluate import query_precision
    same_region = np.array([[a == b for b in regions] for a in regions])
    rows = []
    for name in METHODS:
        allp = query_precision(D[name][0], classes, K_TILES)
        cross = query_precision(D[name][0], classes, K_TILES, exclude=same_region)
        rows += [dict(method=name, query=int(i), cls=classes[i], region=regions[i],
                      p5=float(allp.precision[n]), cross_p5=float(cross.precision[n]),
                      cross_best=float(cross.attainable[n])) for n, i in enumerate(allp.queries)]
    return rows


def _set_rows(D: dict, items) -> list[dict]:
    from .evaluate import query_precision
    labels = [it.label for it in items]
    rows = []
    for name in METHODS:
        pk = query_precision(D[name][0], labels, K_SET)
        p1 = query_precision(D[name][0], labels, 1)
        rows += [dict(method=name, query=int(i), source=items[i].source, kind=items[i].kind,
                      p4=float(pk.precision[n]), p1=float(p1.precision[n]))
                 for n, i in enumerate(pk.queries)]
    return rows


def run_study(out: Path) -> list:
    """Measure everything and keep it in ``out/raw/scores.npz``; the held-out set's items are
    returned for its contact sheet (:func:`emdkit.images.study_report.contact_sheet`)."""
    from emdkit.rawdata import save_tables

    from .retrieval_set import build_heldout_set, build_retrieval_set
    out = Path(out)
    wall = time.perf_counter()
    tile_rgbs, classes, regions = _tiles()
    heldout, explore = build_heldout_set(), build_retrieval_set(seed=0)
    D_tiles = method_distances(tile_rgbs)
    D_held = method_distances([it.rgb for it in heldout])
    D_expl = method_distances([it.rgb for it in explore])
    timing = [dict(method=m, tiles=D_tiles[m][1], heldout=D_held[m][1], exploratory=D_expl[m][1])
              for m in METHODS]
    meta = dict(wall_seconds=time.perf_counter() - wall, load_average=os.getloadavg()[0],
                cpu_count=os.cpu_count(), machine=platform.processor() or platform.machine(),
                finished_utc=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                n_items=dict(tiles=len(tile_rgbs), heldout=len(heldout), exploratory=len(explore)))
    save_tables(out / RAW, dict(tiles=_tile_rows(D_tiles, classes, regions),
                                heldout=_set_rows(D_held, heldout),
                                exploratory=_set_rows(D_expl, explore), timing=timing),
                meta, arrays=dict(tile_emd=D_tiles[EMD_MAIN][0], tile_classes=np.array(classes)))
    return heldout
