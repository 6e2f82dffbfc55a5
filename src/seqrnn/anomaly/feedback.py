"""Feedback: sessions an operator marked as normal stop being flagged, and no verdict moves
from normal to flagged.

DeepLog answers false positives by updating the model on them. Fine-tuning the network on
the marked sessions (with its training sessions replayed) did stop flagging them, but it
cost recall: a model trained on 100 HDFS sessions had never seen keys that 21 of 33 marked
sessions held, and once fine-tuning had made those keys known everywhere, the abnormal
sessions they had flagged passed (recall 1.000 -> 0.688, ``bench/hdfs_feedback.py``).

So the update learns exactly what the operator said, and no more. The network is not
retrained; the transitions ((window, next key) rows) of each marked session are kept beside it
(:class:`~seqrnn.models.allow_list.AllowListModel`)::

    parent run's checkpoint --copied byte for byte--> new run folder/base.safetensors
    marked sessions --> their rows, as symbols, and which rows each distinct session holds
                    --> new run folder/best.safetensors (kind allow_list: no tensors; the
                        rows, the sessions, the scope and the base's SHA-256 in its header)
    config.json: the scope; metrics.json: what the update did, and the parent's
    calibration (the same budget applies)

What the operator vouches for is the :class:`~seqrnn.models.allow_list.FeedbackScope`, a rule
fixed on principle:

* ``session``: a marked session's set of deviations, as a whole, each with its
  window only. A session is forgiven when every transition the base model flags in it occurs
  in one single marked session: sessions showing a subset of one marked session's deviations
  pass too ("their kind", judged on ``L`` keys of context); a session combining deviations
  vouched for by two different marked sessions, or adding any other, stays flagged at all its
  positions.
* ``path``: what the operator saw, and nothing more. A session is forgiven only when it
  follows one single marked session event for event up to its last flagged event (its rows
  are each flagged key with the digest of the whole path before it): copies of a marked
  session pass, and so do sessions that go on differently after the last point the model
  objected to; a session reaching a marked deviation by another path stays flagged. On HDFS
  it keeps a little more recall than ``session`` (``bench/hdfs_feedback.py``): what still
  passes is identical, through every event the model flags, to a session marked normal.
* ``exact`` (the default): the marked sessions themselves. A session is forgiven only when
  its whole key sequence equals one marked session's (its rows are the path scope's plus an
  end row, the digest of its whole path): copies of a marked session pass, and nothing else,
  not a marked session followed by more events the model never flags, nor a strict prefix of
  one. It generalises least: a session differing from every marked one by one event stays
  flagged. It is the default because it is the only scope that never forgives a session the
  operator did not see: on HDFS (``bench/hdfs_feedback.py``, top-9) the other scopes let
  2.4-3.3 % of the abnormal sessions pass with the marked ones, exact one in 16,838 (a copy of
  a marked normal session), while at top-3 exact clears about 80 % of the false alarms the
  session scope clears.
* ``transition``: each transition of a marked session is normal after its window, in any
  session (the rule before scopes existed). Each flagged position is forgiven on its own,
  when any marked session holds its transition: it forgives more, an abnormal session whose
  every deviation was marked normal somewhere passes.

With every scope the model answers exactly as its base and detection only clears flags, so a
verdict only moves from flagged to normal, where a marked transition occurs. (Until issue 14
the transition scope changed the model's answers instead, ranking the allowed keys first,
which pushed keys the base ranked within top-``g`` past ``g`` and newly flagged normal
sessions: 391 of the HDFS test's with a model from 5 sessions at top-9,
``bench/hdfs_feedback.py``.)

Feeding back into a run that was itself updated keeps one base and adds the new rows and
sessions to its lists (by default with the run's own scope; rows of the path, exact and
other scopes do not mix). A marked session shorter than a window and its next key stays
flagged (detection's length rule, not the model, flags it): the record counts the sessions
still flagged.
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
from seqrnn.anomaly.sessions import (
    distinct_sessions,
    judge,
    score_sessions,
    scored_symbols,
    transition_at,
)
from seqrnn.anomaly.workflow import load_detector
from seqrnn.config import replace, to_dict
from seqrnn.errors import ConfigError
from seqrnn.io.atomic import atomic_write
from seqrnn.io.checkpoint import Checkpoint, peek_checkpoint, save_checkpoint
from seqrnn.io.runs import new_run_dir, save_config, save_metrics
from seqrnn.models.allow_list import (
    AllowListModel,
    FeedbackScope,
    Row,
    allow_list_meta,
    marked_sessions,
    path_rows,
)
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
    # what a marked session vouches for; None: the parent's scope when it already holds
    # feedback, else exact
    scope: FeedbackScope | None = None


@dataclass
class FeedbackResult:
    """The updated model, its run folder and what the update did."""

    model: AllowListModel
    run_dir: Path
    record: dict[str, Any]


def session_rows(
    model: NextSymbolModel, sessions: list[np.ndarray], scope: FeedbackScope = FeedbackScope.PATH
) -> list[set[Row]]:
    """The distinct rows of each of ``sessions`` as raw symbols, the end marker included (as
    ``model`` scores them): (window, next key) with padded windows, or with the path scope
    (digest of the path before the key, the key), with the exact scope also the end row. They
    are the rows :func:`seqrnn.anomaly.sessions.marked_rows` reads at detection time, so an
    unknown key is kept as itself and two of them never match each other."""
    h = model.context_length
    out = []
    for s in sessions:
        symbols = scored_symbols(model, s)
        if scope.rows != "window":
            out.append(set(path_rows(symbols, end=scope is FeedbackScope.EXACT)))
        else:
            out.append({transition_at(symbols, p, h) for p in range(len(symbols))})
    return out


def merge_marked(
    earlier_rows: list[list[str]],
    earlier_sessions: list[list[int]] | None,
    new_sessions: list[set[Row]],
) -> tuple[list[Row], list[list[int]] | None]:
    """All rows (sorted) and, per distinct marked session (earlier ones first, each set
    once), the indices of its rows; ``None`` when the earlier sessions were not recorded."""
    rows = sorted({*map(tuple, earlier_rows), *(r for s in new_sessions for r in s)})
    if earlier_sessions is None and earlier_rows:
        return rows, None
    index = {r: i for i, r in enumerate(rows)}
    old = [sorted(index[tuple(earlier_rows[i])] for i in s) for s in earlier_sessions or []]
    sets = {tuple(s): None for s in old}  # insertion-ordered and without repeats
    sets.update({tuple(sorted(index[r] for r in s)): None for s in new_sessions})
    return rows, [list(s) for s in sets]


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
    scope = default_scope(model) if config.scope is None else FeedbackScope(config.scope)
    config = replace(config, scope=scope)  # the run's config.json names the scope applied
    if isinstance(model, AllowListModel):
        base, earlier, earlier_sessions = model.base, model.allowed, model.sessions
    else:
        base, earlier, earlier_sessions = model, [], None
    distinct, _ = distinct_sessions(sessions)
    new_rows = session_rows(base, distinct, scope)
    rows, marked = merge_marked(earlier, earlier_sessions, new_rows)
    if not scope.per_position and marked is None:
        raise ConfigError(
            f"{parent}: its feedback was saved without its sessions (before scopes existed), "
            f"so the {scope.value} scope cannot use it: feed back with the transition scope, or "
            "feed all the sessions back into its base model"
        )
    if isinstance(model, AllowListModel) and model.scope.rows != scope.rows:
        raise ConfigError(
            f"{parent}: its feedback has the {model.scope.value} scope, whose rows the "
            f"{scope.value} scope cannot read: feed back with --feedback-scope "
            f"{model.scope.value}, or feed all the sessions back into its base model"
        )
    flagged_before = still_flagged(model, distinct, detector)
    name = config.name or f"{path.parent.name}-feedback"
    run_dir = new_run_dir(config.runs_dir or path.parent.parent, name)
    try:
        base_file = path.parent / BASE_FILE if earlier else path
        updated = _write_update(run_dir, base_file, base, rows, marked, scope)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)  # no half-written run folder
        raise
    record = {
        "scope": scope.value,
        "sessions": len(sessions),
        "distinct_sessions": len(distinct),
        "marked_sessions": None if marked is None else len(marked),
        "new_rows": len(rows) - len(earlier),
        "allowed_rows": len(rows),
        "flagged_before": flagged_before,
        "still_flagged": still_flagged(updated, distinct, detector),
        "seconds": round(time.perf_counter() - began, 3),
    }
    save_config(run_dir, {**to_dict(config), "parent": str(parent)})
    calibration = read_calibration(parent)
    extra = {} if calibration is None else {"calibration": calibration.to_dict()}
    save_metrics(run_dir, {"model": updated.describe(), "feedback": record, **extra})
    logger.info("feedback update: %s", record)
    return FeedbackResult(updated, run_dir, record)


def default_scope(model: NextSymbolModel) -> FeedbackScope:
    """The scope of feedback given without one: the scope ``model`` already holds feedback
    with (rows of different scopes do not mix), else ``exact``, which forgives nothing the
    operator did not see (see the module docstring)."""
    return model.scope if isinstance(model, AllowListModel) else FeedbackScope.EXACT


def _write_update(
    run_dir: Path,
    base_file: Path,
    base: NextSymbolModel,
    rows: list[Row],
    sessions: list[list[int]] | None,
    scope: FeedbackScope,
) -> AllowListModel:
    """The base checkpoint copied into ``run_dir`` and the allow-list checkpoint naming it
    (the copy's SHA-256 is read from its header, not by reading the copy again)."""
    atomic_write(run_dir / BASE_FILE, lambda tmp: tmp.write_bytes(base_file.read_bytes()))
    base_sha = peek_checkpoint(run_dir / BASE_FILE)[0]["sha256"]
    meta = allow_list_meta(BASE_FILE, base_sha, [list(r) for r in rows], sessions, scope)
    save_checkpoint(run_dir / "best.safetensors", Checkpoint({}, meta))
    return AllowListModel(base, meta["allowed"], sessions, scope)


def still_flagged(model: NextSymbolModel, sessions: list[np.ndarray], detector: Detector) -> int:
    """How many of ``sessions`` ``detector`` flags with ``model``."""
    scores = score_sessions(model, sessions, top_k=1)
    aggregator = SessionAggregator(model.context_length + 1)
    return int(judge(scores, detector, aggregator, marked_sessions(model)).anomalous.sum())
