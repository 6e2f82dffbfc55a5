"""Tiny runs of every kind (a detector with its detect folder, a forecaster, a classifier, a
text model), made once per session through the CLI, and their reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.data.samples import sample_path

pytest.importorskip("jinja2", reason="reports need the extra 'report' (jinja2, plotly)")
pytest.importorskip("plotly", reason="reports need the extra 'report' (jinja2, plotly)")

TINY = ["--epochs", "2", "--no-progress"]


def _run(args: list[str]) -> None:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output


def _detector(runs: Path) -> Path:
    hdfs = Path(sample_path("hdfs", "train_normal.txt")).parent
    _run(
        [
            "train-detector",
            "--train",
            str(hdfs / "train_normal.txt"),
            "--window",
            "5",
            "--val-fraction",
            "0.2",
            "--hidden",
            "8",
            "--layers",
            "1",
            *TINY,
            "--runs-dir",
            str(runs),
            "--name",
            "det",
        ]
    )
    run = runs / "det"
    _run(
        [
            "detect",
            str(run),
            "--normal",
            str(hdfs / "test_normal.txt"),
            "--abnormal",
            str(hdfs / "test_abnormal.txt"),
            "--out",
            str(run / "detect"),
        ]
    )
    return run


def _forecaster(runs: Path) -> Path:
    airline = sample_path("airline", "airline.csv")
    _run(
        [
            "forecast",
            "train",
            "--data",
            str(airline),
            "--season",
            "12",
            "--look-back",
            "4",
            "--hidden",
            "8",
            "--no-mlp-baseline",
            *TINY,
            "--runs-dir",
            str(runs),
            "--name",
            "fc",
        ]
    )
    return runs / "fc"


def _classifier(runs: Path, tmp: Path) -> Path:
    good, bad = tmp / "good.txt", tmp / "bad.txt"
    words = ["great", "lovely", "fine", "superb"], ["awful", "boring", "dull", "poor"]
    for path, ws in zip((good, bad), words, strict=True):
        path.write_text("".join(f"a {ws[i % 4]} film number {i}\n" for i in range(30)), "utf-8")
    _run(
        [
            "classify",
            "train",
            "--train",
            str(good),
            "--train",
            str(bad),
            "--model",
            "rnn",
            "--preset",
            "lstm",
            "--hidden",
            "8",
            "--val-fraction",
            "0.3",
            *TINY,
            "--runs-dir",
            str(runs),
            "--name",
            "cl",
        ]
    )
    return runs / "cl"


def _text(runs: Path, tmp: Path) -> Path:
    corpus = tmp / "corpus.txt"
    corpus.write_text("the quick brown fox jumps over the lazy dog.\n" * 30, "utf-8")
    _run(
        [
            "text",
            "train",
            "--train",
            str(corpus),
            "--hidden",
            "8",
            "--layers",
            "1",
            "--batch-size",
            "4",
            "--seq-len",
            "16",
            "--precision",
            "fp32",
            *TINY,
            "--runs-dir",
            str(runs),
            "--name",
            "txt",
        ]
    )
    return runs / "txt"


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"detect", "forecast", "classify", "text"}`` -> run folder, all in one runs folder."""
    tmp = tmp_path_factory.mktemp("report_runs")
    runs = tmp / "runs"
    return {
        "detect": _detector(runs),
        "forecast": _forecaster(runs),
        "classify": _classifier(runs, tmp),
        "text": _text(runs, tmp),
    }


@pytest.fixture(scope="session")
def reports(
    tiny_runs: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """One HTML report per kind, and ``"compare"``: the forecaster and the classifier."""
    from seqrnn.report.build import write_report

    out = tmp_path_factory.mktemp("reports")
    paths = {kind: write_report([run], out / f"{kind}.html") for kind, run in tiny_runs.items()}
    paths["compare"] = write_report(
        [tiny_runs["forecast"], tiny_runs["classify"]], out / "compare.html"
    )
    return paths
