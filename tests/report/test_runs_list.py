"""``seqrnn runs``: the run list and its sorting."""

from __future__ import annotations

from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.report.runs import list_runs, read_run, sort_runs


def test_rows_name_kind_key_metric(tiny_runs):
    rows = {r.name: r for r in list_runs(tiny_runs["detect"].parent)}
    assert set(rows) == {"det", "fc", "cl", "txt"}
    assert rows["det"].kind == "next_symbol_ensemble" and rows["det"].metric == "val_loss"
    assert rows["fc"].kind == "forecast" and rows["fc"].metric == "test.rmse"
    assert rows["cl"].kind == "text_classifier" and rows["cl"].metric == "validation.accuracy"
    assert rows["txt"].kind == "text" and rows["txt"].metric == "full_context_bits"
    assert rows["det"].best_epoch in (1, 2)


def test_sort_best_first_and_missing_last(tiny_runs):
    rows = sort_runs(list_runs(tiny_runs["detect"].parent), "val_loss")
    values = [r.metrics.get("val_loss") for r in rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present) and values[: len(present)] == present


def test_detect_folder_is_a_run_of_kind_detect(tiny_runs):
    run = read_run(tiny_runs["detect"] / "detect")
    assert run.kind == "detect" and run.detect == run.path


def test_cli_runs_table_and_bad_sort(tiny_runs):
    folder = str(tiny_runs["detect"].parent)
    res = CliRunner().invoke(cli, ["runs", folder, "--sort", "val_loss"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    header = "name kind date metric value best epoch val_loss"
    assert lines[0].split() == header.split()
    assert len(lines) == 5
    res = CliRunner().invoke(cli, ["runs", folder, "--sort", "val_los"])
    assert res.exit_code == 2 and "no run has the metric 'val_los'" in res.output
