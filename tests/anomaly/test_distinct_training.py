"""Distinct-window training: with count weights it is training on all windows; with unit
weights the model learns which keys follow a context rather than how often."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from seqrnn.anomaly.training import DistinctWindowBatches, WeightedNextSymbolTask, train_distinct
from seqrnn.data.samples import sample_path
from seqrnn.data.windows import Windows
from seqrnn.errors import ConfigError
from seqrnn.next_symbol import training as ns
from seqrnn.next_symbol.task import NextSymbolTask
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet


def test_weighted_distinct_loss_and_gradient_equal_the_full_data_ones():
    rng = np.random.default_rng(0)
    base = [rng.integers(2, 7, 8) for _ in range(5)]
    sessions = [base[i % 5] for i in range(40)]  # heavy repetition, as in logs
    windows = Windows(sessions, 3)
    net = NextSymbolNet(NextSymbolConfig(7, 4, EncoderConfig(hidden_size=6, num_layers=1)))
    full = NextSymbolTask().step(net, next(windows.batches(len(windows))), train=True).loss
    full_grad = torch.autograd.grad(full, list(net.parameters()))
    source = DistinctWindowBatches(windows, batch_size=10_000, shuffle=False)
    assert len(source.rows) < len(windows) / 5
    out = WeightedNextSymbolTask().step(net, next(source.batches(0)), train=True)
    assert out.count == len(windows)
    torch.testing.assert_close(out.loss, full, rtol=1e-5, atol=1e-6)
    grad = torch.autograd.grad(out.loss, list(net.parameters()))
    for a, b in zip(grad, full_grad, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_distinct_training_learns_hdfs_sessions(tmp_path):
    config = ns.run_config_from_dict(
        {
            "data": {"train": str(sample_path("hdfs", "train_normal.txt")), "window": 10},
            "model": {"embedding_dim": 8, "encoder": {"hidden_size": 32, "num_layers": 1}},
            "train": {"epochs": 8, "batch_size": 128, "learning_rate": 0.02, "seed": 0},
            "runs_dir": str(tmp_path),
        }
    )
    result = train_distinct(config)
    first, last = result.history[0], result.history[-1]
    assert last["loss"] < 0.6 * first["loss"]
    assert last["val_accuracy"] > 0.8  # top-1 on held-out normal sessions
    assert "<eos>" in result.model.vocab


def _rare_continuation_model(tmp_path, weights: str):
    """Context ``1 2 3`` is followed by 4 in 99 sessions and by 5 in one; window 3."""
    path = tmp_path / f"sessions_{weights}.txt"
    path.write_text("7 1 2 3 4\n" * 99 + "7 1 2 3 5\n")
    config = ns.run_config_from_dict(
        {
            "data": {
                "train": str(path),
                "window": 3,
                "val_fraction": 0.0,
                "window_weights": weights,
            },
            "model": {"embedding_dim": 8, "encoder": {"hidden_size": 16, "num_layers": 1}},
            "train": {"epochs": 60, "batch_size": 64, "learning_rate": 0.05, "seed": 0},
            "runs_dir": str(tmp_path),
            "name": weights,
        }
    )
    result = train_distinct(config)
    model = result.model
    context = torch.as_tensor(model.vocab.encode(["1", "2", "3"]))[None]  # [1, 3]
    probs = model.next_log_probs(context).exp()[0]
    return result, float(probs[model.vocab.index["4"]]), float(probs[model.vocab.index["5"]])


def test_distinct_weights_learn_which_keys_follow_count_weights_how_often(tmp_path):
    _, p4, p5 = _rare_continuation_model(tmp_path, "count")
    assert p4 > 0.9 and p5 < 0.05  # the likelihood: 99 to 1
    result, p4, p5 = _rare_continuation_model(tmp_path, "distinct")
    assert 0.35 < p5 < 0.65 and 0.35 < p4 < 0.65  # two continuations seen: one half each
    saved = json.loads((result.run_dir / "config.json").read_text())
    assert saved["data"]["window_weights"] == "distinct"


def test_unset_window_weights_mean_distinct_and_are_recorded(tmp_path):
    config = ns.run_config_from_dict(
        {
            "data": {"train": str(sample_path("hdfs", "train_normal.txt")), "window": 10},
            "model": {"encoder": {"hidden_size": 8, "num_layers": 1}},
            "train": {"epochs": 1, "batch_size": 256},
            "runs_dir": str(tmp_path),
        }
    )
    assert config.data.window_weights is None
    result = train_distinct(config)
    saved = json.loads((result.run_dir / "config.json").read_text())
    assert saved["data"]["window_weights"] == "distinct"


def test_plain_training_refuses_distinct_weights(tmp_path):
    config = ns.run_config_from_dict(
        {
            "data": {
                "train": str(sample_path("hdfs", "train_normal.txt")),
                "window_weights": "distinct",
            },
            "runs_dir": str(tmp_path),
        }
    )
    with pytest.raises(ConfigError, match="train-detector"):
        ns.train(config)
