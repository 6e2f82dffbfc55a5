"""Restarts: the median ensemble, its members, and that only training sessions are read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from seqrnn.anomaly import (
    DetectConfig,
    detect,
    detector_config_from_dict,
    detector_resume_config,
    load_detector,
    train_detector,
)
from seqrnn.anomaly.inputs import SessionSet
from seqrnn.anomaly.restarts import swapped_orders
from seqrnn.data import readers
from seqrnn.io.checkpoint import load_checkpoint
from seqrnn.models.ensemble import EnsembleNextSymbolModel
from seqrnn.nn.ensemble import median_log_probs
from seqrnn.train.callbacks import Callback
from seqrnn.train.trainer import TrainingInterrupted


def test_swapped_orders_are_new_sessions_only():
    sessions = [np.array([1, 2, 3]), np.array([2, 1, 3]), np.array([4, 4])]
    swaps = {tuple(s.tolist()) for s in swapped_orders(sessions)}
    assert swaps == {(1, 3, 2), (2, 3, 1)}  # (2, 1, 3) is a training session; 4 4 has none


def test_median_is_renormalised_and_one_member_cannot_sway_it():
    good = torch.tensor([0.7, 0.2, 0.1]).log()
    bad = torch.tensor([0.01, 0.01, 0.98]).log()  # doubts key 0, favours key 2
    out = median_log_probs(torch.stack([good, good * 1.0, bad])[:, None])[0]  # [V]
    assert torch.allclose(out.exp().sum(), torch.tensor(1.0))
    assert torch.allclose(out.exp(), torch.tensor([0.7, 0.2, 0.1]), atol=1e-6)
    pair = median_log_probs(torch.stack([good, bad])[:, None])[0]  # even: mean of the two
    mean = (good + bad) / 2
    assert torch.allclose(pair, mean - mean.logsumexp(0))


def _config(tmp_path: Path, train: Path, **over) -> dict:
    return {
        "data": {"train": str(train), "window": 2},
        "model": {"encoder": {"hidden_size": 8, "num_layers": 1}},
        "train": {"epochs": 2, "seed": 3},
        "runs_dir": str(tmp_path / "runs"),
        **over,
    }


def test_ensemble_reads_only_the_training_sessions_and_its_members_are_single_runs(
    tmp_path, monkeypatch
):
    """No test data: the only file training reads is data.train; member i is exactly the
    single run of seed + i, and the saved ensemble answers with their median."""
    train = tmp_path / "train.txt"
    train.write_text("1 2 3 4 5\n1 2 4 3 5\n" * 20 + "1 2 3 5\n" * 5)
    (tmp_path / "test_normal.txt").write_text("1 2 3 4 5\n")  # beside it, never to be read
    read: list[str] = []
    original = readers.read_text
    monkeypatch.setattr(readers, "read_text", lambda p: read.append(str(p)) or original(p))
    settings = _config(tmp_path, train, restarts={"count": 2}, name="ens")
    result = train_detector(detector_config_from_dict(settings))
    assert set(read) == {str(train)}
    assert result.metrics["restarts"] == {"members": 2, "seeds": [3, 4]}
    assert json.loads((result.run_dir / "config.json").read_text())["train"]["seed"] == 3
    assert load_checkpoint(result.run_dir / "best.safetensors").meta["kind"] == (
        "next_symbol_ensemble"
    )
    model = load_detector(result.run_dir)
    assert isinstance(model, EnsembleNextSymbolModel)
    singles = []
    for seed in (3, 4):
        one = _config(tmp_path, train, restarts={"count": 1}, name=f"s{seed}")
        one["train"] = {"epochs": 2, "seed": seed}
        singles.append(train_detector(detector_config_from_dict(one)).model)
    for member, single in zip(model.net.members, singles, strict=True):
        for a, b in zip(
            member.state_dict().values(), single.net.state_dict().values(), strict=True
        ):
            assert torch.equal(a.cpu(), b.cpu())
    contexts = torch.tensor([[0, 2], [2, 3], [3, 4]])
    both = torch.stack([s.next_log_probs(contexts) for s in singles])
    assert torch.allclose(model.next_log_probs(contexts), median_log_probs(both), atol=1e-6)
    sessions = SessionSet([np.array([1, 2, 3, 4, 5]), np.array([5, 4, 3, 2, 1])])
    found = detect(model, sessions, DetectConfig(g=1))  # scoring, verdicts, explanations
    assert len(found.verdicts.anomalous) == 2
    assert set(found.explanations) == set(np.flatnonzero(found.verdicts.anomalous).tolist())


class InterruptAt(Callback):
    def __init__(self, step: int):
        self.step = step

    def on_batch_end(self, trainer, batch, loss):
        if trainer.global_step == self.step:
            raise KeyboardInterrupt


def test_an_interrupted_ensemble_resumes_to_the_uninterrupted_one(tmp_path):
    """Member 0 trains in the run folder; resuming reads members 1.. from the checkpoint."""
    train = tmp_path / "train.txt"
    train.write_text("1 2 3 4 5\n1 2 4 3 5\n" * 20 + "1 2 3 5\n" * 5)
    settings = _config(tmp_path, train, restarts={"count": 2}, name="cut")
    settings["train"] = {"epochs": 3, "seed": 3, "batch_size": 4}
    config = detector_config_from_dict(settings)
    with pytest.raises(TrainingInterrupted) as info:
        train_detector(config, [InterruptAt(step=4)])  # member 0, mid-way through epoch 1
    run_dir = info.value.path.parent
    resumed = train_detector(detector_resume_config(run_dir), resume=run_dir)
    whole = train_detector(detector_config_from_dict({**settings, "name": "whole"}))
    a, b = resumed.model.net.state_dict(), whole.model.net.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
