"""Training on distinct windows weighted by their counts is training on all windows."""

from __future__ import annotations

import numpy as np
import torch

from seqrnn.anomaly.training import DistinctWindowBatches, WeightedNextSymbolTask, train_distinct
from seqrnn.data.samples import sample_path
from seqrnn.data.windows import Windows
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet
from seqrnn.tasks.next_symbol import NextSymbolTask
from seqrnn.workflows import next_symbol as ns


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
