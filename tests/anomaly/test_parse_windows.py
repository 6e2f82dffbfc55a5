"""Logs without an identifier: time windows from header fields, per-line labels -> per-window
labels, Loghub format strings as Loghub writes them, configurable masks, one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from seqrnn.anomaly.log_windows import time_windows
from seqrnn.anomaly.logformat import header_regex
from seqrnn.anomaly.parse import DEFAULT_MASKS, ParseConfig, masks_for, parse_lines
from seqrnn.cli.main import cli
from seqrnn.errors import ConfigError, InputError

#: Loghub's BGL format: the first field is the label ("-": normal), the second the time
BGL = "<Label> <Timestamp> <Date> <Node> <Time> <NodeRepeat> <Type> <Component> <Level> <Content>"


def _bgl(label: str, seconds: int, message: str) -> str:
    node, time = "R02-M1-N0-C:J12-U11", "2005-06-03-15.42.50.675872"
    return (
        f"{label} {1117756800 + seconds} 2005.06.03 {node} {time} {node} RAS KERNEL INFO {message}"
    )


LINES = [
    _bgl("-", 0, "instruction cache parity error corrected"),
    _bgl("-", 10, "generating core.2275"),
    _bgl("KERNDTLB", 70, "data TLB error interrupt"),  # anomalous, second minute
    _bgl("-", 75, "instruction cache parity error corrected"),
    _bgl("-", 200, "generating core.13"),  # fourth minute; the third has no line
]


def test_time_windows_carry_the_label_of_their_worst_line():
    config = ParseConfig(BGL, window_seconds=60, label_field="Label")
    parsed = parse_lines(LINES, config)
    assert list(parsed.sessions) == [
        "2005-06-03T00:00:00/2005-06-03T00:01:00",
        "2005-06-03T00:01:00/2005-06-03T00:02:00",
        "2005-06-03T00:03:00/2005-06-03T00:04:00",
    ]
    assert list(parsed.sessions.values()) == [[1, 2], [3, 1], [2]]
    assert list(parsed.labels.values()) == [0, 1, 0]


def test_sliding_time_windows_put_a_line_in_every_window_covering_it():
    windows = dict(time_windows([(0, 45.0), (1, 75.0)], size=60, step=30))
    assert list(windows.values()) == [[0], [0, 1], [1]]  # [0,60) [30,90) [60,120)
    assert next(iter(windows)) == "1970-01-01T00:00:00/1970-01-01T00:01:00"


def test_hdfs_date_and_time_fields_are_read_without_a_format():
    hdfs = "<Date> <Time> <Pid> <Level> <Component>: <Content>"
    lines = [
        "081109 203518 143 INFO dfs.DataNode: Receiving block blk_1",
        "081109 203519 143 INFO dfs.DataNode: Receiving block blk_2",
        "081109 203640 143 INFO dfs.DataNode: Deleting block blk_1",
    ]
    parsed = parse_lines(lines, ParseConfig(hdfs, window_seconds=60))
    assert list(parsed.sessions) == [
        "2008-11-09T20:35:00/2008-11-09T20:36:00",
        "2008-11-09T20:36:00/2008-11-09T20:37:00",
    ]
    assert parsed.labels is None


def test_iso_times_with_an_offset_are_read_in_utc():
    lines = ["2005-06-03T02:00:30+02:00 a", "2005-06-03T00:01:10Z b"]
    parsed = parse_lines(lines, ParseConfig("<Time> <Content>", window_seconds=60))
    assert list(parsed.sessions) == [
        "2005-06-03T00:00:00/2005-06-03T00:01:00",
        "2005-06-03T00:01:00/2005-06-03T00:02:00",
    ]
    assert parsed.config.time_format == "iso"


def test_line_windows_take_per_line_labels_too():
    parsed = parse_lines(LINES, ParseConfig(BGL, window_lines=2, label_field="Label"))
    assert parsed.labels == {"lines 1-2": 0, "lines 3-4": 1}


def test_identifier_sessions_take_per_line_labels_too():
    lines = ["- blk_1 start", "FAIL blk_1 stop", "- blk_2 start"]
    parsed = parse_lines(
        lines, ParseConfig("<Label> <Content>", session_regex=r"blk_\d+", label_field="Label")
    )
    assert parsed.labels == {"blk_1": 1, "blk_2": 0}


def test_a_bad_timestamp_names_file_and_line():
    config = ParseConfig(BGL, window_seconds=60, label_field="Label")
    bad = _bgl("-", 0, "x").replace("1117756800", "soon")
    with pytest.raises(InputError) as err:
        parse_lines([LINES[0], bad], config, source="log.txt")
    assert (
        str(err.value) == "log.txt:2: unparseable timestamp 'soon' (fields Timestamp, format unix)"
    )


def test_a_missing_label_field_names_file_and_line():
    fmt = r"<Date> (\[<Label>\] )?<Content>"  # the label is optional in this format
    with pytest.raises(InputError) as err:
        parse_lines(["d [-] a", "d b"], ParseConfig(fmt, window_lines=2, label_field="Label"), "x")
    assert str(err.value) == "x:2: the label field <Label> is missing"


def test_a_timestamp_no_known_format_reads_says_so():
    with pytest.raises(InputError, match=r"^x:1: unparseable timestamp 'Jun 3' .*give the time"):
        parse_lines(["Jun 3 a"], ParseConfig("<Month> <Day> <Content>", window_seconds=5), "x")


def test_settings_that_cannot_work_are_refused():
    with pytest.raises(ConfigError, match="no field <Label> in the header format"):
        ParseConfig("<Date> <Content>", window_lines=3, label_field="Label")
    with pytest.raises(ConfigError, match="a window of seconds reads the time from header"):
        ParseConfig("<Level> <Content>", window_seconds=60)
    with pytest.raises(ConfigError, match="not two of them"):
        ParseConfig(BGL, window_seconds=60, window_lines=4)
    with pytest.raises(ConfigError, match=r"a literal \[ or \( is written"):
        ParseConfig("[<Time> <Content>", window_lines=3)


def test_loghub_format_strings_are_regexes_as_in_loghub():
    openstack = r"<Logrecord> <Date> <Time> <Pid> <Level> \[<ADDR>\] <Content>"
    m = header_regex(openstack).match(
        "nova-api.log 2017-05-16 00:00:00.008 25746 INFO [req-38101a0b - - -] GET /v2/servers"
    )
    assert m["ADDR"] == "req-38101a0b - - -" and m["Content"] == "GET /v2/servers"
    thunderbird = (
        r"<Label> <Timestamp> <Date> <User> <Month> <Day> <Time> <Location> "
        r"<Component>(\[<PID>\])?: <Content>"
    )
    line = "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: closed"
    m = header_regex(thunderbird).match(line)
    assert (m["Component"], m["PID"], m["Content"]) == ("crond(pam_unix)", "2915", "closed")


def test_masks_are_chosen_by_name_and_recorded():
    assert masks_for(["ip", "blk", "hex", "num"]) == DEFAULT_MASKS
    lines = ["took 12 ms", "took 345 ms"]
    masked = parse_lines(lines, ParseConfig(window_lines=2))
    plain = parse_lines(lines, ParseConfig(window_lines=2, masks=masks_for([], ["ms$"])))
    assert masked.templates == {1: "took <*> ms"}
    assert plain.templates[1] == "took 12 <*>"  # only the regex of one's own masked
    assert plain.config.masks == ("ms$",)
    with pytest.raises(ConfigError, match="unknown mask 'ipv6'; known masks: ip, blk, hex, num"):
        masks_for(["ipv6"])


def test_cli_time_windows_with_labels_feed_detects_labelled_evaluation(tmp_path):
    log = tmp_path / "bgl.log"
    log.write_text("\n".join(LINES) + "\n")
    out = tmp_path / "p"
    args = ["parse", str(log), "--out", str(out), "--header", BGL, "--window-seconds", "60"]
    r = CliRunner().invoke(cli, [*args, "--label-field", "Label", "--mask", "none"])
    assert r.exit_code == 0, r.output
    assert "3 sessions, 0 unassigned lines, 1 anomalous" in r.output
    assert (out / "labels.txt").read_text() == "0\n1\n0\n"
    config = json.loads((out / "parse_config.json").read_text())
    assert config["masks"] == [] and config["window_seconds"] == 60 and config["header"] == BGL
    assert (config["time_fields"], config["time_format"]) == (["Timestamp"], "unix")  # found
    model = tmp_path / "m.safetensors"
    train = ["baseline", "markov", "--train", str(out / "sessions.txt"), "--out", str(model)]
    assert CliRunner().invoke(cli, train).exit_code == 0
    sessions, labels = str(out / "sessions.txt"), str(out / "labels.txt")
    r = CliRunner().invoke(
        cli, ["detect", str(model), sessions, "--labels", labels, "--out", str(tmp_path / "r")]
    )
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "r" / "metrics.json").read_text())["metrics"]
    assert (m["tp"] + m["fn"], m["tn"] + m["fp"]) == (1, 2)  # one anomalous window of three


def test_cli_bad_timestamp_is_one_line(tmp_path):
    log = tmp_path / "bgl.log"
    log.write_text(LINES[0] + "\n" + LINES[1].replace("1117756810", "x") + "\n")
    args = ["parse", str(log), "--out", str(tmp_path / "p"), "--header", BGL]
    r = CliRunner().invoke(cli, [*args, "--window-seconds", "60"])
    assert r.exit_code == 1
    assert (
        r.output == f"Error: {log}:2: unparseable timestamp 'x' (fields Timestamp, format unix)\n"
    )
    assert not (tmp_path / "p" / "sessions.txt").exists()
