"""Training throughput: seqrnn's Trainer against a bare PyTorch loop on the same model.

Model: embedding 64, 2-layer LSTM 256, window 64, batch 64, vocabulary 64 (62 symbols +
pad/unk), next-symbol targets, Adam, gradient clipping in all. Three loops run in turn
(ABCABC...) in the same process so that machine noise hits them alike: the bare float32 loop,
the Trainer with ``precision="fp32"`` and the Trainer with ``precision="auto"`` (the default:
bf16 autocast where the CPU has AMX / AVX-512 BF16 units or the GPU supports bf16, float32
elsewhere). It prints the median tokens/s of each and the ratios to the bare loop (targets:
fp32/fp32 >= 0.95; auto/bare-fp32 >= 1.8 where bf16 hardware exists). Where auto resolves to
float32 the auto row measures the same arithmetic as the fp32 row, and the script says so.

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
from seqrnn.train.precision import Precision, use_bf16
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


def run_seqrnn(windows: Windows, n: int, precision: Precision) -> float:
    cfg = TrainConfig(
        epochs=1, batch_size=B, learning_rate=1e-3, grad_clip=5.0, device="cpu", precision=precision
    )
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
    auto_bf16 = use_bf16(Precision.AUTO, torch.device("cpu"))
    loops = {
        "bare": lambda n: run_bare(windows, n),
        "fp32": lambda n: run_seqrnn(windows, n, Precision.FP32),
        "auto": lambda n: run_seqrnn(windows, n, Precision.AUTO),
    }
    for run in loops.values():  # warm-up
        run(5)
    rates: dict[str, list[float]] = {name: [] for name in loops}
    for r in range(args.rounds):
        for name, run in loops.items():
            rates[name].append(run(args.batches))
        cells = "  ".join(f"{name} {rates[name][-1]:,.0f}" for name in loops)
        print(f"round {r + 1}: {cells} tok/s")
    print(f"threads={args.threads} batches/round={args.batches} rounds={args.rounds}")
    report({name: statistics.median(v) for name, v in rates.items()}, auto_bf16)


def report(med: dict[str, float], auto_bf16: bool) -> None:
    """Print the medians and the ratios to the bare float32 loop."""
    print(f"precision auto resolves to: {'bf16 autocast' if auto_bf16 else 'fp32'} on this CPU")
    print(f"bare PyTorch loop (fp32):  {med['bare']:,.0f} tokens/s (median)")
    print(f"seqrnn Trainer, fp32:      {med['fp32']:,.0f} tokens/s (median)")
    print(f"seqrnn Trainer, auto:      {med['auto']:,.0f} tokens/s (median)")
    print(f"ratio fp32 Trainer / bare fp32: {med['fp32'] / med['bare']:.3f}  (target >= 0.95)")
    auto_ratio = med["auto"] / med["bare"]
    if auto_bf16:
        print(f"ratio auto Trainer / bare fp32: {auto_ratio:.3f}  (target >= 1.8)")
    else:
        print(
            f"ratio auto Trainer / bare fp32: {auto_ratio:.3f}  (auto = fp32 here: no bf16 units, "
            "so the >= 1.8 target cannot be measured on this machine)"
        )


if __name__ == "__main__":
    main()
