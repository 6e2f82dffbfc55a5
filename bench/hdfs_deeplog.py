"""HDFS, DeepLog protocol: train on hdfs_train, judge 7,000 normal + 16,838 abnormal sessions.

    python bench/hdfs_deeplog.py [--data ../shared/data/hdfs_deeplog] [--epochs 30]
                                 [--seeds 0,1,2,3,4] [--out DIR]

Trains the 2x64 LSTM (h = 10, one-hot keys as input, as DeepLog) on all 4,855 training
sessions with an end-of-session marker, as ``seqrnn train-detector`` does: on the distinct
(window, next key) rows, each once (``window_weights = distinct``, the default), once per seed
in ``--seeds``; then, for comparison, with seed 0: the same net with count weights (the
likelihood of all windows, DeepLog's loss) and a 16-dimensional embedding instead of one-hot.
Fits the Markov chain and Naive Bayes baselines on the same sessions and runs the same detector
code (top-g, g = 9) on each. Prints P, R, F1, FP, FN, and the figures projected to DeepLog's
553,366 normal test sessions (projected FP = FP rate x 553,366), the mean over seeds, and
DeepLog's published FP 833, FN 619, F1 0.96. Timings are wall-clock on whatever machine runs it;
say how loaded it was.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from seqrnn.anomaly.inputs import SessionSet, read_labelled_csv, read_session_set
from seqrnn.anomaly.report import write_report
from seqrnn.anomaly.sessions import with_end_marker
from seqrnn.anomaly.training import train_distinct
from seqrnn.anomaly.workflow import DetectConfig, detect
from seqrnn.data.readers import read_sessions
from seqrnn.data.vocab import Vocabulary
from seqrnn.models.markov import MarkovModel
from seqrnn.models.naive_bayes import NaiveBayesModel
from seqrnn.next_symbol import training as ns

REPO = Path(__file__).resolve().parents[1]
PROJECTED_NORMAL = 553_366


def test_sessions(data: Path) -> SessionSet:
    """The label-0 rows of both logdeep CSVs, then every abnormal session."""
    out = SessionSet()
    for name in ("logdeep_robust_log_train.csv", "logdeep_robust_log_valid.csv"):
        s = read_labelled_csv(data / name)
        out.extend(s.subset(s.labels == 0))
    out.extend(read_session_set(data / "hdfs_test_abnormal", 1))
    return out


def train_lstm(
    train: Path,
    epochs: int,
    runs: str,
    embedding_dim: int = 0,
    weights: str = "distinct",
    seed: int = 0,
    name: str | None = None,
):
    """The protocol's 2x64 LSTM (h = 10) trained on the sessions of ``train`` as
    ``train-detector`` does; ``embedding_dim = 0`` feeds one-hot keys (as DeepLog and the
    original program did)."""
    config = ns.run_config_from_dict(
        {
            "data": {
                "train": str(train),
                "window": 10,
                "val_fraction": 0.0,
                "window_weights": weights,
            },
            "model": {
                "embedding_dim": embedding_dim,
                "encoder": {"cell": "lstm", "hidden_size": 64, "num_layers": 2},
            },
            "train": {"epochs": epochs, "batch_size": 128, "learning_rate": 0.01, "seed": seed},
            "runs_dir": runs,
            "name": name or f"hdfs_lstm_emb{embedding_dim}_{weights}_seed{seed}",
        }
    )
    return train_distinct(config).model


def baselines(data: Path) -> list:
    raw = with_end_marker(read_sessions(data / "hdfs_train"))
    vocab = Vocabulary.build(raw)
    enc = [vocab.encode(s) for s in raw]
    return [
        MarkovModel.fit(enc, vocab, 1, 1.0),
        MarkovModel.fit(enc, vocab, 3, 0.1),
        NaiveBayesModel.fit(enc, vocab, 10, 1.0),
    ]


def row(name: str, m, seconds: float) -> str:
    p = m.projected(PROJECTED_NORMAL)
    return (
        f"{name:<40} {m.precision:.4f} {m.recall:.4f} {m.f1:.4f} {m.fp:>5} {m.fn:>5} | "
        f"{p.fp:>6} {p.precision:.4f} {p.f1:.4f} | {seconds:5.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seeds", default="0,1,2,3,4", help="Training seeds of the main LSTM.")
    parser.add_argument("--g", type=int, default=9)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="Write the seed-0 LSTM's report folder here.")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    test = test_sessions(data)
    runs = tempfile.mkdtemp(prefix="hdfs-deeplog-")
    seeds = [int(s) for s in args.seeds.split(",")]
    variants = [("one-hot, distinct", 0, "distinct", s) for s in seeds]
    variants += [
        ("one-hot, count", 0, "count", seeds[0]),
        ("emb. 16, distinct", 16, "distinct", seeds[0]),
    ]
    named = []
    for label, embedding_dim, weights, seed in variants:
        began = time.perf_counter()
        model = train_lstm(data / "hdfs_train", args.epochs, runs, embedding_dim, weights, seed)
        seconds = time.perf_counter() - began
        print(
            f"LSTM 2x64, h=10, {label}, seed {seed}: "
            f"trained in {seconds:.1f} s ({args.epochs} epochs)"
        )
        named.append((f"LSTM 2x64 {label}, seed {seed}", model))
    print(f"runs in {runs}")
    print(f"test: {int((test.labels == 0).sum()):,} normal + {int(test.labels.sum()):,} abnormal")
    config = DetectConfig(g=args.g)
    print(
        f"{'model (top-g, g=' + str(args.g) + ')':<40} P      R      F1     FP    FN    | "
        "projFP projP  projF1 | detect"
    )
    named += [(b.describe(), b) for b in baselines(data)]
    projected = []
    for i, (name, model) in enumerate(named):
        began = time.perf_counter()
        result = detect(model, test, config)
        seconds = time.perf_counter() - began
        print(row(name, result.metrics, seconds))
        if i < len(seeds):
            projected.append(result.metrics.projected(PROJECTED_NORMAL).f1)
        if i == 0 and args.out:
            write_report(args.out, result, test, model, PROJECTED_NORMAL)
    print(f"{'DeepLog (paper)':<40}   -      -    0.96     -     - |    833 -      0.96   |")
    f1 = np.array(projected)
    print(
        f"one-hot distinct LSTM over seeds {args.seeds}: projected F1 mean {f1.mean():.4f}, "
        f"median {np.median(f1):.4f}, min {f1.min():.4f}, max {f1.max():.4f}"
    )


if __name__ == "__main__":
    main()
