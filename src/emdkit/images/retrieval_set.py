"""A retrieval set where several colours matter, built offline (issue 17).

Sources: scikit-image's bundled colour photos and multi-colour regions of NASA Blue Marble.
From each source: the whole image, two crops, a re-framing (crop, mirror, rescale) and a tinted
copy (a warmer white balance and −8% exposure, as from another camera) — the *relevant* items,
sharing the source's label — and two recolourings (the CIELAB hue turned by
90° and 180°, lightness and chroma kept: same layout, other colours), which are distractors.
Unrelated 64×64 Blue Marble tiles from outside the regions are further distractors.

A recolouring keeps the mean colour's lightness and chroma and turns its hue, so for a
multi-colour photo whose mean colour is near grey its mean colour barely moves: that is where
a 3-number summary must fail and a distribution distance should not.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from emdkit.core.validation import check_positive_int

# photos whose colours are spread out (cat = chelsea; grey-level images left out)
SKIMAGE_SOURCES = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry",
                   "hubble_deep_field", "retina", "colorwheel", "stereo_motorcycle", "logo")
# region -> (lon_min, lon_max, lat_min, lat_max): sea, land cover and ice side by side
BLUEMARBLE_REGIONS = {
    "bm-mediterranean": (-8.0, 36.0, 28.0, 46.0),
    "bm-india-himalaya": (66.0, 96.0, 6.0, 36.0),
    "bm-amazon-coast": (-62.0, -32.0, -16.0, 4.0),
    "bm-alaska": (-168.0, -138.0, 54.0, 72.0),
    "bm-east-africa": (26.0, 54.0, -12.0, 14.0),
    "bm-patagonia": (-78.0, -58.0, -56.0, -38.0),
}
# the held-out set of issue 26, fixed in reports/images/PROTOCOL.md before any method was scored
# on it: scikit-learn's two bundled photos and 14 Blue Marble regions that overlap none above
SKLEARN_SOURCES = ("china.jpg", "flower.jpg")
HELDOUT_REGIONS = {
    "bm-baja-california": (-120.0, -100.0, 20.0, 36.0),
    "bm-caribbean": (-90.0, -60.0, 8.0, 26.0),
    "bm-great-lakes": (-95.0, -70.0, 38.0, 52.0),
    "bm-scandinavia": (-25.0, 30.0, 56.0, 72.0),
    "bm-west-africa": (-20.0, 10.0, 0.0, 20.0),
    "bm-arabia": (38.0, 62.0, 16.0, 32.0),
    "bm-southern-africa": (12.0, 40.0, -36.0, -16.0),
    "bm-madagascar": (42.0, 56.0, -28.0, -13.0),
    "bm-indochina": (96.0, 112.0, 8.0, 26.0),
    "bm-japan-korea": (124.0, 146.0, 30.0, 46.0),
    "bm-indonesia": (100.0, 130.0, -10.0, 6.0),
    "bm-australia-north": (120.0, 150.0, -26.0, -10.0),
    "bm-new-zealand": (164.0, 180.0, -48.0, -32.0),
    "bm-antarctic-peninsula": (-75.0, -50.0, -72.0, -60.0),
}
HELDOUT_SEED = 2026
HELDOUT_DISTRACTORS = 48
RELEVANT_KINDS = ("full", "crop A", "crop B", "reframe", "tinted")
# the tint in CIELAB: L* scaled, (a*, b*) shifted (about 9 ΔE*ab on a mid-grey)
TINT_L_SCALE, TINT_AB_SHIFT = 0.92, (4.0, 8.0)
RECOLOUR_DEGREES = (90.0, 180.0)
DISTRACTOR_TILE = 64


@dataclass
class RetrievalItem:
    """One image of the set: ``label`` is its source for relevant kinds, None for distractors."""
    name: str
    source: str
    kind: str
    rgb: np.ndarray

    @property
    def label(self) -> str | None:
        return self.source if self.kind in RELEVANT_KINDS else None


def _shrink(rgb: np.ndarray, max_side: int) -> np.ndarray:
    from PIL import Image
    im = Image.fromarray(rgb)
    im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return np.asarray(im.convert("RGB"))


def _skimage_photo(name: str) -> np.ndarray:
    from skimage import data
    img = getattr(data, name)()
    if isinstance(img, tuple):  # stereo_motorcycle: (left, right, disparity)
        img = img[0]
    if img.shape[2] == 4:  # logo: RGBA onto white
        alpha = img[..., 3:4] / 255.0
        img = (img[..., :3] * alpha + 255 * (1 - alpha)).round().astype(np.uint8)
    return img


def _region(img: np.ndarray, box) -> np.ndarray:
    from .demo_data import _to_pixel
    h, w = img.shape[:2]
    lon0, lon1, lat0, lat1 = box
    x0, y0 = _to_pixel(lon0, lat1, w, h)
    x1, y1 = _to_pixel(lon1, lat0, w, h)
    return img[y0:y1, x0:x1]


def crop(rgb: np.ndarray, frac: float, rng: np.random.Generator) -> np.ndarray:
    """A random window of ``frac`` of each side."""
    h, w = rgb.shape[:2]
    ch, cw = max(2, int(round(h * frac))), max(2, int(round(w * frac)))
    y, x = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    return rgb[y:y + ch, x:x + cw]


def reframe(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An 80% window, mirrored left–right and rescaled by 3/4 (another framing of the scene)."""
    from PIL import Image
    part = crop(rgb, 0.8, rng)[:, ::-1]
    h, w = part.shape[:2]
    return np.asarray(Image.fromarray(np.ascontiguousarray(part)).resize(
        (max(2, w * 3 // 4), max(2, h * 3 // 4)), Image.Resampling.LANCZOS))


def recolour(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """Turn every pixel's CIELAB hue by ``degrees`` (L* and chroma kept), back to 8-bit sRGB."""
    from skimage.color import lab2rgb, rgb2lab
    lab = rgb2lab(rgb.astype(np.float64) / 255.0)
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    a, b = lab[..., 1].copy(), lab[..., 2].copy()
    lab[..., 1], lab[..., 2] = c * a - s * b, s * a + c * b
    with warnings.catch_warnings():  # turned hues can leave the sRGB gamut: clipped below
        warnings.simplefilter("ignore", UserWarning)
        back = lab2rgb(lab)
    return (np.clip(back, 0, 1) * 255).round().astype(np.uint8)


def tint(rgb: np.ndarray) -> np.ndarray:
    """A mild global colour change: L* × TINT_L_SCALE and (a*, b*) + TINT_AB_SHIFT."""
    from skimage.color import lab2rgb, rgb2lab
    lab = rgb2lab(rgb.astype(np.float64) / 255.0)
    lab[..., 0] *= TINT_L_SCALE
    lab[..., 1] += TINT_AB_SHIFT[0]
    lab[..., 2] += TINT_AB_SHIFT[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        back = lab2rgb(lab)
    return (np.clip(back, 0, 1) * 255).round().astype(np.uint8)


def _source_items(name: str, img: np.ndarray, max_side: int, rng) -> list[RetrievalItem]:
    """The five relevant kinds and the two recolourings of one source."""
    full = _shrink(img, max_side)
    items = [RetrievalItem(f"{name}/full", name, "full", full),
             RetrievalItem(f"{name}/crop A", name, "crop A", crop(full, 0.6, rng)),
             RetrievalItem(f"{name}/crop B", name, "crop B", crop(full, 0.5, rng)),
             RetrievalItem(f"{name}/reframe", name, "reframe", reframe(full, rng)),
             RetrievalItem(f"{name}/tinted", name, "tinted", tint(full))]
    return items + [RetrievalItem(f"{name}/recolour {deg:g}°", name, "recolour", recolour(full, deg))
                    for deg in RECOLOUR_DEGREES]


def _pixel_boxes(boxes, w: int, h: int) -> list[tuple[int, int, int, int]]:
    from .demo_data import _to_pixel
    out = []
    for box in boxes:
        x0, y0 = _to_pixel(box[0], box[3], w, h)
        x1, y1 = _to_pixel(box[1], box[2], w, h)
        out.append((x0, y0, x1, y1))
    return out


def build_heldout_set(max_side: int = 128, n_distractors: int = HELDOUT_DISTRACTORS,
                      seed: int = HELDOUT_SEED) -> list[RetrievalItem]:
    """The issue-26 held-out set: new sources, the same relevant kinds, size-matched distractors.

    Sources: :data:`SKLEARN_SOURCES` and :data:`HELDOUT_REGIONS`. Per source the five relevant
    kinds and two recolourings (as in :func:`build_retrieval_set`). Unrelated Blue Marble tiles
    from outside every region (old and new) are cut at the pixel shape of relevant item
    ``k mod (number of relevant items)``, so the distractors span the relevant items' sizes.
    """
    from sklearn.datasets import load_sample_image

    from .demo_data import load_bluemarble
    max_side = check_positive_int(max_side, "max_side", minimum=16)
    n_distractors = check_positive_int(n_distractors, "n_distractors", minimum=0)
    rng = np.random.default_rng(seed)
    earth = load_bluemarble()
    sources = {name.split(".")[0]: load_sample_image(name) for name in SKLEARN_SOURCES}
    sources.update({name: _region(earth, box) for name, box in HELDOUT_REGIONS.items()})
    items = []
    for name, img in sources.items():
        items += _source_items(name, img, max_side, rng)
    relevant = [it for it in items if it.kind in RELEVANT_KINDS]
    h, w = earth.shape[:2]
    boxes = _pixel_boxes(list(BLUEMARBLE_REGIONS.values()) + list(HELDOUT_REGIONS.values()), w, h)
    k = 0
    while k < n_distractors:
        th, tw = relevant[k % len(relevant)].rgb.shape[:2]
        x, y = int(rng.integers(0, w - tw + 1)), int(rng.integers(0, h - th + 1))
        if any(x < bx1 and x + tw > bx0 and y < by1 and y + th > by0 for bx0, by0, bx1, by1 in boxes):
            continue
        items.append(RetrievalItem(f"tile x{x} y{y}", f"tile-{k}", "distractor",
                                   earth[y:y + th, x:x + tw].copy()))
        k += 1
    return items


def build_retrieval_set(max_side: int = 128, n_distractors: int = 40, seed: int = 0
                        ) -> list[RetrievalItem]:
    """The whole set, deterministic for a seed (see the module docstring)."""
    from .demo_data import load_bluemarble
    max_side = check_positive_int(max_side, "max_side", minimum=16)
    n_distractors = check_positive_int(n_distractors, "n_distractors", minimum=0)
    rng = np.random.default_rng(seed)
    earth = load_bluemarble()
    sources = {name: _skimage_photo(name) for name in SKIMAGE_SOURCES}
    sources.update({name: _region(earth, box) for name, box in BLUEMARBLE_REGIONS.items()})
    items = []
    for name, img in sources.items():
        items += _source_items(name, img, max_side, rng)
    # unrelated tiles: random grid cells of the whole Earth that miss every region
    h, w = earth.shape[:2]
    t = DISTRACTOR_TILE
    boxes = _pixel_boxes(BLUEMARBLE_REGIONS.values(), w, h)
    cells = [(x, y) for y in range(0, h - t + 1, t) for x in range(0, w - t + 1, t)
             if not any(x < bx1 and x + t > bx0 and y < by1 and y + t > by0
                        for bx0, by0, bx1, by1 in boxes)]
    for k, c in enumerate(rng.choice(len(cells), size=n_distractors, replace=False)):
        x, y = cells[c]
        items.append(RetrievalItem(f"tile x{x} y{y}", f"tile-{k}", "distractor",
                                   earth[y:y + t, x:x + t].copy()))
    return items
