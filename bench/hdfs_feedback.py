"""HDFS: feedback from an operator (sessions marked normal) on a detector trained on little data.

    OMP_NUM_THREADS=1 python bench/hdfs_feedback.py [--train-sessions 100] [--feedback 50]
                                                   [--g 9] [--data DIR]

Trains the default ``train-detector`` recipe on ``--train-sessions`` random sessions of
``hdfs_train`` (NumPy seed 0, the same draw as ``bench/hdfs_calibration.py``), judges the 7,000
normal test sessions with top-``g`` (9, the default; a smaller ``--g`` flags more normal
sessions, as a weaker model would), and takes ``--feedback`` of the flagged ones at random
(seed 1; all of them when fewer are flagged) as the operator's "these are normal" file.
``update_from_feedback`` (what ``seqrnn detect --feedback`` calls) then keeps them in a new run,
once per scope: ``session`` (a session is forgiven only when one marked session holds every
transition flagged in it), ``path`` (only when it follows one marked session event for event
up to its last flagged event), ``exact`` (the default: only when it equals one marked session) and
``transition`` (each marked transition is allowed after its window in any session). Printed
before and, per scope, after, in the same run: the false-positive rate on the *other* normal
test sessions (not fed back: how far each scope generalises; after, with how many of them were
not flagged before), the recall on the 16,838 abnormal ones, how many of the fed-back sessions
are still flagged, and the seconds the update took. Of the abnormal sessions that pass, it
counts how many are identical to a marked session and how many follow one up to its end and go
on (the marked session is a prefix).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from seqrnn.anomaly import DetectConfig, detect, detector_config_from_dict, train_detector
from seqrnn.anomaly.detectors import TopG
from seqrnn.anomaly.feedback import FeedbackConfig, update_from_feedback
from seqrnn.anomaly.inputs import SessionSet, read_labelled_csv, read_session_set
from seqrnn.data.readers import read_sessions
from seqrnn.models.allow_list import FeedbackScope

REPO = Path(__file__).resolve().parents[1]


def normal_and_abnormal(data: Path) -> tuple[SessionSet, SessionSet]:
    normal = SessionSet()
    for name in ("logdeep_robust_log_train.csv", "logdeep_robust_log_valid.csv"):
        s = read_labelled_csv(data / name)
        normal.extend(s.subset(s.labels == 0))
    return normal, read_session_set(data / "hdfs_test_abnormal", 1)


def figures(
    model, config: DetectConfig, normal: SessionSet, others, abnormal, fed, was=None
) -> tuple[str, np.ndarray, np.ndarray]:
    """The line of figures, which normal sessions are flagged and which abnormal ones are
    caught; with ``was`` (those flagged before), how many of the other normal sessions are
    flagged now and were not before."""
    flagged = detect(model, normal, config).verdicts.anomalous
    caught = detect(model, abnormal, config).verdicts.anomalous
    fpr = flagged[others].mean()
    new = "" if was is None else f", newly flagged {int((flagged & ~was)[others].sum())}"
    line = (
        f"FPR on the {len(others):,} other normal sessions {fpr:.4f} "
        f"(FP {int(flagged[others].sum())}{new}), recall {caught.mean():.4f} "
        f"({int(caught.sum()):,} of {len(caught):,}), "
        f"fed-back sessions still flagged {int(flagged[fed].sum())} of {len(fed)}"
    )
    return line, flagged, caught


def passing(caught: np.ndarray, abnormal: SessionSet, marked: list[np.ndarray]) -> str:
    """How the abnormal sessions that pass (not ``caught``) relate to the marked (normal)
    sessions."""
    missed = ~caught
    keys = [tuple(np.asarray(m).tolist()) for m in marked]
    same = extends = 0
    for i in np.flatnonzero(missed):
        s = tuple(np.asarray(abnormal.sessions[i]).tolist())
        same += s in keys
        extends += s not in keys and any(s[: len(k)] == k for k in keys)
    return (
        f"  abnormal sessions passing: {int(missed.sum()):,}; identical to a marked session "
        f"{same:,}, a marked session followed to its end and then more {extends:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data" / "hdfs_deeplog"))
    parser.add_argument("--train-sessions", type=int, default=100)
    parser.add_argument("--feedback", type=int, default=50)
    parser.add_argument("--g", type=int, default=9, help="top-g detector (9: the default)")
    args = parser.parse_args()
    judged = DetectConfig(g=args.g)
    torch.set_num_threads(1)
    data = Path(args.data)
    full = read_sessions(data / "hdfs_train", integer=True)
    pick = np.random.default_rng(0).choice(len(full), args.train_sessions, replace=False)
    tmp = Path(tempfile.mkdtemp(prefix="hdfs-feedback-"))
    train_file = tmp / f"hdfs_train_{args.train_sessions}.txt"
    train_file.write_text("".join(" ".join(map(str, full[i])) + "\n" for i in sorted(pick)))
    config = detector_config_from_dict(
        {"data": {"train": str(train_file)}, "runs_dir": str(tmp), "name": "small"}
    )
    trained = train_detector(config)
    normal, abnormal = normal_and_abnormal(data)
    flagged = np.flatnonzero(detect(trained.model, normal, judged).verdicts.anomalous)
    fed = np.sort(np.random.default_rng(1).choice(flagged, min(args.feedback, len(flagged)), False))
    others = np.setdiff1d(np.arange(len(normal)), fed)
    print(
        f"model from {args.train_sessions} sessions, top-{args.g}: {len(flagged):,} of "
        f"{len(normal):,} normal test sessions flagged; feeding back {len(fed)} of them"
    )
    line, was, _ = figures(trained.model, judged, normal, others, abnormal, fed)
    print(f"before: {line}")
    marked = [normal.sessions[i] for i in fed]
    for scope in FeedbackScope:
        began, cpu = time.perf_counter(), time.process_time()
        config = FeedbackConfig(scope=scope, name=f"small-feedback-{scope.value}")
        update = update_from_feedback(trained.run_dir, marked, TopG(args.g), config)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        line, _, caught = figures(update.model, judged, normal, others, abnormal, fed, was)
        print(f"after, {scope.value} scope: {line}")
        print(passing(caught, abnormal, marked))
        print(
            f"  update: {seconds:.2f} s ({cpu:.2f} s CPU), {update.record['marked_sessions']} "
            f"distinct marked sessions, {update.record['new_rows']} transitions kept; "
            f"wrote {update.run_dir}"
        )


if __name__ == "__main__":
    main()
