#!/usr/bin/python3
"""PyTorch side of bench/rnn: one training step of torch.nn.LSTM / GRU / RNN(tanh).

The same cases as bench/rnn.c (keep the two tables equal): a step is the module's forward over
x [T,B,I], MSE against a fixed target [T,B,D*H], and backward into the parameters; gradients are
set to None before the clock starts (the optimizer is not part of the step). Prints one
`key=value` line per case (median and minimum wall-clock milliseconds per step, forward and
backward parts, median processor time), which bench/run_rnn.sh reads.
Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import ctypes
import os
import statistics
import time

import torch

# name, cell, T, B, I, H, L, bidirectional: the table in bench/rnn.c
CASES = [
    ("lstm_h128", "lstm", 50, 32, 64, 128, 1, False),
    ("gru_h128", "gru", 50, 32, 64, 128, 1, False),
    ("rnn_h128", "rnn", 50, 32, 64, 128, 1, False),
    ("lstm_ptb_small", "lstm", 35, 20, 200, 200, 2, False),
    ("lstm_h512", "lstm", 20, 64, 512, 512, 1, False),
    ("gru_h512", "gru", 20, 64, 512, 512, 1, False),
    ("lstm_bi_h128", "lstm", 50, 32, 64, 128, 2, True),
]

MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


def bench_case(case, threads, reps):
    name, cell, T, B, I, H, L, bi = case
    torch.manual_seed(1)
    model = MODULES[cell](I, H, num_layers=L, bidirectional=bi)
    model.train()
    D = 2 if bi else 1
    x = torch.rand(T, B, I) * 2 - 1
    target = torch.rand(T, B, D * H) * 2 - 1
    fwd, bwd, total, cpu = [], [], [], []
    loss = None
    for r in range(-2, reps):  # two warm-up steps, as in rnn.c
        for p in model.parameters():
            p.grad = None
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        out, _ = model(x)
        loss = torch.nn.functional.mse_loss(out, target)
        t1 = time.perf_counter_ns()
        loss.backward()
        t2, c2 = time.perf_counter_ns(), time.process_time_ns()
        if r >= 0:
            fwd.append((t1 - t0) / 1e6)
            bwd.append((t2 - t1) / 1e6)
            total.append((t2 - t0) / 1e6)
            cpu.append((c2 - c0) / 1e6)
    print(
        f"rnn impl=torch case={name} threads={torch.get_num_threads()} reps={reps} "
        f"fwd_ms={statistics.median(fwd):.3f} bwd_ms={statistics.median(bwd):.3f} "
        f"ms={statistics.median(total):.3f} min_ms={min(total):.3f} "
        f"cpu_ms={statistics.median(cpu):.3f} loss={loss.item():.5f}",
        flush=True,
    )


def blas_library():
    """The BLAS shared object this process loaded (Debian's torch uses whatever libblas.so.3 is)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if line.split()[-1].startswith("/")}
    libs = {p for p in libs if "blas" in p.rsplit("/", 1)[-1] and "lapack" not in p}
    return ",".join(sorted(libs)) or "none"


def openblas_core():
    """OpenBLAS's kernel family (Haswell, SkylakeX, ...), or "" when another BLAS is loaded."""
    try:
        lib = ctypes.CDLL("libopenblas.so.0", mode=os.RTLD_NOLOAD)
    except OSError:
        return ""
    lib.openblas_get_corename.restype = ctypes.c_char_p
    return lib.openblas_get_corename().decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=11)
    ap.add_argument("--case", action="append", default=[], choices=[c[0] for c in CASES])
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for case in CASES:
        if not args.case or case[0] in args.case:
            bench_case(case, args.threads, args.reps)
    cap = torch.__config__.show().split("CPU capability usage: ")[-1].split()[0]
    print(
        f"torch version={torch.__version__} blas={blas_library()} openblas_core={openblas_core()} "
        f"cpu_capability={cap}"
    )


if __name__ == "__main__":
    main()
