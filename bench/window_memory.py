"""Peak memory of windowing a long event stream: seqrnn's view-based windows vs. what the
original program's one-hot arrays would need.

Builds ``Windows`` over 10 million events with window 100, draws every window once in
batches (as an epoch does), and prints the process's peak RSS (target: under 1.5 GB). The
baseline is measured in the same run: the RSS of the interpreter with torch and the 10M-event
array loaded, before any window exists.

    python bench/window_memory.py [--events 10000000] [--window 100] [--vocab 64]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import torch

from seqrnn.data.windows import Targets, Windows


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--window", type=int, default=100)
    ap.add_argument("--vocab", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=4096)
    args = ap.parse_args()
    stream = np.random.default_rng(0).integers(2, args.vocab, size=args.events)
    before = peak_rss_mb()
    t = time.perf_counter()
    windows = Windows([stream], args.window, targets=Targets.FULL_WINDOW)
    built = time.perf_counter() - t
    seen = 0
    checksum = torch.zeros((), dtype=torch.int64)
    for x, y in windows.batches(args.batch_size, shuffle=True):
        seen += len(y)
        checksum += y.sum() + x[:, -1].sum()  # touch the inputs too
    epoch = time.perf_counter() - t - built
    peak = peak_rss_mb()
    one_hot_gb = 2 * args.events * args.window * args.vocab / 1e9  # bool inputs + targets
    print(f"events={args.events:,} window={args.window} vocabulary={args.vocab}")
    print(f"windows: {len(windows):,} (all drawn once in {epoch:.1f} s; built in {built:.2f} s)")
    print(f"peak RSS before windowing (torch + the raw stream): {before:,.0f} MB")
    print(f"peak RSS after building and drawing every window:  {peak:,.0f} MB  (target < 1500)")
    print(
        f"added by windowing: {peak - before:,.0f} MB "
        f"(flat {windows.flat.numel() * 8 / 1e6:,.0f} MB + starts "
        f"{windows.starts.numel() * 8 / 1e6:,.0f} MB + one shuffled order)"
    )
    print(f"the original's one-hot arrays would need about {one_hot_gb:,.0f} GB")


if __name__ == "__main__":
    main()
