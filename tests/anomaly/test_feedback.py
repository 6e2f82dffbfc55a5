"""Feedback: sessions an operator marks normal stop being flagged. With the session scope (the
default) so do sessions showing a subset of one marked session's deviations, however they
reached them, and nothing else: not a session combining deviations of two marked sessions, nor
one adding a deviation. The path scope forgives only sessions that follow one marked session
event for event up to their last flagged event, the exact scope only copies of a marked
session. The transition scope keeps the older, wider rule, per flagged position. The scope is
saved and reloaded."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from seqrnn.anomaly import detector_config_from_dict, load_detector, train_detector
from seqrnn.anomaly.detectors import SessionAggregator, TopG
from seqrnn.anomaly.feedback import FeedbackConfig, update_from_feedback
from seqrnn.anomaly.sessions import (
    END_SYMBOL,
    judge,
    score_sessions,
    session_symbols,
    transition_at,
)
from seqrnn.anomaly.stream import StreamDetector, judge_stream
from seqrnn.cli.main import cli
from seqrnn.errors import CheckpointError, ConfigError
from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from seqrnn.models.allow_list import AllowListModel, FeedbackScope, marked_sessions

NORMAL = [[1, 2, 3, 4, 5, 6], [1, 2, 3, 5, 4, 6]]
OTHERS = [  # judged before and after: their verdicts must not move
    [1, 2, 3, 4, 5, 6],
    [1, 2, 3, 5, 4, 6],
    [1, 3, 2, 4, 5, 6],
    [1, 2, 3, 6, 5, 4],
    [2, 1, 3, 4, 5, 6],
    [1, 2, 3, 4, 6, 5],
]
# two marked sessions, each with its own unknown key (7 and 9 in A, 8 in B)
MARKED_A = [1, 2, 3, 4, 7, 6, 1, 2, 3, 5, 9, 6]
MARKED_B = [1, 2, 3, 4, 5, 6, 1, 2, 3, 5, 8, 6]
SUBSET_OF_A = [1, 2, 3, 4, 7, 6, 1, 2, 3, 5, 4, 6]  # A's first deviation, not its second
SECOND_OF_A = [1, 2, 3, 5, 9, 6]  # A's second deviation, by another path than A's
A_AND_B = [1, 2, 3, 4, 7, 6, 1, 2, 3, 5, 8, 6]  # A's first deviation, then B's
A_AND_NEW = [1, 2, 3, 4, 7, 6, 1, 2, 3, 5, 10, 6]  # A's first deviation, then key 10
KEY_7_ELSEWHERE = [[1, 2, 7, 4, 5, 6], [1, 2, 3, 4, 5, 7]]  # key 7 after other windows
FED_BACK = [[1, 2, 3, 4, 7, 6], [1, 2, 3, 4, 7, 6]]  # a strict prefix of A
A_THEN_MORE = [*MARKED_A, 4, 5]  # A to its end, then two keys flagged nowhere


def _judge(model, sessions):
    scores = score_sessions(model, [np.array(s) for s in sessions], top_k=2)
    return scores, judge(scores, TopG(2), SessionAggregator(3), marked_sessions(model))


def _verdicts(model, sessions):
    return _judge(model, sessions)[1].anomalous


def _flagged_rows(model, session) -> set[tuple[str, ...]]:
    """The transitions ``model`` (g = 2, no feedback applied) flags in ``session``."""
    scores = score_sessions(model, [np.array(session)], top_k=2)
    symbols = session_symbols(scores, 0)
    flags = TopG(2).flags(scores.positions)
    return {transition_at(symbols, int(p), 2) for p in scores.positions.position[flags]}


def _flagged_positions(model, session) -> list[int]:
    """Where ``model`` (g = 2, no feedback applied) flags ``session``."""
    scores = score_sessions(model, [np.array(session)], top_k=2)
    return scores.positions.position[TopG(2).flags(scores.positions)].tolist()


@pytest.fixture(scope="module")
def parent(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("feedback")
    train = tmp / "train.txt"
    train.write_text("".join(" ".join(map(str, s)) + "\n" for s in NORMAL * 20))
    config = detector_config_from_dict(
        {
            "data": {"train": str(train), "window": 2},
            "model": {"encoder": {"hidden_size": 16, "num_layers": 1}},
            "train": {"epochs": 60, "batch_size": 16, "learning_rate": 0.03},
            "restarts": {"count": 1},
            "runs_dir": str(tmp),
            "name": "parent",
        }
    )
    return train_detector(config).run_dir


@pytest.fixture(scope="module")
def deviations(parent):
    """The flagged transitions of the sessions below, checked to be what their names say."""
    base = load_detector(parent)
    rows = {
        name: _flagged_rows(base, s)
        for name, s in [
            ("a", MARKED_A),
            ("b", MARKED_B),
            ("subset", SUBSET_OF_A),
            ("second", SECOND_OF_A),
            ("a_and_b", A_AND_B),
            ("a_and_new", A_AND_NEW),
            ("a_then_more", A_THEN_MORE),
        ]
    }
    a, b = rows["a"], rows["b"]
    assert rows["subset"] and rows["subset"] < a  # a strict subset of A's deviations
    assert rows["second"] and rows["second"] < a  # ... and so is this one
    # SUBSET_OF_A follows A up to its last flagged event; SECOND_OF_A leaves A's path before
    last = max(_flagged_positions(base, SUBSET_OF_A))
    assert SUBSET_OF_A[: last + 1] == MARKED_A[: last + 1]
    first = min(_flagged_positions(base, SECOND_OF_A))
    assert SECOND_OF_A[:first] != MARKED_A[:first]
    combined = rows["a_and_b"]
    assert not combined <= a and not combined <= b and combined <= a | b
    assert rows["a_and_new"] - a - b  # a deviation neither marked session shows
    # what A_THEN_MORE adds after A is flagged nowhere, and A's prefix is flagged
    assert max(_flagged_positions(base, A_THEN_MORE)) < len(MARKED_A)
    assert _flagged_positions(base, FED_BACK[0])
    return rows


def _update(parent, scope, name):
    sessions = [np.array(s) for s in (MARKED_A, MARKED_B)]
    return update_from_feedback(parent, sessions, TopG(2), FeedbackConfig(name=name, scope=scope))


def test_session_scope_forgives_the_marked_sessions_and_their_kind_only(parent, deviations):
    before = load_detector(parent)
    judged = [MARKED_A, MARKED_B, SUBSET_OF_A, A_AND_B, A_AND_NEW, *KEY_7_ELSEWHERE]
    assert _verdicts(before, judged).all()
    others_before = _verdicts(before, OTHERS)
    assert others_before.tolist() == [False, False, True, True, True, True]
    update = _update(parent, FeedbackScope.SESSION, "session")
    after = load_detector(update.run_dir)
    assert isinstance(after, AllowListModel) and after.scope is FeedbackScope.SESSION
    assert not _verdicts(after, [MARKED_A, MARKED_B, SUBSET_OF_A, SECOND_OF_A]).any()
    assert _verdicts(after, [A_AND_B, A_AND_NEW, *KEY_7_ELSEWHERE]).all()
    assert _verdicts(after, OTHERS).tolist() == others_before.tolist()
    # the sessions left flagged are flagged at every position they were flagged at before
    for session in (A_AND_B, A_AND_NEW):
        (_, was), (_, now) = _judge(before, [session]), _judge(after, [session])
        np.testing.assert_array_equal(now.position_flags, was.position_flags)
    record = json.loads((update.run_dir / "metrics.json").read_text())["feedback"]
    assert record["scope"] == "session" and record["marked_sessions"] == 2
    assert record["flagged_before"] == 2 and record["still_flagged"] == 0
    assert (parent / "best.safetensors").is_file()  # the parent is untouched
    assert _verdicts(load_detector(parent), [MARKED_A]).all()


def _forgives(parent, scope: FeedbackScope, passed, kept):
    """A and B fed back to ``parent`` with ``scope``: the ``passed`` sessions pass, the
    ``kept`` ones stay flagged at every position they were flagged at before, and the verdicts
    of the others do not move. Returns the update."""
    before = load_detector(parent)
    update = _update(parent, scope, scope.value)
    after = load_detector(update.run_dir)
    assert after.scope is scope and update.record["still_flagged"] == 0
    assert not _verdicts(after, passed).any() and _verdicts(after, kept).all()
    for session in kept:
        (_, was), (_, now) = _judge(before, [session]), _judge(after, [session])
        np.testing.assert_array_equal(now.position_flags, was.position_flags)
    assert _verdicts(after, OTHERS).tolist() == _verdicts(before, OTHERS).tolist()
    return update


def test_path_scope_forgives_only_sessions_on_a_marked_path(parent, deviations):
    # A then more, and a strict prefix of A, follow A up to their last flag: they pass too;
    # A's second deviation by another path, like the combinations, stays flagged
    update = _forgives(
        parent,
        FeedbackScope.PATH,
        [MARKED_A, MARKED_B, SUBSET_OF_A, A_THEN_MORE, FED_BACK[0]],
        [SECOND_OF_A, A_AND_B, A_AND_NEW, *KEY_7_ELSEWHERE],
    )
    # a session-scope run cannot take path rows, nor the other way round
    with pytest.raises(ConfigError, match="whose rows the session scope cannot read"):
        update_from_feedback(
            update.run_dir, [np.array(FED_BACK[0])], TopG(2), FeedbackConfig(scope="session")
        )


def test_exact_scope_forgives_only_copies_of_a_marked_session(parent, deviations):
    # A followed by more, a strict prefix of A, a subset of A's deviations: all stay flagged
    kept = [A_THEN_MORE, FED_BACK[0], SUBSET_OF_A, SECOND_OF_A, A_AND_B, *KEY_7_ELSEWHERE]
    update = _forgives(parent, FeedbackScope.EXACT, [MARKED_A, MARKED_B], kept)
    assert "equals one of the 2 marked sessions" in load_detector(update.run_dir).describe_scope()
    # saved and reloaded with its scope; more feedback of the same scope adds sessions
    assert json.loads((update.run_dir / "config.json").read_text())["scope"] == "exact"
    assert load_checkpoint(update.run_dir / "best.safetensors").meta["scope"] == "exact"
    again = update_from_feedback(
        update.run_dir, [np.array(FED_BACK[0])], TopG(2), FeedbackConfig(scope="exact")
    )
    model = load_detector(again.run_dir)
    assert model.scope is FeedbackScope.EXACT and len(model.sessions) == 3
    assert not _verdicts(model, [MARKED_A, MARKED_B, FED_BACK[0]]).any()
    assert _verdicts(model, [A_THEN_MORE, SUBSET_OF_A]).all()
    # its rows (with end rows) and the path scope's do not mix
    with pytest.raises(ConfigError, match="whose rows the path scope cannot read"):
        update_from_feedback(
            update.run_dir, [np.array(FED_BACK[0])], TopG(2), FeedbackConfig(scope="path")
        )


def test_exact_scope_streams_end_where_the_session_files_do(parent, deviations):
    """With a model that ends sessions with ``<eos>``: a stream session equal to A never
    alerts; one going on after A's end alerts where its session file is flagged, released by
    its first event past A; a long stream passes only when it equals A."""
    base = load_detector(parent)
    model = load_detector(_update(parent, FeedbackScope.EXACT, "exact-stream").run_dir)
    assert END_SYMBOL in model.vocab
    events = [("a", str(k)) for k in MARKED_A] + [("more", str(k)) for k in A_THEN_MORE]
    alerts = StreamDetector(model, TopG(2), marked=model.marked).feed(events)
    assert not [a for a in alerts if a.session == "a"]
    more = [a for a in alerts if a.session == "more"]
    flagged = _judge(model, [A_THEN_MORE])[1].position_flags
    assert [a.index for a in more] == _flagged_positions(base, A_THEN_MORE) and flagged.any()
    assert {a.held_until for a in more} == {len(MARKED_A)}
    assert not judge_stream(model, np.array(MARKED_A), TopG(2)).flagged
    assert judge_stream(model, np.array(A_THEN_MORE), TopG(2)).flagged


def test_transition_scope_allows_each_marked_transition_anywhere(parent, deviations):
    before = load_detector(parent)
    others_before = _verdicts(before, OTHERS)
    after = load_detector(_update(parent, FeedbackScope.TRANSITION, "transition").run_dir)
    assert after.scope is FeedbackScope.TRANSITION
    # the combination of A's and B's deviations passes too: each was marked somewhere
    assert not _verdicts(after, [MARKED_A, MARKED_B, SUBSET_OF_A, A_AND_B]).any()
    assert _verdicts(after, [A_AND_NEW, *KEY_7_ELSEWHERE]).all()
    assert _verdicts(after, OTHERS).tolist() == others_before.tolist()


def test_a_session_scope_model_answers_as_its_base(parent):
    base = load_detector(parent)
    after = load_detector(_update(parent, FeedbackScope.SESSION, "same").run_dir)
    contexts = torch.tensor([[0, 0], [2, 3], [3, 4]])
    torch.testing.assert_close(after.next_log_probs(contexts), base.next_log_probs(contexts))
    assert after.vocab.symbols == base.vocab.symbols


def test_the_scope_is_saved_and_reloaded_and_kept_across_updates(parent):
    update = _update(parent, FeedbackScope.SESSION, "saved")
    assert json.loads((update.run_dir / "config.json").read_text())["scope"] == "session"
    meta = load_checkpoint(update.run_dir / "best.safetensors").meta
    assert meta["scope"] == "session" and len(meta["sessions"]) == 2
    # feeding back into an updated run: one base, the sessions added, the new scope applied
    again = update_from_feedback(
        update.run_dir,
        [np.array(FED_BACK[0]), np.array(MARKED_A)],  # A again: kept once
        TopG(2),
        FeedbackConfig(scope=FeedbackScope.TRANSITION),
    )
    model = load_detector(again.run_dir)
    assert model.scope is FeedbackScope.TRANSITION and len(model.sessions) == 3
    assert again.record["allowed_rows"] > again.record["new_rows"] > 0
    assert not _verdicts(model, [*FED_BACK, A_AND_B]).any()


def test_an_allow_list_from_before_scopes_loads_with_the_transition_scope(parent, tmp_path):
    update = _update(parent, FeedbackScope.TRANSITION, "old")
    meta = load_checkpoint(update.run_dir / "best.safetensors").meta
    old = {k: v for k, v in meta.items() if k not in ("sessions", "scope", "sha256")}
    save_checkpoint(update.run_dir / "best.safetensors", Checkpoint({}, old))
    model = load_detector(update.run_dir)
    assert model.scope is FeedbackScope.TRANSITION and model.sessions is None
    assert not _verdicts(model, [MARKED_A]).any()
    session = FeedbackConfig(scope=FeedbackScope.SESSION)
    with pytest.raises(ConfigError, match="saved without its sessions"):
        update_from_feedback(update.run_dir, [np.array(FED_BACK[0])], TopG(2), session)
    again = update_from_feedback(update.run_dir, [np.array(FED_BACK[0])], TopG(2))
    assert again.model.scope is FeedbackScope.TRANSITION  # no scope given: the run's own
    old["scope"] = "session"
    save_checkpoint(update.run_dir / "best.safetensors", Checkpoint({}, old))
    with pytest.raises(CheckpointError, match="did not record"):
        load_detector(update.run_dir)


def test_a_transition_scope_model_answers_as_its_base_and_a_moved_base_is_refused(parent):
    base = load_detector(parent)
    model = AllowListModel(base, [["3", "4", "7"]])  # key 7 allowed after 3 4 only
    assert model.vocab.symbols == base.vocab.symbols  # 7 stays an unknown key
    contexts = torch.tensor([[0, 0], [2, 3], [3, 4]])
    torch.testing.assert_close(model.next_log_probs(contexts), base.next_log_probs(contexts))
    assert model.marked is not None and model.marked.allows(("3", "4", "7"))
    update = update_from_feedback(
        parent, [np.array(FED_BACK[0])], TopG(2), FeedbackConfig(name="x")
    )
    other = load_checkpoint(parent / "best.safetensors")
    other.meta["note"] = "another model"
    save_checkpoint(update.run_dir / "base.safetensors", other)
    with pytest.raises(CheckpointError, match="not the base model"):
        load_detector(update.run_dir)


def test_the_base_checkpoint_is_read_once(parent, monkeypatch):
    import seqrnn.io.checkpoint as io

    reads: list[str] = []
    real = io.load_file
    monkeypatch.setattr(io, "load_file", lambda path: reads.append(path) or real(path))
    update = update_from_feedback(
        parent, [np.array(FED_BACK[0])], TopG(2), FeedbackConfig(name="once")
    )
    copy = str(update.run_dir / "base.safetensors")
    assert copy not in reads  # its SHA-256 came from its header
    reads.clear()
    load_detector(update.run_dir)
    assert reads.count(copy) == 1


def test_feedback_without_sessions_is_refused(parent):
    with pytest.raises(ConfigError, match="feedback file is empty"):
        update_from_feedback(parent, [], TopG(2))


def _detect(*args):
    return CliRunner().invoke(cli, ["detect", *map(str, args)])


def test_detect_says_which_scope_it_applies_and_names_bad_lines(parent, tmp_path):
    good = tmp_path / "normal.txt"
    good.write_text(" ".join(map(str, MARKED_A)) + "\n")
    r = _detect(parent, "--feedback", good, "-g", "2")
    assert r.exit_code == 0, r.output
    assert "feedback scope: exact" in r.output and "1 were flagged" in r.output  # the default
    assert "0 still are" in r.output
    r = _detect(parent, "--feedback", good, "-g", "2", "--feedback-scope", "transition")
    assert r.exit_code == 0 and "feedback scope: transition" in r.output
    run = r.output.split("wrote ")[1].split(" ")[0]
    r = _detect(run, "--normal", good, "--out", tmp_path / "rep", "-g", "2")
    assert r.exit_code == 0 and "feedback scope: transition" in r.output  # a saved run says too
    r = _detect(parent, "--feedback", good, "-g", "2", "--feedback-scope", "session")
    assert r.exit_code == 0 and "feedback scope: session" in r.output and "0 still are" in r.output
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 3 4 5 6\n1 2 x 4\n")
    r = _detect(parent, "--feedback", bad)
    assert r.exit_code != 0 and f"{bad}:2: 'x' is not an integer" in r.output
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    r = _detect(parent, "--feedback", empty)
    assert r.exit_code != 0 and f"{empty}: no sessions found" in r.output
    ids = tmp_path / "ids.txt"
    ids.write_text("blk_1," + " ".join(map(str, MARKED_A)) + "\nblk_2,5 y\n")
    r = _detect(parent, "--feedback", ids, "--format", "id_sessions", "-g", "2")
    assert r.exit_code != 0 and f"{ids}:2:" in r.output
    ids.write_text("blk_1," + " ".join(map(str, MARKED_A)) + "\n")
    r = _detect(parent, "--feedback", ids, "--format", "id_sessions", "-g", "2")
    assert r.exit_code == 0 and "0 still are" in r.output
    r = _detect(parent, "--feedback-scope", "session", "--normal", good, "--out", tmp_path / "x")
    assert r.exit_code != 0 and "--feedback-scope goes with --feedback" in r.output
