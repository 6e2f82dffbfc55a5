"""Training throughput: seqrnn's Trainer against a bare PyTorch loop on the same model.

Model: embedding 64, 2-layer LSTM 256, window 64, batch 64, vocabulary 64 (62 symbols +
pad/unk), next-symbol targets, Adam, gradient clipping in both. The two loops run alternately
(ABAB...) in the same process so that machine noise hits both alike; the script prints the
median tokens/s of each and their ratio (target: >= 0.95).

    python bench/train_throughput.py [--batches 60] [--rounds 5] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

from seqrnn.data.windows import Targets, Windows
from seqrnn.next_symbol.task import NextSymbolTask, WindowBatches
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet
from seqrnn.train.config import TrainConfig
from seqrnn.train.trainer import Trainer

V, EMB, H, LAYERS, L, B = 64, 64, 256, 2, 64, 64


def make_net(seed: int) -> NextSymbolNet:
    torch.manual_seed(seed)
    enc = EncoderConfig(hidden_size=H, num_layers=LAYERS)
    return NextSymbolNet(NextSymbolConfig(vocab_size=V, embedding_dim=EMB, encoder=enc))


class Limited:
    """The first ``n`` batches of a window source, as a trainer batch source."""

    def __init__(self, source: WindowBatches, n: int):
        self.source, self.n = source, n

    def batches(self, epoch: int):
        for i, b in enumerate(self.source.batches(epoch)):
            if i == self.n:
                return
            yield b

    def __len__(self) -> int:
        return self.n


def run_seqrnn(windows: Windows, n: int) -> float:
    cfg = TrainConfig(epochs=1, batch_size=B, learning_rate=1e-3, grad_clip=5.0, device="cpu")
    trainer = Trainer(cfg)  # no run folder: measure the loop, not checkpoint writing
    t = time.perf_counter()
    trainer.fit(make_net(0), NextSymbolTask(), Limited(WindowBatches(windows, B, True), n))
    return n * B * L / (time.perf_counter() - t)


def run_bare(windows: Windows, n: int) -> float:
    """The loop everyone writes first: same data order source, same model, same optimizer."""
    net = make_net(0)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    net.train()
    t = time.perf_counter()
    for i, (x, y) in enumerate(windows.batches(B, shuffle=True)):
        if i == n:
            break
        opt.zero_grad(set_to_none=True)
        logits, _ = net(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
        opt.step()
    return n * B * L / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    stream = np.random.default_rng(0).integers(2, V, size=200_000)
    windows = Windows([stream], L, targets=Targets.FULL_WINDOW)
    run_bare(windows, 5), run_seqrnn(windows, 5)  # warm-up
    bare, ours = [], []
    for r in range(args.rounds):
        bare.append(run_bare(windows, args.batches))
        ours.append(run_seqrnn(windows, args.batches))
        print(f"round {r + 1}: bare {bare[-1]:,.0f} tok/s  seqrnn {ours[-1]:,.0f} tok/s")
    mb, mo = statistics.median(bare), statistics.median(ours)
    print(f"threads={args.threads} batches/round={args.batches} rounds={args.rounds}")
    print(f"bare PyTorch loop: {mb:,.0f} tokens/s (median)")
    print(f"seqrnn Trainer:    {mo:,.0f} tokens/s (median)")
    print(f"ratio seqrnn/bare: {mo / mb:.3f}  (target >= 0.95)")


if __name__ == "__main__":
    main()
