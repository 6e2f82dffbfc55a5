"""``seqrnn train-detector`` end to end: calibration folds, then the final model.

:func:`train_detector` is the public entry (``seqrnn.anomaly.train_detector``). With
``calibration.target_fpr`` set it first cross-fits the threshold on the training sessions
(:mod:`seqrnn.anomaly.calibration`: k in-memory fold models, each scoring the fold it did not
see), then trains the final model on every session through the life cycle as
:func:`~seqrnn.anomaly.training.train_distinct` does, and records the calibration in the run's
``metrics.json`` (``calibration``), where ``seqrnn detect`` finds it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.anomaly.calibration import (
    Calibration,
    check_enough,
    fit_budget,
    fold_indices,
    session_statistic,
)
from seqrnn.anomaly.restarts import best_candidate
from seqrnn.anomaly.restarts import criterion as restarts_criterion
from seqrnn.anomaly.training import DetectorConfig, train_distinct
from seqrnn.config import replace
from seqrnn.data.formats import InputFormat, read_sequences
from seqrnn.errors import ConfigError
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
    extra: dict[str, Any] = {}
    sessions = None
    if config.calibration.target_fpr is not None:
        if InputFormat(config.data.format) is not InputFormat.SESSIONS:
            raise ConfigError("--target-fpr calibrates detectors of sessions (data.format)")
        sessions = read_sequences(config.data.train, config.data.format)
        extra["calibration"] = cross_fit(config, sessions, end_marker).to_dict()
    return train_with_restarts(config, callbacks, end_marker, resume, sessions, extra)


def cross_fit(config: DetectorConfig, sessions: list, end_marker: bool = True) -> Calibration:
    """Fit ``config.calibration``'s budget on held-out folds of ``sessions`` (raw keys)."""
    cal = config.calibration
    check_enough(len(sessions), cal.target_fpr, config.data.train or "the training data")
    began = time.perf_counter()
    scores = heldout_scores(config, sessions, end_marker)
    calibration = fit_budget(scores, cal.target_fpr, cal.statistic, cal.folds)
    logger.info(
        "calibrated in %.1f s: threshold %.4g, held-out rate %.5f",
        time.perf_counter() - began,
        calibration.threshold,
        calibration.heldout_fpr,
    )
    return calibration


def heldout_scores(config: DetectorConfig, sessions: list, end_marker: bool = True) -> np.ndarray:
    """``[S]`` every session's score (``config.calibration.statistic``) from the fold model
    that did not train on it: ``config.calibration.folds`` in-memory runs of ``config``."""
    cal = config.calibration
    folds = fold_indices(len(sessions), cal.folds, config.train.seed)
    fold_config = replace(config, runs_dir="", name=None)
    scores = np.empty(len(sessions))
    for i, held in enumerate(folds):
        keep = np.ones(len(sessions), dtype=bool)
        keep[held] = False
        train = [s for s, k in zip(sessions, keep, strict=True) if k]
        model = train_distinct(fold_config, end_marker=end_marker, sessions=train).model
        scores[held] = session_statistic(model, [sessions[j] for j in held], cal.statistic)
        logger.info("calibration fold %d of %d: %d held-out sessions", i + 1, cal.folds, len(held))
    return scores


def train_with_restarts(
    config: DetectorConfig,
    callbacks: Sequence[Callback] = (),
    end_marker: bool = True,
    resume: str | Path | None = None,
    sessions: list | None = None,
    extra: dict[str, Any] | None = None,
) -> ns.TrainResult:
    """Train ``config.restarts.count`` in-memory candidates, pick one, train it in the run
    folder (a resumed run keeps the seed its ``config.json`` holds: no new restarts; an
    in-memory run, ``runs_dir = ""``, returns the winning candidate itself)."""
    extra = dict(extra or {})
    restarts = config.restarts
    if resume is None and restarts.count > 1:
        if sessions is None:
            sessions = read_sequences(config.data.train, config.data.format)
        raw = [np.asarray(s, dtype=np.int64) for s in sessions]
        figures, results = [], []
        for i in range(restarts.count):
            seed = config.train.seed + i
            trial = replace(config, runs_dir="", name=None, train=replace(config.train, seed=seed))
            results.append(train_distinct(trial, end_marker=end_marker, sessions=sessions))
            figures.append({"seed": seed, **restarts_criterion(results[-1].model, raw, restarts.g)})
            logger.info("restart %d of %d: %s", i + 1, restarts.count, figures[-1])
        best = best_candidate(figures, restarts.max_training_flagged)
        extra["restarts"] = {"candidates": figures, "chosen_seed": figures[best]["seed"]}
        if not config.runs_dir:
            results[best].metrics.update(extra)
            return results[best]
        config = replace(config, train=replace(config.train, seed=figures[best]["seed"]))
    return train_distinct(config, callbacks, end_marker, resume, sessions, extra)


def describe_extras(metrics: dict[str, Any]) -> list[str]:
    """What the restarts and the calibration of a finished run decided, one line each."""
    lines = []
    restarts = metrics.get("restarts")
    if restarts:
        seeds = ", ".join(str(c["seed"]) for c in restarts["candidates"])
        lines.append(
            f"restarts: seeds {seeds} judged on the training sessions; kept seed "
            f"{restarts['chosen_seed']}"
        )
    if metrics.get("calibration"):
        cal = Calibration.from_dict(metrics["calibration"])
        lines.append(f"{cal.describe()}: detector {cal.detector().describe()}")
    return lines
