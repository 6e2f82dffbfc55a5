"""Detection throughput: seqrnn's batched, deduplicated scoring vs a per-window batch-1 loop.

    python bench/detect_throughput.py [--model RUN_OR_FILE] [--sample 2000]

Scores the whole HDFS DeepLog test (7,000 normal + 16,838 abnormal sessions) with the same
LSTM both ways:

* seqrnn: ``detect`` (distinct sessions, distinct windows, batches of 4,096 under
  ``inference_mode``), timed end to end (scoring, detector, verdicts, explanations);
* the slow reference, as the original program and DeepLog's public code do it: one model call
  per position with a batch of one window, then the top-g test. Only ``--sample`` windows
  are timed and the time is extrapolated to all windows.

Without ``--model`` a 2x64 LSTM is trained for a few epochs first (speed does not depend on
how well it is trained). Prints both times and the ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from hdfs_deeplog import REPO, test_sessions, train_lstm

from seqrnn.anomaly.sessions import encode_sessions
from seqrnn.anomaly.workflow import DetectConfig, detect
from seqrnn.data.windows import Windows
from seqrnn.models.registry import load_next_symbol_model


def batch_one_loop(model, sessions: list[np.ndarray], sample: int, g: int, seed: int = 0):
    """(seconds for ``sample`` random windows, total windows): the per-window reference."""
    windows = Windows(encode_sessions(model, sessions), model.context_length)
    rows = windows.rows()  # [N, L + 1]
    pick = np.random.default_rng(seed).choice(len(rows), size=min(sample, len(rows)), replace=False)
    began = time.perf_counter()
    flagged = 0
    with torch.inference_mode():
        for i in pick:
            ctx, target = rows[i, :-1][None], int(rows[i, -1])  # [1, L]
            logp = model.next_log_probs(ctx)[0]
            flagged += target not in logp.topk(g).indices.tolist()
    return time.perf_counter() - began, len(rows), len(pick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="LSTM run folder or checkpoint (default: train one).")
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--sample", type=int, default=2000, help="Windows timed in the slow loop.")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    if args.model:
        model = load_next_symbol_model(args.model)
    else:
        model = train_lstm(data / "hdfs_train", 3, tempfile.mkdtemp(prefix="throughput-"))
    test = test_sessions(data)
    config = DetectConfig(g=9)
    head = test.subset(np.arange(200))
    detect(model, head, config)  # warm-up (allocator, first call)
    began = time.perf_counter()
    result = detect(model, test, config)
    fast = time.perf_counter() - began
    slow_sample, windows, timed = batch_one_loop(model, test.sessions, args.sample, config.g)
    slow = slow_sample / timed * windows
    print(
        f"model: {model.describe()}; test: {len(test):,} sessions, {windows:,} windows "
        f"({len(result.scores.distinct):,} distinct sessions)"
    )
    print(
        f"seqrnn detect (batched, deduplicated): {fast:8.2f} s  ({windows / fast:,.0f} windows/s)"
    )
    print(
        f"batch-1 loop, {timed:,} windows timed: {slow_sample:8.2f} s -> {slow:,.1f} s for all "
        f"({windows / slow:,.0f} windows/s)"
    )
    print(f"speed-up: {slow / fast:,.0f}x")


if __name__ == "__main__":
    main()
