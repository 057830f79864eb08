"""Reading image files into RGB pixel arrays with Pillow.

Every supported file (JPEG, PNG, TIFF, WebP, and anything else Pillow opens) in any of the
modes RGB, RGBA, LA, L (greyscale), 1 (bi-level), P (palette), I;16 and CMYK comes back as an
``(h, w, 3)`` uint8 array, upright (EXIF orientation applied).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif")

# Transparent pixels still count as pixels (weights stay pixel counts); they are shown as
# they would be on a white page, which is what a person looking at the file sees.
ALPHA_BACKGROUND = (255, 255, 255)


class UnreadableImageError(ValueError):
    """The file is not an image Pillow can decode completely (corrupt, truncated, not an image).

    ``reason`` says why in a few words, without the file name (listings print the name).
    """

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


def load_rgb(path: str | os.PathLike, max_side: int | None = None) -> np.ndarray:
    """Decode an image file to an upright ``(h, w, 3)`` uint8 RGB array.

    Parameters
    ----------
    path : image file.
    max_side : if given, the image is shrunk (aspect kept, Lanczos) so that its longer side
        is at most ``max_side`` pixels; smaller images are not enlarged. Fewer pixels make
        signatures faster and coarser; pixel-count weights then count the shrunken image's
        pixels.

    Raises
    ------
    FileNotFoundError : the path does not exist.
    UnreadableImageError : Pillow cannot decode the whole file (a truncated JPEG is an error
        here, not a grey-padded image).

    See Also
    --------
    find_images : the files it can read.
    image_signature : the signature of a file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"image file not found: {path}")
    return decode_rgb(path.read_bytes(), max_side, name=str(path))


def decode_rgb(data: bytes, max_side: int | None = None, name: str = "<bytes>") -> np.ndarray:
    """:func:`load_rgb` for the bytes of an image file (so a hash and a signature can share one read)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if max_side is not None:
        from emdkit.core.validation import check_positive_int
        max_side = check_positive_int(max_side, "max_side")
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()  # decode everything now: truncation must fail here, not later
            im = ImageOps.exif_transpose(im)
            if max_side is not None and max(im.size) > max_side:
                im.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return _to_rgb_array(im)
    except UnidentifiedImageError as exc:
        reason = "not an image file that Pillow can read"
        raise UnreadableImageError(f"cannot decode {name}: {reason}", reason) from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        reason = f"damaged or truncated image ({exc})"
        raise UnreadableImageError(f"cannot decode {name}: {reason}", reason) from exc


def _to_rgb_array(im) -> np.ndarray:
    from PIL import Image

    if im.mode == "P":
        # palette images may carry transparency in the palette; expand it first
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "PA"):
        im = im.convert("RGBA")
        page = Image.new("RGBA", im.size, ALPHA_BACKGROUND + (255,))
        im = Image.alpha_composite(page, im)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16/32-bit greyscale: rescale the full range to 8 bits rather than clipping it
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if im.mode.startswith("I;16") else max(float(arr.max()), 1.0)
        grey = np.clip(np.round(arr / top * 255.0), 0, 255).astype(np.uint8)
        return np.repeat(grey[:, :, None], 3, axis=2)
    rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb)


def find_images(roots, recursive: bool = True) -> list[Path]:
    """Image files under ``roots`` (files or folders), by suffix, sorted, without duplicates.

    See Also
    --------
    load_rgb : read one of them.
    ImageIndex.update : indexes what it finds.
    """
    if isinstance(roots, (str, os.PathLike)):
        roots = [roots]
    found: set[Path] = set()
    for root in roots:
        root = Path(root)
        if root.is_file():
            found.add(root.resolve())
        elif root.is_dir():
            walker = root.rglob("*") if recursive else root.glob("*")
            found.update(p.resolve() for p in walker
                         if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            raise FileNotFoundError(f"no such file or folder: {root}")
    return sorted(found)
