"""emd2_loss of an older commit against the current one, interleaved in one process with
F.cross_entropy: forward + backward, wall-clock and CPU time (the thread's user + system).

    PYTHONPATH=src .venv/bin/python bench/ab_emd2_loss.py --old-ref ccaf45f [--repeats 40]

The old ``src/emdkit/nn/emd2.py`` (``git show REF:...``) is loaded as a module of the current
package, so both versions run on the current compiled kernels: the comparison isolates the
Python side (e.g. the backward handing its buffer to autograd, issue 22). B = 4096, one torch
thread; each step is timed on the same logits in the order CE, old, new, so load from other
processes hits all three alike. On a loaded machine the CPU columns are the ones to read.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

import emdkit.nn  # noqa: F401  (the package the old module is loaded into)
from emdkit.nn import emd2 as new

BATCH = 4096
WARM_UP = 3


def load_old(ref: str):
    """emd2.py as of ``ref``, imported as emdkit.nn._emd2_old (its relative imports resolve to
    the current package)."""
    root = Path(__file__).resolve().parent.parent
    text = subprocess.run(["git", "-C", str(root), "show", f"{ref}:src/emdkit/nn/emd2.py"],
                          check=True, capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "emd2_old.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("emdkit.nn._emd2_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def time_k(k: int, losses: dict, repeats: int) -> dict:
    gen = torch.Generator().manual_seed(k)
    z = torch.randn(BATCH, k, generator=gen).requires_grad_()
    t = torch.randint(0, k, (BATCH,), generator=gen)
    wall = {name: [] for name in losses}
    cpu = {name: [] for name in losses}
    for rep in range(repeats + WARM_UP):
        for name, loss in losses.items():
            z.grad = None
            start, start_cpu = time.perf_counter(), time.thread_time()
            loss(z, t).backward()
            if rep >= WARM_UP:
                wall[name].append(time.perf_counter() - start)
                cpu[name].append(time.thread_time() - start_cpu)
    return {name: (statistics.median(wall[name]), statistics.median(cpu[name]))
            for name in losses}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-ref", required=True, help="git commit or branch of the old emd2.py")
    ap.add_argument("--repeats", type=int, default=40)
    ap.add_argument("--ks", type=int, nargs="+", default=[8, 100, 1000])
    args = ap.parse_args()
    torch.set_num_threads(1)
    losses = {"CE": F.cross_entropy, "old": load_old(args.old_ref).emd2_loss,
              "new": new.emd2_loss}
    print(f"load average before: {os.getloadavg()[0]:.1f}; B = {BATCH}, one thread, "
          f"{args.repeats} interleaved steps each\n")
    print("| K | CE wall (ms) | old wall | new wall | CE CPU (ms) | old CPU | old × CE | "
          "new CPU | new × CE |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in args.ks:
        m = time_k(k, losses, args.repeats)
        (cw, cc), (ow, oc), (nw, nc) = m["CE"], m["old"], m["new"]
        print(f"| {k} | {cw * 1e3:.2f} | {ow * 1e3:.2f} | {nw * 1e3:.2f} | {cc * 1e3:.2f} | "
              f"{oc * 1e3:.2f} | {oc / cc:.2f} | {nc * 1e3:.2f} | **{nc / cc:.2f}** |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
