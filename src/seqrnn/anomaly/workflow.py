"""Detection end to end: sessions -> scores -> detector -> verdicts -> metrics and report.

This is the library function behind ``seqrnn detect`` (and the HDFS benchmark); it never
prints. Defaults follow DeepLog where DeepLog made a choice, and say so:

* ``method = top_g`` with ``g = 9``;
* ``targets = all``: the first ``h`` keys of a session are scored too, from a window padded on
  the left (the model was trained on the same padded windows, so it knows how sessions start);
  DeepLog skipped them (``targets = full_window``);
* ``min_length = h + 1``: a session too short for one window and its next key is anomalous,
  which is what DeepLog's padding with an impossible key amounts to (on HDFS, truncated
  sessions such as ``5 22`` are a third of the abnormal test set);
* unknown keys are anomalous.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.anomaly.calibration import Calibration, Statistic, read_calibration
from seqrnn.anomaly.detectors import (
    Detector,
    Method,
    NllThreshold,
    SessionAggregator,
    TopG,
    fit_best_f1,
    fit_quantile,
)
from seqrnn.anomaly.evaluation import DetectionMetrics, evaluate
from seqrnn.anomaly.explain import explain
from seqrnn.anomaly.inputs import SessionSet
from seqrnn.anomaly.sessions import SessionScores, Verdicts, judge, score_sessions
from seqrnn.config import from_dict
from seqrnn.data.windows import Targets
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.models.allow_list import marked_sessions
from seqrnn.models.base import NextSymbolModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DetectConfig:
    """How sessions are judged (see the module docstring for the defaults' reasons)."""

    method: Method = Method.TOP_G
    g: int = 9
    threshold: float | None = None  # -log p threshold for method = nll
    quantile: float = 0.999  # for method = quantile
    targets: Targets = Targets.ALL
    min_length: int | None = None  # None = window + 1 (DeepLog); 0 = only empty sessions
    batch_size: int = 4096
    explain_positions: int = 5  # flagged positions listed per anomalous session

    def __post_init__(self) -> None:
        if self.g < 1:
            raise ConfigError(f"g must be a positive integer, got {self.g}")
        if self.method is Method.NLL and self.threshold is None:
            raise ConfigError("method nll needs a threshold (-log p, in nats)")
        if self.batch_size <= 0:
            raise ConfigError(f"batch_size must be a positive integer, got {self.batch_size}")


@dataclass
class Detection:
    """Everything one detection run produced."""

    detector: Detector
    aggregator: SessionAggregator
    scores: SessionScores
    verdicts: Verdicts
    metrics: DetectionMetrics | None = None
    explanations: dict[int, dict[str, Any]] = field(default_factory=dict)


#: the models that predict log keys: every next-symbol kind but character/word text models
KEY_MODELS = (
    "next_symbol",
    "next_symbol_ensemble",
    "allow_list",
    "markov",
    "naive_bayes",
    "numpy_reference",
)
KEY_MODELS_NEEDED = (
    "a next-key model (made by `seqrnn train-detector`, `seqrnn train`, `seqrnn baseline` or "
    "`seqrnn reference train`)"
)


def load_detector(path: str | Path, verb: str = "detection") -> NextSymbolModel:
    """A next-symbol model of a kind that predicts log keys (neural, Markov, Naive Bayes,
    NumPy reference) to judge sessions with; a text model, or a model trained on something
    else than sessions (an id stream), is refused: its verdicts on sessions would mean
    nothing."""
    from seqrnn.models.registry import load_next_symbol_model

    model = load_next_symbol_model(path, verb, KEY_MODELS, KEY_MODELS_NEEDED)
    if model.input_format.is_stream:
        raise CheckpointError(
            f"{path}: holds a model trained on {model.input_format.value}, not on sessions "
            f"of log keys; {verb} needs {KEY_MODELS_NEEDED}, trained on sessions"
        )
    return model


#: the settings that choose a detector; given any of them, a run's calibration is not applied
DETECTOR_KEYS = ("method", "g", "threshold", "quantile")


def detect_config_for(
    model_path: str | Path, settings: dict[str, Any]
) -> tuple[DetectConfig, Calibration | None]:
    """The detection settings for the model at ``model_path``: ``settings`` (``None`` values
    are unset) over the defaults, or, when none of :data:`DETECTOR_KEYS` is set and the run
    was calibrated (``train-detector --target-fpr``), its fitted detector; the calibration
    applied is returned too (``None``: none)."""
    given = {k: v for k, v in settings.items() if v is not None}
    calibration = read_calibration(model_path)
    if calibration is not None and not any(k in given for k in DETECTOR_KEYS):
        if Statistic(calibration.statistic) is Statistic.RANK:
            given.update(method=Method.TOP_G, g=int(calibration.threshold))
        else:
            given.update(method=Method.NLL, threshold=calibration.threshold)
    else:
        calibration = None
    return from_dict(DetectConfig, given, "detect"), calibration


def aggregator_for(model: NextSymbolModel, config: DetectConfig) -> SessionAggregator:
    """DeepLog's ``h + 1`` minimum length unless the config says otherwise."""
    default = model.context_length + 1
    return SessionAggregator(default if config.min_length is None else config.min_length)


def build_detector(
    model: NextSymbolModel, config: DetectConfig, validation: SessionSet | None = None
) -> Detector:
    """The detector ``config`` asks for; automatic thresholds are fitted on ``validation``
    (normal sessions for ``quantile``; labelled sessions for ``best_f1``)."""
    method = Method(config.method)
    if method is Method.TOP_G:
        return TopG(config.g)
    if method is Method.NLL:
        return NllThreshold(float(config.threshold))
    if validation is None or len(validation) == 0:
        raise ConfigError(f"method {method.value} needs validation sessions to set a threshold")
    scores = score_sessions(model, validation.sessions, config.targets, config.g, config.batch_size)
    # fitted on the model's own scores: session-scope feedback forgives only once a
    # threshold says what is flagged
    base = NllThreshold(0.0)
    session_scores = judge(scores, base, aggregator_for(model, config)).scores
    if method is Method.QUANTILE:
        if validation.labels is not None:
            session_scores = session_scores[validation.labels == 0]
        detector = fit_quantile(base, session_scores, config.quantile)
    else:
        if validation.labels is None:
            raise ConfigError("method best_f1 needs labelled validation sessions")
        detector = fit_best_f1(base, session_scores, validation.labels)
    logger.info(
        "threshold fitted on %d validation sessions: %s", len(validation), detector.describe()
    )
    return detector


def detect(
    model: NextSymbolModel,
    sessions: SessionSet,
    config: DetectConfig = DetectConfig(),
    detector: Detector | None = None,
    templates: dict[str, str] | None = None,
) -> Detection:
    """Judge every session of ``sessions``; evaluate when it has labels; explain the flagged."""
    detector = detector or build_detector(model, config)
    aggregator = aggregator_for(model, config)
    top_k = max(config.g, 3)
    scores = score_sessions(model, sessions.sessions, config.targets, top_k, config.batch_size)
    verdicts = judge(scores, detector, aggregator, marked_sessions(model))
    metrics = None if sessions.labels is None else evaluate(verdicts.anomalous, sessions.labels)
    explanations = explain(
        scores,
        verdicts,
        model.vocab,
        detector,
        aggregator,
        templates,
        config.explain_positions,
        top_k,
    )
    logger.info(
        "%d sessions (%d distinct), %d positions scored, %d anomalous",
        len(sessions),
        len(scores.distinct),
        len(scores.positions),
        int(np.sum(verdicts.anomalous)),
    )
    return Detection(detector, aggregator, scores, verdicts, metrics, explanations)
