"""Calibration to a false-alarm budget: a threshold fitted on normal sessions the model never saw.

A top-g detector has no notion of how often it will flag a normal session: trained on a few
dozen sessions it flags nearly all of them, and nothing says so. ``train-detector
--target-fpr F`` instead *cross-fits* the threshold (``seqrnn.anomaly.fit``):

    training sessions, shuffled, cut into k folds
    fold 1: train on folds 2..k  -> score fold 1 ----+
    fold 2: train on 1, 3..k     -> score fold 2 ----+--> one held-out score per session
    ...                                              |    -> threshold: at most F of them above
    fold k: train on folds 1..k-1 -> score fold k ---+
    final model: trained on all k folds, judged with that threshold

Every training session is scored once by a model that did not train on it, so the scores
behave as those of new normal sessions; the final model trains on all of them (so it knows
slightly more than each fold model: the budget is met with some margin rather than exactly).

A rate of ``F`` can only be checked on enough sessions: with no false alarm among ``n``
held-out sessions the rate is below about ``3 / n`` (95 %, the "rule of three"), so a budget
needs at least ``ceil(3 / F)`` normal sessions (3,000 for 0.001). Fewer is refused with that
figure, as is a budget that the held-out sessions flagged whatever the threshold (keys unseen
in the other folds, sessions too short) already exceed.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.anomaly.detectors import Detector, NllThreshold, SessionAggregator, TopG
from seqrnn.anomaly.sessions import judge, score_sessions
from seqrnn.errors import ConfigError
from seqrnn.models.base import NextSymbolModel


class Statistic(enum.StrEnum):
    """What the budget is fitted on: a ``-log p`` threshold (fine-grained, the default) or the
    ``g`` of a top-g detector (whole ranks, so the rate moves in steps)."""

    NLL = "nll"
    RANK = "rank"


@dataclass(frozen=True)
class CalibrationConfig:
    """``target_fpr``: the false-positive budget (``None``: no calibration, top-g as DeepLog);
    ``folds``: how many folds of the training sessions are cross-fitted."""

    target_fpr: float | None = None
    folds: int = 5
    statistic: Statistic = Statistic.NLL

    def __post_init__(self) -> None:
        if self.target_fpr is not None and not 0.0 < self.target_fpr < 1.0:
            raise ConfigError(f"calibration.target_fpr must be in (0, 1), got {self.target_fpr}")
        if self.folds < 2:
            raise ConfigError(f"calibration.folds must be at least 2, got {self.folds}")


@dataclass(frozen=True)
class Calibration:
    """A fitted budget, as recorded in the run's ``metrics.json`` under ``calibration``."""

    target_fpr: float
    statistic: Statistic
    threshold: float  # -log p (nll) or g (rank): flagged when the session's score is above
    folds: int
    sessions: int  # held-out sessions scored (every training session once)
    heldout_fpr: float  # share of them flagged with this threshold
    always_flagged: int  # held-out sessions flagged whatever the threshold

    def detector(self) -> Detector:
        """The detector this calibration fitted."""
        if Statistic(self.statistic) is Statistic.RANK:
            return TopG(max(1, int(self.threshold)))
        return NllThreshold(self.threshold)

    def describe(self) -> str:
        """One line for ``seqrnn detect``: which budget, fitted how."""
        return (
            f"budget: false-positive rate {self.target_fpr:g}, calibrated by {self.folds}-fold "
            f"cross-fitting on {self.sessions:,} normal training sessions "
            f"(held-out rate {self.heldout_fpr:.5f})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "statistic": Statistic(self.statistic).value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(**{**data, "statistic": Statistic(data["statistic"])})


def min_sessions(target_fpr: float) -> int:
    """Normal sessions needed to check a rate of ``target_fpr`` (rule of three: ``3 / F``)."""
    return math.ceil(3.0 / target_fpr - 1e-9)


def check_enough(sessions: int, target_fpr: float, source: str) -> None:
    """Refuse a budget that ``sessions`` normal sessions cannot check, saying what would do."""
    need = min_sessions(target_fpr)
    if sessions < need:
        raise ConfigError(
            f"--target-fpr {target_fpr:g} needs at least {need:,} normal training sessions "
            f"(no false alarm among n held-out sessions only bounds the rate by about 3/n), "
            f"but {source} has {sessions:,}: give more normal sessions, or a budget of at "
            f"least {3.0 / max(sessions, 1):.2g}"
        )


def session_statistic(
    model: NextSymbolModel, sessions: list[np.ndarray], statistic: Statistic
) -> np.ndarray:
    """``[S]`` each session's score for ``statistic``: its largest ``-log p`` or rank (``+inf``
    for an unknown key or a session too short for one window, as detection does)."""
    scores = score_sessions(model, sessions, top_k=1)
    base = TopG(1) if Statistic(statistic) is Statistic.RANK else NllThreshold(0.0)
    aggregator = SessionAggregator(model.context_length + 1)
    return judge(scores, base, aggregator).scores


def fit_budget(
    scores: np.ndarray, target_fpr: float, statistic: Statistic, folds: int
) -> Calibration:
    """The smallest threshold that flags at most ``target_fpr`` of the held-out ``scores``
    (flag = score > threshold), half-way to the next score up for ``-log p``."""
    scores = np.sort(np.asarray(scores, dtype=np.float64))  # [S] ascending, +inf last
    n = len(scores)
    allowed = math.floor(target_fpr * n + 1e-9)
    always = int(np.isposinf(scores).sum())
    if always > allowed:
        raise ConfigError(
            f"--target-fpr {target_fpr:g} cannot be met: {always:,} of {n:,} held-out normal "
            f"sessions are flagged whatever the threshold (a key unseen in the other folds, or "
            f"too short to judge), more than the {allowed:,} the budget allows"
        )
    threshold = float(max(scores[n - allowed - 1], 0.0))
    if Statistic(statistic) is Statistic.RANK:
        threshold = float(max(1, math.floor(threshold)))
    elif allowed and np.isfinite(scores[n - allowed]):
        threshold = float((threshold + scores[n - allowed]) / 2)
    rate = float(np.mean(scores > threshold))
    return Calibration(target_fpr, Statistic(statistic), threshold, folds, n, rate, always)


def fold_indices(count: int, folds: int, seed: int) -> list[np.ndarray]:
    """``folds`` disjoint, shuffled index sets covering ``range(count)`` (sizes differ by one
    at most)."""
    if count < folds:
        raise ConfigError(f"{folds} calibration folds need at least {folds} sessions")
    order = np.random.default_rng(seed).permutation(count)
    return [np.sort(part) for part in np.array_split(order, folds)]


def read_calibration(model_path: str | Path) -> Calibration | None:
    """The calibration recorded with a run (``metrics.json`` of the run folder, or of the
    folder holding the checkpoint given); ``None`` for a run without one."""
    path = Path(model_path)
    folder = path if path.is_dir() else path.parent
    metrics = folder / "metrics.json"
    if not metrics.is_file():
        return None
    data = json.loads(metrics.read_text(encoding="utf-8")).get("calibration")
    return None if not data else Calibration.from_dict(data)
