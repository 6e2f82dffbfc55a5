"""Held-out normal HDFS sessions: false-positive rate of count- vs distinct-weighted training.

    python bench/hdfs_heldout_fpr.py [--data ../shared/data/hdfs_deeplog] [--folds 5]

The evidence behind ``train-detector``'s default ``window_weights = distinct`` that uses no test
data at all: ``hdfs_train`` (normal sessions only) is split into ``--folds`` folds of sessions;
for each fold, the DeepLog 2x64 LSTM (h = 10, one-hot keys, end marker, 30 epochs) is trained
on the other folds, once per weighting, and the held-out fold is judged with top-g (g = 9).
Every flagged held-out session is a false positive. Prints the flagged sessions per fold, the
pooled false-positive rate of each weighting and their ratio (both trained in the same run).
Normal data cannot measure recall: that needs the labelled test of ``hdfs_deeplog.py``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from hdfs_deeplog import REPO, train_lstm

from seqrnn.anomaly.inputs import read_session_set
from seqrnn.anomaly.workflow import DetectConfig, detect

WEIGHTS = ("count", "distinct")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0, help="Seed of the fold assignment.")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sessions = read_session_set(Path(args.data) / "hdfs_train", 0)
    fold = np.random.default_rng(args.seed).integers(0, args.folds, len(sessions))
    work = Path(tempfile.mkdtemp(prefix="hdfs-heldout-"))
    flagged = {w: 0 for w in WEIGHTS}
    began = time.perf_counter()
    print(f"hdfs_train: {len(sessions):,} normal sessions, {args.folds} folds")
    print("fold  held-out  novel | " + "  ".join(f"FP {w:<8}" for w in WEIGHTS))
    for f in range(args.folds):
        train_part, held = sessions.subset(fold != f), sessions.subset(fold == f)
        path = work / f"train_fold{f}.txt"
        path.write_text("".join(" ".join(map(str, s)) + "\n" for s in train_part.sessions))
        seen = {tuple(s) for s in train_part.sessions}
        novel = sum(tuple(s) not in seen for s in held.sessions)
        counts = []
        for w in WEIGHTS:
            model = train_lstm(path, args.epochs, str(work), weights=w, name=f"fold{f}_{w}")
            n = int(detect(model, held, DetectConfig(g=9)).verdicts.anomalous.sum())
            flagged[w] += n
            counts.append(n)
        print(f"{f:>4}  {len(held):>8,}  {novel:>5} | " + "  ".join(f"{n:>11}" for n in counts))
    rates = {w: flagged[w] / len(sessions) for w in WEIGHTS}
    for w in WEIGHTS:
        print(
            f"{w:<8} weights: {flagged[w]} of {len(sessions):,} held-out sessions flagged, "
            f"FPR {rates[w]:.4%}"
        )
    ratio = rates["count"] / rates["distinct"] if rates["distinct"] else float("inf")
    print(f"FPR ratio count / distinct: {ratio:.2f} ({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
