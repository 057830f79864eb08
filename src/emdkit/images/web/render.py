"""Server-side SVG: palette bars, the flow between two palettes, and the MDS map.

Everything is drawn here as SVG text (escaped), so the pages need no plotting library in the
browser and the drawings are in the HTML a test can read.
"""
from __future__ import annotations

from html import escape

import numpy as np

# the map: one hue per folder (Tableau 10, then grey for the rest)
FOLDER_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
                  "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")
OTHER_FOLDERS = "#666666"
LUMA = np.array([0.2126, 0.7152, 0.0722])  # sRGB luminance weights (ITU-R BT.709), for RGB signatures


def to_hex(colours: np.ndarray, colour_space: str) -> list[str]:
    """Signature colours (CIELAB or RGB 0–255) as sRGB ``#rrggbb`` strings, clipped to gamut."""
    colours = np.asarray(colours, dtype=np.float64).reshape(-1, 3)
    if colour_space == "lab":
        from skimage.color import lab2rgb
        rgb = lab2rgb(colours.reshape(-1, 1, 3)).reshape(-1, 3) * 255.0
    else:
        rgb = colours
    rgb = np.clip(np.round(rgb), 0, 255).astype(int)
    return ["#%02x%02x%02x" % tuple(c) for c in rgb]


def palette_bar(colours: np.ndarray, weights: np.ndarray, colour_space: str,
                width: int = 160, height: int = 14) -> str:
    """A horizontal bar of the signature's colours, each as wide as its share of the weight."""
    order = np.argsort(-weights, kind="stable")
    hexes = to_hex(colours, colour_space)
    total = float(weights.sum())
    x, parts = 0.0, []
    for i in order:
        w = float(weights[i]) / total * width
        parts.append(f'<rect x="{x:.2f}" y="0" width="{w + 0.3:.2f}" height="{height}" '
                     f'fill="{hexes[i]}"><title>{hexes[i]} · {weights[i] / total:.1%}</title></rect>')
        x += w
    return (f'<svg class="palette" width="{width}" height="{height}" viewBox="0 0 {width} '
            f'{height}" role="img" aria-label="colour signature">{"".join(parts)}</svg>')


def flow_svg(pair, colour_space: str, weight_unit: str, labels: tuple[str, str],
             height: int = 440, width: int = 640) -> str:
    """Two palettes as stacked columns (lightest on top) and the optimal flow between them as
    bands whose width ∝ flow, on one scale: the total flow fills the height.

    Each column shows, per colour, the part of its weight that moves. With equal totals that
    is all of it; with unequal totals (partial matching) the heavier side's unmoved weight is
    not drawn in the columns (the palette bars above them show every colour's full weight)."""
    (Xa, wa), (Xb, wb) = pair.a, pair.b
    ha, hb = to_hex(Xa, colour_space), to_hex(Xb, colour_space)
    moved_a, moved_b = np.zeros(len(wa)), np.zeros(len(wb))
    for i, j, f in pair.flows:
        moved_a[i] += f
        moved_b[j] += f
    top, bottom, bar = 46, 8, 12
    scale = (height - top - bottom) / max(pair.total_flow, 1e-300)
    col_w, xa, xb = 70, 10, width - 80

    def stack(colours, moved):
        # light colours on top, dark below: similar colours face each other, bands cross less
        lightness = colours[:, 0] if colour_space == "lab" else colours @ LUMA
        y0, y = np.zeros(len(moved)), float(top)
        for i in np.argsort(-lightness, kind="stable"):
            y0[i] = y
            y += moved[i] * scale
        return y0

    ya, yb = stack(Xa, moved_a), stack(Xb, moved_b)
    out_a, in_b = ya.copy(), yb.copy()  # where the next band leaves a / enters b
    bands, gradients = [], []
    # bands in order of source then destination position, so they nest without crossing
    for n, (i, j, f) in enumerate(sorted(pair.flows, key=lambda t: (ya[t[0]], yb[t[1]]))):
        h = f * scale
        y1, y2 = out_a[i] + h / 2, in_b[j] + h / 2
        out_a[i] += h
        in_b[j] += h
        x1, x2 = xa + col_w, xb
        mid = (x1 + x2) / 2
        # each band fades from its source colour to its destination colour
        gradients.append(f'<linearGradient id="band{n}" gradientUnits="userSpaceOnUse" x1="{x1}" '
                         f'y1="0" x2="{x2}" y2="0"><stop offset="0" stop-color="{ha[i]}"/>'
                         f'<stop offset="1" stop-color="{hb[j]}"/></linearGradient>')
        bands.append(
            f'<path class="flow" d="M{x1},{y1:.2f} C{mid},{y1:.2f} {mid},{y2:.2f} {x2},{y2:.2f}" '
            f'stroke="url(#band{n})" stroke-width="{max(h, 0.4):.2f}" fill="none" stroke-opacity="0.8">'
            f'<title>{escape(f"{f:.4g} {weight_unit}: {ha[i]} → {hb[j]}")}</title></path>')

    def column(x, y0, moved, weights, hexes):
        return "".join(
            f'<rect x="{x}" y="{y0[i]:.2f}" width="{col_w}" height="{max(moved[i] * scale, 0.4):.2f}" '
            f'fill="{hexes[i]}" stroke="#222" stroke-width="0.3"><title>{hexes[i]}: '
            f'{moved[i]:.4g} of {weights[i]:.4g} {escape(weight_unit)} moved</title></rect>'
            for i in range(len(moved)) if moved[i] > 0)

    def bar_at(x, colours, weights, anchor_right):
        svg = palette_bar(colours, weights, colour_space, width=col_w * 2, height=bar)
        left = x + col_w - 2 * col_w if anchor_right else x
        return f'<g transform="translate({left},{top - bar - 6})">{svg}</g>'

    head = (f'<text x="{xa}" y="16" class="lbl">{escape(labels[0])}</text>'
            f'<text x="{xb + col_w}" y="16" text-anchor="end" class="lbl">{escape(labels[1])}</text>'
            f'{bar_at(xa, Xa, wa, False)}{bar_at(xb, Xb, wb, True)}')
    return (f'<svg id="flow" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="optimal flow between the two palettes" '
            f'data-flows="{len(pair.flows)}"><defs>{"".join(gradients)}</defs>{head}'
            f'<g class="bands">{"".join(bands)}</g>'
            f'{column(xa, ya, moved_a, wa, ha)}{column(xb, yb, moved_b, wb, hb)}</svg>')


def map_svg(points: list[tuple[int, str, str]], xy: np.ndarray, size: int = 640) -> tuple[str, dict]:
    """The MDS map: ``points`` are (id, folder, name); each dot links to that image's search.

    Returns the SVG and the legend {folder: colour}."""
    folders = sorted({f for _, f, _ in points})
    colour_of = {f: FOLDER_COLOURS[i] if i < len(FOLDER_COLOURS) else OTHER_FOLDERS
                 for i, f in enumerate(folders)}
    pad = 16
    if len(xy):
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        span = float(max(hi[0] - lo[0], hi[1] - lo[1], 1e-12))
        uv = (xy - lo) / span * (size - 2 * pad) + pad
    else:
        uv = xy
    dots = "".join(
        f'<a href="/search?id={i}"><circle class="pt" cx="{u:.1f}" cy="{size - v:.1f}" r="5" '
        f'fill="{colour_of[f]}" stroke="#111" stroke-width="0.5" data-id="{i}">'
        f'<title>{escape(name)} ({escape(f)})</title></circle></a>'
        for (i, f, name), (u, v) in zip(points, uv))
    svg = (f'<svg id="map" width="{size}" height="{size}" viewBox="0 0 {size} {size}" role="img" '
           f'aria-label="MDS map of the index">{dots}</svg>')
    return svg, colour_of
