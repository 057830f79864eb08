"""DOTmark-like benchmark: exact OT between images at 32² to 256², emdkit beside POT.

Run:  .venv/bin/python bench/dotmark.py [--sizes 32 64] [--classes all] [--pot-max 64]
                                        [--timeout 600] [--out bench/RESULTS_dotmark.md]

DOTmark (Schrieber, Schuhmacher & Gottschlich, "DOTmark – A benchmark for discrete optimal
transport", IEEE Access 5, 2017) has ten classes of images. Its files are not fetched here;
each class is generated from the paper's description, at any resolution:

* WhiteNoise: i.i.d. uniform values;
* GRFrough, GRFmoderate, GRFsmooth: Gaussian random fields (white noise filtered by a Gaussian
  kernel of width 1/64, 1/16 and 1/4 of the side), shifted to be positive;
* LogGRF: exp of a moderate field; LogitGRF: the logistic function of one;
* CauchyDensity: a mixture of 1-4 bivariate Cauchy densities with random centres and scales;
* Shapes: the indicator of a random union of ellipses (zero mass elsewhere);
* ClassicImages: greyscale photographs shipped with scikit-image (camera, moon, coins, ...);
* Microscopy: the microscopy images shipped with scikit-image (cell, immunohistochemistry).

Each instance is a pair of images of one class, normalised to equal mass, on the unit grid
(cell centres 0..n-1). Costs: squared Euclidean (``signature_emd`` on the cell centres: the
matrix-free point-cloud path) and L1 (``grid_emd``: the grid graph). POT's ``ot.emd2`` runs on
the dense N² matrix up to ``--pot-max`` (128² needs 2 GB per matrix and, per the published
timings, minutes to hours). Each solve runs in a fresh process with a timeout, so its peak
memory (ru_maxrss) is its own; values are compared where both finish.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CLASSES = ("WhiteNoise", "GRFrough", "GRFmoderate", "GRFsmooth", "LogGRF", "LogitGRF",
           "CauchyDensity", "Shapes", "ClassicImages", "Microscopy")
# Kernel widths of the three GRF classes, as fractions of the image side.
GRF_WIDTH = {"GRFrough": 1 / 64, "GRFmoderate": 1 / 16, "GRFsmooth": 1 / 4}
CLASSIC = ("camera", "moon", "coins", "clock", "horse", "brick", "grass", "gravel")
MICROSCOPY = ("cell", "immunohistochemistry")


def _grf(rng, n, width):
    noise = rng.standard_normal((n, n))
    k = np.fft.fftfreq(n)
    kernel = np.exp(-0.5 * (2 * np.pi * width * n) ** 2 * (k[:, None] ** 2 + k[None, :] ** 2) / n ** 2)
    field = np.real(np.fft.ifft2(np.fft.fft2(noise) * kernel))
    return (field - field.mean()) / (field.std() + 1e-300)


def _photo(name, n, rng):
    from skimage import color, data, transform
    img = getattr(data, name)()
    if img.ndim == 3:
        img = color.rgb2gray(img[..., :3])
    side = min(img.shape)
    y, x = rng.integers(0, img.shape[0] - side + 1), rng.integers(0, img.shape[1] - side + 1)
    crop = img[y:y + side, x:x + side].astype(float)
    return transform.resize(crop, (n, n), anti_aliasing=True)


def generate(cls: str, n: int, seed: int) -> np.ndarray:
    """One n×n non-negative image of DOTmark class ``cls`` (deterministic in ``seed``)."""
    rng = np.random.default_rng([CLASSES.index(cls), n, seed])
    if cls == "WhiteNoise":
        img = rng.random((n, n))
    elif cls in GRF_WIDTH:
        f = _grf(rng, n, GRF_WIDTH[cls])
        img = f - f.min()
    elif cls == "LogGRF":
        img = np.exp(_grf(rng, n, GRF_WIDTH["GRFmoderate"]))
    elif cls == "LogitGRF":
        img = 1 / (1 + np.exp(-2 * _grf(rng, n, GRF_WIDTH["GRFmoderate"])))
    elif cls == "CauchyDensity":
        yy, xx = np.mgrid[0:n, 0:n] / n
        img = np.zeros((n, n))
        for _ in range(rng.integers(1, 5)):
            cy, cx, s = rng.random(), rng.random(), 0.02 + 0.1 * rng.random()
            img += 1 / (1 + ((yy - cy) ** 2 + (xx - cx) ** 2) / s ** 2) ** 1.5
    elif cls == "Shapes":
        yy, xx = np.mgrid[0:n, 0:n] / n
        img = np.zeros((n, n))
        for _ in range(rng.integers(1, 4)):
            cy, cx = rng.random(2) * 0.6 + 0.2
            ry, rx = rng.random(2) * 0.25 + 0.05
            img[((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1] = 1.0
        if not img.any():
            img[n // 2, n // 2] = 1.0
    elif cls == "ClassicImages":
        img = _photo(CLASSIC[seed % len(CLASSIC)], n, rng)
    elif cls == "Microscopy":
        img = _photo(MICROSCOPY[seed % len(MICROSCOPY)], n, rng)
    else:
        raise ValueError(f"unknown DOTmark class {cls!r}; one of {', '.join(CLASSES)}")
    return img / img.sum()


CHILD = r'''
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[6])
from dotmark import generate
cls, n, cost, who = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seed = int(sys.argv[5])
a, b = generate(cls, n, seed).ravel(), generate(cls, n, seed + 1).ravel()
cells = np.indices((n, n)).reshape(2, -1).T.astype(float)
extra = {}
if who == "emdkit":
    import emdkit
    t0 = time.perf_counter()
    if cost == "cityblock":
        r = emdkit.grid_emd(a.reshape(n, n), b.reshape(n, n))
        extra = {"exact": r.exact}
    else:
        r = emdkit.signature_emd(cells, a, cells, b, "sqeuclidean")
        extra = {"method": r.method}
    value, extra["pivots"], extra["gap"] = r.distance, r.n_iter, r.gap
else:
    import ot
    from scipy.spatial.distance import cdist
    t0 = time.perf_counter()
    M = cdist(cells, cells, cost)
    value = float(ot.emd2(a, b, M, numItermax=10**10))
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "value": value,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
'''


def run_one(cls, n, cost, who, seed, timeout):
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, cls, str(n), cost, who, str(seed),
                              str(HERE)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout} s"}
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines() or [f"exit {out.returncode}"]
        return {"error": lines[-1]}
    return json.loads(out.stdout)


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[32, 64])
    ap.add_argument("--classes", nargs="+", default=["all"])
    ap.add_argument("--costs", nargs="+", default=["sqeuclidean", "cityblock"])
    ap.add_argument("--pot-max", type=int, default=64, help="largest side POT runs at")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", type=Path, default=HERE / "dotmark_raw.csv")
    args = ap.parse_args(argv)
    classes = CLASSES if args.classes == ["all"] else tuple(args.classes)
    rows = []
    load_before = os.getloadavg()
    for n in args.sizes:
        for cls in classes:
            for cost in args.costs:
                for who in ("emdkit", "pot"):
                    if who == "pot" and n > args.pot_max:
                        continue
                    r = run_one(cls, n, cost, who, args.seed, args.timeout)
                    row = {"n": n, "class": cls, "cost": cost, "solver": who, **r}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    fields = sorted({k for r in rows for k in r})
    with args.csv.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    print(f"# machine: {_machine()}; load average before {load_before}, after "
          f"{os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
