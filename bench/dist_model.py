#!/usr/bin/env python3
"""The communication model of docs/distributed.md: bytes each rank sends per training step of
the PTB word-level LSTMs (Zaremba et al. 2014) under recur's data-parallel scheme, and the time
at a given link speed for 2 to 64 ranks.

Per step, rc_dist_average_grads reduces the dense gradients (the LSTM layers, the read-out) with
a ring allreduce, which sends about 2(N-1)/N of them per rank, and the embedding table as its
touched rows: the row ids gathered from every rank, then an allreduce over their union (at most
min(N * batch * bptt, V) rows). A latency of 5 us per ring step is added. Usage:
bench/dist_model.py [--batch 20] [--bptt 35] [--latency-us 5]."""
import argparse

MODELS = {"small": (10000, 200, 200), "medium": (10000, 650, 650), "large": (10000, 1500, 1500)}
RANKS = (2, 4, 8, 16, 32, 64)
LINKS = (10, 25, 100)


def sizes(V, E, H, layers=2):
    lstm, width = 0, E
    for _ in range(layers):
        lstm += 4 * H * (width + H) + 2 * 4 * H
        width = H
    return lstm, V * H + V


def step_seconds(V, E, H, N, gbit, batch, bptt, latency):
    lstm, head = sizes(V, E, H)
    bw = gbit * 1e9 / 8
    dense = 4 * (lstm + head)
    rows = min(batch * bptt, V)
    union = min(N * rows, V)
    t = 2 * (N - 1) / N * dense / bw + 2 * (N - 1) * latency
    t += (N - 1) * rows * 4 / bw + 2 * (N - 1) / N * union * E * 4 / bw + 2 * (N - 1) * latency
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--bptt", type=int, default=35)
    ap.add_argument("--latency-us", type=float, default=5.0)
    a = ap.parse_args()
    print("| model | dense gradient MB | embedding rows MB | link | " +
          " | ".join(f"N={n}" for n in RANKS) + " |")
    print("|---|---:|---:|---|" + "---:|" * len(RANKS))
    for name, (V, E, H) in MODELS.items():
        lstm, head = sizes(V, E, H)
        rows = min(a.batch * a.bptt, V)
        for gbit in LINKS:
            ms = [1e3 * step_seconds(V, E, H, n, gbit, a.batch, a.bptt, a.latency_us * 1e-6)
                  for n in RANKS]
            print(f"| {name} | {4 * (lstm + head) / 1e6:.1f} | {rows * E * 4 / 1e6:.2f} | "
                  f"{gbit} Gbit/s | " + " | ".join(f"{m:.1f} ms" for m in ms) + " |")


if __name__ == "__main__":
    main()
