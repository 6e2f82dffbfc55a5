"""Streaming: chunked scoring equals scoring the whole stream; memory stays bounded."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.anomaly.detectors import TopG
from seqrnn.anomaly.stream import StreamDetector, follow, follow_parser, key_events
from seqrnn.data.vocab import Vocabulary
from seqrnn.errors import InputError
from seqrnn.evaluation.scoring import iter_stream_scores, score_sequences
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
