#!/usr/bin/python3
"""The PyTorch peer of `recur lm train`'s defaults (Zaremba et al. 2014's small model): the same
vocabulary order, stream layout, initialisation range, loss (summed over the unroll, averaged
over the batch), SGD, clip and schedule. Prints one line per epoch like recur does; with
--max-segments it stops each epoch early, for a per-token speed comparison (bench/run_lm.sh).
--chars reads characters as recur lm --chars does (spaces are tokens, every line, empty ones too,
ends with <eos>); --hidden, --layers, --bptt, --batch, --optimizer, --lr, --lr-flat and
--lr-decay follow recur lm's options of the same names.
Usage: lm_torch.py TRAIN VALID [--epochs N] [--max-segments N] [--threads N] [--chars] ..."""
import argparse
import math
import time

import torch
import torch.nn as nn


def tokens_of(line, chars):
    """The tokens of one line and its <eos>; None for a line that is skipped (words: empty)."""
    if chars:
        return list(line.rstrip("\n")) + ["<eos>"]
    words = line.split()
    return words + ["<eos>"] if words else None


def read_vocab(path, chars):
    counts = {}
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            toks = tokens_of(line, chars)
            if toks is None:
                continue
            for w in toks:
                counts[w] = counts.get(w, 0) + 1
    specials = ["<unk>", "<eos>"]
    rest = sorted((w for w in counts if w not in specials), key=lambda w: (-counts[w], w.encode()))
    return {w: i for i, w in enumerate(specials + rest)}


def read_ids(path, vocab, chars):
    ids = []
    with open(path, encoding="utf-8", newline="\n") as f:
        for line in f:
            toks = tokens_of(line, chars)
            if toks is not None:
                ids.extend(vocab.get(w, 0) for w in toks)
    return torch.tensor(ids, dtype=torch.long)


def columns(ids, batch):
    steps = len(ids) // batch
    return ids[: steps * batch].view(batch, steps).t().contiguous()  # [steps, batch]


class Model(nn.Module):
    def __init__(self, V, H, layers):
        super().__init__()
        self.embed = nn.Embedding(V, H)
        self.rnn = nn.LSTM(H, H, layers)
        self.head = nn.Linear(H, V)
        for p in self.parameters():
            nn.init.uniform_(p, -0.1, 0.1)

    def forward(self, x, state):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out.reshape(-1, out.size(-1))), state


def evaluate(model, data, bptt):
    model.eval()
    nll, tokens, state = 0.0, 0, None
    with torch.no_grad():
        for i in range(0, data.size(0) - 1, bptt):
            n = min(bptt, data.size(0) - 1 - i)
            logits, state = model(data[i : i + n], state)
            nll += nn.functional.cross_entropy(logits, data[i + 1 : i + 1 + n].reshape(-1),
                                               reduction="sum").item()
            tokens += n * data.size(1)
    return math.exp(nll / tokens)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("valid")
    ap.add_argument("--epochs", type=int, default=13)
    ap.add_argument("--max-segments", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--chars", action="store_true")
    ap.add_argument("--hidden", type=int, default=200)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--bptt", type=int, default=20)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--optimizer", choices=["sgd", "adam", "rmsprop"], default="sgd")
    ap.add_argument("--lr", type=float, default=1.0)
    ap.add_argument("--lr-flat", type=int, default=5)
    ap.add_argument("--lr-decay", type=float, default=0.5)
    ap.add_argument("--eval-batch", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    vocab = read_vocab(a.train, a.chars)
    bptt, batch = a.bptt, a.batch
    train = columns(read_ids(a.train, vocab, a.chars), batch)
    valid = columns(read_ids(a.valid, vocab, a.chars), a.eval_batch)
    model = Model(len(vocab), a.hidden, a.layers)
    make = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}[a.optimizer]
    opt = make(model.parameters(), lr=a.lr)
    for epoch in range(1, a.epochs + 1):
        lr = a.lr * a.lr_decay ** max(0, epoch - a.lr_flat)
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        t0, nll, tokens, state = time.time(), 0.0, 0, None
        for k, i in enumerate(range(0, train.size(0) - 1, bptt)):
            if a.max_segments and k >= a.max_segments:
                break
            n = min(bptt, train.size(0) - 1 - i)
            state = None if state is None else tuple(s.detach() for s in state)
            opt.zero_grad()
            logits, state = model(train[i : i + n], state)
            mean = nn.functional.cross_entropy(logits, train[i + 1 : i + 1 + n].reshape(-1))
            (mean * n).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            nll += mean.item() * n * batch
            tokens += n * batch
        seconds = time.time() - t0
        v = evaluate(model, valid, bptt) if not a.max_segments else float("nan")
        bpc = f"  valid bpc {math.log2(v):.4f}" if a.chars and v == v else ""
        print(f"torch epoch {epoch:3d}  lr {lr:<8.4g}  train ppl {math.exp(nll / tokens):8.2f}  "
              f"valid ppl {v:8.2f}  {seconds:7.1f} s  {tokens / seconds:8.0f} tokens/s{bpc}",
              flush=True)


if __name__ == "__main__":
    main()
