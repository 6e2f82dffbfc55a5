"""Calibration to a false-alarm budget: a threshold fitted on normal sessions the model never saw.

A top-g detector has no notion of how often it will flag a normal session: trained on a few
dozen sessions it flags nearly all of them, and nothing says so. ``train-detector
--target-fpr F`` instead fits the threshold on *held-out* scores of the training sessions,
each from a model of the same recipe that did not train on it (``seqrnn.anomaly.fit``).

What a model trained without session ``i`` would say about it is known exactly for most
sessions, without training that model. The detector trains on the *distinct* (window, next
key) rows, each once; if every row of session ``i`` also occurs in another training session,
removing ``i`` changes neither the rows nor the vocabulary, so training without it gives the
final model itself (training is deterministic). Only the *singular* sessions, those owning a
row no other session has (380 of HDFS's 4,855), need models trained without them::

    training sessions --+-- not singular: held-out score = the final model's score (exact)
                        +-- singular, cut into k groups
                              group 1: train on every session but group 1 -> score group 1
                              ...                                        (k models)
                        --> one held-out score per session -> threshold: at most F above

This is leave-one-out for all but the singular sessions (and close to it for them: each group
model also lacks the rest of its group), so the held-out models know as much as the final one;
plain k-fold cross-fitting, whose models lack a k-th of the data, is more surprised by new
sessions than the final model and sets the threshold too high (on HDFS, k = 5 gave 0.0003
for a budget of 0.001). When the argument does not hold (``window_weights`` count, a
validation split, ``min_count`` above 1 or ``max_vocab``: removing a session then changes the
training), every session is in the k groups: plain cross-fitting.

A rate of ``F`` can only be checked on enough sessions: with no false alarm among ``n``
held-out sessions the rate is below about ``3 / n`` (95 %, the "rule of three"), so a budget
needs at least ``ceil(3 / F)`` normal sessions (3,000 for 0.001). Fewer is refused with that
figure, as is a budget that the held-out sessions flagged whatever the threshold (keys unseen
in the other sessions, sessions too short) already exceed.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqrnn.anomaly.detectors import Detector, NllThreshold, SessionAggregator, TopG
from seqrnn.anomaly.sessions import judge, score_sessions
from seqrnn.data.windows import Windows
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
    grouped: int | None = None  # sessions scored by group models (None: all, plain k-fold)

    def detector(self) -> Detector:
        """The detector this calibration fitted."""
        if Statistic(self.statistic) is Statistic.RANK:
            return TopG(max(1, int(self.threshold)))
        return NllThreshold(self.threshold)

    def describe(self) -> str:
        """One line for ``seqrnn detect``: which budget, fitted how."""
        if self.grouped is None:
            how = f"{self.folds}-fold cross-fitting on {self.sessions:,} normal training sessions"
        else:
            how = (
                f"held-out scores of {self.sessions:,} normal training sessions "
                f"({self.grouped:,} singular ones from {self.folds} group models)"
            )
        return (
            f"budget: false-positive rate {self.target_fpr:g}, calibrated by {how} "
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


def singular_sessions(encoded: list[np.ndarray], window: int) -> np.ndarray:
    """``[S]`` bool: which of the ``encoded`` sessions own a (window, next key) row, padded
    windows included, that no other session has (see the module docstring)."""
    lengths = np.array([len(s) for s in encoded], dtype=np.int64)
    if not lengths.sum():
        return np.zeros(len(encoded), dtype=bool)
    rows = Windows(encoded, window).rows()  # [N, L + 1], session by session
    _, row_id = torch.unique(rows, dim=0, return_inverse=True)  # [N]
    owner = np.repeat(np.arange(len(encoded)), lengths)  # [N] session of each row
    pairs = np.unique(np.stack([row_id.numpy(), owner], 1), axis=0)  # [P, 2] distinct
    sessions_per_row = np.bincount(pairs[:, 0])  # [R] how many sessions hold each row
    own = pairs[sessions_per_row[pairs[:, 0]] == 1, 1]
    out = np.zeros(len(encoded), dtype=bool)
    out[own] = True
    return out


def fit_budget(
    scores: np.ndarray,
    target_fpr: float,
    statistic: Statistic,
    folds: int,
    grouped: int | None = None,
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
    return Calibration(target_fpr, Statistic(statistic), threshold, folds, n, rate, always, grouped)


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
