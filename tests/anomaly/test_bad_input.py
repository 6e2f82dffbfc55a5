"""Bad input to detection: each case gets a clear message with file and line; nothing lost."""

from __future__ import annotations

import pytest

from seqrnn.anomaly.inputs import read_labelled_csv, read_labels, read_session_set, read_templates
from seqrnn.errors import InputError


def test_empty_sessions_are_kept_so_that_they_get_a_verdict(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("5 5 22\n\n11 9\n")
    sessions = read_session_set(path, label=1)
    assert [len(s) for s in sessions.sessions] == [3, 0, 2]
    assert sessions.line == [1, 2, 3] and list(sessions.labels) == [1, 1, 1]


def test_non_integer_key_names_file_and_line(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("5 5 22\n5 E22 9\n")
    with pytest.raises(InputError, match=r"s.txt:2: 'E22' is not an integer id"):
        read_session_set(path)


def test_labels_file_that_does_not_match_the_sessions(tmp_path):
    path = tmp_path / "labels.txt"
    path.write_text("0\n1\n")
    with pytest.raises(InputError, match="the labels file has 2 labels but there are 3 sessions"):
        read_labels(path, 3)
    path.write_text("0\nabnormal\n")
    with pytest.raises(InputError, match=r"labels.txt:2: a label must be 0 or 1, got 'abnormal'"):
        read_labels(path, 2)


def test_labelled_csv_errors_point_at_the_row(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("Sequence,label\n5 22 11,0\n5 x 9,1\n")
    with pytest.raises(InputError, match=r"l.csv:3: 'x' is not an integer key"):
        read_labelled_csv(path)
    path.write_text("Sequence,label\n5 22 11,2\n")
    with pytest.raises(InputError, match=r"l.csv:2: a label must be 0 or 1, got '2'"):
        read_labelled_csv(path)
    path.write_text("Seq,y\n5,0\n")
    with pytest.raises(InputError, match=r"no 'Sequence' column \(columns: Seq, y\)"):
        read_labelled_csv(path)


def test_templates_from_seqrnn_parse_or_loghub(tmp_path):
    ours = tmp_path / "t.csv"
    ours.write_text("key,template,lines\n5,Receiving block <*>,3\n")
    assert read_templates(ours) == {"5": "Receiving block <*>"}
    loghub = tmp_path / "h.csv"
    loghub.write_text("EventId,EventTemplate\nE22,allocateBlock <*>\n")
    assert read_templates(loghub) == {"22": "allocateBlock <*>"}
    bad = tmp_path / "b.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="expected columns key,template or EventId,EventTemplate"):
        read_templates(bad)
