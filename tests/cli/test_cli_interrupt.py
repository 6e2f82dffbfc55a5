"""A real Ctrl-C (SIGINT) during `seqrnn train` leaves a resumable checkpoint, and
`--resume` finishes the run without losing the epochs already done."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from seqrnn.io.checkpoint import load_checkpoint


@pytest.mark.timeout(900)  # two real processes; seconds on an idle machine
def test_sigint_then_resume(tmp_path):
    data = tmp_path / "ids.txt"
    data.write_text("\n".join(str(i) for i in [1, 2, 3, 4, 3, 2] * 400) + "\n")
    run_dir = tmp_path / "runs" / "r"
    cmd = [
        sys.executable,
        "-m",
        "seqrnn",
        "train",
        "--train",
        str(data),
        "--format",
        "ids",
        "--window",
        "8",
        "--hidden",
        "32",
        "--epochs",
        "200",
        "--batch-size",
        "8",
        "--runs-dir",
        str(tmp_path / "runs"),
        "--name",
        "r",
        "--no-progress",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}  # tiny model: threads only add contention
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    deadline = time.time() + 300
    while not (run_dir / "history.csv").exists() and time.time() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130, out
    assert f"continue with: seqrnn train --resume {run_dir}" in out
    state = load_checkpoint(run_dir / "last.safetensors").meta["train_state"]
    done = state["epoch"]
    assert 1 <= done < 200

    # Resume with fewer total epochs so the test stays short: edit the saved config.
    cfg = (run_dir / "config.json").read_text().replace('"epochs": 200', f'"epochs": {done + 1}')
    (run_dir / "config.json").write_text(cfg)
    res = subprocess.run(
        [sys.executable, "-m", "seqrnn", "train", "--resume", str(run_dir), "--no-progress"],
        capture_output=True,
        text=True,
        env=env,  # as the first run: on a loaded machine threads only add contention
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    with open(run_dir / "history.csv") as fh:
        epochs = [int(r["epoch"]) for r in csv.DictReader(fh)]
    assert epochs == list(range(1, done + 2))
