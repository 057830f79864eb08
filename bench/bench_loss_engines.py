"""emd2_loss forward + backward on the Numba engine and on the compiled one, timed in turns.

    .venv/bin/python bench/bench_loss_engines.py [--repeats 60] [--batch 4096] [--ks 8 100 1000]

An engine is chosen when emdkit is imported (``EMDKIT_ENGINE``), so each runs in a worker
process of its own, both alive for the whole run. The parent asks them in turns (the order
swapped every round) for one timed step each, on the same seeded logits as bench_loss.py, so
that load from other processes on a shared machine hits both alike. Reported: medians and
best times per engine, and their ratios compiled / Numba (below 1: the compiled engine is
faster).
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys

ENGINES = ("numba", "native")
VARIANTS = ("index target", "positions", "soft target", "kernel alone, index target")


def worker(batch: int, threads: int) -> None:
    """Answers "K variant-index" lines with the time of one forward + backward step."""
    import time

    import numpy as np
    import torch

    from bench_loss import step_time
    from emdkit.nn import _cdf_kernel, emd2_loss

    torch.set_num_threads(threads)
    inputs = {}
    for line in sys.stdin:
        k, variant = (int(v) for v in line.split())
        if k not in inputs:
            gen = torch.Generator().manual_seed(k)  # bench_loss.py's inputs
            z = torch.randn(batch, k, generator=gen).requires_grad_()
            t = torch.randint(0, k, (batch,), generator=gen)
            soft = torch.softmax(torch.randn(batch, k, generator=gen), 1)
            pos = torch.cumsum(torch.rand(k, generator=gen) + 0.5, 0)
            inputs[k] = (z, [(emd2_loss, t), (lambda x, y, p=pos: emd2_loss(x, y, positions=p), t),
                             (emd2_loss, soft)])
        z, fns = inputs[k]
        if variant < len(fns):
            fn, target = fns[variant]
            print(step_time(fn, z, target, "cpu"), flush=True)
            continue
        # the fused kernel alone on softmax probabilities, as emd2_loss calls it on one thread
        rows = torch.softmax(z.detach(), 1).numpy()
        t_index = fns[0][1].numpy().astype(np.int64)
        start = time.perf_counter()
        _cdf_kernel.cdf_loss(rows, t_index, np.empty((0, 0), rows.dtype), np.ones(k - 1), 2.0,
                             True, True, True, 1.0 / batch, np.empty(batch), 1, 0)
        print(time.perf_counter() - start, flush=True)


def start_workers(batch: int, threads: int) -> dict:
    here = os.path.dirname(os.path.abspath(__file__))
    workers = {}
    for engine in ENGINES:
        env = dict(os.environ, EMDKIT_ENGINE=engine)
        workers[engine] = subprocess.Popen(
            [sys.executable, os.path.join(here, "bench_loss_engines.py"), "--worker",
             "--batch", str(batch), "--threads", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    return workers


def ask(proc: subprocess.Popen, k: int, variant: int) -> float:
    proc.stdin.write(f"{k} {variant}\n")
    proc.stdin.flush()
    return float(proc.stdout.readline())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--ks", type=int, nargs="+", default=[8, 100, 1000])
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.batch, args.threads)
        return
    from bench_loss import load_average
    print(f"Run: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"B={args.batch}, threads={args.threads}, repeats={args.repeats}, {load_average()}")
    workers = start_workers(args.batch, args.threads)
    times = {(k, v, e): [] for k in args.ks for v in range(len(VARIANTS)) for e in ENGINES}
    try:
        for round_ in range(args.repeats + 3):  # the first 3 rounds warm up
            order = ENGINES if round_ % 2 == 0 else ENGINES[::-1]
            for k in args.ks:
                for v in range(len(VARIANTS)):
                    for engine in order:
                        t = ask(workers[engine], k, v)
                        if round_ >= 3:
                            times[(k, v, engine)].append(t)
    finally:
        for proc in workers.values():
            proc.stdin.close()
            proc.wait()
    print(f"\nafter the run: {load_average()}\n")
    print("| K | emd2_loss | Numba median (ms) | compiled median (ms) | ratio | Numba best (ms) "
          "| compiled best (ms) | ratio of bests |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for k in args.ks:
        for v, name in enumerate(VARIANTS):
            old, new = times[(k, v, "numba")], times[(k, v, "native")]
            med_old, med_new = statistics.median(old), statistics.median(new)
            print(f"| {k} | {name} | {1e3 * med_old:.3f} | {1e3 * med_new:.3f} | "
                  f"{med_new / med_old:.2f} | {1e3 * min(old):.3f} | {1e3 * min(new):.3f} | "
                  f"{min(new) / min(old):.2f} |")


if __name__ == "__main__":
    main()
