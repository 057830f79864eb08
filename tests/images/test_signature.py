from collections import Counter

import numpy as np
import pytest
from PIL import Image

from emdkit.images import (SignatureOptions, UnreadableImageError, image_signature, load_rgb,
                           signature_from_rgb)

from .conftest import few_colour_image, save

FEW = {(10, 20, 30): 37, (200, 0, 0): 101, (0, 255, 0): 5, (255, 255, 255): 60, (128, 128, 128): 1}


# JPEG stores neither alpha nor a palette
FORMAT_MODES = [(f, m) for f in ("png", "jpg", "tiff", "webp") for m in ("RGB", "RGBA", "L", "P")
                if not (f == "jpg" and m in ("RGBA", "P"))]


@pytest.mark.parametrize("fmt, mode", FORMAT_MODES)
@pytest.mark.parametrize("method", ["kmeans", "palette", "auto"])
def test_weights_sum_to_pixel_count(tmp_path, fmt, mode, method):
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 256, size=(23, 31, 3), dtype=np.uint8)
    path = save(arr, tmp_path / f"x.{fmt}", mode=mode)
    sig = image_signature(path, method=method, n_colours=8, colour_space="lab", normalize=False)
    assert sig.n_pixels == 23 * 31
    assert sig.weights.sum() == 23 * 31  # integer counts: exact, not approximate
    assert np.all(sig.weights > 0)
    assert sig.colours.shape == (len(sig.weights), 3)
    if method == "kmeans":
        assert len(sig.weights) <= 8


def test_fractions_are_the_default_and_pixel_counts_are_opt_in():
    assert SignatureOptions().normalize is True  # issue 14: whole-distribution match by default


def test_normalize_gives_fractions():
    arr = few_colour_image(FEW, width=17)
    sig = signature_from_rgb(arr, SignatureOptions(normalize=True, method="palette"))
    assert sig.weights.sum() == pytest.approx(1.0, abs=1e-15)
    counts = signature_from_rgb(arr, SignatureOptions(method="palette", normalize=False))
    np.testing.assert_allclose(sig.weights * counts.n_pixels, counts.weights)


@pytest.mark.parametrize("fmt", ["png", "tiff", "webp"])
def test_palette_mode_is_exact_on_few_colours(tmp_path, fmt):
    arr = few_colour_image(FEW, width=17)
    kw = {"lossless": True} if fmt == "webp" else {}
    path = save(arr, tmp_path / f"few.{fmt}", **kw)
    sig = image_signature(path, method="palette", colour_space="rgb", normalize=False)
    assert sig.method == "palette"
    got = {tuple(int(v) for v in c): w for c, w in zip(sig.colours, sig.weights)}
    assert got == FEW
    # counted a second, independent way: a Counter over the decoded pixels
    assert Counter(map(tuple, np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3).tolist())) == FEW


def test_palette_image_mode_p_is_exact(tmp_path):
    arr = few_colour_image(FEW, width=17)
    im = Image.fromarray(arr).quantize(colors=len(FEW), method=Image.Quantize.MAXCOVERAGE)
    assert im.mode == "P"
    im.save(tmp_path / "p.png")
    expected = Counter(map(tuple, np.asarray(im.convert("RGB")).reshape(-1, 3).tolist()))
    sig = image_signature(tmp_path / "p.png", colour_space="rgb", normalize=False)  # auto -> palette
    assert sig.method == "palette"
    assert {tuple(int(v) for v in c): w for c, w in zip(sig.colours, sig.weights)} == expected


def test_kmeans_with_no_more_colours_than_clusters_is_the_palette():
    arr = few_colour_image(FEW, width=17)
    a = signature_from_rgb(arr, SignatureOptions(method="kmeans", n_colours=24))
    b = signature_from_rgb(arr, SignatureOptions(method="palette"))
    assert a.method == "palette"
    np.testing.assert_array_equal(a.colours, b.colours)


def test_kmeans_recovers_separated_blobs_and_is_seeded():
    rng = np.random.default_rng(3)
    centres = np.array([[30, 30, 200], [220, 40, 40], [40, 200, 60]])
    sizes = [400, 250, 150]
    pix = np.concatenate([np.clip(c + rng.integers(-6, 7, size=(n, 3)), 0, 255)
                          for c, n in zip(centres, sizes)]).astype(np.uint8)
    arr = pix.reshape(-1, 20, 3)
    opts = SignatureOptions(method="kmeans", n_colours=3, colour_space="rgb", seed=5,
                            normalize=False)
    sig = signature_from_rgb(arr, opts)
    order = np.argsort(-sig.weights)
    np.testing.assert_array_equal(sig.weights[order], sizes)
    offsets = 0
    for k, n in zip(order, sizes):  # each centre is the plain mean of its blob's pixels
        np.testing.assert_allclose(sig.colours[k], pix[offsets:offsets + n].mean(axis=0), atol=1e-9)
        offsets += n
    again = signature_from_rgb(arr, opts)
    np.testing.assert_array_equal(again.colours, sig.colours)


def test_cielab_matches_published_values():
    # sRGB primaries/white in CIELAB (D65, 2°), as tabulated by Lindbloom's calculator
    arr = np.array([[[255, 0, 0], [255, 255, 255], [0, 0, 0]]], dtype=np.uint8)
    sig = signature_from_rgb(arr, SignatureOptions(method="palette"))
    by_l = sig.colours[np.argsort(sig.colours[:, 0])]
    np.testing.assert_allclose(by_l[0], [0, 0, 0], atol=1e-6)
    np.testing.assert_allclose(by_l[1], [53.2408, 80.0925, 67.2032], atol=2e-3)
    # white lands 0.005 off (0, 0) in a*, b*: the sRGB matrix and the D65 white are rounded
    np.testing.assert_allclose(by_l[2], [100, 0, 0], atol=1e-2)


def test_exif_orientation_is_applied(tmp_path):
    arr = np.zeros((10, 20, 3), np.uint8)
    arr[:, :10] = (255, 0, 0)   # left half red, right half blue as stored
    arr[:, 10:] = (0, 0, 255)
    im = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    im.save(tmp_path / "o.jpg", exif=exif, quality=95)
    rgb = load_rgb(tmp_path / "o.jpg")
    assert rgb.shape == (20, 10, 3)
    assert rgb[1, 5, 0] > 200 and rgb[1, 5, 2] < 60     # top is the stored left (red)
    assert rgb[-2, 5, 2] > 200 and rgb[-2, 5, 0] < 60   # bottom is the stored right (blue)


def test_alpha_is_composited_on_white_and_greyscale_is_grey(tmp_path):
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 0)      # invisible -> white
    rgba[0, 1] = (255, 0, 0, 255)    # opaque red
    rgba[1] = (0, 0, 0, 255)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    rgb = load_rgb(tmp_path / "a.png")
    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[0, 1].tolist() == [255, 0, 0]
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    Image.fromarray(grey, "L").save(tmp_path / "g.png")
    g = load_rgb(tmp_path / "g.png")
    assert (g[..., 0] == grey).all() and (g[..., 1] == grey).all() and (g[..., 2] == grey).all()
    sig = image_signature(tmp_path / "g.png")
    np.testing.assert_allclose(sig.colours[:, 1:], 0, atol=1e-2)  # a*, b* of greys


def test_sixteen_bit_greyscale_uses_the_full_range(tmp_path):
    im = Image.fromarray(np.array([[0, 65535]], dtype=np.uint16))
    im.save(tmp_path / "g16.png")
    assert load_rgb(tmp_path / "g16.png")[0, :, 0].tolist() == [0, 255]


def test_size_bound_shrinks_and_counts_the_shrunken_pixels(tmp_path):
    arr = np.random.default_rng(0).integers(0, 256, (50, 100, 3), dtype=np.uint8)
    path = save(arr, tmp_path / "big.png")
    sig = image_signature(path, max_side=20, normalize=False)
    assert sig.size == (20, 10) and sig.n_pixels == 200 and sig.weights.sum() == 200
    assert image_signature(path, max_side=500).n_pixels == 5000  # never enlarged


def test_unreadable_and_missing_files(tmp_path):
    (tmp_path / "junk.jpg").write_bytes(b"not an image at all")
    with pytest.raises(UnreadableImageError, match="junk.jpg"):
        load_rgb(tmp_path / "junk.jpg")
    good = save(np.zeros((64, 64, 3), np.uint8) + 90, tmp_path / "ok.png")
    data = good.read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableImageError):
        load_rgb(tmp_path / "cut.png")
    with pytest.raises(FileNotFoundError):
        load_rgb(tmp_path / "nope.png")


@pytest.mark.parametrize("kwargs, exc, words", [
    ({"colour_space": "hsv"}, ValueError, "colour_space"),
    ({"method": "median-cut"}, ValueError, "method"),
    ({"n_colours": 0}, ValueError, "n_colours"),
    ({"n_colours": 2.5}, TypeError, "n_colours"),
    ({"max_side": -3}, ValueError, "max_side"),
    ({"normalize": "yes"}, TypeError, "normalize"),
])
def test_bad_options_are_named(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        SignatureOptions(**kwargs)


def test_bad_arrays_are_named():
    with pytest.raises(TypeError, match="uint8"):
        signature_from_rgb(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="shape"):
        signature_from_rgb(np.zeros((4, 4), np.uint8))
    noisy = np.random.default_rng(0).integers(0, 256, (100, 100, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match="kmeans"):
        signature_from_rgb(noisy, SignatureOptions(method="palette"))
