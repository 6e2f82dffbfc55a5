"""CLI smoke runs: baseline -> detect with labels (report folder), parse, detect --follow."""

from __future__ import annotations

import json

from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.data.samples import sample_path


def _run(args, **kw):
    result = CliRunner().invoke(cli, args, catch_exceptions=False, **kw)
    return result


def _markov(tmp_path, *options: str) -> str:
    """``seqrnn baseline markov`` on the bundled normal HDFS sessions; the model file."""
    model = str(tmp_path / "m.safetensors")
    train = str(sample_path("hdfs", "train_normal.txt"))
    r = _run(["baseline", "markov", *options, "--train", train, "--out", model])
    assert r.exit_code == 0
    return model


def test_baseline_then_detect_writes_the_report(tmp_path):
    model = str(tmp_path / "nb.safetensors")
    train = str(sample_path("hdfs", "train_normal.txt"))
    r = _run(["baseline", "naive-bayes", "--train", train, "--out", model])
    assert r.exit_code == 0 and "Naive Bayes, window 10" in r.output
    out = tmp_path / "det"
    r = _run(
        [
            "detect",
            model,
            "--normal",
            str(sample_path("hdfs", "test_normal.txt")),
            "--abnormal",
            str(sample_path("hdfs", "test_abnormal.txt")),
            "--out",
            str(out),
            "--project-normal",
            "553366",
        ]
    )
    assert r.exit_code == 0, r.output
    assert "sessions: P " in r.output and "projected: P " in r.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["metrics"]["sessions"] == 996  # every session, duplicates included
    assert metrics["metrics"]["recall"] > 0.9
    for name in (
        "verdicts.csv",
        "explanations.jsonl",
        "anomaly_pr.png",
        "anomaly_hist.png",
        "anomaly_positions.png",
    ):
        assert (out / name).stat().st_size > 0
    first = json.loads((out / "explanations.jsonl").read_text().splitlines()[0])
    assert {"session", "source", "line", "reasons", "positions"} <= set(first)


def test_detect_reports_bad_input_in_one_line(tmp_path):
    model = _markov(tmp_path)
    data = tmp_path / "s.txt"
    data.write_text("5 5 22\n")
    labels = tmp_path / "l.txt"
    labels.write_text("0\n1\n")
    r = CliRunner().invoke(
        cli, ["detect", model, str(data), "--labels", str(labels), "--out", str(tmp_path / "o")]
    )
    assert r.exit_code != 0
    assert "the labels file has 2 labels but there are 1 sessions" in r.output
    assert "Traceback" not in r.output


def test_follow_prints_alerts_and_rejects_bad_lines(tmp_path):
    model = _markov(tmp_path, "--order", "2")
    r = _run(["detect", model, "--follow"], input="b1 5\nb1 5\nb1 5\nb1 22\nb1 17\noops\n")
    assert "session b1 event 4: key 17 (unknown key)" in r.output
    assert "not scored: <stdin>:6: 'oops' is not an integer key" in r.output


def test_parse_writes_sessions_templates_and_state(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("Receiving block blk_1\nDeleting block blk_1\nsomething else\n")
    r = _run(["parse", str(log), "--out", str(tmp_path / "p"), "--session-regex", r"blk_-?\d+"])
    assert r.exit_code == 0 and "1 unassigned lines" in r.output
    assert (tmp_path / "p" / "sessions.txt").read_text() == "1 2\n"
    assert (tmp_path / "p" / "drain3_state.json").exists()


def test_detect_on_one_long_stream_writes_flagged_positions_and_windows(tmp_path):
    model = _markov(tmp_path)
    stream = tmp_path / "ids.txt"
    stream.write_text("\n".join(["5", "5", "5", "22", "11", "9"] * 30 + ["17", "5"]) + "\n")
    r = _run(
        [
            "detect",
            model,
            "--stream",
            str(stream),
            "--stream-window",
            "50",
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert r.exit_code == 0, r.output
    assert "182 positions" in r.output and "of 4 windows of 50 have a flag" in r.output
    flagged = (tmp_path / "o" / "flagged_positions.csv").read_text().splitlines()
    assert any(line.startswith("180,17,") for line in flagged)
