"""Raw logs -> drain3 templates -> sessions, checked against Loghub's HDFS 2k structured CSV."""

from __future__ import annotations

import collections

import pandas as pd
import pytest

from seqrnn.anomaly.parse import ParseConfig, header_regex, parse_lines, write_parsed
from seqrnn.errors import ConfigError

HEADER = "<Date> <Time> <Pid> <Level> <Component>: <Content>"
BLOCK = r"blk_-?\d+"


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_hdfs_2k_templates_match_loghub_structured_csv(shared_data, tmp_path):
    folder = shared_data / "loghub_hdfs_2k"
    truth = pd.read_csv(folder / "HDFS_2k.log_structured.csv")
    parsed = parse_lines(_lines(folder / "HDFS_2k.log"), ParseConfig(HEADER, BLOCK))
    assert len(parsed.line_keys) == 2000 and not parsed.unassigned
    pairs = collections.Counter(zip(parsed.line_keys, truth.EventId, strict=True))
    # no template of ours mixes two Loghub events (drain only splits "ask ... to delete" by
    # the number of blocks listed), and every Loghub event is found
    assert len({k for k, _ in pairs}) == len(pairs)
    assert {e for _, e in pairs} == set(truth.EventId)
    loghub = dict(zip(truth.EventId, truth.EventTemplate, strict=False))
    same = {
        e for k, e in pairs if " ".join(parsed.templates[k].split()) == " ".join(loghub[e].split())
    }
    assert len(same) >= 12, sorted(set(truth.EventId) - same)
    assert len(parsed.sessions) == 2200  # block ids, as the data's SOURCE.md counts
    write_parsed(tmp_path, parsed)
    assert len((tmp_path / "sessions.txt").read_text().splitlines()) == 2200


def test_persisted_state_keeps_key_numbers_across_files(tmp_path):
    state = str(tmp_path / "state.json")
    first = [
        "Receiving block blk_1 src 10.0.0.1",
        "Deleting block blk_1 file /x",
        "Receiving block blk_2 src 10.0.0.2",
    ]
    second = [
        "Deleting block blk_3 file /y",
        "Receiving block blk_3 src 10.0.0.9",
        "Verification succeeded for blk_3",
    ]
    a = parse_lines(first, ParseConfig(session_regex=BLOCK, state=state))
    b = parse_lines(second, ParseConfig(session_regex=BLOCK, state=state))
    assert a.sessions["blk_1"] == [1, 2]
    assert b.sessions["blk_3"] == [2, 1, 3]  # same templates, same keys; a new one gets 3


def test_unmatched_lines_are_reported_never_dropped():
    lines = [
        "081109 203518 143 INFO x: Receiving block blk_7",
        "garbage",
        "081109 203518 143 INFO x: no id here",
        "",
    ]
    parsed = parse_lines(lines, ParseConfig(HEADER, BLOCK))
    reasons = {n: r for _, n, r, _ in parsed.unassigned}
    assert reasons == {
        2: "does not match the header format",
        3: "no session identifier",
        4: "empty line",
    }


def test_sessions_by_fixed_and_sliding_windows_of_lines():
    lines = [f"event {k}" for k in "aabbcab"]
    fixed = parse_lines(lines, ParseConfig(window_lines=3))
    assert list(fixed.sessions) == ["lines 1-3", "lines 4-6"]
    sliding = parse_lines(lines, ParseConfig(window_lines=3, step_lines=2))
    assert list(sliding.sessions) == ["lines 1-3", "lines 3-5", "lines 5-7"]


def test_bad_parse_settings_are_refused():
    with pytest.raises(ConfigError, match="give a session identifier regex, a window of lines"):
        parse_lines(["x"], ParseConfig())
    with pytest.raises(ConfigError, match="is not a valid regex"):
        ParseConfig(session_regex="blk_(")
    with pytest.raises(ConfigError, match="must contain <Content>"):
        header_regex("<Date> <Time>")


def test_a_saved_state_keeps_its_own_settings(tmp_path, caplog):
    """The state's drain settings made its keys: a run with other settings uses the saved ones
    (and says so) rather than renumbering."""
    state = str(tmp_path / "state.json")
    parse_lines(["Receiving block blk_1 src a"], ParseConfig(session_regex=BLOCK, state=state))
    later = ParseConfig(session_regex=BLOCK, state=state, similarity=0.9)
    parsed = parse_lines(["Receiving block blk_2 src b"], later)
    assert parsed.sessions["blk_2"] == [1]  # 0.9 would have made a new template
    assert "using the drain settings and masks it was built with" in caplog.text
