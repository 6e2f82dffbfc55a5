"""The allow-list model: one marked session must hold all of a session's flagged transitions
(session, path and exact scopes; a path row names everything before its symbol, an end row a
whole session); its header is checked before anything is trusted."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqrnn.anomaly.detectors import TopG
from seqrnn.anomaly.feedback import update_from_feedback
from seqrnn.errors import CheckpointError
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from seqrnn.models.allow_list import (
    EMPTY_PATH,
    PATH_END,
    AllowListModel,
    MarkedSessions,
    end_row,
    load_allow_list,
    path_digests,
    path_rows,
)
from seqrnn.models.registry import load_next_symbol_model

ROWS = [("1", "2", "x"), ("2", "x", "3"), ("5", "6", "y"), ("6", "y", "3")]


def test_one_marked_session_must_hold_every_row():
    marked = MarkedSessions(ROWS, [[0, 1], [2, 3]], 2)
    assert marked.covers([ROWS[0]]) and marked.covers(ROWS[:2]) and marked.covers(ROWS[2:])
    assert not marked.covers([ROWS[0], ROWS[2]])  # one row of each: two sessions needed
    assert not marked.covers([ROWS[0], ("1", "2", "z")])  # a row no one marked
    assert marked.holders(ROWS[0]) == 0b01 and marked.holders(("9", "9", "9")) == 0


@pytest.fixture
def base(cycle_markov):
    return cycle_markov(2)


def test_a_session_scope_list_answers_as_its_base(base):
    original = load_next_symbol_model(base)
    allow = AllowListModel(original, [list(r) for r in ROWS], [[0, 1]], "session")
    contexts = torch.tensor([[2, 3], [0, 2]])
    torch.testing.assert_close(allow.next_log_probs(contexts), original.next_log_probs(contexts))
    assert allow.vocab.symbols == original.vocab.symbols  # "x", "y" stay unknown keys
    assert allow.marked is not None and allow.marked.covers(ROWS[:2])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scope": "everything"}, "unknown feedback scope"),
        ({"sessions": [[0, "1"]]}, "'sessions' must be a list of lists of row numbers"),
        ({"sessions": [[10_000]]}, "names a row the allow list does not hold"),
        ({"base": "../base.safetensors"}, "'base' must be a file name"),
    ],
)
def test_a_bad_header_is_refused(base, change, message):
    run = update_from_feedback(base, [np.array([1, 2, 9, 4, 5, 6])], TopG(1)).run_dir
    meta = load_checkpoint(run / "best.safetensors").meta
    meta = {k: v for k, v in meta.items() if k != "sha256"} | change
    save_checkpoint(run / "best.safetensors", Checkpoint({}, meta))
    with pytest.raises(CheckpointError, match=message):
        load_allow_list(run)


def test_a_path_row_names_everything_before_its_symbol():
    rows = path_rows(["1", "2", "x", "3"])
    assert [r[1] for r in rows] == ["1", "2", "x", "3"] and rows[0][0] == EMPTY_PATH
    assert path_rows(["1", "2", "x"]) == rows[:3]  # a prefix has the same rows
    assert path_rows(["2", "2", "x"])[2] != rows[2]  # same window, another path: another row
    assert path_rows(["12", "x"])[1] != path_rows(["1", "2x"])[1]  # symbols stay apart
    assert (
        path_digests(["x", "3"], path_digests(["1", "2"])[-1])
        == path_digests(["1", "2", "x", "3"])[2:]
    )  # a stream can carry the digest instead of the keys


def test_a_path_scope_list_needs_path_rows(base):
    original = load_next_symbol_model(base)
    rows = path_rows(["1", "2", "x", "3"])
    allow = AllowListModel(original, [list(r) for r in rows], [[0, 1, 2, 3]], "path")
    assert allow.marked is not None and allow.marked.path and allow.marked.covers(rows[2:])
    assert "event for event" in allow.describe_scope()
    with pytest.raises(CheckpointError, match="path scope needs 2 symbols"):
        AllowListModel(original, [list(r) for r in ROWS], [[0, 1]], "path")


def test_an_exact_scope_list_holds_end_rows_only_a_copy_matches(base):
    rows = path_rows(["1", "2", "x", "3"], end=True)
    assert rows[:4] == path_rows(["1", "2", "x", "3"]) and rows[4][1] == PATH_END
    assert rows[4] == end_row(path_digests(["1", "2", "x", "3"])[-1])
    assert path_rows(["1", "2", "x"], end=True)[3] != rows[4]  # a prefix ends elsewhere
    allow = AllowListModel(
        load_next_symbol_model(base), [list(r) for r in rows], [[0, 1, 2, 3, 4]], "exact"
    )
    assert allow.marked is not None and allow.marked.path and allow.marked.exact
    assert allow.marked.covers([rows[2], rows[4]])
    assert not allow.marked.covers([rows[2], end_row(path_digests(["1", "2", "x"])[-1])])
    assert "exact" in allow.describe_scope()
