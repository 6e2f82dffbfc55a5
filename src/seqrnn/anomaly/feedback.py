"""Feedback: sessions an operator marked as normal stop being flagged, and nothing else moves.

DeepLog answers false positives by updating the model on them. Fine-tuning the network on
the marked sessions (with its training sessions replayed) did stop flagging them, but it
cost recall: a model trained on 100 HDFS sessions had never seen keys that 21 of 33 marked
sessions held, and once fine-tuning had made those keys known everywhere, the abnormal
sessions they had flagged passed (recall 1.000 -> 0.688, ``bench/hdfs_feedback.py``).

So the update learns exactly what the operator said: each (window, next key) transition of a
marked session is normal *after that window*, and nowhere else. Those rows are kept beside the
model, which is not retrained
(:class:`~seqrnn.models.allow_list.AllowListModel`)::

    parent run's checkpoint --copied byte for byte--> new run folder/base.safetensors
    marked sessions --> their (window, next key) rows, as symbols
                    --> new run folder/best.safetensors (kind allow_list: no tensors, the
                        rows and the base's SHA-256 in its JSON header)
    metrics.json: what the update did, and the parent's calibration (the same budget applies)

A marked session, and any session made of the same transitions (its exact kind), passes; its
keys in any other window are judged as before; every other verdict is unchanged (a verdict can
only move where an allowed row occurs). Feeding back into a run that was itself updated keeps
one base and adds the new rows to its list. A marked session shorter than a window and its
next key stays flagged (detection's length rule, not the model, flags it): the record counts
the sessions still flagged.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from seqrnn.anomaly.calibration import read_calibration
from seqrnn.anomaly.detectors import Detector, SessionAggregator
from seqrnn.anomaly.sessions import END_SYMBOL, distinct_sessions, judge, score_sessions
from seqrnn.anomaly.workflow import load_detector
from seqrnn.config import to_dict
from seqrnn.data.vocab import Vocabulary
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.io.atomic import atomic_write
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from seqrnn.io.runs import new_run_dir, save_config, save_metrics
from seqrnn.models.allow_list import AllowListModel, allow_list_meta
from seqrnn.models.base import NextSymbolModel
from seqrnn.models.registry import resolve_model_path

logger = logging.getLogger(__name__)

#: the base model's file name inside an updated run folder
BASE_FILE = "base.safetensors"


@dataclass(frozen=True)
class FeedbackConfig:
    """Where the update goes. Saved as the new run's ``config.json``."""

    parent: str = ""  # the run (or checkpoint) being updated
    feedback: str = ""  # where the normal sessions came from (recorded, not read)
    runs_dir: str | None = None  # None: beside the parent run
    name: str | None = None  # None: the parent's name + "-feedback" (-2, -3 ... if taken)


@dataclass
class FeedbackResult:
    """The updated model, its run folder and what the update did."""

    model: AllowListModel
    run_dir: Path
    record: dict[str, Any]


def allowed_rows(model: NextSymbolModel, sessions: list[np.ndarray]) -> list[tuple[str, ...]]:
    """The distinct (window, next key) rows of ``sessions`` as symbols, padded windows and
    the end marker included (as ``model`` scores them), in sorted order."""
    new = {str(k) for s in sessions for k in np.asarray(s).tolist()} - set(model.vocab.symbols)
    vocab = Vocabulary([*model.vocab.symbols[2:], *sorted(new)])  # new keys: ids of their own
    end = [END_SYMBOL] if END_SYMBOL in model.vocab else []
    encoded = [vocab.encode([*map(str, s), *end]) for s in sessions]
    rows = Windows(encoded, model.context_length).rows()  # [N, L + 1]
    return sorted({tuple(vocab.symbols[i] for i in r) for r in rows.tolist()})


def update_from_feedback(
    parent: str | Path,
    sessions: list[np.ndarray],
    detector: Detector,
    config: FeedbackConfig | None = None,
) -> FeedbackResult:
    """Allow the transitions of ``sessions`` (raw keys, marked normal by an operator) in a
    new run folder updating the detector run ``parent``, and count how many of them
    ``detector`` still flags (see the module docstring)."""
    config = config or FeedbackConfig()
    if not sessions:
        raise ConfigError("no sessions to learn from: the feedback file is empty")
    began = time.perf_counter()
    path = resolve_model_path(parent)
    model = load_detector(path, "feedback")
    base, earlier = (
        (model.base, model.allowed) if isinstance(model, AllowListModel) else (model, [])
    )
    distinct, _ = distinct_sessions(sessions)
    rows = sorted({*map(tuple, earlier), *allowed_rows(base, distinct)})
    name = config.name or f"{path.parent.name}-feedback"
    run_dir = new_run_dir(config.runs_dir or path.parent.parent, name)
    try:
        updated = _write_update(run_dir, path.parent / BASE_FILE if earlier else path, base, rows)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)  # no half-written run folder
        raise
    record = {
        "sessions": len(sessions),
        "distinct_sessions": len(distinct),
        "new_rows": len(rows) - len(earlier),
        "allowed_rows": len(rows),
        "still_flagged": still_flagged(updated, distinct, detector),
        "seconds": round(time.perf_counter() - began, 3),
    }
    save_config(run_dir, {**to_dict(config), "parent": str(parent)})
    calibration = read_calibration(parent)
    extra = {} if calibration is None else {"calibration": calibration.to_dict()}
    save_metrics(run_dir, {"model": updated.describe(), "feedback": record, **extra})
    logger.info("feedback update: %s", record)
    return FeedbackResult(updated, run_dir, record)


def _write_update(
    run_dir: Path, base_file: Path, base: NextSymbolModel, rows: list[tuple[str, ...]]
) -> AllowListModel:
    """The base checkpoint copied into ``run_dir`` and the allow-list checkpoint naming it."""
    atomic_write(run_dir / BASE_FILE, lambda tmp: tmp.write_bytes(base_file.read_bytes()))
    base_sha = load_checkpoint(run_dir / BASE_FILE).meta["sha256"]
    meta = allow_list_meta(BASE_FILE, base_sha, [list(r) for r in rows])
    save_checkpoint(run_dir / "best.safetensors", Checkpoint({}, meta))
    return AllowListModel(base, meta["allowed"])


def still_flagged(model: NextSymbolModel, sessions: list[np.ndarray], detector: Detector) -> int:
    """How many of ``sessions`` ``detector`` flags with ``model``."""
    scores = score_sessions(model, sessions, top_k=1)
    aggregator = SessionAggregator(model.context_length + 1)
    return int(judge(scores, detector, aggregator).anomalous.sum())
