"""The HTML report: self-contained, each kind's sections present, data embedded as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.report.build import build_report


def _blocks(html: str, attr: str) -> list[dict]:
    pattern = rf'<script type="application/json" data-{attr}="[^"]*"[^>]*>(.*?)</script>'
    return [json.loads(m) for m in re.findall(pattern, html, flags=re.S)]


def _section_titles(html: str) -> list[str]:
    return re.findall(r"<summary><h3>(.*?)</h3></summary>", html)


def test_report_is_self_contained(reports):
    html = reports["detect"].read_text("utf-8")
    assert "<script src=" not in html and "<link " not in html  # nothing fetched
    assert "Plotly.newPlot" in html and len(html) > 1_000_000  # plotly.js inlined


def test_detector_report_has_detection_and_strip(reports):
    html = reports["detect"].read_text("utf-8")
    titles = _section_titles(html)
    assert titles[:2] == ["Overview", "Anomaly detection"] and "Learning curves" in titles
    (flagged,) = _blocks(html, "widget")
    assert flagged["rows"] and len(flagged["rows"][0]) == len(flagged["columns"]) + 1
    detail = flagged["details"][flagged["rows"][0][-1]]
    strip = detail["strip"]
    assert len(strip["position"]) == len(strip["prob"]) and set(strip["flagged"]) <= set(
        strip["position"]
    )
    charts = [c["layout"]["title"]["text"] for c in _blocks(html, "chart")]
    assert {"Precision-recall", "Session scores", "Loss"} <= set(charts)


def test_each_kind_gets_its_section(reports):
    expected = {"forecast": "Forecasts", "classify": "Classification", "text": "Samples"}
    for kind, title in expected.items():
        assert title in _section_titles(reports[kind].read_text("utf-8")), kind


def test_classifier_mistakes_and_text_bits(reports):
    html = reports["classify"].read_text("utf-8")
    assert "Confusion matrix" in html and "Most confident mistakes" in html
    html = reports["text"].read_text("utf-8")
    assert "Bits per character" in html and html.count("temperature ") >= 2


def test_comparison_lists_differing_config_and_overlays_curves(reports):
    html = reports["compare"].read_text("utf-8")
    assert "Comparison of 2 runs" in html and "config keys differ" in html
    assert any("all runs" in c["layout"]["title"]["text"] for c in _blocks(html, "chart"))


def test_missing_files_leave_sections_out(tmp_path):
    run = tmp_path / "bare"
    run.mkdir()
    header = "epoch,loss,accuracy,val_loss,val_accuracy,lr,time\n"
    (run / "history.csv").write_text(header + "1,2.0,0.5,,,0.1,1.0\n")
    (run / "metrics.json").write_text("{not json")
    html = build_report([run])
    assert _section_titles(html) == ["Overview", "Learning curves"]


def test_cli_report_writes_file_and_refuses_missing_run(tmp_path, tiny_runs):
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["report", str(tiny_runs["forecast"]), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"wrote {out} (") and out.stat().st_size > 0
    res = CliRunner().invoke(cli, ["report", str(tmp_path / "nope"), "--out", str(out)])
    assert res.exit_code == 2 and "does not exist" in res.output


def test_explicit_detect_folder(tmp_path, tiny_runs):
    html = build_report([tiny_runs["forecast"]], detect=Path(tiny_runs["detect"]) / "detect")
    assert "Anomaly detection" in _section_titles(html)


def test_damaged_detect_files_leave_their_part_out(tmp_path, tiny_runs):
    import shutil

    det = tmp_path / "detect"
    shutil.copytree(tiny_runs["detect"] / "detect", det)
    with open(det / "explanations.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"session": 7, "source": "a", "line": 1, "length": [oops\n')
    assert _blocks(build_report([det]), "widget")[0]["rows"]  # the good lines still there
    (det / "verdicts.csv").write_text("source,line,label,score,anomalous\na,1,0,oops,1\n")
    html = build_report([det])
    assert "Anomaly detection" in _section_titles(html) and "Session scores" not in html
