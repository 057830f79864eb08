import numpy as np
import pytest
from PIL import Image

from emdkit.images.demo_data import make_bluemarble_tiles


@pytest.fixture(scope="session")
def tiles_dir(tmp_path_factory):
    """4 classes × 4 Blue Marble tiles of 16×16 px, in class folders."""
    root = tmp_path_factory.mktemp("tiles")
    make_bluemarble_tiles(root, per_class=4, tile=16, classes=["ocean", "desert", "forest", "ice"])
    return root


def few_colour_image(counts: dict, width: int, seed: int = 0) -> np.ndarray:
    """An (h, width, 3) uint8 image holding exactly counts[colour] pixels of each colour,
    shuffled, so nothing about the layout can help a signature."""
    pixels = np.concatenate([np.tile(np.array(c, dtype=np.uint8), (n, 1)) for c, n in counts.items()])
    assert len(pixels) % width == 0
    np.random.default_rng(seed).shuffle(pixels)
    return pixels.reshape(-1, width, 3)


def save(arr: np.ndarray, path, mode: str | None = None, **kw):
    im = Image.fromarray(arr)
    if mode is not None:
        im = im.convert(mode)
    im.save(path, **kw)
    return path
