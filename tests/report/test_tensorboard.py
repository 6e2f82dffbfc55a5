"""``--tensorboard``: the curves of ``history.csv`` also go to TensorBoard event files."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from seqrnn.cli.main import cli
from seqrnn.data.samples import sample_path

pytest.importorskip("tensorboard", reason="--tensorboard needs the extra 'tensorboard'")


def test_train_detector_with_tensorboard_logs_every_epoch(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    train = str(sample_path("hdfs", "train_normal.txt"))
    args = ["train-detector", "--train", train, "--window", "5", "--hidden", "8"]
    args += ["--val-fraction", "0.2"]
    args += ["--layers", "1", "--epochs", "2", "--no-progress", "--tensorboard"]
    args += ["--runs-dir", str(tmp_path), "--name", "tb"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    events = EventAccumulator(str(tmp_path / "tb" / "tensorboard")).Reload()
    tags = events.Tags()["scalars"]
    assert {"epoch/loss", "epoch/val_loss", "epoch/lr"} <= set(tags)
    assert [e.step for e in events.Scalars("epoch/loss")] == [1, 2]


def test_without_the_flag_nothing_is_written(tmp_path):
    train = str(sample_path("hdfs", "train_normal.txt"))
    args = ["train-detector", "--train", train, "--window", "5", "--hidden", "8", "--layers", "1"]
    args += ["--epochs", "1", "--no-progress", "--runs-dir", str(tmp_path), "--name", "plain"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert not (tmp_path / "plain" / "tensorboard").exists()


def test_training_verbs_import_no_report_stack():
    """Jinja2, Plotly, TensorBoard and selenium stay out of a training process."""
    import subprocess
    import sys

    code = (
        "import sys; import seqrnn.cli.next_symbol, seqrnn.cli.anomaly, seqrnn.cli.forecast, "
        "seqrnn.cli.classify, seqrnn.cli.textgen; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'jinja2', 'plotly', 'tensorboard', 'selenium'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
