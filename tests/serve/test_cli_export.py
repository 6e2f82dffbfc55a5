"""``seqrnn export`` from the command line, and the exported model served by onnxruntime."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli

pytest.importorskip("onnxruntime", reason="the 'onnx' extra (onnxruntime) is not installed")
pytest.importorskip("onnx", reason="the 'onnx' extra (onnx) is not installed")

from seqrnn.serve.backends import Runtime, SessionInput, load_backend


def test_export_writes_both_graphs_and_onnxruntime_judges_like_torch(tmp_path, tiny_run):
    out = tmp_path / "m.onnx"
    args = ["export", str(tiny_run), "--format", "onnx", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output and out.with_suffix(".step.onnx").is_file()
    torch_backend = load_backend(tiny_run)
    onnx_backend = load_backend(out, Runtime.ONNXRUNTIME)
    sessions = [SessionInput(["5", "22", "5", "11", "9", "11", "9", "26"]), SessionInput(["x"])]
    a, b = torch_backend.judge_sessions(sessions), onnx_backend.judge_sessions(sessions)
    assert [v["verdict"] for v in a] == [v["verdict"] for v in b]
    assert a[0]["score"] == pytest.approx(b[0]["score"], abs=1e-5)
    assert onnx_backend.info.config["role"] == "score"


def test_export_refuses_runs_without_a_network_and_other_suffixes(tmp_path, tiny_run):
    train = tmp_path / "train.txt"
    train.write_text("5 22 5 11 9\n5 22 11 9\n")
    markov = tmp_path / "markov.safetensors"
    runner = CliRunner()
    fitted = runner.invoke(cli, ["baseline", "markov", "--train", str(train), "--out", str(markov)])
    assert fitted.exit_code == 0, fitted.output
    result = runner.invoke(cli, ["export", str(markov), "--out", str(tmp_path / "m.onnx")])
    assert result.exit_code == 1
    assert "holds a 'markov' model; only neural next-symbol runs export to ONNX" in result.output
    assert not (tmp_path / "m.onnx").exists()
    bad = runner.invoke(cli, ["export", str(tiny_run), "--out", str(tmp_path / "m.txt")])
    assert bad.exit_code == 1 and "--out: expected a file name ending in .onnx" in bad.output
