#!/usr/bin/python3
"""PyTorch side of bench/overhead: the same chain of tiny elementwise ops as bench/overhead.c.

Builds a chain of NODES ops on ELEMS-element tensors (the same op cycle as chain_op in
overhead.c), back-propagates it, and repeats; prints the median microseconds per node for build
and backward as one `key=value` line that bench/run_overhead.sh reads. Run with Debian's
/usr/bin/python3 (python3-torch).
"""
import argparse
import math
import statistics
import time

import torch


def chain_op(i, y, w, b):
    k = i % 8
    if k == 0:
        return torch.tanh(y)
    if k == 1:
        return y * w
    if k == 2:
        return y + b
    if k == 3:
        return torch.sigmoid(y)
    if k == 4:
        return y - b
    if k == 5:
        return torch.square(y)
    if k == 6:
        return y * w
    return torch.exp(y)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--nodes", type=int, default=10000)
    ap.add_argument("--elems", type=int, default=4)
    ap.add_argument("--reps", type=int, default=11)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    x0 = torch.rand(args.elems) * 2 - 1
    w = (torch.rand(args.elems) * 0.5 + 0.5).requires_grad_()
    b = (torch.rand(args.elems) - 0.5).requires_grad_()

    build, bwd, total = [], [], []
    for r in range(-2, args.reps):  # two warm-up rounds, as in overhead.c
        w.grad = None
        b.grad = None
        t0 = time.perf_counter_ns()
        x = x0.clone().requires_grad_()
        y = x
        for i in range(args.nodes):
            y = chain_op(i, y, w, b)
        loss = y.sum()
        t1 = time.perf_counter_ns()
        loss.backward()
        t2 = time.perf_counter_ns()
        if not math.isfinite(loss.item()) or not math.isfinite(x.grad[0].item()):
            raise SystemExit("overhead_torch: chain value is not finite")
        del x, y, loss  # free the graph outside the timed region of the next round
        if r >= 0:
            build.append((t1 - t0) / 1e3 / args.nodes)
            bwd.append((t2 - t1) / 1e3 / args.nodes)
            total.append((t2 - t0) / 1e3 / args.nodes)

    print(
        f"chain impl=torch threads={torch.get_num_threads()} nodes={args.nodes} "
        f"elems={args.elems} reps={args.reps} build_us={statistics.median(build):.4f} "
        f"backward_us={statistics.median(bwd):.4f} total_us={statistics.median(total):.4f}"
    )


if __name__ == "__main__":
    main()
