"""Streaming: chunked scoring equals scoring the whole stream; memory stays bounded; with
session- or path-scope feedback a followed session alerts exactly where its session file would
be flagged, held alerts coming late; with the exact scope too, except that a session stopping
on a strict prefix of a marked session stays held."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.anomaly.detectors import SessionAggregator, TopG
from seqrnn.anomaly.feedback import session_rows
from seqrnn.anomaly.sessions import judge, score_sessions
from seqrnn.anomaly.stream import (
    StreamDetector,
    follow,
    follow_parser,
    judge_stream,
    key_events,
)
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import InputError
from seqrnn.evaluation.scoring import iter_stream_scores, score_sequences
from seqrnn.models.allow_list import AllowListModel, FeedbackScope
from seqrnn.models.markov import MarkovModel

STREAM = [1, 2, 3, 4, 5, 6] * 20 + [1, 2, 9, 4, 5, 6] + [1, 2, 3, 4, 6, 5] * 5


def _model():
    vocab = Vocabulary.build([[str(k) for k in [1, 2, 3, 4, 5, 6] * 30]])
    return MarkovModel.fit([vocab.encode([str(k) for k in [1, 2, 3, 4, 5, 6] * 30])], vocab, 3, 0.1)


def test_single_pass_stream_scores_equal_whole_stream_scores():
    model = _model()
    ids = model.vocab.encode(np.array(STREAM))
    whole = score_sequences(model, [ids])
    parts = list(iter_stream_scores(model, ids, chunk_size=17))
    assert len(parts) == -(-len(ids) // 17)
    np.testing.assert_array_equal(np.concatenate([p.position for p in parts]), whole.position)
    np.testing.assert_allclose(np.concatenate([p.nll for p in parts]), whole.nll, rtol=1e-6)


def test_follow_in_chunks_flags_the_same_events_as_scoring_the_stream_once():
    model, det = _model(), TopG(1)
    ids = model.vocab.encode(np.array(STREAM))
    expected = np.flatnonzero(det.flags(score_sequences(model, [ids])))
    stream = StreamDetector(model, det)
    events = [("s", str(k)) for k in STREAM]
    alerts = [a for i in range(0, len(events), 7) for a in stream.feed(events[i : i + 7])]
    assert [a.index for a in alerts] == list(expected)
    unknown = next(a for a in alerts if a.key == "9")
    assert unknown.flagged.unknown_key and "unknown key" in unknown.format()


def test_memory_is_bounded_by_max_sessions_and_window():
    stream = StreamDetector(_model(), TopG(3), max_sessions=10)
    for chunk in range(20):
        stream.feed([(f"s{chunk}-{j}", str(k)) for j in range(5) for k in [1, 2, 3, 4, 5, 6]])
    assert len(stream.history) == 10
    assert all(len(h) <= 3 for h, _ in stream.history.values())


def test_bad_stream_lines_are_reported_and_the_stream_goes_on():
    rejected: list[str] = []
    events = list(key_events(["5", "blk_1 22", "x", "a b c", "", "7"], rejected))
    assert events == [("-", "5"), ("blk_1", "22"), ("-", "7")]
    assert rejected == [
        "<stdin>:3: 'x' is not an integer key",
        "<stdin>:4: expected 'KEY' or 'SESSION KEY', got 'a b c'",
    ]


def test_follow_numbers_rejected_lines_across_chunks_and_flags_like_the_stream_detector():
    model, det = _model(), TopG(1)
    lines = [str(k) for k in STREAM]
    lines[3] = "not-a-key"
    chunks = [lines[i : i + 50] for i in range(0, len(lines), 50)]
    steps = list(follow(model, det, chunks))
    assert len(steps) == len(chunks)
    assert [r for s in steps for r in s.rejected] == [
        "<stdin>:4: 'not-a-key' is not an integer key"
    ]
    direct = StreamDetector(model, det).feed([("-", k) for k in lines if k != "not-a-key"])
    assert [a.format() for s in steps for a in s.alerts] == [a.format() for a in direct]


def test_follow_parser_refuses_a_named_state_file_that_is_missing(tmp_path):
    with pytest.raises(InputError, match="drain3 state file not found"):
        follow_parser(None, None, tmp_path / "missing.json")


def _session_scope(base, marked: list[list[int]], scope: str = "session") -> AllowListModel:
    """``base`` with ``marked`` fed back with ``scope`` (as ``update_from_feedback`` saves
    it)."""
    per_session = session_rows(base, [np.array(m) for m in marked], FeedbackScope(scope))
    rows = sorted(set().union(*per_session))
    index = {r: i for i, r in enumerate(rows)}
    return AllowListModel(base, rows, [[index[r] for r in s] for s in per_session], scope)


MARKED = [[1, 2, 3, 4, 5, 6, 1, 2, 9, 4, 5, 6, 1, 2, 3, 4, 6, 5], [1, 2, 3, 4, 5, 6, 1, 2, 8]]
FOLLOWED = {
    "marked": MARKED[0],
    "subset": [1, 2, 3, 4, 5, 6, 1, 2, 9, 4, 5, 6],  # the first deviation of MARKED[0] only
    "both": [1, 2, 3, 4, 5, 6, 1, 2, 9, 4, 5, 6, 1, 2, 8, 4],  # deviations of both
    "new": [1, 2, 9, 4, 5, 6, 3, 3],  # one of MARKED[0]'s, then new ones
}


@pytest.mark.parametrize("scope", ["session", "path"])
def test_followed_sessions_alert_where_their_session_files_are_flagged(scope):
    base, det = _model(), TopG(1)
    model = _session_scope(base, MARKED, scope)
    sessions = [np.array(s) for s in FOLLOWED.values()]
    without = judge(score_sessions(base, sessions, top_k=1), det, SessionAggregator(0))
    scores = score_sessions(model, sessions, top_k=1)
    files = judge(scores, det, SessionAggregator(0), model.marked)
    assert without.anomalous.all()  # every one was flagged before the feedback
    assert files.anomalous.tolist() == [False, False, True, True]
    ps = scores.positions
    expected = {
        name: ps.position[(ps.sequence == u) & files.position_flags].tolist()
        for u, name in enumerate(FOLLOWED)
    }
    longest = max(map(len, FOLLOWED.values()))  # the sessions' events interleaved
    events = [(n, str(s[i])) for i in range(longest) for n, s in FOLLOWED.items() if i < len(s)]
    stream = StreamDetector(model, det, marked=model.marked)
    alerts = [a for i in range(0, len(events), 5) for a in stream.feed(events[i : i + 5])]
    got = {name: sorted(a.index for a in alerts if a.session == name) for name in FOLLOWED}
    assert got == expected
    late = [a for a in alerts if a.held_until is not None]
    assert late and all(a.held_until > a.index for a in late)  # held, then released
    assert "held until event" in late[0].format() and late[0].to_dict()["held_until"]
    assert max(len(p.held) for p in stream.pending.values()) <= 3  # bounded by a marked session
    lines = [f"{n} {k}" for n, k in events]  # `seqrnn detect --follow` finds the feedback itself
    steps = follow(model, det, [lines[i : i + 5] for i in range(0, len(lines), 5)])
    assert [a.to_dict() for step in steps for a in step.alerts] == [a.to_dict() for a in alerts]


@pytest.mark.parametrize("scope", ["session", "path", "exact"])
def test_a_long_stream_is_one_session_for_session_scope_feedback(scope):
    base, det = _model(), TopG(1)
    stream = np.array(MARKED[0])
    assert judge_stream(base, stream, det).flagged
    assert not judge_stream(_session_scope(base, MARKED, scope), stream, det).flagged
    both = np.array(FOLLOWED["both"])
    assert len(judge_stream(_session_scope(base, MARKED, scope), both, det).flagged) == len(
        judge_stream(base, both, det).flagged
    )
    # MARKED[1]'s deviation (8 after 1 2) reached after a normal cycle, not as MARKED[1] does
    other_path = np.array([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2, 8])
    forgiven = not judge_stream(_session_scope(base, MARKED, scope), other_path, det).flagged
    assert judge_stream(base, other_path, det).flagged and forgiven == (scope == "session")


EXACT = {  # followed with exact-scope feedback
    "marked": MARKED[0],  # a copy: never alerts, as its session file passes
    "prefix": MARKED[0][:12],  # a strict prefix: held for good (its session file is flagged)
    "longer": [*MARKED[0], 6],  # then one event flagged nowhere: it releases the held alerts
    "new": FOLLOWED["new"],  # leaves every marked path at its first flag
    "both": FOLLOWED["both"],
}


def test_exact_scope_holds_alerts_while_a_stream_session_stays_on_a_marked_path():
    base, det = _model(), TopG(1)
    model, path = _session_scope(base, MARKED, "exact"), _session_scope(base, MARKED, "path")
    sessions = [np.array(s) for s in EXACT.values()]
    scores = score_sessions(model, sessions, top_k=1)
    files = judge(scores, det, SessionAggregator(0), model.marked)
    assert files.anomalous.tolist() == [False, True, True, True, True]
    on_path = judge(score_sessions(path, sessions, top_k=1), det, SessionAggregator(0), path.marked)
    assert on_path.anomalous.tolist() == [False, False, False, True, True]  # prefix, longer pass
    ps = scores.positions
    expected = {
        name: ps.position[(ps.sequence == u) & files.position_flags].tolist()
        for u, name in enumerate(EXACT)
    }
    assert 18 not in expected["longer"]  # the event past the marked session's end: no flag
    expected["prefix"] = []  # ... held, never released
    longest = max(map(len, EXACT.values()))
    events = [(n, str(s[i])) for i in range(longest) for n, s in EXACT.items() if i < len(s)]
    stream = StreamDetector(model, det, marked=model.marked)
    alerts = [a for i in range(0, len(events), 4) for a in stream.feed(events[i : i + 4])]
    got = {name: sorted(a.index for a in alerts if a.session == name) for name in EXACT}
    assert got == expected
    assert {a.held_until for a in alerts if a.session == "longer"} == {18}
    # "new" left every marked path at its first flag (event 2): nothing held, alerts at once
    assert {a.held_until for a in alerts if a.session == "new"} == {None}
    assert {a.held_until for a in alerts if a.session == "both"} == {14, None}  # 8 late, 14 not
    prefix = stream.pending["prefix"]
    assert prefix.mask and len(prefix.held) == 1  # still on MARKED[0]'s path, its flag held
    lines = [f"{n} {k}" for n, k in events]
    steps = follow(model, det, [lines[i : i + 4] for i in range(0, len(lines), 4)])
    assert [a.to_dict() for step in steps for a in step.alerts] == [a.to_dict() for a in alerts]


def test_a_long_stream_passes_the_exact_scope_only_when_it_equals_a_marked_session():
    base, det = _model(), TopG(1)
    exact, path = _session_scope(base, MARKED, "exact"), _session_scope(base, MARKED, "path")
    for stream in (np.array(EXACT["prefix"]), np.array(EXACT["longer"])):
        assert not judge_stream(path, stream, det).flagged
        assert judge_stream(exact, stream, det).flagged == judge_stream(base, stream, det).flagged
    assert not judge_stream(exact, np.array(MARKED[0]), det).flagged
