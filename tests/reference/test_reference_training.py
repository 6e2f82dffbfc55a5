"""The pure-NumPy character model learns a short text with SGD and with Adagrad."""

from __future__ import annotations

import numpy as np
import pytest

from seqrnn.errors import ConfigError
from seqrnn.reference.train import (
    Optimizer,
    ReferenceTrainConfig,
    clip_by_norm,
    make_streams,
    train_network,
)
from seqrnn.reference.workflow import train_model

TEXT = "the quick brown fox jumps over the lazy dog. " * 6  # 270 characters, 29 symbols


@pytest.mark.parametrize(
    ("cell", "optimizer", "lr", "epochs", "threshold"),
    [
        ("rnn", "adagrad", 0.1, 30, 0.15),
        ("lstm", "adagrad", 0.1, 30, 0.15),
        ("gru", "adagrad", 0.1, 30, 0.15),
        ("gru", "sgd", 1.0, 40, 0.6),
    ],
)
def test_char_model_learns_a_short_text(
    cell: str, optimizer: str, lr: float, epochs: int, threshold: float
) -> None:
    """Uniform guessing costs ln(31) = 3.43 nats/char; the text repeats, so a model that
    learns it goes far below (thresholds well above what it reaches)."""
    config = ReferenceTrainConfig(
        cell=cell, hidden_size=32, seq_length=20, batch_size=4, epochs=epochs,
        optimizer=optimizer, learning_rate=lr,
    )  # fmt: skip
    model, history = train_model([list(TEXT)], config)
    assert history[0]["loss"] > 3.0
    assert history[-1]["loss"] < threshold
    assert len(model.vocab) == 2 + len(set(TEXT))


def test_streams_are_contiguous_rows_starting_with_pad() -> None:
    inputs, targets = make_streams([np.array([5, 6, 7]), np.array([8, 9, 10, 11])], 2)
    # stream: inputs  PAD 5 6 PAD 8 9 10 | targets 5 6 7 8 9 10 11 -> 7 steps, 2 rows of 3
    assert inputs.tolist() == [[0, 5, 6], [0, 8, 9]]
    assert targets.tolist() == [[5, 6, 7], [8, 9, 10]]


def test_adagrad_step_is_lr_times_sign_on_the_first_update() -> None:
    params = {"w": np.array([1.0, 1.0])}
    Optimizer("adagrad", 0.1).update(params, {"w": np.array([4.0, -0.5])})
    assert np.allclose(params["w"], [0.9, 1.1])


def test_clip_scales_all_gradients_together() -> None:
    grads = {"a": np.array([3.0]), "b": np.array([4.0])}
    assert clip_by_norm(grads, 1.0) == 5.0
    assert np.allclose([grads["a"][0], grads["b"][0]], [0.6, 0.8])


def test_bad_settings_are_refused_with_the_reason() -> None:
    with pytest.raises(ConfigError, match="seq_length must be a positive integer, got 0"):
        ReferenceTrainConfig(seq_length=0)
    with pytest.raises(ConfigError, match="cannot fill 16 parallel streams"):
        train_network([np.array([2, 3, 4])], 5, ReferenceTrainConfig())
