"""Labelled evaluation of session verdicts: confusion counts, P/R/F1/FPR, PR curve, projection.

Every session counts once, duplicates included: deduplication is only how the scores were
computed (:mod:`seqrnn.anomaly.sessions`), never a change to the metric.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_curve

from seqrnn.errors import InputError


@dataclass(frozen=True)
class DetectionMetrics:
    """Session-level detection figures (abnormal = positive class)."""

    sessions: int
    normal: int
    abnormal: int
    tp: int
    fp: int
    tn: int
    fn: int
    precision: float
    recall: float
    f1: float
    fpr: float  # false-positive rate: FP / normal sessions

    def to_dict(self) -> dict:
        return asdict(self)

    def projected(self, normal_sessions: int) -> DetectionMetrics:
        """The same rates on a test set with ``normal_sessions`` normal sessions (and the same
        abnormal ones): FP = FPR x normal_sessions, as when a sample of the normal test set was
        scored (DeepLog's HDFS test has 553,366 normal sessions)."""
        fp = self.fpr * normal_sessions
        precision = _ratio(self.tp, self.tp + fp)
        return DetectionMetrics(
            sessions=normal_sessions + self.abnormal,
            normal=normal_sessions,
            abnormal=self.abnormal,
            tp=self.tp,
            fp=round(fp),
            tn=round(normal_sessions - fp),
            fn=self.fn,
            precision=precision,
            recall=self.recall,
            f1=_f1(precision, self.recall),
            fpr=self.fpr,
        )


def evaluate(anomalous: np.ndarray, labels: np.ndarray) -> DetectionMetrics:
    """``anomalous [S]`` verdicts against ``labels [S]`` (1 = abnormal), every session counted."""
    anomalous = np.asarray(anomalous, dtype=bool)
    labels = np.asarray(labels, dtype=bool)
    if anomalous.shape != labels.shape:
        raise InputError(f"{len(labels)} labels for {len(anomalous)} sessions")
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(labels, anomalous, labels=[0, 1]).ravel())
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return DetectionMetrics(
        sessions=len(labels),
        normal=tn + fp,
        abnormal=tp + fn,
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        fpr=_ratio(fp, fp + tn),
    )


def pr_curve(session_scores: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Precision and recall for every threshold over the session scores (flag = score >=
    threshold). ``+inf`` scores (unknown keys, too-short sessions) are flagged at every
    threshold; they are drawn as a value above the largest finite score."""
    scores = np.asarray(session_scores, dtype=np.float64).copy()
    finite = scores[np.isfinite(scores)]
    top = (finite.max() if finite.size else 0.0) + 1.0
    low = (finite.min() if finite.size else 0.0) - 1.0
    scores[np.isposinf(scores)] = top
    scores[np.isneginf(scores)] = low
    precision, recall, thresholds = precision_recall_curve(np.asarray(labels, dtype=int), scores)
    return pd.DataFrame(
        {"threshold": thresholds, "precision": precision[:-1], "recall": recall[:-1]}
    )


def _ratio(a: float, b: float) -> float:
    return float(a / b) if b else 0.0


def _f1(p: float, r: float) -> float:
    return float(2 * p * r / (p + r)) if p + r else 0.0
