"""The exact EMD inside PyTorch: emdkit.nn against a loop of POT's ot.emd2 on torch tensors, and
GeomLoss's Sinkhorn (p = 1) at two blurs; forward + backward, timed in one run.

    .venv/bin/python bench/bench_torch.py [--repeats 3] [--quick]

Rows:
1. B = 64 random 256×256 problems (random weights, squared-euclidean costs between random 2-D
   points), gradients in a, b and the cost matrix.
(``--signatures-only``: B = 64 pairs of 256 points in 3-D through the same function, issue 22.)
2. B = 16 point-cloud pairs, N = M = 2048, d = 3, euclidean, uniform weights, gradient in the
   predicted points: emdkit.nn.point_cloud_emd_loss against a loop of ot.dist + ot.emd2 (POT run
   with numItermax raised so that it reaches the optimum) and GeomLoss SamplesLoss("sinkhorn",
   p=1, blur=…, backend="tensorized").
Medians of ``--repeats`` runs (GeomLoss: one run); speed-up = peer time / emdkit time; values are compared with
emdkit's certified optimum.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings

import numpy as np
import ot
import torch

import emdkit
from emdkit.nn import emd, point_cloud_emd_loss

# POT's default numItermax (100,000) stops short of the optimum at N = 2048 (it warns); this
# bound lets its network simplex finish.
POT_MAX_ITER = 50_000_000
GEOMLOSS_BLURS = (0.05, 0.01)
# issue 13's targets
DENSE_SPEEDUP_TARGET = 10.0
POINTCLOUD_SPEEDUP_TARGET = 5.0
POINTCLOUD_VALUE_TOLERANCE = 1e-9


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def dense_problems(batch: int, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    a = rng.random((batch, n)) + 0.1
    b = rng.random((batch, n)) + 0.1
    a /= a.sum(1, keepdims=True)
    b /= b.sum(1, keepdims=True)
    x, y = rng.random((batch, n, 2)), rng.random((batch, n, 2))
    C = ((x[:, :, None, :] - y[:, None, :, :]) ** 2).sum(-1)
    return torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(C)


def bench_dense(batch: int, n: int, repeats: int) -> dict:
    a, b, C = dense_problems(batch, n)

    def ours():
        ta, tb, tc = (t.clone().requires_grad_() for t in (a, b, C))
        value = emd(ta, tb, tc)
        value.sum().backward()
        return value.detach().numpy()

    def pot_loop():
        ta, tb, tc = (t.clone().requires_grad_() for t in (a, b, C))
        values = torch.stack([ot.emd2(ta[k], tb[k], tc[k], numItermax=POT_MAX_ITER)
                              for k in range(batch)])
        values.sum().backward()
        return values.detach().numpy()

    ours()  # compile / warm the cache outside the timing
    t_ours, v_ours = timed(ours, repeats)
    t_pot, v_pot = timed(pot_loop, repeats)
    return {"case": f"B={batch} dense {n}×{n}", "emdkit_s": t_ours, "peer": "loop of ot.emd2",
            "peer_s": t_pot, "max_abs_diff": float(np.abs(v_ours - v_pot).max())}


def clouds(batch: int, n: int, d: int, seed: int = 1):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(batch, n, d, generator=gen, dtype=torch.float64),
            torch.rand(batch, n, d, generator=gen, dtype=torch.float64) + 0.1)


def bench_pointcloud(batch: int, n: int, d: int, repeats: int, report,
                     geomloss: bool = True) -> None:
    """Times the point-cloud rows; ``report`` is called with each row as soon as it is done."""
    x, y = clouds(batch, n, d)

    def ours():
        xp = x.clone().requires_grad_()
        losses = point_cloud_emd_loss(xp, y, reduction="none")
        losses.sum().backward()
        return losses.detach().numpy()

    def pot_loop():
        xp = x.clone().requires_grad_()
        w = torch.full((n,), 1.0 / n, dtype=torch.float64)
        losses = torch.stack([ot.emd2(w, w, ot.dist(xp[k], y[k], metric="euclidean"),
                                      numItermax=POT_MAX_ITER) for k in range(batch)])
        losses.sum().backward()
        return losses.detach().numpy()

    ours()
    t_ours, v_ours = timed(ours, repeats)
    t_pot, v_pot = timed(pot_loop, repeats)
    report({"case": f"B={batch} point clouds N=M={n}, d={d}", "emdkit_s": t_ours,
            "peer": "loop of ot.dist + ot.emd2", "peer_s": t_pot,
            "max_abs_diff": float(np.abs(v_ours - v_pot).max())})
    if not geomloss:
        return
    try:
        from geomloss import SamplesLoss
    except ImportError:
        print("(GeomLoss not installed: no Sinkhorn rows)")
        return
    for blur in GEOMLOSS_BLURS:
        loss = SamplesLoss("sinkhorn", p=1, blur=blur, backend="tensorized")

        def sinkhorn():
            xp = x.float().clone().requires_grad_()
            values = loss(xp, y.float())
            values.sum().backward()
            return values.detach().double().numpy()

        t_geo, v_geo = timed(sinkhorn, 1)  # one run: each takes minutes on 2 loaded cores
        report({"case": f"B={batch} point clouds N=M={n}, d={d}", "emdkit_s": t_ours,
                "peer": f"GeomLoss sinkhorn p=1 blur={blur} (float32, tensorized)",
                "peer_s": t_geo, "max_rel_err": float(np.max(np.abs(v_geo - v_ours) / v_ours))})


def print_row(r: dict) -> None:
    agree = (f"largest absolute difference {r['max_abs_diff']:.1e}" if "max_abs_diff" in r
             else f"largest relative error {r['max_rel_err']:.2e}")
    print(f"| {r['case']} | {r['peer']} | {r['emdkit_s']:.3f} | {r['peer_s']:.3f} | "
          f"{r['peer_s'] / r['emdkit_s']:.1f}× | {agree} |", flush=True)


def print_targets(rows: list[dict]) -> None:
    """Issue 13's targets, each with its verdict computed from the rows above."""
    dense, pot_pc = rows[0], rows[1]
    dense_x = dense["peer_s"] / dense["emdkit_s"]
    pc_x = pot_pc["peer_s"] / pot_pc["emdkit_s"]
    print("\n| target | measured | verdict |\n|---|---|---|")
    print(f"| {dense['case']}, fwd + bwd: ≥ {DENSE_SPEEDUP_TARGET:g}× a loop of ot.emd2 | "
          f"{dense_x:.1f}× | {'met' if dense_x >= DENSE_SPEEDUP_TARGET else '**missed**'} |")
    print(f"| {pot_pc['case']}, fwd + bwd: ≥ {POINTCLOUD_SPEEDUP_TARGET:g}× | {pc_x:.1f}× | "
          f"{'met' if pc_x >= POINTCLOUD_SPEEDUP_TARGET else '**missed**'} |")
    ok = pot_pc["max_abs_diff"] <= POINTCLOUD_VALUE_TOLERANCE
    print(f"| point-cloud values equal POT's to {POINTCLOUD_VALUE_TOLERANCE:g} | "
          f"{pot_pc['max_abs_diff']:.1e} | {'met' if ok else '**missed**'} |")
    for row in rows[2:]:
        print(f"| {row['peer']}: time and relative error | {row['peer_s']:.1f} s "
              f"({row['peer_s'] / row['emdkit_s']:.1f}× emdkit's), relative error up to "
              f"{row['max_rel_err']:.2f} | reported |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    ap.add_argument("--signatures-only", action="store_true",
                    help="only issue 22's row: emdkit.nn.signature_emd (uniform weights), "
                         "B = 64 pairs of 256 points in 3-D, against a POT loop")
    ap.add_argument("--no-geomloss", action="store_true",
                    help="skip the GeomLoss rows (minutes each on a loaded machine)")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    warnings.simplefilter("ignore", UserWarning)
    one, five, fifteen = os.getloadavg()
    batch_dense, n_dense, batch_pc, n_pc = (4, 64, 2, 256) if args.quick else (64, 256, 16, 2048)
    print(f"Run: {platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
          f"POT {ot.__version__}, emdkit core batch engine: "
          f"{'emd_batch' if hasattr(emdkit, 'emd_batch') else 'absent (loop over emd)'}; "
          f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} before the run; "
          f"median of {args.repeats}")
    print("| problems | peer | emdkit fwd+bwd (s) | peer fwd+bwd (s) | speed-up | agreement |")
    print("|---|---|---:|---:|---:|---|", flush=True)
    rows = []

    def report(row):
        rows.append(row)
        print_row(row)

    if args.signatures_only:
        bench_pointcloud(64, 256, 3, args.repeats, report, geomloss=False)
        return
    report(bench_dense(batch_dense, n_dense, args.repeats))
    bench_pointcloud(batch_pc, n_pc, 3, args.repeats, report, geomloss=not args.no_geomloss)
    print_targets(rows)
    one, five, fifteen = os.getloadavg()
    print(f"\nload average {one:.2f}, {five:.2f}, {fifteen:.2f} after the run")


if __name__ == "__main__":
    main()
