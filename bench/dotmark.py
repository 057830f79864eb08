"""DOTmark-like benchmark: exact OT between images at 32² to 256², emdkit beside POT.

Run:  .venv/bin/python bench/dotmark.py [--sizes 32 64] [--classes all] [--pot-max 64]
          [--pot-dense-max 64] [--pot-classes all] [--timeout 600] [--csv ...] [--append]
      then bench/dotmark_report.py turns the CSV into the table and the log-log plot.

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
multiscale path from 2,048 cells, else the matrix-free point-cloud path) and L1 (``grid_emd``:
the grid graph). POT's ``ot.emd2`` runs on the dense N² matrix up to ``--pot-dense-max``
(128² needs 2 GB per matrix), ``ot.lp.emd2_lazy`` (costs computed on the fly) above it, up to
``--pot-max``. Each solve runs in a fresh process with a timeout, so its peak memory
(ru_maxrss, taken before the check below) is its own; values are compared where both finish.
Wall and CPU seconds are both recorded: the machine is shared, and CPU time is the figure
that load does not inflate. emdkit's returned duals are checked independently in numpy
(``dual_violation``): max (u_i + v_j − c_ij) over the pairs, relative to the largest cost.
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
from dotmark import generate, dual_violation
cls, n, cost, who = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seed = int(sys.argv[5])
a, b = generate(cls, n, seed).ravel(), generate(cls, n, seed + 1).ravel()
cells = np.indices((n, n)).reshape(2, -1).T.astype(float)
extra = {}
if who == "emdkit":
    import emdkit
else:
    import ot
    from scipy.spatial.distance import cdist
t0, c0 = time.perf_counter(), time.process_time()  # imports not counted
if who == "emdkit":
    if cost == "cityblock":
        r = emdkit.grid_emd(a.reshape(n, n), b.reshape(n, n))
        extra = {"method": "grid", "exact": r.exact}
        u, v = r.u.ravel(), r.v.ravel()
    else:
        r = emdkit.signature_emd(cells, a, cells, b, "sqeuclidean")
        extra = {"method": r.method}
        u, v = r.u, r.v
    value, extra["pivots"], extra["gap"] = r.distance, r.n_iter, r.gap
else:
    if n <= int(sys.argv[7]):
        value = float(ot.emd2(a, b, cdist(cells, cells, cost), numItermax=10**10))
        extra = {"method": "ot.emd2"}
    else:
        metric = "sqeuclidean" if cost == "sqeuclidean" else "cityblock"
        value = float(ot.lp.emd2_lazy(a, b, cells, cells, metric=metric, numItermax=10**10))
        extra = {"method": "ot.lp.emd2_lazy"}
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the check below
if who == "emdkit":
    extra["dual_violation"], extra["dual_gap"] = dual_violation(cells, a, b, u, v, value, cost)
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "value": value, "peak_mb": peak,
                  **extra}))
'''

# Rows of the dense check per chunk, and the most rows checked (a random sample above it).
CHECK_CHUNK = 256
CHECK_ROWS = 4096


def dual_violation(cells, a, b, u, v, distance, cost):
    '''(max_ij (u_i + v_j − c_ij) / max c, |Σ a u + Σ b v − work| / work): the certificate,
    checked independently of emdkit from its returned duals with numpy, in row chunks; every
    row up to CHECK_ROWS points a side, else that many rows drawn at random (fixed seed).'''
    rows = np.arange(len(u))
    if rows.size > CHECK_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(rows.size, CHECK_ROWS, replace=False))
    worst = -np.inf
    for k in range(0, rows.size, CHECK_CHUNK):
        i = rows[k:k + CHECK_CHUNK]
        diff = np.abs(cells[i, None, :] - cells[None, :, :])
        c = (diff ** 2).sum(-1) if cost == "sqeuclidean" else diff.sum(-1)
        worst = max(worst, float((u[i, None] + v[None, :] - c).max()))
    span = float(((cells.max(0) - cells.min(0)) ** (2 if cost == "sqeuclidean" else 1)).sum())
    work = distance * min(a.sum(), b.sum())
    return worst / span, abs(float(a @ u + b @ v) - work) / max(abs(work), 1e-300)


def run_one(cls, n, cost, who, seed, timeout, pot_dense_max=64):
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, cls, str(n), cost, who, str(seed),
                              str(HERE), str(pot_dense_max)], capture_output=True, text=True,
                             timeout=timeout)
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
    ap.add_argument("--pot-dense-max", type=int, default=64,
                    help="largest side POT gets the dense matrix (ot.emd2); above: emd2_lazy")
    ap.add_argument("--pot-classes", nargs="+", default=["all"],
                    help="classes POT runs on (it takes minutes a solve from 64²)")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--csv", type=Path, default=HERE / "dotmark_raw.csv")
    ap.add_argument("--append", action="store_true", help="add rows to an existing --csv")
    args = ap.parse_args(argv)
    classes = CLASSES if args.classes == ["all"] else tuple(args.classes)
    pot_classes = CLASSES if args.pot_classes == ["all"] else tuple(args.pot_classes)
    rows = []
    load_before = os.getloadavg()
    for n in args.sizes:
        for cls in classes:
            for cost in args.costs:
                for who in ("emdkit", "pot"):
                    if who == "pot" and (n > args.pot_max or cls not in pot_classes):
                        continue
                    r = run_one(cls, n, cost, who, args.seed, args.timeout,
                                args.pot_dense_max)
                    row = {"n": n, "class": cls, "cost": cost, "solver": who,
                           "load": os.getloadavg()[0], **r}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    fields = sorted({k for r in rows for k in r})
    if args.append and args.csv.exists():
        with args.csv.open(newline="") as fh:
            old = list(csv.DictReader(fh))
        rows = old + rows
        fields = sorted({k for r in rows for k in r})
    with args.csv.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    print(f"# machine: {_machine()}; load average before {load_before}, after "
          f"{os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
