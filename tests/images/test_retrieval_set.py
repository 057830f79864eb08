"""The multi-colour retrieval set's transforms do what their docstrings say (CIELAB oracle)."""
import numpy as np
import pytest

skimage = pytest.importorskip("skimage")
from skimage.color import rgb2lab  # noqa: E402

from emdkit.images.retrieval_set import (RELEVANT_KINDS, TINT_AB_SHIFT, TINT_L_SCALE,  # noqa: E402
                                         RetrievalItem, crop, recolour, reframe, tint)


@pytest.fixture
def photo():
    from skimage import data
    return data.astronaut()[::4, ::4].copy()  # 128×128


def test_recolour_keeps_lightness_and_chroma_and_turns_hue(photo):
    lab, out = rgb2lab(photo / 255.0), rgb2lab(recolour(photo, 90.0) / 255.0)
    chroma, chroma_out = np.hypot(lab[..., 1], lab[..., 2]), np.hypot(out[..., 1], out[..., 2])
    # compare only pixels whose turned colour stays in gamut (those are clipped otherwise)
    ok = np.abs(chroma - chroma_out) < 2.0
    assert ok.mean() > 0.5
    dl = np.abs(out[..., 0][ok] - lab[..., 0][ok])  # 8-bit rounding moves dark pixels most
    assert np.median(dl) < 0.3 and dl.max() < 1.5
    strong = ok & (chroma > 20)
    # the hue turn only where there is a hue (grey pixels have a = b = 0)
    z_out, z_in = (out[..., 1] + 1j * out[..., 2])[strong], (lab[..., 1] + 1j * lab[..., 2])[strong]
    turn = np.degrees(np.angle(z_out / z_in))
    np.testing.assert_allclose(np.median(turn), 90.0, atol=2.0)


def test_tint_shifts_the_mean_colour_by_the_stated_amount(photo):
    lab, out = rgb2lab(photo / 255.0), rgb2lab(tint(photo) / 255.0)
    mid = (lab[..., 0] > 20) & (lab[..., 0] < 80) & (np.hypot(lab[..., 1], lab[..., 2]) < 40)
    np.testing.assert_allclose(np.median(out[..., 0][mid] / lab[..., 0][mid]), TINT_L_SCALE, atol=0.02)
    np.testing.assert_allclose(np.median((out[..., 1:] - lab[..., 1:])[mid], axis=0), TINT_AB_SHIFT,
                               atol=1.0)


def test_crop_and_reframe_sizes(photo):
    rng = np.random.default_rng(0)
    assert crop(photo, 0.5, rng).shape == (64, 64, 3)
    r = reframe(photo, rng)
    assert r.shape[:2] == (76, 76) and r.dtype == np.uint8  # 80% of 128 = 102, then × 3/4


def test_labels_mark_distractors():
    img = np.zeros((2, 2, 3), np.uint8)
    assert RetrievalItem("a/full", "a", "full", img).label == "a"
    assert RetrievalItem("a/recolour 90°", "a", "recolour", img).label is None
    assert "recolour" not in RELEVANT_KINDS
