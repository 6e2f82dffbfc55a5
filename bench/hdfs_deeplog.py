"""HDFS, DeepLog protocol: train on hdfs_train, judge 7,000 normal + 16,838 abnormal sessions.

    python bench/hdfs_deeplog.py [--data ../shared/data/hdfs_deeplog] [--epochs 30] [--out DIR]

Trains the 2x64 LSTM (h = 10) on all 4,855 training sessions (distinct windows weighted by
their counts, with an end-of-session marker), once with one-hot keys as input (DeepLog's
choice) and once with a 16-dimensional embedding, fits the Markov chain and Naive Bayes baselines
on the same sessions, and runs the same detector code (top-g, g = 9) on each. Prints P, R, F1,
FP, FN, and the figures projected to DeepLog's 553,366 normal test sessions
(projected FP = FP rate x 553,366), next to DeepLog's published FP 833, FN 619, F1 0.96.
Timings are wall-clock on whatever machine runs it; say how loaded it was.
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
from seqrnn.workflows import next_symbol as ns

REPO = Path(__file__).resolve().parents[1]
PROJECTED_NORMAL = 553_366


def test_sessions(data: Path) -> SessionSet:
    """The label-0 rows of both logdeep CSVs, then every abnormal session."""
    out = SessionSet()
    for name in ("logdeep_robust_log_train.csv", "logdeep_robust_log_valid.csv"):
        s = read_labelled_csv(data / name)
        keep = np.flatnonzero(s.labels == 0)
        out.extend(
            SessionSet(
                [s.sessions[i] for i in keep],
                [s.source[i] for i in keep],
                [s.line[i] for i in keep],
                s.labels[keep],
            )
        )
    out.extend(read_session_set(data / "hdfs_test_abnormal", 1))
    return out


def train_lstm(data: Path, epochs: int, runs: str, embedding_dim: int = 0):
    """2x64 LSTM, h = 10; ``embedding_dim = 0`` feeds one-hot keys (as DeepLog and the
    original program did)."""
    config = ns.run_config_from_dict(
        {
            "data": {"train": str(data / "hdfs_train"), "window": 10, "val_fraction": 0.0},
            "model": {
                "embedding_dim": embedding_dim,
                "encoder": {"cell": "lstm", "hidden_size": 64, "num_layers": 2},
            },
            "train": {"epochs": epochs, "batch_size": 128, "learning_rate": 0.01, "seed": 0},
            "runs_dir": runs,
            "name": f"hdfs_lstm_emb{embedding_dim}",
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
        f"{name:<38} {m.precision:.4f} {m.recall:.4f} {m.f1:.4f} {m.fp:>5} {m.fn:>5} | "
        f"{p.fp:>6} {p.precision:.4f} {p.f1:.4f} | {seconds:5.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--g", type=int, default=9)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default=None, help="Write the LSTM's report folder here.")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    test = test_sessions(data)
    runs = tempfile.mkdtemp(prefix="hdfs-deeplog-")
    lstms = []
    for embedding_dim in (0, 16):  # one-hot keys (DeepLog's input), then a learned embedding
        began = time.perf_counter()
        lstms.append(train_lstm(data, args.epochs, runs, embedding_dim))
        print(
            f"LSTM 2x64, h=10, {'one-hot' if embedding_dim == 0 else 'embedding 16'} input: "
            f"trained in {time.perf_counter() - began:.1f} s ({args.epochs} epochs)"
        )
    print(f"runs in {runs}")
    print(f"test: {int((test.labels == 0).sum()):,} normal + {int(test.labels.sum()):,} abnormal")
    config = DetectConfig(g=args.g)
    print(
        f"{'model (top-g, g=' + str(args.g) + ')':<38} P      R      F1     FP    FN    | "
        "projFP projP  projF1 | detect"
    )
    named = [(f"{lstms[0].describe()}, one-hot", lstms[0])]
    named += [(f"{lstms[1].describe()}, emb. 16", lstms[1])]
    named += [(b.describe(), b) for b in baselines(data)]
    for name, model in named:
        began = time.perf_counter()
        result = detect(model, test, config)
        seconds = time.perf_counter() - began
        print(row(name, result.metrics, seconds))
        if model is lstms[0] and args.out:
            write_report(args.out, result, test, model, PROJECTED_NORMAL)
    print(f"{'DeepLog (paper)':<38}   -      -    0.96     -     - |    833 -      0.96   |")


if __name__ == "__main__":
    main()
