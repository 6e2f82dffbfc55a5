"""Sessions with a leading identifier, trained on and judged: the identifier stays with the
session in verdicts.csv and explanations.jsonl."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from seqrnn.anomaly import read_session_set
from seqrnn.cli.main import cli
from seqrnn.data.samples import sample_path


def _id_file(path, sessions, prefix, comma=True):
    sep = "," if comma else " "
    path.write_text("".join(f"{prefix}{i}{sep}{s}" for i, s in enumerate(sessions)))
    return path


def test_train_detector_and_detect_keep_the_identifiers(tmp_path):
    plain = sample_path("hdfs", "train_normal.txt").read_text().splitlines(keepends=True)
    train = _id_file(tmp_path / "train.csv", plain[:60], "blk_")
    test = _id_file(tmp_path / "test.txt", ["5 5 22\n", "5 99 5\n"], "t", comma=False)
    tiny = ["--window", "3", "--hidden", "8", "--layers", "1", "--epochs", "1"]
    runs = ["--val-fraction", "0", "--runs-dir", str(tmp_path), "--name", "ids", "--no-progress"]
    args = ["train-detector", "--train", str(train), "--format", "id_sessions", *tiny, *runs]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    out = tmp_path / "report"
    r = CliRunner().invoke(cli, ["detect", str(tmp_path / "ids"), str(test), "--out", str(out)])
    assert r.exit_code == 0, r.output
    verdicts = pd.read_csv(out / "verdicts.csv")
    assert list(verdicts.columns[:3]) == ["source", "line", "id"]
    assert verdicts.id.tolist() == ["t0", "t1"]
    flagged = [json.loads(line) for line in (out / "explanations.jsonl").read_text().splitlines()]
    assert {"t1"} <= {e["id"] for e in flagged}  # key 99 was never seen in training
    quantile = ["--method", "quantile", "--val", str(train), "--out", str(tmp_path / "q")]
    r = CliRunner().invoke(cli, ["detect", str(tmp_path / "ids"), str(test), *quantile])
    assert r.exit_code == 0, r.output  # --val files are read in the same format


def test_plain_and_id_files_judged_together_keep_their_places(tmp_path):
    ids = read_session_set(_id_file(tmp_path / "a.csv", ["5 22\n"], "blk_"), 1, "id_sessions")
    plain = tmp_path / "b.txt"
    plain.write_text("5 5\n")
    both = read_session_set(plain, 0)
    both.extend(ids)
    assert both.ids == ["", "blk_0"] and both.labels.tolist() == [0, 1]
    assert both.subset([1]).ids == ["blk_0"]
