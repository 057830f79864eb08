"""Colour signatures: an image as weighted points in a colour space (Rubner et al. 2000).

A signature is ``{(c_k, w_k)}``: ``c_k`` a colour (CIELAB L*a*b* or RGB 0–255 coordinates) and
``w_k`` the fraction of the pixels that have that colour (or their number with
``normalize=False``).
The EMD between two signatures with the euclidean ground distance is then in ΔE*ab units
(CIE76 colour difference) for CIELAB, or RGB levels for RGB.

Weights: fractions (the default) versus pixel counts
-----------------------------------------------------
With pixel counts (``normalize=False``, the CLI's ``--partial``) two images of different
size have different total mass and the EMD is Rubner's *partial* match: all pixels of the
smaller image are moved into the best-matching part of the larger one, so a small crop of a
large photo is at distance ~0 from the photo. The pitfall: a thumbnail, or a 1×1 image, is
then close to every photo that contains its few colours somewhere, and in a mixed collection
such files crowd the top of every search (tests/images/test_defaults.py shows it). With
``normalize=True`` (the default) every signature has total mass 1, the EMD compares whole
colour distributions (it is then the 1-Wasserstein distance) and it is a metric; it also
lets search use the centroid lower bound for every pair. Images of equal pixel count give
the same EMD either way.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from emdkit.core.validation import check_positive_int, real_array

from .loading import load_rgb

COLOUR_SPACES = ("lab", "rgb")
# The unit of a colour coordinate: one CIELAB unit is one ΔE*ab (CIE76) step; RGB is 0–255.
COORDINATE_UNITS = {"lab": "ΔE*ab", "rgb": "RGB levels"}
METHODS = ("auto", "palette", "kmeans")
DEFAULT_N_COLOURS = 24
# auto mode keeps every distinct colour up to this many (Rubner's 78-colour images stay
# exact); an explicit palette may have up to PALETTE_HARD_LIMIT points, beyond which one EMD
# would take seconds.
AUTO_PALETTE_LIMIT = 256
PALETTE_HARD_LIMIT = 2048


@dataclass(frozen=True)
class SignatureOptions:
    """How an image becomes a signature; an index stores these and applies them to every file.

    Parameters
    ----------
    colour_space : {"lab", "rgb"}
        "lab" (CIELAB, D65, perceptual; default) or "rgb" (0–255 levels).
    method : {"kmeans", "palette", "auto"}
        "kmeans" (default: at most ``n_colours`` clusters, seeded; an image with no more
        distinct colours than that gets its exact palette), "palette" (one point per distinct
        colour, exact, for few-colour images like Rubner's 78-colour ones), or "auto"
        (palette when the image has at most 256 distinct colours, else k-means). Palette
        signatures of 100+ colours make each EMD tens to hundreds of times slower.
    n_colours : int
        K, the number of k-means clusters (default 24).
    max_side : int or None
        Shrink images so their longer side is at most this many pixels (None: keep).
    normalize : bool
        Weights as fractions summing to 1 (default) instead of pixel counts (partial
        matching; see the module docstring for its thumbnail pitfall).
    seed : int
        k-means random state.
    """

    colour_space: str = "lab"
    method: str = "kmeans"
    n_colours: int = DEFAULT_N_COLOURS
    max_side: int | None = None
    normalize: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        if self.colour_space not in COLOUR_SPACES:
            raise ValueError(f"colour_space must be one of {COLOUR_SPACES}, got {self.colour_space!r}")
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        check_positive_int(self.n_colours, "n_colours")
        if self.max_side is not None:
            check_positive_int(self.max_side, "max_side")
        if not isinstance(self.normalize, (bool, np.bool_)):
            raise TypeError(f"normalize must be a bool, got {type(self.normalize).__name__}")
        check_positive_int(self.seed, "seed", minimum=0)

    def to_dict(self) -> dict:
        """The options as a plain dict, the form an index stores.

        See Also
        --------
        from_dict : the inverse.
        ImageIndex : stores these options and applies them to every file.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SignatureOptions":
        """The options stored by :meth:`to_dict` (other keys are ignored).

        See Also
        --------
        to_dict : the inverse.
        """
        return cls(**{k: d[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class ColourSignature:
    """Weighted colours of one image.

    colours : (K, 3) float64, coordinates in ``colour_space``.
    weights : (K,) float64, pixel counts (sum = ``n_pixels``) or fractions (sum = 1).
    method : "palette" (exact) or "kmeans".
    """

    colours: np.ndarray
    weights: np.ndarray
    colour_space: str
    method: str
    n_pixels: int
    size: tuple[int, int] = field(default=(0, 0))  # (width, height) after any shrinking

    @property
    def total(self) -> float:
        return float(self.weights.sum())

    def centroid(self) -> np.ndarray:
        """Weighted mean colour Σ w_k c_k / Σ w_k.

        See Also
        --------
        centroid_bound : the EMD lower bound built from two signatures' centroids.

        References
        ----------
        .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for
           image retrieval", IJCV 40(2), 2000 (the centroid lower bound, section 4.2).
        """
        return self.weights @ self.colours / self.weights.sum()

    def as_pair(self) -> tuple[np.ndarray, np.ndarray]:
        """(positions, weights), the form ``emdkit.pairwise_emd`` takes.

        See Also
        --------
        emdkit.signature_emd : the EMD between two such pairs.
        emdkit.pairwise_emd : every pairwise EMD among a list of them.
        """
        return self.colours, self.weights


def to_colour_space(rgb: np.ndarray, colour_space: str) -> np.ndarray:
    """(n, 3) uint8 RGB -> (n, 3) float64 coordinates: L*a*b* (sRGB, D65) or RGB levels 0–255."""
    rgb = np.asarray(rgb)
    if colour_space == "rgb":
        return rgb.astype(np.float64)
    if colour_space == "lab":
        from skimage.color import rgb2lab
        return rgb2lab(rgb.reshape(-1, 1, 3).astype(np.float64) / 255.0).reshape(-1, 3)
    raise ValueError(f"colour_space must be one of {COLOUR_SPACES}, got {colour_space!r}")


def distance_units(colour_space: str, metric: str = "euclidean") -> str:
    """The unit of an EMD between signatures in ``colour_space`` under the ground ``metric``,
    from the metric registry (:data:`emdkit.core.costs.GROUND_COSTS`).

    >>> distance_units("lab"), distance_units("lab", "sqeuclidean"), distance_units("rgb", "cityblock")
    ('ΔE*ab', '(ΔE*ab)²', 'RGB levels')
    """
    from emdkit.core.costs import lookup_metric
    if colour_space not in COORDINATE_UNITS:
        raise ValueError(f"colour_space must be one of {COLOUR_SPACES}, got {colour_space!r}")
    return lookup_metric(metric).units(COORDINATE_UNITS[colour_space])


def distinct_colours(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct RGB triples of an (h, w, 3) or (n, 3) uint8 array and their pixel counts."""
    flat = np.asarray(rgb, dtype=np.uint8).reshape(-1, 3)
    # one uint32 key per pixel makes np.unique ~10x faster than unique rows
    keys = (flat[:, 0].astype(np.uint32) << 16) | (flat[:, 1].astype(np.uint32) << 8) | flat[:, 2]
    uniq, counts = np.unique(keys, return_counts=True)
    colours = np.stack([(uniq >> 16) & 255, (uniq >> 8) & 255, uniq & 255], axis=1).astype(np.uint8)
    return colours, counts.astype(np.float64)


def signature_from_rgb(rgb: ArrayLike, options: SignatureOptions | None = None) -> ColourSignature:
    """Colour signature of an ``(h, w, 3)`` uint8 RGB image array (see :class:`SignatureOptions`).

    Palette: one point per distinct colour, weight = its pixel count (exact).
    K-means: the distinct colours, weighted by their counts, are clustered into at most K
    groups (count-weighted k-means++ then Lloyd, seeded by ``seed``); each point is its cluster's
    count-weighted mean colour and its weight the cluster's pixel count. Either way the
    weights sum to the pixel count h·w (or to 1 with ``normalize``).

    See Also
    --------
    image_signature : the same from a file.
    SignatureOptions : the settings.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] CIE 15:2004, "Colorimetry", 3rd edition (CIELAB, ΔE*ab).
    .. [3] D. Arthur, S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
    """
    options = options or SignatureOptions()
    arr = real_array(rgb, "rgb")  # the core's gate: no masks, booleans, strings, objects
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(f"rgb must be an (h, w, 3) array, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        raise TypeError(f"rgb must be uint8 (0–255 levels), got {arr.dtype}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"rgb has no pixels (shape {arr.shape})")
    n_pixels = arr.shape[0] * arr.shape[1]
    palette, counts = distinct_colours(arr)
    method = options.method
    if method == "auto":
        method = "palette" if len(palette) <= AUTO_PALETTE_LIMIT else "kmeans"
    if method == "palette" and len(palette) > PALETTE_HARD_LIMIT:
        raise ValueError(f"the image has {len(palette)} distinct colours; an exact palette "
                         f"signature allows at most {PALETTE_HARD_LIMIT}: use method='kmeans'")
    coords = to_colour_space(palette, options.colour_space)
    if method == "kmeans" and len(palette) > options.n_colours:
        coords, counts = _kmeans(coords, counts, options.n_colours, options.seed)
    else:
        method = "palette"  # k-means with no more colours than clusters is the exact palette
    weights = counts / n_pixels if options.normalize else counts
    return ColourSignature(colours=np.ascontiguousarray(coords, dtype=np.float64),
                           weights=np.ascontiguousarray(weights, dtype=np.float64),
                           colour_space=options.colour_space, method=method,
                           n_pixels=n_pixels, size=(arr.shape[1], arr.shape[0]))


def _kmeans(coords: np.ndarray, counts: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from ._kmeans import weighted_kmeans
    return weighted_kmeans(coords, counts, k, seed)


def image_signature(path: str | os.PathLike, options: SignatureOptions | None = None,
                    **kwargs) -> ColourSignature:
    """Colour signature of an image file; keyword arguments build :class:`SignatureOptions`.

    >>> sig = image_signature("photo.jpg", colour_space="lab", n_colours=24)  # doctest: +SKIP
    >>> float(sig.weights.sum())  # doctest: +SKIP
    1.0

    See Also
    --------
    signature_from_rgb : the same from pixels in memory.
    SignatureOptions : the settings.

    References
    ----------
    .. [1] Y. Rubner, C. Tomasi, L. J. Guibas, "The Earth Mover's Distance as a metric for image
       retrieval", IJCV 40(2), 2000.
    .. [2] CIE 15:2004, "Colorimetry", 3rd edition (CIELAB, ΔE*ab).
    .. [3] D. Arthur, S. Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007.
    """
    if options is not None and kwargs:
        raise TypeError("give either options or keyword arguments, not both")
    options = options or SignatureOptions(**kwargs)
    return signature_from_rgb(load_rgb(Path(path), options.max_side), options)
