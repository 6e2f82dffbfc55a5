"""Every train verb goes through the one life cycle: a real SIGINT (or SIGTERM) mid-training
exits 130 with a resumable checkpoint and the resume command, and ``--resume`` ends with the
weights of an uninterrupted run, bit for bit (CPU, one thread)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from seqrnn.io.checkpoint import load_checkpoint

ENV = {**os.environ, "OMP_NUM_THREADS": "1"}  # tiny models: one thread, same sums every time


def _sessions(tmp: Path) -> Path:
    path = tmp / "sessions.txt"
    lines = [" ".join(str(1 + (i + j) % 5) for j in range(8 + i % 4)) for i in range(120)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _series(tmp: Path) -> Path:
    path = tmp / "series.csv"
    rows = [f"{t},{100 + 10 * ((t % 12) - 6) ** 2 / 6 + t:.3f}" for t in range(96)]
    path.write_text("t,y\n" + "\n".join(rows) + "\n")
    return path


def _texts(tmp: Path) -> Path:
    path = tmp / "texts.csv"
    rows = [
        f"{'good fine nice' if i % 2 else 'bad poor awful'} w{i % 7},{i % 2}" for i in range(80)
    ]
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    return path


def _text(tmp: Path) -> Path:
    path = tmp / "text.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 200)
    return path


#: verb -> (command words, options for a tiny model) given the data folder
VERBS = {
    "train": (["train"], lambda t: ["--train", _sessions(t), "--window", "4", "--hidden", "8"]),
    # one network: an ensemble's members 1.. train in memory with the run's epochs before the
    # run folder opens, so this test's trick (fewer epochs for the resumed run) would give
    # them other epochs than the uninterrupted run's; test_restarts resumes an ensemble
    "train-detector": (
        ["train-detector"],
        lambda t: [
            *["--train", _sessions(t), "--window", "4", "--hidden", "8", "--batch-size", "4"],
            *["--restarts", "1"],
        ],
    ),
    "forecast train": (
        ["forecast", "train"],
        lambda t: [
            "--data",
            _series(t),
            "--season",
            "12",
            "--look-back",
            "4",
            "--hidden",
            "8",
            "--no-mlp-baseline",
        ],
    ),
    "classify train": (
        ["classify", "train"],
        lambda t: [
            "--train",
            _texts(t),
            "--model",
            "rnn",
            "--hidden",
            "8",
            "--embedding-dim",
            "8",
            "--batch-size",
            "4",
            "--patience",
            "0",
        ],
    ),
    "text train": (
        ["text", "train"],
        lambda t: [
            "--train",
            _text(t),
            "--hidden",
            "8",
            "--layers",
            "1",
            "--embedding-dim",
            "8",
            "--batch-size",
            "4",
            "--seq-len",
            "16",
            # the schedule follows the planned steps, which the test changes when it cuts the
            # epochs of the interrupted run; a constant rate keeps the two runs comparable
            "--decay",
            "constant",
            "--warmup",
            "0",
        ],
    ),
}


def _cmd(words: list[str], options: list, runs: Path, name: str, epochs: int) -> list[str]:
    base = [sys.executable, "-m", "seqrnn", *words, *map(str, options), "--runs-dir", str(runs)]
    return [*base, "--name", name, "--epochs", str(epochs), "--no-progress"]


def _weights(run_dir: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(run_dir / "last.safetensors").section("model")


def _interrupt(cmd: list[str], run_dir: Path, sig: signal.Signals) -> str:
    """Start ``cmd``, send ``sig`` once its first epoch is written, return its output."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV
    )
    deadline = time.time() + 300
    while not (run_dir / "history.csv").exists() and time.time() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130, out
    return out


@pytest.mark.timeout(900)
@pytest.mark.parametrize("verb", list(VERBS))
def test_interrupt_then_resume_gives_the_uninterrupted_weights(verb, tmp_path):
    words, options = VERBS[verb]
    opts = options(tmp_path)
    runs = tmp_path / "runs"
    run_dir = runs / "cut"
    out = _interrupt(_cmd(words, opts, runs, "cut", 500), run_dir, signal.SIGINT)
    assert f"continue with: seqrnn {verb} --resume {run_dir}" in out
    done = load_checkpoint(run_dir / "last.safetensors").meta["train_state"]["epoch"]
    assert 1 <= done < 500
    # finish one epoch after the interruption: edit the epochs of the saved config
    config = json.loads((run_dir / "config.json").read_text())
    config["train"]["epochs"] = done + 1
    (run_dir / "config.json").write_text(json.dumps(config))
    resumed = subprocess.run(
        [sys.executable, "-m", "seqrnn", *words, "--resume", str(run_dir), "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    whole = subprocess.run(
        _cmd(words, opts, runs, "whole", done + 1),
        capture_output=True,
        text=True,
        timeout=300,
        env=ENV,
    )
    assert whole.returncode == 0, whole.stdout + whole.stderr
    a, b = _weights(run_dir), _weights(runs / "whole")
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), verb
    assert json.loads((run_dir / "metrics.json").read_text())["training"]["epochs"] == done + 1


@pytest.mark.timeout(600)
@pytest.mark.parametrize("verb", list(VERBS))
def test_sigterm_saves_like_ctrl_c(verb, tmp_path):
    words, options = VERBS[verb]
    runs = tmp_path / "runs"
    out = _interrupt(_cmd(words, options(tmp_path), runs, "r", 500), runs / "r", signal.SIGTERM)
    assert f"continue with: seqrnn {verb} --resume {runs / 'r'}" in out
    state = load_checkpoint(runs / "r" / "last.safetensors").meta["train_state"]
    assert state["epoch"] >= 1
