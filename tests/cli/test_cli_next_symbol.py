"""Smoke runs of every next-symbol verb through the real CLI, and its error messages."""

import json

import pytest
import torch
from click.testing import CliRunner

from seqrnn import next_symbol
from seqrnn.cli.main import cli
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.models.neural import load_model


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    data = tmp / "sessions.txt"
    data.write_text("\n".join(["5 5 22 11 9 11 9 26 26", "22 5 5 11 9 26 26 23 21"] * 40))
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "train",
            "--train",
            str(data),
            "--window",
            "4",
            "--hidden",
            "16",
            "--layers",
            "1",
            "--epochs",
            "2",
            "--runs-dir",
            str(tmp / "runs"),
            "--name",
            "r",
            "--no-progress",
        ],
    )
    assert res.exit_code == 0, res.output
    return tmp, data, tmp / "runs" / "r"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_train_prints_run_folder(trained):
    _, _, run_dir = trained
    assert (run_dir / "best.safetensors").exists()
    cfg = json.loads((run_dir / "config.json").read_text())
    assert cfg["data"]["window"] == 4 and cfg["model"]["encoder"]["hidden_size"] == 16


def test_evaluate(trained):
    _, data, run_dir = trained
    res = run("evaluate", run_dir, data, "--top-k", "2")
    assert res.exit_code == 0, res.output
    printed = dict(line.split(": ", 1) for line in res.output.strip().splitlines())
    expected = next_symbol.evaluate(load_model(run_dir), data, top_k=2).to_dict()
    assert set(printed) == set(expected)
    for key, value in expected.items():  # the figures printed are the library's, as printed
        assert printed[key] == str(value), key


def test_predict_prefix_and_stdin(trained):
    _, _, run_dir = trained
    res = run("predict", run_dir, "5", "5", "22", "--top-k", "2")
    guesses = next_symbol.predict(load_model(run_dir), ["5", "5", "22"], top_k=2)
    shown = ", ".join(f"{g.symbol} ({g.prob:.3f})" for g in guesses)
    assert res.exit_code == 0 and res.output == f"5 5 22 -> {shown}\n"
    res = CliRunner().invoke(cli, ["predict", str(run_dir), "--input", "-"], input="5 5\n22\n")
    assert res.exit_code == 0 and len(res.output.strip().splitlines()) == 2


def test_generate_is_seedable(trained):
    _, _, run_dir = trained
    a = run("generate", run_dir, "--prime", "5 5", "--length", "8", "--seed", "3")
    b = run("generate", run_dir, "--prime", "5 5", "--length", "8", "--seed", "3")
    assert a.exit_code == 0 and a.output == b.output and len(a.output.split()) == 8


def test_score_writes_csv_and_plots(trained, tmp_path):
    _, data, run_dir = trained
    res = run("score", run_dir, data, "--out", tmp_path / "s")
    assert res.exit_code == 0, res.output
    header = (tmp_path / "s" / "scores.csv").read_text().splitlines()[0]
    assert header == "sequence,position,symbol,prob,rank,neg_log_prob"
    assert (tmp_path / "s" / "probability.png").stat().st_size > 1000
    assert (tmp_path / "s" / "neg_log_prob.png").exists()


def test_summary_total_equals_numel(trained):
    _, _, run_dir = trained

    res = run("summary", run_dir)
    total = sum(p.numel() for p in load_model(run_dir).net.parameters())
    assert res.exit_code == 0 and "total" in res.output and f"{total:,}" in res.output


def test_resume_continues_a_finished_run(trained):
    _, _, run_dir = trained
    before = load_checkpoint(run_dir / "last.safetensors").section("model")
    history = (run_dir / "history.csv").read_text()
    res = run("train", "--resume", run_dir, "--no-progress")
    assert res.exit_code == 0, res.output
    after = load_checkpoint(run_dir / "last.safetensors").section("model")
    assert all(torch.equal(before[k], after[k]) for k in before)  # nothing left to train
    assert (run_dir / "history.csv").read_text() == history


def test_unknown_config_key_suggests(tmp_path):
    (tmp_path / "c.toml").write_text("[train]\nepochz = 3\n")
    res = run("train", "--config", tmp_path / "c.toml")
    assert res.exit_code == 1
    assert "unknown key 'epochz' (did you mean 'epochs'?)" in res.output


def test_non_integer_key_names_file_and_line(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("1 2 3\n4 five 6\n")
    res = run("train", "--train", f, "--runs-dir", tmp_path)
    assert res.exit_code == 1 and "bad.txt:2: 'five' is not an integer id" in res.output
    assert "Traceback" not in res.output


def test_zero_window_and_batch(tmp_path):
    f = tmp_path / "ok.txt"
    f.write_text("1 2 3\n")
    res = run("train", "--train", f, "--window", "0")  # a usage error: exit 2, option named
    assert res.exit_code == 2 and "Invalid value for '--window': 0 is not in the range x>=1." in (
        res.output
    )
    res = run("train", "--train", f, "--batch-size", "-1")
    assert res.exit_code == 2 and "'--batch-size': -1 is not in the range x>=1." in res.output
    config = tmp_path / "c.toml"  # the same values from a config file: ConfigError, exit 1
    config.write_text(f'[data]\ntrain = "{f}"\nwindow = 0\n')
    res = run("train", "--config", config)
    assert res.exit_code == 1 and "data.window must be a positive integer, got 0" in res.output


def test_stream_shorter_than_a_window(tmp_path):
    f = tmp_path / "ids.txt"
    f.write_text("1\n2\n3\n")
    res = run("train", "--train", f, "--format", "ids", "--window", "5", "--runs-dir", tmp_path)
    assert "ids.txt: only 3 symbols for training, shorter than one window of 5" in res.output


def test_tampered_model_file(trained, tmp_path):
    _, data, run_dir = trained
    bad = tmp_path / "m.safetensors"
    raw = bytearray((run_dir / "best.safetensors").read_bytes())
    raw[-5] ^= 0x55
    bad.write_bytes(bytes(raw))
    res = run("evaluate", bad, data)
    assert res.exit_code == 1 and "checksum mismatch" in res.output


def test_model_from_other_vocabulary_is_refused(trained, tmp_path):
    """A checkpoint whose weights do not fit its declared vocabulary/architecture."""
    from seqrnn.io.checkpoint import Checkpoint, load_checkpoint, save_checkpoint

    _, data, run_dir = trained
    path = run_dir / "best.safetensors"
    ck = load_checkpoint(path)
    ck.meta["vocab"] = ck.meta["vocab"] + ["999"]
    ck.meta["model_config"]["vocab_size"] += 1
    save_checkpoint(tmp_path / "other.safetensors", Checkpoint(ck.tensors, ck.meta))
    res = run("evaluate", tmp_path / "other.safetensors", data)
    assert res.exit_code == 1 and "do not fit this architecture or vocabulary" in res.output
