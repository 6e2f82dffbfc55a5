"""Speed of the NumPy reference's hand-written BPTT against PyTorch autograd, same run.

One training step's worth of work (forward over ``T`` steps, cross-entropy, backward) on a
one-layer network over one-hot symbols, float64, CPU, for each cell. The baseline is
``torch.nn.{RNN,LSTM,GRU}`` + ``nn.Linear`` with autograd (same weights, same sizes, one
thread for both). The reference exists to be read and to check against, not to be fast; this
says how much slower it is, so nobody mistakes it for a training engine.

    python bench/reference_vs_torch.py [--batch 32] [--steps 25] [--hidden 128] [--vocab 65]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqrnn.reference.bridge import network_from_torch

MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def best_of(fn, repeats: int) -> float:
    """Fastest of ``repeats`` runs, seconds (least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--vocab", type=int, default=65)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    ids = rng.integers(1, args.vocab, size=(args.batch, args.steps))
    targets = rng.integers(1, args.vocab, size=(args.batch, args.steps))
    x = F.one_hot(torch.as_tensor(ids), args.vocab).double()
    y = torch.as_tensor(targets).reshape(-1)
    print(f"B={args.batch} T={args.steps} H={args.hidden} V={args.vocab}, float64, 1 thread")
    print(f"{'cell':<5} {'numpy ms':>9} {'torch ms':>9} {'numpy/torch':>12}")
    for name, cls in MODULES.items():
        rnn = cls(args.vocab, args.hidden, batch_first=True, dtype=torch.float64)
        readout = nn.Linear(args.hidden, args.vocab, dtype=torch.float64)
        net = network_from_torch(rnn, readout)

        def torch_step(rnn=rnn, readout=readout) -> None:
            rnn.zero_grad()
            readout.zero_grad()
            logits = readout(rnn(x)[0])
            F.cross_entropy(logits.reshape(-1, args.vocab), y).backward()

        ours = best_of(lambda net=net: net.loss_and_grads(ids, targets), args.repeats)
        theirs = best_of(torch_step, args.repeats)
        print(f"{name:<5} {ours * 1e3:>9.2f} {theirs * 1e3:>9.2f} {ours / theirs:>12.2f}")


if __name__ == "__main__":
    main()
