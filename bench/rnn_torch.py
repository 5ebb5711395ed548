#!/usr/bin/python3
"""PyTorch side of bench/rnn: torch.nn.LSTM / GRU / RNN(tanh), or the same cells composed.

The same cases as bench/rnn_common.c (keep the two tables equal). --impl module (default): the
nn module; --impl composed: a Python loop of torch ops over the module's own weights (one input
GEMM for all steps, then per step linear, chunk, sigmoid, tanh, mul, add), as bench/rnn.c's
composed cells. --mode train (default): the forward over x [T,B,I], MSE against a fixed target
[T,B,D*H], and backward into the parameters; gradients are set to None before the clock starts
(the optimizer is not part of the step). --mode infer: the forward alone under torch.no_grad().
--check: the composed cells against the modules on a tiny 2-layer bidirectional case.
Prints one `key=value` line per case (median and minimum wall-clock milliseconds per step,
forward and backward parts, median processor time, peak resident memory), which bench/run_rnn.sh
reads. Run with Debian's /usr/bin/python3 (python3-torch).
"""
import argparse
import ctypes
import os
import resource
import statistics
import time

import torch

# name, cell, T, B, I, H, L, bidirectional: the table in bench/rnn_common.c
SHAPES = [
    ("h128", 50, 32, 64, 128),
    ("h512", 20, 64, 512, 512),
    ("t100_h64", 100, 16, 64, 64),
    ("t100_h256", 100, 64, 256, 256),
    ("t100_h512", 100, 64, 512, 512),
]
CASES = [(f"{cell}_{tag}", cell, T, B, I, H, 1, False) for tag, T, B, I, H in SHAPES
         for cell in ("lstm", "gru", "rnn")] + [
    ("lstm_ptb_small", "lstm", 35, 20, 200, 200, 2, False),
    ("lstm_bi_h128", "lstm", 50, 32, 64, 128, 2, True),
]

MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
linear = torch.nn.functional.linear


def lstm_step(xp, state, w_hh, b_hh):
    h, c = state
    i, f, g, o = (xp + linear(h, w_hh, b_hh)).chunk(4, 1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


def gru_step(xp, state, w_hh, b_hh):
    (h,) = state
    xr, xz, xn = xp.chunk(3, 1)
    hr, hz, hn = linear(h, w_hh, b_hh).chunk(3, 1)
    r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    return (torch.lerp(n, h, z),)


def rnn_step(xp, state, w_hh, b_hh):
    return (torch.tanh(xp + linear(state[0], w_hh, b_hh)),)


STEPS = {"lstm": lstm_step, "gru": gru_step, "rnn": rnn_step}


def composed_direction(model, cell, x, layer, reverse):
    """One direction of one layer over x [T,B,C] with the module's weights: [T,B,H]."""
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    w = {k: getattr(model, k + sfx) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    xp = linear(x, w["weight_ih"], w["bias_ih"])
    zeros = x.new_zeros(x.shape[1], model.hidden_size)
    state = (zeros, zeros) if cell == "lstm" else (zeros,)
    out = [None] * x.shape[0]
    for t in reversed(range(x.shape[0])) if reverse else range(x.shape[0]):
        state = STEPS[cell](xp[t], state, w["weight_hh"], w["bias_hh"])
        out[t] = state[0]
    return torch.stack(out)


def composed_forward(model, cell, x):
    """The module's forward written as a Python loop of torch ops: the output [T,B,D*H]."""
    for layer in range(model.num_layers):
        dirs = (False, True) if model.bidirectional else (False,)
        x = torch.cat([composed_direction(model, cell, x, layer, r) for r in dirs], 2)
    return x


def forward(model, cell, impl, x):
    return model(x)[0] if impl == "module" else composed_forward(model, cell, x)


def peak_mb():
    """Peak resident memory of this process in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_case(case, args):
    name, cell, T, B, I, H, L, bi = case
    torch.manual_seed(1)
    model = MODULES[cell](I, H, num_layers=L, bidirectional=bi)
    model.train(not args.infer)
    D = 2 if bi else 1
    x = torch.rand(T, B, I) * 2 - 1
    target = torch.rand(T, B, D * H) * 2 - 1
    fwd, bwd, total, cpu = [], [], [], []
    loss = None
    for r in range(-2, args.reps):  # two warm-up steps, as in rnn.c
        for p in model.parameters():
            p.grad = None
        c0, t0 = time.process_time_ns(), time.perf_counter_ns()
        with torch.set_grad_enabled(not args.infer):
            out = forward(model, cell, args.impl, x)
            loss = None if args.infer else torch.nn.functional.mse_loss(out, target)
        t1 = time.perf_counter_ns()
        if not args.infer:
            loss.backward()
        t2, c2 = time.perf_counter_ns(), time.process_time_ns()
        if args.infer:
            loss = torch.nn.functional.mse_loss(out, target)
        if r >= 0:
            fwd.append((t1 - t0) / 1e6)
            bwd.append((t2 - t1) / 1e6)
            total.append((t2 - t0) / 1e6)
            cpu.append((c2 - c0) / 1e6)
    impl = "torch" if args.impl == "module" else "torch_composed"
    print(
        f"rnn impl={impl} case={name} mode={'infer' if args.infer else 'train'} "
        f"threads={torch.get_num_threads()} reps={args.reps} "
        f"fwd_ms={statistics.median(fwd):.3f} bwd_ms={statistics.median(bwd):.3f} "
        f"ms={statistics.median(total):.3f} min_ms={min(total):.3f} "
        f"cpu_ms={statistics.median(cpu):.3f} loss={loss.item():.5f} peak_mb={peak_mb():.1f}",
        flush=True,
    )


def check():
    """The composed cells against the modules: outputs and gradients, 2 layers, bidirectional."""
    worst = 0.0
    for cell, module in MODULES.items():
        torch.manual_seed(3)
        model = module(4, 6, num_layers=2, bidirectional=True)
        x = torch.rand(5, 3, 4) * 2 - 1
        outs, grads = [], []
        for impl in ("module", "composed"):
            model.zero_grad()
            out = forward(model, cell, impl, x)
            out.square().sum().backward()
            outs.append(out.detach())
            grads.append([p.grad.clone() for p in model.parameters()])
        d = max([(outs[0] - outs[1]).abs().max().item()] +
                [(a - b).abs().max().item() for a, b in zip(*grads)])
        print(f"check {cell}: torch composed against nn module, T=5 B=3 I=4 H=6, 2 layers, "
              f"bidirectional: max |difference| of outputs and gradients {d:.3g}")
        worst = max(worst, d)
    return worst <= 1e-5


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
    ap.add_argument("--mode", choices=["train", "infer"], default="train")
    ap.add_argument("--impl", choices=["module", "composed"], default="module")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    args.infer = args.mode == "infer"
    torch.set_num_threads(args.threads)
    if args.check:
        raise SystemExit(0 if check() else 1)
    for case in CASES:
        if not args.case or case[0] in args.case:
            bench_case(case, args)
    cap = torch.__config__.show().split("CPU capability usage: ")[-1].split()[0]
    print(
        f"torch version={torch.__version__} blas={blas_library()} openblas_core={openblas_core()} "
        f"cpu_capability={cap}"
    )


if __name__ == "__main__":
    main()
