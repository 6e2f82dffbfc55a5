"""The engine: the net learns, runs repeat exactly, Ctrl-C + resume equals an uninterrupted run."""

import csv

import numpy as np
import pytest
import torch

from seqrnn.errors import CheckpointError
from seqrnn.next_symbol import training as ns
from seqrnn.train.callbacks import Callback
from seqrnn.train.trainer import TrainingInterrupted


def write_ids(path, ids):
    path.write_text("\n".join(str(i) for i in ids) + "\n")
    return path


def config(tmp_path, train_file, **train):
    return ns.run_config_from_dict(
        {
            "data": {"train": str(train_file), "format": "ids", "window": 6},
            "model": {
                "embedding_dim": 8,
                "encoder": {"hidden_size": 32, "num_layers": 2, "dropout": 0.1},
            },
            "train": {"epochs": 3, "batch_size": 16, "learning_rate": 0.01, **train},
            "runs_dir": str(tmp_path / "runs"),
        }
    )


def test_periodic_sequence_reaches_full_accuracy(tmp_path):
    f = write_ids(tmp_path / "periodic.txt", [1, 2, 3, 4, 5, 3, 2] * 80)
    result = ns.train(config(tmp_path, f, epochs=8))
    assert result.history[-1]["val_accuracy"] == 1.0
    assert result.history[-1]["val_loss"] < 0.05


def test_random_sequence_stays_near_chance(tmp_path):
    rng = np.random.default_rng(0)
    f = write_ids(tmp_path / "random.txt", rng.integers(1, 9, size=3000))  # 8 symbols
    result = ns.train(config(tmp_path, f, epochs=3))
    assert abs(result.history[-1]["val_accuracy"] - 1 / 8) < 0.06
    assert result.history[-1]["val_loss"] > 0.9 * np.log(8)


def test_seeded_runs_repeat_exactly(tmp_path):
    f = write_ids(tmp_path / "p.txt", [1, 2, 3, 1, 3, 2] * 30)
    a = ns.train(config(tmp_path, f, epochs=2, seed=7)).model.net.state_dict()
    b = ns.train(config(tmp_path, f, epochs=2, seed=7)).model.net.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


class InterruptAt(Callback):
    def __init__(self, step):
        self.step = step

    def on_batch_end(self, trainer, batch, loss):
        if trainer.global_step == self.step:
            raise KeyboardInterrupt


def test_resume_after_interrupt_equals_uninterrupted_run(tmp_path):
    f = write_ids(tmp_path / "p.txt", [1, 2, 3, 4, 2, 5, 1, 3] * 40)
    cfg = config(tmp_path, f, epochs=3)
    full = ns.train(cfg)
    with pytest.raises(TrainingInterrupted) as info:
        ns.train(cfg, [InterruptAt(step=23)])  # mid-way through epoch 2
    run_dir = info.value.path.parent
    resumed = ns.train(cfg, resume=run_dir)
    a, b = full.model.net.state_dict(), resumed.model.net.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    with open(run_dir / "history.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]  # no finished epoch lost or repeated
    for r, h in zip(rows, full.history, strict=True):
        assert float(r["loss"]) == pytest.approx(h["loss"], rel=1e-9)


def test_history_columns_and_run_folder(tmp_path):
    f = write_ids(tmp_path / "p.txt", [1, 2, 3] * 50)
    result = ns.train(config(tmp_path, f, epochs=2))
    with open(result.run_dir / "history.csv") as fh:
        header = next(csv.reader(fh))
    assert header == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]
    names = {p.name for p in result.run_dir.iterdir()}
    assert {
        "config.json",
        "history.csv",
        "best.safetensors",
        "last.safetensors",
        "metrics.json",
        "history.png",
    } <= names


def test_early_stopping(tmp_path):
    f = write_ids(tmp_path / "r.txt", np.random.default_rng(1).integers(1, 5, size=800))
    result = ns.train(config(tmp_path, f, epochs=30, patience=2, learning_rate=0.05))
    assert len(result.history) < 30
    best = min(h["val_loss"] for h in result.history)
    assert all(h["val_loss"] > best for h in result.history[-2:])


def test_resume_with_other_architecture_is_refused(tmp_path):
    f = write_ids(tmp_path / "p.txt", [1, 2, 3] * 50)
    first = ns.train(config(tmp_path, f, epochs=1))
    other = ns.run_config_from_dict(
        {**ns.to_dict(config(tmp_path, f, epochs=2)), "model": {"encoder": {"hidden_size": 16}}}
    )
    with pytest.raises(CheckpointError, match="cannot resume: the checkpoint's model config"):
        ns.train(other, resume=first.run_dir)
