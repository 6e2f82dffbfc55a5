"""``seqrnn train-detector`` end to end: the held-out models, then the final model.

:func:`train_detector` is the public entry (``seqrnn.anomaly.train_detector``). With
``calibration.target_fpr`` set it first trains the held-out models of
:mod:`seqrnn.anomaly.calibration` (in memory, each on every training session but a group of
singular ones, scoring that group), then the final model on every session through the life
cycle as :func:`~seqrnn.anomaly.training.train_distinct` does, scores the other sessions with
it, fits the threshold and records the calibration in the run's ``metrics.json``
(``calibration``), where ``seqrnn detect`` finds it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.anomaly.calibration import (
    Calibration,
    check_enough,
    fit_budget,
    fold_indices,
    session_statistic,
    singular_sessions,
)
from seqrnn.anomaly.sessions import with_end_marker
from seqrnn.anomaly.training import DetectorConfig, train_distinct
from seqrnn.config import replace
from seqrnn.data.formats import InputFormat, read_sequences, split_validation
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import ConfigError
from seqrnn.io.runs import save_metrics
from seqrnn.models.base import NextSymbolModel
from seqrnn.next_symbol import training as ns
from seqrnn.train.callbacks import Callback

logger = logging.getLogger(__name__)


def train_detector(
    config: DetectorConfig,
    callbacks: Sequence[Callback] = (),
    end_marker: bool = True,
    resume: str | Path | None = None,
) -> ns.TrainResult:
    """Train a detector as ``config`` says: calibrated to ``config.calibration.target_fpr``
    when it is set (the calibration is recomputed, identically, when resuming), with the
    restarts of ``config.restarts`` (:mod:`seqrnn.anomaly.restarts`)."""
    cal = config.calibration
    if cal.target_fpr is None:
        return train_with_restarts(config, callbacks, end_marker, resume)
    if InputFormat(config.data.format) is not InputFormat.SESSIONS:
        raise ConfigError("--target-fpr calibrates detectors of sessions (data.format)")
    sessions = read_sequences(config.data.train, config.data.format)
    check_enough(len(sessions), cal.target_fpr, config.data.train or "the training data")
    began = time.perf_counter()
    held = HeldOut.plan(config, sessions, end_marker)
    held.score_groups()
    fit_budget(held.provisional(), cal.target_fpr, cal.statistic, cal.folds)  # may refuse
    result = train_with_restarts(config, callbacks, end_marker, resume, sessions)
    calibration = fit_budget(
        held.scores(result.model), cal.target_fpr, cal.statistic, cal.folds, held.grouped
    )
    logger.info(
        "calibrated in %.1f s (final model included): threshold %.4g, held-out rate %.5f",
        time.perf_counter() - began,
        calibration.threshold,
        calibration.heldout_fpr,
    )
    result.metrics["calibration"] = calibration.to_dict()
    if result.run_dir is not None:
        save_metrics(result.run_dir, result.metrics)
    return result


@dataclass
class HeldOut:
    """Which training sessions are scored by which model (see
    :mod:`seqrnn.anomaly.calibration`): ``groups`` by in-memory models of the same recipe
    trained without them, the others by the final model."""

    config: DetectorConfig
    sessions: list
    groups: list[np.ndarray]  # indices into sessions, one array per group model
    grouped: int | None  # sessions in groups (None: all, plain k-fold)
    end_marker: bool = True
    group_scores: np.ndarray | None = None  # [S], filled for grouped sessions

    @classmethod
    def plan(cls, config: DetectorConfig, sessions: list, end_marker: bool = True) -> HeldOut:
        """Groups of the singular sessions, or, when removing any session changes the
        training (count weights, a validation split, vocabulary limits), k-fold groups of
        all of them."""
        folds, seed, d = config.calibration.folds, config.train.seed, config.data
        exact = (
            ns.WindowWeights(d.window_weights or "distinct") is ns.WindowWeights.DISTINCT
            and (d.val or not d.val_fraction)  # a validation file is the same either way
            and d.min_count == 1
            and d.max_vocab is None
        )
        if not exact:
            return cls(config, sessions, fold_indices(len(sessions), folds, seed), None, end_marker)
        raw = with_end_marker(sessions) if end_marker else [list(map(str, s)) for s in sessions]
        vocab = Vocabulary.build(raw)
        singular = np.flatnonzero(singular_sessions([vocab.encode(s) for s in raw], d.window))
        if len(singular) < folds:
            groups = [singular] if len(singular) else []
        else:
            groups = [singular[part] for part in fold_indices(len(singular), folds, seed)]
        return cls(config, sessions, groups, len(singular), end_marker)

    def score_groups(self) -> None:
        """Train one in-memory model per group, without it, and score the group."""
        statistic = self.config.calibration.statistic
        member = replace(self.config, runs_dir="", name=None)
        self.group_scores = np.zeros(len(self.sessions))
        for i, held in enumerate(self.groups):
            keep = np.ones(len(self.sessions), dtype=bool)
            keep[held] = False
            train = [s for s, k in zip(self.sessions, keep, strict=True) if k]
            model = train_with_restarts(member, end_marker=self.end_marker, sessions=train).model
            held_sessions = [self.sessions[j] for j in held]
            self.group_scores[held] = session_statistic(model, held_sessions, statistic)
            logger.info("held-out model %d of %d: %d sessions", i + 1, len(self.groups), len(held))

    def others(self) -> np.ndarray:
        """``[S]`` bool: the sessions the final model scores."""
        out = np.ones(len(self.sessions), dtype=bool)
        for held in self.groups:
            out[held] = False
        return out

    def provisional(self) -> np.ndarray:
        """The held-out scores before the final model: its sessions at 0, except those too
        short to judge (``+inf`` whatever the model), so a hopeless budget is refused first."""
        assert self.group_scores is not None, "score_groups first"
        scores = self.group_scores.copy()
        short = np.array([len(s) < self.config.data.window + 1 for s in self.sessions])
        scores[self.others() & short] = np.inf
        return scores

    def scores(self, final: NextSymbolModel) -> np.ndarray:
        """``[S]`` every session's held-out score, the final model scoring the others."""
        assert self.group_scores is not None, "score_groups first"
        scores = self.group_scores.copy()
        others = np.flatnonzero(self.others())
        if len(others):
            statistic = self.config.calibration.statistic
            scores[others] = session_statistic(final, [self.sessions[j] for j in others], statistic)
        return scores


def train_with_restarts(
    config: DetectorConfig,
    callbacks: Sequence[Callback] = (),
    end_marker: bool = True,
    resume: str | Path | None = None,
    sessions: list | None = None,
    extra: dict[str, Any] | None = None,
) -> ns.TrainResult:
    """Train the ensemble of ``config.restarts.count`` members (:mod:`seqrnn.anomaly.restarts`):
    members ``1 .. count - 1`` (seeds ``seed + 1 ...``) in memory, then member 0 (``seed``)
    in the run folder, saved with them (resuming, only member 0 trains on; the others are in
    the checkpoint). With a validation split, members 1 .. learn from member 0's training
    part and only the ensemble is validated. ``count = 1`` is one plain model."""
    extra = dict(extra or {})
    count = config.restarts.count
    trained = []
    if resume is None and count > 1:
        if sessions is None:
            sessions = read_sequences(config.data.train, config.data.format)
        d = config.data
        # every member learns from member 0's training part (its validation split, if any)
        part = (
            sessions if d.val else split_validation(sessions, d.val_fraction, config.train.seed)[0]
        )
        data = replace(d, val=None, val_fraction=0.0)
        for i in range(1, count):
            seed = config.train.seed + i
            train = replace(config.train, seed=seed)
            member = replace(config, data=data, train=train, runs_dir="", name=None)
            trained.append(train_distinct(member, end_marker=end_marker, sessions=part).model)
            logger.info("ensemble member %d of %d trained (seed %d)", i + 1, count, seed)
    if count > 1:
        seeds = [config.train.seed + i for i in range(count)]
        extra["restarts"] = {"members": count, "seeds": seeds}
    return train_distinct(config, callbacks, end_marker, resume, sessions, extra, count, trained)


def describe_extras(metrics: dict[str, Any]) -> list[str]:
    """What the restarts and the calibration of a finished run decided, one line each."""
    lines = []
    restarts = metrics.get("restarts")
    if restarts:
        seeds = ", ".join(str(s) for s in restarts["seeds"])
        members = restarts["members"]
        lines.append(f"restarts: {members} members (seeds {seeds}), median of their probabilities")
    if metrics.get("calibration"):
        cal = Calibration.from_dict(metrics["calibration"])
        lines.append(f"{cal.describe()}: detector {cal.detector().describe()}")
    return lines
