"""Detectors: per-position scores -> flags, and the rule that turns flags into a session verdict.

Scorer, detector, aggregator are three pieces (as darts' ``ad/scorers``, ``ad/detectors``,
``ad/aggregators``). The scorer is :func:`seqrnn.evaluation.scoring.score_sequences`, shared by
every model. A detector reads one number per position, higher = more anomalous, and flags it
when it exceeds the detector's threshold:

* :class:`TopG` (DeepLog): the rank of the key that came; flagged when it is not among the
  ``g`` most likely keys (rank > g);
* :class:`NllThreshold`: ``-log p`` of the key that came, flagged above a threshold;
* :func:`fit_quantile` / :func:`fit_best_f1`: either detector with its threshold chosen from
  validation data (a quantile of normal sessions' scores, or the best F1 on labelled ones).

A key never seen in training (``UNK``) scores ``+inf`` whatever the detector, as in DeepLog.
:class:`SessionAggregator` makes a session's score the maximum of its positions' scores, so a
session is anomalous exactly when one of its positions is; sessions too short to fill one
window are anomalous too (DeepLog pads them with a key the model never predicts).
"""

from __future__ import annotations

import abc
import enum

import numpy as np

from seqrnn.data.vocab import UNK
from seqrnn.errors import ConfigError
from seqrnn.evaluation.scoring import PositionScores


class Method(enum.StrEnum):
    """How the threshold is set."""

    TOP_G = "top_g"  # rank > g (DeepLog)
    NLL = "nll"  # -log p > threshold
    QUANTILE = "quantile"  # -log p threshold = a quantile of normal validation sessions
    BEST_F1 = "best_f1"  # -log p threshold with the best F1 on labelled validation sessions


class Detector(abc.ABC):
    """Per-position anomaly score and a threshold; a position is flagged when score > threshold."""

    threshold: float

    @abc.abstractmethod
    def raw_scores(self, scores: PositionScores) -> np.ndarray:
        """``[N]`` the detector's own statistic per position."""

    def position_scores(self, scores: PositionScores) -> np.ndarray:
        """``[N]`` float64, higher = more anomalous; unknown keys score ``+inf``."""
        out = self.raw_scores(scores).astype(np.float64)
        out[scores.target == UNK] = np.inf
        return out

    def flags(self, scores: PositionScores) -> np.ndarray:
        """``[N]`` bool: which positions are anomalous."""
        return self.position_scores(scores) > self.threshold

    def with_threshold(self, threshold: float) -> Detector:
        """The same statistic with another threshold."""
        return type(self)(threshold)

    @abc.abstractmethod
    def describe(self) -> str:
        """One line for reports."""


class TopG(Detector):
    """DeepLog: the key that came must be among the model's ``g`` most likely keys."""

    def __init__(self, g: float = 9):
        if g < 1:
            raise ConfigError(f"g must be a positive integer, got {g}")
        self.threshold = float(g)

    @property
    def g(self) -> int:
        return int(self.threshold)

    def raw_scores(self, scores: PositionScores) -> np.ndarray:
        return scores.rank

    def describe(self) -> str:
        return f"top-g, g = {self.g}"


class NllThreshold(Detector):
    """The key that came must have ``-log p <= threshold`` (nats)."""

    def __init__(self, threshold: float):
        if not np.isfinite(threshold) or threshold < 0:
            raise ConfigError(f"the -log p threshold must be a number >= 0, got {threshold}")
        self.threshold = float(threshold)

    def raw_scores(self, scores: PositionScores) -> np.ndarray:
        return scores.nll

    def describe(self) -> str:
        return f"-log p > {self.threshold:.4g} (p < {np.exp(-self.threshold):.3g})"


class SessionAggregator:
    """Session score = max of its positions' scores; too-short sessions score ``+inf``.

    ``min_length`` is the fewest keys a normal session can have; DeepLog's rule is ``h + 1``
    (one full window and the key after it). ``0`` turns the rule off; empty sessions are always
    anomalous (there is nothing normal about a session without events).
    """

    def __init__(self, min_length: int):
        if min_length < 0:
            raise ConfigError(f"min_length must be >= 0, got {min_length}")
        self.min_length = max(min_length, 1)

    def session_scores(
        self, position_scores: np.ndarray, scores: PositionScores, lengths: np.ndarray
    ) -> np.ndarray:
        """``[S]`` float64 per session (``lengths [S]``); sessions with nothing scored get
        ``-inf`` (nothing to object to) unless they are too short."""
        out = np.full(len(lengths), -np.inf)
        np.maximum.at(out, scores.sequence, position_scores)
        out[lengths < self.min_length] = np.inf
        return out


def fit_quantile(
    detector: Detector, normal_session_scores: np.ndarray, quantile: float
) -> Detector:
    """Threshold = the ``quantile`` of the normal validation sessions' scores (those with a
    finite score: unknown keys and too-short sessions are flagged whatever the threshold)."""
    if not 0.0 < quantile <= 1.0:
        raise ConfigError(f"the quantile must be in (0, 1], got {quantile}")
    finite = normal_session_scores[np.isfinite(normal_session_scores)]
    if finite.size == 0:
        raise ConfigError("no normal validation session has a finite score to set a threshold")
    return detector.with_threshold(float(np.quantile(finite, quantile)))


def fit_best_f1(detector: Detector, session_scores: np.ndarray, labels: np.ndarray) -> Detector:
    """Threshold with the best F1 on labelled validation sessions (flag = score > threshold).

    Every distinct finite score is a candidate; counts come from sorted scores, not a loop.
    """
    labels = np.asarray(labels).astype(bool)
    if labels.all() or not labels.any():
        raise ConfigError("best-F1 thresholds need both normal and abnormal validation sessions")
    finite = session_scores[np.isfinite(session_scores)]
    candidates = np.unique(np.concatenate([finite, [0.0]]))  # [C]
    abnormal = np.sort(session_scores[labels])
    normal = np.sort(session_scores[~labels])
    tp = len(abnormal) - np.searchsorted(abnormal, candidates, side="right")  # score > t
    fp = len(normal) - np.searchsorted(normal, candidates, side="right")
    f1 = 2 * tp / np.maximum(2 * tp + fp + (len(abnormal) - tp), 1)
    return detector.with_threshold(float(candidates[int(np.argmax(f1))]))


def flag_windows(flags: np.ndarray, window: int, step: int | None = None) -> np.ndarray:
    """For a long stream: the number of flagged positions in each window of ``window``
    positions taken every ``step`` (default: non-overlapping), the last one possibly shorter so
    that every position is in a window; ``[W]`` int64."""
    if window <= 0:
        raise ConfigError(f"the window must be a positive integer, got {window}")
    step = step or window
    csum = np.concatenate([[0], np.cumsum(flags.astype(np.int64))])
    starts = np.arange(0, max(len(flags) - window + step, 1), step)  # the last may be partial
    ends = np.minimum(starts + window, len(flags))
    return csum[ends] - csum[starts]
