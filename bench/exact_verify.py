"""Exact verification and exact continuation (issue 20, item 2): what they cost.

Run:  PYTHONPATH=src python bench/exact_verify.py [--sizes 1000 3000] [--clouds 1000] [--repeats 5]
                                                 [--out bench/RESULTS_exact.md]

1. Verification of an optimal float basis: random 2-D point clouds, squared euclidean costs,
   n points a side, uniform weights (the assignment path: a degenerate basis, n of 2n − 1 tree
   cells carry flow) and random weights, on the prebuilt cost matrix:
   the overhead is exact time / float time (issue 20's goal: at most 20%). Both are timed as
   emd() runs them (float_solve, then core.exact.solve_exact from its support and duals), so
   a problem float64 cannot certify is measured too.
2. The same for the point-cloud path (--clouds): its matrix-free float solve and certificate,
   then the exact check on the dense costs its kernel computes (8·n² bytes: not matrix-free).
3. Exact continuation: costs 10**U(-12, 12) on 200×200 (where float64 cannot certify), solved
   from no hint, with the fixed-width integers and with the arbitrary-width BigInt throughout,
   and the Fraction simplex (emdkit.core.exact.refine_exact) at 30×30 for scale.
Medians over repeats; the machine and its load are printed with the table.
"""
from __future__ import annotations

import argparse
import os
from fractions import Fraction
from pathlib import Path

import numpy as np
from run_core import machine, median_time  # bench/ is the script's directory

from emdkit import _engine
from emdkit.core.candidate_rounds import solve_candidate_rounds
from emdkit.core.exact import refine_exact, solve_exact
from emdkit.core.solve import DenseProblem, _certify_live, default_max_iter

os.environ["EMDKIT_ENGINE"] = "native"  # solve_exact takes the compiled engine's path


def machine_and_load() -> str:
    return f"{machine()}, load average {os.getloadavg()[0]:.2f} at start"


def clouds(n, seed):
    rng = np.random.default_rng(seed)
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    C = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    return rng, np.ascontiguousarray(C)


def float_solve(a, b, C):
    """What emd() runs before its exact step (n >= 1,000: the candidate-rounds path): the
    float solve and its certificate, whose support and duals start the exact check."""
    prep = DenseProblem(a, b, C, float(C.min()), float(C.max()))
    ns = solve_candidate_rounds(prep.problem, prep.Cs, default_max_iter(*C.shape), 1)
    return prep, _certify_live(prep.problem, ns, prep.Cs)


def verify_row(n, weights, repeats):
    rng, C = clouds(n, n)
    if weights == "uniform":
        a = b = np.ones(n)
    else:
        a, b = rng.random(n) + 0.1, rng.random(n) + 0.1
        b *= a.sum() / b.sum()  # about balanced; the exact totals decide the dummy
    t_float, (prep, (sup_r, sup_c, sup_f, pi, work, gap, status)) = median_time(
        lambda: float_solve(a, b, C), repeats)
    p = prep.problem
    t_exact, sol = median_time(lambda: solve_exact(p, prep.Cs, prep.cost_exp, sup_r, sup_c,
                                                   sup_f, pi), repeats)
    assert sol.method == "exact_integer"
    float_distance = work / p.total_flow_scaled * 2.0 ** prep.cost_exp
    rel = abs(sol.distance - float_distance) / sol.distance
    certified = "certified" if status == 0 else "NOT certified"
    return (f"| n={n} 2-D sqeuclidean, {weights} weights | {t_float:.4f} ({certified}) | "
            f"{t_exact:.4f} | {100 * t_exact / t_float:.1f}% | {sol.pivots} | "
            f"{'yes' if sol.verified else 'no'} | {rel:.1e} |")


def pointcloud_row(n, repeats):
    """The point-cloud path (matrix-free float solve and certificate) against verifying its
    answer exactly on the dense costs its kernel computes (what the uncertified route runs)."""
    from emdkit.core.pointcloud import (_pair_costs, certify_pointcloud, solve_pointcloud,
                                        support_work)
    from emdkit.core.costs import lookup_metric
    from emdkit.core.problem import TransportProblem
    rng = np.random.default_rng(n)
    X, Y = rng.random((n, 2)), rng.random((n, 2))
    w = rng.random(n) + 0.1
    code = lookup_metric("sqeuclidean").code

    def float_solve():
        p = TransportProblem.from_weights(w, w[::-1].copy())
        ns = solve_pointcloud(p, X, Y, code, default_max_iter(n, n), 1)
        src, tgt, f, _ = ns.real_flows()
        order = np.lexsort((tgt, src))
        r, c, fl = src[order], tgt[order] - p.n_rows, f[order]
        work = support_work(X, Y, r, c, fl, code)
        ok, u, v, gap = certify_pointcloud(p, X, Y, code, ns.pi[: ns.n_nodes].copy(), r, c,
                                           fl, work)
        return p, r, c, fl, np.concatenate([-u, v]), ok

    def verify(p, r, c, fl, pi):
        ii, jj = np.divmod(np.arange(n * n), n)
        Cs = _pair_costs(X, Y, ii, jj, code).reshape(n, n)
        return solve_exact(p, Cs, 0, r, c, fl, pi)

    t_float, (p, r, c, fl, pi, ok) = median_time(float_solve, repeats)
    t_exact, sol = median_time(lambda: verify(p, r, c, fl, pi), repeats)
    return (f"| n={n} 2-D sqeuclidean point clouds, random weights | {t_float:.4f} "
            f"({'certified' if ok else 'NOT certified'}) | {t_exact:.4f} | "
            f"{100 * t_exact / t_float:.1f}% | {sol.pivots} | "
            f"{'yes' if sol.verified else 'no'} | |")


def continuation_rows(repeats):
    rng = np.random.default_rng(20)
    lines = []
    for m in (30, 200):
        a, b = rng.random(m) + 0.1, rng.random(m) + 0.1
        C = np.ascontiguousarray(10.0 ** rng.uniform(-12, 12, (m, m)))
        none = np.zeros(0, np.int64)
        t_fixed, out = median_time(lambda: _engine.exact_transport(a, b, C, none, none),
                                   repeats)
        t_big, big = median_time(lambda: _engine.exact_transport(a, b, C, none, none,
                                                                 width=-1), repeats)
        assert big["distance"] == out["distance"]
        row = (f"| {m}×{m}, costs 1e-12..1e12 | {out['pivots']} | {out['limbs']} | "
               f"{t_fixed:.4f} | {t_big:.4f} |")
        if m <= 30:
            t_frac, ref = median_time(lambda: refine_exact(a, b, C, none, none), 1)
            total = min(sum(map(Fraction, a)), sum(map(Fraction, b)))
            assert float(ref[7] / total) == out["distance"]
            row += f" {t_frac:.3f} |"
        else:
            row += " (minutes) |"
        lines.append(row)
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--clouds", type=int, nargs="*", default=[1000, 3000],
                        help="point-cloud sizes (the exact check forms n² costs: 8 n² bytes)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = [f"Machine: {machine_and_load()}.", "",
             "| problem | float solve (s) | exact verification (s) | overhead | pivots | "
             "verified as given | rel. diff. float vs exact |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in args.sizes:
        for weights in ("uniform", "random"):
            lines.append(verify_row(n, weights, args.repeats))
            print(lines[-1], flush=True)
    for n in args.clouds:
        lines.append(pointcloud_row(n, args.repeats))
        print(lines[-1], flush=True)
    lines += ["", "| problem | pivots | limbs | fixed width (s) | BigInt (s) | Fraction simplex (s) |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += continuation_rows(args.repeats)
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
