"""Issue 14: with default settings, tiny images and thumbnails of other content stay out of the
top 3 of photo searches; with --partial (pixel counts) they crowd it, which is why it is opt-in."""
import numpy as np
import pytest
from PIL import Image

from emdkit.images import SignatureOptions, knn_search, signature_from_rgb

skimage_data = pytest.importorskip("skimage.data")

QUERY_PHOTOS = ["astronaut", "coffee", "chelsea", "rocket"]
OTHER_PHOTOS = ["hubble_deep_field", "immunohistochemistry", "retina", "colorwheel"]
PHOTO_SIDE = 160   # the photos' four crops, shrunk so that the test takes about a second
THUMB_SIDE = 24    # a thumbnail: ~500 pixels against the photos' ~14,000


def _shrink(arr, side):
    im = Image.fromarray(np.ascontiguousarray(arr))
    im.thumbnail((side, side))
    return np.asarray(im)


def _collection():
    """Four 3/4 crops of each query photo (same content), and small files of other content:
    thumbnails of four other bundled photos, a 1×1 red pixel and a 14×25 two-colour logo."""
    photos = {}
    for name in QUERY_PHOTOS:
        a = getattr(skimage_data, name)()[..., :3]
        h, w = a.shape[:2]
        ch, cw = int(h * 0.75), int(w * 0.75)
        for i, crop in enumerate([a[:ch, :cw], a[h - ch:, w - cw:], a[:ch, w - cw:], a[h - ch:, :cw]]):
            photos[f"{name}/{i}"] = _shrink(crop, PHOTO_SIDE)
    small = {f"thumb/{n}": _shrink(getattr(skimage_data, n)()[..., :3], THUMB_SIDE)
             for n in OTHER_PHOTOS}
    small["pixel/red"] = np.array([[[255, 0, 0]]], np.uint8)
    logo = np.full((25, 14, 3), 255, np.uint8)
    logo[5:20, 3:11] = (20, 40, 160)
    small["logo/gif"] = logo
    return photos, small


def _foreign_top3(options):
    """Queries whose top 3 (self excluded) holds anything but crops of the same photo."""
    photos, small = _collection()
    sigs = {k: signature_from_rgb(v, options) for k, v in {**photos, **small}.items()}
    bad = {}
    for q in photos:
        cands = [(k, s.colours, s.weights) for k, s in sigs.items() if k != q]
        hits = [h.name for h in knn_search(sigs[q].as_pair(), cands, k=3).hits]
        if any(h.split("/")[0] != q.split("/")[0] for h in hits):
            bad[q] = hits
    return bad


def test_default_search_keeps_tiny_images_and_thumbnails_out_of_the_top_3():
    assert _foreign_top3(SignatureOptions()) == {}


def test_partial_matching_lets_them_in_which_is_why_it_is_opt_in():
    bad = _foreign_top3(SignatureOptions(normalize=False))
    assert len(bad) >= len(QUERY_PHOTOS)  # the pitfall is real: the default matters
    assert any(h.split("/")[0] in ("thumb", "pixel", "logo") for hits in bad.values() for h in hits)


def test_cli_index_defaults_to_fractions(tmp_path, capsys):
    from emdkit.cli import main
    from emdkit.images import ImageIndex
    for i, colour in enumerate([(200, 30, 30), (30, 30, 200)]):
        Image.fromarray(np.full((4, 5 + i, 3), colour, np.uint8)).save(tmp_path / f"{i}.png")
    assert main(["images", "index", str(tmp_path), "--db", str(tmp_path / "d.db"),
                 "--no-progress"]) == 0
    assert "weights as fractions" in capsys.readouterr().out
    with ImageIndex(tmp_path / "d.db") as index:
        assert index.options.normalize is True
