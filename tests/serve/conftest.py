"""Fixtures of the service tests: a tiny next-symbol run saved as a checkpoint."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from seqrnn.data.vocab import Vocabulary
from seqrnn.io.checkpoint import Checkpoint, save_checkpoint
from seqrnn.models.neural import model_meta
from seqrnn.nn.encoder import EncoderConfig
from seqrnn.nn.next_symbol import NextSymbolConfig, NextSymbolNet

KEYS = [str(k) for k in range(2, 30)]
WINDOW = 4


def tiny_net(vocab_size: int, seed: int = 0) -> NextSymbolNet:
    """A 1x16 LSTM with random weights: enough to exercise every route."""
    torch.manual_seed(seed)
    encoder = EncoderConfig(hidden_size=16, num_layers=1)
    return NextSymbolNet(NextSymbolConfig(vocab_size, embedding_dim=8, encoder=encoder))


def save_tiny_run(path: Path) -> Path:
    """A next-symbol checkpoint over the HDFS-like keys 2..29 (window 4)."""
    vocab = Vocabulary(KEYS)
    net = tiny_net(len(vocab))
    meta = model_meta(net.config, vocab, WINDOW, "sessions")
    tensors = {f"model.{k}": v for k, v in net.state_dict().items()}
    save_checkpoint(path, Checkpoint(tensors=tensors, meta=meta))
    return path


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_run(tmp_path_factory.mktemp("serve") / "model.safetensors")
