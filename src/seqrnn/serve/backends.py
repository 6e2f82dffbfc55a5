"""Where the service calls the library: load a run, judge sessions, feed events, classify (and
forecast, in :mod:`seqrnn.serve.forecasts`).

Everything the HTTP layer needs from seqrnn goes through this module, so that when the
public per-task API lands only these calls change. The functions here are synchronous and
*not* thread-safe (a stream detector and a drain3 parser hold state); the service calls them
from its single batching worker (:mod:`seqrnn.serve.batching`), one batch at a time.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from seqrnn.anomaly.detectors import Detector
from seqrnn.anomaly.explain import explain
from seqrnn.anomaly.parse import LogParser, ParseConfig
from seqrnn.anomaly.sessions import SessionScores, encode_sessions, judge
from seqrnn.anomaly.stream import Alert, StreamDetector
from seqrnn.anomaly.workflow import DetectConfig, aggregator_for, build_detector, load_detector
from seqrnn.data.vocab import UNK
from seqrnn.errors import CheckpointError, InputError
from seqrnn.evaluation.scoring import score_sequences
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.models.allow_list import AllowListModel, MarkedSessions, marked_sessions
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.registry import LOADERS, load_next_symbol_model, resolve_model_path
from seqrnn.serve.cache import VerdictMemo, WindowCache
from seqrnn.serve.info import Kind, ModelInfo, file_sha256

if TYPE_CHECKING:  # imported when a forecast run is loaded (pandas and the forecast package)
    from seqrnn.serve.forecasts import ForecastBackend, GlobalForecastBackend

logger = logging.getLogger(__name__)

FORECAST_KINDS = {"forecast"}
GLOBAL_FORECAST_KINDS = {"global-forecaster"}
CLASSIFIER_KINDS = {"text_classifier", "text_classifier_bow"}


class Runtime(enum.StrEnum):
    """What runs the network."""

    TORCH = "torch"
    ONNXRUNTIME = "onnxruntime"


@dataclass
class SessionInput:
    """One session of a request: keys as they are, or raw log lines for the run's parser."""

    keys: list[str] | None = None
    lines: list[str] | None = None


class DetectorBackend:
    """Verdicts on whole sessions and alerts on event streams, from one next-symbol model."""

    kind = Kind.DETECTOR

    def __init__(
        self,
        model: NextSymbolModel,
        info: ModelInfo,
        config: DetectConfig | None = None,
        parser: LogParser | None = None,
        max_open_sessions: int = 100_000,
        max_verdicts: int = 20_000,
        marked: MarkedSessions | None = None,
    ):
        self.model = model
        self.marked = marked  # session-scope feedback (the model may be wrapped in a cache)
        self.info = info
        self.config = config = config or DetectConfig()
        self.detector: Detector = build_detector(model, config)
        self.aggregator = aggregator_for(model, config)
        self.parser = parser
        self.stream = StreamDetector(model, self.detector, max_open_sessions, marked=marked)
        # distinct session -> its verdict: logs repeat themselves, so a service meets the
        # same sessions again (detect deduplicates within a file)
        self.memo = VerdictMemo(max_verdicts)

    def keys_of(self, item: SessionInput) -> list[str]:
        """The session's keys; raw lines go through the run's parser (drain3 + header)."""
        if item.keys is not None:
            return item.keys
        if self.parser is None:
            raise InputError("this service has no log parser: start it with --state to send lines")
        keys = []
        for line in item.lines or []:
            content = self.parser.content(line)
            if content:
                keys.append(str(self.parser.key(content)))
        return keys

    def judge_sessions(self, items: Sequence[SessionInput]) -> list[dict[str, Any]]:
        """One verdict, score and explanation per session. Sessions judged before are taken
        from the verdict memo; the others are judged together in one batched scoring call."""
        keys = [tuple(self.keys_of(item)) for item in items]
        known = self.memo.lookup(keys)
        new = list(dict.fromkeys(k for k in keys if k not in known))
        fresh = dict(zip(new, self._judge_distinct(new), strict=True)) if new else {}
        self.memo.remember(fresh)
        return [dict(known.get(k) or fresh[k]) for k in keys]  # copies: callers add the id

    def remembered(self, keys: Sequence[tuple[str, ...]]) -> list[dict[str, Any]] | None:
        """The verdicts of sessions (as key tuples) if all were judged before, else None.
        Safe to call from the event loop while a batch is being judged."""
        return self.memo.all_of(keys)

    def _judge_distinct(self, sessions: list[tuple[str, ...]]) -> list[dict[str, Any]]:
        """Score, judge and explain distinct sessions in one batch."""
        distinct = [np.asarray(s, dtype=str) for s in sessions]
        encoded = encode_sessions(self.model, distinct)
        top_k = max(self.config.g, 3)
        positions = score_sequences(
            self.model, encoded, self.config.targets, self.config.batch_size, top_k
        )
        inverse = np.arange(len(distinct))
        scores = SessionScores(distinct, encoded, inverse, positions)
        verdicts = judge(scores, self.detector, self.aggregator, self.marked)
        why = explain(
            scores,
            verdicts,
            self.model.vocab,
            self.detector,
            self.aggregator,
            None,
            self.config.explain_positions,
            top_k,
        )
        return [
            {
                "verdict": "anomalous" if verdicts.anomalous[u] else "normal",
                "score": _finite(verdicts.scores[u]),
                "length": len(distinct[u]),
                "unknown_keys": int(np.sum(encoded[u] == UNK)),
                "explanation": why.get(u),
            }
            for u in range(len(distinct))
        ]

    def feed_events(
        self, requests: Sequence[Sequence[tuple[str, SessionInput]]]
    ) -> list[list[Alert]]:
        """Events ``(session, key or line)`` of several requests, in arrival order, fed to the
        stream detector as one chunk; the alerts go back to the request whose event raised
        them (an alert is known by its session and the event's index in that session), held
        alerts to the request whose event released them."""
        flat: list[tuple[str, str]] = []
        owner: dict[tuple[str, int], int] = {}
        counts: dict[str, int] = {}
        for r, events in enumerate(requests):
            for session, item in events:
                for key in self.keys_of(item):
                    index = counts.get(session, self._seen(session))
                    counts[session] = index + 1
                    owner[(session, index)] = r
                    flat.append((session, key))
        out: list[list[Alert]] = [[] for _ in requests]
        for alert in self.stream.feed(flat):
            # a held alert (session-scope feedback) goes with the event that released it
            event = alert.index if alert.held_until is None else alert.held_until
            out[owner[(alert.session, event)]].append(alert)
        return out

    def _seen(self, session: str) -> int:
        """How many events of ``session`` the stream remembers (0 when new or forgotten)."""
        return self.stream.history.get(session, (None, 0))[1]

    @property
    def open_sessions(self) -> int:
        """Sessions the stream holds history for (at most ``max_open_sessions``)."""
        return len(self.stream.history)


class ClassifierBackend:
    """Labels and class probabilities from a trained text classifier."""

    kind = Kind.CLASSIFIER

    def __init__(self, classifier: Any, info: ModelInfo):
        self.classifier = classifier
        self.info = info

    @property
    def labels(self) -> list[str]:
        return list(self.classifier.labels)

    def classify(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """Most probable label and every label's probability, per text."""
        proba = self.classifier.predict_proba(list(texts))  # [N, K]
        labels = self.labels
        return [
            {
                "label": labels[int(np.argmax(row))],
                "probabilities": {k: float(p) for k, p in zip(labels, row, strict=True)},
            }
            for row in proba
        ]


Backend: TypeAlias = "DetectorBackend | ForecastBackend | GlobalForecastBackend | ClassifierBackend"


def load_backend(
    path: str | Path,
    runtime: Runtime = Runtime.TORCH,
    detect: DetectConfig | None = None,
    parse: ParseConfig | None = None,
    max_open_sessions: int = 100_000,
    cache_windows: int = 100_000,
    remember_sessions: int = 20_000,
) -> Backend:
    """The backend for whatever run ``path`` holds (a run folder, checkpoint or ``.onnx``; a
    forecast run's folder also gives its default and intervals, :mod:`seqrnn.serve.forecasts`).
    Detectors remember the scores of the last ``cache_windows`` distinct windows and the
    verdicts of the last ``remember_sessions`` distinct sessions (0: none)."""
    if Runtime(runtime) is Runtime.ONNXRUNTIME:
        from seqrnn.export.runtime import load_onnx_model

        model = load_onnx_model(path)
        meta = {k: v for k, v in model.meta.items() if k != "vocab"}
        info = _info(Kind.DETECTOR, "onnx", path, model.describe(), len(model.vocab), meta)
        model = _cached(model, cache_windows)
        return DetectorBackend(
            model, info, detect, _parser(parse), max_open_sessions, remember_sessions
        )
    file = resolve_model_path(path)
    kind = str(load_checkpoint(file).meta.get("kind"))
    if kind in LOADERS:
        model = load_detector(file)  # refuses models not trained on sessions
        cfg = {"window": model.context_length, **_net_config(model)}
        if isinstance(model, AllowListModel):  # what its feedback forgives
            cfg["feedback_scope"] = model.scope.value
        info = _info(Kind.DETECTOR, kind, file, model.describe(), len(model.vocab), cfg)
        marked = marked_sessions(model)
        model = _cached(model, cache_windows)
        return DetectorBackend(
            model, info, detect, _parser(parse), max_open_sessions, remember_sessions, marked
        )
    if kind in FORECAST_KINDS:  # the forecast package (and pandas) load only here
        from seqrnn.serve.forecasts import load_forecast_backend

        return load_forecast_backend(file, path)
    if kind in GLOBAL_FORECAST_KINDS:
        from seqrnn.serve.forecasts import GlobalForecastBackend

        return GlobalForecastBackend(file)
    if kind in CLASSIFIER_KINDS:
        from seqrnn.classify.runs import load_model as load_classifier

        clf = load_classifier(file)
        vocab = getattr(clf, "vocab", None)
        size = len(vocab) if vocab is not None else None
        info = _info(Kind.CLASSIFIER, kind, file, type(clf).__name__, size, {"labels": clf.labels})
        return ClassifierBackend(clf, info)
    raise CheckpointError(f"{file}: holds a {kind!r} model, which the service cannot serve")


def load_network(path: str | Path) -> tuple[Any, dict[str, Any]]:
    """The network of a neural next-symbol run and what an export needs to describe it
    (kind, vocabulary, window); other kinds have no network to export."""
    from seqrnn.nn.next_symbol import NextSymbolNet

    file = resolve_model_path(path)
    kind = str(load_checkpoint(file).meta.get("kind"))
    model = load_next_symbol_model(file) if kind in LOADERS else None
    net = getattr(model, "net", None)
    if model is None or not isinstance(net, NextSymbolNet):
        hint = ""
        if kind == "next_symbol_ensemble":
            hint = " (this is an ensemble: train with --restarts 1 for one exportable network)"
        raise CheckpointError(
            f"{file}: holds a {kind!r} model; only neural next-symbol runs export to ONNX{hint}"
        )
    meta = {"kind": kind, "vocab": model.vocab.to_list(), "window": model.context_length}
    return net, meta


def _info(kind, checkpoint_kind, path, description, vocab_size, config) -> ModelInfo:
    return ModelInfo(
        kind, checkpoint_kind, str(path), file_sha256(path), description, vocab_size, config
    )


def _net_config(model: NextSymbolModel) -> dict[str, Any]:
    """The network's architecture when the model has one (neural models), for reports."""
    from dataclasses import asdict

    net = getattr(model, "net", None)
    config = getattr(net, "config", None)
    return {"model_config": asdict(config)} if config is not None else {}


def _cached(model: NextSymbolModel, entries: int) -> NextSymbolModel:
    return WindowCache(model, entries) if entries > 0 else model


def _parser(parse: ParseConfig | None) -> LogParser | None:
    return LogParser(parse) if parse is not None else None


def _finite(value: float) -> float | None:
    """JSON has no infinity: ``None`` stands for ``+inf`` (unknown key or too-short session)."""
    return float(value) if np.isfinite(value) else None
